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


def test_phrase_positions_equal_a_plain_loop_over_every_term_and_position():
    """The grouped search (first words once, a cheap substring check first) finds exactly what
    trying every term at every position finds, irregular forms and compounds included."""
    import random

    from analysis.text import actors
    from analysis.text.normalise import IRREGULAR, tokenize, word_matches

    def plain(toks, terms):
        hits = []
        for term in terms:
            m = len(term.words)
            for i in range(len(toks) - m + 1):
                if all(
                    word_matches(toks[i + j], w, term.slot_mode(j))
                    for j, w in enumerate(term.words)
                ):
                    hits.append((i, i + m))
        return hits

    term_sets = [actors._POS, actors._NEG, actors._NOC]
    term_sets += [actors._compile(tuple(a.names)) for a in ACTORS.values()]
    words = sorted({w for terms in term_sets for t in terms for w in t.words})
    words += list(IRREGULAR) + ["inte", "bra", "och", "samarbetet", "fungerar", "dialogen"]
    rng = random.Random(3)
    texts = [
        "Samarbetet med Trafikverket fungerar inte bra, ingen kontakt alls med länsstyrelsen.",
        "Bra dialog men långa ledtider; städer och bostäderna växer.",
    ]
    for _ in range(300):
        toks = [rng.choice(words) for _ in range(rng.randint(1, 14))]
        texts.append(" ".join(t + rng.choice(["", "", "na", "s", "et", "erna"]) for t in toks))
    for text in texts:
        toks = tokenize(text)
        for terms in term_sets:
            assert actors._phrase_positions(toks, terms) == plain(toks, terms), (text, terms[:2])
