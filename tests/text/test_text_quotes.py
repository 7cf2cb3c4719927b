"""The shared quote selection (analysis.text.quotes): whole sentences, variety, near-duplicates,
polarity by the main clause, kept names and near-linear work (counted, never timed)."""

from __future__ import annotations

import dataclasses
import random

import pytest

from analysis.text import quotes as qm
from analysis.text.quotes import Quote, select_quotes


# -- the Quote type ---------------------------------------------------------------------------
def test_quote_is_a_frozen_dataclass_with_text_source_polarity():
    q = Quote(text="Bra.", source=2, polarity="positiv")
    assert [f.name for f in dataclasses.fields(Quote)] == ["text", "source", "polarity"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.text = "x"  # type: ignore[misc]


# -- polarity: the main clause after "men" -----------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Det finns gott om el men nätet räcker inte till.", "kritisk"),
        ("Bredbandet är bra i tätorten men svårt att bygga ut på landsbygden.", "kritisk"),
        ("Vägarna är eftersatta men dialogen med Trafikverket fungerar bra.", "positiv"),
        ("Elnätet är föråldrat, men vi har en dialog med nätbolaget.", "kritisk"),
        ("Vi har god tillgång till el från vattenkraft.", "positiv"),
        ("Inga problem i samverkan med Polisen.", "positiv"),
        ("Det finns ingen möjlighet att ansluta fler hushåll.", "kritisk"),
        ("Samverkan fungerar inte.", "kritisk"),
        ("Vi deltar i nätverket varje månad.", "neutral"),
    ],
)
def test_polarity_judges_the_main_clause(sentence, expected):
    assert qm.polarity(sentence) == expected


# -- whole sentences ---------------------------------------------------------------------------
def test_list_items_and_list_introductions_are_never_quoted():
    text = (
        "Prioriterade områden för oss är följande:\n"
        "- Kompetensförsörjning inom vård och skola i hela kommunen\n"
        "- Bostadsbyggande för nyanställda som flyttar hit\n"
        "• Trafikinfrastruktur • Digitalisering i glesbygden för alla"
    )
    assert select_quotes([text]) == []
    assert all(not whole for _, whole in qm.split_sentences(text))


def test_long_sentences_are_left_out_never_cut():
    long = "Vi prioriterar " + ", ".join(f"område nummer {i}" for i in range(60)) + "."
    short = "Samverkan med grannkommunerna fungerar bra i vardagen."
    got = select_quotes([long, short], max_chars=320)
    assert [q.text for q in got] == [short]
    assert all(q.text in (long, short) for q in got)


def test_abbreviations_do_not_end_a_sentence():
    text = "Vi ser t.ex. Norrbotniabanan och bl.a. elflyg som stora möjligheter för länet."
    assert qm.split_sentences(text) == [(text, True)]
    assert [q.text for q in select_quotes([text])] == [text]


def test_a_quote_is_always_a_complete_sentence_of_its_source():
    texts = [
        "Vi har god tillgång till el. Men nätet räcker inte till för industrin i dag.",
        "Kommunen växer och behöver fler bostäder för alla nya invånare. Bra.",
    ]
    for q in select_quotes(texts, k=5):
        assert q.text in texts[q.source]
        assert q.text[0].isupper() and q.text.endswith(".")
        assert len(q.text.split()) >= qm.MIN_WORDS


# -- variety, near-duplicates, one per answer ---------------------------------------------------
def test_one_positive_one_critical_one_concrete_where_possible():
    texts = [
        "Samarbetet med grannkommunerna fungerar bra och ger oss styrka.",
        "Handläggningstiderna är alldeles för långa och det saknas personal.",
        "Vi deltar i Region 10 och träffas fyra gånger per år sedan 2019.",
        "Vi deltar i flera nätverk för kommunerna i länet.",
    ]
    got = select_quotes(texts, k=3)
    assert [q.polarity for q in got[:2]] == ["positiv", "kritisk"]
    assert qm.is_concrete(got[2].text)
    assert len({q.source for q in got}) == 3


def test_near_duplicates_are_shown_once():
    base = "Elnätet behöver förstärkas kraftigt för att klara de nya industrietableringarna i länet"
    texts = [base + ".", base + " nu.", base.replace("kraftigt", "snabbt") + ".", base + "!"]
    got = select_quotes(texts, k=3)
    assert len(got) == 1


def test_at_most_one_quote_per_answer():
    text = " ".join(
        f"Mening nummer {i} handlar om kompetensförsörjning inom vården och skolan {i}."
        for i in range(10)
    )
    assert len(select_quotes([text], k=3)) == 1


def test_selection_is_deterministic_and_independent_of_input_order():
    texts = [
        "Samverkan med Trafikverket fungerar bra i de flesta frågor.",
        "Vägunderhållet är eftersatt och processerna är långdragna.",
        "Vi önskar en tätare dialog om E12 och Blå vägen.",
        "Kollektivtrafiken är kostsam för en liten kommun.",
        "Det finns goda möjligheter med elflyg och nya logistiknoder.",
    ]
    first = [q.text for q in select_quotes(texts)]
    assert first == [q.text for q in select_quotes(list(texts))]
    shuffled = texts[:]
    random.Random(3).shuffle(shuffled)
    assert sorted(first) == sorted(q.text for q in select_quotes(shuffled))


