"""The worksheet XML of an ``.xlsx`` read directly, without loading the cells: which zip member
holds a sheet, the bounds of its cells and what they may hold (:class:`_Scan`), formula and error
cells (their texts, as openpyxl gives them), and — for a sparse sheet — the table block with the
cells outside it cut away (see ``outside`` in :mod:`analysis.data.readers`)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from analysis.data.readers.cells import (
    _CONTROLS_RE2,
    MAX_COLUMN_GAP,
    MAX_ROW_GAP,
    _contains,
    column_letters,
    column_number,
)
from analysis.data.readers.detect import _MOJIBAKE_START

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
