"""Hostile free-text answers stay inert: in the HTML a reader opens and in the analyst's export.

A Google Forms export of ``municipality_2023`` (the demo export with its free-text answers
replaced) carries script tags, event-handler attributes, ``javascript:`` links (HTML and Markdown)
and a spreadsheet formula. It is ingested into a temporary folder, the ``municipality_2023`` and
``overview_municipality_2023`` reports are built with ``audience=internal`` (so answers are shown
verbatim) and opened in headless Chromium; the review export of ``analysis code`` is checked too.
"""

from __future__ import annotations

import csv
import html
import io
import subprocess
import sys
from pathlib import Path

import browser_harness as h
import pytest

pytestmark = pytest.mark.browser

SURVEY = "municipality_2023"
REPORTS = ["municipality_2023", "overview_municipality_2023"]
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klick](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '=HYPERLINK("http://evil","x")',
    '<svg onload="window.__pwned=1"></svg>',
]
FORMULA = '=HYPERLINK("http://evil","x")'


def _text_headers(headers: list[str]) -> list[int]:
    """Indices of the export's free-text columns (codebook questions of type ``text``)."""
    import yaml

    from analysis import paths

    codebook = yaml.safe_load(paths.codebook_path(SURVEY).read_text(encoding="utf-8"))
    texts = [q["text"].strip() for q in codebook["questions"] if q.get("type") == "text"]
    return [i for i, head in enumerate(headers) if any(head.strip().startswith(t) for t in texts)]


def hostile_export(path: Path) -> Path:
    """Write the hostile Google Forms CSV: every free-text cell gets a payload — alone in even
    rows (so the formula starts the cell), after the first word of the original answer in odd rows
    (so theme coding and quote selection still pick those sentences)."""
    from analysis import paths

    demos = sorted(paths.raw_dir(SURVEY).glob("demo_*.csv"))
    if demos:
        raw = demos[0].read_bytes()
    else:  # pragma: no cover - the demo export is committed
        from analysis.data import demo

        raw = demo.render(SURVEY)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    headers, body = rows[0], rows[1:]
    text_cols = _text_headers(headers)
    assert len(text_cols) >= 5, f"hittade bara {len(text_cols)} fritextkolumner i demoexporten"
    for r, row in enumerate(body):
        for k, c in enumerate(text_cols):
            payload = PAYLOADS[(r + k) % len(PAYLOADS)]
            words = row[c].strip().split(" ", 1)
            if r % 2 == 0 or len(words) < 2:
                row[c] = payload
            else:  # inside the first sentence, which quote selection keeps together
                row[c] = f"{words[0]} {payload} {words[1]}"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([headers, *body])
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def hostile_processed(tmp_path_factory) -> Path:
    from analysis.data.ingest import ingest

    base = tmp_path_factory.mktemp("hostile")
    export = hostile_export(base / "demo_hostile_municipality_2023.csv")
    out = base / "processed"
    ingest(SURVEY, input_path=export, out_dir=out)
    return out


