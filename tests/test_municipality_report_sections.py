"""Unit tests of analysis.municipality_report (the report's sections and figures)."""

from __future__ import annotations

import pandas as pd

from analysis import municipality_report as mr


def test_count_bars_is_deterministic():
    from analysis.figures import png_bytes

    counts = pd.Series({"Kompetensförsörjning": 9, "Attraktion": 3})
    one = png_bytes(mr.count_bars(counts, 15, title="T"))
    assert one == png_bytes(mr.count_bars(counts, 15, title="T"))


def test_count_bars_public_does_not_draw_banded_counts_to_length():
    counts = pd.Series({"Kompetensförsörjning": 9, "Attraktion": 3, "Socialtjänst": 1})
    fig = mr.count_bars(counts, 15, title="T", min_cell=5)
    ax = fig.axes[0]
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == [4.0, 4.0, 9.0]  # both banded bars span the band 0–4
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("<5") == 2 and "9" in labels and "3" not in labels and "1" not in labels
    internal = mr.count_bars(counts, 15, title="T")
    assert {t.get_text() for t in internal.axes[0].texts} == {"9", "3", "1"}
