"""Fixtures for the adversarial (black-box) tests.

Every test gets its own throw-away copy of the project in ``tmp_path`` (pyproject.toml,
reports.yaml, notebooks/, data/raw/, empty data/processed/ and reports/) and drives the installed
``analysis`` CLI as a subprocess with ``ANALYSIS_PROJECT_ROOT`` pointing at that copy. Helpers
(running the CLI, building exports from the demo files, scanning outputs) are in adv_support.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from adv_support import LAST_RESULT, Project, make_project  # noqa: E402

_SUMMARY: list[tuple[str, str, str]] = []


@pytest.fixture
def project(tmp_path) -> Project:
    proj = make_project(tmp_path / "proj")
    yield proj
    # undo chmods made by a test so that pytest can clean up tmp_path
    for p in [proj.root, *proj.root.rglob("*")]:
        try:
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        except OSError:
            pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember, per test, the last line the CLI printed on stderr (for the summary table)."""
    if call.when == "setup":
        LAST_RESULT["res"] = None
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" or (rep.when == "setup" and not rep.passed):
        res = LAST_RESULT.get("res")
        line = getattr(res, "last_line", "") if res is not None else ""
        if len(line) > 200:
            line = line[:200] + f"… ({len(line)} chars)"
        _SUMMARY.append((item.name, rep.outcome.upper(), line))


def pytest_terminal_summary(terminalreporter):
    if not _SUMMARY:
        return
    terminalreporter.section("adversarial: outcome and the CLI's last stderr line")
    for name, outcome, line in _SUMMARY:
        terminalreporter.write_line(f"{outcome:7} {name}\n        {line}")
