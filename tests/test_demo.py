"""The seeded demo generator: determinism, committed files, Forms shapes, design consistency."""

from __future__ import annotations

import argparse
import csv
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis import paths
from analysis.data import demo
from analysis.data.reference import load_municipalities, normalise_municipality
from analysis.errors import ConfigError

TESTS_DIR = Path(__file__).resolve().parent
GROUND_TRUTH = TESTS_DIR / "ground_truth" / "partner_2021_demo_headline.csv"
PARTNER_FILE = paths.raw_dir("partner_2021") / "demo_partner_2021_msforms.xlsx"
MUNICIPALITY_FILE = paths.raw_dir("municipality_2023") / "demo_municipality_2023_googleforms.csv"

# The free-text answers seed 000 (Bilaga 1) prints, typed in independently of the design file.
VERBATIM_Q9 = [
    "RISE har ett välfungerande innovationspartnerskap med regionen. Vi har också bra samarbeten kring design, livsmiljöer, kultur och kreativitet.",
    "Om man nu tar digitaliseringen så har samarbetet hjälpt till att höja kompetensen och medvetenheten hos våra medarbetare. Det har gett möjlighet att kliva snabbare framåt, om än inte nog snabbt. Operativ samverkan finns men problemet att mäkta med att implementera kvarstår. Digitaliseringen är ett område vi inte mäktar ensamma om det skall ske i relativt snabb takt.",
    "Genom medverkan i projekt och styrgrupper och förtroende för vårt uppdrag, arbete och aktiviteter. Olika typer av samverkan som utvecklar våra gemensamma mål.",
    "Samverkan runt näringslivets tillväxt",
    "Det finns inget större intresse från regionen vad som görs i kommunerna utan man har sin egen agenda och organisation och krokar inte arm med kommunerna",
    "Vi har ett mycket bra samarbete med regionen och det stärker både Länsstyrelsens och Västerbotten. Vi gör mycket tillsammans och det ger en dynamik.",
    "I vår stora verksamhet så finns det självklart både goda samarbeten och mindre goda samarbeten. Ett gott samarbete bygger på en gemensam målbild och att det sker ett givande och tagande.",
]
VERBATIM_Q11 = [
    "Jag tycker att det bör ha gjort det.",
    "De förstår vikten av det vi gör",
    "Jag har inte haft något samarbete med eller blivit kontaktad av Region Västerbotten i de utvecklingsfrågor som vi är inbegripna i",
    "Upplever att vår organisation lär medarbetarna på Region Västerbotten om hur vår verksamhet och dess intressenter fungerar.",
    "Regionen har lärt sig saker som tidigare främst låg på Länsstyrelsen och vice versa. Det ger en bra helhetsbild hos båda våra tjänstemän.",
]
VERBATIM_Q15 = [
    "Mina svar avser främst: Hälso- och sjukvårdsförvaltningens ledning - Mycket goda erfarenheter och väldigt gott samarbete med HSLG! Regionstyrelsens förvaltning/regionledningen - Varierande god erfarenhet och samarbete över tid Regionstyrelsens förvaltning/fastighet - Stora utmaningar i samarbetet.",
    "Region Västerbotten måste börja intressera sig mera för vad som händer i regionen och mindre åt vad den egna organisationen vill ska hända. Man måste även se till att de regionala utvecklingsmedel som ska komma regionen tillgodo verkligen kommer ut där dom gör nytta istället för att föda den egna organisationen. Bristen på transparens och viljan till samarbete med t ex kommuner utifrån deras agenda skadar det regionala utvecklingsarbetet. I jämförelse med Länsstyrelsens sätt att arbete där man är synlig i länet och erbjuder sin kompetens, hjälp och stöd till processer som kommunerna är inne i så har regionen mycket att lära.",
]
POSITIVE = {"Instämmer delvis", "Instämmer helt"}


