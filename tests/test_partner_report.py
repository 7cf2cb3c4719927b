"""The 2021 partner report builds end to end from the demo data (ingest → runner → HTML): the
reader's first screen is "Det viktigaste", the table of contents resolves, every id is unique,
and the public version passes the privacy audit (no names in quotes, no small counts)."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

import pytest

from analysis.disclosure.audit import audit_html

pytestmark = pytest.mark.slow

H2_ORDER = [
    "Det viktigaste",
    "Innehåll",
    "Vilka svarade?",
    "Inkluderande, attraktiv och innovativ?",
    "Har samarbetet utvecklat verksamheterna?",
    "Inom vilka delar av den regionala utvecklingsstrategin?",
    "Framgångsfaktorer och utmaningar",
    "Engagemangstrappan",
    "Fritextsvar",
    "Skillnader mellan sektorer",
    "Bilaga: Metod och statistik",
    "Om rapporten",
]


def _build(tmp_path_factory, processed_demo, audience: str) -> str:
    from analysis.pipeline.runner import run_reports

    out = tmp_path_factory.mktemp(f"partner_{audience}")
    results = run_reports(
        ["partner_2021"],
        overrides={"input": str(processed_demo("partner_2021")), "audience": audience},
        output_dir=out,
        force=True,
        quiet=True,
        jobs=1,
    )
    html_path = out / "partner_2021.html"
    assert html_path.is_file(), [getattr(r, "error", r) for r in results]
    return html_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def public_html(tmp_path_factory, processed_demo) -> str:
    return _build(tmp_path_factory, processed_demo, "public")


@pytest.fixture(scope="module")
def internal_html(tmp_path_factory, processed_demo) -> str:
    return _build(tmp_path_factory, processed_demo, "internal")


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_headings_in_reading_order(public_html, internal_html):
    for html in (public_html, internal_html):
        h1 = re.findall(r"<h1[^>]*>(.*?)</h1>", html)
        assert h1 == ["Region Västerbotten som samarbetspartner – enkäten 2021"]
        h2 = [_text(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]
        assert h2 == H2_ORDER


def test_first_screen_is_det_viktigaste(public_html):
    start = public_html.index('id="det-viktigaste"')
    end = public_html.index("</section>", start)
    first = public_html[start:end]
    assert "<li>" in first and "<table" not in first and "<img" not in first
    assert public_html.find("<table") > end and public_html.find("<img") > end
    assert not re.search(r"\bp [=<] |kappa|Friedman", _text(first))


def test_table_of_contents_resolves_and_ids_are_unique(public_html, internal_html):
    for html in (public_html, internal_html):
        ids = re.findall(r'\bid="([^"]+)"', html)
        duplicates = [i for i, n in Counter(ids).items() if n > 1]
        assert not duplicates
        toc = re.search(r'<nav aria-label="Innehåll">(.*?)</nav>', html)
        links = re.findall(r'href="#([^"]+)"', toc.group(1))
        assert len(links) == len(H2_ORDER) - 1  # every h2 but "Innehåll" itself
        assert all(link in ids for link in links)


def test_public_build_passes_the_privacy_audit(public_html):
    findings = audit_html(public_html, min_cell=5, names=[])
    assert not findings, [str(f) for f in findings]
    assert "[organisation]" in public_html  # the seed's answers name RISE / Länsstyrelsen


def test_internal_build_is_exact_and_marked(internal_html, public_html):
    assert "Intern version" in internal_html and "Intern version" not in public_html
    quotes = " ".join(re.findall(r"<blockquote>(.*?)</blockquote>", internal_html, flags=re.S))
    assert "Länsstyrelsen" in quotes and "[organisation]" not in quotes  # names kept
    assert "Viktad kappa" in internal_html and "Viktad kappa" not in public_html
    assert "visas inte i den publika versionen" not in internal_html


def test_demo_banner_and_no_code(public_html):
    assert "Demodata" in public_html and "syntetiska" in public_html
    body = public_html[public_html.index("<main") :]
    assert "<pre" not in body and "jp-InputArea" not in body
    assert not re.search(r"analysis (run|ingest)|\bmake\b", _text(body))
