"""Exports for human review that are safe to open in Excel (no formula injection).

Free-text answers come from outside; a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would be run as a formula by spreadsheet programs. Following the OWASP
"CSV Injection" guidance such cells get a leading apostrophe, which Excel shows as text.

>>> neutralise_cell('=HYPERLINK("http://x")')
'\\'=HYPERLINK("http://x")'
>>> neutralise_cell("Bra dialog"), neutralise_cell(3)
('Bra dialog', 3)
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from analysis import atomic
from analysis.errors import ConfigError

#: Leading characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix ``'`` to strings that start with a formula character; other values unchanged.

    >>> [neutralise_cell(v) for v in ["+1", "-2", "@SUM(A1)", "\\tx", "ok"]]
    ["'+1", "'-2", "'@SUM(A1)", "'\\tx", 'ok']
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every cell (and column name) passed through :func:`neutralise_cell`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def write_review_file(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a review table as ``.csv`` (UTF-8 with BOM, ``;``-separated for Swedish Excel) or
    ``.xlsx`` (all cells as text), neutralised against formula injection. Written atomically.

    Returns the path written. Other suffixes raise :class:`~analysis.errors.ConfigError`.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ConfigError(f"{p}: granskningsfilen måste sluta på .csv eller .xlsx.")
    safe = neutralise_frame(df)
    if suffix == ".csv":
        data = safe.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")
    else:
        buf = io.BytesIO()
        _write_xlsx(safe, buf)
        data = buf.getvalue()
    atomic.write_bytes(p, data)
    return p


def _write_xlsx(df: pd.DataFrame, path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Granskning"
    ws.append([str(c) for c in df.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in df.itertuples(index=False):
        ws.append(["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # plain text, never a formula
            cell.number_format = "@"
    for col_cells in ws.columns:
        name = str(col_cells[0].value)
        width = 60 if name in ("text", "evidence") else min(40, max(10, len(name) + 2))
        ws.column_dimensions[col_cells[0].column_letter].width = width
        if name in ("text", "evidence"):
            for cell in col_cells[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.save(path)
