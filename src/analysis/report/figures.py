"""Deterministic, accessible matplotlib figures for the reports.

* Colours: a colour-blind-safe diverging palette (ColorBrewer PuOr, safe for the common colour
  vision deficiencies) for agreement scales, Okabe–Ito blue for bars, and a neutral grey for
  "Vet ej"-type answers; annotation text switches between black and white by luminance so that
  the contrast stays above 4.5:1.
* Fonts: 11 pt body, 12 pt titles (DejaVu Sans, shipped with matplotlib, so output does not depend
  on the fonts installed on the machine).
* Determinism: figures are built on :class:`matplotlib.figure.Figure` with the Agg canvas (no
  pyplot state, no backend switching at import time) and saved by :func:`png_bytes` without
  software/date metadata — the same numbers give the same PNG bytes.

>>> import pandas as pd
>>> t = pd.DataFrame({"andel": [0.6, 0.4], "ki_lag": [0.3, 0.15], "ki_hog": [0.85, 0.7]},
...                  index=["Ja", "Nej"])
>>> png_bytes(bar_with_ci(t, title="Exempel")) == png_bytes(bar_with_ci(t, title="Exempel"))
True
"""

from __future__ import annotations

import contextlib
import io
import re
import weakref
from collections.abc import Sequence

from analysis.report.format import percent

__all__ = [
    "DIVERGING",
    "NON_SUBSTANTIVE_COLOUR",
    "PRIMARY",
    "bar_with_ci",
    "diverging_colours",
    "heatmap",
    "likert_diverging",
    "new_figure",
    "png_bytes",
    "svg_bytes",
    "text_colour",
]

PRIMARY = "#0072B2"
"""Okabe–Ito blue: bars."""

WHISKER = "#000000"
NON_SUBSTANTIVE_COLOUR = "#9E9E9E"

DIVERGING = {
    # ColorBrewer PuOr (orange = disagree, purple = agree), colour-blind safe
    2: ["#f1a340", "#998ec3"],
    3: ["#f1a340", "#e0e0e0", "#998ec3"],
    4: ["#e66101", "#fdb863", "#b2abd2", "#5e3c99"],
    5: ["#e66101", "#fdb863", "#e0e0e0", "#b2abd2", "#5e3c99"],
    6: ["#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"],
    7: ["#b35806", "#f1a340", "#fee0b6", "#e0e0e0", "#d8daeb", "#998ec3", "#542788"],
}

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "analysis",
    "text.parse_math": False,  # a "$" in a label is a dollar sign, never TeX
    "figure.dpi": 100,
}
DPI = 110


def _mpl():
    import matplotlib

    return matplotlib


def new_figure(width: float = 8.0, height: float = 4.0):
    """A new figure on the Agg canvas, independent of pyplot's global state."""
    _mpl()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=STYLE["figure.dpi"], layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes without metadata (deterministic)."""
    buf = io.BytesIO()
    with _laid_out(fig):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


_LAID_OUT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Figure → :func:`_layout_key` after it was last laid out and drawn here."""


def _layout_key(fig) -> tuple:
    """What the layout of *fig* depends on: its size, its axes and their limits, every text
    with its size (tick labels as last drawn)."""
    from matplotlib.text import Text

    texts = tuple((t.get_text(), t.get_fontsize(), t.get_visible()) for t in fig.findobj(Text))
    limits = tuple(tuple(ax.viewLim.bounds) for ax in fig.axes)
    return (tuple(fig.get_size_inches()), limits, texts)


@contextlib.contextmanager
def _laid_out(fig):
    """Lay *fig* out (its layout engine, e.g. constrained) and let ``savefig`` draw it without
    the engine; the engine is back afterwards.

    With a layout engine ``savefig`` draws the figure twice — a hidden pass that runs the
    layout, then the real one, which runs it again. Here the layout runs once and the figure is
    drawn once (less than half the time for a report figure as SVG). A figure drawn here before
    and unchanged since (:func:`_layout_key`) is not laid out again: re-running a layout from
    its own result moves things by 1e-10 pt, and the same figure must give the same bytes.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is None or isinstance(engine, PlaceHolderLayoutEngine):
        yield
        return
    if fig.axes and _LAID_OUT.get(fig) != _layout_key(fig):  # as Figure.draw: axes only
        engine.execute(fig)
    with _mpl().rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    try:
        yield
    finally:
        fig.set_layout_engine(engine)
    _LAID_OUT[fig] = _layout_key(fig)


FONT_STACK = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif"
"""The SVG text's fonts: DejaVu Sans (what the layout was measured with), else Verdana (nearly
the same widths, on every Windows machine), else the browser's sans-serif."""