def _placeholder_answers() -> dict:
    """A tiny stand-in for the content file: awkward CSV characters on purpose."""
    out = {}
    for i, name in enumerate(load_municipalities()["kommun"]):
        entry = {f"q{k}": {"text": f"Svar {k} från {name}.", "themes": []} for k in range(2, 16)}
        entry["q2"]["text"] = f'Möjligheter, "citat" och; semikolon\nny rad ({name})'
        if i % 4 == 0:
            entry.pop("q15")  # unanswered question -> empty cell
        out[name] = entry
    return out


# ------------------------------------------------------------------------ partner_2021


@pytest.fixture(scope="module")
def partner_sheet():
    wb = load_workbook(PARTNER_FILE, read_only=True)
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows[0], rows[1:]


def test_partner_generation_is_byte_identical_and_matches_committed(tmp_path):
    first = demo.render("partner_2021")
    second = demo.render("partner_2021")
    assert first == second
    written = demo.generate("partner_2021", out_dir=tmp_path)
    assert written.name == PARTNER_FILE.name
    assert demo.sha256(written) == demo.sha256(PARTNER_FILE)


def test_partner_other_seed_changes_only_metadata(tmp_path):
    other = demo.generate("partner_2021", out_dir=tmp_path, seed=7)
    assert demo.sha256(other) != demo.sha256(PARTNER_FILE)


def test_partner_shape_is_microsoft_forms(partner_sheet):
    import yaml

    header, rows = partner_sheet
    cb = yaml.safe_load(paths.codebook_path("partner_2021").read_text(encoding="utf-8"))
    assert header == demo.MS_FORMS_META + [q["text"] for q in cb["questions"]]
    assert len(rows) == 14
    assert [r[0] for r in rows] == list(range(1, 15))
    completions = [r[2] for r in rows]
    assert completions == sorted(completions)
    assert all(r[1] < r[2] for r in rows)
    emails = [r[3] for r in rows]
    assert all(e.endswith("@example.org") for e in emails)
    assert len(set(emails)) == 14 and len({r[4] for r in rows}) == 14
    # multi-select: ";"-joined with the trailing ";" MS Forms writes
    q3 = header.index(cb["questions"][2]["text"])
    assert all(r[q3].endswith(";") for r in rows)


def _columns(header, rows):
    """Question columns by codebook id (Q9 and Q11 share a header, so go by position)."""
    return {f"q{i + 1}": [r[5 + i] for r in rows] for i in range(len(header) - 5)}


def test_partner_verbatim_answers_present_exactly(partner_sheet):
    cols = _columns(*partner_sheet)
    assert sorted(v for v in cols["q9"] if v) == sorted(VERBATIM_Q9)
    assert sorted(v for v in cols["q11"] if v) == sorted(VERBATIM_Q11)
    assert sorted(v for v in cols["q15"] if v) == sorted(VERBATIM_Q15)


def _row_with(cols, qid, fragment):
    matches = [i for i, v in enumerate(cols[qid]) if v and fragment in v]
    assert len(matches) == 1, (qid, fragment)
    return matches[0]


def test_partner_answers_consistent_with_their_free_text(partner_sheet):
    cols = _columns(*partner_sheet)
    # Länsstyrelsen's two answers come from one state-agency respondent, very positive
    i = _row_with(cols, "q9", "Länsstyrelsens och Västerbotten")
    assert i == _row_with(cols, "q11", "främst låg på Länsstyrelsen")
    assert cols["q1"][i] == "Statlig myndighet"
    assert cols["q8"][i] == cols["q10"][i] == "Ja, i hög grad"
    # RISE's answer comes from academia/research
    assert cols["q1"][_row_with(cols, "q9", "RISE har")] == "Akademi/forskning"
    # the critical answers come from municipalities with non-positive closed answers
    for qid, fragment in [
        ("q9", "krokar inte arm med kommunerna"),
        ("q11", "inte haft något samarbete"),
        ("q15", "mycket att lära"),
    ]:
        j = _row_with(cols, qid, fragment)
        assert cols["q1"][j] == "Kommun"
        assert cols["q8"][j] == "Nej" and cols["q10"][j] == "Nej"
        assert not any(cols[q][j] in POSITIVE for q in ("q4", "q5", "q6"))
    # every other Q9 text describes a development, so q8 says yes
    for j, text in enumerate(cols["q9"]):
        if text and "krokar inte arm" not in text:
            assert cols["q8"][j].startswith("Ja"), text
    # "stora verksamhet" + HSLG: the same large municipality, health-care collaboration
    k = _row_with(cols, "q9", "I vår stora verksamhet")
    assert k == _row_with(cols, "q15", "HSLG")
    assert cols["q1"][k] == "Kommun" and cols["q2"][k] == "Hälso- och sjukvård"


