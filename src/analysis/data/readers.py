"""Read a survey export exactly as a form tool produced it — column by column.

Supported shapes:

* Microsoft Forms ``.xlsx`` (``ID, Start time, Completion time, Email, Name`` then the questions);
  only the first worksheet is read, with ``python-calamine``;
* Google Forms ``.csv`` (``Tidstämpel``/``Timestamp`` first, ``,``-delimited UTF-8);
* Swedish Excel ``.csv`` (``;``-delimited, UTF-8 with BOM or Windows-1252, decimal comma);
* any other ``,``/``;``/tab-delimited CSV.

Every cell is returned as text (``None`` for an empty cell); nothing is evaluated (a cell holding
``=SUM(A1)`` stays that text). The file is opened read-only and never modified. Problems a user can
fix — empty file, header-only file, unreadable file, wrong character encoding (mojibake such as
"Ã¤") — raise :class:`analysis.errors.InputValidationError`.

Speed: the table is held as one Arrow string array per column. A CSV larger than
:data:`SAMPLE_BYTES` is parsed by ``pyarrow.csv`` (multi-threaded, no field-size limit); the
delimiter is chosen on a sample read with Python's ``csv`` module, and the first records of both
parsers must agree, otherwise (and for ragged rows) the file is read by the ``csv`` module in
chunks. Smaller files are read by the ``csv`` module directly.

Cells that are cleaned while reading (recorded in :attr:`RawTable.findings`, reported by the
ingest as warnings, never as values):

* ``nul`` — NUL characters (``\\x00``) inside a text file are removed (a file with many NUL or
  other control bytes is still refused as "not a text file");
* ``bidi`` — Unicode bidirectional controls (:data:`BIDI_CONTROLS`: U+061C, U+200E, U+200F,
  U+202A–U+202E, U+2066–U+2069), which can make text display differently from what is stored,
  are removed;
* ``merged`` (xlsx) — a merged cell range below the header row is unmerged the way Excel shows
  it: every cell of the range gets the range's value;
* ``outside`` (xlsx) — in a sheet whose used range is far larger than its filled cells (a stray
  cell at XFD1048576, say), the table is the block that starts at A1 and ends before the first gap
  of more than :data:`MAX_COLUMN_GAP` empty columns or :data:`MAX_ROW_GAP` empty rows; filled cells
  beyond it are ignored (their references are recorded). Only that block is ever materialised.

Spreadsheet error cells (``#N/A``, ``#DIV/0!`` …) are returned as their error text; the ingest
treats them as missing answers.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> p = d / "export.csv"
>>> _ = p.write_bytes("Tidstämpel;Fråga\\n2023-05-01;Svar, med komma\\n".encode("cp1252"))
>>> t = read_export(p)
>>> t.encoding, t.delimiter, t.headers, t.rows
('cp1252', ';', ['Tidstämpel', 'Fråga'], [['2023-05-01', 'Svar, med komma']])
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import html
import io
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import InputValidationError, Problem

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

FORMATS = {
    "ms_forms_xlsx": "Microsoft Forms (.xlsx)",
    "xlsx": "Excel-arbetsbok (.xlsx)",
    "google_forms_csv": "Google Forms (.csv)",
    "excel_csv": "Excel-CSV med semikolon (.csv)",
    "csv": "CSV",
}
"""Source formats written to the manifest's ``source_format`` (id → Swedish description)."""

MS_FORMS_FIRST = ("id", "start time", "completion time")
MS_FORMS_FIRST_SV = ("id", "starttid", "sluttid")
GOOGLE_FIRST = ("tidstämpel", "timestamp", "tidsstämpel")

