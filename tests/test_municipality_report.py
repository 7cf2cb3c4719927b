"""The municipality_2023 report: notebook structure, the sections on the demo data (in process)
and an end-to-end build of the public and internal HTML through the runner.

The demo survey is ingested once per session by the ``processed_demo`` fixture (conftest.py).
"""

from __future__ import annotations

import dataclasses
import html as _html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "municipality_survey_2023.ipynb"
REPORT = "municipality_2023"
SURVEY = "municipality_2023"

FORBIDDEN_PUBLIC = [
    "färre än",
    "<5",
    "&lt;5",
    "analysis code",
    "analysis run",
    "--survey",
    "--review",
    "verified_themes",
    "synthetic",
    "Största kommunen (Umeå): färre",
]
"""Nothing of this may appear in the public report: banding, command lines, English leftovers."""


def _plain(fragment: str) -> str:
    text = re.sub(r"<img[^>]*>", " ", fragment)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(_html.unescape(text).split())


# -- notebook structure (fast) --------------------------------------------------------------------
def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def test_notebook_parameters_and_no_outputs():
    from analysis.pipeline.parameters import notebook_parameters

    params = notebook_parameters(NOTEBOOK)
    assert {k: (v.type_name, v.default) for k, v in params.items()} == {
        "survey": ("str", "municipality_2023"),
        "input": ("str", ""),
        "themes": ("str", ""),
        "audience": ("str", "public"),
        "min_cell": ("int", 0),
    }
    assert all(v.help and " = " not in v.help for v in params.values())
    for cell in _cells():
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_notebook_is_one_analysis_and_one_cell_per_section():
    from analysis.surveys.municipality import SECTION_IDS

    cells = _cells()
    markdown = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    assert len(markdown) == 1 and re.fullmatch(r"# [^\n]+", markdown[0].strip())  # title only
    code = [c for c in cells if c["cell_type"] == "code"]
    setup = [c for c in code if "remove" in c["metadata"].get("tags", [])]
    assert len(setup) == 1
    src = "".join(setup[0]["source"])
    assert (
        "a = analyse(survey, input=input, audience=audience, min_cell=min_cell, themes=themes)"
        in src
    )
    shown = [
        "".join(c["source"]).strip()
        for c in code
        if not c["metadata"].get("tags") and "".join(c["source"]).strip()
    ]
    assert shown == [f'a.section("{sid}")' for sid in SECTION_IDS]


def test_notebook_refuses_another_survey():
    from analysis.errors import ConfigError

    setup = next(c for c in _cells() if "remove" in c["metadata"].get("tags", []))
    env = {"survey": "partner_2021", "input": "", "audience": "public", "min_cell": 0, "themes": ""}
    with pytest.raises(ConfigError, match="municipality_2023"):
        exec("".join(setup["source"]), env)  # noqa: S102 - our own notebook cell


def test_the_registry_points_at_the_package():
    from analysis.surveys.analysis import SURVEY_SECTIONS

    assert SURVEY_SECTIONS[SURVEY] == "analysis.surveys.municipality:sections"


# -- the sections on the demo data (in process) ------------------------------------------------------
@pytest.fixture(scope="module")
def demo(processed_demo):
    from analysis.data.dataset import load

    return load(SURVEY, processed=processed_demo(SURVEY))


@pytest.fixture(scope="module")
def public(demo):
    from analysis.surveys.analysis import analyse

    return analyse(demo, cache=False)


def _html_of(analysis) -> str:
    return "\n".join(s._repr_html_() for s in analysis.sections)


def test_sections_in_reading_order_summary_first(public):
    from analysis.surveys.municipality import SECTION_IDS

    assert [s.id for s in public.sections] == list(SECTION_IDS)
    assert public.sections[0].title == "Det viktigaste"
    assert public.sections[1].title == "Innehåll"
    titles = [s.title for s in public.sections]
    assert titles[-3:] == [
        "Bilaga 1. Metod och reservationer",
        "Bilaga 2. Svar per fråga",
        "Bilaga 3. Kodningens kvalitet",
    ]
    assert [t[:3] for t in titles[2:10]] == [f"5.{i}" for i in range(1, 9)]


def test_every_table_is_numeric(public):
    for s in public.sections:
        for name, table in s.tables.items():
            for col in table.columns:
                assert pd.api.types.is_numeric_dtype(table[col]), (s.id, name, col)


