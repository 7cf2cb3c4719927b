"""Every published page as a reader gets it: headless Chromium offline, axe-core, vnu, PII audit.

Pages: every report of ``reports.yaml`` plus ``index.html``, built once per session on the demo
data (see ``conftest.py``). Install the tools with ``bash tools/browser/install.sh``.
"""

from __future__ import annotations

from pathlib import Path

import browser_harness as h
import pytest

pytestmark = pytest.mark.browser

PAGES = [*h.registry_names(), h.INDEX]


def _listing(items, limit: int = 15) -> str:
    items = list(items)
    more = f"\n  … och {len(items) - limit} till" if len(items) > limit else ""
    return "\n  " + "\n  ".join(str(i) for i in items[:limit]) + more


def test_every_report_built(built_reports):
    missing = [name for name in PAGES if name not in built_reports.pages]
    assert not built_reports.problems and not missing, (
        f"rapporter som inte byggdes: {missing}{_listing(built_reports.problems)}"
    )


def _page(results: dict, name: str) -> dict:
    if name not in results:
        pytest.fail(f"{name}: sidan byggdes inte (se test_every_report_built)", pytrace=False)
    result = results[name]
    assert result["error"] is None, f"{name}: kontrollen i webbläsaren kraschade: {result['error']}"
    return result


@pytest.mark.parametrize("name", PAGES)
def test_no_external_requests(browser_results, name):
    r = _page(browser_results, name)
    failed = [f for f in r["requests_failed"] if not f["url"].startswith("file:")]
    assert not r["requests_blocked"] and not failed, (
        f"{name}: sidan försöker hämta från nätet (blockerat){_listing(r['requests_blocked'] + failed)}"
    )


@pytest.mark.parametrize("name", PAGES)
def test_no_console_errors(browser_results, name):
    r = _page(browser_results, name)
    problems = r["console_errors"] + r["page_errors"] + r["requests_failed"]
    assert not problems, f"{name}: fel i webbläsarens konsol{_listing(problems)}"


@pytest.mark.parametrize("name", PAGES)
def test_images_decoded(browser_results, name):
    r = _page(browser_results, name)
    assert not r["images_not_decoded"], (
        f"{name}: {len(r['images_not_decoded'])} av {r['images_total']} bilder kunde inte avkodas"
        f"{_listing(r['images_not_decoded'])}"
    )


@pytest.mark.parametrize("name", PAGES)
def test_screenshot_saved(browser_results, name):
    r = _page(browser_results, name)
    shot = Path(r["screenshot"] or "")
    assert shot == h.SCREENSHOTS / f"{name}.png"
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000


@pytest.mark.parametrize("name", PAGES)
def test_axe_wcag21_aa(browser_results, name):
    r = _page(browser_results, name)
    found = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])} st): {' '.join(n['target'])} — {n['html'][:140]}"
        for v in r["axe_violations"]
        for n in v["nodes"][:3]
    ]
    assert not r["axe_violations"], f"{name}: axe-core WCAG 2.1 A/AA-överträdelser{_listing(found)}"


@pytest.mark.parametrize("name", PAGES)
def test_html_valid(vnu_results, report_pages, name):
    if name not in report_pages:
        pytest.fail(f"{name}: sidan byggdes inte", pytrace=False)
    errors = vnu_results[name]
    lines = [f"rad {e['line']}: {e['message']}" for e in errors]
    assert not errors, f"{name}: Nu HTML Checker (vnu) hittade {len(errors)} fel{_listing(lines)}"


@pytest.mark.parametrize("name", PAGES)
def test_public_report_has_no_personal_data(report_pages, page_settings, name):
    from analysis.disclosure.audit import audit_file

    if name not in report_pages:
        pytest.fail(f"{name}: sidan byggdes inte", pytrace=False)
    settings = page_settings.get(name, h.PageSettings(name))
    if settings.audience != "public":
        pytest.skip(f"{name} är inte publik (audience={settings.audience})")
    keep = h.keep_names(settings.survey)
    findings = audit_file(report_pages[name], min_cell=settings.min_cell, keep=keep)
    assert not findings, (
        f"{name}: personuppgifter eller små celler i publik rapport{_listing(findings)}"
    )


def test_summary_table(browser_results, vnu_results, report_pages, page_settings):
    """Write the per-report table and details to ``tests/artifacts/`` (always passes when the
    checks above ran; the table is what ``make check-reports`` prints)."""
    by_file = {str(report_pages[n].resolve()): r for n, r in browser_results.items()}
    vnu = {str(report_pages[n].resolve()): e for n, e in vnu_results.items()}
    pii = h.audit_reports(report_pages, page_settings)
    rows = h.summary_rows(report_pages, by_file, vnu, pii)
    h.write_artifacts(rows, h.details(report_pages, by_file, vnu, pii), by_file, vnu)
    assert {r["report"] for r in rows} == set(report_pages)