REENCODE_HINT = (
    "Filen verkar ha sparats med fel teckenkodning – exportera igen som UTF-8 "
    "(i Excel: Spara som → CSV UTF-8) och försök igen"
)

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Unicode characters with the ``Bidi_Control`` property; removed from every cell."""

SAMPLE_BYTES = 1 << 20
STREAM_BYTES = 64 << 20
"""A UTF-8 CSV larger than this is checked block by block and parsed by pyarrow straight from
the file, so it is never held in memory whole."""
"""CSV files up to this size are read with Python's ``csv`` module; larger ones with pyarrow
(the first this many bytes choose the delimiter and cross-check the two parsers)."""

MAX_COLUMN_GAP = 64
MAX_ROW_GAP = 10_000
DENSE_CELL_BUDGET = 4_000_000
"""An xlsx sheet is read as is when its used range has at most this many cells (or three times
its filled cells); otherwise only the table block is read (see ``outside`` above)."""

_BIDI_RE = "[" + BIDI_CONTROLS + "]"
_CONTROLS_RE2 = r"[\x00\x{061C}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]"
_NOT_BLANK = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf]")
_CSV_CHUNK_RECORDS = 50_000
_TEXT_CONTROL_BYTES = bytes([*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20)])

# Typical UTF-8-read-as-Windows-1252 sequences: "Ã¤" (ä), "Ã¥" (å), "Ã¶" (ö), "Ã…" (Å), "â€“" (–) …
_MOJIBAKE = re.compile(
    "Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€|Â[\u00a0-\u00bf]|\ufffd"
)
# every match of _MOJIBAKE starts with one of these (a cheap vectorised pre-check)
_MOJIBAKE_START = "Ã|â€|Â|\ufffd"
_ANY_TEXT_FLAG = _CONTROLS_RE2 + "|" + _MOJIBAKE_START


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


def read_export(
    path: str | Path, header_score: Callable[[list[str]], int] | None = None
) -> RawTable:
    """Read an export file (``.xlsx`` or ``.csv``/``.txt``) into a :class:`RawTable`.

    Parameters
    ----------
    path
        The export. It is opened read-only.
    header_score
        Optional function scoring a candidate header row (e.g. how many codebook questions it
        matches); used to choose between delimiters that parse equally well.
    """
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(4)
            size = p.stat().st_size
            xlsx = head == b"PK\x03\x04" or p.suffix.lower() in (".xlsx", ".xlsm", ".xls")
            streamed = None
            if not xlsx and size > STREAM_BYTES and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
                streamed = _stream_check(fh)
            data = fh.read() if streamed is None else None
            if data is not None:
                fh.seek(0)
                data = fh.read()
    except FileNotFoundError:
        raise _problem(
            p, "filen finns inte", "Kontrollera sökvägen (--input)", "unreadable"
        ) from None
    except IsADirectoryError:
        raise _problem(
            p, "sökvägen är en mapp, inte en fil", "Ange exportfilen", "unreadable"
        ) from None
    except OSError as exc:
        raise _problem(
            p, f"filen kunde inte läsas ({exc.strerror})", "Kontrollera behörigheter", "unreadable"
        ) from None
    if streamed is not None and not streamed.usable:
        data, streamed = p.read_bytes(), None  # cp1252, binary …: read it whole
    blank = (not streamed.nonblank) if streamed is not None else _NOT_BLANK.search(data) is None
    if blank:
        raise _problem(
            p, "filen är tom", "Exportera svaren på nytt från formulärverktyget", "empty"
        )
    if streamed is not None:
        table = _read_csv_text(p, p, streamed.sha256, "utf-8-sig" if streamed.bom else "utf-8",
                               streamed.controls, streamed.mojibake, header_score)  # fmt: skip
    else:
        sha = hashlib.sha256(data).hexdigest()
        if data[:4] == b"PK\x03\x04":
            table = _read_xlsx(p, data, sha)
        elif p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            raise _problem(
                p,
                "filen är inte en giltig Excel-arbetsbok (.xlsx)",
                "Öppna den i Excel och spara som .xlsx, eller exportera som CSV UTF-8",
                "unreadable",
            )
        else:
            table = _read_csv(p, data, sha, header_score)
    table.size = size
    _check_shape(table)
    _check_mojibake(table)
    return table


# ------------------------------------------------------------------------ column helpers
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


# ----------------------------------------------------------------------------------- xlsx
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


_NS = r"(?:[A-Za-z_][\w.\-]*:)?"
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']""")
_ATTR_ROW_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([0-9]{1,7})["']""")
_ATTR_T = re.compile(rb"""(?:^|\s)t\s*=\s*["']([a-zA-Z]+)["']""")
_CELL_REF = re.compile(
    rb"<"
    + _NS.encode()
    + rb"""c\s[^>]*?(?<=\s)r\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["'][^>]*?(/?)>"""
)
_FAST_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb"<" + _NS.encode() + rb"""row\s[^>]*?(?<=\s)r\s*=\s*["']([0-9]{1,7})["']""")
_ROW_START = re.compile(rb"<" + _NS.encode() + rb"row[\s>/]")
_CELL = re.compile(rb"<(" + _NS.encode() + rb")c(\s[^>]*?)?(?:/>|>(.*?)</\1c>)", re.DOTALL)
_ROW = re.compile(rb"<(" + _NS.encode() + rb")row(\s[^>]*?)?(?:/>|>(.*?)</\1row>)", re.DOTALL)
_FORMULA = re.compile(rb"<(" + _NS.encode() + rb")f(\s[^>]*?)?(?:/>|>(.*?)</\1f>)", re.DOTALL)
_VALUE = re.compile(rb"<(" + _NS.encode() + rb")v(?:\s[^>]*)?>(.*?)</\1v>", re.DOTALL)
_HAS_VALUE = re.compile(rb"<" + _NS.encode() + rb"(?:v|is)[\s>]")


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