_SVG_WIDTH = re.compile(rb'<svg ([^>]*?)width="([\d.]+)pt" height="([\d.]+)pt"')


def svg_bytes(fig, dpi: int = DPI) -> bytes:
    """The figure as SVG with its text kept as text (deterministic, no metadata).

    What the reports embed: drawn about twice as fast as a PNG, a fifth of the size, and sharp
    at any zoom (WCAG 1.4.4). The text is set in :data:`FONT_STACK`; the image's natural size is
    that of the PNG at *dpi* (the drawing scales through its ``viewBox``).

    >>> from matplotlib.figure import Figure
    >>> f = Figure(figsize=(2, 1))
    >>> _ = f.add_subplot().set_title("Åå 50 %")
    >>> svg = svg_bytes(f)
    >>> svg == svg_bytes(f), b'width="220" height="110"' in svg, "Åå 50 %".encode() in svg
    (True, True, True)
    >>> b"Matplotlib" in svg or b"<dc:date>" in svg
    False
    """
    buf = io.BytesIO()
    svg_rc = {"svg.fonttype": "none", "svg.hashsalt": STYLE["svg.hashsalt"]}
    with _laid_out(fig), _mpl().rc_context(svg_rc):
        fig.savefig(buf, format="svg", metadata=_SVG_METADATA, facecolor="white")
    svg = buf.getvalue()
    scale = dpi / 72
    svg = _SVG_WIDTH.sub(
        lambda m: (
            b'<svg %swidth="%d" height="%d"'
            % (m.group(1), round(float(m.group(2)) * scale), round(float(m.group(3)) * scale))
        ),
        svg,
        count=1,
    )
    svg = re.sub(rb"<!DOCTYPE[^>]*>\s*", b"", svg, count=1)  # no external DTD reference
    return svg.replace(b"font-family: 'DejaVu Sans'", b"font-family: " + FONT_STACK.encode())


_SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def _relative_luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with *background* (WCAG luminance).

    >>> text_colour("#5e3c99"), text_colour("#fdb863")
    ('#ffffff', '#000000')
    """
    lum = _relative_luminance(background)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def diverging_colours(k: int) -> list[str]:
    """*k* colour-blind-safe colours, low → high.

    >>> diverging_colours(5)[2]
    '#e0e0e0'
    """
    if k in DIVERGING:
        return list(DIVERGING[k])
    if k == 1:
        return ["#998ec3"]
    raise ValueError(f"no diverging palette for {k} categories (1–7 supported)")


def _style():
    return _mpl().rc_context(STYLE)


def _percent_tick(value, _pos=None, *, symmetric: bool = False) -> str:
    """A tick label in per cent (module level, so that a figure can be pickled and cached)."""
    return percent(abs(value) if symmetric else value)


def _pct_axis(ax, axis: str = "x", symmetric: bool = False) -> None:
    from functools import partial

    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(partial(_percent_tick, symmetric=symmetric))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def _title(fig, title: str) -> None:
    """The figure's title, left-aligned at the figure's edge (not the plot's, which starts after
    the category labels: a long question wrapped for the full width ran past the right edge)."""
    fig.suptitle(_wrap(title, 70), x=0.01, ha="left", fontsize=STYLE["axes.titlesize"])


def _wrap(text: str, width: int = 40) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


# --------------------------------------------------------------------------------------------
def likert_diverging(df_counts, order: Sequence[str], *, title: str, wrap: int = 38):
    """Diverging stacked bars centred on the neutral category.

    Parameters
    ----------
    df_counts : pandas.DataFrame
        Counts: one row per statement (index = label shown), one column per answer category.
    order : sequence of str
        The substantive categories low → high. With an odd number the middle one is neutral and
        is split half on each side of zero. Columns not in *order* (e.g. "Vet ej") are shown in a
        separate panel on the right as shares of all answers.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame([[1, 2, 3, 5, 3, 1]], index=["Inkluderande"],
    ...                  columns=["1", "2", "3", "4", "5", "Vet ej"])
    >>> fig = likert_diverging(c, ["1", "2", "3", "4", "5"], title="Exempel")
    >>> len(fig.axes)
    2
    """
    import numpy as np
    import pandas as pd

    counts = pd.DataFrame(df_counts, copy=True).fillna(0)
    order = [str(o) for o in order]
    counts.columns = [str(c) for c in counts.columns]
    for o in order:
        if o not in counts.columns:
            counts[o] = 0
    extra = [c for c in counts.columns if c not in order]
    subst = counts[order].astype(float)
    totals_subst = subst.sum(axis=1).replace(0, np.nan)
    shares = subst.div(totals_subst, axis=0).fillna(0.0)
    all_totals = counts.astype(float).sum(axis=1).replace(0, np.nan)

    k = len(order)
    colours = diverging_colours(k)
    neutral = k // 2 if k % 2 == 1 else None
    n_rows = len(counts)
    height = 1.4 + 0.55 * n_rows + 0.6
    with _style():
        fig = new_figure(9.0 if extra else 8.0, height)
        if extra:
            grid = fig.add_gridspec(1, 2, width_ratios=[5, 1.2])
            ax = fig.add_subplot(grid[0, 0])
            ax_ns = fig.add_subplot(grid[0, 1], sharey=ax)
        else:
            ax = fig.add_subplot()
            ax_ns = None
        y = np.arange(n_rows)[::-1]
        neg_start = np.zeros(n_rows)
        if neutral is not None:
            neg_start = -shares[order[neutral]].to_numpy() / 2
        # negative side: from the centre outwards
        lower = [
            i
            for i in range(k)
            if (neutral is None and i < k // 2) or (neutral is not None and i < neutral)
        ]
        upper = [i for i in range(k) if i not in lower and i != neutral]
        left = neg_start.copy()
        for i in reversed(lower):
            w = shares[order[i]].to_numpy()
            left = left - w
            _bar_segment(ax, y, w, left, colours[i], order[i])
        if neutral is not None:
            w = shares[order[neutral]].to_numpy()
            _bar_segment(ax, y, w, neg_start, colours[neutral], order[neutral])
            right = neg_start + w
        else:
            right = np.zeros(n_rows)
        for i in upper:
            w = shares[order[i]].to_numpy()
            _bar_segment(ax, y, w, right, colours[i], order[i])
            right = right + w
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlim(-1.0, 1.0)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])
        _pct_axis(ax, "x", symmetric=True)
        ax.set_yticks(y)
        ax.set_yticklabels([_wrap(i, wrap) for i in counts.index])
        ax.set_xlabel("Andel av dem som tog ställning")
        _title(fig, title)
        handles = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
        if ax_ns is not None:
            ns_left = np.zeros(n_rows)
            greys = ["#9E9E9E", "#616161", "#BDBDBD"]
            for j, col in enumerate(extra):
                w = (counts[col].astype(float) / all_totals).fillna(0).to_numpy()
                _bar_segment(ax_ns, y, w, ns_left, greys[j % len(greys)], col)
                ns_left = ns_left + w
            ax_ns.set_xlim(0, 1)
            ax_ns.set_xticks([0, 1])
            _pct_axis(ax_ns, "x")
            ax_ns.tick_params(axis="y", left=False, labelleft=False)
            ax_ns.set_xlabel("Andel av alla svar")
            handles.update(zip(*reversed(ax_ns.get_legend_handles_labels()), strict=True))
        labels = [c for c in [*order, *extra] if c in handles]
        ncols = min(len(labels), 3)
        fig.legend(
            *_row_major([handles[c] for c in labels], labels, ncols),
            loc="outside lower center",
            ncols=ncols,
            frameon=False,
        )
    return fig


def _row_major(handles: list, labels: list, ncols: int) -> tuple[list, list]:
    """Reorder legend entries so that matplotlib's column-major legend reads row by row."""
    n = len(labels)
    nrows = -(-n // ncols)
    slots: list = [None] * (nrows * ncols)
    for k in range(n):
        i, j = divmod(k, ncols)
        slots[j * nrows + i] = k
    order = [k for k in slots if k is not None]
    return [handles[k] for k in order], [labels[k] for k in order]


def _bar_segment(ax, y, widths, left, colour, label) -> None:
    ax.barh(
        y,
        widths,
        left=left,
        color=colour,
        edgecolor="white",
        linewidth=0.6,
        height=0.7,
        label=label,
    )
    tc = text_colour(colour)
    for yi, w, lf in zip(y, widths, left, strict=True):
        if w >= 0.08:
            ax.text(lf + w / 2, yi, percent(w), ha="center", va="center", color=tc, fontsize=9)


def bar_with_ci(
    table, *, title: str, wrap: int = 40, xlabel: str = "Andel", confidence: float = 0.95
):
    """Horizontal bars of shares with confidence-interval whiskers.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`analysis.stats.share_table`: index = categories, columns
        ``andel``, ``ki_lag``, ``ki_hog`` (shares 0–1). Non-numeric cells (suppressed "–") are
        drawn as an empty bar labelled "visas ej".
    title : str
    confidence : float
        The intervals' confidence level, named in the axis label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np
    import pandas as pd

    t = pd.DataFrame(table, copy=True)
    share = pd.to_numeric(t["andel"], errors="coerce").to_numpy(dtype=float)
    low = pd.to_numeric(t.get("ki_lag", t["andel"]), errors="coerce").to_numpy(dtype=float)
    high = pd.to_numeric(t.get("ki_hog", t["andel"]), errors="coerce").to_numpy(dtype=float)
    n = len(t)
    y = np.arange(n)[::-1]
    with _style():
        fig = new_figure(8.0, 1.2 + 0.5 * n)
        ax = fig.add_subplot()
        shown = ~np.isnan(share)
        ax.barh(y[shown], share[shown], color=PRIMARY, height=0.6)
        ok = shown & ~np.isnan(low) & ~np.isnan(high)
        if ok.any():
            err = np.vstack([share[ok] - low[ok], high[ok] - share[ok]])
            ax.errorbar(
                share[ok],
                y[ok],
                xerr=np.clip(err, 0, None),
                fmt="none",
                ecolor=WHISKER,
                elinewidth=1.2,
                capsize=4,
            )
        for yi, s, h, is_shown in zip(y, share, high, shown, strict=True):
            if is_shown:
                x = (h if not np.isnan(h) else s) + 0.02
                ax.text(x, yi, percent(s), va="center", ha="left", fontsize=10)
            else:
                ax.text(0.01, yi, "visas ej (för få svar)", va="center", ha="left", fontsize=10)
        ax.set_xlim(0, 1.15)
        ax.set_ylim(-0.7, n - 0.3)  # room for the labels of the first and last bar
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        _pct_axis(ax, "x")
        ax.set_yticks(y)
        ax.set_yticklabels([_wrap(i, wrap) for i in t.index])
        level = f"{100 * confidence:g}".replace(".", ",")
        ax.set_xlabel(f"{xlabel} (linjerna visar {level} % konfidensintervall)")
        _title(fig, title)
    return fig


def heatmap(
    df,
    *,
    title: str,
    annotate: bool = True,
    fmt: str | None = None,
    cmap: str = "Blues",
    wrap: int = 30,
):
    """A heatmap of a table of counts or shares (sequential colour-blind-safe colour map).

    >>> import pandas as pd
    >>> fig = heatmap(pd.DataFrame({"a": [1, 2], "b": [3, 4]}, index=["x", "y"]), title="T")
    >>> len(fig.axes)
    2
    """
    import numpy as np
    import pandas as pd

    data = pd.DataFrame(df, copy=True).apply(pd.to_numeric, errors="coerce").astype(float)
    values = data.to_numpy()
    finite = values[np.isfinite(values)]
    if fmt is None:
        fmt = "g" if finite.size and np.all(np.mod(finite, 1) == 0) else ".2f"
    n_rows, n_cols = values.shape
    with _style():
        fig = new_figure(max(5.0, 1.5 + 0.9 * n_cols), 1.5 + 0.5 * n_rows)
        ax = fig.add_subplot()
        # Cells span [j, j+1] × [i, i+1] with the first row on top; missing values stay blank.
        mesh = ax.pcolormesh(
            np.arange(n_cols + 1),
            np.arange(n_rows + 1),
            np.ma.masked_invalid(values),
            cmap=cmap,
            vmin=float(finite.min()) if finite.size else 0.0,
            vmax=float(finite.max()) if finite.size else 1.0,
            edgecolors="white",
            linewidth=0.5,
        )
        ax.set_xlim(0, n_cols)
        ax.set_ylim(n_rows, 0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        fig.colorbar(mesh, ax=ax, shrink=0.8)
        if annotate:
            for i in range(n_rows):
                for j in range(n_cols):
                    v = values[i, j]
                    if not np.isfinite(v):
                        continue
                    r, g, b, _ = mesh.cmap(mesh.norm(v))
                    dark = 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5
                    label = format(v, fmt).replace(".", ",").replace("-", "\u2212")
                    ax.text(
                        j + 0.5,
                        i + 0.5,
                        label,
                        ha="center",
                        va="center",
                        fontsize=10,
                        color="#ffffff" if dark else "#000000",
                    )
        ax.set_xticks(
            np.arange(n_cols) + 0.5, [_wrap(str(c), 16) for c in data.columns], rotation=0
        )
        ax.set_yticks(np.arange(n_rows) + 0.5, [_wrap(str(r), wrap) for r in data.index])
        ax.set_xlabel(data.columns.name or "")
        ax.set_ylabel(data.index.name or "")
        _title(fig, title)
    return fig
