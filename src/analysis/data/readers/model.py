"""The table an export is read into (:class:`RawTable`), the source formats it can be in, and
the error raised for a file the user must fix (:func:`_problem`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import InputValidationError, Problem

FORMATS = {
    "ms_forms_xlsx": "Microsoft Forms (.xlsx)",
    "xlsx": "Excel-arbetsbok (.xlsx)",
    "google_forms_csv": "Google Forms (.csv)",
    "excel_csv": "Excel-CSV med semikolon (.csv)",
    "csv": "CSV",
}
"""Source formats written to the manifest's ``source_format`` (id → Swedish description)."""


@dataclass
class RawTable:
    """An export as read: header cells and one Arrow string array per column.

    ``header_row`` is the spreadsheet row number of the header (1 unless blank lines precede a
    CSV header); data row *i* (0-based) is spreadsheet row ``header_row + 1 + i``. A null in a
    column is an empty cell. ``findings`` maps a kind of cleaned cell (``nul``, ``bidi``,
    ``merged``, ``outside``) to where it was found (see the module docstring).
    """

    path: Path
    format: str
    headers: list[str]
    columns: list[Any]
    """One ``pyarrow`` ``large_string`` array (or chunked array) per header, all of equal
    length."""
    sha256: str
    size: int
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    sheets: list[str] = field(default_factory=list)
    findings: dict[str, list] = field(default_factory=dict)
    mojibake_scan: bool = field(default=True, repr=False)
    """False when the file is known to hold no possible mojibake (the cell check is skipped)."""

    @property
    def file(self) -> str:
        """The file name used in problem messages."""
        return self.path.name

    @property
    def n_rows(self) -> int:
        """Number of data rows (below the header)."""
        return len(self.columns[0]) if self.columns else 0

    def source_row(self, i: int) -> int:
        """Spreadsheet row number of data row *i* (0-based)."""
        return self.header_row + 1 + i

    def row(self, i: int) -> list[str | None]:
        """Data row *i* as a list of cells."""
        return [c[i].as_py() for c in self.columns]

    @property
    def rows(self) -> list[list[str | None]]:
        """All data rows as lists of cells (convenient for small tables; slow for large ones)."""
        cols = [c.to_pylist() for c in self.columns]
        return [list(r) for r in zip(*cols, strict=True)] if cols else []


def _problem(path: Path, message: str, hint: str, kind: str, **kw) -> InputValidationError:
    return InputValidationError(
        [Problem(file=path.name, message=message, hint=hint, kind=kind, **kw)]
    )


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (read in chunks, read-only)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