@pytest.fixture(scope="module")
def hostile_reports(hostile_processed, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("hostile_reports")
    outcome = h.build_reports(
        out,
        names=REPORTS,
        processed={SURVEY: hostile_processed},
        overrides={"audience": "internal"},
    )
    assert not outcome.problems, "\n".join(outcome.problems)
    return {name: outcome.pages[name] for name in REPORTS}


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_ingest_keeps_hostile_text_verbatim(hostile_processed):
    import pandas as pd

    answers = pd.read_parquet(hostile_processed / "answers.parquet")
    values = set(answers.loc[answers["question_type"].astype(str) == "text", "value"].astype(str))
    for payload in PAYLOADS:
        assert any(payload in v for v in values), f"{payload!r} saknas efter inläsningen"


@pytest.mark.parametrize("name", REPORTS)
def test_html_source_escapes_payloads(hostile_reports, name):
    source = hostile_reports[name].read_text(encoding="utf-8")
    for payload in PAYLOADS:
        if payload.startswith("<"):  # (the Markdown link has nothing to escape)
            assert payload not in source, f"{name}: {payload!r} står oescapad i HTML-koden"
    if name == SURVEY:  # the survey report shows the answers (escaped) to an internal audience
        assert html.escape("<script>alert(1)</script>", quote=False) in source, (
            f"{name}: svaren med skript syns inte alls i rapporten (intern publik ska visa dem)"
        )


@pytest.fixture(scope="module")
def hostile_browser(require_browser, hostile_reports) -> dict[str, dict]:
    by_file = h.run_check_page(
        list(hostile_reports.values()), screenshots=h.SCREENSHOTS / "injection", text=True
    )
    return {name: by_file[str(path.resolve())] for name, path in hostile_reports.items()}


@pytest.fixture(scope="module")
def baseline_browser(require_browser, built_reports) -> dict[str, dict]:
    """The same reports built on the ordinary demo data: the template's own scripts/handlers."""
    pages = [built_reports.pages[n] for n in REPORTS if n in built_reports.pages]
    by_file = h.run_check_page(pages) if pages else {}
    return {
        n: by_file.get(str(built_reports.pages[n].resolve()))
        for n in REPORTS
        if n in built_reports.pages
    }


def _sig(items: list[dict]) -> set[tuple]:
    return {tuple(sorted(i.items())) for i in items}


@pytest.mark.parametrize("name", REPORTS)
def test_no_script_ran(hostile_browser, name):
    r = hostile_browser[name]
    assert r["error"] is None, r["error"]
    assert r["dialogs"] == [], f"{name}: ett skript i svaren kördes: {r['dialogs']}"
    assert not r["pwned"], f"{name}: window.__pwned sattes av ett svar"
    assert not r["page_errors"], r["page_errors"]
    assert not r["requests_blocked"], f"{name}: svaren fick sidan att hämta {r['requests_blocked']}"


@pytest.mark.parametrize("name", REPORTS)
def test_no_active_markup_from_data(hostile_browser, baseline_browser, name):
    r = hostile_browser[name]
    base = baseline_browser.get(name) or {
        "scripts": [],
        "inline_handlers": [],
        "javascript_urls": [],
    }
    extra_scripts = _sig(r["scripts"]) - _sig(base["scripts"])
    extra_handlers = _sig(r["inline_handlers"]) - _sig(base["inline_handlers"])
    assert not extra_scripts, f"{name}: <script> från data: {extra_scripts}"
    assert not extra_handlers, f"{name}: on*-attribut från data: {extra_handlers}"
    assert r["javascript_urls"] == [], f"{name}: javascript:-länkar: {r['javascript_urls']}"


def test_payloads_shown_as_visible_text(hostile_browser):
    """The survey report (internal audience) shows the answers: as the literal text typed.
    (The overview need not quote free text; what it shows is covered by the tests above.)"""
    text = _norm(hostile_browser["municipality_2023"]["text"] or "")
    missing = [p for p in PAYLOADS if _norm(p) not in text]
    assert not missing, f"municipality_2023: syns inte som text i webbläsaren: {missing}"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_review_export_neutralises_formulas(hostile_processed, tmp_path, suffix):
    out = tmp_path / f"granskning{suffix}"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "code", "--survey", SURVEY,
         "--processed", str(hostile_processed), "--review", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    if suffix == ".csv":
        text = out.read_text(encoding="utf-8-sig")
        header = text.splitlines()[0]
        delimiter = ";" if header.count(";") > header.count(",") else ","
        cells = [c for row in csv.reader(io.StringIO(text), delimiter=delimiter) for c in row]
        kinds = {"s"}
    else:
        from openpyxl import load_workbook

        wb = load_workbook(out)
        cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        kinds = {c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row}
        assert "f" not in kinds, "granskningsfilen innehåller formler"
    texts = [c for c in cells if isinstance(c, str)]
    formula_cells = [c for c in texts if "HYPERLINK" in c]
    assert formula_cells, "HYPERLINK-svaret saknas i granskningsfilen"
    assert any(c.startswith("'" + FORMULA) for c in formula_cells)
    dangerous = [c for c in texts if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert not dangerous, f"celler som kalkylprogram kör som formler: {dangerous[:5]}"
