"""Figures of the municipality report: ranked bars and the actors' stacked bars.

Deterministic matplotlib figures on the Agg canvas (:func:`analysis.report.figures.new_figure`,
constrained layout), colour-blind-safe colours, titles wrapped so that they are never clipped,
Swedish labels. Cells hidden by disclosure control (``NaN``) are not drawn; the figure says so.
Every figure is shown in the report with alt text and its numbers as a table.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

__all__ = ["STANCE_COLOURS", "count_bars", "stance_bars", "wrap_title"]

STANCE_COLOURS: dict[str, str] = {
    "Fungerar bra": "#5e3c99",
    "Blandat": "#b2abd2",
    "Behöver förbättras": "#e66101",
    "Ingen kontakt": "#d9d9d9",
}
"""Stance → colour (ColorBrewer PuOr ends for good/needs improvement, grey for no contact)."""


def wrap_title(text: str, width: int = 64) -> str:
    """A title wrapped on word boundaries so that it fits the figure.

    >>> wrap_title("Antal kommuner per aktör och bedömning av samverkan", 30)
    'Antal kommuner per aktör och\\nbedömning av samverkan'
    """
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def count_bars(counts: pd.Series, total: int, *, title: str, xlabel: str = "Antal kommuner"):
    """Horizontal bars of municipality counts (label → count), first label on top.

    Hidden counts (``NaN``) get no bar and the label "visas inte".

    >>> fig = count_bars(pd.Series({"Kompetensförsörjning": 9, "Digitalisering": 5}), 15,
    ...                  title="Prioriterade områden")
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['9', '5']
    """
    import matplotlib

    from analysis.report.figures import PRIMARY, STYLE, new_figure

    s = pd.Series(counts, dtype=float)
    y = np.arange(len(s))[::-1]
    with matplotlib.rc_context(STYLE):
        fig = new_figure(8.0, 1.3 + 0.42 * max(len(s), 1))
        ax = fig.add_subplot()
        shown = s.notna().to_numpy()
        ax.barh(y[shown], s.to_numpy()[shown], color=PRIMARY, height=0.6)
        for yi, v in zip(y, s.to_numpy(), strict=True):
            label = "visas inte" if np.isnan(v) else f"{int(v)}"
            ax.text((0 if np.isnan(v) else v) + total * 0.01, yi, label, va="center", fontsize=10)
        ax.set_xlim(0, total * 1.1)
        ax.set_yticks(y)
        ax.set_yticklabels([textwrap.fill(str(i), 34) for i in s.index])
        ax.set_xlabel(f"{xlabel} (av {total})")
        ax.set_title(wrap_title(title), loc="left")
    return fig


def stance_bars(table: pd.DataFrame, *, title: str):
    """Stacked horizontal bars: per actor the municipalities in each stance, with n per actor.

    *table* is actor × stance counts (:func:`analysis.surveys.municipality.actors.actor_stance_counts`,
    possibly with hidden cells as ``NaN``). Each bar is labelled "Aktör (n = 15)"; segment
    counts are written inside segments wide enough for them. A row with a hidden cell is not
    drawn (its label says "visas inte").

    >>> t = pd.DataFrame({"Fungerar bra": [9, 0], "Blandat": [3, 0], "Behöver förbättras": [2, 1],
    ...                   "Ingen kontakt": [1, 14]}, index=["Länsstyrelsen", "Luftfartsverket"])
    >>> fig = stance_bars(t, title="Samverkan")
    >>> [lab.get_text() for lab in fig.axes[0].get_yticklabels()]
    ['Länsstyrelsen (n = 15)', 'Luftfartsverket (n = 15)']
    """
    import matplotlib

    from analysis.report.figures import STYLE, new_figure, text_colour

    t = table.astype(float)
    y = np.arange(len(t))[::-1]
    with matplotlib.rc_context(STYLE):
        fig = new_figure(8.0, 1.9 + 0.5 * max(len(t), 1))
        ax = fig.add_subplot()
        left = np.zeros(len(t))
        complete = ~t.isna().any(axis=1).to_numpy()
        n = t.sum(axis=1, min_count=1).to_numpy()
        for col in t.columns:
            colour = STANCE_COLOURS.get(str(col), "#999999")
            widths = np.where(complete, t[col].fillna(0).to_numpy(), 0.0)
            ax.barh(y, widths, left=left, color=colour, height=0.62, label=str(col))
            for yi, w, x0 in zip(y, widths, left, strict=True):
                if w >= 1 and w / max(np.nanmax(n), 1) >= 0.06:
                    ax.text(x0 + w / 2, yi, f"{int(w)}", ha="center", va="center", fontsize=10,
                            color=text_colour(colour))  # fmt: skip
            left = left + widths
        labels = [
            f"{actor} (n = {int(k)})" if ok else f"{actor} (visas inte)"
            for actor, k, ok in zip(t.index, np.nan_to_num(n), complete, strict=True)
        ]
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        ax.set_xlim(0, max(float(np.nanmax(n)) if len(n) else 1.0, 1.0))
        ax.set_xlabel("Antal kommuner")
        ax.set_title(wrap_title(title), loc="left")
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=4,
                   frameon=False)  # fmt: skip
    return fig