def _sheet_part(zf, name: str) -> str | None:
    """The zip member holding worksheet *name* (via the workbook's relationships)."""
    import posixpath
    import xml.etree.ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    names = set(zf.namelist())
    book = "xl/workbook.xml"
    if book not in names:
        try:
            root = ET.fromstring(zf.read("_rels/.rels"))
        except (KeyError, ET.ParseError):
            return None
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                book = rel.get("Target", "").lstrip("/")
    rels_path = posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
    try:
        wb = ET.fromstring(zf.read(book))
        rels = ET.fromstring(zf.read(rels_path))
    except (KeyError, ET.ParseError):
        return None
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    for sheet in wb.iter(f"{ns_main}sheet"):
        if sheet.get("name") == name:
            target = targets.get(sheet.get(f"{ns_rel}id"), "")
            if target.startswith("/"):
                part = target.lstrip("/")
            else:
                part = posixpath.normpath(posixpath.join(posixpath.dirname(book), target))
            by_case = {n.casefold(): n for n in names}
            return part if part in names else by_case.get(part.casefold())
    return None


def _iter_row_segments(fh, block: int = 16 << 20) -> Iterator[bytes]:
    """The sheet XML in pieces that end just before a ``<row`` (no cell is cut in two)."""
    buf = b""
    while True:
        chunk = fh.read(block)
        if not chunk:
            if buf:
                yield buf
            return
        buf += chunk
        cut = buf.rfind(b"<row", max(0, len(buf) - len(chunk) - 8))
        if cut <= 0:  # namespace-prefixed elements ("<x:row") or one huge row
            cut = None
            for m in _ROW_START.finditer(buf, max(0, len(buf) - len(chunk) - 64)):
                cut = m.start()
        if cut:
            yield buf[:cut]
            buf = buf[cut:]


@dataclass
class _Scan:
    max_row: int = 0
    max_col: int = 0
    cells: int = 0
    special: bool = False  # formulas or error cells present
    controls: bool = False  # NUL / bidi controls or escapes that may hide them
    mojibake: bool = False  # a possible mojibake sequence (or an escape that may hide one)


_XML_SPECIAL = r"""<(?:[A-Za-z_][\w.\-]*:)?f[\s>/]|\st\s*=\s*["']e["']"""
_XML_ESCAPES = r"&#|_x[0-9A-Fa-f]{4}_"


