"""The text of a published HTML page as a reader and a screen reader meet it: visible text
nodes, alt/title/aria-label attributes, quotes and tables (standard-library parser)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

_HIDDEN = {"script", "style", "template", "noscript", "head"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
_READ_ATTRS = ("alt", "title", "aria-label")
_QUOTE_CLASSES = {"quote", "citat", "citation"}
_BLOCK_BREAK = {
    "p", "div", "li", "td", "th", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "figcaption", "caption", "section", "article", "header", "footer", "dd", "dt", "pre",
}  # fmt: skip

# ----------------------------------------------------------------------------- parsing


@dataclass
class _Table:
    rows: list[list[tuple[str, str, int]]]  # (tag, text, colspan)
    head_rows: int = 0
    caption: str = ""


class _Collector(HTMLParser):
    """Collect visible text, quote text and tables from an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, is_quote)
        self.text: list[str] = []
        self.quotes: list[list[str]] = []
        self.tables: list[_Table] = []
        self._table_stack: list[_Table] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._cell_tag = ""
        self._cell_span = 1
        self._in_thead = 0

    def _hidden(self) -> bool:
        return any(tag in _HIDDEN for tag, _ in self.stack)

    def _quote_depth(self) -> int:
        return sum(1 for _, q in self.stack if q)

    def handle_starttag(self, tag, attrs):
        attrs_d = {k: (v or "") for k, v in attrs}
        classes = set(attrs_d.get("class", "").lower().split())
        is_quote = tag in ("blockquote", "q") or bool(classes & _QUOTE_CLASSES)
        if tag not in _VOID:
            self.stack.append((tag, is_quote))
            if is_quote and self._quote_depth() == 1:
                self.quotes.append([])
        if tag in _BLOCK_BREAK:
            self._add("\n")
        if not self._hidden():
            for name in _READ_ATTRS:
                if attrs_d.get(name):
                    self._add("\n" + attrs_d[name] + "\n", in_cell=False)
            if tag == "img":
                words = svg_text(attrs_d.get("src", ""))
                if words:
                    self._add("\n" + words + "\n", in_cell=False)
        if tag == "table":
            table = _Table(rows=[])
            self.tables.append(table)
            self._table_stack.append(table)
        elif tag == "thead":
            self._in_thead += 1
        elif tag == "tr" and self._table_stack:
            self._table_stack[-1].rows.append([])
            if self._in_thead:
                self._table_stack[-1].head_rows += 1
        elif tag == "caption" and self._table_stack:
            self._caption = []
        elif tag in ("td", "th") and self._table_stack:
            self._cell = []
            self._cell_tag = tag
            try:
                self._cell_span = max(1, int(attrs_d.get("colspan", "1") or 1))
            except ValueError:
                self._cell_span = 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table_stack:
            table = self._table_stack[-1]
            if not table.rows:
                table.rows.append([])
            text = " ".join("".join(self._cell).split())
            table.rows[-1].append((self._cell_tag, text, self._cell_span))
            self._cell = None
        elif tag == "caption" and self._caption is not None and self._table_stack:
            self._table_stack[-1].caption = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag == "thead":
            self._in_thead = max(0, self._in_thead - 1)
        elif tag == "table" and self._table_stack:
            self._table_stack.pop()
        if tag in _BLOCK_BREAK:
            self._add("\n")
        # Pop up to the matching open tag (tolerates unclosed children).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def _add(self, data: str, in_cell: bool = True) -> None:
        if self._hidden():
            return
        self.text.append(data)
        if self._quote_depth() and self.quotes:
            self.quotes[-1].append(data)
        if in_cell and self._cell is not None:
            self._cell.append(data)
        if in_cell and self._caption is not None:
            self._caption.append(data)

    def handle_data(self, data):
        self._add(data)


_SVG_URI = "data:image/svg+xml;base64,"
_SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)


def svg_text(src: str) -> str:
    r"""The text drawn in an embedded SVG image (``data:image/svg+xml;base64,…``), one line per
    text element; empty for anything else. A figure's labels are published text too.

    >>> import base64
    >>> svg = b'<svg><text x="1">Andel &amp; antal</text><g><text>50 %</text></g></svg>'
    >>> svg_text(_SVG_URI + base64.b64encode(svg).decode())
    'Andel & antal\n50 %'
    >>> svg_text("data:image/png;base64,AAAA")
    ''
    """
    if not src.startswith(_SVG_URI):
        return ""
    try:
        svg = base64.b64decode(src[len(_SVG_URI) :], validate=False).decode("utf-8", "replace")
    except ValueError:
        return ""
    lines = (unescape(re.sub(r"<[^>]*>", "", m)).strip() for m in _SVG_TEXT.findall(svg))
    return "\n".join(line for line in lines if line)


def _collect(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


def published_text(html: str) -> str:
    """The text a reader can see or hear: visible text plus ``alt``/``title``/``aria-label``.

    >>> published_text('<head><title>T</title><style>p{}</style></head><p>Hej <b>där</b></p>'
    ...                '<img alt="Diagram"><script>var x = 1</script>').split()
    ['Hej', 'där', 'Diagram']
    """
    return "".join(_collect(html).text)