def test_table_of_contents_links_every_h2(public):
    page = _html_of(public)
    ids = set(re.findall(r'<section class="report-section" id="([^"]+)"', page))
    h2 = re.findall(r'<h2 id="([^"]+)-rubrik">', page)
    links = re.findall(r'<a href="#([^"]+)">', public.section("innehallsforteckning").to_html())
    assert set(h2) - {"innehallsforteckning"} <= set(links)
    assert set(links) - {"om-rapporten"} <= ids
    assert "innehall" not in ids  # the template's <main id="innehall"> keeps its id


def test_summary_is_short_counted_and_marks_the_source_conclusion(public):
    from analysis.surveys.municipality.summary import MAX_WORDS, SOURCE_LABEL, word_count

    s = public.section("det-viktigaste")
    html = s.body_html()
    text = _plain(html)
    assert 5 <= len(s.key_points) <= 7
    assert sum(bool(re.search(r"\d+ av 15", k)) for k in s.key_points) >= 5
    assert any(k.startswith("Den mest kritiska rösten") for k in s.key_points)
    assert word_count(html) <= MAX_WORDS, word_count(html)
    assert SOURCE_LABEL in text and "Trafikverket och Arbetsförmedlingen" in text
    assert "Demodata" in text and "alla 15 kommuner" in text
    for banned in ("p =", "p-värde", "signifikan", "kappa", "test", "KI "):
        assert banned not in text, banned


def test_summary_sentences_follow_the_data(demo):
    """Change the demo answers and the key messages change with them (nothing hard-coded)."""
    from analysis.surveys.analysis import analyse

    before = analyse(demo, cache=False).section("det-viktigaste").key_points
    wide = demo.wide.copy()
    # every municipality now names digitalisation and nothing else as its priorities
    wide["q14"] = "Digitalisering, digitalisering och åter digitalisering."
    # and nobody mentions Trafikverket critically any more
    wide["q7"] = "Samverkan med Trafikverket fungerar mycket bra."
    changed = analyse(dataclasses.replace(demo, wide=wide), cache=False)
    after = changed.section("det-viktigaste").key_points
    assert after != before
    prio = next(k for k in after if k.startswith("Högst prioriterat"))
    assert prio.startswith("Högst prioriterat de kommande två åren är digitalisering (alla 15")
    assert not any("Mest kritik får Trafikverket" in k for k in after)
    assert any("Mest kritik får Trafikverket" in k for k in before)
    # the numbers in the sentence are the ones in the section's table
    table = changed.section("5-7").tables["rangordning"]
    assert table.loc["Digitalisering", "Antal kommuner"] == 15


def test_public_report_has_exact_counts_and_no_leftovers(public):
    text = _html_of(public)
    for banned in FORBIDDEN_PUBLIC:
        assert banned not in text, banned
    assert re.search(r"\b\d av 15 kommuner\b", _plain(text))  # small counts are shown exactly


def test_authorities_are_named_and_read_as_counts(public):
    s = public.section("5-5")
    html = s.to_html()
    points = " ".join(s.key_points)
    assert re.search(r"Länsstyrelsen: \d+ av 15 kommuner säger att samverkan", points)
    assert "Luftfartsverket" in points and "Ekobrottsmyndigheten" in points
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", html, flags=re.S)
    lan = html.split("Citat om Länsstyrelsen", 1)[1].split("Citat om Trafikverket", 1)[0]
    assert "Länsstyrelsen" in lan and "[organisation]" not in lan
    assert quotes and "[organisation]" not in " ".join(quotes[:2])
    table = s.tables["bedomningar"]
    assert table.loc["Länsstyrelsen"].drop("Antal kommuner som svarat").sum() == 15
    assert table.loc["Luftfartsverket", "Ingen kontakt"] >= 8
    assert "bedomningar" in s.figures


def test_public_quotes_mask_municipalities_but_never_the_kept_authorities(public):
    from analysis.data.reference import load_municipalities

    keep = public.policy.keep_names
    names = load_municipalities()["kommun"].tolist()
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", _html_of(public), flags=re.S)
    assert len(quotes) >= 20
    for q in quotes:
        rest = q
        for k in sorted(keep, key=len, reverse=True):
            rest = rest.replace(k, "")
        for n in names:
            assert not re.search(rf"(?<!\w){re.escape(n)}(?!\w)", rest), q