def _flag_text(scan: _Scan, seg: bytes, sheet: bool = True) -> None:
    """Update the scan's flags for a piece of sheet (or shared-strings) XML: one RE2 pass when
    nothing is there, the usual case."""
    anything = "|".join([_XML_SPECIAL, _CONTROLS_RE2, _XML_ESCAPES, _MOJIBAKE_START])
    if not _contains(seg, anything):
        return
    if sheet and not scan.special and _contains(seg, _XML_SPECIAL):
        scan.special = True
    if not scan.controls and _contains(seg, _CONTROLS_RE2 + "|" + _XML_ESCAPES):
        scan.controls = scan.mojibake = True
    if not scan.mojibake and _contains(seg, _MOJIBAKE_START):
        scan.mojibake = True


def _scan_sheet(zf, part: str) -> _Scan:
    """Bounds of the sheet's cells (from the cell references) and what the cells may hold,
    without loading them."""
    from operator import itemgetter

    scan = _Scan()
    letters: set[bytes] = set()
    with zf.open(part) as fh:
        for seg in _iter_row_segments(fh):
            refs = _FAST_CELL_REF.findall(seg)
            if len(refs) != seg.count(b"<c ") or not refs:  # prefixes, other attribute order …
                refs = [(c, r) for c, r, _ in _CELL_REF.findall(seg)]
            if refs:
                scan.cells += len(refs)
                letters.update(map(itemgetter(0), refs))
                scan.max_row = max(scan.max_row, max(map(int, map(itemgetter(1), refs))))
            rows = _ROW_REF.findall(seg)
            if rows:
                scan.max_row = max(scan.max_row, max(map(int, rows)), len(rows))
            _flag_text(scan, seg)
    if letters:
        scan.max_col = max(column_number(c) for c in letters)
    for name in zf.namelist():
        if name.lower().endswith("sharedstrings.xml"):
            with zf.open(name) as fh:
                for chunk in iter(lambda fh=fh: fh.read(64 << 20), b""):
                    _flag_text(scan, chunk, sheet=False)
    return scan


def _cells_of(xml: bytes) -> Iterator[tuple[int, int, bytes, bytes, int, int]]:
    """Every cell element as ``(row, col, attributes, body, start, end)`` (1-based, positions
    implicit when a reference is missing)."""
    row_no = 0
    for rm in _ROW.finditer(xml):
        attrs = rm.group(2) or b""
        m = _ATTR_ROW_R.search(attrs)
        row_no = int(m.group(1)) if m else row_no + 1
        body = rm.group(3)
        if not body:
            continue
        col = 0
        offset = rm.start(3)
        for cm in _CELL.finditer(body):
            cattrs = cm.group(2) or b""
            ref = _ATTR_R.search(cattrs)
            if ref:
                col = column_number(ref.group(1))
                r = int(ref.group(2))
            else:
                col += 1
                r = row_no
            yield r, col, cattrs, cm.group(3) or b"", offset + cm.start(), offset + cm.end()


def _special_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """Formula cells (their formula text, like openpyxl) and error cells (their error text)."""
    out: dict[tuple[int, int], str] = {}
    shared: dict[bytes, tuple[str, int, int]] = {}
    pending: list[tuple[int, int, bytes]] = []
    for r, c, attrs, body, _, _ in _cells_of(xml):
        f = _FORMULA.search(body) if body else None
        if f is not None:
            fattrs = f.group(2) or b""
            text = html.unescape((f.group(3) or b"").decode("utf-8", "replace"))
            si = re.search(rb"""si\s*=\s*["']([0-9]+)["']""", fattrs)
            if text:
                out[(r, c)] = "=" + text
                if si and b"shared" in fattrs:
                    shared[si.group(1)] = ("=" + text, r, c)
            elif si:
                pending.append((r, c, si.group(1)))
            continue
        t = _ATTR_T.search(attrs)
        if t and t.group(1) == b"e":
            v = _VALUE.search(body)
            if v is not None:
                out[(r, c)] = html.unescape(v.group(2).decode("utf-8", "replace"))
    if pending:
        from openpyxl.formula.translate import Translator

        for r, c, si in pending:
            if si in shared:
                text, mr, mc = shared[si]
                try:
                    out[(r, c)] = Translator(
                        text, origin=f"{column_letters(mc)}{mr}"
                    ).translate_formula(f"{column_letters(c)}{r}")
                except Exception:  # pragma: no cover - openpyxl cannot translate it
                    out[(r, c)] = text
    return out