def _headline_from_sheet(header, rows):
    """Headline numbers recomputed from the generated xlsx (independent of partner_headline)."""
    import yaml

    cb = yaml.safe_load(paths.codebook_path("partner_2021").read_text(encoding="utf-8"))
    q = {x["id"]: x for x in cb["questions"]}
    cols = _columns(header, rows)
    n = len(rows)
    out = {"n_respondents": (n, ""), "frame_size": (43, ""), "response_rate": (n, 43)}
    ticked = [set(v.rstrip(";").split(";")) for v in cols["q3"] if v]
    for opt in q["q3"]["options"]:
        out[f"rus_{opt['code']}"] = (sum(opt["label"] in t for t in ticked), len(ticked))
    for qid in ("q4", "q5", "q6"):
        subst = [v for v in cols[qid] if v and v != "Vet ej"]
        out[f"{qid}_positive"] = (sum(v in POSITIVE for v in subst), len(subst))
    pairs = [
        (a, b)
        for a, b in zip(cols["q8"], cols["q10"], strict=True)
        if a and b and "Vet ej" not in (a, b)
    ]
    out["q8_q10_agreement"] = (sum(a == b for a, b in pairs), len(pairs))
    return {k: (str(a), str(b)) for k, (a, b) in out.items()}


def test_ground_truth_equals_design_and_generated_file(partner_sheet):
    committed = GROUND_TRUTH.read_bytes()
    assert committed == demo.headline_csv_bytes()
    with open(GROUND_TRUTH, encoding="utf-8", newline="") as fh:
        table = {r["metric"]: (r["numerator"], r["denominator"]) for r in csv.DictReader(fh)}
    assert table == _headline_from_sheet(*partner_sheet)


def test_partner_design_matches_report_statements():
    h = demo.partner_headline().set_index("metric")
    num = h["numerator"].astype(int)
    den = h["denominator"].replace("", "0").astype(int)
    assert round(100 * num["response_rate"] / den["response_rate"]) == 33
    rus = num[[m for m in num.index if m.startswith("rus_")]]
    named = ["rus_foretag", "rus_digitalisering", "rus_transporter", "rus_kompetens"]
    assert set(rus.sort_values(ascending=False).index[:4]) == set(named)
    assert min(rus[named]) > max(rus.drop(named))
    assert rus.min() >= 2 and rus.max() <= 2.5 * rus.min() + 1  # fairly even spread
    for qid in ("q4", "q5", "q6"):
        share = num[f"{qid}_positive"] / den[f"{qid}_positive"]
        assert 0.6 < share < 1.0  # clear majority, not unanimous
    assert num["q8_q10_agreement"] / den["q8_q10_agreement"] >= 0.75


