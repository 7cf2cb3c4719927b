"""Excel workbooks (``.xlsx``, e.g. Microsoft Forms exports) read with ``python-calamine``: the
first worksheet as text columns, with formula and error texts put back, merged ranges below the
header unmerged and — in a sparse sheet — only the table block (:mod:`.xlsx_scan`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path

from analysis.data.readers.cells import _finish, _string_array, column_letters
from analysis.data.readers.detect import _xlsx_format
from analysis.data.readers.model import RawTable, _problem
from analysis.data.readers.xlsx_scan import (
    _cut_sheet,
    _replace_member,
    _scan_sheet,
    _sheet_part,
    _special_cells,
    _table_block,
)
from analysis.errors import InputValidationError

DENSE_CELL_BUDGET = 4_000_000
"""An xlsx sheet is read as is when its used range has at most this many cells (or three times
its filled cells); otherwise only the table block is read (see ``outside`` in
:mod:`analysis.data.readers`)."""


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    s = str(value)
    return s if s.strip() else None


def _unreadable_xlsx(p: Path, exc: BaseException) -> InputValidationError:
    return _problem(
        p,
        "filen kunde inte läsas som Excel-arbetsbok",
        "Spara om den som .xlsx i Excel eller exportera som CSV UTF-8"
        f" (tekniskt fel: {type(exc).__name__})",
        "unreadable",
    )


def _read_xlsx(p: Path, data: bytes, sha: str) -> RawTable:
    import zipfile

    import python_calamine

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = list(wb.sheet_names)
        meta = list(wb.sheets_metadata)
    except Exception as exc:  # zipfile and calamine raise many kinds on corrupt files
        raise _unreadable_xlsx(p, exc) from None
    if not sheets:
        raise _problem(p, "arbetsboken har inga blad", "Exportera svaren på nytt", "empty")
    first = next((m.name for m in meta if str(m.typ).endswith("WorkSheet")), sheets[0])
    findings: dict[str, list] = {}
    special: dict[tuple[int, int], str] = {}
    part = _sheet_part(zf, first)
    block: tuple[int, int] | None = None
    if part is None:  # calamine found the sheet, so the workbook names it in a way we cannot
        raise _problem(
            p,
            f"bladet {first!r} kunde inte hittas i arbetsboken",
            "Spara om den som .xlsx i Excel eller exportera som CSV UTF-8",
            "unreadable",
        )
    try:
        scan = _scan_sheet(zf, part)
        used = scan.max_row * max(scan.max_col, 1)
        xml = None
        if used > max(DENSE_CELL_BUDGET, 3 * scan.cells):
            xml = zf.read(part)
            height, width, filled = _table_block(xml)
            if height * width > max(DENSE_CELL_BUDGET, 3 * filled):
                raise _problem(
                    p,
                    f"arbetsbladet {first!r} är för glest för att läsas "
                    f"({filled} ifyllda celler utspridda över {used} celler)",
                    "Kopiera svaren (rubrikraden och svarsraderna) till ett nytt blad och "
                    "spara som .xlsx, eller exportera som CSV UTF-8",
                    "unreadable",
                )
            block = (height, width)
            cut, outside = _cut_sheet(xml, height, width)
            if outside:
                findings["outside"] = outside
            data = _replace_member(data, part, cut)
            xml = cut
            wb.close()
            wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if scan.special:
            special = _special_cells(xml if xml is not None else zf.read(part))
            if block is not None:
                special = {k: v for k, v in special.items() if k[0] <= block[0]}
                special = {k: v for k, v in special.items() if k[1] <= block[1]}
        sheet = wb.get_sheet_by_name(first)
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except InputValidationError:
        raise
    except Exception as exc:  # calamine raises many kinds on corrupt sheets
        raise _unreadable_xlsx(p, exc) from None
    finally:
        with contextlib.suppress(Exception):
            wb.close()
    columns = _xlsx_columns(rows, special, merged, block, findings)
    del rows
    fmt_guess = _xlsx_format
    table = _finish(
        p, fmt_guess, columns, False, findings, scan.controls,
        sha256=sha, size=0, sheets=sheets,
    )  # fmt: skip
    if table is None:
        raise _problem(
            p,
            f"första bladet ({sheets[0]!r}) är tomt",
            "Svaren ska ligga på arbetsbokens första blad",
            "empty",
        )
    table.mojibake_scan = scan.mojibake
    return table


def _xlsx_columns(
    rows: list[list], special: dict[tuple[int, int], str], merged: list,
    block: tuple[int, int] | None, findings: dict[str, list],
) -> list:  # fmt: skip
    """Calamine's rows (from A1) → one text array per column, with formula/error texts put back
    and merged ranges below the header unmerged."""
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    if special:
        height = max(height, max(r for r, _ in special))
        width = max(width, max(c for _, c in special))
    if block is not None:
        height, width = min(height, block[0]), min(width, block[1])
    if rows and all(len(r) == len(rows[0]) for r in rows):
        transposed = [list(c) for c in zip(*rows[:height], strict=True)]
    else:  # pragma: no cover - calamine returns a dense rectangle
        transposed = [[r[j] if j < len(r) else "" for r in rows[:height]] for j in range(width)]
    transposed = transposed[:width]
    transposed += [[] for _ in range(width - len(transposed))]
    columns: list[list] = []
    for raw in transposed:
        raw += [""] * (height - len(raw))
        if all(type(v) is str for v in raw):
            columns.append(raw)
        else:
            columns.append([_cell_text(v) for v in raw])
    for (r, c), text in special.items():
        if r <= height and c <= width:
            columns[c - 1][r - 1] = text
    filled_rows: set[int] = set()
    done: list[dict] = []
    for (r0, c0), (r1, c1) in merged:
        if r0 < 1 or r0 >= height or c0 >= width:
            continue  # ranges in the header row stay as they are
        value = columns[c0][r0]
        if value is None or not str(value).strip():
            continue
        cells = 0
        for c in range(c0, min(c1, width - 1) + 1):
            for r in range(r0, min(r1, height - 1) + 1):
                if (r, c) != (r0, c0) and not (columns[c][r] or "").strip():
                    columns[c][r] = value
                    cells += 1
                    filled_rows.add(r + 1)
        if cells:
            ref = f"{column_letters(c0 + 1)}{r0 + 1}:{column_letters(c1 + 1)}{r1 + 1}"
            done.append({"range": ref, "cells": cells})
    if done:
        findings["merged"] = done
        findings["merged_rows"] = sorted(filled_rows)
    return [_string_array(col) for col in columns]
