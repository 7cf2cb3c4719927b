"""``analysis run`` under adverse conditions: concurrent runs, unwritable or full output folders,
bad environment and parameters refused before anything runs, no personal data in provenance."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import atomic
from analysis.cli import main
from analysis.errors import ConfigError
from analysis.pipeline import runner

from .conftest import (
    EPOCH,
    ProjectPath,
    cli,
    make_processed,
    make_project,
    make_registry,
    read_only_prefix,
    run_main,
    tree_snapshot,
    write_real_partner_export,
)

pytestmark = pytest.mark.slow


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture(scope="module")
def hello_built(tmp_path_factory):
    """A project copy with the tiny fixture report built once into reports/."""
    base = tmp_path_factory.mktemp("hello")
    root = make_project(base, notebooks=False)
    reg = make_registry(base, make_processed(base))
    res = cli(
        root, "run", "hello", "--registry", str(reg), "--quiet", env={"SOURCE_DATE_EPOCH": EPOCH}
    )
    assert res.returncode == 0, res.stderr
    return root, reg


@pytest.fixture
def hello_project(hello_built, tmp_path):
    """A private copy of :func:`hello_built` (tests change it)."""
    import shutil

    root, reg = hello_built
    copy = tmp_path / "proj"
    shutil.copytree(root, copy, symlinks=True)
    return copy, reg


# ------------------------------------------------------------------- concurrent runs
def test_a_second_run_waits_for_the_first_and_both_succeed(hello_project):
    root, reg = hello_project
    env = {**os.environ, "ANALYSIS_PROJECT_ROOT": str(root), "SOURCE_DATE_EPOCH": EPOCH}
    args = [sys.executable, "-m", "analysis", "run", "hello", "--registry", str(reg), "--force"]
    procs = [
        subprocess.Popen(
            [*args, "-p", "sleep", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()
        assert b"FileNotFoundError" not in err
    assert list((root / "reports" / ".build" / "work").iterdir()) == []  # per-run, cleaned up
    assert (root / "reports" / "hello.html").is_file()


def test_a_run_waiting_too_long_for_the_lock_stops_with_one_line(hello_project):
    root, reg = hello_project
    before = tree_snapshot(root / "reports")
    fd = os.open(root / "reports" / ".build" / "run.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another run is building
    try:
        res = cli(
            root, "run", "hello", "--registry", str(reg), "--force",
            env={"ANALYSIS_LOCK_TIMEOUT": "0.3"},
        )  # fmt: skip
    finally:
        os.close(fd)
    assert res.returncode == 2
    line = _one_line(res.stderr)
    assert "en annan analysis run bygger redan" in line and "väntade 0.3 s" in line
    assert tree_snapshot(root / "reports") == before


# ------------------------------------------------------------------- unwritable outputs
def test_read_only_reports_folder_is_one_line_exit_2(hello_project):
    root, reg = hello_project
    reports = root / "reports"
    prefix = read_only_prefix(reports)
    if prefix is None:
        pytest.skip("no way to make a folder read-only for root here (unshare missing)")
    before = tree_snapshot(reports)
    env = {**os.environ, "ANALYSIS_PROJECT_ROOT": str(root)}
    if prefix == []:
        for p in [reports, *[p for p in reports.rglob("*") if p.is_dir()]]:
            p.chmod(0o555)
    try:
        res = subprocess.run(
            [*prefix, sys.executable, "-m", "analysis", "run", "hello", "--registry", str(reg), "--force"],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        if prefix == []:
            for p in [reports, *[p for p in reports.rglob("*") if p.is_dir()]]:
                p.chmod(0o755)
    assert res.returncode == 2, res.stderr
    line = _one_line(res.stderr)
    assert str(reports) in line and "skrivskydd" in line
    assert tree_snapshot(reports) == before


@pytest.mark.parametrize("failing", ["hello.html", "index.html", "hello.json"])
def test_full_reports_folder_is_one_line_exit_2_and_old_outputs_stay(
    hello_project, monkeypatch, capsys, failing
):
    root, reg = hello_project
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    reports = root / "reports"
    old_html = (reports / "hello.html").read_bytes()
    old_index = (reports / "index.html").read_bytes()
    real = atomic.write_bytes

    def full_disk(path, data):
        if Path(path).name == failing:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(atomic, "write_bytes", full_disk)
    rc = main(["run", "hello", "--registry", str(reg), "--force", "-p", "greeting", "Hallå"])
    err = capsys.readouterr().err
    assert rc == 2
    line = _one_line(err)
    assert "disken är full" in line and failing in line and "orörda" in line
    assert (reports / "hello.html").read_bytes() == old_html or failing != "hello.html"
    assert (reports / "index.html").read_bytes() == old_index or failing == "hello.json"
    assert not [p for p in reports.rglob("*.tmp")]  # no half-written files left


def test_output_dir_naming_a_file_is_refused(hello_project):
    root, reg = hello_project
    target = root / "reports.txt"
    target.write_text("x", encoding="utf-8")
    res = cli(root, "run", "hello", "--registry", str(reg), "--output-dir", str(target))
    assert res.returncode == 2 and "är en fil, inte en mapp" in _one_line(res.stderr)
    assert target.read_text(encoding="utf-8") == "x"


# ------------------------------------------------------------- refused before anything runs
@pytest.fixture(scope="module")
def project_root(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("refuse"))
    assert cli(root, "ingest", "partner_2021").returncode == 0
    return root


@pytest.fixture
def project(project_root, monkeypatch, capsys):
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(project_root))
    root = ProjectPath(project_root)
    root.capsys, root.monkeypatch = capsys, monkeypatch
    return root


def _refused(root: Path, *args: str, env: dict | None = None) -> str:
    """``analysis run ARGS`` (in this process) must exit 2 with one line and write nothing."""
    for key, value in (env or {}).items():
        root.monkeypatch.setenv(key, value)
    before = tree_snapshot(root / "reports")
    res = run_main(root.capsys, "run", *args)
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert tree_snapshot(root / "reports") == before  # nothing ran, nothing written
    return _one_line(res.stderr)


@pytest.mark.parametrize("epoch", ["abc", "1.5e9", "99999999999999999999", " "])
def test_malformed_source_date_epoch(project, epoch):
    line = _refused(project, "partner_2021", env={"SOURCE_DATE_EPOCH": epoch})
    if epoch.strip():
        assert "SOURCE_DATE_EPOCH" in line


@pytest.mark.parametrize("value", ["2.5", "0", "-3", "abc", "1e3"])
def test_cell_timeout_must_be_a_whole_number_of_seconds(project, value):
    line = _refused(project, "partner_2021", "--cell-timeout", value)
    assert "--cell-timeout" in line and "heltal" in line


def test_cell_timeout_in_the_api():
    assert runner.check_cell_timeout(5) == 5
    with pytest.raises(ConfigError, match="heltal"):
        runner.run_reports(["x"], registry={}, cell_timeout=2.5)


@pytest.mark.parametrize(
    ("report", "survey"),
    [("partner_2021", "municipality_2023"), ("municipality_2023", "partner_2021")],
)
def test_a_survey_the_report_is_not_for(project, report, survey):
    line = _refused(project, report, "-p", "survey", survey)
    assert f"'{survey}'" in line and "tillåtna värden" in line


def test_survey_from_a_parameters_file_section(project, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("partner_2021:\n  survey: municipality_2023\n", encoding="utf-8")
    assert "tillåtna värden: partner_2021" in _refused(project, "partner_2021", "-f", str(f))


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("input", "/missing/folder", "finns inte"),
        ("input", "x" * 5000, "för lång"),
        ("input", "/tmp/" + "y" * 300, "längre än 255 byte"),
        ("themes", "t" * 100_000, "för lång"),
        ("themes", "/missing/themes.yaml", "finns inte"),
        ("audience", "public\ninternal", "styrtecken"),
    ],
)
def test_parameter_values_are_checked_for_length_and_paths(project, key, value, expected):
    report = "municipality_2023" if key == "themes" else "partner_2021"
    line = _refused(project, report, "-p", key, value)
    assert key in line and (expected in line or "tillåtna värden" in line)
    assert len(line) < 2000  # a huge value is not echoed back


def test_input_without_processed_data_or_for_another_survey(project, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "manifest.json saknas" in _refused(project, "partner_2021", "-p", "input", str(empty))
    assert (
        cli(project, "ingest", "municipality_2023", "--output", str(tmp_path / "m")).returncode == 0
    )
    line = _refused(project, "partner_2021", "-p", "input", str(tmp_path / "m"))
    assert "municipality_2023" in line and "inte 'partner_2021'" in line


def test_duplicate_keys_in_a_parameters_file(project, tmp_path):
    f = tmp_path / "params.yaml"
    f.write_text("audience: public\nmin_cell: 50\nmin_cell: 2\n", encoding="utf-8")
    line = _refused(project, "partner_2021", "-f", str(f))
    assert f"{f}: rad 3: nyckeln 'min_cell' förekommer två gånger (första gången på rad 2)" in line
    f.write_text("partner_2021:\n  min_cell: 50\npartner_2021:\n  min_cell: 2\n", encoding="utf-8")
    assert "nyckeln 'partner_2021'" in _refused(project, "partner_2021", "-f", str(f))


def test_duplicate_report_sections_in_the_registry(project, tmp_path):
    reg = tmp_path / "reports.yaml"
    text = (project / "reports.yaml").read_text(encoding="utf-8")
    reg.write_text(text + "\npartner_2021:\n  notebook: notebooks/x.ipynb\n", encoding="utf-8")
    line = _refused(project, "--all", "--registry", str(reg))
    assert "nyckeln 'partner_2021' förekommer två gånger" in line and str(reg) in line


# -------------------------------------------------------------- provenance without PII
def test_no_personal_data_in_manifest_footer_or_index(tmp_path):
    root = make_project(tmp_path)
    export = tmp_path / "inkorg" / "svar_anna.svensson@umea.se.xlsx"
    write_real_partner_export(export, email_header="Kontakt: anna.svensson@umea.se")
    user_dir = tmp_path / "home" / "karin.lund" / "analys" / "partner_2021"
    res = cli(root, "ingest", "partner_2021", "--input", str(export), "--output", str(user_dir))
    assert res.returncode == 0, res.stderr
    manifest_text = (user_dir / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(manifest_text)
    assert "anna.svensson" not in manifest_text and "umea.se" not in manifest_text
    assert manifest["source_file"] == f"export (sha256 {manifest['source_sha256'][:8]}…)"
    assert any(h.startswith("kolumn (sha256 ") for h in manifest["ignored_columns"])
    res = cli(root, "run", "overview_partner_2021", "-p", "input", str(user_dir))
    assert res.returncode == 0, res.stderr
    pages = [root / "reports" / "overview_partner_2021.html"]
    for page in [*pages, root / "reports" / "index.html"]:
        html = page.read_text(encoding="utf-8")
        for leak in ("anna.svensson", "umea.se", "karin.lund", str(tmp_path), "/home/"):
            assert leak not in html, (page.name, leak)
    footer = pages[0].read_text(encoding="utf-8").split("<footer", 1)[1]
    assert f"export (sha256 {manifest['source_sha256'][:8]}…)" in footer
    assert "input = partner_2021" in footer  # the checked base name, never the path
