"""Read → match headers → clean → validate: an export turned into a :class:`Prepared` (raw text
answers of the kept rows, every problem found, the warnings), before personal data is removed.

Spreadsheet error values (:data:`SPREADSHEET_ERRORS`) in answer cells count as missing; rows
without any answer are excluded and counted (:data:`EXCLUDED_EMPTY_ROW`,
:data:`EXCLUDED_NO_ANSWERS`).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from analysis.data.codebook import Codebook
from analysis.data.ingest.common import _SPACE, _release_memory
from analysis.data.ingest.manifest import build_warnings
from analysis.data.ingest.model import Prepared
from analysis.data.ingest.tables import prefetch_masking
from analysis.errors import InputValidationError, Problem

EXCLUDED_EMPTY_ROW = "tom rad"
EXCLUDED_NO_ANSWERS = "inga svar på någon fråga"

SPREADSHEET_ERRORS = (
    "#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#BLOCKED!", "#BUSY!", "#CONNECT!", "#EXTERNAL!", "#FIELD!", "#PYTHON!",
    "#UNKNOWN!", "#ERROR!",
    # as Swedish Excel writes them into a CSV
    "#SAKNAS!", "#REFERENS!", "#DIVISION/0!", "#VÄRDEFEL!", "#NAMN?", "#OGILTIGT!", "#SKÄRNING!",
)  # fmt: skip
"""Spreadsheet error values (Excel in English and Swedish, Google Sheets; also LibreOffice's
``Err:NNN``): an answer cell holding one (any case, surrounding spaces ignored) is treated as
missing."""

_ERROR_RE = "^(?:" + "|".join(re.escape(e) for e in SPREADSHEET_ERRORS) + r"|ERR:[0-9]{3})$"


def _null_errors(col) -> tuple[Any, list[int], list[str]]:
    """*col* with spreadsheet error values nulled; their row positions and normalised texts."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if col.null_count == len(col):
        return col, [], []
    # cheap anchored pre-check on the raw cells, the exact test only on the few candidates
    maybe = pc.match_substring_regex(col, rf"^{_SPACE}*(?:#|[Ee][Rr][Rr]:)")
    candidates = np.flatnonzero(pc.fill_null(maybe, False).to_numpy(zero_copy_only=False))
    if not len(candidates):
        return col, [], []
    key = pc.utf8_upper(pc.utf8_trim_whitespace(col.take(pa.array(candidates))))
    exact = pc.fill_null(pc.match_substring_regex(key, _ERROR_RE), False)
    exact = exact.to_numpy(zero_copy_only=False)
    if not exact.any():
        return col, [], []
    positions = candidates[exact]
    codes = key.filter(pa.array(exact)).to_pylist()
    hit = np.zeros(len(col), dtype=bool)
    hit[positions] = True
    return pc.if_else(pa.array(hit), pa.scalar(None, col.type), col), positions.tolist(), codes


def _prepare(codebook: Codebook, path: Path) -> Prepared:
    import numpy as np
    import pandas as pd

    from analysis.data.headers import (
        double_header_problem,
        header_key,
        header_problems,
        match_headers,
        question_keys,
    )
    from analysis.data.pii import pii_header_kind
    from analysis.data.readers import read_export
    from analysis.data.reference import normalise_municipality
    from analysis.data.validation import ID_COLUMN, validate_answers

    all_keys = set().union(*(question_keys(q) for q in codebook.questions))

    def score(cells: list[str]) -> int:
        return sum(1 for c in cells if header_key(c) in all_keys)

    table = read_export(path, header_score=score)
    file = table.file
    match = match_headers(table.headers, codebook)
    first_row = table.row(0) if table.n_rows else None
    double = double_header_problem(
        match, table.headers, first_row, codebook, file, table.header_row
    )
    if double is not None:
        raise InputValidationError([double])
    problems = header_problems(match, table.headers, codebook, file, table.header_row, table.sheets)

    columns = dict(match.questions)
    if match.id_column is not None:
        columns[ID_COLUMN] = match.id_column
    headers = {name: table.headers[j] for name, j in columns.items()}
    qcols = list(match.questions.values())
    kinds = {j: pii_header_kind(table.headers[j]) for j in match.pii_columns}
    name_cols = [j for j, k in kinds.items() if k == "name"]
    email_cols = [j for j, k in kinds.items() if k == "email"]
    rows_in = table.n_rows

    # spreadsheet error values in answer cells count as missing
    cols = list(table.columns)
    errors: list[tuple[int, str]] = []
    for j in sorted(set(qcols)):
        cols[j], positions, codes = _null_errors(cols[j])
        errors += [(table.source_row(i), c) for i, c in zip(positions, codes, strict=True)]
    errors.sort()

    # every input row is accounted for: empty rows and rows without answers are excluded
    filled = np.zeros(rows_in, dtype=bool)
    answered = np.zeros(rows_in, dtype=bool)
    for j, col in enumerate(cols):
        if col.null_count < len(col):
            valid = col.is_valid().to_numpy(zero_copy_only=False)
            filled |= valid
            if j in qcols:
                answered |= valid
    excluded: dict[str, int] = {}
    keep = filled & answered if qcols else filled
    if (~filled).any():
        excluded[EXCLUDED_EMPTY_ROW] = int((~filled).sum())
    if qcols and (filled & ~answered).any():
        excluded[EXCLUDED_NO_ANSWERS] = int((filled & ~answered).sum())

    import pyarrow as pa

    mask = None if keep.all() else pa.array(keep)

    def kept(j: int):
        return cols[j] if mask is None else cols[j].filter(mask)

    source_rows = np.arange(rows_in, dtype=np.int64) + table.header_row + 1
    frame = pd.DataFrame(
        {name: pd.array(kept(j), dtype="string") for name, j in columns.items()},
        index=pd.Index(source_rows[keep], dtype="int64"),
        columns=list(columns),
    )
    people = ([kept(j) for j in name_cols], [kept(j) for j in email_cols])
    cleaned: dict[str, Any] = {}
    if not keep.any() and match.questions:
        problems.append(
            Problem(
                file=file,
                message="filen innehåller inga svar (alla rader är tomma)",
                hint="Kontrollera att exporten gjordes efter att svaren kommit in",
                kind="header_only",
            )
        )
    elif keep.any():
        if not problems:  # the workers mask the free text while the answers are checked
            prefetch_masking(frame, codebook, cleaned)
        problems += validate_answers(frame, codebook, headers, file, normalise_municipality)
    free_text = {q.id for q in codebook.questions if q.type == "text"}
    warnings = build_warnings(table, frame, errors, free_text) if not problems else {}
    # the frame holds what is needed from here on; let the other raw columns go
    table = dataclasses.replace(table, columns=[])
    _release_memory()
    return Prepared(
        codebook, table, match, frame, headers, rows_in, excluded, problems, people, warnings,
        cleaned,
    )  # fmt: skip
