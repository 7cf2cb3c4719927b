"""The researcher's API (issue: one analysis per survey, explorable in JupyterLab)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import analyse
from analysis.report.section import Section

SURVEYS = ["partner_2021", "municipality_2023"]


@pytest.fixture(scope="module", params=SURVEYS)
def analysis(request, processed_demo):
    return analyse(request.param, input=processed_demo(request.param), cache=False)


def test_at_least_six_sections_each_with_data(analysis):
    assert len(analysis.sections) >= 6
    with_data = [s for s in analysis.sections if s.tables or s.figures]
    assert len(with_data) >= 6
    for s in analysis.sections:
        assert isinstance(s, Section)
        for name, table in s.tables.items():
            assert isinstance(table, pd.DataFrame), (s.id, name)


def test_tables_hold_numbers_not_display_strings(analysis):
    numeric = 0
    for s in [*analysis.sections, *analysis.overview]:
        for table in s.tables.values():
            for col in table.columns:
                values = table[col].dropna()
                if values.empty:
                    continue
                if pd.api.types.is_numeric_dtype(table[col]):
                    numeric += 1
                else:  # text columns are labels, never formatted numbers like "79 %"
                    assert not values.astype(str).str.fullmatch(r"[\d\s ,.−-]+ ?%").any(), col
    assert numeric > 0


def test_section_ids_are_unique_within_each_part(analysis):
    for part in (analysis.sections, analysis.overview):
        ids = [s.id for s in part]
        assert len(ids) == len(set(ids))


def test_overview_lookup_never_returns_a_report_section(analysis):
    for s in analysis.overview:
        assert analysis.section(s.id, part="overview") is s
    for s in analysis.sections:
        assert analysis.section(s.id, part="report") is s


def test_repr_html_is_the_rendered_section(analysis):
    s = analysis.sections[1]
    assert s._repr_html_() == s.to_html()
    assert f'id="{s.id}"' in s._repr_html_()


def test_overview_questions_are_the_question_sections_in_order(analysis):
    got = analysis.overview_questions()
    assert got[0].id == "fragorna"
    assert [s.id for s in got[1:]] == [s.id for s in analysis.overview if s.id.startswith("fraga-")]
