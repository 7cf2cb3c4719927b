"""The municipality_2023 demo: a Google Forms ``.csv`` with one row per municipality, its name
in an everyday spelling and the free-text answers from the content file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from analysis.data.demo.common import (
    DEFAULT_SEEDS,
    MUNICIPALITY_ANSWERS,
    _codebook,
    _fake_people,
    _read_yaml,
    _timestamps,
)
from analysis.errors import ConfigError

GOOGLE_FORMS_META = ["Tidstämpel", "E-postadress"]

# How each municipality writes its name in the demo CSV (everyday spellings; all must normalise).
MUNICIPALITY_SPELLINGS: dict[str, str] = {
    "Nordmaling": "Nordmalings kommun",
    "Bjurholm": "Bjurholm",
    "Vindeln": "Vindelns kommun\u00a0",
    "Robertsfors": "Robertsfors kommun",
    "Norsjö": "Norsjö",
    "Malå": "Malå kommun",
    "Storuman": "Storumans kommun",
    "Sorsele": "sorsele",
    "Dorotea": "Dorotea kommun",
    "Vännäs": "Vännäs kommun",
    "Vilhelmina": "Vilhelmina",
    "Åsele": "Åsele kommun",
    "Umeå": "Umeå kommun",
    "Lycksele": "Lycksele Kommun",
    "Skellefteå": "Skellefteå kommun",
}


def load_municipality_answers(path: str | Path | None = None) -> dict[str, dict]:
    """Read the synthetic free-text answers for municipality_2023 (one entry per municipality).

    Expected format: ``municipalities: {<canonical name>: {q2: {text: …, themes: […]}, …}}``.
    All 15 municipalities must be present under their canonical names.
    """
    from analysis.data.reference import load_municipalities

    p = Path(path) if path is not None else MUNICIPALITY_ANSWERS
    if not p.is_file():
        raise ConfigError(
            f"{p}: innehållsfilen med de syntetiska kommunsvaren saknas; "
            "demodata för municipality_2023 kan inte genereras utan den."
        )
    data = _read_yaml(p) or {}
    answers = data.get("municipalities") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        raise ConfigError(f"{p}: nyckeln 'municipalities' saknas eller är inte en mappning.")
    names = set(load_municipalities()["kommun"])
    unknown = sorted(set(answers) - names)
    missing = sorted(names - set(answers))
    if unknown or missing:
        raise ConfigError(
            f"{p}: kommunerna stämmer inte med referenstabellen "
            f"(okända: {', '.join(unknown) or '–'}; saknas: {', '.join(missing) or '–'})."
        )
    return answers


def municipality_table(
    answers: dict | None = None, seed: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """The municipality demo export as ``(headers, rows)`` in Google Forms CSV shape.

    ``answers`` defaults to the committed content file (see :func:`load_municipality_answers`).
    """
    import numpy as np

    from analysis.data.reference import load_municipalities

    answers = answers if answers is not None else load_municipality_answers()
    seed = DEFAULT_SEEDS["municipality_2023"] if seed is None else seed
    cb = _codebook("municipality_2023")
    questions = cb["questions"]
    names = list(load_municipalities()["kommun"])
    rng = np.random.default_rng(seed)
    times = _timestamps(rng, len(names), dt.date(2023, 4, 26), dt.date(2023, 6, 9))
    people = _fake_people(rng, len(names))
    order = rng.permutation(len(names))

    headers = GOOGLE_FORMS_META + [
        q["text"] + (" " + q["examples"] if q.get("examples") else "") for q in questions
    ]
    rows = []
    for rank, idx in enumerate(order):
        name = names[int(idx)]
        entry = answers.get(name) or {}
        _, done = times[rank]
        row = [done.strftime("%Y-%m-%d %H:%M:%S"), people[rank][1]]
        for q in questions:
            if q["type"] == "municipality":
                row.append(MUNICIPALITY_SPELLINGS.get(name, name))
                continue
            value = entry.get(q["id"])
            text = value.get("text") if isinstance(value, dict) else value
            row.append("" if text is None else str(text).strip())
        rows.append(row)
    return headers, rows


def _csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")
