"""Unit tests of analysis.report.municipality (the report's sections and figures)."""

from __future__ import annotations

import pandas as pd

from analysis.report import municipality as mr


def test_count_bars_is_deterministic():
    from analysis.report.figures import png_bytes

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


def _demo_analysis(processed_demo):
    from analysis.data.dataset import load
    from analysis.surveys import municipality as mu
    from analysis.text.themes import load_themes

    ds = load("municipality_2023", processed=processed_demo("municipality_2023"))
    return mu.analyse(ds.wide, load_themes())


def test_section_group_comparisons(processed_demo):
    import re

    from analysis.disclosure.audit import audit_html

    a = _demo_analysis(processed_demo)
    for key in ("5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8"):
        internal = mr.section_groups_html(a, key, audience="internal", min_cell=5)
        public = mr.section_groups_html(a, key, audience="public", min_cell=5)
        # internal: the three groups of the reference table, Umeå on its own
        for label in ("Största kommunen (Umeå)", "Övriga Umeåregionen", "Övriga kommuner"):
            assert f">{label}<" in internal, (key, label)
        # public: Umeå never on its own, and nothing a reader could count below min_cell
        assert ">Största kommunen (Umeå)<" not in public, key
        page = f'<html lang="sv"><body><main>{public}</main></body></html>'
        assert not [f for f in audit_html(page, min_cell=5) if f.kind == "small_cell"], key
        assert re.search(r"Kommungrupperna jämförda", public)
    # 5.3 compares the infrastructure sub-areas, the other sections never do
    water = a.labels["infra_vatten"]
    assert water in mr.section_groups_html(a, "5.3", audience="internal", min_cell=5)
    assert water not in mr.section_groups_html(a, "5.1", audience="internal", min_cell=5)
