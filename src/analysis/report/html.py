"""HTML fragments for the report notebooks — everything derived from data is escaped.

Report notebooks never build Markdown or HTML from data themselves; they call these functions
and display the result (``render.show(...)``, i.e. ``IPython.display.HTML``). Every string that
comes from the data (answers, labels, question texts, captions) passes through
:func:`html.escape`, so free text such as ``<script>``, ``<img onerror=…>``, ``javascript:`` links
or spreadsheet formulas (``=HYPERLINK(…)``) ends up as inert text in the published page.

Numbers follow Swedish conventions: decimal comma, a space before the per-cent sign, a
non-breaking space as thousands separator and a real minus sign.

>>> paragraph("<script>alert(1)</script>")
'<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'
>>> percent(0.7857)
'79 %'
>>> fmt_ci(0.524, 0.924)
'52–92 %'
"""

from __future__ import annotations

import base64
import html
import numbers
import sys
from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "COLUMN_LABELS",
    "SUPPRESSED",
    "figure",
    "fmt_ci",
    "fmt_number",
    "heading",
    "join",
    "notice",
    "paragraph",
    "percent",
    "quotes",
    "show",
    "table",
]

from analysis.report.format import SUPPRESSED  # noqa: E402

"""Shown in place of a suppressed or missing value (an en dash)."""


def _esc(value: object) -> str:
    """Escape any value for HTML text or attribute context."""
    return html.escape("" if value is None else str(value), quote=True)


from analysis.report.format import _is_missing, fmt_ci, fmt_number, percent  # noqa: E402


# --------------------------------------------------------------------------------------------
# Text fragments
# --------------------------------------------------------------------------------------------
def paragraph(text: object) -> str:
    """One escaped paragraph; line breaks in *text* are kept.

    >>> paragraph('Klicka <a href="javascript:alert(1)">här</a>')
    '<p>Klicka &lt;a href=&quot;javascript:alert(1)&quot;&gt;här&lt;/a&gt;</p>'
    >>> paragraph("rad 1\\nrad 2")
    '<p>rad 1<br>rad 2</p>'
    """
    return "<p>" + "<br>".join(_esc(line) for line in str(text).splitlines()) + "</p>"


def heading(text: object, level: int = 2) -> str:
    """An escaped heading. Prefer Markdown cells for the fixed section headings.

    >>> heading("Fråga 3 <b>", 3)
    '<h3>Fråga 3 &lt;b&gt;</h3>'
    """
    if level not in range(1, 7):
        raise ValueError(f"heading level must be 1–6, got {level!r}")
    return f"<h{level}>{_esc(text)}</h{level}>"


def notice(text: object) -> str:
    """A highlighted note (e.g. why a table is suppressed).

    >>> notice("För få svar")
    '<div class="notice" role="note"><p>För få svar</p></div>'
    """
    return f'<div class="notice" role="note">{paragraph(text)}</div>'


def quotes(texts: Iterable[object], *, caption: object = None) -> str:
    """Free-text answers as a list of block quotes (empty and missing answers left out).

    >>> quotes(["Bra samarbete", None, "", "<img src=x onerror=alert(1)>"], caption="Svar")
    '<div class="quotes"><p class="quotes-caption">Svar</p><blockquote><p>Bra samarbete</p></blockquote><blockquote><p>&lt;img src=x onerror=alert(1)&gt;</p></blockquote></div>'
    >>> quotes([])
    '<div class="quotes"><p>Inga svar.</p></div>'
    """
    parts = ['<div class="quotes">']
    if caption is not None:
        parts.append(f'<p class="quotes-caption">{_esc(caption)}</p>')
    shown = 0
    for t in texts:
        if _is_missing(t) or not str(t).strip():
            continue
        parts.append(f"<blockquote>{paragraph(str(t).strip())}</blockquote>")
        shown += 1
    if not shown:
        parts.append("<p>Inga svar.</p>")
    parts.append("</div>")
    return "".join(parts)


def join(*fragments: str) -> str:
    """Concatenate fragments (``None`` entries are skipped).

    >>> join("<p>a</p>", None, "<p>b</p>")
    '<p>a</p>\\n<p>b</p>'
    """
    return "\n".join(f for f in fragments if f)


