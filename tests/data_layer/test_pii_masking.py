"""Masking of personal data in free text: Swedish phone-number and personnummer formats, number
look-alikes that must stay, and the respondent's own name (unit tests and one ingest per
format)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from export_corpus import muni_headers, muni_rows, write_csv, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.data.ingest import ingest
from analysis.data.pii import (
    find_personnummer,
    find_phones,
    luhn_ok,
    mask_person,
    mask_text,
    normalise_dashes,
    person_pattern,
    pii_header_kind,
)
from analysis.disclosure import audit as report_audit

# ----------------------------------------------------------------------------- phone numbers

PHONES = [
    "070–123 45 67",  # en dash
    "070—123 45 67",  # em dash
    "070−123 45 67",  # minus sign
    "070‑123 45 67",  # non-breaking hyphen U+2011
    "070‐123 45 67",  # hyphen U+2010
    "070 - 123 45 67",
    "070 – 123 45 67",
    "070.123.45.67",
    "070/123 45 67",
    "090/16 10 00",
    "(090) 16 10 00",
    "(090)16 10 00",
    "(08) 123 456 78",
    "0910‑77 20 00",
    "090\u00a016\u00a010\u00a000",  # no-break spaces
    "+46 70–123 45 67",
    "+46 70 - 123 45 67",
    "+46 70.123.45.67",
    "+46 (0)90/16 10 00",
    "+46-90-16 10 00",
    "0046 70–123 45 67",
    # the forms that were already masked stay masked
    "070-123 45 67",
    "0701234567",
    "090-16 10 00",
    "08-123 456 78",
    "+46701234567",
]


@pytest.mark.parametrize("number", PHONES)
def test_phone_formats_are_masked(number):
    masked, counts = mask_text(f"Ring mig på {number} i morgon.")
    assert masked == "Ring mig på [telefon] i morgon."
    assert counts == {"email": 0, "phone": 1, "personnummer": 0, "name": 0}


def test_phone_followed_by_a_count_is_still_masked():
    assert mask_text("Ring 070-123 45 67 2 gånger")[0] == "Ring [telefon] 2 gånger"


# ----------------------------------------------------------------------------- personnummer

PNRS = [
    "850709-9805",
    "850709 9805",
    "850709–9805",  # en dash
    "850709 – 9805",
    "850709\u00a09805",
    "19850709-9805",
    "19850709 9805",
    "19850709–9805",
    "85 07 09-9805",
    "85 07 09 9805",
    "1985 07 09-9805",
    "8507099805",
    "198507099805",
    "121212+1212",  # over 100 years old
    "850769-9802",  # samordningsnummer
]


@pytest.mark.parametrize("pnr", PNRS)
def test_personnummer_formats_are_masked(pnr):
    masked, counts = mask_text(f"Kontakt: {pnr} tack")
    assert masked == "Kontakt: [personnummer] tack"
    assert counts == {"email": 0, "phone": 0, "personnummer": 1, "name": 0}
    assert "85" not in masked  # "85 07 09-9805" used to leave the birth year behind


@pytest.mark.parametrize(
    "text",
    [
        "pnr 850709-9806",
        "personnummer: 850709 9806",
        "Mitt personnr är 19850709–9806.",
        "samordningsnummer 850769-9805",
        "850709-9806 (mitt pnr)",
    ],
)
def test_invalid_check_digit_is_masked_when_called_personnummer(text):
    masked, counts = mask_text(text)
    assert counts["personnummer"] == 1 and "9806" not in masked and "9805" not in masked


def test_check_digit_is_shared_with_the_audit():
    assert luhn_ok("8507099805") and not luhn_ok("8507099806")
    assert not hasattr(report_audit, "_luhn_ok")  # one implementation, in analysis.data.pii
    samples = "Nr 850709-9805, beslut 20230512-1234, pnr 850709-9806, 8507099806, 850769-9802."
    assert report_audit.find_personnummer(samples) == find_personnummer(samples)
    assert report_audit.find_phones(samples + " 070–123 45 67") == find_phones(
        samples + " 070–123 45 67"
    )


# ----------------------------------------------------------------------------- must not mask

KEPT = [
    "Kostnad 100 000-200 000 kr",
    "Kostnad 100 000–200 000 kr",
    "ca 10 000 - 20 000 kr",
    "1 000–2 000 kr",
    "5 050-6 060 kronor",
    "1 012 345 678 kr",
    "budget 050 000 kr",
    "Under 2021-2023 ökade det.",
    "RUS 2020–2030",
    "SCB-kod 2480 och 2482",
    "Skapad 2023-05-01 09:25",
    "Datum 01.05.2023 och 01/05 2023",
    "Öppet kl. 08.30-16.00 och 09.00 – 12.00",
    "0,5–0,7 procent",
    "Version 0.9.1, sidorna 012-014",
    "Åldrar 0-5 och 06-12 år",
    "Organisationsnummer 212000-2627",
    "beslut 20230512-1234",  # valid check digit, but a decision number
    "Dnr 20230512-1234",
    "ärende 850709-9805",
    "Kontakt 20230512-1235",  # invalid check digit, nothing says personnummer
    "referens 850769-9805",
]


@pytest.mark.parametrize("text", KEPT)
def test_number_look_alikes_are_kept(text):
    masked, counts = mask_text(text)
    assert masked == text and sum(counts.values()) == 0


def test_dashes_elsewhere_are_kept_as_written():
    text = "Åren 2021–2023 – ring 070–123 45 67 eller (090) 16 10 00 – tack!"
    masked, _ = mask_text(text)
    assert masked == "Åren 2021–2023 – ring [telefon] eller [telefon] – tack!"
    assert normalise_dashes("a–b‑c") == "a-b-c" and len(normalise_dashes(text)) == len(text)


def test_obfuscated_email_is_masked():
    for text in ("mejla anna.svensson(at)umea.se", "mejla anna.svensson [at] umea.se"):
        assert mask_text(text) == (
            "mejla [e-post]",
            {"email": 1, "phone": 0, "personnummer": 0, "name": 0},
        )


_SEPARATORS = st.sampled_from(["-", "–", "‑", " - ", " – ", "/", ".", " ", "\u00a0", ""])


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(["070", "072", "073", "076", "079", "090", "0910", "08", "0771"]),
    digits=st.text("0123456789", min_size=6, max_size=6),
    sep=_SEPARATORS,
    inner=st.sampled_from([" ", "", "\u00a0"]),
    international=st.booleans(),
)
def test_property_generated_phone_numbers_never_survive(prefix, digits, sep, inner, international):
    rest = inner.join([digits[:2], digits[2:4], digits[4:]])
    if sep == "." and inner:
        rest = rest.replace(inner, ".")
    if sep == "" and not inner:
        prefix = "070"  # a bare run of digits is only taken as a number when it is a mobile
    number = f"{prefix}{sep}{rest}"
    if international:
        number = "+46 " + number[1:]
    masked, counts = mask_text(f"Nå mig på {number}, tack.")
    assert masked == "Nå mig på [telefon], tack.", number
    assert counts["phone"] == 1


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mvh Lars Exempelsson, utvecklingschef", "Mvh [namn], utvecklingschef"),
        ("Mvh lars exempelsson", "Mvh [namn]"),
        ("Mvh LARS  EXEMPELSSON", "Mvh [namn]"),
        ("Exempelsson, Lars", "[namn], [namn]"),
        ("Kontakta mig gärna, /Lars", "Kontakta mig gärna, /[namn]"),
        ("Exempelssons förslag", "[namn] förslag"),
        ("Lars:s förslag", "[namn] förslag"),
        ("skriv till lars.exempelsson", "skriv till [namn]"),
        ("Larsson och Exempelssonska gården", "Larsson och Exempelssonska gården"),
    ],
)
def test_own_name_is_masked(text, expected):
    pattern = person_pattern(["Lars Exempelsson"], ["lars.exempelsson@example.org"])
    masked, n = mask_person(text, pattern)
    assert masked == expected
    assert n == expected.count("[namn]")


def test_name_tokens_that_are_everyday_words_need_a_capital():
    pattern = person_pattern(["Per Berg"], [])
    assert mask_person("Hälsningar Per Berg", pattern) == ("Hälsningar [namn]", 1)
    assert mask_person("/Per. Två gånger per år, högt berg.", pattern) == (
        "/[namn]. Två gånger per år, högt berg.",
        1,
    )


def test_email_local_part_and_hyphenated_names():
    pattern = person_pattern(["Anna-Karin Lindqvist"], ["akl72@example.org"])
    masked, n = mask_person("Anna-Karin, Karin eller akl72 – Lindqvists team", pattern)
    assert masked == "[namn], [namn] eller [namn] – [namn] team" and n == 4
    only_email = person_pattern([], ["nils.provstrom@example.org"])
    assert mask_person("hälsningar Nils Provstrom", only_email) == ("hälsningar [namn] [namn]", 2)


@pytest.mark.parametrize("value", ["Anonymous", "Anonym", "-", "", "Vill ej uppge", "Test 1"])
def test_placeholder_names_mask_nothing(value):
    assert person_pattern([value], []) is None


def test_name_header_kinds():
    assert [pii_header_kind(h) for h in ["Name", "Namn", "Email", "E-postadress", "Telefon"]] == [
        "name", "name", "email", "email", "phone",
    ]  # fmt: skip
    assert pii_header_kind("Vilken kommun representerar du?") is None


# ----------------------------------------------------------------------------- ingest

NAMES = ["Lars Exempelsson", "Karin Påhittad", "Anonymous"]
EMAILS = ["lars.exempelsson@example.org", "kp@example.org", "anonymous@example.org"]
TEXTS = [
    "Bra samarbete. Mvh Lars Exempelsson, utvecklingschef (ring 070–123 45 67)",
    "Hör av er till karin eller kp. /Karin P, (090) 16 10 00",
]
SECRETS = ["Lars", "Exempelsson", "exempelsson", "Karin", "Påhittad", "kp.", "070", "16 10 00"]


def _export(tmp_path, fmt: str):
    header = muni_headers(numbered=fmt == "xlsx")
    rows = muni_rows()
    rows[0][2], rows[1][3] = TEXTS
    rows[2][2] = "Karin och Lars på Exempelsson AB"  # another respondent's text: not their name
    if fmt == "xlsx":
        meta = ["ID", "Start time", "Completion time", "Email", "Name"]
        body = []
        for i, r in enumerate(rows):
            t = dt.datetime(2023, 5, 1, 9) + dt.timedelta(hours=i)
            body.append([i + 1, t, t, EMAILS[i % 3], NAMES[i % 3] if i < 3 else f"Elin N{i}", *r])
        path = tmp_path / "export.xlsx"
        write_xlsx(path, [("Sheet1", [meta + header, *body])])
    else:
        meta = ["Tidstämpel", "E-postadress", "Namn"]
        body = [
            [f"2023/05/{i + 1:02d} 10:00:00", EMAILS[i % 3], NAMES[i % 3] if i < 3 else "", *r]
            for i, r in enumerate(rows)
        ]
        path = tmp_path / "export.csv"
        write_csv(path, meta + header, body)
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_ingest_masks_the_respondents_own_name(tmp_path, fmt):
    out = tmp_path / "out"
    m = ingest("municipality_2023", input_path=_export(tmp_path, fmt), out_dir=out)
    # 4 own names + 2 third-party names (issue 9: names of third parties are masked too)
    assert m["masked_counts"] == {"email": 0, "phone": 2, "personnummer": 0, "name": 6}
    manifest_text = (out / "manifest.json").read_text(encoding="utf-8")
    assert json.loads(manifest_text)["masked_counts"]["name"] == 6
    wide = pd.read_parquet(out / "responses.parquet")
    long = pd.read_parquet(out / "answers.parquet")
    assert wide.loc[0, "q3"] == "Bra samarbete. Mvh [namn], utvecklingschef (ring [telefon])"
    assert wide.loc[1, "q4"] == "Hör av er till [namn] eller [namn]. /[namn] P, [telefon]"
    # another respondent's text naming people: masked as third parties, the company kept
    assert wide.loc[2, "q3"] == "[namn] och [namn] på Exempelsson AB"
    texts = long.loc[long["question_type"] == "text"]
    first_two = set(wide.loc[:1, "respondent_id"])
    for frame in (wide.loc[:1], long[long.respondent_id.isin(first_two)]):
        blob = " ".join(map(str, frame.to_numpy().ravel()))
        assert "[namn]" in blob
        for secret in SECRETS:
            assert secret not in blob, secret
    raw = (out / "responses.parquet").read_bytes() + (out / "answers.parquet").read_bytes()
    for secret in ("Påhittad", "lars.exempelsson", "070–123"):
        assert secret.encode() not in raw and secret not in manifest_text
    assert (texts["value"].str.count(r"\[namn\]")).sum() == 6
