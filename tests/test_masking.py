"""Masking of municipality, organisation and person names inside free-text quotes."""

from __future__ import annotations

import pytest

from analysis.data.reference import load_municipalities, load_sample_frame
from analysis.disclosure.masking import (
    LOCALITIES,
    NOT_SURNAMES,
    mask_entities,
    municipality_names,
    organisation_names,
)

# The verbatim answers of seed 000 (Bilaga 1) that name someone, with the expected masking.
SEED_QUOTES = [
    (
        "RISE har ett välfungerande innovationspartnerskap med regionen.",
        "[organisation] har ett välfungerande innovationspartnerskap med regionen.",
    ),
    (
        "Vi har ett mycket bra samarbete med regionen och det stärker både Länsstyrelsens och "
        "Västerbotten.",
        "Vi har ett mycket bra samarbete med regionen och det stärker både [organisation] och "
        "Västerbotten.",
    ),
    (
        "Regionen har lärt sig saker som tidigare främst låg på Länsstyrelsen och vice versa.",
        "Regionen har lärt sig saker som tidigare främst låg på [organisation] och vice versa.",
    ),
    (
        "väldigt gott samarbete med HSLG! Regionstyrelsens förvaltning/regionledningen",
        "väldigt gott samarbete med HSLG! Regionstyrelsens förvaltning/regionledningen",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SEED_QUOTES)
def test_seed_quotes(text, expected):
    assert mask_entities(text) == expected


def test_every_frame_organisation_is_masked():
    frame = load_sample_frame()
    for name, kind in zip(frame["organisation"], frame["org_type"], strict=True):
        masked = mask_entities(f"Vi samarbetar med {name} sedan länge.")
        expected = "[kommun]" if kind == "Kommun" else "[organisation]"
        assert masked == f"Vi samarbetar med {expected} sedan länge.", name


@pytest.mark.parametrize(
    "form",
    ["{n}", "{n} kommun", "{n} kommuns", "{g} kommun", "{g} kommuns", "{g}", "{lower}"],
)
def test_every_municipality_form(form):
    for name in load_municipalities()["kommun"]:
        gen = name if name.endswith("s") else name + "s"
        text = "Hos " + form.format(n=name, g=gen, lower=name.lower()) + " finns viljan."
        assert mask_entities(text) == "Hos [kommun] finns viljan.", text


def test_municipality_variants_and_localities():
    assert mask_entities("Umea och Skelleftea kommun") == "[kommun] och [kommun]"
    assert mask_entities("Umeåborna och Sorselebor") == "[kommun]borna och [kommun]bor"
    for place in LOCALITIES:
        assert mask_entities(f"I {place} finns det.") == "I [kommun] finns det.", place


def test_longest_match_first():
    assert mask_entities("Umeå Energi och Skellefteå Kraft") == "[organisation] och [organisation]"
    assert mask_entities("Folkets Bio Umeå visar film") == "[organisation] visar film"
    assert mask_entities("Medicinska fakulteten vid Umeå universitet") == "[organisation]"
    assert mask_entities("Ella Nilsson Mat & Prat AB") == "[organisation]"
    assert mask_entities("Umeåregionen") == "[organisation]"


def test_short_forms_and_genitives():
    assert mask_entities("RISE:s och Vinnovas och Tillväxtverkets") == (
        "[organisation] och [organisation] och [organisation]"
    )
    assert mask_entities("Trafikverket, Umeå universitet, SKR") == (
        "[organisation], [organisation], [organisation]"
    )
    assert mask_entities("Region Jämtland Härjedalen och Region Jämtland/Härjedalen") == (
        "[organisation] och [organisation]"
    )
    assert mask_entities("Region Stockholm och Region Västerbotten") == (
        "[organisation] och Region Västerbotten"
    )


def test_people():
    assert mask_entities("Jag pratade med Anna Lindqvist igår.") == "Jag pratade med [person] igår."
    assert mask_entities("Per-Olof Berg-Nilsson och Karin Öberg") == "[person] och [person]"
    assert mask_entities("Thomas Hartmans grupp") == "[person]s grupp"  # genitive kept
    assert mask_entities("Anna Maria Svensson") == "[person]"


@pytest.mark.parametrize(
    "text",
    [
        "Kommunerna och regionen behöver bättre kommunikation.",
        "Regionen har sin egen agenda och organisation.",
        "Regionens kommunikation fungerar.",
        "Kommunen. Region Västerbottens uppdrag är stort.",
        "Per capita är kostnaden låg. Bo kvar i länet.",
        "Västerbotten och Norrland utvecklas; rise and shine.",
        "Det finns ett risetal och en malåring? Nej, inte egentligen.",
        "Samverkan runt näringslivets tillväxt",
    ],
)
def test_ordinary_words_untouched(text):
    assert mask_entities(text) == text


def test_extra_names_and_none():
    assert mask_entities("Projekt Solsken", extra_names=["Projekt Solsken"]) == "[namn]"
    assert mask_entities("Kalle Anka", extra_names={"Kalle Anka": "[person]"}) == "[person]"
    assert mask_entities(None) is None


def test_name_lists_come_from_reference_files():
    assert set(load_municipalities()["kommun"]) <= set(municipality_names())
    orgs = set(organisation_names())
    assert "Hello Future" in orgs and "Bjurholms kommun" not in orgs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Umeå/Skellefteå", "[kommun]/[kommun]"),
        ("Vindeln/Vännäs kommuner", "[kommun]/[kommun] kommuner"),
        ("samarbete Lycksele/Storuman/Sorsele", "samarbete [kommun]/[kommun]/[kommun]"),
        ("RISE/Vinnova", "[organisation]/[organisation]"),
    ],
)
def test_names_next_to_a_slash(text, expected):
    assert mask_entities(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Se www.umea.se för mer.", "Se [webbadress] för mer."),
        ("https://www.skelleftea.se/kontakt.", "[webbadress]."),
        ("Läs på umea.se, sen", "Läs på [webbadress], sen"),
        ("www.rise.se/om-oss", "[webbadress]"),
        ("example.org/anna-lindqvist", "[webbadress]"),
        ("Mejla anna@umea.se", "Mejla [e-post]"),
        ("www.regionvasterbotten.se och Umeå", "www.regionvasterbotten.se och [kommun]"),
        ("t.ex. i Umeå, bl.a. Vännäs.", "t.ex. i [kommun], bl.a. [kommun]."),
    ],
)
def test_web_and_mail_addresses_are_never_half_masked(text, expected):
    assert mask_entities(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vi bor i Sorselebygden", "Vi bor i [kommun]bygden"),
        ("Skellefteåbygden och Lyckselebygden", "[kommun]bygden och [kommun]bygden"),
        ("Umeåföretagen", "[kommun]"),
        ("Vilhelminaskolan", "[kommun]"),
        ("Umeåsamarbetet", "[kommun]"),
        ("Umeälven och Umeälvens dalgång", "[kommun] och [kommun] dalgång"),
        ("Skellefteälven, Vindelälven", "[kommun], [kommun]"),
        (
            "Skelleftehamn, Vännäsby, Dåva och Borgafjäll",
            "[kommun], [kommun], [kommun] och [kommun]",
        ),
        ("Norsjöbornas", "[kommun]"),
    ],
)
def test_compounds_of_place_names(text, expected):
    assert mask_entities(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anna-Karin Lindqvist", "[person]"),
        ("Ann-Sofie Berg och Britt-Marie Ek", "[person] och [person]"),
        ("Eva-Lena Sjöberg-Öst ringde", "[person] ringde"),
        ("Karl-Johan Ek", "[person]"),
    ],
)
def test_hyphenated_first_names(text, expected):
    assert mask_entities(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "kvarnarna mala långsamt",
        "umea och asele skrivet med gemener",
        "Malaria och Umeaus är inga orter",
        "Per Region och Per Kommun",
    ],
)
def test_false_positives_stay(text):
    assert mask_entities(text) == text


def test_ascii_spellings_capitalised_and_places_are_not_surnames():
    assert mask_entities("Mala och Asele, UMEA") == "[kommun] och [kommun], [kommun]"
    assert mask_entities("Bo Umeå") == "Bo [kommun]"
    assert "Region" in NOT_SURNAMES
