"""CSV parsed by Python's ``csv`` module: the delimiter chosen on a sample, small files read
whole, and the chunked fallback for large files ``pyarrow.csv`` cannot parse (ragged rows …)."""

from __future__ import annotations

import contextlib
import csv
import io
import sys
from collections.abc import Callable, Iterator

from analysis.data.readers.cells import _string_array

_CSV_CHUNK_RECORDS = 50_000


@contextlib.contextmanager
def _no_field_limit():
    """Lift the ``csv`` module's 131 072-character field limit for the duration."""
    old = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _parse(text: str, delimiter: str) -> list[list[str]] | None:
    try:
        with _no_field_limit():
            return list(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
            )
    except csv.Error:
        return None


def _choose_delimiter(
    text: str, complete: bool, header_score: Callable[[list[str]], int] | None
) -> tuple[str, list[list[str]]] | None:
    best: tuple | None = None
    for order, delim in enumerate((",", ";", "\t")):
        rows = _parse(text, delim)
        if rows is None:
            continue
        if not complete and len(rows) > 1:
            rows = rows[:-1]  # the sample may end inside a record
        nonempty = [r for r in rows if any(c.strip() for c in r)]
        if not nonempty:
            continue
        width = len(nonempty[0])
        consistent = sum(1 for r in nonempty[1:] if len(r) == width)
        frac = consistent / max(1, len(nonempty) - 1) if len(nonempty) > 1 else 1.0
        score_h = header_score(nonempty[0]) if header_score else 0
        key = (score_h, width > 1, frac >= 0.8, width, -order)
        if best is None or key > best[0]:
            best = (key, delim, rows)
    return None if best is None else (best[1], best[2])


def _records_to_columns(records: Iterator[list[str]]) -> list:
    """Records (ragged allowed) → one text array per column, padded with nulls."""
    import pyarrow as pa

    chunks: list[list] = []
    done = 0

    def flush(batch: list[list[str]]) -> None:
        nonlocal done
        width = max((len(r) for r in batch), default=0)
        while len(chunks) < width:
            chunks.append([pa.nulls(done, pa.large_string())] if done else [])
        for j, col in enumerate(chunks):
            col.append(_string_array([r[j] if j < len(r) else None for r in batch]))
        done += len(batch)

    batch: list[list[str]] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= _CSV_CHUNK_RECORDS:
            flush(batch)
            batch = []
    if batch:
        flush(batch)
    return [pa.concat_arrays(c) if len(c) > 1 else c[0] for c in chunks if c]


def _python_columns(utf8: bytes, delimiter: str) -> list | None:
    """The whole file parsed by Python's ``csv`` module, in chunks."""
    stream = io.TextIOWrapper(io.BytesIO(utf8), encoding="utf-8", newline="")
    try:
        with _no_field_limit():
            return _records_to_columns(csv.reader(stream, delimiter=delimiter, strict=False))
    except csv.Error:
        return None