def _table_block(xml: bytes) -> tuple[int, int, int]:
    """Rows and columns of the table block (A1 to the first large gap) and its filled cells."""
    positions = [(r, c) for r, c, _, body, _, _ in _cells_of(xml) if _HAS_VALUE.search(body)]

    def extent(values, gap):
        end = 0
        for v in sorted(set(values)):
            if v - end > gap + 1:
                break
            end = v
        return end

    width = extent([c for _, c in positions], MAX_COLUMN_GAP)
    height = extent([r for r, c in positions if c <= width], MAX_ROW_GAP)
    return height, width, len(positions)


def _cut_sheet(xml: bytes, height: int, width: int) -> tuple[bytes, list[str]]:
    """*xml* without the cells outside rows 1..height × columns 1..width; refs of filled ones."""
    outside: list[str] = []
    parts: list[bytes] = []
    last = 0
    for r, c, _, body, start, end in _cells_of(xml):
        if r > height or c > width:
            if _HAS_VALUE.search(body):
                outside.append(f"{column_letters(c)}{r}")
            parts.append(xml[last:start])
            last = end
    parts.append(xml[last:])
    return b"".join(parts), outside


def _replace_member(data: bytes, part: str, payload: bytes) -> bytes:
    """The xlsx *data* with zip member *part* replaced (members stored, not compressed)."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, payload if info.filename == part else src.read(info))
    return buf.getvalue()


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


def _xlsx_format(headers: list[str]) -> str:
    norm = tuple(h.strip().casefold() for h in headers[:3])
    return "ms_forms_xlsx" if norm in (MS_FORMS_FIRST, MS_FORMS_FIRST_SV) else "xlsx"


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


# ------------------------------------------------------------------------------------ csv
def _is_binary(data: bytes) -> bool:
    """A file with NUL bytes where control bytes are more than 5 % of it is not text (an image,
    a zip …); a text file with a few stray NULs is read (they are removed and reported)."""
    if b"\x00" not in data:
        return False
    controls = len(data) - len(data.translate(None, _TEXT_CONTROL_BYTES))
    return controls > 8 and controls * 20 > len(data)


def _valid_utf8(data: bytes) -> bool:
    """Whether *data* is valid UTF-8 (Arrow's vectorised check, no copy)."""
    import pyarrow as pa

    whole = _whole(data)
    try:
        whole.view(pa.large_binary()).cast(pa.large_string()).validate(full=True)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return False
    return True


def _to_utf8(p: Path, data: bytes) -> tuple[bytes, str]:
    """The text as UTF-8 bytes (without BOM) and the encoding it was read in."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _problem(
                p,
                "filens teckenkodning känns inte igen (varken UTF-8 eller Windows-1252)",
                REENCODE_HINT,
                "encoding",
            ) from None
        return text.lstrip("\ufeff").encode("utf-8"), "utf-16"
    if _is_binary(data):
        raise _problem(
            p,
            "filen är inte en textfil (CSV) och inte en Excel-arbetsbok",
            "Exportera svaren som .xlsx eller CSV UTF-8",
            "unreadable",
        )
    if _valid_utf8(data):
        bom = data.startswith(b"\xef\xbb\xbf")
        body = data[3:] if bom else data
        if body.startswith(b"\xef\xbb\xbf"):
            body = body[3:]
        return body, ("utf-8-sig" if bom else "utf-8")
    try:
        step = 16 << 20
        return b"".join(
            data[i : i + step].decode("cp1252").encode("utf-8") for i in range(0, len(data), step)
        ), "cp1252"
    except UnicodeDecodeError:
        raise _problem(
            p,
            "filens teckenkodning känns inte igen (varken UTF-8 eller Windows-1252)",
            REENCODE_HINT,
            "encoding",
        ) from None


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


def _arrow_columns(utf8: bytes | Path, delimiter: str, sample: list[list[str]]) -> list | None:
    """The whole file parsed by ``pyarrow.csv`` — or ``None`` when it cannot be parsed that way
    (ragged rows …) or the two parsers disagree on the sample's records."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not sample or not any(c.strip() for c in sample[0]):
        return None  # blank lines before the header: leave it to the csv module
    width = len(sample[0])
    try:
        table = pacsv.read_csv(
            str(utf8) if isinstance(utf8, Path) else pa.py_buffer(utf8),
            read_options=pacsv.ReadOptions(
                autogenerate_column_names=True, block_size=8 << 20, use_threads=True
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.large_string() for i in range(width)},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if table.num_columns != width or table.num_rows < len(sample):
        return None
    head = table.slice(0, len(sample)).to_pylist()
    if [list(r.values()) for r in head] != [list(r) for r in sample]:
        return None
    return list(table.columns)


@dataclass
class _Streamed:
    """What one pass over a large file found (without holding it in memory)."""

    sha256: str = ""
    nonblank: bool = False
    bom: bool = False
    utf8: bool = True
    nul: bool = False
    controls: bool = False
    mojibake: bool = False

    @property
    def usable(self) -> bool:
        """UTF-8 text without NUL bytes: pyarrow can read it straight from the file."""
        return self.utf8 and not self.nul


def _stream_check(fh, block: int = 16 << 20) -> _Streamed:
    """Checksum, UTF-8 validity and control/mojibake flags of a file, block by block."""
    fh.seek(0)
    info = _Streamed()
    sha = hashlib.sha256()
    carry = b""
    tail = b""
    first = True
    while True:
        chunk = fh.read(block)
        sha.update(chunk)
        if first:
            info.bom = chunk.startswith(b"\xef\xbb\xbf")
            first = False
        if not info.nonblank and chunk and _NOT_BLANK.search(chunk) is not None:
            info.nonblank = True
        if b"\x00" in chunk:
            info.nul = True
        buf = carry + chunk
        if chunk:  # keep an incomplete UTF-8 sequence for the next block
            cut = len(buf)
            for k in range(1, min(4, len(buf)) + 1):
                byte = buf[-k]
                if byte < 0x80:
                    break
                if byte >= 0xC0:
                    cut = len(buf) - k
                    break
            buf, carry = buf[:cut], buf[cut:]
        else:
            carry = b""
        if info.utf8 and buf and not _valid_utf8(buf):
            info.utf8 = False
        if info.utf8 and buf:
            text = tail + buf
            if not (info.controls and info.mojibake) and _contains(text, _ANY_TEXT_FLAG):
                info.controls = info.controls or _contains(text, _CONTROLS_RE2)
                info.mojibake = info.mojibake or _contains(text, _MOJIBAKE_START)
            tail = buf[-8:]
            while tail and 0x80 <= tail[0] < 0xC0:  # start the overlap on a character
                tail = tail[1:]
        if not chunk:
            break
    info.sha256 = sha.hexdigest()
    return info


def _read_csv(
    p: Path, data: bytes, sha: str, header_score: Callable[[list[str]], int] | None
) -> RawTable:
    utf8, encoding = _to_utf8(p, data)
    del data
    flagged = _contains(utf8, _ANY_TEXT_FLAG)
    controls = flagged and _contains(utf8, _CONTROLS_RE2)
    mojibake = flagged and _contains(utf8, _MOJIBAKE_START)
    return _read_csv_text(p, utf8, sha, encoding, controls, mojibake, header_score)


def _read_csv_text(
    p: Path, source: bytes | Path, sha: str, encoding: str, scan: bool, mojibake: bool,
    header_score: Callable[[list[str]], int] | None,
) -> RawTable:  # fmt: skip
    """Parse UTF-8 text — *source* is the bytes (no BOM) or a UTF-8 file — into a table."""
    if isinstance(source, Path):
        total = source.stat().st_size
        skip = 3 if encoding == "utf-8-sig" else 0

        def head(n: int) -> bytes:
            with open(source, "rb") as fh:
                fh.seek(skip)
                return fh.read(n)

        length = total - skip
    else:
        length = len(source)

        def head(n: int) -> bytes:
            return source[:n]

    size = SAMPLE_BYTES
    while True:  # a sample with at least a header and two complete records, or the whole file
        complete = length <= size
        sample = head(size).decode("utf-8", errors="ignore")
        chosen = _choose_delimiter(sample, complete, header_score)
        if complete or (chosen is not None and len(chosen[1]) >= 3):
            break
        size *= 4
    if chosen is None:
        raise _problem(
            p, "filen kunde inte tolkas som CSV", "Exportera svaren som CSV UTF-8", "unreadable"
        )
    delim, records = chosen
    if complete:
        columns = _records_to_columns(iter(records))
    else:
        columns = _arrow_columns(source, delim, records)
        if columns is None:
            text = source if isinstance(source, bytes) else head(length)
            columns = _python_columns(text, delim)
            del text
        if columns is None:  # pragma: no cover - csv.reader with strict=False rarely fails
            raise _problem(
                p, "filen kunde inte tolkas som CSV", "Exportera svaren som CSV UTF-8", "unreadable"
            )
    del records

    def fmt_guess(headers: list[str]) -> str:
        first = headers[0].strip().casefold() if headers else ""
        if first in GOOGLE_FIRST:
            return "google_forms_csv"
        return "excel_csv" if delim == ";" else "csv"

    table = _finish(
        p, fmt_guess, columns, True, {}, scan, sha256=sha, size=0, encoding=encoding,
        delimiter=delim,
    )  # fmt: skip
    if table is None:
        raise _problem(p, "filen är tom", "Exportera svaren på nytt", "empty")
    table.mojibake_scan = mojibake
    return table


# ---------------------------------------------------------------------------------- checks
def _check_shape(t: RawTable) -> None:
    if len(t.headers) < 2 and not t.n_rows:
        raise _problem(
            t.path,
            "filen innehåller ingen tabell med rubrikrad och svar",
            "Exportera svaren på nytt som .xlsx eller CSV UTF-8",
            "empty",
        )
    if all(c.null_count == len(c) for c in t.columns):
        raise _problem(
            t.path,
            "filen innehåller bara rubrikraden, inga svar",
            "Kontrollera att exporten gjordes efter att svaren kommit in",
            "header_only",
        )


def find_mojibake(text: str) -> str | None:
    """Return the first mojibake sequence in *text* (UTF-8 decoded as Windows-1252), or ``None``.

    >>> find_mojibake("UmeÃ¥ kommun")
    'Ã¥'
    >>> find_mojibake("Umeå kommun") is None
    True
    """
    m = _MOJIBAKE.search(text)
    return m.group(0) if m else None


def _check_mojibake(t: RawTable) -> None:
    import pyarrow.compute as pc

    message = "innehåller felkodade tecken (t.ex. 'Ã¤' i stället för 'ä')"
    for h in t.headers:
        if find_mojibake(h):
            raise InputValidationError(
                [
                    Problem(
                        file=t.file,
                        row=t.header_row,
                        column=h,
                        value=h,
                        message="rubriken " + message,
                        hint=REENCODE_HINT,
                        kind="encoding",
                    )
                ]
            )
    hits: list[tuple[int, int, str]] = []
    for j, col in enumerate(t.columns if t.mojibake_scan else []):
        if col.null_count == len(col):
            continue
        candidates = _cell_positions(pc.match_substring_regex(col, _MOJIBAKE_START))
        for i in candidates:
            c = col[int(i)].as_py()
            if find_mojibake(c):
                hits.append((int(i), j, c))
    if hits:
        i, j, c = min(hits)
        raise InputValidationError(
            [
                Problem(
                    file=t.file,
                    row=t.source_row(i),
                    column=t.headers[j] if j < len(t.headers) else None,
                    value=c,
                    message=f"cellen {message}; {len(hits)} cell(er) berörs",
                    hint=REENCODE_HINT,
                    kind="encoding",
                )
            ]
        )


__all__ = [
    "BIDI_CONTROLS",
    "FORMATS",
    "REENCODE_HINT",
    "RawTable",
    "column_letters",
    "column_number",
    "file_sha256",
    "find_mojibake",
    "read_export",
]
