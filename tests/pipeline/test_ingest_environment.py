"""``analysis ingest`` / ``demo`` / ``code`` in a hostile environment: read-only or full output
folders, ``--output`` naming a file, concurrent ingests, ASCII-only terminals, the demo marker,
which file in ``data/raw/<survey>/`` is the export, and ambiguous CSV columns."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import atomic
from analysis.cli import main
from analysis.data import demo, store

from .conftest import (
    ProjectPath,
    cli,
    make_project,
    read_only_prefix,
    run_main,
    tree_snapshot,
    write_real_partner_export,
)


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def project(tmp_path, monkeypatch, capsys):
    root = ProjectPath(make_project(tmp_path, notebooks=False))
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    root.capsys = capsys
    return root


def run(project: Path, *args: str):
    """``analysis ARGS`` in this process for the project copy (see :func:`run_main`)."""
    return run_main(project.capsys, *args)


def _processed(root: Path, survey: str = "partner_2021") -> Path:
    return root / "data" / "processed" / survey


# ------------------------------------------------------------------- unwritable outputs
def test_ingest_into_a_read_only_processed_folder(project):
    assert run(project, "ingest", "partner_2021").returncode == 0
    processed = project / "data" / "processed"
    before = tree_snapshot(processed)
    real = project / "data" / "raw" / "partner_2021" / "svar.xlsx"
    write_real_partner_export(real)
    prefix = read_only_prefix(processed)
    if prefix is None:
        pytest.skip("no way to make a folder read-only for root here (unshare missing)")
    dirs = [processed, *[p for p in processed.rglob("*") if p.is_dir() and not p.is_symlink()]]
    if prefix == []:
        for d in dirs:
            d.chmod(0o555)
    try:
        res = subprocess.run(
            [*prefix, sys.executable, "-m", "analysis", "ingest", "partner_2021"],
            env={**os.environ, "ANALYSIS_PROJECT_ROOT": str(project)},
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        if prefix == []:
            for d in dirs:
                d.chmod(0o755)
    assert res.returncode == 2, res.stderr
    line = _one_line(res.stderr)
    assert "skrivskydd" in line and "partner_2021" in line
    assert tree_snapshot(processed) == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_ingest_onto_a_full_disk(project, monkeypatch, capsys, code):
    assert main(["ingest", "partner_2021", "--quiet"]) == 0
    before = tree_snapshot(_processed(project))
    write_real_partner_export(project / "data" / "raw" / "partner_2021" / "svar.xlsx")

    def full(directory, files):
        raise OSError(code, os.strerror(code), str(Path(directory) / "responses.parquet"))

    monkeypatch.setattr(atomic, "write_files", full)
    assert main(["ingest", "partner_2021"]) == 2
    captured = capsys.readouterr()
    line = _one_line(captured.err)
    assert ("disken är full" in line or "kvoten" in line) and "Inget har ändrats" in line
    assert captured.out == ""
    assert tree_snapshot(_processed(project)) == before


def test_ingest_output_naming_a_file(project, tmp_path):
    target = tmp_path / "utdata.txt"
    target.write_text("behåll mig", encoding="utf-8")
    res = run(project, "ingest", "partner_2021", "--output", str(target))
    assert res.returncode == 2
    assert "är en fil, inte en mapp" in _one_line(res.stderr)
    assert target.read_text(encoding="utf-8") == "behåll mig"


# ------------------------------------------------------------------- concurrent ingests
def test_concurrent_ingests_serialise(project):
    real = project / "data" / "raw" / "partner_2021" / "svar.xlsx"
    write_real_partner_export(real)
    demo_file = project / "data" / "raw" / "partner_2021" / "demo_partner_2021_msforms.xlsx"
    env = {**os.environ, "ANALYSIS_PROJECT_ROOT": str(project)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "analysis",
                "ingest",
                "partner_2021",
                "--quiet",
                "--input",
                str(src),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for src in (real, demo_file, real, demo_file)
    ]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    root = _processed(project)
    current = store.resolve(root)
    manifest = json.loads(current.file("manifest.json").read_text(encoding="utf-8"))
    assert manifest["source_file"] in ("svar.xlsx", demo_file.name)
    assert 1 <= len(store.list_versions(root)) <= store.KEEP_VERSIONS


def test_second_ingest_gives_up_after_the_lock_timeout(project):
    assert cli(project, "ingest", "partner_2021").returncode == 0
    before = tree_snapshot(_processed(project))
    write_real_partner_export(project / "data" / "raw" / "partner_2021" / "svar.xlsx")
    fd = os.open(_processed(project) / ".ingest.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        res = cli(project, "ingest", "partner_2021", env={"ANALYSIS_LOCK_TIMEOUT": "0.3"})
    finally:
        os.close(fd)
    assert res.returncode == 2
    assert "en annan inläsning" in _one_line(res.stderr)
    assert tree_snapshot(_processed(project)) == before


# ------------------------------------------------------------------- ASCII-only terminals
@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": ""}],
    ids=["PYTHONIOENCODING=ascii", "LANG=C"],
)
def test_cli_output_survives_an_ascii_environment(project, env):
    res = cli(project, "ingest", "municipality_2023", env=env)
    assert res.returncode == 0, res.stderr
    assert "Läste demo_municipality_2023" in res.stdout and "syntetiska" in res.stdout
    bad = cli(project, "run", "partner_2021", "-p", "survey", "municipality_2023", env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    parse = cli(project, "ingest", env=env)  # no survey: an argparse error
    assert parse.returncode == 2 and "fel:" in _one_line(parse.stderr)
    unknown = cli(project, "ingest", "finns_inte", env=env)  # surveys are discovered at run time
    assert unknown.returncode == 2 and "partner_2021" in _one_line(unknown.stderr)
    helped = cli(project, "ingest", "--help", env=env)
    assert helped.returncode == 0 and "enkäten" in helped.stdout
    problems = project / "svar.csv"
    problems.write_text("Tidstämpel,Vilken kommun representerar du?\n2023-05-01,Umeaa\n", "utf-8")
    invalid = cli(project, "validate", "municipality_2023", str(problems), env=env)
    assert invalid.returncode == 2 and "Traceback" not in invalid.stderr


# ----------------------------------------------------------------------- the demo marker
def test_demo_never_replaces_a_real_export_saved_under_its_name(project):
    raw = project / "data" / "raw"
    target = raw / "partner_2021" / "demo_partner_2021_msforms.xlsx"
    write_real_partner_export(target)
    real_bytes = target.read_bytes()
    res = run(project, "demo", "partner_2021")
    assert res.returncode == 2
    assert "skrivs inte över" in _one_line(res.stderr)
    assert target.read_bytes() == real_bytes
    # the same for the CSV export (its sidecar records what the generator wrote)
    csv_target = raw / "municipality_2023" / "demo_municipality_2023_googleforms.csv"
    csv_target.write_bytes(csv_target.read_bytes().replace(b"Nordmalings kommun", b"Nordmaling"))
    changed = csv_target.read_bytes()
    assert run(project, "demo", "municipality_2023").returncode == 2
    assert csv_target.read_bytes() == changed
    # ingest labels both as real data, whatever their names
    for survey, path in (("partner_2021", target), ("municipality_2023", csv_target)):
        res = run(project, "ingest", survey, "--input", str(path), "--quiet")
        assert res.returncode == 0, res.stderr
        manifest = json.loads((_processed(project, survey) / "manifest.json").read_text("utf-8"))
        assert manifest["synthetic"] is False, survey


def test_demo_rewrites_its_own_files_and_check_still_works(project):
    assert run(project, "demo").returncode == 0  # its own files: replaced (identically)
    check = run(project, "demo", "--check")
    assert check.returncode == 0 and check.stdout.count("OK") == len(demo.DEFAULT_SEEDS)
    sidecar = demo.sidecar_path(
        project / "data" / "raw" / "municipality_2023" / "demo_municipality_2023_googleforms.csv"
    )
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("2023", "2024"), "utf-8")
    assert run(project, "demo", "--check").returncode == 1


def test_synthetic_comes_from_the_marker_never_from_the_name(project, tmp_path):
    raw = project / "data" / "raw"
    xlsx = raw / "partner_2021" / "demo_partner_2021_msforms.xlsx"
    csv = raw / "municipality_2023" / "demo_municipality_2023_googleforms.csv"
    assert demo.written_by_generator(xlsx) and demo.written_by_generator(csv)
    copy_xlsx = tmp_path / "svar.xlsx"  # the same cells under another name: still demo data
    shutil.copy(xlsx, copy_xlsx)
    assert demo.written_by_generator(copy_xlsx)
    copy_csv = tmp_path / "svar.csv"  # no sidecar: not provably generator output
    shutil.copy(csv, copy_csv)
    assert not demo.written_by_generator(copy_csv)
    edited = tmp_path / "demo_partner_2021_msforms.xlsx"
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    wb.worksheets[0]["F2"].value = "Annan organisation"  # one answer changed, marker kept
    assert wb.worksheets[0]["F2"].value != load_workbook(xlsx).worksheets[0]["F2"].value
    wb.save(edited)
    assert demo.xlsx_marker(edited.read_bytes()) and not demo.written_by_generator(edited)
    res = run(project, "ingest", "partner_2021", "--input", str(copy_xlsx), "--quiet")
    assert res.returncode == 0
    assert json.loads((_processed(project) / "manifest.json").read_text("utf-8"))["synthetic"]


# --------------------------------------------------------- which file is the export?
def _review_file(project: Path, suffix: str = ".csv") -> Path:
    assert run(project, "ingest", "municipality_2023", "--quiet").returncode == 0
    out = project / f"granskning{suffix}"
    res = run(project, "code", "--survey", "municipality_2023", "--review", str(out))
    assert res.returncode == 0, res.stderr
    return out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_verified_codes_beside_the_export_is_never_taken_for_it(project, suffix):
    review = _review_file(project, suffix)  # what the README's review workflow produces
    raw = project / "data" / "raw" / "municipality_2023"
    shutil.copy(review, raw / f"verified_codes{suffix}")
    res = run(project, "ingest", "municipality_2023")
    assert res.returncode == 0, res.stderr
    assert "Läste demo_municipality_2023_googleforms.csv" in res.stdout


def test_files_whose_headers_do_not_match_are_not_exports(project):
    raw = project / "data" / "raw" / "municipality_2023"
    shutil.copy(_review_file(project), raw / "granskning_kopia.csv")  # a review export
    (raw / "anteckningar.csv").write_text("datum;notering\n2023-05-01;ring Umeå\n", "utf-8")
    res = run(project, "ingest", "municipality_2023")
    assert res.returncode == 0, res.stderr
    assert "Läste demo_municipality_2023_googleforms.csv" in res.stdout


def test_a_real_export_wins_and_two_real_exports_are_ambiguous(project):
    raw = project / "data" / "raw" / "partner_2021"
    write_real_partner_export(raw / "svar_juni.xlsx")
    res = run(project, "ingest", "partner_2021")
    assert res.returncode == 0 and "Läste svar_juni.xlsx" in res.stdout
    write_real_partner_export(raw / "svar_juli.xlsx", drop=3)
    res = run(project, "ingest", "partner_2021")
    assert res.returncode == 2
    line = _one_line(res.stderr.replace("\n1 problem hittades; inget har skrivits.", ""))
    assert "svar_juli.xlsx" in line and "svar_juni.xlsx" in line and "--input" in line


def test_an_unreadable_file_beside_the_demo_is_reported_not_skipped(project):
    raw = project / "data" / "raw" / "partner_2021"
    (raw / "svar.csv").write_bytes("Tidstämpel;Vilken typ?\n".encode("cp1252")[:3])
    res = run(project, "ingest", "partner_2021")
    assert res.returncode == 2 and "svar.csv" in res.stderr and "--input" in res.stderr


# ------------------------------------------------------------- analysis code: columns
@pytest.mark.parametrize(
    ("header", "args", "expected"),
    [
        ("id;svar;svar", ["--text-column", "svar"], "förekommer 2 gånger (kolumn 2 och 3)"),
        ("id;svar", ["--text-column", "text"], "kolumnen 'text' (--text-column) finns inte"),
        ("id;id;svar", ["--text-column", "svar", "--id-column", "id"], "'id' förekommer 2"),
    ],
)
def test_code_refuses_ambiguous_or_missing_columns(project, tmp_path, header, args, expected):
    src = tmp_path / "svar.csv"
    width = header.count(";") + 1
    rows = "\n".join(
        ";".join([f"k{i}"] + ["Bättre vägar och bredband"] * (width - 1)) for i in range(3)
    )
    src.write_text(f"{header}\n{rows}\n", encoding="utf-8")
    out = tmp_path / "kodat.csv"
    res = run(project, "code", str(src), *args, "--out", str(out))
    assert res.returncode == 2
    assert expected in _one_line(res.stderr)
    assert not out.exists()


def test_code_refuses_duplicate_or_empty_ids(project, tmp_path):
    src = tmp_path / "svar.csv"
    src.write_text("id;svar\nk1;vägar\nk2;bredband\nk1;skola\n", encoding="utf-8")
    res = run(project, "code", str(src), "--text-column", "svar", "--id-column", "id", "--out", str(tmp_path / "o.csv"))  # fmt: skip
    assert res.returncode == 2
    assert "rad 4, kolumn 'id': id 'k1' finns redan på rad 2" in _one_line(res.stderr)
    src.write_text("id;svar\nk1;vägar\n;bredband\n", encoding="utf-8")
    res = run(project, "code", str(src), "--text-column", "svar", "--id-column", "id", "--out", str(tmp_path / "o.csv"))  # fmt: skip
    assert res.returncode == 2 and "rad 3" in _one_line(res.stderr)
