"""A report section that is both data and presentation: :class:`Section`.

Every section of every report is computed by a function that returns a :class:`Section`. It
carries the section's **data** — ``tables`` (name → pandas DataFrame with numeric columns; a cell
hidden by disclosure control is ``NaN``), ``figures`` (name → matplotlib Figure, left open),
``key_points`` (plain-language sentences) and ``notes`` — and an ordered list of content blocks
that :meth:`Section._repr_html_` renders with :mod:`analysis.report.html`, exactly as the
published report does (the report notebooks display the same object). A researcher who evaluates
a section in JupyterLab therefore sees the report's section *and* keeps its numbers:

>>> import pandas as pd
>>> s = Section("demo", "Exempel")
>>> s.paragraph("Elva av fjorton svarade ja.")
>>> shown = pd.DataFrame({"antal": [11, "–"]}, index=pd.Index(["Ja", "Nej"], name="Svar"))
>>> s.table("svar", shown, "Svar på frågan")
>>> s.tables["svar"]["antal"].tolist()          # numbers, the hidden cell as NaN
[11.0, nan]
>>> html = s._repr_html_()
>>> html.startswith('<section class="report-section" id="demo" aria-labelledby="demo-rubrik">')
True
>>> '<td class="num">–</td>' in html
True
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analysis.lazystate import LazyFields
from analysis.report import html as render

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Section", "contents", "numeric_view", "show", "slug"]


def show(*sections: Section) -> None:
    """Display several sections in a notebook cell, in order."""
    from IPython.display import HTML, display

    for s in sections:
        display(HTML(s._repr_html_()))


def slug(text: str) -> str:
    """An ASCII id for *text* (headings, anchors).

    >>> slug("5.3 Infrastruktur – möjligheter")
    '5-3-infrastruktur-mojligheter'
    """
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "avsnitt"


def numeric_view(df: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """The numbers of a display table: hidden cells (``"–"``) and other markers become ``NaN``.

    Columns that hold text (labels, names) stay text; a column counts as numeric when every value
    that is not a suppression marker parses as a number. The caller's frame is not modified.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"antal": [11, "–"], "grupp": ["A", "B"]})
    >>> v = numeric_view(t)
    >>> v["antal"].tolist(), v["grupp"].tolist()
    ([11.0, nan], ['A', 'B'])
    """
    import pandas as pd

    frame = df.to_frame() if isinstance(df, pd.Series) else df
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        marked = values.map(lambda v: isinstance(v, str) and v.strip() in _MARKERS)
        converted = pd.to_numeric(values.where(~marked), errors="coerce")
        parsable = converted.notna() | marked | values.isna()
        if len(values) and bool(parsable.all()):
            out[col] = converted.astype(float)
    return out


_MARKERS = {render.SUPPRESSED, "", "…"}


_PRERENDER: contextvars.ContextVar[bool] = contextvars.ContextVar("prerender", default=False)


@contextlib.contextmanager
def prerendered() -> Iterator[None]:
    """Sections pickled inside this block carry their rendered HTML (for the analysis cache).

    A section loaded from such a pickle shows that HTML without unpickling its tables, figures
    and blocks (nor importing pandas and matplotlib); the first access to any of them restores
    them and from then on the section is rendered from them again, so a researcher who restyles
    a figure sees the change.

    >>> import pickle
    >>> s = Section("demo", "Exempel")
    >>> s.paragraph("Text.")
    >>> with prerendered():
    ...     blob = pickle.dumps(s)
    >>> t = pickle.loads(blob)
    >>> t._repr_html_() == s._repr_html_(), t.is_packed()
    (True, True)
    >>> t.paragraph("Mer."); "Mer." in t._repr_html_()
    True
    """
    token = _PRERENDER.set(True)
    try:
        yield
    finally:
        _PRERENDER.reset(token)


@dataclass(repr=False)
class Section(LazyFields):
    """One section of a report: its data and the blocks that present it.

    Parameters
    ----------
    id : str
        Stable identifier (also the HTML anchor), e.g. ``"rus"`` or ``"5-3"``.
    title : str
        The section heading as readers see it.
    level : int
        Heading level (2 for report sections, 3 for sub-sections).
    intro : str
        Fixed explanatory text shown under the heading (plain text; paragraphs separated by a
        blank line).

    Attributes
    ----------
    key_points : list of str
        The section's message in plain Swedish sentences (counts, not test statistics).
    tables : dict of str to pandas.DataFrame
        The numbers shown in the section; hidden cells are ``NaN``.
    figures : dict of str to matplotlib.figure.Figure
        The figures, left open so that a researcher can restyle and redraw them.
    notes : list of str
        Caveats and method notes that belong to this section.
    """

    id: str
    title: str
    level: int = 2
    intro: str = ""
    key_points: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    blocks: list[tuple[str, tuple, dict]] = field(default_factory=list, repr=False)

    _lazy_fields = ("tables", "figures", "blocks")

    def __getstate__(self) -> dict[str, Any]:
        prerender = _PRERENDER.get() and "_html" not in self.__dict__
        html = self._repr_html_() if prerender else None
        sizes = None if self.is_packed() else (len(self.tables), len(self.figures))
        state = super().__getstate__()
        if sizes is not None:
            state["_sizes"] = sizes
        if html is not None:
            state["_html"] = (self._head(), html)
        return state

    def _unpacked(self) -> None:
        self.__dict__.pop("_html", None)  # rendered from the restored objects from now on

    def _head(self) -> tuple:
        return (self.id, self.title, self.level, self.intro)

    def __repr__(self) -> str:
        # a section loaded from the cache answers without unpickling its tables and figures
        sizes = self.__dict__.get("_sizes") if self.is_packed() else None
        tables, figures = sizes or (len(self.tables), len(self.figures))
        return (
            f"Section({self.id!r}, {self.title!r}: {tables} tabeller, "
            f"{figures} figurer, {len(self.key_points)} huvudbudskap)"
        )

    # ------------------------------------------------------------------ building
    def paragraph(self, text: str) -> None:
        """Add an escaped paragraph."""
        if text:
            self.blocks.append(("paragraph", (text,), {}))

    def subheading(self, text: str) -> None:
        """Add a sub-heading one level below the section's own heading."""
        self.blocks.append(("heading", (text, min(self.level + 1, 6)), {}))

    def notice(self, text: str) -> None:
        """Add a highlighted note (for example why a table is not shown)."""
        if text:
            self.blocks.append(("notice", (text,), {}))

    def quotes(self, texts: Iterable[object], *, caption: object = None) -> None:
        """Add free-text quotes as block quotes."""
        self.blocks.append(("quotes", (list(texts),), {"caption": caption}))

    def bullets(self, items: Iterable[str]) -> None:
        """Add an escaped bullet list."""
        items = [i for i in items if i]
        if items:
            self.blocks.append(("bullets", (items,), {}))

    def table(
        self,
        name: str,
        shown: pd.DataFrame | pd.Series,
        caption: str,
        *,
        data: pd.DataFrame | None = None,
        **render_kw: Any,
    ) -> None:
        """Add a table: *shown* is rendered; its numbers (or *data*) go into :attr:`tables`."""
        self.tables[name] = data.copy() if data is not None else numeric_view(shown)
        self.blocks.append(("table", (shown, caption), render_kw))

    def figure(
        self,
        name: str,
        fig: Any,
        alt: str,
        *,
        data: pd.DataFrame | pd.Series | None = None,
        data_name: str | None = None,
        **render_kw: Any,
    ) -> None:
        """Add a figure with alt text; its data table (if any) goes into :attr:`tables`."""
        self.figures[name] = fig
        if data is not None:
            self.tables[data_name or name] = numeric_view(data)
        self.blocks.append(("figure", (name, alt), {"data": data, **render_kw}))

    def html(self, fragment: str) -> None:
        """Add a fragment already built (and escaped) by :mod:`analysis.report.html`."""
        if fragment:
            self.blocks.append(("html", (fragment,), {}))

    def extend(self, other: Section) -> None:
        """Append another section's content (data and blocks) to this one."""
        self.key_points.extend(other.key_points)
        self.tables.update(other.tables)
        self.figures.update(other.figures)
        self.notes.extend(other.notes)
        self.blocks.extend(other.blocks)

    # ------------------------------------------------------------------ rendering
    def body_html(self) -> str:
        """The section's content without its heading."""
        parts = [render.paragraph(p) for p in _paragraphs(self.intro)]
        for kind, args, kw in self.blocks:
            parts.append(_RENDERERS[kind](self, *args, **kw))
        return render.join(*parts)

    def _repr_html_(self) -> str:
        cached = self.__dict__.get("_html")
        if cached is not None and cached[0] == self._head():
            return cached[1]
        anchor = _safe_id(self.id)
        head = (
            f'<h{self.level} id="{anchor}-rubrik">{render._esc(self.title)}</h{self.level}>'
            if self.title
            else ""
        )
        label = f' aria-labelledby="{anchor}-rubrik"' if self.title else ""
        return (
            f'<section class="report-section" id="{anchor}"{label}>'
            + head
            + "\n"
            + self.body_html()
            + "</section>"
        )

    def to_html(self) -> str:
        """The section exactly as the report shows it (same as :meth:`_repr_html_`)."""
        return self._repr_html_()

    def summary(self) -> pd.DataFrame:
        """What the section holds: one row per table and figure (for exploring in a notebook)."""
        import pandas as pd

        rows = [{"typ": "tabell", "namn": k, "form": str(v.shape)} for k, v in self.tables.items()]
        rows += [{"typ": "figur", "namn": k, "form": ""} for k in self.figures]
        return pd.DataFrame(rows, columns=["typ", "namn", "form"])


