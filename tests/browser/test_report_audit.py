"""The PII / small-cell audit of published reports (pure Python, no browser needed)."""

from __future__ import annotations

import pytest

from analysis.disclosure.audit import (
    audit_html,
    demo_person_names,
    find_emails,
    find_personnummer,
    find_phones,
    published_text,
)


def kinds(html: str, **kw) -> list[str]:
    kw.setdefault("names", [])
    return [f.kind for f in audit_html(html, **kw)]


@pytest.mark.parametrize(
    "text",
    [
        "Enkäten 2021–2023 besvarades av 43 av 43 (100 %).",
        "Svarsfrekvens 0,45; KI 0,31–0,59; 12 345 kronor.",
        "Skapad 2023-05-01 09:25:04, kommunkod 2480, commit cb967b6454a0e653b026a8c331a0778b1ee48df7.",
        "Frågan var: Beskriv din kommuns största möjligheter.",
        "[e-post] och [telefon] maskerades.",
    ],
)
def test_ordinary_report_text_is_clean(text):
    assert kinds(f"<p>{text}</p>") == []


def test_detectors():
    assert [m for m, _, _ in find_emails("a.b@kommun.se")] == ["a.b@kommun.se"]
    assert [m for m, _, _ in find_phones("tel 0910-123 45, mobil 073 123 45 67")] == [
        "0910-123 45",
        "073 123 45 67",
    ]
    assert [m for m, _, _ in find_personnummer("19121212-1212 och 121212+1212")] == [
        "19121212-1212",
        "121212+1212",
    ]
    assert find_personnummer("991399-1234 och 201301011234") == []


def test_hidden_content_is_not_published():
    html = "<head><title>Titel</title></head><script>var a='x@y.se'</script><p>Synlig</p>"
    assert published_text(html).split() == ["Synlig"]
    assert kinds('<img alt="Kontakta x@y.se" src="a.png">') == ["email"]


def test_demo_names_come_from_the_exports():
    names = demo_person_names()
    assert any("@example.org" in n for n in names)  # the exports' e-mail column
    assert kinds("<p>Svar från Erik Testberg</p>", names=names) == ["name"]
    assert kinds("<p>Erik och Per svarade per e-post.</p>", names=names) == []


def test_quotes_only_inside_quotes():
    assert kinds("<p>Umeå och Skellefteå har flest invånare.</p>") == []
    assert kinds("<blockquote><p>Samarbetet med Umeå Energi</p></blockquote>") == ["quoted_place"]
    assert kinds('<div class="quotes"><p class="quotes-caption">Om Umeå universitet</p>'
                 "<blockquote><p>Bra.</p></blockquote></div>") == []  # fmt: skip
    assert kinds("<q>Vi i lycksele kommun</q>") == ["quoted_place"]


def test_small_cells_only_in_count_columns():
    table = (
        "<table><thead><tr><th>Svar</th><th>Antal</th><th>Andel</th><th>År</th></tr></thead>"
        "<tbody><tr><th>Ja</th><td>{}</td><td>3 %</td><td>2</td></tr></tbody></table>"
    )
    assert kinds(table.format("4")) == ["small_cell"]
    assert kinds(table.format("4"), min_cell=3) == []
    for ok in ("0", "5", "–", "12", "1 234"):
        assert kinds(table.format(ok)) == [], ok


def test_small_cells_with_colspan_and_count_rows():
    spanned = (
        "<table><tr><th colspan='2'>Grupp</th><th>antal</th></tr>"
        "<tr><td>a</td><td>b</td><td>2</td></tr></table>"
    )
    assert kinds(spanned) == ["small_cell"]
    transposed = "<table><tr><th>Antal</th><td>1</td><td>9</td></tr></table>"
    assert kinds(transposed) == ["small_cell"]


