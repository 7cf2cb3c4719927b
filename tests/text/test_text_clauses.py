"""Reading rules added with codebook 2.1: clause splitting at commas/dashes/colons, "inte X utan
Y", dismissal carried over asyndetic continuations, telegraphic terms, compositional rules
(professions need a shortage cue, attraction constructions, digital as a format, energy in a
crisis frame), cue sets, the development corpus and speed-related equivalence with the naive
reference loop."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.text.coding import code_texts, code_texts_naive, themes_found

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "tests" / "fixtures" / "coding_dev" / "answers.csv"


def _got(text, themes, question=None):
    coded = code_texts([text], themes, questions=question)
    return set(filter(None, themes_found(coded).iloc[0].split(";")))


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        # a comma ends a clause only between two clauses with a verb each
        (
            "Inflyttningen går bra, det är bostäderna som är problemet.",
            {"samhallsplanering"},
            {"attraktion"},
        ),
        ("Fibern är klar, mobiltäckningen är usel.", {"digitalisering"}, set()),
        # ... never inside a list: the dismissal covers every item
        ("Kultur, fritid och idrott fungerar bra.", set(), {"attraktion"}),
        # an asyndetic continuation of a dismissed clause is dismissed too
        ("Attraktiviteten är inte vårt problem, vi har inflyttning.", set(), {"attraktion"}),
        # ... unless it states a need of its own
        ("Kulturen klarar sig bra, vägarna är i dåligt skick.", {"trafikinfrastruktur"}, set()),
        # a dismissive continuation dismisses the item before it
        (
            "Vi har fått fler utbildningar till lärcentrum, det har blivit bättre.",
            set(),
            {"kompetensforsorjning"},
        ),
        (
            "Kollektivtrafik: fungerar. Digitalisering: inte prioriterat.",
            set(),
            {"trafikinfrastruktur", "digitalisering"},
        ),
        # "inte X utan Y"
        (
            "Inte digitalisering utan kompetensförsörjning är vår största fråga.",
            {"kompetensforsorjning"},
            {"digitalisering"},
        ),
        # ... but "inte minst" is no negation
        ("Vi behöver kultur, inte minst för de unga.", {"attraktion"}, set()),
        (
            "Varken kollektivtrafik eller bredband är något problem hos oss.",
            set(),
            {"trafikinfrastruktur", "digitalisering"},
        ),
        ("Vi lobbar redan själva och behöver ingen hjälp med det.", set(), {"paverkansarbete"}),
        # "bättre" is a wish, not a dismissal via "är bra"
        ("Det som krävs är bättre vägar.", {"trafikinfrastruktur"}, set()),
        # praise, stability or a finished investment without a need is background (G1) …
        ("Trafikverket har plogat vägarna bra i vinter.", set(), {"trafikinfrastruktur"}),
        ("Kulturen har fått goda omdömen och biblioteket är välbesökt.", set(), {"attraktion"}),
        ("Kollektivtrafiken har byggts ut de senaste åren.", set(), {"trafikinfrastruktur"}),
        ("Fibernätet har vi inga synpunkter på.", set(), {"digitalisering"}),
        (
            "Vi vill också framhålla att flygplatsen är viktig och att den fungerar väl.",
            set(),
            {"trafikinfrastruktur"},
        ),
        # … but a need in the same clause, or after "men", still counts
        ("Det vore bra med en gemensam socialjour.", {"socialtjanst"}, set()),
        (
            "Vägarna är okej, men bärigheten på grusvägarna räcker inte.",
            {"trafikinfrastruktur"},
            set(),
        ),
        ("Vi behöver bra vägar till inlandet.", {"trafikinfrastruktur"}, set()),
        # a negated need is a dismissal: "inga akuta behov", "utan större problem" …
        (
            "Vi har inga akuta behov inom väg, el eller fiber i dagsläget.",
            set(),
            {"trafikinfrastruktur", "digitalisering"},
        ),
        ("Äldreomsorgen har klarat tillväxten utan större problem.", set(), {"socialtjanst"}),
        (
            "Räddningstjänsten är gemensam, där behöver regionen inte göra något.",
            set(),
            {"civilt_forsvar"},
        ),
        ("Fibern ar pa plats i hela kommunen.", set(), {"digitalisering"}),
        # praise dismisses, negated praise is a need
        ("Fibern är i princip utbyggd och vi är nöjda.", set(), {"digitalisering"}),
        ("Vägarna är inte i gott skick.", {"trafikinfrastruktur"}, set()),
        ("Vi är inte nöjda med kollektivtrafiken.", {"trafikinfrastruktur"}, set()),
        ("Elnätet är inte stabilt längre.", {"hallbar_omstallning"}, set()),
        ("Vi behöver inte göra något, vägarna är bra.", set(), {"trafikinfrastruktur"}),
        (
            "Bredbandet är klart och vi har inte längre något behov av stöd där.",
            set(),
            {"digitalisering"},
        ),
        (
            "Trafikverket sköter vägarna och vi har inga större klagomål.",
            set(),
            {"trafikinfrastruktur"},
        ),
        # a dismissal after "men/däremot" reaches back past a non-area word ("pengar")
        (
            "Ett gemensamt IT-driftcenter har däremot fungerat mycket bra och sparat pengar.",
            set(),
            {"digitalisering"},
        ),
        # … while a need after a comma about another topic does not revive the clause before
        (
            "Kompetensförsörjningen fungerar, det är ekonomin som är problemet.",
            set(),
            {"kompetensforsorjning"},
        ),
        # … but not a need that is merely near a negation
        ("Vi har inte någon lösning på problemet med bredbandet.", {"digitalisering"}, set()),
        (
            "Vägarna har inte underhållits och det är ett stort problem.",
            {"trafikinfrastruktur"},
            set(),
        ),
        ("Det finns inte minst ett problem med vägarna.", {"trafikinfrastruktur"}, set()),
        # a need after a comma that names no area of its own revives a praised clause (G2)
        (
            "Vi har ett bra läge vid Botniabanan, det är en styrka vi vill bygga vidare på.",
            {"trafikinfrastruktur"},
            set(),
        ),
    ],
)
def test_clause_rules(themes, text, present, absent):
    got = _got(text, themes)
    assert present <= got, got
    assert not (absent & got), got


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        # G5/G6/G7: a profession or staff is competence supply with a shortage cue
        ("Bristen på behöriga förskollärare.", {"kompetensforsorjning"}, set()),
        (
            "Vi skulle vilja dela en miljöinspektör med grannkommunerna.",
            {"kompetensforsorjning"},
            set(),
        ),
        ("Problemet är att vi inte hittar personal.", {"kompetensforsorjning"}, set()),
        ("Lst saknar erfarna handläggare.", set(), {"kompetensforsorjning"}),
        ("Handläggarna på Trafikverket har inget mandat.", set(), {"kompetensforsorjning"}),
        ("Gemensam rekrytering av socialsekreterare.", {"kompetensforsorjning"}, {"socialtjanst"}),
        ("Vår kommun har hög kompetens inom turism.", set(), {"kompetensforsorjning"}),
        # telegraphic: a verbless list item
        ("Undersköterskor och lärare.", {"kompetensforsorjning"}, set()),
        (
            "Prio 1: bostäder. Prio 2: personal till äldreomsorgen.",
            {"kompetensforsorjning", "samhallsplanering"},
            set(),
        ),
        ("YH-utbildningar som matchar företagens behov.", {"kompetensforsorjning"}, set()),
        ("Vi får inte tag i personal till äldreomsorgen.", {"kompetensforsorjning"}, set()),
        (
            "Som IT-chef vill jag ha gemensamma e-tjänster.",
            {"digitalisering"},
            {"kompetensforsorjning"},
        ),
        # G5: the area after staff + preposition is the workplace, not a need of that area …
        (
            "Vi saknar sjuksköterskor i hemsjukvården och tekniker pa samhallsbyggnad.",
            {"kompetensforsorjning"},
            {"socialtjanst", "samhallsplanering"},
        ),
        (
            "Vi hittar inga handläggare till bygglov.",
            {"kompetensforsorjning"},
            {"samhallsplanering"},
        ),
        (
            "Lokalt anpassade utbildningar för bristyrken, till exempel VA-tekniker.",
            {"kompetensforsorjning"},
            {"samhallsplanering"},
        ),
        # … unless the sector's own need is stated too
        (
            "Vi saknar undersköterskor inom hemtjänsten och fick stänga en avdelning på särskilt boende.",
            {"kompetensforsorjning", "socialtjanst"},
            set(),
        ),
    ],
)
def test_competence_supply_rules(themes, text, present, absent):
    got = _got(text, themes)
    assert present <= got, got
    assert not (absent & got), got


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Vi tappar invånare till kusten.", {"attraktion"}, set()),
        ("Unga som pluggar i Umeå kommer inte tillbaka.", {"attraktion"}, set()),
        ("Folk väljer att bo i stan och pendla ut hit.", {"attraktion"}, set()),
        ("Vi kan bo här och jobba i Stockholm tack vare fibern.", {"attraktion"}, set()),
        ("Västerbotten syns för lite i rikets medier.", {"attraktion"}, set()),
        ("Det är viktigt att länet blir en attraktiv livsmiljö.", {"attraktion"}, set()),
        (
            "Attraktiv kollektivtrafik som gör att fler väljer bussen.",
            {"trafikinfrastruktur"},
            {"attraktion"},
        ),
        (
            "Vi vill bli en attraktiv arbetsgivare för unga akademiker.",
            {"kompetensforsorjning"},
            {"attraktion"},
        ),
        ("Social hållbarhet och folkhälsa bland unga.", {"socialtjanst"}, {"attraktion"}),
        (
            "Strandskyddet: vi får inte bygga där folk vill bo.",
            {"samhallsplanering"},
            {"attraktion"},
        ),
        ("Fler äldre ska kunna bo kvar hemma.", set(), {"attraktion"}),
        ("AF har ingen lokal närvaro; folk kommer till biblioteket.", set(), {"attraktion"}),
        ("Bibliotek och fritidsgårdar.", {"attraktion"}, set()),
    ],
)
def test_attraction_constructions(themes, text, present, absent):
    got = _got(text, themes)
    assert present <= got, got
    assert not (absent & got), got


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        (
            "Mer digitala utbildningar från regionen vore bra, så slipper vi resa.",
            set(),
            {"digitalisering"},
        ),
        (
            "Digitala tjänster för äldre som inte är vana vid datorer.",
            {"digitalisering"},
            {"samhallsplanering"},
        ),
        (
            "Cyberangreppen ökar och vi har inte råd med säkerhetsnivån.",
            {"digitalisering"},
            {"civilt_forsvar"},
        ),
        ("Våra system pratar inte med varandra, femton olika program.", {"digitalisering"}, set()),
        (
            "Vi kan inte anställa ett eget dataskyddsombud.",
            {"kompetensforsorjning"},
            {"digitalisering"},
        ),
        # energy and VA in a crisis frame are preparedness (3.6, G13)
        (
            "Vi vet inte hur vattenförsörjningen ska klaras om elen går i flera dygn.",
            {"civilt_forsvar"},
            {"hallbar_omstallning", "samhallsplanering"},
        ),
        (
            "Nätet räcker inte: operatörerna vill inte leverera tjänster över fibern.",
            {"digitalisering"},
            {"hallbar_omstallning"},
        ),
        ("LSS-boenden och korttidsplatser.", {"socialtjanst"}, {"samhallsplanering"}),
    ],
)
def test_digital_and_frame_rules(themes, text, present, absent):
    got = _got(text, themes)
    assert present <= got, got
    assert not (absent & got), got


def test_cue_sets_expand_and_unknown_cue_is_an_error():
    from analysis.text.themes import parse_themes

    data = {
        "version": "1",
        "cues": {"brist": ["saknar", "brist*"]},
        "themes": [
            {
                "id": "a",
                "label": "A",
                "include": ["x"],
                "senses": [{"terms": ["lärare"], "requires": ["@brist"]}],
            }
        ],
    }
    cb = parse_themes(data)
    assert [t.text for t in cb["a"].senses[0].requires] == ["saknar", "brist*"]
    assert code_texts(["Vi saknar lärare.", "Lärare är bra."], cb)["a"].tolist() == [1, 0]
    data["themes"][0]["senses"][0]["requires"] = ["@okand"]
    with pytest.raises(ConfigError, match="okand"):
        parse_themes(data)


def test_corrective_word_must_be_a_contrast_word():
    from analysis.text.themes import parse_themes

    with pytest.raises(ConfigError, match="corrective"):
        parse_themes(
            {
                "version": "1",
                "scope": {"contrast": ["men"], "corrective": ["utan"]},
                "themes": [{"id": "a", "label": "A", "include": ["x"]}],
            }
        )


@pytest.mark.skipif(not DEV.is_file(), reason="utvecklingskorpusen saknas")
def test_vectorised_equals_naive_on_dev_corpus_and_edge_texts(themes):
    from benchmarks.bench_coding import synthetic_answers

    dev = pd.read_csv(DEV, dtype=str, keep_default_na=False)
    texts = [
        *dev["text"],
        "- Vägar\n- Skola",
        "Vägar -",
        "Bra - men vägarna - dåliga",
        " - ",
        ", vi har el",
        "Vägar, det fungerar bra, inflyttning går bra, elen räcker inte.",
        "Kollektivtrafik: fungerar. Kompetens: saknas.",
        # the reading rules of 2026-11-28: revivals after a comma, negated needs and praise,
        # the workplace frame, short words without diacritics
        "Digitalt: ok i tätorten, dåligt i byarna. El: ok. VA: ok för nu.",
        "Bredbandet är klart och vi har inte längre något behov av stöd där.",
        "Vi har inga större akuta behov. Vägarna är inte i gott skick, vi är inte nöjda.",
        "IT-driftcentret har däremot fungerat bra och sparat pengar, men vägarna behöver rustas.",
        "Vi saknar VA-tekniker och sjuksköterskor i hemsjukvården, rekrytering till IFO.",
        "Bra läge vid Botniabanan, det är en styrka vi vill bygga vidare på.",
        "Fibern ar pa plats. Kompetensförsörjningen fungerar, det är ekonomin som är problemet.",
        "Äldreomsorgen klarar sig utan större problem, där behöver regionen inte göra något.",
        # dismissive headers: the list after the colon, not the next header's list
        "Bra: krisberedskap, fiber. Sämre: vägarna, bostäder.",
        "Fungerar bra: bredband, VA, vi har inflyttning. Behöver stöd: rekrytering av socionomer.",
        "Positivt: föreningslivet: naturen, kulturen. Vägar: bra: men fibern saknas.",
        "Bra: men vi behöver fler lärare, bostäder.",
        # location frame: names after längs/vid (and "och" between) are places
        "Etableringar längs E4 och Botniabanan, en vätgasstation vid E45 och väg 363.",
        "Trafiksäkerheten vid E4 är dålig. Läget vid E12 och Inlandsbanan är en styrka.",
        "vid och E4 längs, längs längs väg och och Botniabanan vid",
        *synthetic_answers(200, seed=11, themes=themes),
    ]
    questions = [*dev["question"], *(["q4"] * (len(texts) - len(dev)))]
    fast = code_texts(texts, themes, questions=questions)
    naive = code_texts_naive(texts, themes, questions=questions)
    assert (fast.to_numpy() == naive.to_numpy()).all()


@pytest.mark.skipif(not DEV.is_file(), reason="utvecklingskorpusen saknas")
def test_dev_corpus_floor(themes):
    """A loose floor on the development corpus (tuning material, written for the coder)."""
    from analysis.text.agreement import evaluate
    from analysis.text.coding import labels_to_frame
    from analysis.text.themes import PRIORITY_AREAS

    dev = pd.read_csv(DEV, dtype=str, keep_default_na=False)
    assert len(dev) >= 200 and set(dev["split"]) >= {"tune", "check"}
    ids = list(PRIORITY_AREAS)
    coded = code_texts(dev["text"], themes, questions=dev["question"].tolist())
    res = evaluate(coded[ids], labels_to_frame(dev["labels"].tolist(), ids), ids)
    assert res.loc["micro", "f1"] > 0.9


def test_cold_and_warm_vocabulary_give_the_same_codes(themes):
    """Codes do not depend on which chunk first brought a token into the vocabulary."""
    from analysis.text.coder import Coder

    texts = ["Vi saknar sjuksköterskor, elnätet räcker inte.", "Kultur och fritid.", ""] * 7
    a = Coder(themes).code(texts)
    c = Coder(themes)
    c.code(texts[:2])
    assert (c.code(texts) == a).all()


@pytest.mark.parametrize(
    "text",
    [
        "Vi står vid ett vägskäl i samverkansfrågorna.",
        "Det behövs broar mellan förvaltningarna.",
        "Vi måste lägga mer energi på att förankra besluten.",
    ],
)
def test_sub_themes_inherit_their_parents_exclusions(themes, text):
    # without a question the infrastructure sub-themes are not scoped away; they must not
    # bring in a priority area through a metaphor their parent excludes
    assert not _got(text, themes) & {"trafikinfrastruktur", "hallbar_omstallning"}


@pytest.mark.skipif(not DEV.is_file(), reason="utvecklingskorpusen saknas")
def test_priority_codes_do_not_depend_on_the_question_column(themes):
    """``analysis code`` without a question column codes the nine areas as with one."""
    from analysis.text.themes import PRIORITY_AREAS

    dev = pd.read_csv(DEV, dtype=str, keep_default_na=False)
    ids = list(PRIORITY_AREAS)
    with_q = code_texts(dev["text"], themes, questions=dev["question"].tolist())[ids]
    without = code_texts(dev["text"], themes)[ids]
    assert (with_q.to_numpy() == without.to_numpy()).all()


def test_load_themes_is_cached_per_file_version(tmp_path):
    import os
    import shutil

    from analysis.text.coder import get_coder
    from analysis.text.themes import load_themes

    p = tmp_path / "themes.yaml"
    shutil.copy(ROOT / "data" / "raw" / "municipality_2023" / "themes.yaml", p)
    a, b = load_themes(p), load_themes(str(p))
    assert a is b and get_coder(a) is get_coder(b)
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # an edited file is re-read
    assert load_themes(p) is not a