def show(*fragments: str) -> None:
    """Display the fragments in a notebook as one HTML output."""
    from IPython.display import HTML, display

    display(HTML(join(*fragments)))


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
_PERCENT_COLUMNS = {"andel", "ki_lag", "ki_hog", "svarsfrekvens"}

COLUMN_LABELS: dict[str, str] = {
    "antal": "Antal",
    "andel": "Andel",
    "ki_lag": "KI nedre",
    "ki_hog": "KI övre",
    "n": "Antal svar",
    "svar": "Antal svar",
    "svarande": "Svarande",
    "svarsfrekvens": "Svarsfrekvens",
    "urval": "Urval",
}
"""Display names of the package's standard column names (:func:`analysis.stats.share_table`
and friends); :func:`table` uses them unless ``column_labels`` says otherwise."""

Formatter = Callable[[object], str] | str

_NAMED_FORMATS: dict[str, Callable[[object], str]] = {
    "int": lambda x: fmt_number(x, 0),
    "decimal1": lambda x: fmt_number(x, 1),
    "decimal2": lambda x: fmt_number(x, 2),
    "percent": lambda x: percent(x, 0),
    "percent1": lambda x: percent(x, 1),
    "text": lambda x: SUPPRESSED if _is_missing(x) else str(x),
}


def _default_format(column: object, value: object) -> str:
    if _is_missing(value):
        return SUPPRESSED
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, numbers.Integral):
        return fmt_number(value, 0)
    if isinstance(value, numbers.Real):
        if str(column) in _PERCENT_COLUMNS:
            return percent(value)
        return fmt_number(value, 0 if float(value).is_integer() else 1)
    return str(value)


def _formatter(spec: Formatter | None, column: object) -> Callable[[object], str]:
    if spec is None:
        return lambda v: _default_format(column, v)
    if isinstance(spec, str):
        try:
            named = _NAMED_FORMATS[spec]
        except KeyError:
            raise ValueError(
                f"unknown number format {spec!r}; use one of {sorted(_NAMED_FORMATS)} or a function"
            ) from None
        return lambda v: v if isinstance(v, str) else named(v)
    return lambda v: v if isinstance(v, str) else spec(v)


def _label(x: object) -> str:
    if isinstance(x, tuple):
        return " – ".join(str(p) for p in x)
    return str(x)


def _column_label(labels: Mapping[object, object], column: object) -> str:
    """The header for *column*: an explicit or default label, else the name itself."""
    try:
        if column in labels:
            return _label(labels[column])
    except TypeError:  # unhashable column name
        pass
    return _label(column)


