"""figures: deterministic PNGs, no global pyplot state, accessible colours."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from analysis.report import figures


def _likert():
    counts = pd.DataFrame(
        [[1, 2, 3, 5, 3, 1], [0, 1, 2, 6, 5, 0]],
        index=["Inkluderande", "Attraktiv"],
        columns=["Inte alls", "Delvis inte", "Varken eller", "Delvis", "Helt", "Vet ej"],
    )
    return counts, ["Inte alls", "Delvis inte", "Varken eller", "Delvis", "Helt"]


def test_png_bytes_are_deterministic_and_metadata_free():
    counts, order = _likert()
    a = figures.png_bytes(figures.likert_diverging(counts, order, title="Påståenden"))
    b = figures.png_bytes(figures.likert_diverging(counts, order, title="Påståenden"))
    assert a == b
    assert a.startswith(b"\x89PNG")
    assert b"matplotlib" not in a.lower() and b"Software" not in a


def test_likert_has_separate_non_substantive_panel_and_centres_neutral():
    counts, order = _likert()
    fig = figures.likert_diverging(counts, order, title="T")
    main, side = fig.axes
    # the neutral category straddles zero: one bar starts left of 0 and ends right of it
    neutral = [
        p
        for p in main.patches
        if p.get_facecolor()[:3] == pytest.approx((224 / 255,) * 3, abs=1e-3)
    ]
    assert neutral and all(p.get_x() < 0 < p.get_x() + p.get_width() for p in neutral)
    assert any(p.get_width() > 0 for p in side.patches)


def test_likert_even_scale_without_non_substantive():
    fig = figures.likert_diverging(
        pd.DataFrame([[1, 2, 3, 4]], index=["x"], columns=list("abcd")), list("abcd"), title="T"
    )
    assert len(fig.axes) == 1


def test_bar_with_ci_handles_hidden_rows():
    t = pd.DataFrame(
        {
            "andel": [0.5, float("nan")],
            "ki_lag": [0.3, float("nan")],
            "ki_hog": [0.7, float("nan")],
        },
        index=["a", "b"],
    )
    fig = figures.bar_with_ci(t, title="T")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "50 %" in texts and any("visas ej" in x for x in texts)


def test_heatmap_swedish_annotations():
    fig = figures.heatmap(pd.DataFrame({"a": [0.25, 0.5]}, index=["x", "y"]), title="T")
    assert {t.get_text() for t in fig.axes[0].texts} == {"0,25", "0,50"}


def test_figures_do_not_touch_pyplot():
    before = "matplotlib.pyplot" in sys.modules
    figures.bar_with_ci(pd.DataFrame({"andel": [0.5], "ki_lag": [0.4], "ki_hog": [0.6]}), title="T")
    if not before:
        assert "matplotlib.pyplot" not in sys.modules


def test_text_colour_contrast():
    for colours in figures.DIVERGING.values():
        for c in colours:
            tc = figures.text_colour(c)
            lum = figures._relative_luminance(c)
            other = 0.0 if tc == "#000000" else 1.0
            ratio = (max(lum, other) + 0.05) / (min(lum, other) + 0.05)
            assert ratio >= 4.5, (c, tc, ratio)


def test_bar_with_ci_names_the_confidence_level():
    t = pd.DataFrame({"andel": [0.5], "ki_lag": [0.4], "ki_hog": [0.6]}, index=["a"])
    assert "95 % konfidensintervall" in figures.bar_with_ci(t, title="T").axes[0].get_xlabel()
    label = figures.bar_with_ci(t, title="T", confidence=0.9).axes[0].get_xlabel()
    assert "90 % konfidensintervall" in label
