"""Review table, verified overrides, agreement (vs statsmodels) and evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from analysis.errors import ConfigError, InputValidationError
from analysis.text.coding import (
    agreement_by_theme,
    apply_verified,
    cohens_kappa_binary,
    evaluate,
    labels_to_frame,
    read_verified,
    suggest_codes,
)


def _sm_kappa(a, b):
    table = np.zeros((2, 2))
    for x, y in zip(a, b, strict=True):
        table[x, y] += 1
    return cohens_kappa(table).kappa


@pytest.mark.parametrize("seed", range(8))
def test_kappa_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 80))
    a = rng.integers(0, 2, n)
    b = np.where(rng.random(n) < 0.7, a, rng.integers(0, 2, n))
    assert cohens_kappa_binary(a, b) == pytest.approx(_sm_kappa(a, b), abs=1e-12)


def test_kappa_degenerate_is_nan():
    assert np.isnan(cohens_kappa_binary([0, 0, 0], [0, 0, 0]))
    assert np.isnan(cohens_kappa_binary([], []))


@pytest.fixture()
def survey_df():
    return pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r3"],
            "q4": ["Bredbandet och fibern i glesbygden.", "Kompetensförsörjningen.", None],
            "q3": ["", "Elnätet är svagt och bostadsbristen stor.", "=1+1 Vägarna"],
        }
    )


def test_suggest_codes_review_table(themes, survey_df):
    out = suggest_codes(survey_df, ["q4", "q3"], "respondent_id", themes)
    assert list(out.columns[:5]) == ["id", "question", "text", "suggested_themes", "evidence"]
    assert out.columns[-1] == "verified_themes"
    assert set(themes.ids) <= set(out.columns)
    assert list(zip(out["id"], out["question"], strict=True)) == [
        ("r1", "q4"),
        ("r2", "q4"),
        ("r2", "q3"),
        ("r3", "q3"),
    ]
    assert out.loc[0, "suggested_themes"] == "digitalisering;infra_digital"  # q4: sub-areas
    assert "infra_energi" not in out.loc[2, "suggested_themes"]  # q3: no infra_* sub-areas
    assert "hallbar_omstallning" in out.loc[2, "suggested_themes"]
    assert "samhallsplanering" in out.loc[2, "suggested_themes"]  # implied by bostader
    assert "digitalisering: Bredbandet@0-10" in out.loc[0, "evidence"]  # word@span
    assert (out["verified_themes"] == "").all()
    assert survey_df.loc[2, "q3"] == "=1+1 Vägarna"  # input untouched
    without_id = suggest_codes(survey_df, ["q4"], None, themes)
    assert without_id["id"].tolist() == ["1", "2"]
    with pytest.raises(ConfigError, match="Tillgängliga"):
        suggest_codes(survey_df, ["q99"], "respondent_id", themes)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
def test_apply_verified_overrides_and_agreement(themes, survey_df, tmp_path):
    sug = suggest_codes(survey_df, ["q4", "q3"], "respondent_id", themes)
    ver = pd.DataFrame(
        {
            "id": ["r1", "r2", "r3"],
            "question": ["q4", "q3", "q3"],
            "verified_themes": ["digitalisering", "-", "trafikinfrastruktur;infra_transport"],
        }
    )
    path = tmp_path / "verified_codes.csv"
    ver.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    final = apply_verified(sug, path, themes)
    assert final["source"].tolist() == ["verifierad", "förslag", "verifierad", "verifierad"]
    assert final.loc[0, "final_themes"] == "digitalisering"
    assert final.loc[2, "final_themes"] == ""
    assert final.loc[1, "final_themes"] == sug.loc[1, "suggested_themes"]
    assert sug.loc[0, "suggested_themes"] == "digitalisering;infra_digital"  # not mutated

    agr = agreement_by_theme(sug, read_verified(path), themes)
    assert (agr["n"] == 3).all()
    row = agr.loc["infra_digital"]
    assert (row["suggested_n"], row["verified_n"]) == (1, 0)
    assert row["agreement_pct"] == pytest.approx(100 * 2 / 3)
    vt = labels_to_frame(ver["verified_themes"], themes.ids)
    s3 = sug.set_index(["id", "question"]).loc[list(zip(ver["id"], ver["question"], strict=True))]
    for t in ("digitalisering", "hallbar_omstallning", "bostader"):
        a, b = s3[t].to_numpy(), vt[t].to_numpy()
        expected = (
            _sm_kappa(a, b)
            if len(set(a) | set(b)) > 1 and not (len(set(a)) == 1 and len(set(b)) == 1)
            else np.nan
        )
        got = agr.loc[t, "kappa"]
        assert (np.isnan(got) and np.isnan(expected)) or got == pytest.approx(expected)


def test_apply_verified_rejects_unknown(themes, survey_df, tmp_path):
    sug = suggest_codes(survey_df, ["q4"], "respondent_id", themes)
    bad = tmp_path / "v.csv"
    bad.write_text("id;question;verified_themes\nr1;q4;påhittat\nr9;q4;digitalisering\n", "utf-8")
    with pytest.raises(InputValidationError) as exc:
        apply_verified(sug, bad, themes)
    assert exc.value.kinds == {"unknown_theme", "unknown_answer"}
    assert "rad 2" in str(exc.value) and "påhittat" in str(exc.value)
    missing_col = tmp_path / "m.csv"
    missing_col.write_text("id;question\nr1;q2\n", "utf-8")
    with pytest.raises(InputValidationError, match="verified_themes"):
        read_verified(missing_col)


def test_apply_verified_without_file_keeps_suggestions(themes, survey_df, monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    sug = suggest_codes(survey_df, ["q4"], "respondent_id", themes)
    final = apply_verified(sug, None, themes)
    assert (final["source"] == "förslag").all()
    assert final["final_themes"].tolist() == sug["suggested_themes"].tolist()


def test_evaluate_hand_computed():
    coded = pd.DataFrame({"a": [1, 1, 0, 0], "b": [0, 1, 1, 0], "c": [0, 0, 0, 0]})
    gold = [["a"], ["a", "b"], [], ["b"]]
    res = evaluate(coded, gold)
    assert res.loc["a", ["tp", "fp", "fn"]].tolist() == [2, 0, 0]
    assert res.loc["b", ["precision", "recall"]].tolist() == [0.5, 0.5]
    assert res.loc["micro", "precision"] == pytest.approx(3 / 4)
    assert res.loc["micro", "recall"] == pytest.approx(3 / 4)
    assert res.loc["macro", "f1"] == pytest.approx((1.0 + 0.5) / 2)  # c has no support
    with pytest.raises(ValueError):
        evaluate(coded, gold[:2])


def test_survey_codes_from_processed_folder(themes, tmp_path):
    from analysis.text.coding import survey_codes
    from analysis.text.safe_export import write_review_file

    pd.DataFrame(
        {
            "respondent_id": ["r1", "r1", "r2", "r2"],
            "question_id": ["q4", "q14", "q4", "q1"],
            "question_type": ["text", "text", "text", "municipality"],
            "option_code": [None] * 4,
            "value": ["Elnätet räcker inte.", "Digitalisering", "Vägarna", "Umeå"],
        }
    ).to_parquet(tmp_path / "answers.parquet")
    pd.DataFrame({"respondent_id": ["r1", "r2"], "q1": ["Vindeln", "Umeå"]}).to_parquet(
        tmp_path / "responses.parquet"
    )
    out = survey_codes(processed=tmp_path, themes=themes, use_verified=False)
    assert list(zip(out["id"], out["kommun"], out["question"], strict=True)) == [
        ("r1", "Vindeln", "q4"),
        ("r2", "Umeå", "q4"),
        ("r1", "Vindeln", "q14"),
    ]
    assert out.loc[0, "final_themes"] == "hallbar_omstallning;infra_energi"
    assert (out["source"] == "förslag").all()
    ver = out[["id", "question"]].copy()
    ver["verified_themes"] = ["-", "", "digitalisering;paverkansarbete"]
    vpath = write_review_file(ver, tmp_path / "verified_codes.xlsx")
    final = survey_codes(processed=tmp_path, themes=themes, verified=vpath)
    assert final["source"].tolist() == ["verifierad", "förslag", "verifierad"]
    assert final["final_themes"].tolist() == [
        "",
        "infra_transport;trafikinfrastruktur",
        "digitalisering;paverkansarbete",
    ]
