"""Classes 8, 9, 13: environment errors and invalid parameters — one line, exit 2, nothing lost."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from adv_support import (
    ANALYSIS,
    assert_clear_error,
    assert_no_traceback,
    realistic_partner,
    write_xlsx,
)


def make_readonly(path: Path, request) -> None:
    """chmod 555 — and, because these tests may run as root (for whom the mode bits do not
    apply), also the immutable attribute so the folder really refuses new entries."""
    path.chmod(0o555)
    if os.geteuid() == 0:
        if not shutil.which("chattr"):
            pytest.skip("running as root without chattr: cannot make a folder read-only")
        rc = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode
        if rc != 0:
            pytest.skip("chattr +i not supported on this file system")

    def undo():
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        path.chmod(0o755)

    request.addfinalizer(undo)
    return undo


def _public_outputs(snap: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in snap.items() if "/.build/" not in k}


def _leftovers(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if ".tmp" in p.name or p.name.endswith(".tmp") or p.name.startswith(".~")
    )


# --------------------------------------------------------------------------------------------
# class 8 — read-only folders, --output naming a file
# --------------------------------------------------------------------------------------------
def test_c08_ingest_into_readonly_processed(project, request):
    project.must("ingest", "partner_2021")
    before = project.snapshot(project.processed)
    header, rows = realistic_partner()  # a new export: ingest would change the data
    write_xlsx(project.raw / "partner_2021" / "partner_2021_export.xlsx", header, rows)
    undo_inner = make_readonly(project.processed / "partner_2021", request)
    undo_outer = make_readonly(project.processed, request)
    res = project.ingest("partner_2021")
    undo_outer()
    undo_inner()
    assert_clear_error(res, 2)
    assert project.snapshot(project.processed) == before, "processed data changed"
    assert not _leftovers(project.processed), _leftovers(project.processed)


def test_c08_ingest_output_names_an_existing_file(project):
    target = project.root / "anteckningar.txt"
    target.write_text("mina anteckningar\n", encoding="utf-8")
    res = project.ingest("partner_2021", "--output", str(target))
    assert_clear_error(res, 2, mentions=("anteckningar.txt",))
    assert target.read_text(encoding="utf-8") == "mina anteckningar\n"
    assert not _leftovers(project.root), _leftovers(project.root)


def test_c08_ingest_output_into_the_immutable_raw_folder_is_refused(project):
    """data/raw/ is 'never modified by the code': --output must not put processed data there."""
    raw_folder = project.raw / "partner_2021"
    before = sorted(p.name for p in raw_folder.iterdir())
    res = project.ingest("partner_2021", "--output", str(raw_folder))
    after = sorted(p.name for p in raw_folder.iterdir())
    assert after == before, (
        f"ingest wrote into data/raw/partner_2021: {sorted(set(after) - set(before))}"
    )
    assert_clear_error(res, 2)


@pytest.mark.slow
def test_c08_run_into_readonly_reports(project, request):
    project.must("ingest", "partner_2021")
    project.must("run", "overview_partner_2021")
    before = _public_outputs(project.snapshot(project.reports))
    undo = make_readonly(project.reports, request)
    res = project.run("run", "overview_partner_2021", "--force", timeout=120)
    undo()
    assert_clear_error(res, 2)
    after = _public_outputs(project.snapshot(project.reports))
    assert after == before, "previous reports changed: " + ", ".join(
        sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    )


# --------------------------------------------------------------------------------------------
# class 9 — refused before anything runs
# --------------------------------------------------------------------------------------------
def _cases(root: Path) -> dict[str, tuple[list[str], dict[str, str], tuple[str, ...]]]:
    dup_key = root / "params_dubbel.yaml"
    dup_key.write_text("min_cell: 50\naudience: public\nmin_cell: 2\n", encoding="utf-8")
    dup_section = root / "params_sektioner.yaml"
    dup_section.write_text(
        "partner_2021:\n  min_cell: 50\naudience: public\npartner_2021:\n  min_cell: 2\n",
        encoding="utf-8",
    )
    return {
        "source_date_epoch_abc": (
            ["run", "overview_partner_2021"],
            {"SOURCE_DATE_EPOCH": "abc"},
            ("SOURCE_DATE_EPOCH",),
        ),
        "cell_timeout_float": (
            ["run", "overview_partner_2021", "--cell-timeout", "2.5"],
            {},
            ("cell-timeout",),
        ),
        "survey_mismatch": (
            ["run", "partner_2021", "-p", "survey", "municipality_2023"],
            {},
            ("municipality_2023",),
        ),
        "input_other_survey": (
            ["run", "partner_2021", "-p", "input", str(root / "data/processed/municipality_2023")],
            {},
            ("municipality_2023",),
        ),
        "input_missing_folder": (
            ["run", "overview_partner_2021", "-p", "input", "/missing/folder"],
            {},
            ("/missing/folder",),
        ),
        "input_5000_chars": (
            ["run", "overview_partner_2021", "-p", "input", "x" * 5000],
            {},
            ("input",),
        ),
        "themes_100000_chars": (
            ["run", "municipality_2023", "-p", "themes", "t" * 100_000],
            {},
            ("themes",),
        ),
        "yaml_duplicate_key": (["run", "partner_2021", "-f", str(dup_key)], {}, ("min_cell",)),
        "yaml_duplicate_section": (
            ["run", "partner_2021", "-f", str(dup_section)],
            {},
            ("partner_2021",),
        ),
    }


CASES_9 = [
    "source_date_epoch_abc",
    "cell_timeout_float",
    "survey_mismatch",
    "input_other_survey",
    "input_missing_folder",
    "input_5000_chars",
    "themes_100000_chars",
    "yaml_duplicate_key",
    "yaml_duplicate_section",
]


@pytest.mark.parametrize("case", CASES_9)
def test_c09_refused_before_any_notebook_runs(project, case):
    if case == "cell_timeout_float":
        help_text = subprocess.run(
            [str(ANALYSIS), "run", "--help"], capture_output=True, text=True, env=project.env()
        ).stdout
        if "--cell-timeout" not in help_text:
            pytest.skip("analysis run has no --cell-timeout option")
    project.must("ingest", "partner_2021")
    project.must("ingest", "municipality_2023")
    args, env, mentions = _cases(project.root)[case]
    res = project.run(*args, "--force", env=project.env(**env), timeout=40)
    assert_clear_error(res, 2, mentions=mentions)
    line = res.stderr_lines[0]
    assert len(line) < 1500, f"the line is {len(line)} characters long (echoes the value?)"
    assert res.seconds < 15, f"took {res.seconds:.1f} s — a notebook was started?"
    executed = [p.name for p in project.reports.rglob("*.ipynb")]
    assert not executed and not (project.reports / "failed").exists(), (
        f"a notebook was executed: {executed}"
    )
    html = [p.name for p in project.reports.glob("*.html") if p.name != "index.html"]
    assert not html, f"a report was written: {html}"


# --------------------------------------------------------------------------------------------
# class 13 — an ASCII-only terminal
# --------------------------------------------------------------------------------------------
def _ascii_env(project):
    env = project.env(PYTHONIOENCODING="ascii", LANG="C", LC_ALL="C")
    env.pop("LANGUAGE", None)
    return env


def test_c13_ingest_with_ascii_stdout(project):
    project.must("ingest", "partner_2021")  # previous, good data
    before = project.snapshot(project.processed)
    header, rows = realistic_partner()
    write_xlsx(project.raw / "partner_2021" / "partner_2021_export.xlsx", header, rows)
    res = project.run("ingest", "partner_2021", env=_ascii_env(project))
    assert_no_traceback(res)
    if res.returncode == 0:
        assert project.manifest("partner_2021")["source_file"] == "partner_2021_export.xlsx"
    else:
        assert_clear_error(res, 2)
        assert project.snapshot(project.processed) == before, "data half-written"


@pytest.mark.slow
def test_c13_run_with_ascii_stdout(project):
    project.must("ingest", "municipality_2023")
    res = project.run("run", "municipality_2023", "--force", env=_ascii_env(project))
    assert_no_traceback(res)
    if res.returncode == 0:
        assert (project.reports / "municipality_2023.html").exists()
    else:
        assert_clear_error(res, 2)
        assert not (project.reports / "municipality_2023.html").exists()
