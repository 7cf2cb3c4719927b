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

import hashlib
from collections.abc import Callable
from pathlib import Path

from analysis.data.readers.cells import (
    _CONTROLS_RE2,
    BIDI_CONTROLS,
    MAX_COLUMN_GAP,  # noqa: F401 - re-exported
    MAX_ROW_GAP,  # noqa: F401 - re-exported
    _contains,
    _finish,
    column_letters,
    column_number,
)
from analysis.data.readers.csv_arrow import _arrow_columns, _stream_check, _Streamed
from analysis.data.readers.csv_python import (
    _choose_delimiter,
    _python_columns,
    _records_to_columns,
)
from analysis.data.readers.detect import (
    _ANY_TEXT_FLAG,
    _MOJIBAKE_START,
    _NOT_BLANK,
    GOOGLE_FIRST,
    MS_FORMS_FIRST,  # noqa: F401 - re-exported
    MS_FORMS_FIRST_SV,  # noqa: F401 - re-exported
    REENCODE_HINT,
    _check_mojibake,
    _check_shape,
    _to_utf8,
    find_mojibake,
)
from analysis.data.readers.model import FORMATS, RawTable, _problem, file_sha256
from analysis.data.readers.xlsx import DENSE_CELL_BUDGET, _read_xlsx  # noqa: F401 - re-exported

SAMPLE_BYTES = 1 << 20
STREAM_BYTES = 64 << 20
"""A UTF-8 CSV larger than this is checked block by block and parsed by pyarrow straight from
the file, so it is never held in memory whole."""
"""CSV files up to this size are read with Python's ``csv`` module; larger ones with pyarrow
(the first this many bytes choose the delimiter and cross-check the two parsers)."""


def _head(source: bytes | Path, encoding: str) -> tuple[Callable[[int], bytes], int]:
    """A function giving the first *n* bytes of the text (without BOM), and its length."""
    if isinstance(source, Path):
        total = source.stat().st_size
        skip = 3 if encoding == "utf-8-sig" else 0

        def head(n: int) -> bytes:
            with open(source, "rb") as fh:
                fh.seek(skip)
                return fh.read(n)

        return head, total - skip

    def head_of_bytes(n: int) -> bytes:
        return source[:n]

    return head_of_bytes, len(source)


def _parse_csv(
    p: Path, source: bytes | Path, head: Callable[[int], bytes], length: int,
    header_score: Callable[[list[str]], int] | None, speculative: bool = False,
) -> tuple[str, list] | None:  # fmt: skip
    """(delimiter, columns) of UTF-8 text. *speculative*: only the pyarrow parse of a large
    file, ``None`` instead of a problem or of the ``csv`` module's slower way."""
    size = SAMPLE_BYTES
    while True:  # a sample with at least a header and two complete records, or the whole file
        complete = length <= size
        sample = head(size).decode("utf-8", errors="ignore")
        chosen = _choose_delimiter(sample, complete, header_score)
        if complete or (chosen is not None and len(chosen[1]) >= 3):
            break
        size *= 4
    if speculative and (chosen is None or complete):
        return None
    if chosen is None:
        raise _problem(
            p, "filen kunde inte tolkas som CSV", "Exportera svaren som CSV UTF-8", "unreadable"
        )
    delim, records = chosen
    if complete:
        columns = _records_to_columns(iter(records))
    else:
        columns = _arrow_columns(source, delim, records)
        if columns is None and speculative:
            return None
        if columns is None:
            text = source if isinstance(source, bytes) else head(length)
            columns = _python_columns(text, delim)
            del text
        if columns is None:  # pragma: no cover - csv.reader with strict=False rarely fails
            raise _problem(
                p, "filen kunde inte tolkas som CSV", "Exportera svaren som CSV UTF-8", "unreadable"
            )
    return delim, columns


def _check_and_parse(
    fh, p: Path, encoding: str, header_score: Callable[[list[str]], int] | None
) -> tuple[_Streamed, tuple | None]:
    """:func:`_stream_check` of a large file in a thread while pyarrow parses it here (both
    mostly outside the interpreter lock): (what the check found, the speculative
    :func:`_parse_csv` or ``None``). The parse is used only if the check finds UTF-8 text with
    the same BOM; anything it raised is dropped (the normal way raises it again, in order)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        check = pool.submit(_stream_check, fh)
        try:
            parsed = _parse_csv(p, p, *_head(p, encoding), header_score, speculative=True)
        except Exception:
            parsed = None
        streamed = check.result()  # its OSError is the caller's to report
    return streamed, parsed


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
            streamed = parsed = None
            if not xlsx and size > STREAM_BYTES and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
                guess = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
                streamed, parsed = _check_and_parse(fh, p, guess, header_score)
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
        encoding = "utf-8-sig" if streamed.bom else "utf-8"
        table = _read_csv_text(p, p, streamed.sha256, encoding, streamed.controls,
                               streamed.mojibake, header_score,
                               parsed if encoding == guess else None)  # fmt: skip
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
    header_score: Callable[[list[str]], int] | None, parsed: tuple | None = None,
) -> RawTable:  # fmt: skip
    """Parse UTF-8 text — *source* is the bytes (no BOM) or a UTF-8 file — into a table
    (*parsed*: the delimiter and columns :func:`_parse_csv` already found for this file)."""
    head, length = _head(source, encoding)
    delim, columns = parsed or _parse_csv(p, source, head, length, header_score)

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
    _check_unclosed_quote(p, table, source, length)
    table.mojibake_scan = mojibake
    return table


def _ends_inside_quotes(source: bytes | Path, table: RawTable) -> bool:
    """Whether a strict parse of the CSV runs out of data inside a quoted field (a quote that
    never closes), as opposed to a valid quoted field with a line break."""
    import csv
    import io

    raw = source.read_bytes() if isinstance(source, Path) else source
    text = io.StringIO(raw.decode("utf-8-sig", errors="replace"), newline="")
    try:
        for _ in csv.reader(text, delimiter=table.delimiter or ",", strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _check_unclosed_quote(p: Path, table: RawTable, source: bytes | Path, length: int) -> None:
    """Refuse a CSV whose last record swallowed the rest of the file through a quote that never
    closes: its last row holds a line break and the file does not end with a closing quote."""
    if not table.columns or not len(table.columns[0]):
        return
    if isinstance(source, Path):
        with open(source, "rb") as fh:
            fh.seek(max(0, source.stat().st_size - 256))
            tail = fh.read()
    else:
        tail = source[-256:]
    if tail.rstrip()[-1:] == b'"':
        return
    for name, col in zip(table.headers, table.columns, strict=False):
        last = col[-1].as_py()
        if isinstance(last, str) and "\n" in last and _ends_inside_quotes(source, table):
            row = table.header_row + len(col)
            raise _problem(
                p,
                f'ett citattecken (") öppnas men stängs aldrig, så resten av filen '
                f"({last.rstrip().count(chr(10)) + 1} rader) lästes som ett enda värde",
                "Rätta citattecknet i filen (eller exportera den på nytt) och kör igen",
                "unreadable",
                row=row,
                column=name,
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
