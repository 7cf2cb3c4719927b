"""Partner-survey analysis functions, and the back-test of the headline numbers against the
committed ground truth (tests/ground_truth/partner_2021_demo_headline.csv)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import partner, stats
from analysis.demo import load_partner_design
from analysis.reference import load_sample_frame, sector_for_org_type

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
    assert ag.interpretation == stats.kappa_interpretation(ag.kappa.kappa)
    text = partner.agreement_summary(ag)
    assert f"{ag.agree} av {ag.n}" in text and ag.interpretation in text


def test_ladder(inputs):
    counts = partner.ladder_counts(inputs.responses, inputs.questions["q14"])
    assert len(counts) == 5 and counts.sum() <= 14
    fig = partner.ladder_figure(counts, title="Engagemangstrappan")
    from analysis.figures import png_bytes

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


def test_audience_checked():
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError):
        partner.check_audience("everyone")
