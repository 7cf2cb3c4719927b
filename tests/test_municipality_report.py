"""The municipality_2023 report: notebook structure and an end-to-end build on the demo data.

The report is built twice through the runner's Python API (public and internal) into temporary
folders, with the demo survey ingested by the ``processed_demo`` fixture (see conftest.py).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "municipality_survey_2023.ipynb"
REPORT = "municipality_2023"

SECTIONS = [
    "5.1 Möjligheter och utmaningar inom regional utveckling och hållbar tillväxt",
    "5.2 Krisberedskap och civilt försvar",
    "5.3 Infrastruktur",
    "5.4 Industrialisering",
    "5.5 Samverkan med andra aktörer",
    "5.6 Samverkan med Region Västerbotten",
    "5.7 Prioriterade områden",
    "5.8 Övriga behov",
    "Teman som förekommer tillsammans",
    "Svarens längd och täckning per fråga",
    "Jämförelse mellan kommungrupper",
    "Kodningens kvalitet",
    "Metod och reservationer",
]
SUBSECTIONS = ["Transport", "Energi", "Digital infrastruktur", "Vatten och avlopp"]
PRIORITY_LABELS = [
    "Kompetensförsörjning",
    "Samhällsplanering",
    "Trafikinfrastruktur",
    "Påverkansarbete",
    "Digitalisering",
    "Hållbar omställning",
    "Attraktion",
    "Socialtjänst",
    "Civilt försvar och krisberedskap",
]


# -- notebook structure (fast) -----------------------------------------------------------------
def test_notebook_has_one_typed_parameters_cell_and_no_outputs():
    from analysis.pipeline.parameters import notebook_parameters

    params = notebook_parameters(NOTEBOOK)
    assert {k: (v.type_name, v.default) for k, v in params.items()} == {
        "survey": ("str", "municipality_2023"),
        "input": ("str", ""),
        "themes": ("str", ""),
        "audience": ("str", "public"),
        "min_cell": ("int", 5),
    }
    assert all(v.help for v in params.values())  # every default is commented
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_notebook_headings_match_the_report_sections():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    h1 = re.findall(r"^# (.+)$", md, flags=re.M)
    h2 = re.findall(r"^## (.+)$", md, flags=re.M)
    assert len(h1) == 1
    assert h2 == SECTIONS


# -- end-to-end build ------------------------------------------------------------------------
class _Page(HTMLParser):
    """Collect headings, block quotes and tables (row/column headers and cells) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.blockquotes: list[str] = []
        self.tables: list[dict] = []
        self.alts: list[str] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self._buf: list[str] = []
        self._cell: list[str] | None = None
        self._cell_kind = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h1", "h2", "h3", "blockquote"):
            self._stack.append(tag)
            self._buf = []
        elif tag == "table":
            self.tables.append({"caption": "", "row_headers": [], "col_headers": [], "cells": []})
        elif tag in ("th", "td", "caption") and self.tables:
            self._cell, self._cell_kind = [], (tag, a.get("scope", ""))
        elif tag == "img":
            self.alts.append(a.get("alt", ""))

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3", "blockquote") and self._stack and self._stack[-1] == tag:
            self._stack.pop()
            text = " ".join("".join(self._buf).split()).rstrip("¶").strip()
            if tag == "blockquote":
                self.blockquotes.append(text)
            else:
                self.headings.append((tag, text))
        elif tag in ("th", "td", "caption") and self._cell is not None and self.tables:
            text = " ".join("".join(self._cell).split())
            t = self.tables[-1]
            kind, scope = self._cell_kind
            if kind == "caption":
                t["caption"] = text
            elif kind == "th" and scope == "row":
                t["row_headers"].append(text)
            elif kind == "th":
                t["col_headers"].append(text)
            else:
                t["cells"].append(text)
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._stack:
            self._buf.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    return p


