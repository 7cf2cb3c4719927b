"""Partner-survey analysis functions, and the back-test of the headline numbers against the
committed ground truth (tests/ground_truth/partner_2021_demo_headline.csv)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import stats
from analysis.data.demo import load_partner_design
from analysis.data.reference import load_sample_frame, sector_for_org_type
from analysis.report import format as fmt
from analysis.surveys import partner

TESTS_DIR = Path(__file__).resolve().parent
GROUND_TRUTH = TESTS_DIR / "ground_truth" / "partner_2021_demo_headline.csv"
CODEBOOK = TESTS_DIR.parent / "data" / "raw" / "partner_2021" / "codebook.yaml"


def _codebook() -> dict:
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


def wide_from_design(design: dict | None = None) -> pd.DataFrame:
    """A wide table in the processed-data contract shape, built directly from the demo design
    (independent of the ingest pipeline)."""
    design = design or load_partner_design()
    cb = _codebook()
    rows = []
    for i, r in enumerate(design["respondents"], start=1):
        row: dict = {"respondent_id": f"R{i:02d}", "source_row": i + 1}
        for q in cb["questions"]:
            qid, kind = q["id"], q["type"]
            value = r.get(qid)
            if kind == "multi":
                ticked = set(value or [])
                for o in q["options"]:
                    row[f"{qid}__{o['code']}"] = (o["code"] in ticked) if ticked else pd.NA
            elif kind == "text":
                row[qid] = value["text"] if isinstance(value, dict) else value
            else:
                row[qid] = value
        row["sektor"] = sector_for_org_type(r["q1"])
        rows.append(row)
    df = pd.DataFrame(rows)
    for q in cb["questions"]:
        qid, kind = q["id"], q["type"]
        if kind in ("single", "likert", "org_type"):
            df[qid] = pd.Categorical(
                df[qid], categories=[o["label"] for o in q["options"]], ordered=True
            )
        elif kind == "multi":
            for o in q["options"]:
                df[f"{qid}__{o['code']}"] = df[f"{qid}__{o['code']}"].astype("boolean")
        elif kind == "text":
            df[qid] = df[qid].astype("string")
    return df


@pytest.fixture(scope="module")
def inputs() -> partner.Inputs:
    cb = _codebook()
    return partner.Inputs(
        responses=wide_from_design(),
        questions=partner.questions_from_codebook(cb),
        manifest={"synthetic": True},
        frame=load_sample_frame(),
        codebook=cb,
    )


def _compare_with_ground_truth(table: pd.DataFrame) -> None:
    truth = pd.read_csv(GROUND_TRUTH, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["metric", "numerator", "denominator"]
    pd.testing.assert_frame_equal(table.reset_index(drop=True), truth)


def test_headline_on_design_frame_matches_ground_truth(inputs):
    _compare_with_ground_truth(partner.headline(inputs))


def test_headline_on_processed_demo_matches_ground_truth(processed_demo):
    """The back-test proper: ingest the demo export, then compute the headline numbers."""
    data = partner.load_inputs(processed_demo("partner_2021"))
    _compare_with_ground_truth(partner.headline(data))


def test_headline_is_computed_not_copied(inputs):
    # Dropping one respondent must change the headline numbers.
    fewer = partner.Inputs(
        inputs.responses.iloc[1:].reset_index(drop=True),
        inputs.questions,
        inputs.manifest,
        inputs.frame,
        inputs.codebook,
    )
    h = partner.headline(fewer).set_index("metric")
    assert h.loc["n_respondents", "numerator"] == str(len(inputs.responses) - 1)


def test_frame_profile_adds_up(inputs):
    prof = partner.frame_profile(inputs.frame, inputs.responses)
    assert prof["i_urvalet"].sum() == 43
    assert prof["svarande"].sum() == len(inputs.responses)
    assert prof.loc["Kommun", "i_urvalet"] == 15
    assert prof["skillnad_pe"].sum() == pytest.approx(0, abs=1e-9)
    by_sector = partner.frame_profile(
        inputs.frame, inputs.responses, by="sektor", response_column="sektor"
    )
    assert by_sector["i_urvalet"].sum() == 43
    assert "procentenheter" in partner.representation_sentence(prof)


def test_response_rate():
    assert partner.response_rate(14, 43)["andel"] == pytest.approx(14 / 43)


def test_multi_counts_and_ranking(inputs):
    counts, n = partner.multi_counts(inputs.responses, inputs.questions["q3"])
    assert n == 14
    ranked = partner.ranked_shares(counts, n, population=43)
    assert list(ranked["antal"]) == sorted(counts, reverse=True)
    # ties keep codebook order
    top = ranked.index[:3].tolist()
    assert top == [lab for lab in counts.index if counts[lab] == ranked["antal"].iloc[0]][:3]


def test_public_share_table_hides_small_counts():
    t = stats.share_table(pd.Series({"A": 9, "B": 3, "C": 0}), 14)
    out = partner.public_share_table(t, 5, "public")
    assert out.loc["B"].tolist() == ["–"] * 4
    assert out.loc["A", "antal"] == 9 and out.loc["C", "antal"] == 0
    assert partner.public_share_table(t, 5, "internal").loc["B", "antal"] == 3


def test_likert_tables(inputs):
    counts = partner.likert_counts(inputs.responses, inputs.questions, ["q4", "q5", "q6"])
    assert list(counts.index) == ["Inkluderande", "Attraktiv", "Innovativ"]
    assert counts.sum(axis=1).max() <= 14 and "Vet ej" in counts.columns
    pos = partner.likert_positive_table(inputs.responses, inputs.questions, population=43)
    assert (pos["ki_lag"] <= pos["andel"]).all() and (pos["andel"] <= pos["ki_hog"]).all()
    tests = partner.likert_test(inputs.responses, inputs.questions)
    assert 0 < tests["friedman"].pvalue <= 1 and tests["friedman"].n <= 14


def test_development_agreement_matches_statsmodels(inputs):
    from statsmodels.stats.inter_rater import cohens_kappa

    ag = partner.development_agreement(inputs.responses, inputs.questions)
    assert list(ag.table.index) == ["Nej", "Ja, i viss grad", "Ja, i hög grad"]
    assert ag.kappa.kappa == pytest.approx(cohens_kappa(ag.table.to_numpy()).kappa)
    assert ag.interpretation == fmt.kappa_interpretation(ag.kappa.kappa)
    text = partner.agreement_summary(ag)
    assert f"{ag.agree} av {ag.n}" in text and ag.interpretation in text


def test_ladder(inputs):
    counts = partner.ladder_counts(inputs.responses, inputs.questions["q14"])
    assert len(counts) == 5 and counts.sum() <= 14
    fig = partner.ladder_figure(counts, title="Engagemangstrappan")
    from analysis.report.figures import png_bytes

    assert png_bytes(fig) == png_bytes(partner.ladder_figure(counts, title="Engagemangstrappan"))


def test_quotes_grouped_and_masked():
    texts = [
        "RISE har ett välfungerande innovationspartnerskap med regionen.",
        "Jag tycker att det bör ha gjort det.",
        None,
        "  ",
        "Regionen har lärt sig saker som tidigare främst låg på Länsstyrelsen.",
    ]
    public = partner.quotes_by_theme(texts, audience="public")
    flat = [t for ts in public.values() for t in ts]
    assert len(flat) == 3
    assert not any("RISE" in t or "Länsstyrelsen" in t for t in flat)
    assert list(public)[-1] == "Övrigt"
    internal = partner.quotes_by_theme(texts, audience="internal")
    assert any("RISE" in t for ts in internal.values() for t in ts)


def test_sector_tests(inputs):
    results = partner.sector_tests(inputs.responses, inputs.questions)
    assert len(results) == 6
    for title, table, res in results:
        assert title.startswith("Fråga")
        assert table.to_numpy().sum() <= 14
        assert np.isnan(res.pvalue) or 0 < res.pvalue <= 1
    shown = partner.count_table(results[0][1], audience="public", min_cell=5)
    values = [v for v in shown.to_numpy().ravel() if v != "–"]
    assert all(v == 0 or v >= 5 for v in values)


def test_summary_and_method_notes(inputs):
    sentences = partner.summary_sentences(inputs)
    text = " ".join(sentences)
    assert "14 av 43" in text and "KI" in text
    pos = partner.likert_positive_table(inputs.responses, inputs.questions)
    k, n = int(pos.loc["Attraktiv", "antal"]), int(pos.loc["Attraktiv", "svar"])
    assert f"{k} av {n} svarande" in text
    notes = " ".join(partner.method_notes(inputs))
    assert "Wilson" in notes and "rekonstruerade" in notes and "syntetiska" in notes
    real = partner.Inputs(
        inputs.responses, inputs.questions, {"synthetic": False}, inputs.frame, inputs.codebook
    )
    assert "syntetiska" not in " ".join(partner.method_notes(real))
    rule = "korstabeller som skulle behöva dolda celler visas bara i den interna versionen"
    public = " ".join(partner.method_notes(inputs, min_cell=4, audience="public"))
    assert rule in public and "antal under 4 döljs" in public and "k är minst 4" in public
    assert rule not in " ".join(partner.method_notes(inputs, audience="internal"))


def test_audience_checked():
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError):
        partner.check_audience("everyone")


# --------------------------------------------------------------------------------------------
# Report sections (the *_html functions the notebook calls)
# --------------------------------------------------------------------------------------------
NOTEBOOK = TESTS_DIR.parent / "notebooks" / "partner_survey_2021.ipynb"
AUDIENCE_PARAMS = pytest.mark.parametrize("audience", ["public", "internal"])


class _Html(HTMLParser):
    """Texts of headings, paragraphs, captions, table cells (body ``td``) and quotes, and the
    alt texts of images."""

    def __init__(self):
        super().__init__()
        self.text: dict[str, list[str]] = {}
        self.alts: list[str] = []
        self._open: list[tuple[str, list[str]]] = []
        self._in_thead = False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt", ""))
        elif tag == "thead":
            self._in_thead = True
        elif tag == "td" and self._in_thead:
            return  # the empty corner cell above the row headers
        elif tag in ("h3", "p", "caption", "td", "th", "blockquote", "figcaption"):
            self._open.append((tag, []))

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_thead = False
        if self._open and self._open[-1][0] == tag:
            name, parts = self._open.pop()
            self.text.setdefault(name, []).append(" ".join("".join(parts).split()))

    def handle_data(self, data):
        for _, parts in self._open:
            parts.append(data)

    def get(self, tag: str) -> list[str]:
        return self.text.get(tag, [])


def _parse(fragment: str) -> _Html:
    assert isinstance(fragment, str) and fragment.strip()
    p = _Html()
    p.feed(fragment)
    p.close()
    return p


def _small_counts(cells: list[str], min_cell: int) -> list[str]:
    """Whole-number cells strictly between 0 and min_cell."""
    out = []
    for c in cells:
        digits = c.replace("\u00a0", "")
        if re.fullmatch(r"\d+", digits) and 0 < int(digits) < min_cell:
            out.append(c)
    return out


@pytest.fixture(scope="module")
def demo(processed_demo) -> partner.Inputs:
    return partner.load_inputs(processed_demo("partner_2021"))


def test_load_inputs_refuses_other_survey(tmp_path):
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError, match="partner_2021"):
        partner.load_inputs(tmp_path, survey="municipality_2023")


def test_frame_size_and_confidence_label(inputs):
    assert partner.frame_size(inputs) == 43
    no_size = partner.Inputs(inputs.responses, inputs.questions, {}, inputs.frame, {})
    assert partner.frame_size(no_size) == len(inputs.frame)
    assert partner.confidence_label(0.9) == "90"


def test_banner_and_summary_html(inputs):
    assert "Demonstrationsdata" in partner.banner_html(inputs)
    real = partner.Inputs(
        inputs.responses, inputs.questions, {"synthetic": False}, inputs.frame, inputs.codebook
    )
    assert partner.banner_html(real) == ""
    paragraphs = _parse(partner.summary_html(inputs, confidence=0.9)).get("p")
    assert paragraphs == partner.summary_sentences(inputs, confidence=0.9)
    assert "90 % KI" in " ".join(paragraphs)


def test_nonresponse_sentence_hides_suppressed_groups(inputs):
    prof = partner.frame_profile(inputs.frame, inputs.responses)
    hidden = partner.suppressed_groups(prof, audience="public", min_cell=5)
    assert hidden  # the demo has org types with fewer than 5 respondents
    public = partner.nonresponse_sentence("X: ", prof, audience="public", min_cell=5)
    assert public.startswith("X: ") and "kommenteras inte i den publika versionen" in public
    for group in hidden:
        assert f"{group} (" not in public
    internal = partner.nonresponse_sentence("X: ", prof, audience="internal", min_cell=5)
    assert "kommenteras inte" not in internal
    assert internal == "X: " + partner.representation_sentence(prof)


@AUDIENCE_PARAMS
def test_response_html(demo, audience):
    out = _parse(partner.response_html(demo, audience=audience, min_cell=5))
    n = len(demo.responses)
    assert out.get("p")[0] == partner.response_rate_sentence(n, 43)
    assert f"{n} av 43" in out.get("p")[0]
    assert out.get("caption") == [
        "Urval och svarande per organisationstyp",
        "Urval och svarande per sektor (pentahelix)",
    ]
    assert any(p.startswith("Bortfallsprofil per organisationstyp: ") for p in out.get("p"))
    assert any("går inte att veta" in p for p in out.get("p"))
    assert ("–" in out.get("td")) == (audience == "public")


def test_likert_chart_allowed():
    counts = pd.DataFrame({"Nej": [0, 7], "Ja": [5, 9]}, index=["a", "b"])
    assert partner.likert_chart_allowed(counts, audience="public", min_cell=5)
    assert not partner.likert_chart_allowed(counts, audience="public", min_cell=6)
    assert partner.likert_chart_allowed(counts, audience="internal", min_cell=6)
    with pytest.raises(Exception, match="audience"):
        partner.likert_chart_allowed(counts, audience="alla", min_cell=5)


def test_likert_test_sentence_verdicts():
    def res(p, n=12):
        return stats.TestResult(1.0, p, "Test", n)

    same = partner.likert_test_sentence({"friedman": res(0.3), "cochran": res(0.07)})
    assert same.startswith("Skiljer sig bedömningarna åt? 12 svarande")
    assert "p = 0,30" in same and "p = 0,070" in same and "går det inte att säga" in same
    differ = partner.likert_test_sentence({"friedman": res(0.3), "cochran": res(0.01)})
    assert differ.endswith("mer än vad slumpen brukar ge.")
    # A test that cannot be computed neither decides nor hides the other one's verdict
    nan = float("nan")
    one = partner.likert_test_sentence({"friedman": res(nan), "cochran": res(0.01)})
    assert one.endswith("mer än vad slumpen brukar ge.") and "p kan inte beräknas" in one
    neither = partner.likert_test_sentence({"friedman": res(nan, 1), "cochran": res(nan, 1)})
    assert "skiljer sig åt mer" not in neither and neither.endswith("inte prövas.")


@AUDIENCE_PARAMS
def test_likert_html(demo, audience):
    out_html = partner.likert_html(demo, audience=audience, min_cell=5, confidence=0.9)
    out = _parse(out_html)
    counts = partner.likert_counts(demo.responses, demo.questions, list(partner.DIMENSIONS))
    chart = partner.likert_chart_allowed(counts, audience=audience, min_cell=5)
    assert chart == any(a.startswith("Divergerande staplar") for a in out.alts)
    assert chart != ("visas inte som diagram" in out_html)
    assert any(a.startswith("Liggande staplar med konfidensintervall") for a in out.alts)
    assert "Andel som instämmer (90 % konfidensintervall)" in out.get("figcaption")
    expected = partner.likert_test_sentence(partner.likert_test(demo.responses, demo.questions))
    assert out.get("p")[-1] == expected
    if audience == "public":
        assert not chart  # the demo has Likert categories with 1–4 answers
        assert not _small_counts(out.get("td"), 5)
    else:
        assert chart and _small_counts(out.get("td"), 5)


def test_development_display():
    t = pd.DataFrame([[6, 1], [0, 7]], index=["Nej", "Ja"], columns=["Nej", "Ja"])
    internal = partner.development_display(t, audience="internal", min_cell=5)
    assert list(internal.index) == ["Egen: Nej", "Egen: Ja", "Totalt"]
    assert list(internal.columns) == ["Regionen: Nej", "Regionen: Ja", "Totalt"]
    assert internal.loc["Egen: Nej", "Regionen: Ja"] == 1
    assert internal.loc["Totalt", "Totalt"] == 14
    public = partner.development_display(t, audience="public", min_cell=5)
    assert public.loc["Egen: Nej", "Regionen: Ja"] == "–"
    assert list(t.index) == ["Nej", "Ja"]  # input untouched


@AUDIENCE_PARAMS
def test_development_html(demo, audience):
    out_html = partner.development_html(demo, audience=audience, min_cell=5)
    out = _parse(out_html)
    ag = partner.development_agreement(demo.responses, demo.questions)
    assert partner.agreement_summary(ag) in out.get("p")  # agreement and kappa in both
    heat = [a for a in out.alts if a.startswith("Värmekarta")]
    assert len(heat) == (audience == "internal")
    notice = partner.CROSSTAB_INTERNAL_ONLY.format(min_cell=5)
    if audience == "public":
        # the demo table has cells 1–4: shown, its hidden cells could be solved for from
        # "11 av 13" and the margins, so it is replaced by the notice
        assert not partner.publishable_crosstab(ag.table, 5)
        assert out.get("caption") == [] and out.get("td") == []
        assert any(notice in p for p in out.get("p"))
    else:
        assert out.get("caption")[0] == partner.DEVELOPMENT_CAPTION
        assert "Egen: Nej" in out.get("th") and "Regionen: Nej" in out.get("th")
        assert _small_counts(out.get("td"), 5) and notice not in out_html


def test_development_html_public_shows_a_table_that_needs_no_suppression(demo):
    # with min_cell=1 nothing is suppressed, so the public version shows the table
    out = _parse(partner.development_html(demo, audience="public", min_cell=1))
    assert out.get("caption") == [partner.DEVELOPMENT_CAPTION]
    assert "–" not in out.get("td")


@AUDIENCE_PARAMS
def test_rus_and_factors_html(demo, audience):
    rus = _parse(partner.rus_html(demo, audience=audience, min_cell=5))
    counts, n = partner.multi_counts(demo.responses, demo.questions["q3"])
    top = partner.top_categories(counts)
    assert len(top) == 3  # the demo has three parts tied at 8 of 14: all are named
    assert len(rus.alts) == 1 and rus.alts[0].endswith(
        f"Vanligast: {partner.join_names(top)} (lika många)."
    )
    assert f"de {n} svarande" in rus.alts[0]
    assert fmt.evenness_explanation(stats.evenness(counts)) in rus.get("p")
    factors = _parse(partner.factors_html(demo, audience=audience, min_cell=5, confidence=0.9))
    assert factors.get("figcaption") == [
        "Möjliggörare (framgångsfaktorer) (90 % konfidensintervall)",
        "Utmaningar (90 % konfidensintervall)",
    ]
    assert "möjliggörare (framgångsfaktorer)" in factors.alts[0]
    for alt, (qid, _) in zip(factors.alts, partner.FACTOR_QUESTIONS, strict=True):
        fcounts, _ = partner.multi_counts(demo.responses, demo.questions[qid])
        assert alt.endswith(f"Vanligast: {partner.leaders_text(fcounts)}.")
        assert all(f"”{name}”" in alt for name in partner.top_categories(fcounts))
    for out in (rus, factors):
        small = _small_counts(out.get("td"), 5)
        assert (not small) if audience == "public" else small


def test_ladder_alt():
    counts = pd.Series([1, 2, 6, 3, 2], index=["I", "D", "S", "P", "Ä"])
    assert partner.ladder_alt(counts) == (
        "Trappa i fem steg från I till Ä, med antalet svarande på varje steg. Flest svarande: S."
    )
    assert partner.ladder_alt(counts * 0).endswith("varje steg. Inga svar.")
    tied = pd.Series([1, 6, 6, 3, 6], index=["I", "D", "S", "P", "Ä"])
    assert partner.ladder_alt(tied).endswith("Flest svarande: D, S och Ä (lika många).")


@AUDIENCE_PARAMS
def test_ladder_html(demo, audience):
    out = _parse(partner.ladder_html(demo, audience=audience, min_cell=5))
    counts = partner.ladder_counts(demo.responses, demo.questions["q14"])
    assert out.alts == [partner.ladder_alt(counts)]
    assert out.alts[0].startswith("Trappa i fem steg från Information")
    caption = f"Var på engagemangstrappan samarbetet befinner sig ({int(counts.sum())} svarande)"
    assert out.get("figcaption") == [caption]
    cells = out.get("td")
    assert len(cells) == 5
    if audience == "public":
        assert not _small_counts(cells, 5) and "–" in cells
    else:
        assert cells == [str(v) for v in counts]


def test_free_text_html(inputs):
    internal = _parse(partner.free_text_html(inputs, audience="internal"))
    public = _parse(partner.free_text_html(inputs, audience="public"))
    q = inputs.questions
    assert public.get("h3") == [
        f"Fråga {q[i]['number']}: {q[i]['text']}" for i in ("q9", "q11", "q15")
    ]
    assert any("RISE" in t for t in internal.get("blockquote"))
    assert not any("RISE" in t for t in public.get("blockquote"))
    # no answers, and markup in an answer stays text
    r = inputs.responses.copy()
    r["q9"] = pd.array([None] * len(r), dtype="string")
    r.loc[0, "q11"] = "<script>alert(1)</script> samarbete"
    other = partner.Inputs(r, q, inputs.manifest, inputs.frame, inputs.codebook)
    out_html = partner.free_text_html(other, audience="internal", qids=["q9", "q11"])
    assert "<p>Inga svar.</p>" in out_html
    assert "<script>" not in out_html and "&lt;script&gt;" in out_html
    assert list(inputs.responses["q9"].dropna())  # the fixture itself is unchanged


@AUDIENCE_PARAMS
def test_sector_html(inputs, audience):
    out_html = partner.sector_html(inputs, audience=audience, min_cell=5)
    out = _parse(out_html)
    results = partner.sector_tests(inputs.responses, inputs.questions)
    notice = partner.SECTOR_INTERNAL_ONLY.format(min_cell=5)
    assert "–" not in out.get("td")  # never a suppressed cross-table, in either version
    if audience == "internal":
        assert out.get("caption") == [title for title, _, _ in results]
        for _, _, res in results:
            assert f"{res.method}: {fmt.format_p(res.pvalue)} (n = {res.n})." in out.get("p")
        assert _small_counts(out.get("td"), 5) and notice not in out_html
        return
    # public: every demo sector table has cells 1–4, so none is shown and no p-value either
    assert not any(partner.publishable_crosstab(t, 5) for _, t, _ in results)
    assert out.get("caption") == [] and out.get("td") == []
    assert out.get("h3") == [title for title, _, _ in results]
    assert out.get("p").count(notice) == len(results)
    assert "p =" not in out_html and "p <" not in out_html


def test_sector_html_public_keeps_tables_that_need_no_suppression(inputs):
    results = partner.sector_tests(inputs.responses, inputs.questions)
    out = _parse(partner.sector_html(inputs, audience="public", min_cell=1))
    assert out.get("caption") == [title for title, _, _ in results]
    assert len([p for p in out.get("p") if "(n = " in p]) == len(results)
    # a mix (without the one-respondent sector, some tables have no cell of 1): exactly the
    # tables that would need suppression are replaced, and only their p-values left out
    r = inputs.responses[inputs.responses["sektor"] != "Idéburen sektor"]
    fewer = partner.Inputs(r, inputs.questions, inputs.manifest, inputs.frame, inputs.codebook)
    results = partner.sector_tests(fewer.responses, fewer.questions)
    mixed_html = partner.sector_html(fewer, audience="public", min_cell=2)
    mixed = _parse(mixed_html)
    shown = [(title, res) for title, t, res in results if partner.publishable_crosstab(t, 2)]
    assert 0 < len(shown) < len(results)
    assert mixed.get("caption") == [title for title, _ in shown]
    assert mixed.get("h3") == [t for t, _, _ in results if t not in dict(shown)]
    assert len([p for p in mixed.get("p") if "(n = " in p]) == len(shown)
    for _, res in shown:
        assert f"{res.method}: {fmt.format_p(res.pvalue)} (n = {res.n})." in mixed.get("p")
    assert "–" not in mixed.get("td")


def test_publishable_crosstab():
    # the reviewer's case: Fråga 4 per sektor (internal numbers); its public version showed
    # "Offentlig – – 7", zeros in "Övriga" and "Totalt – – 12", and "11 av 12" elsewhere
    q4 = pd.DataFrame(
        [[6, 1], [2, 0], [2, 0], [1, 0]],
        index=["Offentlig sektor", "Näringsliv", "Akademi", "Idéburen sektor"],
        columns=["Instämmer", "Övriga"],
    )
    assert not partner.publishable_crosstab(q4, 5)
    assert partner.publishable_crosstab(q4, 1)
    # zeros and counts of at least min_cell are fine; a single small cell is not
    ok = pd.DataFrame([[5, 0], [0, 9]], index=["a", "b"], columns=["x", "y"])
    assert partner.publishable_crosstab(ok, 5)
    assert not partner.publishable_crosstab(ok, 6)
    assert partner.publishable_crosstab(ok * 0, 5)
    # the decision agrees with what suppression would do
    from analysis.disclosure.suppression import SUPPRESSED, suppress_table

    for table in (q4, ok, q4 + 4):
        for m in (1, 3, 5, 10):
            hides = (suppress_table(table, m).to_numpy() == SUPPRESSED).any()
            assert partner.publishable_crosstab(table, m) == (not hides)
    assert q4.loc["Offentlig sektor", "Övriga"] == 1  # input untouched


def test_top_categories_and_names():
    c = pd.Series([8, 6, 8, 0, 8], index=["A", "B", "C", "D", "E"])
    assert partner.top_categories(c) == ["A", "C", "E"]
    assert partner.top_categories(c.drop(["C", "E"])) == ["A"]
    assert partner.top_categories(c * 0) == [] and partner.top_categories(c.iloc[:0]) == []
    assert partner.join_names(["A"]) == "”A”"
    assert partner.join_names(["A", "B"]) == "”A” och ”B”"
    assert partner.join_names(["A", "B", "C"], quote=False) == "A, B och C"
    assert partner.leaders_text(c) == "”A”, ”C” och ”E” (lika många)"
    assert partner.leaders_text(c.drop(["C", "E"]), quote=False) == "A"


def test_leader_sentence_names_every_tied_category():
    c = pd.Series([8, 6, 8, 8], index=["A", "B", "C", "D"])
    phrase = "8 av 14 svarande (57 %, 95 % KI 36–76 %)"
    tie = partner.leader_sentence(c, 14, where="inom X", nouns=("del", "delar"), population=43)
    assert tie == f"Inom X delar tre delar förstaplatsen med {phrase}: ”A”, ”C” och ”D”."
    two = partner.leader_sentence(c.iloc[:3], 14, where="inom X", nouns=("del", "delar"))
    assert two.startswith("Inom X delar två delar förstaplatsen med 8 av 14 svarande")
    one = partner.leader_sentence(c.iloc[:2], 14, where="inom X", population=43)
    assert one == f"Vanligast inom X var ”A”: {phrase}."
    assert "90 % KI" in partner.leader_sentence(c, 14, where="inom X", confidence=0.9)
    assert partner.leader_sentence(c * 0, 0, where="inom X") == (
        "Inga alternativ inom X nämndes av de svarande."
    )


def test_summary_names_all_tied_rus_parts(inputs):
    counts, n = partner.multi_counts(inputs.responses, inputs.questions["q3"])
    top = partner.top_categories(counts)
    assert len(top) == 3
    text = " ".join(partner.summary_sentences(inputs))
    assert "delar tre delar förstaplatsen med" in text
    assert partner.join_names(top) in text
    assert "Vanligast inom den regionala" not in text
    # break the tie: the one part left on top is named alone
    r = inputs.responses.copy()
    col = next(f"q3__{o['code']}" for o in inputs.questions["q3"]["options"]
               if o["label"] == top[0])  # fmt: skip
    r[col] = pd.array([True] * len(r), dtype="boolean")
    one = partner.Inputs(r, inputs.questions, inputs.manifest, inputs.frame, inputs.codebook)
    text = " ".join(partner.summary_sentences(one))
    assert f"Vanligast inom den regionala utvecklingsstrategin var ”{top[0]}”: 14 av 14" in text


@AUDIENCE_PARAMS
def test_method_html(inputs, audience):
    paragraphs = _parse(
        partner.method_html(inputs, audience=audience, min_cell=5, confidence=0.9)
    ).get("p")
    expected = partner.method_notes(inputs, confidence=0.9, min_cell=5, audience=audience)
    assert paragraphs == [" ".join(p.split()) for p in expected]
    assert paragraphs[0].startswith("Intervallen är 90 procents")


def test_notebook_code_cells_only_call_section_functions():
    """Team rule: the notebook holds narrative and calls; every shown cell is one call."""
    import ast

    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for line in params[0].source.splitlines():
        assert " = " not in line.partition("#")[2], line
    called = []
    for cell in code:
        tags = cell.metadata.get("tags", [])
        if "parameters" in tags or "remove" in tags:
            continue
        tree = ast.parse(cell.source)
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), cell.source
        call = tree.body[0].value
        assert isinstance(call, ast.Call), cell.source
        assert ast.unparse(call.func) == "render.show" and len(call.args) == 1, cell.source
        inner = call.args[0]
        assert isinstance(inner, ast.Call) and ast.unparse(inner.func).startswith("partner.")
        assert all(isinstance(a, ast.Name) for a in inner.args), cell.source
        called.append(ast.unparse(inner.func).removeprefix("partner."))
    assert all(name.endswith("_html") and hasattr(partner, name) for name in called)
    assert set(called) >= {
        "summary_html", "response_html", "rus_html", "likert_html", "development_html",
        "factors_html", "ladder_html", "free_text_html", "sector_html", "method_html",
    }  # fmt: skip


def test_summary_bands_small_counts_only_in_public(inputs):
    public = partner.summary_html(inputs, audience="public", min_cell=12)
    internal = partner.summary_html(inputs, audience="internal", min_cell=12)
    assert "färre än 12 av 12 svarande" in public and "11 av 12 svarande" not in public
    assert "11 av 12 svarande" in internal and "färre än" not in internal
    assert "Färre än 12 av 13 svarande gav samma svar" in public
