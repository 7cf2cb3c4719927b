"""Reference data: the municipalities table, spelling normalisation and the 2021 sample frame."""

from __future__ import annotations

import pytest

from analysis.data import reference
from analysis.data.reference import (
    load_municipalities,
    load_sample_frame,
    municipality_code,
    municipality_group,
    normalise_municipality,
    sector_for_org_type,
)

OFFICIAL_CODES = {
    "2401": "Nordmaling", "2403": "Bjurholm", "2404": "Vindeln", "2409": "Robertsfors",
    "2417": "Norsjö", "2418": "Malå", "2421": "Storuman", "2422": "Sorsele", "2425": "Dorotea",
    "2460": "Vännäs", "2462": "Vilhelmina", "2463": "Åsele", "2480": "Umeå", "2481": "Lycksele",
    "2482": "Skellefteå",
}  # fmt: skip


def test_fifteen_municipalities_with_official_codes():
    m = load_municipalities()
    assert len(m) == 15
    assert m["kommunkod"].is_unique and m["kommun"].is_unique
    assert dict(zip(m["kommunkod"], m["kommun"], strict=True)) == OFFICIAL_CODES


def test_groups_are_1_5_9_and_follow_umearegionen():
    m = load_municipalities()
    assert m["kommungrupp"].value_counts().to_dict() == {
        "ovriga": 9,
        "umearegionen_ovriga": 5,
        "storsta": 1,
    }
    members = set(m.loc[m["umearegionen"], "kommun"])
    assert members == {"Umeå", "Bjurholm", "Nordmaling", "Robertsfors", "Vindeln", "Vännäs"}
    assert set(m.loc[m["kommungrupp"] != "ovriga", "kommun"]) == members
    assert set(m["kommungrupp_label"]) == set(reference.MUNICIPALITY_GROUPS.values())
    for row in m.itertuples():
        assert reference.MUNICIPALITY_GROUPS[row.kommungrupp] == row.kommungrupp_label


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("Umeå", "Umeå"),
        ("Umeå kommun", "Umeå"),
        ("umeå", "Umeå"),
        ("Umea", "Umeå"),
        ("UMEÅ KOMMUN", "Umeå"),
        ("Umeå Kommun ", "Umeå"),
        ("  Umeå\u00a0kommun\u00a0", "Umeå"),
        ("Ume\u0061\u030a", "Umeå"),  # decomposed å
        ("Umeås kommun", "Umeå"),
        ("Umeå kommun.", "Umeå"),
        ("Skellefteå kommun", "Skellefteå"),
        ("Skelleftea", "Skellefteå"),
        ("Dorotea kommun", "Dorotea"),
        ("Malå", "Malå"),
        ("Mala", "Malå"),
        ("Malå kommun", "Malå"),
        ("Vindelns kommun", "Vindeln"),
        ("Nordmalings kommun", "Nordmaling"),
        ("Vännäs kommun", "Vännäs"),
        ("vannas", "Vännäs"),
        ("Åsele kommun", "Åsele"),
        ("Asele", "Åsele"),
        ("Norsjö", "Norsjö"),
        ("Storumans kommun", "Storuman"),
        ("Robertsfors", "Robertsfors"),
        ("lycksele", "Lycksele"),
    ],
)
def test_everyday_spellings_normalise(spelling, expected):
    assert normalise_municipality(spelling) == expected


@pytest.mark.parametrize(
    "spelling",
    [
        "Umeaa",  # typo: no fuzzy matching
        "Ume",
        "Umeå stad",
        "Skellefte",
        "Luleå",  # Norrbotten
        "Örnsköldsvik",
        "Region Västerbotten",
        "Umeå, Vännäs",
        "kommun",
        "",
        "   ",
        None,
        float("nan"),
        "2480",  # codes are not names
    ],
)
def test_unknown_names_are_rejected(spelling):
    assert normalise_municipality(spelling) is None


