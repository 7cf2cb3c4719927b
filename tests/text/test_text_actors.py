"""Actor stances for Q6–Q10."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.text.actors import ACTORS, STANCES, actor_stances, score_clause, stance_for_actor

DEMO = (
    Path(__file__).resolve().parents[2]
    / "src/analysis/data/demo_content/municipality_2023_answers.yaml"
)


@pytest.mark.parametrize(
    ("text", "actor", "stance"),
    [
        ("Samverkan fungerar mycket bra och de är lyhörda.", "lansstyrelsen", "fungerar_bra"),
        (
            "Länsstyrelsen tolkar lagstiftningen olika och processerna är långsamma.",
            "lansstyrelsen",
            "behover_forbattras",
        ),
        ("Bra dialog men långa ledtider i tillståndsprocesserna.", "lansstyrelsen", "blandat"),
        ("Vi har ingen kontakt med Länsstyrelsen.", "lansstyrelsen", "ingen_kontakt"),
        (
            "Trafikverket är svårt att få kontakt med. Luftfartsverket har vi ingen kontakt med.",
            "luftfartsverket",
            "ingen_kontakt",
        ),
        (
            "Trafikverket är svårt att få kontakt med. Luftfartsverket har vi ingen kontakt med.",
            "trafikverket",
            "behover_forbattras",
        ),
        # no actor name: applies to the question's main actor, not the secondary one
        ("Det fungerar bra, bra dialog.", "trafikverket", "fungerar_bra"),
        ("Det fungerar bra, bra dialog.", "luftfartsverket", "ingen_kontakt"),
        ("Polisen fungerar inte bra, lång inställelsetid.", "polisen", "behover_forbattras"),
        ("Inga problem, bra samarbete med kommunpolisen.", "polisen", "fungerar_bra"),
        (
            "Ekobrottsmyndigheten: ett fåtal ärenden som fungerat jättebra.",
            "ekobrottsmyndigheten",
            "fungerar_bra",
        ),
    ],
)
def test_stance_examples(text, actor, stance):
    assert stance_for_actor(text, actor).stance == stance


def test_improvement_areas_from_negative_clauses():
    r = stance_for_actor(
        "Analyserna är bra. Däremot saknas lokal närvaro och kompetensförsörjningen brister.",
        "arbetsformedlingen",
    )
    assert r.stance == "blandat"
    assert "kompetensforsorjning" in r.improvement_areas
    assert r.label == "Blandat"


def test_score_clause_negation():
    assert score_clause("Det fungerar inte bra")[0] == 0
    assert score_clause("inga problem")[1] == 0


def test_actor_stances_table():
    df = pd.DataFrame(
        {
            "q1": ["Vindeln", "Bjurholm"],
            "q6": ["Bra samarbete.", None],
            "q7": ["Trafikverket hörsammar inte våra behov; väldigt långa processer.", ""],
            "q9": ["Polisen fungerar bra.", "Polisen saknar lokal närvaro."],
        }
    )
    out = actor_stances(df)
    assert len(out) == 2 * len(ACTORS)
    assert list(out["stance"].cat.categories) == list(STANCES)
    got = out.set_index(["id", "actor"])["stance"]
    assert got[("Vindeln", "lansstyrelsen")] == "fungerar_bra"
    assert got[("Vindeln", "trafikverket")] == "behover_forbattras"
    assert pd.isna(got[("Bjurholm", "lansstyrelsen")])  # not answered
    assert pd.isna(got[("Vindeln", "arbetsformedlingen")])  # column missing
    assert got[("Bjurholm", "polisen")] == "behover_forbattras"
    assert (
        out.loc[out["stance"] == "behover_forbattras", "stance_label"].iloc[0]
        == "Behöver förbättras"
    )


@pytest.mark.skipif(
    not DEMO.is_file(), reason="demoinnehållet (municipality_2023_answers.yaml) finns inte ännu"
)
def test_demo_actor_accuracy_floor():
    from analysis.data.demo import load_municipality_answers
    from analysis.text.actors import load_gold_actors, stance_accuracy

    answers = load_municipality_answers(DEMO)
    gold = load_gold_actors(DEMO)
    if not gold:
        pytest.skip("demoinnehållet har inga guldmärkta 'actors:'")
    df = pd.DataFrame(
        [
            {
                "q1": name,
                **{
                    q: (v.get("text") if isinstance(v, dict) else v)
                    for q, v in entry.items()
                    if q.startswith("q")
                },
            }
            for name, entry in answers.items()
        ]
    )
    acc = stance_accuracy(actor_stances(df), gold)
    assert acc.loc["totalt", "n"] >= 15
    assert acc.loc["totalt", "accuracy"] > 0.5
