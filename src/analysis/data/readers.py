"""Read a survey export exactly as a form tool produced it.

Supported shapes:

* Microsoft Forms ``.xlsx`` (``ID, Start time, Completion time, Email, Name`` then the questions);
  only the first sheet is read;
* Google Forms ``.csv`` (``Tidstämpel``/``Timestamp`` first, ``,``-delimited UTF-8);
* Swedish Excel ``.csv`` (``;``-delimited, UTF-8 with BOM or Windows-1252, decimal comma);
* any other ``,``/``;``/tab-delimited CSV.

Every cell is returned as text (``None`` for an empty cell); nothing is evaluated (a cell holding
``=SUM(A1)`` stays that text). The file is opened read-only and never modified. Problems a user can
fix — empty file, header-only file, unreadable file, wrong character encoding (mojibake such as
"Ã¤") — raise :class:`analysis.errors.InputValidationError`.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> p = d / "export.csv"
>>> _ = p.write_bytes("Tidstämpel;Fråga\\n2023-05-01;Svar, med komma\\n".encode("cp1252"))
>>> t = read_export(p)
>>> t.encoding, t.delimiter, t.headers, t.rows
('cp1252', ';', ['Tidstämpel', 'Fråga'], [['2023-05-01', 'Svar, med komma']])
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputValidationError, Problem

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

# Typical UTF-8-read-as-Windows-1252 sequences: "Ã¤" (ä), "Ã¥" (å), "Ã¶" (ö), "Ã…" (Å), "â€“" (–) …
_MOJIBAKE = re.compile(
    "Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€|Â[\u00a0-\u00bf]|\ufffd"
)


@dataclass
class RawTable:
    """An export as read: header cells and data rows, all as text.

    ``header_row`` is the spreadsheet row number of the header (1); data row *i* (0-based) is
    spreadsheet row ``header_row + 1 + i``.
    """

    path: Path
    format: str
    headers: list[str]
    rows: list[list[str | None]]
    sha256: str
    size: int
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    sheets: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        """The file name used in problem messages."""
        return self.path.name

    def source_row(self, i: int) -> int:
        """Spreadsheet row number of data row *i* (0-based)."""
        return self.header_row + 1 + i


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
        data = p.read_bytes()
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
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise _problem(
            p, "filen är tom", "Exportera svaren på nytt från formulärverktyget", "empty"
        )
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
    _check_shape(table)
    _check_mojibake(table)
    return table


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


def _read_xlsx(p: Path, data: bytes, sha: str) -> RawTable:
    import warnings
    import zipfile

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about default styles etc.
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise _problem(
            p,
            "filen kunde inte läsas som Excel-arbetsbok",
            "Spara om den som .xlsx i Excel eller exportera som CSV UTF-8"
            + (f" (tekniskt fel: {type(exc).__name__})" if exc else ""),
            "unreadable",
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on corrupt files
        raise _problem(
            p,
            "filen kunde inte läsas som Excel-arbetsbok",
            f"Spara om den som .xlsx i Excel (tekniskt fel: {type(exc).__name__})",
            "unreadable",
        ) from None
    try:
        sheets = list(wb.sheetnames)
        if not sheets:
            raise _problem(p, "arbetsboken har inga blad", "Exportera svaren på nytt", "empty")
        ws = wb.worksheets[0]
        rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    rows = _trim(rows)
    if not rows:
        raise _problem(
            p,
            f"första bladet ({sheets[0]!r}) är tomt",
            "Svaren ska ligga på arbetsbokens första blad",
            "empty",
        )
    headers = [h or "" for h in rows[0]]
    norm = [h.strip().casefold() for h in headers[:3]]
    fmt = "ms_forms_xlsx" if tuple(norm) in (MS_FORMS_FIRST, MS_FORMS_FIRST_SV) else "xlsx"
    return RawTable(
        path=p,
        format=fmt,
        headers=headers,
        rows=rows[1:],
        sha256=sha,
        size=len(data),
        sheets=sheets,
    )


def _trim(rows: list[list[str | None]]) -> list[list[str | None]]:
    """Drop trailing empty rows and trailing all-empty columns; pad rows to equal length."""
    while rows and not any(c is not None and str(c).strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        return rows
    width = 0
    for r in rows:
        for j in range(len(r) - 1, -1, -1):
            if r[j] is not None and str(r[j]).strip():
                width = max(width, j + 1)
                break
    return [(list(r[:width]) + [None] * (width - len(r)))[:width] for r in rows]


# ------------------------------------------------------------------------------------ csv
def _decode(p: Path, data: bytes) -> tuple[str, str]:
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _problem(
            p,
            "filen är inte en textfil (CSV) och inte en Excel-arbetsbok",
            "Exportera svaren som .xlsx eller CSV UTF-8",
            "unreadable",
        )
    candidates = (
        ["utf-16"] if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ["utf-8-sig", "cp1252"]
    )
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, (
            "utf-8" if enc == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") else enc
        )
    raise _problem(
        p,
        "filens teckenkodning känns inte igen (varken UTF-8 eller Windows-1252)",
        REENCODE_HINT,
        "encoding",
    )


def _parse(text: str, delimiter: str) -> list[list[str]] | None:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error:
        return None


def _read_csv(
    p: Path, data: bytes, sha: str, header_score: Callable[[list[str]], int] | None
) -> RawTable:
    text, encoding = _decode(p, data)
    if text.startswith("\ufeff"):
        text = text[1:]
    best: tuple | None = None
    for order, delim in enumerate((",", ";", "\t")):
        rows = _parse(text, delim)
        if rows is None:
            continue
        rows = [r for r in rows]
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
    if best is None:
        raise _problem(
            p, "filen kunde inte tolkas som CSV", "Exportera svaren som CSV UTF-8", "unreadable"
        )
    _, delim, rows = best
    cells: list[list[str | None]] = [[c if c.strip() else None for c in r] for r in rows]
    # leading blank lines before the header
    lead = 0
    while lead < len(cells) and not any(c is not None for c in cells[lead]):
        lead += 1
    cells = _trim(cells[lead:])
    if not cells:
        raise _problem(p, "filen är tom", "Exportera svaren på nytt", "empty")
    headers = [h or "" for h in cells[0]]
    first = headers[0].strip().casefold() if headers else ""
    if first in GOOGLE_FIRST:
        fmt = "google_forms_csv"
    elif delim == ";":
        fmt = "excel_csv"
    else:
        fmt = "csv"
    return RawTable(
        path=p,
        format=fmt,
        headers=headers,
        rows=cells[1:],
        sha256=sha,
        size=len(data),
        encoding=encoding,
        delimiter=delim,
        header_row=1 + lead,
    )


# ---------------------------------------------------------------------------------- checks
def _check_shape(t: RawTable) -> None:
    if len(t.headers) < 2 and not t.rows:
        raise _problem(
            t.path,
            "filen innehåller ingen tabell med rubrikrad och svar",
            "Exportera svaren på nytt som .xlsx eller CSV UTF-8",
            "empty",
        )
    if not any(any(c is not None for c in r) for r in t.rows):
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
    for i, r in enumerate(t.rows):
        for j, c in enumerate(r):
            if c is not None and find_mojibake(c):
                hits.append((i, j, c))
    if hits:
        i, j, c = hits[0]
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


__all__ = ["FORMATS", "REENCODE_HINT", "RawTable", "file_sha256", "find_mojibake", "read_export"]
