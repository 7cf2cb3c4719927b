"""Figures of the partner report: the engagement ladder and the two development questions.

Built on :mod:`analysis.report.figures` (deterministic Agg figures, colour-blind-safe colours,
contrast-checked labels). Titles and labels are wrapped so that nothing is clipped. Every figure
is shown with an alt text and its numbers as a table (:meth:`analysis.report.section.Section.figure`).

>>> fig = ladder_figure(["Information", "Förståelse", "Övertygelse"],
...                     [(0, 1, "5 organisationer"), (2, 2, "9 organisationer")], title="Trappan")
>>> len(fig.axes)
1
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import pandas as pd

__all__ = ["development_figure", "ladder_figure", "wrap"]


def wrap(text: str, width: int) -> str:
    """*text* wrapped at *width* characters (whole words).

    >>> wrap("Ansvarstagande och delaktighet", 16)
    'Ansvarstagande\\noch delaktighet'
    """
    lines = textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) or str(text)


def ladder_figure(
    steps: Sequence[str],
    groups: Sequence[tuple[int, int, str]],
    *,
    title: str,
    emphasis: int | None = None,
):
    """The engagement ladder: one ascending step per level, and one label per group of steps.

    Parameters
    ----------
    steps : sequence of str
        The step names, lowest first.
    groups : sequence of (first, last, text)
        Consecutive steps that are reported together (0-based, inclusive) and the text printed
        on them, e.g. ``(0, 1, "5 organisationer")`` for "steg 1–2". One group per step gives
        the full ladder.
    title : str
        Wrapped to the figure's width.
    emphasis : int, optional
        Index of the group drawn in the strong colour (the one with most respondents).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Rectangle

    from analysis.report.figures import PRIMARY, _style, new_figure, text_colour

    k = len(steps)
    light = "#DCEBF5"
    with _style():
        fig = new_figure(8.0, 4.8)
        ax = fig.add_subplot()
        for g, (first, last, text) in enumerate(groups):
            colour = PRIMARY if g == emphasis else light
            for i in range(first, last + 1):
                ax.add_patch(
                    Rectangle((i, 0), 1, i + 1, facecolor=colour, edgecolor="white", linewidth=2)
                )
            ax.text(
                (first + last + 1) / 2,
                (first + 1) / 2,
                wrap(text, 12 * (last - first + 1)),
                ha="center",
                va="center",
                color=text_colour(colour),
                fontsize=11,
                fontweight="bold",
            )
            if last > first:
                ax.plot([first + 0.08, last + 0.92], [-0.25, -0.25], color="#333333", lw=1.2)
                ax.text(
                    (first + last + 1) / 2,
                    -0.35,
                    f"steg {first + 1}–{last + 1}",
                    ha="center",
                    va="top",
                    fontsize=10,
                )
        for i, step in enumerate(steps):
            ax.text(i + 0.5, i + 1.12, wrap(step, 14), ha="center", va="bottom", fontsize=9)
        ax.set_xlim(0, k)
        ax.set_ylim(-1.0, k + 1.6)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title(wrap(title, 70), loc="left")
    return fig


