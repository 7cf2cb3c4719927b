"""The 2021 partner report builds end to end from the demo data (ingest → runner → HTML), contains
every section in order, and the public version leaks no names in quotes and no small counts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from analysis.data.reference import load_municipalities, load_sample_frame
from analysis.report import format as fmt

pytestmark = pytest.mark.slow

SECTIONS = [
    "Sammanfattning",
    "Urval och svarsfrekvens",
    "RUS",
    "Inkluderande, attraktiv, innovativ",
    "Har samarbetet utvecklat verksamheten?",
    "Framgångsfaktorer, utmaningar, engagemangstrappan",
    "Fritextsvar",
    "Per sektor",
    "Metod och reservationer",
]
FRAME_COLUMN = "I urvalet"  # the published invitation list (seed 000, Bilaga 1), not responses


class _Collector(HTMLParser):
    """Collects headings, blockquote texts and table cells (with their column header)."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.blockquotes: list[str] = []
        self.cells: list[tuple[str, str]] = []  # (column header, text) of <td> cells
        self._stack: list[str] = []
        self._text: list[str] = []
        self._headers: list[str] = []
        self._col = 0
        self._in_thead = False

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3", "blockquote", "td", "th"):
            self._stack.append(tag)
            self._text = []
        if tag == "thead":
            self._in_thead = True
            self._headers = []
        if tag == "tr":
            self._col = 0

    def handle_endtag(self, tag):
        text = " ".join("".join(self._text).split())
        if tag == "thead":
            self._in_thead = False
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            if tag in ("h1", "h2", "h3"):
                self.headings.append(text)
            elif tag == "blockquote":
                self.blockquotes.append(text)
            elif tag in ("td", "th"):
                if self._in_thead:
                    self._headers.append(text)
                elif tag == "td":
                    header = self._headers[self._col] if self._col < len(self._headers) else ""
                    self.cells.append((header, text))
                self._col += 1

    def handle_data(self, data):
        if self._stack:
            self._text.append(data)


def _build(tmp_path_factory, processed_demo, audience: str) -> str:
    from analysis.pipeline.runner import run_reports

    out = tmp_path_factory.mktemp(f"reports_{audience}")
    results = run_reports(
        ["partner_2021"],
        overrides={"input": str(processed_demo("partner_2021")), "audience": audience},
        output_dir=out,
        force=True,
        quiet=True,
        jobs=1,
    )
    assert len(results) == 1
    html_path = out / "partner_2021.html"
    assert html_path.is_file(), [getattr(r, "error", r) for r in results]
    return html_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def public_html(tmp_path_factory, processed_demo) -> str:
    return _build(tmp_path_factory, processed_demo, "public")


def _parse(html: str) -> _Collector:
    c = _Collector()
    c.feed(html)
    return c


def test_sections_in_order(public_html):
    headings = _parse(public_html).headings
    positions = []
    for section in SECTIONS:
        found = [i for i, h in enumerate(headings) if section in h]
        assert found, f"rubriken {section!r} saknas"
        positions.append(found[0])
    assert positions == sorted(positions)


def test_summary_numbers_are_computed(public_html):
    # "14 av 43" comes from the data (14 demo respondents, 43 in the frame), and intervals exist
    assert re.search(r"14 av 43", public_html)
    assert "KI" in public_html and "betydande" in public_html
    assert "syntetisk" in public_html  # the demo banner


def _names() -> list[str]:
    frame = load_sample_frame()
    names = [
        n for n, t in zip(frame["organisation"], frame["org_type"], strict=True) if t != "Kommun"
    ]
    names += ["Länsstyrelsen", "Länsstyrelsens", "RISE", "Umeå universitet"]
    names += list(load_municipalities()["kommun"])
    return names


def test_public_quotes_hold_no_names(public_html):
    quotes = _parse(public_html).blockquotes
    assert quotes, "inga citat i rapporten"
    assert any("[organisation]" in q for q in quotes)  # the seed answers name RISE/Länsstyrelsen
    for quote in quotes:
        for name in _names():
            assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", quote, re.IGNORECASE), (
                name,
                quote,
            )


