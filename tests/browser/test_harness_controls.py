"""The checks can fail: a deliberately broken page and an accessible one as controls.

``fixtures/bad_page.html`` requests a CDN stylesheet and script, logs a console error, shows an
image that does not exist, opens an alert, lacks ``lang``/alt/label, has low contrast and broken
markup, and publishes an e-mail address, a phone number, a municipality inside a quote and a small
count. ``fixtures/good_page.html`` is a small accessible, self-contained page: every count is 0.
"""

from __future__ import annotations

from pathlib import Path

import browser_harness as h
import pytest

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = FIXTURES / "bad_page.html"
GOOD = FIXTURES / "good_page.html"


@pytest.fixture(scope="module")
def control_results(require_browser, tmp_path_factory):
    shots = tmp_path_factory.mktemp("control_shots")
    return h.run_check_page([BAD, GOOD], screenshots=shots, text=True)


def test_bad_page_fails_every_browser_check(control_results):
    r = control_results[str(BAD)]
    assert r["error"] is None
    assert any("cdn.example.com/theme.css" in u for u in r["requests_blocked"])
    assert any("cdn.example.net/lib.js" in u for u in r["requests_blocked"])
    assert any("avsiktligt fel" in c["text"] for c in r["console_errors"])
    assert [i["src"] for i in r["images_not_decoded"]] == ["saknas.png"]
    assert r["dialogs"] == [{"type": "alert", "message": "1"}]
    ids = {v["id"] for v in r["axe_violations"]}
    assert {"html-has-lang", "image-alt", "label", "color-contrast"} <= ids
    assert Path(r["screenshot"]).read_bytes().startswith(b"\x89PNG")


def test_good_page_passes_every_browser_check(control_results):
    r = control_results[str(GOOD)]
    assert r["error"] is None
    assert r["requests_blocked"] == [] and r["requests_failed"] == []
    assert r["console_errors"] == [] and r["page_errors"] == [] and r["dialogs"] == []
    assert r["images_total"] == 1 and r["images_not_decoded"] == []
    assert r["axe_violations"] == [], r["axe_violations"]
    assert r["axe_passes"] > 5
    assert "Positiv kontroll" in r["text"]


def test_vnu_flags_bad_page_only(require_vnu):
    errors = h.run_vnu([BAD, GOOD])
    assert len(errors[str(BAD)]) >= 2
    assert errors[str(GOOD)] == []


def test_pii_audit_flags_bad_page_only():
    from analysis.disclosure.audit import audit_file

    kinds = {f.kind for f in audit_file(BAD)}
    assert {"email", "phone", "name", "quoted_place", "small_cell"} <= kinds
    assert audit_file(GOOD) == []


def test_summary_table_counts(control_results, require_vnu):
    pages = {"bad": BAD, "good": GOOD}
    vnu = h.run_vnu([BAD, GOOD])
    pii = h.audit_reports(pages, {})
    rows = {r["report"]: r for r in h.summary_rows(pages, control_results, vnu, pii)}
    assert all(v == 0 for k, v in rows["good"].items() if k != "report")
    assert all(v > 0 for k, v in rows["bad"].items() if k != "report")
    table = h.format_table(list(rows.values()))
    assert table.splitlines()[0].startswith("| Rapport")
