"""An export read, matched and validated: :class:`Prepared`, what the steps after reading work
on (building the tables, the manifest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analysis.data.codebook import Codebook
from analysis.errors import Problem

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from analysis.data.headers import HeaderMatch
    from analysis.data.readers import RawTable


@dataclass
class Prepared:
    """An export read, matched and validated (before personal data is removed)."""

    codebook: Codebook
    table: RawTable
    match: HeaderMatch
    frame: pd.DataFrame
    """Raw text answers of the kept rows: index = spreadsheet row, columns = question ids (and
    ``__id``), ``string`` dtype with ``NA`` for an empty cell."""
    headers: dict[str, str]
    rows_in: int
    excluded: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    people: tuple[list, list] = field(default_factory=lambda: ([], []))
    """The kept rows' name columns and e-mail columns (aligned with ``frame``), used only to
    mask the respondent's own name in free text; never written."""
    warnings: dict[str, Any] = field(default_factory=dict)
    """What was accepted but deserves a look (see :func:`build_warnings`); no values."""
    cleaned: dict[str, Any] = field(default_factory=dict)
    """Free-text columns already cleaned for the masking workers (question id → the raw
    column's array and the cleaned Series), filled by a thread while the export is checked;
    :func:`~analysis.data.ingest.tables.build_tables` uses them after
    :func:`~analysis.data.pii.parallel.settle`."""