def test_public_shows_no_small_counts(public_html):
    min_cell = 5
    cells = _parse(public_html).cells
    assert any(text == "–" for _, text in cells)
    for header, text in cells:
        if header == FRAME_COLUMN:
            continue
        if re.fullmatch(r"\d+", text.replace("\u00a0", "")):
            value = int(text.replace("\u00a0", ""))
            assert value == 0 or value >= min_cell, (header, text)


@pytest.fixture(scope="module")
def internal_html(tmp_path_factory, processed_demo) -> str:
    return _build(tmp_path_factory, processed_demo, "internal")


def test_internal_build_shows_names(internal_html):
    html = internal_html
    quotes = " ".join(_parse(html).blockquotes)
    assert "RISE" in quotes


def test_audiences_differ_where_the_sections_say(public_html, internal_html):
    """The section functions' audience decisions reach the published HTML."""
    heat_map = 'alt="Värmekarta över korstabellen'
    assert heat_map in internal_html and heat_map not in public_html
    likert_chart = 'alt="Divergerande staplar'
    assert likert_chart in internal_html and likert_chart not in public_html
    assert "visas inte som diagram i den publika versionen" in public_html
    internal_only = "Tabellen visas bara i den interna versionen"
    assert internal_only in public_html and internal_only not in internal_html
    for html in (public_html, internal_html):
        assert "Skiljer sig bedömningarna åt?" in html
        assert "Bortfallsprofil per organisationstyp:" in html
        assert 'alt="Trappa i fem steg från Information' in html


def _section(html: str, number: int) -> str:
    """The HTML of report section *number* (from its ``<h2>`` to the next one)."""
    start = html.index(f"<h2>{number} ")
    end = html.find("<h2", start + 1)
    return html[start : end if end != -1 else len(html)]


def _tables(fragment: str) -> list[list[str]]:
    """The body cells (``td``) of every table in *fragment*, one list per table."""
    return [
        [text for _, text in _parse(t).cells]
        for t in re.findall(r"<table\b.*?</table>", fragment, flags=re.S)
    ]


P_VALUE = re.compile(r"\bp [=<] \d")


@pytest.fixture(scope="module")
def sector_results(processed_demo):
    from analysis.surveys import partner

    data = partner.load_inputs(processed_demo("partner_2021"))
    return partner.sector_tests(data.responses, data.questions)


def test_public_cross_tables_need_no_suppression(public_html, sector_results):
    """Sections 5 and 8 publish no cross-table with a hidden cell (its cells could be worked out
    from totals printed elsewhere), and no p-value of a sector table left out."""
    from analysis.surveys import partner

    development = _section(public_html, 5)
    sector = _section(public_html, 8)
    for fragment in (development, sector):
        for cells in _tables(fragment):
            assert "–" not in cells, cells
    assert "Fråga 8 (rader) mot fråga 10" not in development  # the demo table needs suppression
    assert "Tabellen visas bara i den interna versionen" in development
    assert "gav samma svar" in development and "Cohens kappa" in development
    hidden = [t for t, table, _ in sector_results if not partner.publishable_crosstab(table, 5)]
    assert hidden  # every demo sector table has cells of 1–4
    assert len(_tables(sector)) == len(sector_results) - len(hidden)
    assert sector.count("Tabellen visas bara i den interna versionen") == len(hidden)
    for _, table, res in sector_results:
        if not partner.publishable_crosstab(table, 5):
            assert f"(n = {res.n})." not in sector
    if len(hidden) == len(sector_results):
        assert not P_VALUE.search(sector)


def test_internal_shows_every_cross_table_and_p_value(internal_html, sector_results):

    development = _section(internal_html, 5)
    sector = _section(internal_html, 8)
    assert "Fråga 8 (rader) mot fråga 10" in development and "Cohens kappa" in development
    assert len(_tables(sector)) == len(sector_results)
    for title, _, res in sector_results:
        assert title in sector
        assert f"{res.method}: {fmt.format_p(res.pvalue)} (n = {res.n})." in sector
    assert "Tabellen visas bara i den interna versionen" not in internal_html