def test_count_phrases_captions_and_cross_tabs():
    phrase = (
        "<table><tr><th>Tema</th><th>Antal kommuner</th></tr>"
        "<tr><td>Bostäder</td><td>{}</td></tr></table>"
    )
    assert kinds(phrase.format("2 av 15 kommuner")) == ["small_cell"]
    assert kinds(phrase.format("12 av 15 kommuner")) == []
    captioned = (
        "<table><caption>Antal kommuner per aktör</caption><tr><th>Aktör</th><th>Bra</th>"
        "<th>Plats</th></tr><tr><th>Polisen</th><td>1</td><td>2</td></tr></table>"
    )
    assert [f.text for f in audit_html(captioned, names=[])] == ["1"]  # not the rank
    cross = (
        "<table><tr><th></th><th>Ja</th><th>Nej</th></tr>"
        "<tr><th>A</th><td>7</td><td>3</td></tr><tr><th>B</th><td>–</td><td>0</td></tr></table>"
    )
    assert kinds(cross) == ["small_cell"]
    frame = (
        "<table><tr><th></th><th>I urvalet</th><th>Svarande</th><th>Andel av urvalet</th></tr>"
        "<tr><th>Region</th><td>4</td><td>–</td><td>9 %</td></tr></table>"
    )
    assert kinds(frame) == []  # the sample frame is public; respondents are suppressed


@pytest.mark.parametrize(
    "number",
    [
        "070–123 45 67",  # en dash
        "070‑123 45 67",  # non-breaking hyphen U+2011
        "070−123 45 67",  # minus sign
        "070 - 123 45 67",
        "070.123.45.67",
        "070/123 45 67",
        "090/16 10 00",
        "(090) 16 10 00",
        "090\u00a016\u00a010\u00a000",
        "+46 70–123 45 67",
        "+46 (0)90/16 10 00",
        "0046 70.123.45.67",
    ],
)
def test_phone_formats_are_found(number):
    assert [m for m, _, _ in find_phones(f"Ring {number}.")] == [number]
    html = f"<p>Kontakt: {number}</p><img alt='tel {number}' src='a.png'>"
    assert kinds(html) == ["phone", "phone"]


@pytest.mark.parametrize(
    "pnr",
    [
        "850709 9805",
        "850709–9805",
        "19850709–9805",
        "19850709 9805",
        "85 07 09-9805",
        "85 07 09 9805",
        "850769-9802",  # samordningsnummer
    ],
)
def test_personnummer_formats_are_found(pnr):
    assert [m for m, _, _ in find_personnummer(f"Svar: {pnr}.")] == [pnr]
    assert kinds(f"<blockquote>Mitt nummer {pnr}</blockquote>") == ["personnummer"]


def test_personnummer_called_so_is_found_even_with_a_bad_check_digit():
    assert kinds("<p>pnr 850709-9806</p>") == ["personnummer"]
    assert kinds("<p>Nummer 850709-9806</p>") == []


@pytest.mark.parametrize(
    "text",
    [
        "Kostnad 100 000-200 000 kr och 1 000–2 000 kr per år.",
        "RUS 2020–2030, perioden 2021-2023, kommunkod 2480.",
        "Beslut 20230512-1234 (dnr 20230512-1234).",
        "Öppet 08.30-16.00; enkäten stängde 01.05.2023.",
        "Organisationsnummer 212000-2627.",
    ],
)
def test_number_look_alikes_are_not_flagged(text):
    assert kinds(f"<p>{text}</p>") == []


def test_the_text_of_an_embedded_svg_figure_is_published_text():
    from matplotlib.figure import Figure

    from analysis.report import html as render

    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.barh(["Kontakta anna.svensson@example.org"], [3])
    ax.set_title("Svar & <kommentarer>")
    page = render.figure(fig, "Ett stapeldiagram")
    text = published_text(page)
    assert "anna.svensson@example.org" in text and "Svar & <kommentarer>" in text
    assert kinds(page) == ["email"]
    assert kinds('<img alt="Diagram" src="data:image/svg+xml;base64,!!!inte-base64">') == []
