"""The partner report as Section objects: reading order, "Det viktigaste", table of contents,
numeric tables, figures with alt text, honest small-n statistics, language and the notebook.

Builds the analysis in-process from the ingested demo data (public and internal), no runner."""

from __future__ import annotations

import ast
import dataclasses
import re
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.surveys import partner
from analysis.surveys.analysis import SURVEY_SECTIONS, analyse
from analysis.surveys.partner import data
from analysis.surveys.partner.summary import MAX_WORDS, section_words

TESTS_DIR = Path(__file__).resolve().parent
NOTEBOOK = TESTS_DIR.parent / "notebooks" / "partner_survey_2021.ipynb"

ORDER = [
    "det-viktigaste",
    "innehallsforteckning",
    "svarande",
    "inkluderande-attraktiv-innovativ",
    "utveckling",
    "rus",
    "framgangsfaktorer-och-utmaningar",
    "engagemangstrappan",
    "fritext",
    "sektorer",
    "bilaga-metod",
]
STATISTICS_WORDS = re.compile(
    r"\bp\s*[=<]|kappa|κ|pielou|\bJ\b|friedman|bowker|fisher|cochran|χ|chi|\btest|signifikan",
    re.IGNORECASE,
)


def _text(html: str) -> str:
    """Visible text of a fragment (tags removed, alt texts kept)."""
    html = re.sub(r'<img[^>]*alt="([^"]*)"[^>]*>', r" \1 ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(scope="module")
def folder(processed_demo):
    return processed_demo("partner_2021")


@pytest.fixture(scope="module")
def public(folder):
    return analyse("partner_2021", input=folder, cache=False)


@pytest.fixture(scope="module")
def internal(folder):
    return analyse("partner_2021", input=folder, audience="internal", cache=False)


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------
def test_sections_in_reading_order(public, internal):
    assert SURVEY_SECTIONS["partner_2021"] == "analysis.surveys.partner:sections"
    assert callable(partner.sections)
    for a in (public, internal):
        assert [s.id for s in a.sections] == ORDER
        assert all(s.level == 2 and s.title for s in a.sections)
    assert public.sections[0].title == "Det viktigaste"


def test_sections_refuse_another_survey(public):
    from analysis.errors import ConfigError

    other = dataclasses.replace(public, survey="municipality_2023")
    with pytest.raises(ConfigError):
        partner.sections(other)


def test_table_of_contents_links_every_h2(public):
    html = "".join(s._repr_html_() for s in public.sections)
    heads = re.findall(r'<h2 id="([^"]+)-rubrik"', html)
    toc = public.section("innehallsforteckning")._repr_html_()
    links = re.findall(r'href="#([^"]+)"', toc)
    assert set(heads) - {"innehallsforteckning"} <= set(links)
    assert "om-rapporten" in links  # the template's own h2
    for target in links:
        assert target == "om-rapporten" or f'<section class="report-section" id="{target}"' in html


def test_tables_are_numeric_and_figures_have_alt_and_data(public, internal):
    import matplotlib.figure

    for a in (public, internal):
        for s in a.sections:
            for name, table in s.tables.items():
                if name == "citat":  # the chosen quotes: text by nature
                    continue
                for col in table.columns:
                    assert pd.api.types.is_numeric_dtype(table[col]), (s.id, name, col)
            for fig in s.figures.values():
                assert isinstance(fig, matplotlib.figure.Figure)
            for kind, args, kw in s.blocks:
                if kind == "figure":
                    assert len(args[1]) > 40, (s.id, args[0])  # a meaningful alt text
                    assert kw.get("data") is not None, (s.id, args[0])


def test_sections_render_as_the_report_does(public):
    s = public.section("rus")
    html = s._repr_html_()
    assert html.startswith('<section class="report-section" id="rus" aria-labelledby="rus-rubrik">')
    assert '<h2 id="rus-rubrik">' in html and s.to_html() == html


def test_data_are_not_mutated(folder):
    from analysis.data.dataset import load

    ds = load("partner_2021", folder)
    before = ds.wide.copy()
    analyse(ds, cache=False)
    pd.testing.assert_frame_equal(ds.wide, before)


# --------------------------------------------------------------------------------------------
# Det viktigaste
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("audience", ["public", "internal"])
def test_det_viktigaste_is_short_plain_and_in_counts(audience, public, internal):
    a = public if audience == "public" else internal
    s = a.section("det-viktigaste")
    assert 5 <= len(s.key_points) <= 7
    assert section_words(s) <= MAX_WORDS
    text = _text(s._repr_html_())
    assert not STATISTICS_WORDS.search(text), STATISTICS_WORDS.search(text)
    counted = [k for k in s.key_points if re.search(r"\b\d+ av \d+\b", k)]
    assert len(counted) >= len(s.key_points) - 1  # all but the quoted critical voice
    assert any(k.startswith("Den mest kritiska rösten: ”") for k in s.key_points)
    # caveats in one line, and the 2021 report's own recommendations, marked as such
    assert "14 av 43" in text and "29 andra" in text
    assert "Rapportens egna rekommendationer" in text
    for word in ("mätbara", "mandat", "djupintervjuer"):
        assert word in text.lower()


def test_det_viktigaste_matches_the_sections(public):
    body = {s.id: s for s in public.sections}
    points = [p for s in public.sections[2:] for p in s.key_points]
    for message in public.section("det-viktigaste").key_points:
        assert message in points
    assert body["fritext"].key_points[-1].startswith("Den mest kritiska rösten")


def _modified(folder) -> tuple:
    """The demo data with changed answers: fewer agree, a new critical voice, other RUS parts."""
    from analysis.data.dataset import load

    ds = load("partner_2021", folder)
    wide = ds.wide.copy()
    agree = wide["q5"].isin(data.LIKERT_POSITIVE)
    flip = list(wide.index[agree][:3])
    wide.loc[flip, "q5"] = "Instämmer inte alls"
    wide["q15"] = wide["q15"].astype("string")
    wide.loc[wide.index[2], "q15"] = (
        "Regionen lyssnar aldrig, har inget större intresse för oss och bristen på dialog "
        "skadar allt samarbete och gör det svårt."
    )
    wide["q3__transporter"] = wide["q3__transporter"].astype("boolean")
    wide.loc[wide.index[:12], "q3__transporter"] = True
    return dataclasses.replace(ds, wide=wide), flip


def test_key_messages_change_when_the_data_change(folder, public):
    """The summary is computed: change the demo answers and the sentences follow."""
    ds, _ = _modified(folder)
    changed = analyse(ds, cache=False)
    before = public.section("det-viktigaste").key_points
    after = changed.section("det-viktigaste").key_points
    assert before != after
    k, n = data.joint_positive(ds.wide)
    assert k != data.joint_positive(public.dataset.wide)[0]
    joint = [m for m in after if "alla tre påståendena: att regionen är inkluderande" in m]
    assert not joint or joint[0].startswith(f"{k} av {n} ")
    assert any("Samarbetet sker oftast inom hållbara transporter" in m for m in after)
    assert not any("hållbara transporter" in m for m in before)
    voice = [m for m in after if m.startswith("Den mest kritiska rösten")]
    assert voice and "bristen på dialog skadar allt samarbete" in voice[0]


# --------------------------------------------------------------------------------------------
# Honest small-n statistics
# --------------------------------------------------------------------------------------------
def _tables_html(a, sid):
    return re.findall(r"<table>.*?</table>", a.section(sid)._repr_html_(), flags=re.S)


def test_worst_case_span_next_to_every_interval(public, internal):
    for a in (public, internal):
        for s in a.sections:
            for table in _tables_html(a, s.id):
                if "Konfidensintervall (95 %)" in table:
                    assert "Spann om alla 43 tillfrågade räknas" in table, s.id
        text = _text(a.section("rus")._repr_html_())
        assert "Bortfallet väger tyngst" in text and "29 av 43" in text


def test_intervals_with_and_without_fpc_only_in_the_appendix(public, internal):
    for a in (public, internal):
        for s in a.sections[:-1]:
            html = s._repr_html_()
            assert "Utan korrektion" not in html and "ändlig population" not in html, s.id
        appendix = a.section("bilaga-metod")
        assert {"ki_lag_utan", "ki_lag"} <= set(appendix.tables["intervall"].columns)
        assert "Med korrektion för ändlig population" in appendix._repr_html_()


def test_body_speaks_in_counts_tests_are_in_the_appendix(internal):
    for s in internal.sections[:-1]:
        text = _text(s._repr_html_())
        assert not STATISTICS_WORDS.search(text), (s.id, STATISTICS_WORDS.search(text))
    appendix = _text(internal.section("bilaga-metod")._repr_html_())
    assert appendix.count("Friedmans test") >= 1 and "Cochran" not in appendix
    assert "Bowkers exakta symmetritest" in appendix and "Viktad kappa" in appendix
    assert "Pielous" in appendix and "Inget test görs" in appendix


def test_kappa_wording_matches_the_interval(internal):
    ag = data.development_agreement(
        internal.dataset.wide, partner.questions_from_codebook(internal.dataset.codebook)
    )
    text = _text(internal.section("bilaga-metod")._repr_html_())
    from analysis.report import format as fmt

    low, high = fmt.kappa_interpretation(ag.kappa.low), fmt.kappa_interpretation(ag.kappa.high)
    if low != high:
        assert f"Intervallet sträcker sig från {low} till {high} överensstämmelse" in text
        assert "en betydande överensstämmelse" not in text


def test_development_shows_both_distributions_side_by_side(internal):
    s = internal.section("utveckling")
    t = s.tables["fordelning"]
    assert list(t.columns) == ["Egen verksamhet (fråga 8)", "Regionens verksamhet (fråga 10)"]
    assert t.sum().tolist() == [14, 14]


def test_internal_is_exact(internal):
    assert internal.extras["disclosure"].exact
    for s in internal.sections:
        for name, table in s.tables.items():
            if name != "citat":
                assert not table.isna().any().any() or name in ("intervall",), (s.id, name)
    assert len(internal.section("sektorer").tables) == len(data.SECTOR_QUESTIONS)


# --------------------------------------------------------------------------------------------
# Figures for readers
# --------------------------------------------------------------------------------------------
def test_ladder_is_not_mostly_hidden(public, internal):
    for a in (public, internal):
        s = a.section("engagemangstrappan")
        table = s.tables["trappan"]
        assert table["antal"].notna().mean() > 0.5
        alt = next(args[1] for kind, args, _ in s.blocks if kind == "figure")
        assert "Trappa i 5 steg" in alt
    grouped = public.section("engagemangstrappan").tables["trappan"]
    assert len(grouped) < 5 and grouped["antal"].notna().all()
    assert all(v >= 5 for v in grouped["antal"])
    assert len(internal.section("engagemangstrappan").tables["trappan"]) == 5


def test_figure_titles_wrapped_not_clipped(public):
    for s in public.sections:
        for fig in s.figures.values():
            for ax in fig.axes:
                for line in ax.get_title(loc="left").splitlines():
                    assert len(line) <= 70


# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------
ENGLISH = re.compile(
    r"\b(the|and|of|with|survey|report|share|hidden|count|sample|not shown|python|make|pip)\b",
    re.IGNORECASE,
)
CODE = re.compile(r"`|analysis (run|ingest)|--\w|\w+\(\)|\.py\b|min_cell|audience=")


def test_public_text_is_swedish_without_code(public):
    for s in public.sections:
        text = _text(s._repr_html_())
        assert not ENGLISH.search(text), (s.id, ENGLISH.search(text))
        assert not CODE.search(text), (s.id, CODE.search(text))


# --------------------------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------------------------
def test_free_text_quotes_per_theme_masked(public, internal):
    quotes = public.section("fritext").tables["citat"]
    assert quotes.groupby("tema").size().max() <= 3
    from analysis.data.reference import load_sample_frame

    names = [n for n in load_sample_frame()["organisation"] if n != "Region Västerbotten"]
    names += ["Länsstyrelsen", "RISE"]
    for text in quotes["citat"]:
        assert not any(re.search(rf"(?<!\w){re.escape(n)}", text) for n in names), text
    assert any("[organisation]" in t for t in quotes["citat"])
    from analysis.text.quotes import mask_quote

    inside = internal.section("fritext").tables["citat"]["citat"]
    assert any(mask_quote(t) != t for t in inside)  # the internal version keeps the names
    for quote in re.findall(r"<blockquote>(.*?)</blockquote>", public.section("fritext").to_html()):
        assert "(fråga " not in quote  # public quotes are not tied to a question


# --------------------------------------------------------------------------------------------
# The notebook
# --------------------------------------------------------------------------------------------
def test_notebook_is_parameters_analyse_and_one_cell_per_section():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(c.cell_type == "code" for c in nb.cells), "no markdown cells with section text"
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for line in params[0].source.splitlines():
        assert " = " not in line.partition("#")[2], line  # papermill cannot parse it
    assert "min_cell: int = 0" in params[0].source
    removed = [c for c in nb.cells if "remove" in c.metadata.get("tags", [])]
    assert len(removed) == 1
    tree = ast.parse(removed[0].source)
    calls = [ast.unparse(n) for n in tree.body if not isinstance(n, ast.Import | ast.ImportFrom)]
    assert calls == [
        "partner.require_survey(survey)",
        "a = analyse(survey, input=input, audience=audience, min_cell=min_cell, "
        "confidence=confidence)",
    ]
    shown = [c for c in nb.cells if not c.metadata.get("tags")]
    assert ast.unparse(ast.parse(shown[0].source)) == "render.show(partner.title_html(a))"
    ids = []
    for cell in shown[1:]:
        (stmt,) = ast.parse(cell.source).body
        assert isinstance(stmt, ast.Expr) and ast.unparse(stmt.value.func) == "a.section"
        ids.append(stmt.value.args[0].value)
    assert ids == ORDER


def test_public_decision_is_cached_once(public):
    d = public.extras["disclosure"]
    assert partner.decide(public) is d
    assert not d.exact and d.min_cell == 5
    assert np.isfinite([e.value for e in d.ledger]).all()
