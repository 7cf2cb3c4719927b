"""Cells as they are cleaned while reading, one Arrow string array per column.

NUL characters and bidirectional controls are removed (their positions recorded in the table's
``findings``), blank cells become nulls, empty edge rows and columns are trimmed and — in a
spreadsheet — the cells beyond the first large gap (:data:`MAX_COLUMN_GAP`, :data:`MAX_ROW_GAP`)
are cut away (:func:`_finish` turns the result into a
:class:`~analysis.data.readers.model.RawTable`). Also spreadsheet column letters
(:func:`column_letters`, :func:`column_number`) and fast RE2 searches of raw bytes
(:func:`_contains`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.data.readers.model import RawTable

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Unicode characters with the ``Bidi_Control`` property; removed from every cell."""

MAX_COLUMN_GAP = 64
MAX_ROW_GAP = 10_000

_BIDI_RE = "[" + BIDI_CONTROLS + "]"
_CONTROLS_RE2 = r"[\x00\x{061C}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]"


def _string_array(values: list) -> pa.Array:
    import pyarrow as pa

    return pa.array(values, type=pa.large_string())


def _cell_positions(mask) -> Any:
    """Indices where a boolean Arrow array is true (nulls count as false)."""
    import numpy as np
    import pyarrow.compute as pc

    return np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))


def _with_nulls(col, blank):
    """*col* with the cells where *blank* is true turned into nulls (data buffers shared)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    valid = pc.and_not(col.is_valid(), blank) if col.null_count else pc.invert(blank)
    if col.offset == 0 and valid.offset == 0:
        buffers = col.buffers()
        return pa.Array.from_buffers(col.type, len(col), [valid.buffers()[1], *buffers[1:]])
    return pc.if_else(blank, pa.scalar(None, col.type), col)


def _blank_to_null(arr):
    import pyarrow.compute as pc

    blank = pc.or_(pc.equal(pc.utf8_length(arr), 0), pc.utf8_is_space(arr))
    blank = pc.fill_null(blank, False)
    return _with_nulls(arr, blank) if blank.true_count else arr


def _clean_columns(columns: list, findings: dict[str, list], scan: bool = True) -> list:
    """Remove NUL and bidi controls (recording where) and turn blank cells into nulls.

    Positions are recorded as ``(row index from the top of the file, column index)``.
    ``scan=False`` skips looking for NUL/bidi characters (the caller knows there are none).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    out = []
    for j, col in enumerate(columns):
        if col.null_count == len(col):
            out.append(col)
            continue
        if scan:
            hits = _cell_positions(pc.match_substring(col, "\x00"))
            if len(hits):
                findings.setdefault("nul", []).extend((int(i), j) for i in hits)
                col = pc.replace_substring(col, "\x00", "")
            hits = _cell_positions(pc.match_substring_regex(col, _BIDI_RE))
            if len(hits):
                findings.setdefault("bidi", []).extend((int(i), j) for i in hits)
                col = pc.replace_substring_regex(col, _BIDI_RE, "")
        if isinstance(col, pa.ChunkedArray):
            col = pa.chunked_array([_blank_to_null(c) for c in col.chunks], type=col.type)
        else:
            col = _blank_to_null(col)
        out.append(col)
    return out


def _whole(utf8: bytes, binary: bool = False):
    """Bytes as a one-element Arrow ``large_string`` (or ``large_binary``) array, no copy."""
    import numpy as np
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(utf8)], dtype=np.int64).tobytes())
    kind = pa.large_binary() if binary else pa.large_string()
    return pa.Array.from_buffers(kind, 1, [None, offsets, pa.py_buffer(utf8)])


def _contains(utf8: bytes, pattern: str, binary: bool = False) -> bool:
    """Whether the RE2 *pattern* occurs anywhere in *utf8* (one vectorised pass)."""
    import pyarrow.compute as pc

    return bool(pc.match_substring_regex(_whole(utf8, binary), pattern)[0].as_py())