def test_every_listed_alternative_spelling_maps_to_its_own_municipality():
    m = load_municipalities()
    for row in m.itertuples():
        for spelling in [row.kommun, row.officiellt_namn, *row.alternativa_stavningar.split(";")]:
            assert normalise_municipality(spelling) == row.kommun, spelling


def test_code_and_group_lookups():
    assert municipality_code("Umeå kommun") == "2480"
    assert municipality_code("Mala") == "2418"
    assert municipality_group("Umea") == "storsta"
    assert municipality_group("Robertsfors kommun") == "umearegionen_ovriga"
    assert municipality_group("Sorsele") == "ovriga"
    with pytest.raises(KeyError):
        municipality_code("Umeaa")
    with pytest.raises(KeyError):
        municipality_group("Luleå")


def test_loaders_return_copies():
    a = load_municipalities()
    a.loc[0, "kommun"] = "ÄNDRAD"
    assert "ÄNDRAD" not in set(load_municipalities()["kommun"])
    f = load_sample_frame()
    f.loc[0, "org_type"] = "ÄNDRAD"
    assert "ÄNDRAD" not in set(load_sample_frame()["org_type"])


def test_sample_frame_43_organisations_consistently_classified():
    f = load_sample_frame()
    assert len(f) == 43
    assert f["org_id"].is_unique and f["organisation"].is_unique
    assert (f["org_type"] == "Kommun").sum() == 15
    # every type is known and its sector follows the written rule
    for row in f.itertuples():
        assert row.sektor == sector_for_org_type(row.org_type), row.organisation
        assert row.classification_note.strip(), row.organisation
    assert set(f["sektor"]) <= set(reference.SECTORS)


def test_sample_frame_municipalities_carry_their_scb_code():
    f = load_sample_frame()
    kommuner = f[f["org_type"] == "Kommun"]
    assert sorted(kommuner["kommunkod"]) == sorted(OFFICIAL_CODES)
    for row in kommuner.itertuples():
        assert normalise_municipality(row.organisation) == OFFICIAL_CODES[row.kommunkod]
    assert (f.loc[f["org_type"] != "Kommun", "kommunkod"] == "").all()


@pytest.mark.parametrize(
    ("organisation", "org_type", "sektor"),
    [
        ("RISE", "Akademi/forskning", "Akademi"),
        ("Humlab", "Akademi/forskning", "Akademi"),
        ("Sparbanksstiftelsen Norrland", "Idéburen organisation", "Idéburen sektor"),
        ("Folkets Bio Umeå", "Idéburen organisation", "Idéburen sektor"),
        ("Företagarna i Västerbotten", "Näringslivsorganisation", "Näringsliv"),
        ("Västerbottens handelskammare", "Näringslivsorganisation", "Näringsliv"),
        ("Länsstyrelsen Västerbotten", "Statlig myndighet", "Offentlig sektor"),
        ("Umeå Energi", "Företag", "Näringsliv"),
        ("Skellefteå Kraft", "Företag", "Näringsliv"),
        ("Region Norrbotten", "Region", "Offentlig sektor"),
    ],
)
def test_documented_classification_decisions(organisation, org_type, sektor):
    f = load_sample_frame().set_index("organisation")
    assert f.loc[organisation, "org_type"] == org_type
    assert f.loc[organisation, "sektor"] == sektor


def test_sector_for_unknown_type_raises():
    with pytest.raises(KeyError):
        sector_for_org_type("Okänd typ")


def test_org_types_match_partner_codebook_options():
    import yaml

    from analysis import paths

    cb = yaml.safe_load(paths.codebook_path("partner_2021").read_text(encoding="utf-8"))
    q1 = next(q for q in cb["questions"] if q["id"] == "q1")
    labels = [o["label"] for o in q1["options"]]
    assert set(labels) == set(reference.ORG_TYPE_SECTOR)
    assert set(load_sample_frame()["org_type"]) <= set(labels)
