"""Surveys are data: every folder ``data/raw/<survey>/`` holding a ``codebook.yaml`` is a survey.

Nothing in the package lists the surveys. :func:`discover` looks at the raw-data folder each time
it is called (never at import time), so a new survey is added by adding a folder — the CLI, the
report parameters and the overview report pick it up without a code change:

* :func:`discover` — the survey ids, sorted (``data/raw/reference`` is reference data, not a
  survey);
* :func:`check_survey` — one survey id, or a :class:`~analysis.errors.ConfigError` listing the
  known ones (the CLI prints it as one line and exits 2);
* :class:`Enumerations` — a mapping whose values are computed when they are looked up (the report
  parameters ``survey`` and ``baseline`` take their allowed values from :func:`discover`).

>>> "partner_2021" in discover() and "reference" not in discover()
True
>>> check_survey("partner_2021")
'partner_2021'
>>> check_survey("partner_2022")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
analysis.errors.ConfigError: okänd enkät 'partner_2022'. Kända enkäter: ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from analysis import paths
from analysis.errors import ConfigError

__all__ = [
    "CODEBOOK_FILE",
    "NOT_SURVEYS",
    "Enumerations",
    "check_survey",
    "discover",
]

CODEBOOK_FILE = "codebook.yaml"
"""The file that makes a folder of ``data/raw`` a survey."""

NOT_SURVEYS = frozenset({"reference"})
"""Folders of ``data/raw`` that are never surveys (committed reference facts)."""


def discover(raw_dir: str | Path | None = None) -> tuple[str, ...]:
    """The survey ids: sorted names of the folders under ``data/raw`` holding a ``codebook.yaml``.

    Parameters
    ----------
    raw_dir : str or Path, optional
        The raw-data folder (default :func:`analysis.paths.raw_dir`, which honours
        ``ANALYSIS_PROJECT_ROOT``).

    Returns
    -------
    tuple of str
        Folder names; ``reference`` and hidden folders (``.…``, ``_…``) are left out. The codebooks
        are not read here: a broken codebook is reported when the survey is used.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b_2024", "a_2023", "reference", "no_codebook"):
    ...     (d / name).mkdir()
    >>> for name in ("b_2024", "a_2023", "reference"):
    ...     _ = (d / name / "codebook.yaml").write_text("survey: x", encoding="utf-8")
    >>> discover(d)
    ('a_2023', 'b_2024')
    """
    base = Path(raw_dir) if raw_dir is not None else paths.raw_dir()
    if not base.is_dir():
        return ()
    return tuple(
        sorted(
            p.name
            for p in base.iterdir()
            if p.is_dir()
            and p.name not in NOT_SURVEYS
            and not p.name.startswith((".", "_"))
            and (p / CODEBOOK_FILE).is_file()
        )
    )


def check_survey(name: object) -> str:
    """*name* when it is a discovered survey; otherwise a one-line :class:`ConfigError`.

    The message lists the known surveys and says how a survey is added, so the CLI can print it
    as it is (exit code 2).
    """
    known = discover()
    if isinstance(name, str) and name in known:
        return name
    listed = ", ".join(known) if known else "(inga)"
    raise ConfigError(
        f"okänd enkät {name!r}. Kända enkäter: {listed}. En enkät är en mapp "
        f"{paths.raw_dir()}/<enkät>/ med en {CODEBOOK_FILE} (se README, 'Adding a survey')."
    )


class Enumerations(Mapping):
    """A read-only mapping whose values are computed at lookup time.

    ``Enumerations({"audience": ("public", "internal")}, survey=discover)`` answers
    ``["audience"]`` with the fixed tuple and ``["survey"]`` by calling :func:`discover` — so a
    survey added after the package was imported is still allowed.

    >>> e = Enumerations({"colour": ("red",)}, number=lambda: ("1", "2"))
    >>> e["number"], sorted(e), "colour" in e, e.get("shape")
    (('1', '2'), ['colour', 'number'], True, None)
    """

    def __init__(
        self,
        fixed: Mapping[str, tuple[str, ...]] | None = None,
        **computed: Callable[[], tuple[str, ...]],
    ) -> None:
        self._fixed = dict(fixed or {})
        self._computed = dict(computed)

    def __getitem__(self, key: str) -> tuple[str, ...]:
        if key in self._computed:
            return tuple(self._computed[key]())
        return self._fixed[key]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._fixed, *(k for k in self._computed if k not in self._fixed)])

    def __len__(self) -> int:
        return len(set(self._fixed) | set(self._computed))

    def __repr__(self) -> str:
        return f"Enumerations({sorted(self)})"
