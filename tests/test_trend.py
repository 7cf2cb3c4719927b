"""The trend report: numbers against direct computations, the disclosure rules, the summary, and
the notebook end to end."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pipeline.conftest import parse  # the one HTML parser of the report tests

from analysis import stats
from analysis.errors import ConfigError
from analysis.surveys import trend
from analysis.surveys.trend import sections as trend_sections

ROOT = Path(__file__).resolve().parents[1]
EPOCH = "1700000000"


@pytest.fixture(scope="module")
def folders(processed_demo):
    return {s: processed_demo(s) for s in ("partner_2021", "partner_2025")}


@pytest.fixture(scope="module")
def public(folders):
    return trend.analyse_trend(
        "partner_2025",
        baseline="partner_2021",
        input=folders["partner_2025"],
        baseline_input=folders["partner_2021"],
    )


@pytest.fixture(scope="module")
def internal(folders):
    return trend.analyse_trend(
        "partner_2025",
        baseline="partner_2021",
        input=folders["partner_2025"],
        baseline_input=folders["partner_2021"],
        audience="internal",
    )


# ------------------------------------------------------------------------ numbers
def test_shares_intervals_and_tests_match_direct_computation(internal):
    from scipy.stats import boschloo_exact

    a, b = internal.a.dataset, internal.b.dataset
    positive = ("Instämmer delvis", "Instämmer helt")
    for concept, qa, qb in (("inclusive", "q4", "q5"), ("attractive", "q5", "q6")):
        row = internal.indicators.loc[concept]
        sa = a.wide[qa].dropna().astype(str)
        sa = sa[sa != "Vet ej"]
        sb = b.wide[qb].dropna().astype(str)
        sb = sb[sb != "Vet ej"]
        ka, na, kb, nb = (
            int(sa.isin(positive).sum()),
            len(sa),
            int(sb.isin(positive).sum()),
            len(sb),
        )
        assert (row["k_a"], row["n_a"], row["k_b"], row["n_b"]) == (ka, na, kb, nb)
        p, lo, hi = stats.proportion_ci(ka, na, population=43)
        assert (row["p_a"], row["low_a"], row["high_a"]) == pytest.approx((p, lo, hi))
        expected = boschloo_exact([[ka, kb], [na - ka, nb - kb]]).pvalue
        assert row["pvalue"] == pytest.approx(expected)
        assert row["diff"] == pytest.approx(kb / nb - ka / na)


def test_paired_tests_match_direct_computation(internal):
    a, b = internal.a.dataset, internal.b.dataset
    pairs = internal.pairing.pairs
    wa = a.wide.set_index("respondent_id")
    wb = b.wide.set_index("respondent_id")
    order = ["Information och kunskap", "Förståelse", "Övertygelse",
             "Ansvarstagande och delaktighet", "Ägarskap"]  # fmt: skip
    xa = [order.index(str(wa.at[r, "q14"])) for r in pairs["a"]]
    xb = [order.index(str(wb.at[r, "q20"])) for r in pairs["b"]]
    table = np.zeros((5, 5), dtype=int)
    for x, y in zip(xa, xb, strict=True):
        table[x, y] += 1
    row = internal.paired.loc["engagement_ladder"]
    res = stats.bowker_exact(table)
    assert row["p_bowker"] == pytest.approx(res.pvalue)
    assert (row["up"], row["down"]) == (res.above, res.below)
    # McNemar for a multi-choice option
    col_a, col_b = "q3__kompetens", "q4__kompetens"
    ta = wa.loc[list(pairs["a"]), col_a].astype(bool).reset_index(drop=True)
    tb = wb.loc[list(pairs["b"]), col_b].astype(bool).reset_index(drop=True)
    expected = stats.mcnemar_exact(ta, tb).pvalue
    assert internal.paired.loc["rus_parts__kompetens", "p_sign"] == pytest.approx(expected)


# ------------------------------------------------------------------------ disclosure
def _visible_counts(t) -> list[float]:
    out = []
    for s in t.sections:
        for name, table in s.tables.items():
            if name in ("svarande",):
                continue
            for col in table.columns:
                if col in (
                    "antal",
                    "n",
                    "pairs",
                    "up",
                    "same",
                    "down",
                    "k_a",
                    "n_a",
                    "k_b",
                    "n_b",
                ) or str(col).startswith("Antal"):
                    out += [float(v) for v in table[col] if not pd.isna(v)]
    return out


def test_public_shows_no_count_below_the_threshold(public):
    counts = _visible_counts(public)
    assert counts and all(v == 0 or v >= 5 for v in counts), counts
    html = "".join(s._repr_html_() for s in public.sections)
    for cell in re.findall(r"<td[^>]*>(\d+) av \d+</td>", html):
        assert int(cell) == 0 or int(cell) >= 5
    for k in re.findall(r"\b(\d+) av \d+", " ".join(public.section("det-viktigaste").key_points)):
        assert int(k) == 0 or int(k) >= 5


def test_changes_only_where_both_shares_are_shown(public):
    pub = public.published
    shown = pub["p_a"].notna() & pub["p_b"].notna()
    assert (pub["diff"].notna() == shown).all() and (pub["pvalue"].notna() == shown).all()
    assert pub["ns_a"].isna().all()  # the "Vet ej" counts are never published here
    hidden = pub[pub["k_a"].isna()]
    assert len(hidden) and (public.indicators.loc[hidden.index, "k_a"].between(1, 4)).all()


def test_vet_ej_cannot_be_worked_out(public):
    """When "Vet ej" is 1–4 in a round the public share is of all answers (as in the overview)."""
    exact, pub = public.indicators, public.published
    for ind in exact.index:
        small = any(0 < exact.at[ind, c] < 5 for c in ("ns_a", "ns_b"))
        assert (exact.at[ind, "base"] == "alla") == small
        assert pd.isna(pub.at[ind, "n_a"]) or pub.at[ind, "n_a"] == exact.at[ind, "n_a"]


def test_hidden_cells_cannot_be_solved(public):
    """In every published table whose rows add up to a published total, a hidden cell is never
    alone (its value would follow from the total)."""
    for name in ("fordelning",):
        table = public.section("trappan").tables[name]
        for col in table.columns:
            assert int(table[col].isna().sum()) != 1
    teman = public.section("fritext").tables["teman"]
    for col in teman.columns:
        assert int(teman[col].iloc[:-1].isna().sum()) != 1
    paired = public.paired
    for _, r in paired.iterrows():
        if not pd.isna(r["pairs"]):
            assert int(pd.isna(r[["up", "same", "down"]]).sum()) != 1


def test_paired_results_never_reveal_hidden_cells(public, internal):
    for idx, r in public.paired.iterrows():
        exact = internal.paired.loc[idx]
        n = int(exact["pairs"])
        text = r["sign_text"]
        if text in ("p < 0,05", "p ≥ 0,05"):
            # the statement holds for every split consistent with the shown numbers
            for up, down in itertools.product(range(n + 1), repeat=2):
                same = n - up - down
                if same < 0:
                    continue
                cells = {"up": up, "down": down, "same": same}
                if any(not pd.isna(r[c]) and r[c] != v for c, v in cells.items()):
                    continue
                p = trend._sign_test(up, down)
                assert (p < 0.05) == (text == "p < 0,05")
        if not pd.isna(r["p_sign"]):
            assert not pd.isna(r[["up", "down"]]).any()
        if not pd.isna(r["p_bowker"]):
            assert not pd.isna(r[["up", "same", "down"]]).any()


def test_safe_band_cases():
    sign = lambda c: trend._sign_test(c["up"], c["down"])  # noqa: E731
    assert trend.safe_band(3, {"same": 3, "up": 0, "down": 0}, sign)[1] == "p = 1,00"
    assert trend.safe_band(9, {"same": None, "up": 8, "down": None}, sign)[1] == "p < 0,05"
    assert trend.safe_band(10, {"same": None, "up": 6, "down": None}, sign)[1] == "–"
    assert trend.safe_band(4, {"same": None, "up": None, "down": 0}, sign)[1] == "p ≥ 0,05"


def test_min_cell_can_raise_but_not_lower_the_policy(folders):
    kw = {"input": folders["partner_2025"], "baseline_input": folders["partner_2021"]}
    t = trend.analyse_trend(min_cell=8, **kw)
    assert t.policy.min_cell == 8
    counts = _visible_counts(t)
    assert all(v == 0 or v >= 8 for v in counts)
    with pytest.raises(ConfigError, match="får inte vara lägre"):
        trend.analyse_trend(min_cell=3, **kw)


def test_rounds_must_be_ordered_and_of_one_series(folders, processed_demo):
    with pytest.raises(ConfigError, match="tidigare omgång"):
        trend.analyse_trend(
            "partner_2021", baseline="partner_2025",
            input=folders["partner_2021"], baseline_input=folders["partner_2025"],
        )  # fmt: skip
    with pytest.raises(ConfigError, match="series"):
        trend.analyse_trend(
            "partner_2025", baseline="municipality_2023",
            input=folders["partner_2025"], baseline_input=processed_demo("municipality_2023"),
        )  # fmt: skip


# ------------------------------------------------------------------------ presentation
def test_summary_first_then_contents(public):
    ids = [s.id for s in public.sections]
    assert ids[:3] == ["titel", "det-viktigaste", "innehallsforteckning"]
    assert public.sections[0].level == 1
    points = public.section("det-viktigaste").key_points
    assert 5 <= len(points) <= 7
    words = sum(len(p.split()) for p in points)
    assert words <= trend_sections.SUMMARY_MAX_WORDS
    assert all(re.search(r"\d", p) or p.startswith(("Två", "Tre", "En")) for p in points)
    assert any("båda gångerna" in p for p in points)
    toc = public.section("innehallsforteckning")._repr_html_()
    for s in public.sections[3:]:
        assert f'href="#{s.id}"' in toc


def test_wording_changes_are_stated(public):
    html = public.section("begreppen")._repr_html_() + public.section("omgangarna")._repr_html_()
    assert "Frågan formulerades om 2025" in html
    assert "Region Västerbotten är en inkluderande samarbetspartner som ger alla parter" in html
    assert "Var på engagemangstrappan befinner sig" in html
    assert "Inkluderande *" in html


def test_internal_is_marked_and_exact(internal, public):
    assert "Intern version" in internal.section("titel")._repr_html_()
    assert internal.published["k_a"].notna().all()
    assert internal.paired[["up", "same", "down"]].notna().all().all()
    assert "Intern version" not in public.section("titel")._repr_html_()


def test_indicators_do_not_mutate_the_data(folders):
    from analysis.data.dataset import load
    from analysis.data.rounds import shared_concepts

    a = load("partner_2021", processed=folders["partner_2021"])
    b = load("partner_2025", processed=folders["partner_2025"])
    before_a, before_b = a.wide.copy(), b.wide.copy()
    for c in shared_concepts(a.codebook, b.codebook):
        trend.indicators_for(c, a, b)
    pd.testing.assert_frame_equal(a.wide, before_a)
    pd.testing.assert_frame_equal(b.wide, before_b)


def test_trend_notebook_end_to_end(folders, tmp_path, monkeypatch):
    from analysis.pipeline.registry import ReportSpec
    from analysis.pipeline.runner import run_reports

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    nb = ROOT / "notebooks" / "partner_trend.ipynb"
    params = {
        "survey": "partner_2025",
        "baseline": "partner_2021",
        "input": str(folders["partner_2025"]),
        "baseline_input": str(folders["partner_2021"]),
    }
    registry = {"t": ReportSpec("t", nb, "Trend", params)}
    results = run_reports(registry=registry, output_dir=tmp_path, quiet=True, jobs=1)
    assert [r.status for r in results] == ["built"], [r.line() for r in results]
    html = (tmp_path / "t.html").read_text(encoding="utf-8")
    page = parse(html)
    text = page.plain
    assert "Demodata – syntetiska svar" in text and "Traceback" not in html
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    assert text.index("Det viktigaste") < text.index("Innehåll") < text.index("Två omgångar")
    assert "Boschloos test" in text and "konfidensintervall" in text
    assert "Organisationer som svarade båda gångerna" in text and "Bowkers test" in text
    assert all((i.get("alt") or "").strip() for i in page.all("img"))
    assert any(n.get("aria-label") == "Innehåll" for n in page.all("nav"))


def test_fingerprint_includes_the_baseline_round(folders):
    from analysis.pipeline.runner import data_files

    files = data_files(
        {
            "survey": "partner_2025",
            "baseline": "partner_2021",
            "input": str(folders["partner_2025"]),
            "baseline_input": str(folders["partner_2021"]),
        }
    )
    names = {(f.parent.name, f.name) for f in files}
    earlier = Path(folders["partner_2021"]).resolve()
    baseline = [f for f in files if earlier in f.resolve().parents]  # its published version
    assert {f.name for f in baseline} >= {"responses.parquet", "answers.parquet", "manifest.json"}
    assert ("partner_2021", "codebook.yaml") in names
    assert ("partner_2021", "demo_org_links.yaml") in names
