"""PII rules and export reading (formats, encodings, delimiters, mojibake)."""

from __future__ import annotations

import pytest

from analysis.data.pii import is_pii_header, mask_text
from analysis.data.readers import find_mojibake, read_export
from analysis.errors import InputValidationError


@pytest.mark.parametrize(
    "text, kind",
    [
        ("anna.andersson@regionvasterbotten.se", "email"),
        ("Mejla x_y+z@sub.example.org.", "email"),
        ("070-123 45 67", "phone"),
        ("0701234567", "phone"),
        ("+46 70 123 45 67", "phone"),
        ("+46701234567", "phone"),
        ("090-16 10 00", "phone"),
        ("0771-11 11 11", "phone"),
        ("08-123 456 78", "phone"),
        ("850709-9805", "personnummer"),
        ("19850709-9805", "personnummer"),
        ("198507099805", "personnummer"),
        ("8507099805", "personnummer"),
        ("121212+1212", "personnummer"),
        ("850769-9802", "personnummer"),  # samordningsnummer (valid check digit)
    ],
)
def test_masks_each_kind(text, kind):
    masked, counts = mask_text(f"Kontakt: {text} tack")
    assert counts[kind] == 1 and sum(counts.values()) == 1
    assert text not in masked


@pytest.mark.parametrize(
    "text",
    [
        "Under 2021-2023 ökade det.",
        "SCB-kod 2480 och 2482",
        "15 av 43 svarade",
        "0,5 procent",
        "2 500 000 kr",
        "Organisationsnummer 212000-2627",
        "Version 1.0.2, sidan 12-14",
        "Telefonväxeln är bra",
        "RUS 2020–2030",
    ],
)
def test_ordinary_numbers_not_masked(text):
    masked, counts = mask_text(text)
    assert masked == text and sum(counts.values()) == 0


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Email", True), ("E-postadress", True), ("Name", True), ("Namn", True),
        ("Telefon", True), ("Telefonnummer:", True), ("Mobilnummer", True),
        ("E-mail Address", True), ("Personnummer", True),
        ("ID", False), ("Start time", False), ("Namn på organisationen", False),
        ("Beskriv gärna hur, i så fall:", False),
    ],
)  # fmt: skip
def test_pii_headers(header, expected):
    assert is_pii_header(header) is expected


def test_read_google_csv(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text('Tidstämpel,"Fråga, med komma"\n2023/05/01,"svar ""citat"""\n', encoding="utf-8")
    t = read_export(p)
    assert t.format == "google_forms_csv" and t.delimiter == ","
    assert t.headers == ["Tidstämpel", "Fråga, med komma"] and t.rows == [
        ["2023/05/01", 'svar "citat"']
    ]


def test_semicolon_with_unquoted_commas(tmp_path):
    p = tmp_path / "e.csv"
    p.write_bytes("A;Beskriv (tex x, y, z);C\n1;a, b, c, d;3\n2;e;4\n".encode("utf-8-sig"))
    t = read_export(p)
    assert (t.delimiter, t.encoding, t.format) == (";", "utf-8-sig", "excel_csv")
    assert t.rows[0] == ["1", "a, b, c, d", "3"]


def test_cp1252_and_utf16(tmp_path):
    p = tmp_path / "w.csv"
    p.write_bytes("Kommun;Svar\nÅsele;Väg – bra\n".encode("cp1252"))
    assert read_export(p).rows == [["Åsele", "Väg – bra"]]
    u = tmp_path / "u.csv"
    u.write_bytes("Kommun\tSvar\nÅsele\tbra\n".encode("utf-16"))
    t = read_export(u)
    assert t.delimiter == "\t" and t.rows == [["Åsele", "bra"]]


def test_mojibake_detection():
    assert find_mojibake("VÃ¤sterbotten") == "Ã¤"
    assert find_mojibake("Ã…sele") == "Ã…"
    assert find_mojibake("â€“") == "â€"
    assert find_mojibake("Västerbotten, Åsele – Ölands") is None


def test_xlsx_formula_cells_stay_text(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "Fråga"])
    ws.append([1, "=1+1"])
    ws.append([2.0, 3.5])
    p = tmp_path / "f.xlsx"
    wb.save(p)
    t = read_export(p)
    assert t.rows == [["1", "=1+1"], ["2", "3.5"]]


def test_raw_file_untouched(tmp_path):
    p = tmp_path / "g.csv"
    data = b"A,B\n1,2\n"
    p.write_bytes(data)
    before = p.stat().st_mtime_ns
    read_export(p)
    assert p.read_bytes() == data and p.stat().st_mtime_ns == before


def test_missing_file(tmp_path):
    with pytest.raises(InputValidationError) as exc:
        read_export(tmp_path / "nope.csv")
    assert exc.value.kinds == {"unreadable"}