def _registry():
    from analysis.errors import ConfigError
    from analysis.pipeline.registry import ReportSpec, load_registry

    try:
        reg = load_registry()
        if REPORT in reg:
            return {REPORT: reg[REPORT]}
    except ConfigError:
        pass
    return {
        REPORT: ReportSpec(REPORT, NOTEBOOK, "Kommunenkäten 2023", {"survey": "municipality_2023"})
    }


@pytest.fixture(scope="module")
def built(processed_demo, tmp_path_factory):
    """Both audiences in one runner call (two kernels in parallel)."""
    from dataclasses import replace

    from analysis.pipeline.runner import run_reports

    folder = processed_demo("municipality_2023")
    spec = _registry()[REPORT]
    internal = f"{REPORT}_internal"
    registry = {REPORT: spec, internal: replace(spec, name=internal)}
    out = tmp_path_factory.mktemp("report")
    results = run_reports(
        [REPORT, internal],
        registry=registry,
        overrides={"input": str(folder)},
        per_report={REPORT: {"audience": "public"}, internal: {"audience": "internal"}},
        jobs=2,
        output_dir=out,
        quiet=True,
        force=True,
    )
    assert [r.status for r in results] == ["built", "built"], [r.line() for r in results]
    return {
        "public": (out / f"{REPORT}.html").read_text(encoding="utf-8"),
        "internal": (out / f"{internal}.html").read_text(encoding="utf-8"),
    }


@pytest.fixture(scope="module")
def municipalities():
    from analysis.data.reference import load_municipalities

    return load_municipalities()["kommun"].tolist()


def _names_in(text: str, names: list[str]) -> list[str]:
    return [n for n in names if re.search(rf"(?<!\w){re.escape(n)}", text)]


def _section_texts(page: _Page, html: str) -> dict[str, str]:
    """Visible text of each h2 section (between consecutive h2 headings)."""
    plain = re.sub(r"<img[^>]*>", " ", html)
    plain = re.sub(r"<[^>]+>", " ", plain)
    import html as _html

    plain = " ".join(_html.unescape(plain).split())
    out = {}
    for i, title in enumerate(SECTIONS):
        start = plain.find(title)
        end = plain.find(SECTIONS[i + 1], start) if i + 1 < len(SECTIONS) else len(plain)
        out[title] = plain[start:end]
    return out


@pytest.mark.slow
def test_every_section_heading_is_present(built):
    for html in built.values():
        page = _parse(html)
        h1 = [t for tag, t in page.headings if tag == "h1"]
        h2 = [t for tag, t in page.headings if tag == "h2"]
        h3 = [t for tag, t in page.headings if tag == "h3"]
        assert len(h1) == 1 and "kommuner" in h1[0]
        # the report's sections, in order (the template may add its own, e.g. "Om rapporten")
        assert [h for h in h2 if h in SECTIONS] == SECTIONS
        for sub in SUBSECTIONS:
            assert sub in h3


@pytest.mark.slow
def test_sections_count_municipalities_and_quote(built):
    html = built["public"]
    page = _parse(html)
    texts = _section_texts(page, html)
    for title in SECTIONS[:8]:
        assert re.search(r"\d+ av 15 kommuner", texts[title]), title
    for title in [s for s in SECTIONS[:8] if not s.startswith("5.2")]:
        assert "Citat" in texts[title], title
    assert len(page.blockquotes) >= 20
    # the Q14 ranking lists the nine priority areas of the report, each named by someone
    ranking = next(t for t in page.tables if t["caption"].startswith("Prioriterade områden"))
    for label in PRIORITY_LABELS:
        assert label in ranking["cells"]
    assert "0 av 15 kommuner" not in ranking["cells"]
    # the actor heatmap comes with its counts; the infrastructure table has the four sub-areas
    assert any("aktör" in alt for alt in page.alts)
    infra = next(t for t in page.tables if t["caption"].startswith("Fråga 4"))
    assert infra["row_headers"] == SUBSECTIONS