def _trim_table(columns: list, skip_leading_blank: bool) -> tuple[list, int]:
    """Drop leading (CSV) and trailing all-empty rows and trailing all-empty columns.

    Returns the columns and the number of leading rows dropped.
    """
    import numpy as np

    if not columns or not len(columns[0]):
        return [], 0
    filled = np.zeros(len(columns[0]), dtype=bool)
    for col in columns:
        if col.null_count < len(col):
            filled |= col.is_valid().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(filled)
    if not len(rows):
        return [], 0
    first = int(rows[0]) if skip_leading_blank else 0
    last = int(rows[-1]) + 1
    cols = [c.slice(first, last - first) for c in columns]
    while cols and cols[-1].null_count == len(cols[-1]):
        cols.pop()
    return cols, first


def _finish(
    p: Path, fmt_guess: Callable[[list[str]], str], columns: list, skip_leading_blank: bool,
    findings: dict[str, list], scan: bool = True, **kw,
) -> RawTable | None:  # fmt: skip
    """Clean and trim raw columns (all rows, header included) into a :class:`RawTable`.

    A spreadsheet (``skip_leading_blank=False``) also loses the cells beyond the first large gap
    of empty columns or rows (see :data:`MAX_COLUMN_GAP`)."""
    columns = _clean_columns(columns, findings, scan)
    if not skip_leading_blank:
        columns = _cut_gaps(columns, findings)
    columns, lead = _trim_table(columns, skip_leading_blank)
    if not columns:
        return None
    headers = [h if h is not None else "" for h in (c[0].as_py() for c in columns)]
    data = [c.slice(1) for c in columns]
    # positions → spreadsheet rows (1-based), dropping cells outside the kept block
    for kind in ("nul", "bidi"):
        if kind in findings:
            findings[kind] = sorted({(i + 1, j) for i, j in findings[kind]})
    return RawTable(
        path=p,
        format=fmt_guess(headers),
        headers=headers,
        columns=data,
        header_row=1 + lead,
        findings=findings,
        **kw,
    )


def _gap_end(filled, gap: int) -> int:
    """Length of the block that starts at position 0 and ends before the first run of more
    than *gap* empty positions (``filled`` is a boolean array)."""
    import numpy as np

    end = 0
    for i in np.flatnonzero(filled).tolist():
        if i - end > gap:
            break
        end = i + 1
    return end


def _cut_gaps(columns: list, findings: dict[str, list]) -> list:
    """Drop the cells beyond the table block (recording the references of filled ones)."""
    import numpy as np

    if not columns:
        return columns
    n = len(columns[0])
    per_col = np.array([c.null_count < len(c) for c in columns], dtype=bool)
    width = _gap_end(per_col, MAX_COLUMN_GAP)
    rows = np.zeros(n, dtype=bool)
    for c in columns[:width]:
        if c.null_count < len(c):
            rows |= c.is_valid().to_numpy(zero_copy_only=False)
    height = _gap_end(rows, MAX_ROW_GAP) if n > MAX_ROW_GAP else n
    if width == len(columns) and height == n:
        return columns
    outside = findings.setdefault("outside", [])
    for j, c in enumerate(columns):
        if c.null_count == len(c):
            continue
        valid = np.flatnonzero(c.is_valid().to_numpy(zero_copy_only=False))
        if j >= width:
            outside += [f"{column_letters(j + 1)}{i + 1}" for i in valid.tolist()]
        else:
            outside += [f"{column_letters(j + 1)}{i + 1}" for i in valid[valid >= height].tolist()]
    return [c.slice(0, height) for c in columns[:width]]


def column_number(letters: str | bytes) -> int:
    """1-based column number of spreadsheet column letters.

    >>> column_number("A"), column_number("T"), column_number("XFD")
    (1, 20, 16384)
    """
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    """Spreadsheet column letters of 1-based column *n*.

    >>> column_letters(1), column_letters(28), column_letters(16384)
    ('A', 'AB', 'XFD')
    """
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out
