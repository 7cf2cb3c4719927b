"""Partner survey: the numbers (``partner.data``), the Swedish wording (``partner.phrases``), the
quote selection (``partner.quotes``) and the back-test of the headline numbers against the
committed ground truth (tests/ground_truth/partner_2021_demo_headline.csv)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import stats
from analysis.data.demo import load_partner_design
from analysis.data.reference import load_sample_frame, sector_for_org_type
from analysis.surveys import partner
from analysis.surveys.partner import data, phrases, quotes

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
def inputs() -> data.Inputs:
    cb = _codebook()
    return data.Inputs(
        responses=wide_from_design(),
        questions=data.questions_from_codebook(cb),
        manifest={"synthetic": True},
        frame=load_sample_frame(),
        codebook=cb,
    )


# --------------------------------------------------------------------------------------------
# Back-test
# --------------------------------------------------------------------------------------------
def _compare_with_ground_truth(table: pd.DataFrame) -> None:
    truth = pd.read_csv(GROUND_TRUTH, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["metric", "numerator", "denominator"]
    pd.testing.assert_frame_equal(table.reset_index(drop=True), truth)


def test_headline_on_design_frame_matches_ground_truth(inputs):
    _compare_with_ground_truth(partner.headline(inputs))


def test_headline_on_processed_demo_matches_ground_truth(processed_demo):
    """The back-test proper: ingest the demo export, then compute the headline numbers."""
    _compare_with_ground_truth(
        partner.headline(partner.load_inputs(processed_demo("partner_2021")))
    )


def test_headline_is_computed_not_copied(inputs):
    fewer = data.Inputs(
        inputs.responses.iloc[1:].reset_index(drop=True),
        inputs.questions,
        inputs.manifest,
        inputs.frame,
        inputs.codebook,
    )
    h = partner.headline(fewer).set_index("metric")
    assert h.loc["n_respondents", "numerator"] == str(len(inputs.responses) - 1)


def test_load_inputs_and_require_survey_refuse_other_surveys(tmp_path):
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError, match="partner_2021"):
        partner.load_inputs(tmp_path, survey="municipality_2023")
    with pytest.raises(ConfigError, match="partner_2021"):
        partner.require_survey("municipality_2023")


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------
def test_frame_profile_adds_up_and_groups(inputs):
    prof = data.frame_profile(inputs.frame, inputs.responses)
    assert prof["i_urvalet"].sum() == 43 and prof["svarande"].sum() == len(inputs.responses)
    assert prof.loc["Kommun", "i_urvalet"] == 15
    groups = {
        "Offentlig": ["Kommun", "Region", "Statlig myndighet", "Annan offentlig organisation"]
    }
    groups["Övriga"] = [t for t in prof.index if t not in groups["Offentlig"]]
    coarse = data.frame_profile(inputs.frame, inputs.responses, groups=groups)
    assert coarse["i_urvalet"].tolist() == [24, 19]
    assert coarse["svarande"].sum() == len(inputs.responses)


def test_response_rate():
    r = data.response_rate(14, 43)
    assert r["andel"] == pytest.approx(14 / 43) and r["ej_svar"] == 29


def test_share_bounds_put_worst_case_next_to_both_intervals():
    t = data.share_bounds(pd.Series({"A": 8, "B": 0}), 14, frame=43)
    a = t.loc["A"]
    assert (a["varsta_fall_lag"], a["varsta_fall_hog"]) == pytest.approx(
        stats.worst_case_bounds(8, 14, 43)
    )
    with_fpc = stats.fpc_interval(8, 14, 43)
    assert (a["ki_lag"], a["ki_hog"]) == pytest.approx(with_fpc["med_korrektion"])
    assert (a["ki_lag_utan"], a["ki_hog_utan"]) == pytest.approx(with_fpc["utan_korrektion"])
    # with 29 of 43 missing the worst-case span is much wider than the sampling interval
    assert a["varsta_fall_hog"] - a["varsta_fall_lag"] > 1.5 * (a["ki_hog"] - a["ki_lag"])
    assert t.loc["B", "varsta_fall_hog"] == pytest.approx(29 / 43)


def test_joint_positive_counts_agreement_with_every_statement(inputs):
    k, n = data.joint_positive(inputs.responses)
    values = inputs.responses[list(data.DIMENSIONS)].astype(object)
    expected = int(values.isin(data.LIKERT_POSITIVE).all(axis=1).sum())
    assert (k, n) == (expected, 14)
    for qid in data.DIMENSIONS:  # agreeing with all three ≤ agreeing with each
        assert k <= data.positive_count(inputs.responses[qid], inputs.questions[qid])[0]


def test_development_agreement_uses_weighted_kappa_and_bowker(inputs):
    ag = data.development_agreement(inputs.responses, inputs.questions)
    assert list(ag.table.index) == ["Nej", "Ja, i viss grad", "Ja, i hög grad"]
    values = ag.table.to_numpy()
    assert ag.kappa.kappa == pytest.approx(stats.weighted_kappa(values).kappa)
    assert ag.symmetry.pvalue == pytest.approx(stats.bowker_exact(values).pvalue)
    assert ag.agree == int(np.trace(values)) and ag.n == int(values.sum())


def test_development_table_side_by_side(inputs):
    t = data.development_table(inputs.responses, inputs.questions)
    assert list(t.columns) == ["q8", "q10"] and list(t.index)[-1] == "Vet ej"
    assert t.sum().tolist() == [14, 14]


def test_one_test_per_statement_question(inputs):
    res = data.likert_test(inputs.responses, inputs.questions)
    assert isinstance(res, stats.TestResult) and "Friedman" in res.method
    assert 0 < res.pvalue <= 1 and res.n <= 14


def test_sector_tests_one_exact_test_per_question(inputs):
    results = data.sector_tests(inputs.responses, inputs.questions)
    assert [qid for qid, _, _ in results] == [q for q, _ in data.SECTOR_QUESTIONS]
    for _, table, res in results:
        assert table.to_numpy().sum() <= 14
        assert np.isnan(res.pvalue) or 0 < res.pvalue <= 1


def test_inputs_are_not_mutated(inputs):
    before = inputs.responses.copy()
    data.multi_counts(inputs.responses, inputs.questions["q3"])
    data.development_agreement(inputs.responses, inputs.questions)
    data.sector_tests(inputs.responses, inputs.questions)
    data.joint_positive(inputs.responses)
    pd.testing.assert_frame_equal(inputs.responses, before)


# --------------------------------------------------------------------------------------------
# Wording
# --------------------------------------------------------------------------------------------
def test_kappa_wording_matches_its_interval():
    wide = phrases.kappa_sentence(0.74, 0.40, 1.00)
    assert "betydande" not in wide.split(".")[0]  # no single level for a wide interval
    assert "från viss till nästan fullständig" in wide
    narrow = phrases.kappa_sentence(0.9, 0.85, 0.95)
    assert "nästan fullständig överensstämmelse" in narrow and "sträcker" not in narrow


def test_uncertainty_sentence_names_what_dominates():
    worst = stats.worst_case_bounds(8, 14, 43)
    _, lo, hi = stats.proportion_ci(8, 14, population=43)
    text = phrases.uncertainty_sentence(ci=(lo, hi), worst=worst, n=14, frame=43)
    assert text.startswith("Bortfallet väger tyngst") and "29 av 43" in text
    census_like = phrases.uncertainty_sentence(ci=(lo, hi), worst=(0.55, 0.6), n=42, frame=43)
    assert census_like.startswith("Slumpen väger tyngst")


def test_short_names_and_ranges():
    q3 = data.questions_from_codebook(_codebook())["q3"]
    assert phrases.short_name(q3, q3["options"][0]["label"]) == "företagande"
    assert phrases.ranges([1, 2, 3, 5]) == "1–3 och 5"


# --------------------------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------------------------
def test_quotes_are_whole_sentences_and_masked_in_public():
    texts = [
        "RISE har ett välfungerande innovationspartnerskap med regionen. Vi har också bra "
        "samarbeten kring design, livsmiljöer, kultur och kreativitet.",
        "Regionen har lärt sig saker som tidigare främst låg på Länsstyrelsen och vice versa.",
        "Det finns inget större intresse från regionen för vad som görs i Umeå kommun.",
        None,
        "  ",
    ]
    public = quotes.quotes_by_theme(texts, public=True, keep=("Region Västerbotten",))
    flat = [q for qs in public.values() for q in qs]
    assert flat
    internal = {q.source: q.text for qs in quotes.quotes_by_theme(texts, public=False).values()
                for q in qs}  # fmt: skip
    for q in flat:
        assert not any(n in q.text for n in ("RISE", "Länsstyrelsen", "Umeå"))
        raw = internal[q.source]
        assert raw in texts[q.source]  # verbatim: a run of whole sentences of its answer
        assert raw.endswith((".", "!", "?")) and raw[0].isupper()
    assert any("RISE" in t for t in internal.values())
    # "Vi har också …" leans on the sentence before it and is never quoted alone
    assert not any(t.startswith("Vi har också") for t in internal.values())


def test_quotes_never_mask_region_vasterbotten():
    texts = ["Region Västerbotten har ett mycket bra samarbete med Skellefteå kommun i projekt."]
    (q,) = [
        q
        for qs in quotes.quotes_by_theme(texts, public=True, keep=("Region Västerbotten",)).values()
        for q in qs
    ]
    assert "Region Västerbotten" in q.text and "Skellefteå" not in q.text


def test_polarity_men_with_negative_ending_is_a_challenge():
    texts = [
        "Vi har ett mycket bra samarbete med regionen i våra projekt.",
        "Operativ samverkan finns men problemet att implementera kvarstår.",
    ]
    tones = {q.source: q.polarity for qs in quotes.quotes_by_theme(texts, public=False).values()
             for q in qs}  # fmt: skip
    assert tones == {0: "positiv", 1: "kritisk"}


def test_select_quotes_varied_and_without_near_duplicates():
    texts = [
        "Vi har ett mycket bra samarbete med regionen i flera projekt.",
        "Vi har ett mycket bra samarbete med regionen i många projekt.",
        "Det finns inget större intresse från regionen för kommunerna och det är ett problem.",
        "Genom medverkan i 3 projekt och 2 styrgrupper utvecklas våra gemensamma mål.",
    ]
    chosen = [q for qs in quotes.quotes_by_theme(texts, public=False).values() for q in qs]
    assert {q.polarity for q in chosen} >= {"positiv", "kritisk"}
    assert not {0, 1} <= {q.source for q in chosen}  # the near-duplicate is left out
    assert len({q.source for q in chosen}) == len(chosen)


def test_most_critical_voice_is_the_most_negative_sentence():
    texts = [
        "Vi har ett mycket bra samarbete med regionen.",
        "Samarbetet fungerar. Bristen på transparens skadar arbetet och det saknas dialog.",
        "Det är lite svårt ibland med tiderna.",
    ]
    voice = quotes.critical_sentence(texts, public=False)
    assert voice is not None and "transparens skadar" in voice.text and voice.source == 1
    assert quotes.critical_sentence(["Allt är bra och vi är nöjda."], public=False) is None


def test_theme_quotes_at_most_three(processed_demo):
    from analysis.data.dataset import load

    wide = load("partner_2021", processed_demo("partner_2021")).wide
    texts = [t for q in data.FREE_TEXT_QUESTIONS for t in wide[q].dropna()]
    out = quotes.quotes_by_theme(texts, public=True)
    assert out and all(1 <= len(v) <= 3 for v in out.values())