def test_caller_sequence_is_not_modified():
    texts = ["Samverkan med grannkommunerna fungerar bra.", None, ""]
    before = list(texts)
    select_quotes(texts)
    assert texts == before


# -- the actor the section is about ----------------------------------------------------------------
def test_about_is_preferred_and_never_masked():
    texts = [
        "Vi har regelbundna möten med många olika parter i länet.",
        "Länsstyrelsens handläggare är lyhörda och dialogen fungerar bra.",
    ]
    got = select_quotes(texts, k=1, about="Länsstyrelsen")
    assert got[0].source == 1
    masked = qm.mask_quote(got[0].text, about="Länsstyrelsen")
    assert masked.startswith("Länsstyrelsens") and "[organisation]" not in masked


def test_keep_protects_every_listed_name_but_masks_the_rest():
    text = "Länsstyrelsen och Trafikverket samverkar med Umeå kommun och Anna Lindqvist."
    masked = qm.mask_quote(text, keep=["Länsstyrelsen", "Trafikverket"])
    assert masked == "Länsstyrelsen och Trafikverket samverkar med [kommun] och [person]."
    assert "[organisation]" in qm.mask_quote("Länsstyrelsen svarar snabbt, tycker vi.")


# -- bounded, near-linear work -------------------------------------------------------------------
def _near_identical(n: int) -> list[str]:
    return [
        f"Elnätet i kommunen behöver förstärkas för att klara etablering nummer {i} i länet."
        for i in range(n)
    ]


def test_near_duplicate_clustering_makes_a_linear_number_of_comparisons():
    counts = {}
    for n in (1000, 2000, 4000):
        labels, comparisons = qm.near_duplicate_clusters(_near_identical(n))
        assert comparisons <= qm.LSH_BANDS * qm.LSH_REPRESENTATIVES * n
        assert len(set(labels)) < n / 10  # they are recognised as near-duplicates
        counts[n] = comparisons
    assert counts[4000] <= 4.5 * counts[1000]


def test_distinct_sentences_are_not_merged_and_stay_linear():
    rng = random.Random(7)
    vocab = [f"ord{i}" for i in range(3000)]
    sents = [" ".join(rng.sample(vocab, 12)) for _ in range(2000)]
    labels, comparisons = qm.near_duplicate_clusters(sents)
    assert len(set(labels)) == len(sents)
    assert comparisons <= qm.LSH_BANDS * qm.LSH_REPRESENTATIVES * len(sents)


def test_a_huge_answer_and_repeated_sentences_are_capped_without_crowding_out_others():
    rng = random.Random(11)
    words = [
        "kommunen",
        "behöver",
        "fler",
        "bostäder",
        "vägar",
        "elnät",
        "skolor",
        "företag",
        "personal",
        "tåg",
    ]
    huge = " ".join(
        " ".join(rng.choice(words) for _ in range(10)).capitalize() + "." for _ in range(20_000)
    )
    repeated = "Samma mening om kompetensförsörjning upprepas här. " * 3000
    others = [f"Kommun {i} ser stora möjligheter i besöksnäringen och kulturen." for i in range(5)]
    cands = qm.candidate_sentences([huge, repeated, *others])
    assert len(cands) <= qm.MAX_CANDIDATES
    per_source = {}
    for source, _ in cands:
        per_source[source] = per_source.get(source, 0) + 1
    assert per_source[0] <= qm.MAX_PER_SOURCE and per_source[1] == 1
    assert all(per_source.get(s) == 1 for s in range(2, 7))
    chosen = select_quotes([huge, repeated, *others], k=3)
    assert 2 <= len(chosen) <= 3 and len({q.source for q in chosen}) == len(chosen)


def test_quotes_shown_together_also_differ_in_their_words():
    texts = [
        "Vi behöver kunskap om hur man leder en omställning i en liten organisation.",
        "Ett gemensamt påverkansarbete så att staten tar sitt ansvar för finansieringen.",
        "Vi behöver kunskap om hur man driver omställning i en organisation med små resurser.",
    ]
    got = [q.source for q in select_quotes(texts, k=3)]
    assert sorted(got) in ([0, 1], [1, 2])


def test_most_critical_is_the_sentence_with_the_most_net_critical_cues():
    texts = [
        "Samverkan med Länsstyrelsen fungerar bra.",
        "Det är svårt att rekrytera, vägarna är eftersatta och elnätet räcker inte till.",
        "Det finns vissa problem med kollektivtrafiken.",
    ]
    q = qm.most_critical(texts)
    assert q is not None and q.source == 1 and q.polarity == "kritisk"
    assert qm.most_critical(["Allt fungerar bra.", "Vi deltar i nätverket varje månad."]) is None