@pytest.mark.slow
def test_public_report_reveals_no_municipality(built, municipalities):
    page = _parse(built["public"])
    for quote in page.blockquotes:
        assert not _names_in(quote, municipalities), quote
    assert any("[kommun]" in q or "[organisation]" in q for q in page.blockquotes)
    for t in page.tables:
        headers = t["row_headers"] + t["col_headers"]
        assert not set(headers) & set(municipalities), t["caption"]
        # no table holds one row per municipality
        assert len(t["row_headers"]) < 15 or not set(t["row_headers"]) & set(municipalities)
    for alt in page.alts:
        assert not _names_in(alt, municipalities)
    groups = next(t for t in page.tables if t["caption"].startswith("Antal kommuner per grupp"))
    assert "Största kommunen (Umeå)" not in groups["col_headers"]
    body = groups["cells"]
    assert all(c == "–" or int(c) == 0 or int(c) >= 5 for c in body)


@pytest.mark.slow
def test_internal_report_attributes_quotes(built, municipalities):
    page = _parse(built["internal"])
    attributed = [q for q in page.blockquotes if re.search(r" — \w", q)]
    assert attributed and len(attributed) == len(page.blockquotes)
    assert all(q.rsplit(" — ", 1)[1] in municipalities for q in attributed)
    per_muni = [t for t in page.tables if set(t["row_headers"]) >= set(municipalities)]
    assert per_muni, "the internal report has a municipality × actor table"
    groups = next(t for t in page.tables if t["caption"].startswith("Antal kommuner per grupp"))
    assert "Största kommunen (Umeå)" in groups["col_headers"]


@pytest.mark.slow
def test_quality_section_explains_how_to_verify(built):
    from analysis.text.coding import default_verified_path

    texts = _section_texts(_parse(built["public"]), built["public"])
    quality = texts["Kodningens kvalitet"]
    if default_verified_path("municipality_2023") is None:
        assert "ingen verifierad kodning" in quality
        assert "analysis code --survey municipality_2023 --review granskning.xlsx" in quality
    else:
        assert "kappa" in quality


@pytest.mark.slow
def test_public_report_passes_the_privacy_audit_and_internal_keeps_exact_counts(built):
    from analysis.disclosure.audit import audit_html

    public = built["public"]
    findings = audit_html(public, min_cell=5)
    assert findings == [], "\n".join(str(f) for f in findings[:20])
    page = _parse(public)
    cells = [c for t in page.tables for c in t["cells"]]
    # small counts are banded (tables and prose), none is shown exactly
    assert "färre än 5 av 15 kommuner" in cells
    assert not [c for c in cells if re.fullmatch(r"[1-4] av 15 kommuner", c)]
    text = " ".join(" ".join(page.text).split())
    assert not re.search(r"(?<![\d,.])[1-4] av 15 kommuner", text)
    assert "Färre än 5 av 15 kommuner" in text or "färre än 5 av 15 kommuner" in text
    method = _section_texts(page, public)["Metod och reservationer"]
    assert "färre än 5" in method and "visas exakt" in method
    # the actor × stance table: no small number, and no band recoverable from a row of 15
    actors = next(t for t in page.tables if t["caption"].startswith("Antal kommuner per aktör"))
    assert actors["cells"] and all(
        c in ("färre än 5", "–") or int(c) == 0 or int(c) >= 5 for c in actors["cells"]
    )
    for i in range(0, len(actors["cells"]), 4):
        row = actors["cells"][i : i + 4]
        if sum(c == "färre än 5" for c in row) == 1:
            assert "–" in row, row  # a lone band would equal 15 minus the rest

    internal = built["internal"]
    ipage = _parse(internal)
    icells = [c for t in ipage.tables for c in t["cells"]]
    assert [c for c in icells if re.fullmatch(r"[1-4] av 15 kommuner", c)]
    assert "färre än 5" not in " ".join(ipage.text)
    small = [f for f in audit_html(internal, min_cell=5) if f.kind == "small_cell"]
    assert small  # the internal build shows the exact small counts the public one bands
