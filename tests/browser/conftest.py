"""Fixtures of the browser layer (issue 6): every report built ONCE per session, then checked.

* ``built_reports`` — all reports of ``reports.yaml`` plus ``index.html``, built on the demo data
  (ingested into a temporary folder by the top-level ``processed_demo`` fixture) into a temporary
  reports folder; or, when ``ANALYSIS_CHECK_REPORTS_DIR`` names a folder, the reports already
  built there.
* ``browser_results`` / ``vnu_results`` — one Chromium run and one vnu run over all pages.
* ``require_browser`` / ``require_vnu`` — skip (outside CI) or fail (``CI=true``) with a message
  that says how to install the tools: ``bash tools/browser/install.sh``.
"""

from __future__ import annotations

import os
from pathlib import Path

import browser_harness as h
import pytest


def require(missing: list[str]) -> None:
    """Skip with an install hint, or fail under ``CI=true`` — the layer must run in CI."""
    if not missing:
        return
    message = h.missing_message(missing)
    if h.in_ci():
        pytest.fail(
            f"{message} (CI=true: webbläsarkontrollerna får inte hoppas över)", pytrace=False
        )
    pytest.skip(message)


@pytest.fixture(scope="session")
def require_browser() -> None:
    require(h.missing_browser_tools())


@pytest.fixture(scope="session")
def require_vnu() -> None:
    require(h.missing_vnu_tools())


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory, processed_demo) -> h.BuildOutcome:
    """Every report + the index, built once per session (or located via the env variable)."""
    env = os.environ.get(h.REPORTS_ENV)
    if env:
        return h.locate_reports(Path(env))
    from analysis import SURVEYS

    out = tmp_path_factory.mktemp("reports")
    processed = {survey: processed_demo(survey) for survey in SURVEYS}
    return h.build_reports(out, processed=processed)


@pytest.fixture(scope="session")
def report_pages(built_reports) -> dict[str, Path]:
    return built_reports.pages


@pytest.fixture(scope="session")
def page_settings() -> dict[str, h.PageSettings]:
    return h.report_settings()


@pytest.fixture(scope="session")
def browser_results(require_browser, report_pages) -> dict[str, dict]:
    """``{page name: check_page result}``; screenshots go to ``tests/artifacts/screenshots/``."""
    if not report_pages:
        pytest.fail("inga rapporter att kontrollera", pytrace=False)
    by_file = h.run_check_page(list(report_pages.values()), screenshots=h.SCREENSHOTS)
    return {name: by_file[str(path.resolve())] for name, path in report_pages.items()}


@pytest.fixture(scope="session")
def vnu_results(require_vnu, report_pages) -> dict[str, list[dict]]:
    by_file = h.run_vnu(list(report_pages.values()))
    return {name: by_file.get(str(path.resolve()), []) for name, path in report_pages.items()}