def test_design_validation_reports_inconsistencies(tmp_path):
    import yaml

    design = yaml.safe_load(demo.PARTNER_DESIGN.read_text(encoding="utf-8"))
    design["respondents"][0]["q1"] = "Kommun"  # RISE is not a municipality
    design["respondents"][1]["q4"] = "Helt rätt"  # not an option
    design["respondents"][2]["q3"] = ["foretag", "okand"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(design, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        demo.load_partner_design(bad)
    text = str(err.value)
    assert "R01" in text and "R02.q4" in text and "R03.q3" in text


# ------------------------------------------------------------------------ municipality_2023


def test_municipality_csv_shape_with_placeholder_content():
    data = demo.render("municipality_2023", answers=_placeholder_answers())
    assert data == demo.render("municipality_2023", answers=_placeholder_answers())
    text = data.decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Tidstämpel", "E-postadress"]
    assert header[2] == "Vilken kommun representerar du?"
    assert header[3].startswith("Beskriv din kommuns största möjligheter")
    assert header[3].endswith(
        "(tex digitalisering, starka företag, hållbara transportsystem, kultur, kompetensförsörjning, trygg vård och social omsorg)"
    )
    assert "https://" not in header[3]
    assert len(header) == 17 and len(body) == 15
    assert all(len(r) == 17 for r in body)
    assert all(r[1].endswith("@example.org") for r in body)
    assert [r[0] for r in body] == sorted(r[0] for r in body)
    names = [normalise_municipality(r[2]) for r in body]
    assert sorted(names) == sorted(load_municipalities()["kommun"])
    assert sum(r[2] != normalise_municipality(r[2]) for r in body) >= 8  # everyday spellings
    by_name = dict(zip(names, body, strict=True))
    assert by_name["Umeå"][3] == 'Möjligheter, "citat" och; semikolon\nny rad (Umeå)'
    assert by_name["Nordmaling"][16] == ""  # unanswered


def test_municipality_content_must_cover_all_municipalities(tmp_path):
    answers = _placeholder_answers()
    answers.pop("Malå")
    answers["Luleå"] = {}
    p = tmp_path / "answers.yaml"
    import yaml

    p.write_text(yaml.safe_dump({"municipalities": answers}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="Luleå.*Malå"):
        demo.load_municipality_answers(p)
    with pytest.raises(ConfigError, match="saknas"):
        demo.load_municipality_answers(tmp_path / "missing.yaml")


@pytest.mark.skipif(
    not demo.MUNICIPALITY_ANSWERS.is_file(), reason="innehållsfilen för kommunsvaren saknas ännu"
)
def test_municipality_committed_file_matches_content(tmp_path):
    written = demo.generate("municipality_2023", out_dir=tmp_path)
    assert demo.sha256(written) == demo.sha256(MUNICIPALITY_FILE)
    rows = list(csv.reader(io.StringIO(MUNICIPALITY_FILE.read_text(encoding="utf-8"), newline="")))
    content = demo.load_municipality_answers()
    for row in rows[1:]:
        name = normalise_municipality(row[2])
        for k in range(2, 16):
            entry = content[name].get(f"q{k}") or {}
            assert row[k + 1] == str(entry.get("text") or "").strip()


# ------------------------------------------------------------------------ CLI


def _run(argv):
    parser = argparse.ArgumentParser()
    demo.configure(parser)
    return demo.run(parser.parse_args(argv))


def test_cli_check_detects_a_changed_committed_file(tmp_path, monkeypatch, capsys):
    root = tmp_path / "proj"
    shutil.copytree(paths.raw_dir(), root / "data" / "raw")
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    assert _run(["partner_2021", "--check"]) == 0
    target = root / "data" / "raw" / "partner_2021" / PARTNER_FILE.name
    target.write_bytes(target.read_bytes() + b"\0")
    assert _run(["partner_2021", "--check"]) == 1
    assert "AVVIKER" in capsys.readouterr().out
    target.unlink()
    assert _run(["partner_2021", "--check"]) == 1
    assert _run(["partner_2021"]) == 0  # regenerates into data/raw/partner_2021
    assert demo.sha256(target) == demo.sha256(PARTNER_FILE)


def test_cli_out_dir_and_unknown_survey(tmp_path):
    assert _run(["partner_2021", "--out", str(tmp_path)]) == 0
    assert (tmp_path / PARTNER_FILE.name).is_file()
    with pytest.raises(ConfigError):
        _run(["partner_2022"])