def table(
    df,
    caption: object,
    *,
    index: bool = True,
    number_format: Formatter | Mapping[object, Formatter] | None = None,
    column_labels: Mapping[object, object] | None = None,
) -> str:
    """An accessible HTML table: ``<caption>``, column headers and row headers with ``scope``.

    Parameters
    ----------
    df : pandas.DataFrame or pandas.Series
        The values; strings (e.g. ``"–"`` for suppressed cells) are shown as they are.
    caption : str
        What the table shows (required: it is the table's accessible name).
    index : bool
        Show the index as row headers (``<th scope="row">``).
    number_format : str, callable or mapping, optional
        One format for every column or a mapping column → format. Names: ``"int"``,
        ``"decimal1"``, ``"decimal2"``, ``"percent"``, ``"percent1"``, ``"text"``. By default
        integers get thousands separators, the columns ``andel``, ``ki_lag``, ``ki_hog`` and
        ``svarsfrekvens`` are percentages and other floats get one decimal.
    column_labels : mapping, optional
        Display names for columns. They override the defaults in :data:`COLUMN_LABELS`
        (``antal`` → "Antal", ``andel`` → "Andel", ``ki_lag`` → "KI nedre", ``ki_hog`` →
        "KI övre", ``n`` → "Antal svar", ``svarsfrekvens`` → "Svarsfrekvens", …), which
        translate the package's standard column names so that readers never see them; other
        columns keep their names. Formats are still chosen by the original column names.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"antal": [11, 3], "andel": [0.786, 0.214]}, index=["Ja", "<Nej>"])
    >>> t.index.name = "Svar"
    >>> print(table(t, "Fråga 1"))
    <table>
    <caption>Fråga 1</caption>
    <thead><tr><th scope="col">Svar</th><th scope="col">Antal</th><th scope="col">Andel</th></tr></thead>
    <tbody>
    <tr><th scope="row">Ja</th><td class="num">11</td><td class="num">79 %</td></tr>
    <tr><th scope="row">&lt;Nej&gt;</th><td class="num">3</td><td class="num">21 %</td></tr>
    </tbody>
    </table>
    >>> print(table(t, "Fråga 1", column_labels={"antal": "Svarande"}).splitlines()[2])
    <thead><tr><th scope="col">Svar</th><th scope="col">Svarande</th><th scope="col">Andel</th></tr></thead>
    """
    import pandas as pd

    frame = df.to_frame() if isinstance(df, pd.Series) else df
    labels = {**COLUMN_LABELS, **dict(column_labels or {})}
    columns = list(frame.columns)
    if isinstance(number_format, Mapping):
        formats = {c: _formatter(number_format.get(c), c) for c in columns}
    else:
        formats = {c: _formatter(number_format, c) for c in columns}

    head = []
    if index:
        name = frame.index.name if frame.index.name is not None else ""
        if isinstance(frame.index, pd.MultiIndex):
            name = " – ".join("" if n is None else str(n) for n in frame.index.names)
        head.append(f'<th scope="col">{_esc(name)}</th>' if name else "<td></td>")
    head.extend(f'<th scope="col">{_esc(_column_label(labels, c))}</th>' for c in columns)

    rows = []
    for idx, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        cells = [f'<th scope="row">{_esc(_label(idx))}</th>'] if index else []
        for c, v in zip(columns, values, strict=True):
            text = formats[c](v)
            numeric = isinstance(v, numbers.Number) or text == SUPPRESSED
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{_esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")

    return "\n".join(
        [
            "<table>",
            f"<caption>{_esc(caption)}</caption>",
            "<thead><tr>" + "".join(head) + "</tr></thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
        ]
    )


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
def figure(
    fig,
    alt: object,
    *,
    caption: object = None,
    data=None,
    data_caption: object = None,
    column_labels: Mapping[object, object] | None = None,
    number_format: Formatter | Mapping[object, Formatter] | None = None,
    close: bool = True,
) -> str:
    """A figure as an embedded SVG with alt text, an optional caption and its numbers as a table.

    The SVG (:func:`~analysis.report.figures.svg_bytes`: text kept as text, sharp at any zoom)
    is written deterministically (no software/date metadata). The figure is closed
    unless *close* is false (a :class:`~analysis.report.section.Section` keeps its figures open).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        Meaningful alternative text: what the figure shows and its main message.
    caption : str, optional
        Visible caption (``<figcaption>``).
    data : pandas.DataFrame or Series, optional
        The numbers behind the figure, shown as a table inside a ``<details>`` element.
    data_caption : str, optional
        Caption of that table (defaults to *caption* or *alt*).
    column_labels, number_format : optional
        Passed on to :func:`table` for the data table (standard column names such as
        ``antal``, ``ki_lag`` are translated by default).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import pandas as pd
    >>> f = Figure(figsize=(2, 1))
    >>> _ = f.add_subplot().bar([0, 1], [1, 2])
    >>> out = figure(f, 'Två "staplar"', caption="Exempel", data=pd.Series({"a": 1, "b": 2}, name="antal"))
    >>> out.startswith('<figure><img src="data:image/svg+xml;base64,')
    True
    >>> 'alt="Två &quot;staplar&quot;"' in out and "<summary>Visa siffrorna i tabellform</summary>" in out
    True
    >>> '<th scope="col">Antal</th>' in out and ">antal<" not in out
    True
    """
    from analysis.report.figures import svg_bytes

    alt_text = "" if alt is None else str(alt).strip()
    if not alt_text:
        raise ValueError("a figure needs a meaningful alt text")
    encoded = base64.b64encode(svg_bytes(fig)).decode("ascii")
    if close and "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close(fig)
    # HTML allows <figcaption> only as the first or last child: image, data table, caption.
    parts = [f'<figure><img src="data:image/svg+xml;base64,{encoded}" alt="{_esc(alt_text)}">']
    if data is not None:
        tcap = (
            data_caption
            if data_caption is not None
            else (caption if caption is not None else alt_text)
        )
        parts.append(
            "<details><summary>Visa siffrorna i tabellform</summary>"
            + table(data, tcap, column_labels=column_labels, number_format=number_format)
            + "</details>"
        )
    if caption is not None:
        parts.append(f"<figcaption>{_esc(caption)}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)