def contents(
    sections: Iterable[Section],
    *,
    id: str = "innehallsforteckning",
    title: str = "Innehåll",
    extra: Iterable[tuple[str, str]] = (),
) -> Section:
    """A table of contents: a :class:`Section` linking every level-2 section by its id.

    *extra* adds ``(anchor, title)`` links after them (e.g. the page footer's heading).

    >>> toc = contents([Section("a", "Först"), Section("b", "Sedan")], extra=[("om", "Om")])
    >>> print(toc.body_html())
    <nav aria-label="Innehåll"><ul><li><a href="#a">Först</a></li><li><a href="#b">Sedan</a></li><li><a href="#om">Om</a></li></ul></nav>
    """
    links = [(x.id, x.title) for x in sections if x.level == 2 and x.title and x.id != id]
    items = "".join(
        f'<li><a href="#{_safe_id(anchor)}">{render._esc(text)}</a></li>'
        for anchor, text in [*links, *extra]
    )
    toc = Section(id, title)
    toc.html(f'<nav aria-label="{render._esc(title)}"><ul>{items}</ul></nav>')
    return toc


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(text)).strip("-") or "avsnitt"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _render_table(section: Section, shown, caption, **kw) -> str:
    return render.table(shown, caption, **kw)


def _render_figure(section: Section, name: str, alt: str, **kw) -> str:
    return render.figure(section.figures[name], alt, close=False, **kw)


def _render_bullets(section: Section, items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{render._esc(i)}</li>" for i in items) + "</ul>"


_RENDERERS: Mapping[str, Any] = {
    "paragraph": lambda s, text: render.paragraph(text),
    "heading": lambda s, text, level: render.heading(text, level),
    "notice": lambda s, text: render.notice(text),
    "quotes": lambda s, texts, caption=None: render.quotes(texts, caption=caption),
    "bullets": _render_bullets,
    "table": _render_table,
    "figure": _render_figure,
    "html": lambda s, fragment: fragment,
}
