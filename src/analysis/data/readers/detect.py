"""What a file holds and whether it can be used as it is: the export format (by the first
headers), the character encoding (UTF-8, UTF-16, Windows-1252; a binary file is refused),
mojibake (UTF-8 read as Windows-1252: refused with :data:`REENCODE_HINT`) and the table's shape
(no table, or a header row without answers)."""

from __future__ import annotations

import re
from pathlib import Path

from analysis.data.readers.cells import _CONTROLS_RE2, _cell_positions, _whole
from analysis.data.readers.model import RawTable, _problem
from analysis.errors import InputValidationError, Problem

MS_FORMS_FIRST = ("id", "start time", "completion time")
MS_FORMS_FIRST_SV = ("id", "starttid", "sluttid")
GOOGLE_FIRST = ("tidstämpel", "timestamp", "tidsstämpel")

REENCODE_HINT = (
    "Filen verkar ha sparats med fel teckenkodning – exportera igen som UTF-8 "
    "(i Excel: Spara som → CSV UTF-8) och försök igen"
)

_NOT_BLANK = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf]")
_TEXT_CONTROL_BYTES = bytes([*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20)])

# Typical UTF-8-read-as-Windows-1252 sequences: "Ã¤" (ä), "Ã¥" (å), "Ã¶" (ö), "Ã…" (Å), "â€“" (–) …
_MOJIBAKE = re.compile(
    "Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€|Â[\u00a0-\u00bf]|\ufffd"
)
# every match of _MOJIBAKE starts with one of these (a cheap vectorised pre-check)
_MOJIBAKE_START = "Ã|â€|Â|\ufffd"
_ANY_TEXT_FLAG = _CONTROLS_RE2 + "|" + _MOJIBAKE_START


def _xlsx_format(headers: list[str]) -> str:
    norm = tuple(h.strip().casefold() for h in headers[:3])
    return "ms_forms_xlsx" if norm in (MS_FORMS_FIRST, MS_FORMS_FIRST_SV) else "xlsx"


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