def development_figure(table: pd.DataFrame, *, title: str, series: Sequence[str]):
    """The two development questions side by side: one bar pair per answer (counts).

    *table* has one row per answer and one column per question (:func:`~analysis.surveys.partner.
    data.development_table`); *series* names the columns in the legend.

    >>> t = pd.DataFrame({"q8": [2, 7], "q10": [2, 6]}, index=["Nej", "Ja"])
    >>> len(development_figure(t, title="T", series=["Egen", "Regionens"]).axes)
    1
    """
    import numpy as np

    from analysis.report.figures import PRIMARY, _style, new_figure

    colours = [PRIMARY, "#E69F00"]
    n = len(table)
    y = np.arange(n)[::-1]
    with _style():
        fig = new_figure(8.0, 1.6 + 0.7 * n)
        ax = fig.add_subplot()
        height = 0.38
        for j, (col, name) in enumerate(zip(table.columns, series, strict=True)):
            values = pd.to_numeric(table[col], errors="coerce").fillna(0).to_numpy()
            pos = y + (0.5 - j) * height
            ax.barh(pos, values, height=height, color=colours[j % 2], label=name)
            for p, v in zip(pos, values, strict=True):
                ax.text(v + 0.15, p, f"{int(v)}", va="center", fontsize=10)
        ax.set_yticks(y, [wrap(i, 22) for i in table.index])
        top = float(pd.to_numeric(table.stack(), errors="coerce").max() or 1)
        ax.set_xlim(0, top * 1.2 + 1)
        ax.set_xlabel("Antal organisationer")
        ax.set_title(wrap(title, 70), loc="left")
        fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


def shares_figure(table: pd.DataFrame, *, title: str, frame: int, confidence: float = 0.95):
    """Shares as bars with two kinds of uncertainty side by side.

    A black whisker shows the confidence interval (``ki_lag``–``ki_hog``); a grey band under
    each bar shows the span if all *frame* invited organisations are counted
    (``varsta_fall_lag``–``varsta_fall_hog``). Rows whose share is NaN (hidden) say "visas ej".

    >>> t = pd.DataFrame({"andel": [0.57, float("nan")], "ki_lag": [0.36, float("nan")],
    ...                   "ki_hog": [0.76, float("nan")], "varsta_fall_lag": [0.19, float("nan")],
    ...                   "varsta_fall_hog": [0.86, float("nan")]}, index=["A", "B"])
    >>> len(shares_figure(t, title="T", frame=43).axes)
    1
    """
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from analysis.report.figures import PRIMARY, _pct_axis, _style, new_figure

    grey = "#BDBDBD"
    values = {
        c: pd.to_numeric(table[c], errors="coerce").to_numpy(dtype=float)
        for c in ("andel", "ki_lag", "ki_hog", "varsta_fall_lag", "varsta_fall_hog")
    }
    n = len(table)
    y = np.arange(n)[::-1].astype(float)
    level = f"{100 * confidence:g}".replace(".", ",")
    with _style():
        fig = new_figure(8.0, 1.9 + 0.62 * n)
        ax = fig.add_subplot()
        for i in range(n):
            share = values["andel"][i]
            if np.isnan(share):
                ax.text(0.01, y[i], "visas ej", va="center", ha="left", fontsize=10)
                continue
            lo, hi = values["varsta_fall_lag"][i], values["varsta_fall_hog"][i]
            if not np.isnan(lo):
                ax.barh(y[i] - 0.3, hi - lo, left=lo, height=0.14, color=grey)
            ax.barh(y[i] + 0.05, share, height=0.45, color=PRIMARY)
            ax.errorbar(
                share,
                y[i] + 0.05,
                xerr=[[share - values["ki_lag"][i]], [values["ki_hog"][i] - share]],
                fmt="none",
                ecolor="#000000",
                elinewidth=1.2,
                capsize=4,
            )
            ax.text(
                values["ki_hog"][i] + 0.02,
                y[i] + 0.05,
                f"{round(100 * share)} %",
                va="center",
                ha="left",
                fontsize=10,
            )
        ax.set_xlim(0, 1.15)
        ax.set_ylim(-0.8, n - 0.3)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        _pct_axis(ax, "x")
        ax.set_yticks(y, [wrap(i, 45) for i in table.index])
        ax.set_xlabel("Andel av de svarande")
        ax.set_title(wrap(title, 70), loc="left")
        handles = [
            Patch(color=PRIMARY, label="Andel"),
            Line2D([0], [0], color="#000000", lw=1.2, label=f"{level} % konfidensintervall"),
            Patch(color=grey, label=f"Spann om alla {frame} tillfrågade räknas"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    return fig
