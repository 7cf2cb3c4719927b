"""What both demo generators share: where the hand-made content lives, the fixed seeds, the
survey codebooks (read as plain YAML), the demo file names (:func:`demo_filename`) and the
seeded draws of fake people and timestamps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

CONTENT_DIR = Path(__file__).resolve().parents[1] / "demo_content"
PARTNER_DESIGN = CONTENT_DIR / "partner_2021.yaml"
MUNICIPALITY_ANSWERS = CONTENT_DIR / "municipality_2023_answers.yaml"

DEFAULT_SEEDS = {"partner_2021": 2021, "municipality_2023": 2023, "partner_2025": 2025}
"""The fixed seeds the committed demo files are generated with."""

OTHER_GENERATORS = {"partner_2025": "analysis.data.demo_partner_2025"}
"""Surveys whose generator lives in its own module (``render(seed)``, ``generate(out_dir, seed)``)."""

# Obviously fake people: invented surnames that read as "example"/"test" in Swedish.
FAKE_FIRST = [
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Per", "Eva", "Olof",
    "Lena", "Nils", "Ingrid", "Mats", "Elin", "Jonas", "Frida", "Anders",
]  # fmt: skip
FAKE_LAST = [
    "Exempelsson", "Testberg", "Påhittad", "Demodotter", "Fiktivsson", "Provström",
    "Låtsasson", "Exempelström", "Testlund", "Demosson",
]  # fmt: skip


def _read_yaml(path: Path) -> Any:
    from analysis.yamlload import load_file

    return load_file(path)


def _codebook(survey: str) -> dict:
    return _read_yaml(paths.codebook_path(survey))


def demo_filename(survey: str) -> str:
    """The demo export's file name as declared in the survey codebook's ``demo`` section.

    >>> demo_filename("partner_2021")
    'demo_partner_2021_msforms.xlsx'
    """
    cb = _codebook(survey)
    try:
        return str(cb["demo"]["file"])
    except (KeyError, TypeError):
        raise ConfigError(
            f"{paths.codebook_path(survey)}: avsnittet 'demo: {{file: …}}' saknas."
        ) from None


def _fake_people(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """``n`` distinct (name, e-mail) pairs of obviously fake people."""
    pairs = [(f, last) for f in FAKE_FIRST for last in FAKE_LAST]
    idx = rng.choice(len(pairs), size=n, replace=False)
    fold = str.maketrans("åäöÅÄÖ", "aaoAAO")
    out = []
    for i in idx:
        first, last = pairs[int(i)]
        out.append((f"{first} {last}", f"{first}.{last}".lower().translate(fold) + "@example.org"))
    return out


def _timestamps(
    rng: np.random.Generator, n: int, start: dt.date, end: dt.date
) -> list[tuple[dt.datetime, dt.datetime]]:
    """``n`` (start, completion) pairs on weekdays between ``start`` and ``end``, sorted."""
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    out = []
    for _ in range(n):
        day = days[int(rng.integers(len(days)))]
        seconds = int(rng.integers(8 * 3600, 16 * 3600 + 1800))
        begin = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
        duration = dt.timedelta(seconds=int(rng.integers(4 * 60, 25 * 60)))
        out.append((begin, begin + duration))
    return sorted(out, key=lambda p: p[1])
