"""Unit tests of analysis.surveys.municipality (the subpackage) on small constructed DataFrames."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data.reference import load_municipalities
from analysis.errors import InputValidationError
from analysis.surveys.municipality import actors as ma
from analysis.surveys.municipality import counts as mc
from analysis.surveys.municipality import data as md
from analysis.surveys.municipality import model as mm
from analysis.surveys.municipality import wording as mw
from analysis.text.themes import PRIORITY_AREAS, load_themes

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "analysis" / "surveys" / "municipality"


@pytest.fixture(scope="module")
def themes():
    return load_themes()


@pytest.fixture()
def wide():
    """Four municipalities (one twice), a few answers each."""
    return pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r3", "r4", "r5"],
            "q1": pd.Categorical(
                ["Umeå", "Malå", "Vindeln", "Malå", None],
                categories=["Malå", "Umeå", "Vindeln", "Åsele"],
            ),
            "q2": ["Bostadsbyggandet tar fart.", "  ", None, "Bostäder saknas.", "Bostäder"],
            "q3": ["Kompetensförsörjningen är svår.", "Svårt att rekrytera.", "", None, None],
            "q4": [
                "Elnätet har för låg kapacitet. Bra bredband i tätorten.",
                "Järnvägen är en möjlighet.",
                None,
                None,
                None,
            ],
        }
    )


# -- structure ---------------------------------------------------------------------------------
def test_the_package_is_split_into_modules_of_one_concern_and_bounded_size():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert {"data.py", "model.py", "counts.py", "actors.py", "summary.py"} <= set(sizes)
    assert max(sizes.values()) <= 520, sizes
    old = PACKAGE.parent / "municipality_sections.py"
    assert not old.exists() and not (PACKAGE.parents[1] / "report" / "municipality.py").exists()


def test_no_private_disclosure_machinery_is_left():
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.glob("*.py"))
    for gone in ("band_", "BAND_", "färre än", 'SUPPRESSED = "'):
        assert gone not in source, gone


# -- wording -----------------------------------------------------------------------------------
def test_count_phrases_read_as_swedish():
    assert mw.count_phrase(7, 15) == "7 av 15 kommuner"
    assert mw.count_phrase(np.int64(15), 15) == "alla 15 kommuner"
    assert mw.count_phrase(0, 15) == "ingen av de 15 kommunerna"
    assert mw.list_phrase(["a", "b", "c"]) == "a, b och c"
    assert mw.sentence("flest kommuner svarade") == "Flest kommuner svarade."


# -- reshaping ---------------------------------------------------------------------------------
def test_responding_municipalities_uses_categorical_order_and_drops_missing(wide):
    assert md.responding_municipalities(wide) == ["Malå", "Umeå", "Vindeln"]


def test_answers_table_keeps_only_non_empty_answers_with_a_municipality(wide):
    before = wide.copy()
    a = md.answers_table(wide, ["q2", "q3", "q4"])
    pd.testing.assert_frame_equal(wide, before)  # not mutated
    assert list(a.columns) == md.ANSWER_COLUMNS
    assert "r5" not in set(a["respondent_id"]) and len(a) == 6
    assert a.loc[a["respondent_id"] == "r1", "question_id"].tolist() == ["q2", "q3", "q4"]


def test_a_huge_answer_is_cut_and_counted(wide):
    w = wide.copy()
    w.loc[0, "q2"] = "Bostäder saknas i hela kommunen. " * 5000
    a = md.answers_table(w, ["q2"])
    assert a["text"].str.len().max() <= md.MAX_ANSWER_CHARS
    assert md.truncated_answers(a) == 1
    s = md.sentences_table(a)
    assert (s["respondent_id"] == "r1").sum() <= md.MAX_SENTENCES


def test_code_frame_and_theme_matrix(wide, themes):
    coded = md.code_frame(md.answers_table(wide, ["q2", "q3"]).drop(columns="chars"), themes)
    by_text = coded.set_index("text")
    assert by_text.loc["Bostäder saknas.", "bostader"] == 1
    assert by_text.loc["Kompetensförsörjningen är svår.", "kompetensforsorjning"] == 1
    m = md.theme_matrix(coded, themes.ids, ["Malå", "Umeå", "Vindeln"])
    assert m.loc["Malå", "bostader"] == 1 and m.loc["Vindeln"].sum() == 0


def test_answer_coverage_is_numeric(wide):
    cov = md.answer_coverage(wide, ["q2", "q3", "q15"])
    assert cov.loc[2, "Kommuner som svarat"] == 2  # Malå twice counts once; r5 has no municipality
    assert cov.loc[3, "Kortaste"] == 3 and np.isnan(cov.loc[15, "Median antal ord"])
    assert all(pd.api.types.is_numeric_dtype(cov[c]) for c in cov.columns)


# -- counting ----------------------------------------------------------------------------------
def test_theme_counts_sorted_numeric_and_exclusions():
    m = pd.DataFrame({"a": [0, 1, 1, 0], "b": [1, 1, 1, 0], "c": [0, 1, 1, 0], "d": [0] * 4})
    t = mc.theme_counts(m, {"a": "A", "b": "B", "c": "C", "d": "D"})
    assert t.index.tolist() == ["B", "A", "C"] and t.attrs["ids"] == ["b", "a", "c"]
    assert t["Antal kommuner"].tolist() == [3, 2, 2]
    assert mc.theme_counts(m, {}, exclude=["b"]).attrs["ids"] == ["a", "c"]


def test_priority_ranking_shares_places_and_lists_every_area():
    m = pd.DataFrame({"p1": [1, 0, 0], "p2": [1, 1, 1], "p3": [1, 0, 0], "p4": [0, 0, 0]})
    r = mc.priority_ranking(m, {"p1": "P1"}, ["p1", "p2", "p3", "p4", "saknas"])
    assert r.attrs["ids"] == ["p2", "p1", "p3", "p4"]
    assert r["Plats"].tolist() == [1, 2, 2, 4] and r["Antal kommuner"].tolist() == [3, 1, 1, 0]


def test_cooccurrence_matches_a_brute_force_count_and_top_pairs_skip_the_diagonal():
    rng = np.random.default_rng(3)
    m = pd.DataFrame(rng.integers(0, 2, size=(15, 5)), columns=list("abcde"))
    co = mc.cooccurrence(m)
    for s, t in itertools.product(co.columns, repeat=2):
        assert co.loc[s, t] == sum(int(m.loc[i, s] and m.loc[i, t]) for i in m.index)
    top = mc.top_pairs(co, {}, k=3)
    assert len(top) == 3 and all(" + " in p for p in top.index)
    values = top["Antal kommuner"].tolist()
    assert values == sorted(values, reverse=True)
    assert values[0] == max(co.iat[i, j] for i in range(5) for j in range(i + 1, 5))


def test_cooccurrence_within_answers_counts_municipalities():
    answers = pd.DataFrame({"x": [1, 0, 1, 1, 1], "y": [0, 1, 1, 1, 0]})
    co = mc.cooccurrence(answers, groups=pd.Series(["A", "A", "B", "B", "C"]))
    assert co.loc["x", "y"] == 1  # A names x and y only in different answers; B twice → once


def test_infrastructure_uses_the_main_clause_rule():
    s = pd.DataFrame(
        {
            "kommun": ["A", "B", "C", "X"],
            "text": [
                "Det finns gott om el men nätet räcker inte till.",
                "Vi har god tillgång till el från vattenkraft.",
                "Elnätet finns.",
                "Bra el.",
            ],
            "infra_energi": [1, 1, 1, 1],
        }
    )
    t = mc.infrastructure_table(s, ["A", "B", "C"], {"infra_energi": "Energi"})
    assert t.loc["Energi"].to_dict() == {"Tar upp området": 3, "Möjlighet": 1, "Utmaning": 1}


def test_hide_small_uses_the_shared_suppression_and_never_mutates():
    t = pd.DataFrame({"Bra": [1, 10, 3], "Blandat": [13, 5, 0], "Dåligt": [1, 0, 12]})
    before = t.copy()
    exact = mc.hide_small(t, 1)
    assert exact.equals(t.astype(float))
    hidden = mc.hide_small(t, 5, totals_known=True)
    pd.testing.assert_frame_equal(t, before)
    assert hidden.isna().to_numpy()[t.to_numpy() == 1].all()
    # with known row totals no hidden cell is alone in its row
    for _, row in hidden.iterrows():
        assert row.isna().sum() != 1
    assert mc.hide_small(pd.Series([3, 9]), 5).isna().tolist() == [True, False]


def test_group_table_has_sizes_in_the_header_and_a_county_column():
    idx = [f"k{i}" for i in range(15)]
    groups = pd.Series(["K1"] + ["K2"] * 5 + ["K3"] * 9, index=idx)
    matrix = pd.DataFrame({"x": [1] * 15, "y": [0] * 14 + [1], "z": [0] * 15}, index=idx)
    t = mc.group_table(matrix, groups, {"x": "X", "y": "Y"})
    assert t.columns.tolist() == [
        "K1 Umeå (1)",
        "K2 Pendlingsnära (5)",
        "K3 Övriga (9)",
        "Länet (15)",
    ]
    assert t.index.tolist() == ["X", "Y"]  # z (nobody) left out
    assert t.loc["Y"].tolist() == [0, 0, 1, 1]


# -- the municipality groups (seed 004) ----------------------------------------------------------
def test_commuting_categories_follow_seed_004():
    ref = load_municipalities()
    assert ref["pendlingskategori"].value_counts().to_dict() == {"K3": 9, "K2": 5, "K1": 1}
    k = ref.set_index("kommun")
    assert k.loc["Umeå", "pendlingskategori"] == "K1"
    assert set(k.index[k["pendlingskategori"] == "K2"]) == {
        "Vännäs", "Nordmaling", "Robertsfors", "Vindeln", "Bjurholm",
    }  # fmt: skip
    minutes = k["restid_bil_umea_min"].astype(int)
    assert (minutes[k["pendlingskategori"] == "K2"] <= 45).all()
    assert (minutes[k["pendlingskategori"] == "K3"] > 45).all()
    # K1 is the largest municipality; the old columns other modules use are kept
    assert {"kommungrupp", "kommungrupp_label", "umearegionen"} <= set(ref.columns)


# -- actors -------------------------------------------------------------------------------------
def test_actor_stance_counts_and_municipality_table():
    st = pd.DataFrame(
        {
            "kommun": ["A", "B", "C", "A", "A"],
            "actor": ["polisen", "polisen", "polisen", "trafikverket", "polisen"],
            "stance": ["fungerar_bra", "fungerar_bra", "okänd", "behover_forbattras", "blandat"],
        }
    )
    t = ma.actor_stance_counts(st)
    assert list(t.index) == list(ma.ACTOR_LABELS.values())
    assert t.loc["Polisen", "Fungerar bra"] == 2 and t.loc["Polisen"].sum() == 2
    assert t.loc["Luftfartsverket"].sum() == 0
    by = ma.actor_stance_by_municipality(st, ["A", "D"])
    assert by.loc["A", "Polisen"] == "Fungerar bra" and by.loc["D", "Trafikverket"] == "Ej svarat"


def test_improvement_counts_are_numeric_top_per_actor():
    imp = pd.DataFrame(
        {"kommun": ["A", "B", "C", "A"], "actor": ["polisen"] * 3 + ["trafikverket"],
         "theme": ["x", "x", "y", "z"]}
    )  # fmt: skip
    t = ma.improvement_counts(imp, {"x": "Ex"}, top=1)
    assert t.index.tolist() == [("Trafikverket", "z"), ("Polisen", "Ex")]
    assert t["Antal kommuner"].tolist() == [1, 2]
    assert ma.improvement_counts(imp.iloc[0:0], {}).empty


def test_stance_sentence_reads_as_counts():
    from analysis.surveys.municipality.collaboration import stance_sentence

    row = pd.Series({"Fungerar bra": 0, "Blandat": 2, "Behöver förbättras": 3, "Ingen kontakt": 0})
    assert stance_sentence("Länsstyrelsen", row) == (
        "Länsstyrelsen: 2 av 5 kommuner säger att samverkan är blandad och 3 att den behöver "
        "förbättras."
    )
    assert stance_sentence("Länsstyrelsen", row.astype(float).replace(2.0, np.nan)) is None


# -- the coded survey ------------------------------------------------------------------------------
def test_analyse_on_a_small_wide_table(wide, themes):
    a = mm.analyse(wide, themes)
    assert a.municipalities == ["Malå", "Umeå", "Vindeln"] and a.total == 3
    assert set(a.section_matrices) == set(md.SECTION_QUESTIONS)
    assert a.matrix("q2").loc[["Malå", "Umeå"], "bostader"].tolist() == [1, 1]
    assert a.groups.to_dict() == {"Malå": "K3", "Umeå": "K1", "Vindeln": "K2"}
    assert not a.verified and a.agreement is None and a.truncated == 0
    assert a.priority_ids == list(PRIORITY_AREAS)


def test_apply_verification_overrides_and_reports_agreement(wide, themes, tmp_path):
    coded = md.code_frame(md.answers_table(wide, ["q2", "q3"]).drop(columns="chars"), themes)
    path = tmp_path / "verified_codes.csv"
    pd.DataFrame(
        {
            "id": ["r4", "r1", "r2"],
            "question": ["q2", "q3", "q2"],
            "verified_themes": ["befolkning", "kompetensforsorjning", "-"],
        }
    ).to_csv(path, index=False)
    final, agreement, coders = mm.apply_verification(coded, themes, path)
    assert coders is None  # one reviewer: no between-coder table
    row = final[final["text"] == "Bostäder saknas."].iloc[0]
    assert row["bostader"] == 0 and row["befolkning"] == 1 and row["source"] == "verifierad"
    assert agreement.loc["bostader", "agreement_pct"] == 50.0
    assert coded.loc[coded["text"] == "Bostäder saknas.", "bostader"].item() == 1  # not mutated
    pd.DataFrame({"id": ["r9"], "question": ["q2"], "verified_themes": ["bostader"]}).to_csv(
        path, index=False
    )
    with pytest.raises(InputValidationError, match="finns inte"):
        mm.apply_verification(coded, themes, path)


def test_two_coders_give_consensus_codes_and_agreement_per_coder(wide, themes, tmp_path):
    coded = md.code_frame(md.answers_table(wide, ["q2", "q3"]).drop(columns="chars"), themes)
    path = tmp_path / "verified_codes.csv"
    pd.DataFrame(
        {
            "id": ["r4", "r4", "r1", "r1"],
            "question": ["q2", "q2", "q3", "q3"],
            "verified_themes": ["befolkning", "befolkning;bostader", "-", "kompetensforsorjning"],
            "coder": ["Anna Berg", "Olle Lind", "Anna Berg", "Olle Lind"],
        }
    ).to_csv(path, index=False)
    final, _, coders = mm.apply_verification(coded, themes, path)
    row = final[final["text"] == "Bostäder saknas."].iloc[0]
    # both coded befolkning; bostader 1 of 2 (a tie) -> the machine's suggestion (1) decides
    assert row["befolkning"] == 1 and row["bostader"] == 1 and row["source"] == "verifierad"
    assert list(coders.columns) == ["alpha", "n_shared", "kappa Anna Berg", "kappa Olle Lind"]
    assert int(coders.loc["befolkning", "n_shared"]) == 2
    assert coders.loc["befolkning", "alpha"] == pytest.approx(1.0)
    assert coders.loc["bostader", "alpha"] < 1.0


def test_the_report_compares_coders_without_naming_them(themes, tmp_path):
    from analysis.report.section import Section
    from analysis.surveys.municipality import appendix

    a = mm.Analysis.__new__(mm.Analysis)
    a.verified = True
    a.labels = dict(themes.labels)
    a.agreement = pd.DataFrame(
        {"suggested_n": [3], "verified_n": [2], "agreement_pct": [80.0], "kappa": [0.5],
         "n": [5], "label": ["Bostäder"]}, index=["bostader"],
    )  # fmt: skip
    a.coders = pd.DataFrame(
        {"alpha": [0.8], "n_shared": [5], "kappa Anna Berg": [0.7], "kappa Olle Lind": [0.6]},
        index=["bostader"],
    )

    class Ctx:
        public = True

        def hide(self, df):
            return df

    Ctx.a = a
    sec = appendix.quality(Ctx())
    assert isinstance(sec, Section)
    html = sec._repr_html_()
    assert "granskare 1" in html and "granskare 2" in html and "Krippendorff" in html
    assert "Anna" not in html and "Olle" not in html


# -- figures -------------------------------------------------------------------------------------
def test_stance_bars_show_n_per_actor_and_skip_hidden_rows():
    from analysis.surveys.municipality.figures import stance_bars

    t = pd.DataFrame(
        {"Fungerar bra": [9, np.nan], "Blandat": [3, 1], "Behöver förbättras": [2, 0],
         "Ingen kontakt": [1, 14]}, index=["Länsstyrelsen", "Luftfartsverket"],
    )  # fmt: skip
    fig = stance_bars(t, title="Hur fungerar samverkan? " * 4)
    ax = fig.axes[0]
    labels = [lab.get_text() for lab in ax.get_yticklabels()]
    assert labels == ["Länsstyrelsen (n = 15)", "Luftfartsverket (visas inte)"]
    assert "\n" in ax.get_title(loc="left")  # wrapped, not clipped
    assert [t.get_text() for t in ax.texts][:2] == ["9", "3"]


def test_count_bars_draw_hidden_counts_as_text_only():
    from analysis.surveys.municipality.figures import count_bars

    fig = count_bars(pd.Series({"A": 9.0, "B": np.nan}), 15, title="Test")
    assert [t.get_text() for t in fig.axes[0].texts] == ["9", "visas inte"]
    assert len(fig.axes[0].patches) == 1


def test_a_key_message_never_picks_one_of_several_tied_themes_silently():
    from types import SimpleNamespace

    import pandas as pd

    from analysis.surveys.municipality.results import top_themes_phrase

    ctx = SimpleNamespace(phrase=lambda n: None if pd.isna(n) else f"{int(n)} av 15 kommuner")
    counts = pd.Series(
        {"Hållbar omställning": 9, "Trafik": 7, "Attraktion": 7, "Näringsliv": 7, "Kultur": 3}
    )
    two = top_themes_phrase(ctx, counts)
    assert two.startswith("hållbar omställning (9 av 15 kommuner) och trafik (7 av 15)")
    assert "2 teman till med lika många" in two  # attraktion and näringsliv: counted, not dropped
    one_tie = top_themes_phrase(ctx, counts.drop("Näringsliv"))
    assert "attraktion (7 av 15)" in one_tie and "lika många" not in one_tie  # named
    assert top_themes_phrase(ctx, counts, k=1) == "hållbar omställning (9 av 15 kommuner)"
    hidden = pd.Series({"A": float("nan"), "B": 5, "C": 4})
    assert top_themes_phrase(ctx, hidden) == "b (5 av 15 kommuner) och c (4 av 15)"
