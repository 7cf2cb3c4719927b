"""Unit tests of analysis.surveys.municipality on small constructed DataFrames."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.data.reference import MUNICIPALITY_GROUPS, load_municipalities
from analysis.errors import ConfigError, InputValidationError
from analysis.surveys import municipality as mu
from analysis.text.themes import PRIORITY_AREAS, load_themes


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
            "kommunkod": ["2480", "2418", "2404", "2418", None],
            "kommungrupp": ["storsta", "ovriga", "umearegionen_ovriga", "ovriga", None],
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


# -- small helpers ---------------------------------------------------------------------------
def test_count_phrase_and_audience():
    assert mu.count_phrase(7, 15) == "7 av 15 kommuner"
    assert mu.count_phrase(np.int64(0), 15) == "0 av 15 kommuner"
    assert mu.check_audience(" internal ") == "internal"
    with pytest.raises(ConfigError, match="audience"):
        mu.check_audience("intern")


def test_responding_municipalities_uses_categorical_order_and_drops_missing(wide):
    assert mu.responding_municipalities(wide) == ["Malå", "Umeå", "Vindeln"]


# -- reshaping -------------------------------------------------------------------------------
def test_answers_table_keeps_only_non_empty_answers_with_a_municipality(wide):
    before = wide.copy()
    a = mu.answers_table(wide, ["q2", "q3", "q4"])
    pd.testing.assert_frame_equal(wide, before)  # not mutated
    assert list(a.columns) == mu.ANSWER_COLUMNS
    assert (a["text"].str.strip() != "").all()
    assert "r5" not in set(a["respondent_id"])  # no municipality
    assert len(a) == 6
    assert a.loc[a["respondent_id"] == "r1", "question_id"].tolist() == ["q2", "q3", "q4"]
    assert set(a["kommungrupp"]) == {"storsta", "ovriga"}


def test_sentences_table_splits_and_numbers(wide):
    s = mu.sentences_table(mu.answers_table(wide, ["q4"]))
    umea = s[s["kommun"] == "Umeå"]
    assert umea["sentence_no"].tolist() == [0, 1]
    assert umea["text"].tolist() == ["Elnätet har för låg kapacitet.", "Bra bredband i tätorten."]


def test_code_frame_adds_one_column_per_theme(wide, themes):
    a = mu.answers_table(wide, ["q2", "q3"])
    coded = mu.code_frame(a, themes)
    assert list(coded.columns) == [*mu.ANSWER_COLUMNS, *themes.ids]
    assert coded[themes.ids].isin([0, 1]).all().all()
    by_text = coded.set_index("text")
    assert by_text.loc["Bostäder saknas.", "bostader"] == 1
    assert by_text.loc["Kompetensförsörjningen är svår.", "kompetensforsorjning"] == 1
    assert by_text.loc["Kompetensförsörjningen är svår.", "bostader"] == 0
    empty = mu.code_frame(a.iloc[0:0], themes)
    assert list(empty.columns) == list(coded.columns) and empty.empty


def test_theme_matrix_counts_each_municipality_once():
    coded = pd.DataFrame(
        {
            "kommun": ["A", "A", "A", "B"],
            "question_id": ["q2", "q3", "q3", "q5"],
            "x": [1, 1, 1, 0],
            "y": [0, 0, 0, 1],
        }
    )
    m = mu.theme_matrix(coded, ["x", "y"], ["A", "B", "C"])
    assert m.loc["A"].tolist() == [1, 0]
    assert m.loc["C"].tolist() == [0, 0]
    only_q5 = mu.theme_matrix(coded, ["x", "y"], ["A", "B", "C"], questions=["q5"])
    assert only_q5.sum().tolist() == [0, 1]
    none = mu.theme_matrix(coded, ["x", "y"], ["A", "B"], questions=["q9"])
    assert none.shape == (2, 2) and int(none.to_numpy().sum()) == 0


# -- counting --------------------------------------------------------------------------------
def test_theme_counts_sorted_with_phrase_and_computed_total():
    m = pd.DataFrame({"a": [0, 1, 1, 0], "b": [1, 1, 1, 0], "c": [0, 1, 1, 0], "d": [0] * 4})
    t = mu.theme_counts(m, {"a": "A", "b": "B", "c": "C", "d": "D"})
    assert t["tema"].tolist() == ["b", "a", "c"]  # ties keep codebook order, zeros dropped
    assert t["Antal kommuner"].tolist() == [
        "3 av 4 kommuner",
        "2 av 4 kommuner",
        "2 av 4 kommuner",
    ]
    assert "d" in mu.theme_counts(m, {}, drop_zero=False)["tema"].tolist()
    assert mu.theme_counts(m, {}, total=15)["Antal kommuner"].iloc[0] == "3 av 15 kommuner"


def test_priority_ranking_competition_ranks_and_all_areas_listed():
    m = pd.DataFrame({"p1": [1, 0, 0], "p2": [1, 1, 1], "p3": [1, 0, 0], "p4": [0, 0, 0]})
    r = mu.priority_ranking(m, {"p1": "P1"}, ["p1", "p2", "p3", "p4", "saknas"], total=15)
    assert r["tema"].tolist() == ["p2", "p1", "p3", "p4"]
    assert r["Plats"].tolist() == [1, 2, 2, 4]
    assert r["Prioriterat område"].tolist()[:2] == ["p2", "P1"]
    assert r["Antal kommuner"].iloc[0] == "3 av 15 kommuner"


def test_cooccurrence_within_answers_counts_municipalities():
    answers = pd.DataFrame(
        {"x": [1, 0, 1, 1, 1], "y": [0, 1, 1, 1, 0], "z": [0, 0, 0, 0, 1]},
    )
    kommun = pd.Series(["A", "A", "B", "B", "C"])
    co = mu.cooccurrence(answers, groups=kommun)
    assert co.loc["x", "y"] == 1  # A names x and y only in different answers; B twice → once
    assert co.loc["x", "x"] == 3 and co.loc["y", "y"] == 2
    assert co.loc["x", "z"] == 1 and co.loc["y", "z"] == 0
    assert list(mu.cooccurrence(answers, groups=kommun, min_count=2).columns) == ["x", "y"]


def test_cooccurrence_matches_a_brute_force_count():
    rng = np.random.default_rng(3)
    m = pd.DataFrame(rng.integers(0, 2, size=(15, 5)), columns=list("abcde"))
    m["z"] = 0
    co = mu.cooccurrence(m)
    assert "z" not in co.columns
    for s, t in itertools.product(co.columns, repeat=2):
        expected = sum(int(m.loc[i, s] and m.loc[i, t]) for i in m.index)
        assert co.loc[s, t] == expected
    assert (co.to_numpy() == co.to_numpy().T).all()


def test_answer_coverage_counts_municipalities_and_words(wide):
    cov = mu.answer_coverage(wide, ["q2", "q3", "q4", "q15"]).set_index("Fråga")
    # q2: Umeå and Malå (Malå twice: counted once); r5 has no municipality
    assert cov.loc["2", "antal"] == 2
    assert cov.loc["2", "Svar från"] == "2 av 3 kommuner"
    assert cov.loc["3", "Kortaste"] == 3 and cov.loc["3", "Längsta"] == 3
    assert cov.loc["15", "antal"] == 0 and cov.loc["15", "Median antal ord"] == 0.0


# -- opportunity / challenge -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Det finns stora möjligheter med vätgas.", "möjlighet"),
        ("Vår styrka är ett väl utbyggt bredband.", "möjlighet"),
        ("God tillgång till el.", "möjlighet"),
        ("Den största utmaningen är underhållet.", "utmaning"),
        ("Kompetensbristen är ett problem.", "utmaning"),
        ("Det är svårt att få fram detaljplaner.", "utmaning"),
        ("Kapaciteten i elnätet är inte tillräcklig.", "utmaning"),
        ("Det är inte bra.", "utmaning"),
        ("Elnätet räcker inte till.", "utmaning"),
        ("Det fungerar inte.", "utmaning"),
        ("Bra läge, inte minst för besöksnäringen.", "möjlighet"),
        ("Bra vägar men bristfälligt underhåll.", "båda"),
        ("Kommunen deltar i projektet.", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_polarity(sentence, expected):
    assert mu.polarity(sentence) == expected


def test_infrastructure_table_counts_municipalities_not_sentences():
    s = pd.DataFrame(
        {
            "kommun": ["A", "A", "B", "C", "X"],
            "text": [
                "Bra vägar.",
                "Vägarna är en möjlighet.",
                "Vägunderhållet är bristfälligt.",
                "Fiber finns.",
                "Bra vägar.",
            ],
            "infra_transport": [1, 1, 1, 0, 1],
            "infra_digital": [0, 0, 0, 1, 0],
        }
    )
    t = mu.infrastructure_table(
        s, ["A", "B", "C"], {"infra_transport": "Transport", "infra_digital": "Digital", "x": "X"}
    )
    assert t.loc["Transport"].tolist() == [2, 1, 1]  # X is not a responding municipality
    assert t.loc["Digital"].tolist() == [1, 0, 0]
    assert t.loc["X"].tolist() == [0, 0, 0]


# -- actors ----------------------------------------------------------------------------------
def test_actor_stance_counts_and_municipality_table():
    st = pd.DataFrame(
        {
            "kommun": ["A", "B", "C", "A", "A"],
            "actor": ["polisen", "polisen", "polisen", "trafikverket", "polisen"],
            "stance": ["fungerar_bra", "fungerar_bra", "okänd", "behover_forbattras", "blandat"],
        }
    )
    t = mu.actor_stance_counts(st)
    assert list(t.index) == list(mu.ACTOR_LABELS.values())
    assert list(t.columns) == list(mu.STANCE_LABELS.values())
    assert (
        t.loc["Polisen", "Fungerar bra"] == 2
    )  # A's duplicate row ignored, unknown stance dropped
    assert t.loc["Polisen"].sum() == 2
    assert t.loc["Trafikverket", "Behöver förbättras"] == 1
    assert t.loc["Luftfartsverket"].sum() == 0
    by = mu.actor_stance_by_municipality(st, ["A", "B", "C", "D"])
    assert by.loc["A", "Polisen"] == "Fungerar bra"
    assert by.loc["D", "Trafikverket"] == "–"


def test_improvement_counts_top_per_actor():
    imp = pd.DataFrame(
        {
            "kommun": ["A", "B", "C", "A", "A"],
            "actor": ["polisen"] * 3 + ["trafikverket"] * 2,
            "theme": ["x", "x", "y", "z", "z"],
        }
    )
    t = mu.improvement_counts(imp, {"x": "Ex"}, top=1)
    # actors in the report's order (Trafikverket before Polisen), at most `top` areas each
    assert t.to_dict("records") == [
        {"Aktör": "Trafikverket", "Förbättringsområde": "z", "antal": 1},
        {"Aktör": "Polisen", "Förbättringsområde": "Ex", "antal": 2},
    ]
    assert mu.improvement_counts(imp.iloc[0:0], {}).empty


# -- groups ----------------------------------------------------------------------------------
@pytest.fixture()
def county():
    ref = load_municipalities()
    groups = pd.Series(ref["kommungrupp"].to_numpy(), index=ref["kommun"].to_numpy())
    rng = np.random.default_rng(7)
    matrix = pd.DataFrame(
        rng.integers(0, 2, size=(15, 4)), index=groups.index, columns=["a", "b", "c", "d"]
    )
    matrix["a"] = 1  # everybody
    return matrix, groups


def test_merge_small_groups_merges_umea_into_umearegionen(county):
    _, groups = county
    merged = mu.merge_small_groups(groups, 5, MUNICIPALITY_GROUPS)
    sizes = merged.value_counts()
    assert sizes.min() >= 5
    assert merged["Umeå"] == merged["Vindeln"]
    assert merged["Umeå"] != merged["Malå"]
    assert mu.merge_small_groups(groups, 10, MUNICIPALITY_GROUPS).nunique() == 1
    assert (
        mu.merge_small_groups(groups, 1, MUNICIPALITY_GROUPS)["Umeå"]
        == (MUNICIPALITY_GROUPS["storsta"])
    )


def test_group_comparison_public_never_shows_umea_alone_or_small_cells(county):
    matrix, groups = county
    labels = {t: t.upper() for t in matrix.columns}
    pub = mu.group_comparison(
        matrix, groups, labels, MUNICIPALITY_GROUPS, min_cell=5, audience="public"
    )
    assert MUNICIPALITY_GROUPS["storsta"] not in pub.columns
    sizes = pub.loc["Antal kommuner"]
    assert sizes["Alla"] == 15
    assert all(v >= 5 for v in sizes.drop("Alla"))
    body = pub.drop(index="Antal kommuner")
    shown = [v for v in body.to_numpy().ravel() if v != "–"]
    assert all(v == 0 or v >= 5 for v in shown)
    # a row with one suppressed group cell must have its complement suppressed too
    for _, row in body.iterrows():
        groups_only = row.drop("Alla")
        assert (groups_only == "–").sum() != 1 or row["Alla"] == "–"
    # rows whose county-wide total is small are left out (that total is published elsewhere)
    assert all(v == "–" or v >= 5 for v in body["Alla"])
    small = [t.upper() for t in matrix.columns if matrix[t].sum() < 5]
    assert not set(small) & set(body.index)
    # everybody mentions "a": the row is fully shown
    assert body.loc["A"].tolist() == [6, 9, 15]

    internal = mu.group_comparison(
        matrix, groups, labels, MUNICIPALITY_GROUPS, min_cell=5, audience="internal"
    )
    assert list(internal.columns) == [*MUNICIPALITY_GROUPS.values(), "Alla"]
    assert internal.loc["Antal kommuner"].tolist() == [1, 5, 9, 15]
    assert internal.loc["B", "Alla"] == int(matrix["b"].sum())


# -- quotes ----------------------------------------------------------------------------------
@pytest.fixture()
def quote_sentences():
    texts = {
        "Malå": "Elnätet måste byggas ut för att klara nya etableringar.",
        "Umeå": "Elnätet måste byggas ut snabbare i hela länet.",
        "Vindeln": "Elnätet behöver byggas ut för nya etableringar i kommunen.",
        "Åsele": "Kulturen blomstrar.",
        "Dorotea": "x" * 300,
    }
    return pd.DataFrame(
        {
            "kommun": list(texts),
            "question_id": ["q4"] * len(texts),
            "sentence_no": [0] * len(texts),
            "text": list(texts.values()),
            "infra_energi": [1, 1, 1, 0, 1],
        }
    )


def test_select_quotes_short_representative_deterministic(quote_sentences):
    q = mu.select_quotes(quote_sentences, quote_sentences["infra_energi"] == 1, n=2)
    assert len(q) == 2
    assert q["kommun"].is_unique
    assert (q["text"].str.len() <= 220).all()  # the 300-character answer is never chosen
    assert "Dorotea" not in q["kommun"].tolist()
    shuffled = quote_sentences.sample(frac=1, random_state=1)
    q2 = mu.select_quotes(shuffled, shuffled["infra_energi"] == 1, n=2)
    assert q2["text"].tolist() == q["text"].tolist()
    # the most central sentence shares the most words with the others
    assert q["kommun"].iloc[0] in {"Malå", "Vindeln"}
    assert mu.select_quotes(quote_sentences, quote_sentences["kommun"] == "Ingen").empty


def test_one_quote_per_municipality():
    s = pd.DataFrame(
        {
            "kommun": ["A", "A", "B"],
            "question_id": ["q2", "q3", "q2"],
            "sentence_no": [0, 0, 0],
            "text": [
                "Samma mening om bostäder här.",
                "Samma mening om bostäder här.",
                "En helt annan mening om vägarna.",
            ],
        }
    )
    assert mu.select_quotes(s, n=5)["kommun"].tolist() == ["A", "B"]


def test_prepare_quotes_masks_in_public_and_attributes_internally():
    q = pd.DataFrame(
        {"kommun": ["Umeå"], "text": ["I Umeå kommun och i Holmsund saknas bostäder."]}
    )
    public = mu.prepare_quotes(q, "public")
    assert public == ["I [kommun] och i [kommun] saknas bostäder."]
    internal = mu.prepare_quotes(q, "internal")
    assert internal == ["I Umeå kommun och i Holmsund saknas bostäder. — Umeå"]


def test_quotes_for_theme_filters_questions_and_polarity():
    s = pd.DataFrame(
        {
            "kommun": ["A", "B", "C"],
            "question_id": ["q4", "q4", "q5"],
            "sentence_no": [0, 0, 0],
            "text": [
                "Elnätet har en alldeles för låg kapacitet.",
                "Elnätet är en stor möjlighet för oss.",
                "Elnätet är en stor möjlighet för industrin.",
            ],
            "infra_energi": [1, 1, 1],
        }
    )
    q = mu.quotes_for_theme(s, "infra_energi", questions=["q4"], polarity_filter="möjlighet")
    assert q["kommun"].tolist() == ["B"]
    assert mu.quotes_for_theme(s, "saknas").empty


# -- verified codes ----------------------------------------------------------------------------
def test_apply_verification_overrides_and_reports_agreement(wide, themes, tmp_path):
    coded = mu.code_frame(mu.answers_table(wide, ["q2", "q3"]), themes)
    assert coded.loc[coded["text"] == "Bostäder saknas.", "bostader"].item() == 1
    path = tmp_path / "verified_codes.csv"
    pd.DataFrame(
        {
            "id": ["r4", "r1", "r2"],
            "question": ["q2", "q3", "q2"],
            # r2's q2 is blank, so it is not coded; the reviewer's "-" for it is accepted
            "verified_themes": ["befolkning", "kompetensforsorjning", "-"],
        }
    ).to_csv(path, index=False)
    final, agreement = mu.apply_verification(coded, themes, path)
    row = final[final["text"] == "Bostäder saknas."].iloc[0]
    assert row["bostader"] == 0 and row["befolkning"] == 1 and row["source"] == "verifierad"
    assert (final["source"] == "verifierad").sum() == 2
    assert agreement.loc["bostader", "n"] == 2
    assert agreement.loc["bostader", "agreement_pct"] == 50.0
    assert agreement.loc["kompetensforsorjning", "agreement_pct"] == 100.0
    # the input is not modified
    assert coded.loc[coded["text"] == "Bostäder saknas.", "bostader"].item() == 1
    # a verified theme for an answer that does not exist is an error the coder must fix
    pd.DataFrame({"id": ["r9"], "question": ["q2"], "verified_themes": ["bostader"]}).to_csv(
        path, index=False
    )
    with pytest.raises(InputValidationError, match="finns inte"):
        mu.apply_verification(coded, themes, path)


def test_group_comparison_public_drops_rows_with_small_totals():
    idx = [f"k{i}" for i in range(15)]
    groups = pd.Series(["storsta"] + ["umearegionen_ovriga"] * 5 + ["ovriga"] * 9, index=idx)
    matrix = pd.DataFrame({"rare": [0] * 14 + [1], "common": [1] * 15}, index=idx)
    pub = mu.group_comparison(
        matrix, groups, {}, MUNICIPALITY_GROUPS, min_cell=5, audience="public"
    )
    assert "rare" not in pub.index and "common" in pub.index
    internal = mu.group_comparison(
        matrix, groups, {}, MUNICIPALITY_GROUPS, min_cell=5, audience="internal"
    )
    assert internal.loc["rare", "Övriga kommuner"] == 1


def test_mask_unlisted_names_catches_unknown_places_but_keeps_words(themes):
    text = "Närheten till Borgafjäll och Vindelälven. Dåva är vår logistiknod."
    masked = mu.mask_unlisted_names(text, themes)
    assert "Borgafjäll" not in masked and "Vindelälven" not in masked
    assert masked.endswith("Dåva är vår logistiknod.")  # sentence start left alone
    kept = "Vi prioriterar Kompetensförsörjning, Trafikinfrastruktur och Region Västerbotten."
    assert mu.mask_unlisted_names(kept, themes) == kept


def test_polarity_quotes_prefer_clear_sentences():
    s = pd.DataFrame(
        {
            "kommun": ["A", "B", "C"],
            "question_id": ["q4"] * 3,
            "sentence_no": [0, 0, 0],
            "text": [
                "Fibern är bra i tätorten men saknas i byarna.",
                "Fibernätet är en stor möjlighet för hela kommunen.",
                "Fibern ger goda möjligheter för företagen.",
            ],
            "infra_digital": [1, 1, 1],
        }
    )
    q = mu.quotes_for_theme(s, "infra_digital", polarity_filter="möjlighet", n=2)
    assert sorted(q["kommun"]) == ["B", "C"]
    q3 = mu.quotes_for_theme(s, "infra_digital", polarity_filter="möjlighet", n=3)
    assert sorted(q3["kommun"]) == ["A", "B", "C"]


def test_analyse_on_a_small_wide_table(wide, themes):
    a = mu.analyse(wide, themes)
    assert a.municipalities == ["Malå", "Umeå", "Vindeln"] and a.total == 3
    assert set(a.section_matrices) == set(mu.SECTION_QUESTIONS)
    assert set(a.question_matrices) == set(mu.TEXT_QUESTIONS)
    assert a.matrix_all.shape == (3, len(themes))
    assert a.counts("q2").set_index("tema").loc["bostader", "antal"] == 2  # Umeå and Malå
    assert a.groups.to_dict() == {
        "Malå": "ovriga",
        "Umeå": "storsta",
        "Vindeln": "umearegionen_ovriga",
    }
    assert not a.verified and a.agreement is None
    assert a.stances.empty  # nobody answered Q6–Q10
    assert a.priority_ids == list(PRIORITY_AREAS)


# -- banding of small counts (public report) -------------------------------------------------
def test_band_count_bands_only_counts_between_one_and_min_cell_minus_one():
    assert [mu.band_count(n, 5) for n in range(7)] == [
        "0",
        "färre än 5",
        "färre än 5",
        "färre än 5",
        "färre än 5",
        "5",
        "6",
    ]
    assert mu.band_count(np.int64(2), 3) == "färre än 3"
    assert [mu.band_count(n, None) for n in (0, 1, 4)] == ["0", "1", "4"]
    assert mu.count_phrase(4, 15, min_cell=5) == "färre än 5 av 15 kommuner"
    assert mu.count_phrase(0, 15, min_cell=5) == "0 av 15 kommuner"
    assert mu.band_limit("public", 3) == 3 and mu.band_limit("internal", 3) is None


def test_band_frame_keeps_exact_ints_and_does_not_mutate():
    t = pd.DataFrame({"a": [0, 4, 5], "b": [1, 9, 2]}, index=["x", "y", "z"])
    before = t.copy()
    out = mu.band_frame(t, 5)
    pd.testing.assert_frame_equal(t, before)
    assert out.to_dict("list") == {"a": [0, "färre än 5", 5], "b": ["färre än 5", 9, "färre än 5"]}
    assert isinstance(out.loc["z", "a"], (int, np.integer))
    pd.testing.assert_frame_equal(mu.band_frame(t, None), t)


def test_theme_counts_public_bands_and_orders_banded_themes_by_codebook():
    m = pd.DataFrame({"a": [1, 0, 0, 0, 0, 0], "b": [1] * 6, "c": [1, 1, 1, 0, 0, 0], "d": [0] * 6})
    t = mu.theme_counts(m, {}, total=15, min_cell=5)
    # c (3) and a (1) are both banded: codebook order, not count order
    assert t["tema"].tolist() == ["b", "a", "c"]
    assert t["Antal kommuner"].tolist() == [
        "6 av 15 kommuner",
        "färre än 5 av 15 kommuner",
        "färre än 5 av 15 kommuner",
    ]
    assert t["antal"].tolist() == [6, 1, 3]  # exact counts kept for computation
    assert mu.theme_counts(m, {}, total=15)["tema"].tolist() == ["b", "c", "a"]


def test_priority_ranking_public_gives_banded_areas_one_shared_place():
    m = pd.DataFrame(
        {
            "p1": [1, 0, 0, 0, 0, 0],
            "p2": [1] * 6,
            "p3": [1, 1, 1, 1, 0, 0],
            "p4": [0] * 6,
            "p5": [1, 1, 0, 0, 0, 0],
        }
    )
    ids = ["p1", "p2", "p3", "p4", "p5"]
    r = mu.priority_ranking(m, {}, ids, total=15, min_cell=5)
    assert r["tema"].tolist() == ["p2", "p1", "p3", "p5", "p4"]  # report order within the band
    assert r["Plats"].tolist() == [1, 2, 2, 2, 5]
    assert r["Antal kommuner"].tolist() == [
        "6 av 15 kommuner",
        *["färre än 5 av 15 kommuner"] * 3,
        "0 av 15 kommuner",
    ]
    internal = mu.priority_ranking(m, {}, ids, total=15)
    assert internal["tema"].tolist() == ["p2", "p3", "p5", "p1", "p4"]
    assert internal["Plats"].tolist() == [1, 2, 3, 4, 5]


def test_answer_coverage_public_bands_counts_and_hides_lengths_of_few_answers():
    w = pd.DataFrame(
        {"q1": list("ABCDEF"), "q2": ["ett två"] * 6, "q3": ["ett", "ett två tre"] + [""] * 4}
    )
    cov = mu.answer_coverage(w, ["q2", "q3"], min_cell=5)
    assert cov["Svar från"].tolist() == ["6 av 6 kommuner", "färre än 5 av 6 kommuner"]
    assert (
        cov.loc[1, ["Median antal ord", "Kortaste", "Längsta", "Ord totalt"]].tolist() == ["–"] * 4
    )
    assert cov.loc[0, "Ord totalt"] == 12
    assert mu.answer_coverage(w, ["q3"]).loc[0, "Längsta"] == 3


def _feasible_values(shown_row, total, min_cell):
    """Brute force, independent of the implementation: every value each banded cell can take
    given the published row and its total. The reader knows that a "–" next to published
    cells is a complementary suppression (at least min_cell); a row of only "–" may hide
    anything."""
    all_hidden = all(v == "–" for v in shown_row)
    domains = []
    for v in shown_row:
        if isinstance(v, str) and v.startswith("färre än"):
            domains.append(range(1, min_cell))
        elif v == "–":
            domains.append(range(0 if all_hidden else min_cell, total + 1))
        else:
            domains.append([int(v)])
    values = [set() for _ in shown_row]
    for combo in itertools.product(*domains):
        if sum(combo) == total:
            for i, x in enumerate(combo):
                values[i].add(x)
    return values


@pytest.mark.parametrize(
    "row",
    [
        [1, 13, 1, 0],
        [3, 0, 0, 12],
        [1, 1, 0, 13],
        [3, 4, 8, 0],
        [4, 4, 7, 0],
        [9, 3, 2, 1],
        [2, 0, 0, 0],
        [4, 4, 0, 0],
        [10, 5, 0, 0],
    ],
)
def test_band_with_row_totals_never_lets_a_band_be_recovered_from_the_row_total(row):
    table = pd.DataFrame([row], columns=list("abcd"), index=["x"])
    shown = mu.band_with_row_totals(table, 5).iloc[0].tolist()
    total = sum(row)
    # exact counts are never altered, small counts are never shown exactly
    for v, s in zip(row, shown, strict=True):
        assert s in ("färre än 5", "–") if 0 < v < 5 else s in (v, "–")
    feasible = _feasible_values(shown, total, 5)
    for v, vals in zip(row, feasible, strict=True):
        if 0 < v < 5:
            assert v in vals and len(vals) > 1, (row, shown)
    if not any(0 < v < 5 for v in row):
        assert shown == row  # nothing to protect, nothing hidden


def test_band_with_row_totals_on_the_actor_table_hides_as_little_as_needed():
    counts = pd.DataFrame(
        [[1, 13, 1, 0], [10, 5, 0, 0], [9, 3, 2, 1]],
        columns=list(mu.STANCE_LABELS.values()),
        index=["Länsstyrelsen", "Polisen", "Universiteten"],
    )
    shown = mu.band_with_row_totals(counts, 5)
    assert shown.loc["Länsstyrelsen"].tolist() == ["färre än 5", "–", "färre än 5", 0]
    assert shown.loc["Polisen"].tolist() == [10, 5, 0, 0]
    assert shown.loc["Universiteten"].tolist() == [9, "färre än 5", "färre än 5", "färre än 5"]