def test_quotes_are_whole_sentences_at_most_three_per_block(public):
    page = _html_of(public)
    for block in re.findall(r'<div class="quotes">(.*?)</div>', page, flags=re.S):
        quotes = re.findall(r"<blockquote><p>(.*?)</p></blockquote>", block, flags=re.S)
        assert 1 <= len(quotes) <= 3
        for q in quotes:
            q = _html.unescape(q)
            assert q[0].isupper() or q[0] in '[”"', q
            assert q.rstrip('”"').endswith((".", "!", "?")), q
            assert len(q) <= 320


def test_groups_are_k1_k2_k3_in_one_table(public):
    s = public.section("kommungrupper")
    assert list(s.tables) == ["per_grupp"]
    cols = s.tables["per_grupp"].columns.tolist()
    assert cols == ["K1 Umeå (1)", "K2 Pendlingsnära (5)", "K3 Övriga (9)", "Länet (15)"]
    assert "Vännäs" in s.intro and "45 minuter" in s.intro


def test_cooccurrence_is_a_short_list_of_pairs(public):
    s = public.section("teman-tillsammans")
    pairs = s.tables["par"]
    assert 1 <= len(pairs) <= 8 and all(" + " in p for p in pairs.index)
    assert not s.figures  # no 17 × 17 heatmap


def test_figures_have_alt_text_and_their_numbers(public):
    for s in public.sections:
        html = s.to_html()
        for name in s.figures:
            assert name in s.tables or f"{name}" in ("prioriteringar",), name
        for alt in re.findall(r'<img[^>]*alt="([^"]*)"', html):
            assert len(alt) > 40
        assert html.count("<img") == html.count("<details>")


def test_a_higher_min_cell_hides_small_counts_with_the_shared_suppression(demo):
    from analysis.surveys.analysis import analyse

    strict = analyse(demo, min_cell=5, cache=False)
    text = _html_of(strict)
    assert "färre än" not in text
    hidden = 0
    for s in strict.sections:
        for table in s.tables.values():
            values = table.select_dtypes("number").to_numpy(dtype=float)
            counts = values[~np.isnan(values)]
            hidden += int(np.isnan(values).sum())
            if s.id not in ("bilaga-svar",):
                assert not ((counts > 0) & (counts < 5)).any(), s.id
    assert hidden > 0
    # the key sentences never state a hidden count
    for s in strict.sections:
        for k in s.key_points:
            assert not re.search(r"\b[1-4] av \d+", k), k


def test_internal_version_attributes_quotes_and_explains_review(demo):
    from analysis.data.reference import load_municipalities
    from analysis.surveys.analysis import analyse

    internal = analyse(demo, audience="internal", cache=False)
    names = set(load_municipalities()["kommun"])
    quotes = re.findall(r"<blockquote><p>(.*?)</p></blockquote>", _html_of(internal))
    assert quotes and all(_html.unescape(q).rsplit(" — ", 1)[1] in names for q in quotes)
    assert "per_kommun" in internal.section("5-5").tables
    quality = internal.section("bilaga-kodning").to_html()
    assert "analysis code --survey municipality_2023 --review" in _html.unescape(quality)


# -- end to end (slow) ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(processed_demo, tmp_path_factory):
    from analysis.pipeline.registry import load_registry
    from analysis.pipeline.runner import run_reports

    spec = load_registry()[REPORT]
    internal = f"{REPORT}_internal"
    registry = {REPORT: spec, internal: dataclasses.replace(spec, name=internal)}
    out = tmp_path_factory.mktemp("report")
    results = run_reports(
        [REPORT, internal],
        registry=registry,
        overrides={"input": str(processed_demo(SURVEY))},
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


@pytest.mark.slow
def test_built_report_headings_links_and_privacy(built):
    from analysis.disclosure.audit import audit_html, published_text
    from analysis.surveys.municipality import SECTION_IDS

    page = built["public"]
    assert len(re.findall(r"<h1[ >]", page)) == 1
    sections = re.findall(r"<section([^>]*)>", page)
    ids = [re.search(r'\bid="([^"]+)"', a).group(1) for a in sections if "report-section" in a]
    assert ids == list(SECTION_IDS)
    anchors = set(re.findall(r'id="([^"]+)"', page))
    assert set(re.findall(r'<a href="#([^"]+)"', page)) <= anchors
    visible = published_text(page)
    for banned in FORBIDDEN_PUBLIC:
        assert banned not in visible, banned
    from analysis.data.codebook import load_codebook

    keep = load_codebook(SURVEY).disclosure["keep_names"]
    assert audit_html(page, min_cell=1, keep=keep) == []
    assert " — " in built["internal"] and "Intern version" in built["internal"]
