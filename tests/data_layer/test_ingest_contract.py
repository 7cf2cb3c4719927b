"""The processed-data contract on the demo surveys, input discovery, atomicity, CLI, dataset."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from export_corpus import snapshot

from analysis import SURVEYS, paths
from analysis.cli import main
from analysis.data.codebook import load_codebook
from analysis.data.dataset import load
from analysis.data.ingest import find_input, ingest
from analysis.errors import AnalysisError, InputValidationError, OutputError

MANIFEST_KEYS = [
    "survey", "source_file", "source_sha256", "source_size", "source_format", "codebook_sha256",
    "codebook_version", "rows_in", "rows_out", "rows_excluded", "dropped_columns",
    "masked_counts", "package_version", "synthetic",
]  # fmt: skip


def _raw_hashes() -> dict[str, str]:
    return {
        str(p.relative_to(paths.raw_dir())): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(paths.raw_dir().rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    before = _raw_hashes()
    base = tmp_path_factory.mktemp("demo")
    manifests = {s: ingest(s, out_dir=base / s) for s in SURVEYS}
    assert _raw_hashes() == before  # raw files (codebooks, exports, reference) unchanged
    return base, manifests


@pytest.mark.parametrize("survey", SURVEYS)
def test_demo_contract(demo_out, survey):
    base, manifests = demo_out
    m = manifests[survey]
    assert list(m)[: len(MANIFEST_KEYS)] == MANIFEST_KEYS
    assert m["synthetic"] is True and m["rows_in"] == m["rows_out"] + m["rows_excluded"]
    cb = load_codebook(survey)
    assert m["codebook_sha256"] == cb.sha256
    src = find_input(survey, cb)
    assert m["source_sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert m["source_size"] == src.stat().st_size
    on_disk = json.loads((base / survey / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == m
    w = pd.read_parquet(base / survey / "responses.parquet")
    long = pd.read_parquet(base / survey / "answers.parquet")
    assert list(w.columns[:2]) == ["respondent_id", "source_row"]
    assert w["respondent_id"].is_unique and str(w["source_row"].dtype) == "int64"
    assert list(long.columns) == [
        "respondent_id",
        "question_id",
        "question_type",
        "option_code",
        "value",
    ]
    for q in cb.questions:
        if q.type in ("single", "likert", "org_type"):
            assert w[q.id].dtype == "category" and w[q.id].cat.ordered
            assert list(w[q.id].cat.categories) == q.labels
        elif q.type == "multi":
            for o in q.options:
                assert str(w[f"{q.id}__{o.code}"].dtype) == "boolean"
            ticked = sum(int(w[f"{q.id}__{o.code}"].fillna(False).sum()) for o in q.options)
            assert ticked == int((long["question_id"] == q.id).sum())
        elif q.type == "text":
            assert str(w[q.id].dtype).startswith("string")
            assert w[q.id].notna().sum() == int((long["question_id"] == q.id).sum())
        elif q.type == "municipality":
            assert w[q.id].dtype == "category" and w[q.id].is_unique
            assert {"kommunkod", "kommungrupp"} <= set(w.columns)
    assert set(long["respondent_id"]) <= set(w["respondent_id"])


def test_partner_sektor_and_pii(demo_out):
    base, manifests = demo_out
    w = pd.read_parquet(base / "partner_2021" / "responses.parquet")
    assert set(w["sektor"].dropna()) <= {
        "Offentlig sektor",
        "Näringsliv",
        "Akademi",
        "Idéburen sektor",
    }
    assert manifests["partner_2021"]["dropped_columns"] == ["ID", "Email", "Name"]
    assert manifests["municipality_2023"]["dropped_columns"] == ["E-postadress"]
    blob = b"".join(p.read_bytes() for p in (base / "partner_2021").rglob("*") if p.is_file())
    assert b"example.org" not in blob


def test_rerun_byte_identical(demo_out, tmp_path):
    base, _ = demo_out
    ingest("partner_2021", out_dir=tmp_path)
    assert snapshot(tmp_path) == snapshot(base / "partner_2021")


def test_failed_write_keeps_previous(demo_out, tmp_path, monkeypatch):
    base, _ = demo_out
    out = tmp_path / "out"
    shutil.copytree(base / "partner_2021", out, symlinks=True)
    before = snapshot(out)
    import analysis.data.ingest as ing

    calls = {"n": 0}
    real = ing._parquet_bytes

    def flaky(df):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(df)

    monkeypatch.setattr(ing, "_parquet_bytes", flaky)
    with pytest.raises(OSError):
        ingest("partner_2021", out_dir=out)
    assert snapshot(out) == before

    import analysis.atomic as atomic

    def boom(*a, **k):
        raise OSError("rename failed")

    monkeypatch.setattr(ing, "_parquet_bytes", real)
    monkeypatch.setattr(atomic.os, "fsync", boom)
    monkeypatch.setattr(ing, "_parquet_bytes", lambda df: real(df) + b"\0")  # a new version
    with pytest.raises(OutputError, match="Inget har ändrats"):
        ingest("partner_2021", out_dir=out)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # staging cleaned up


def _project(tmp_path: Path, survey: str, files: list[str]) -> Path:
    root = tmp_path / "proj"
    raw = root / "data" / "raw" / survey
    raw.mkdir(parents=True)
    shutil.copy(paths.codebook_path(survey), raw / "codebook.yaml")
    shutil.copytree(paths.reference_dir(), root / "data" / "raw" / "reference")
    demo = find_input(survey)
    for name in files:
        shutil.copy(demo, raw / name)
    return root


def test_find_input_preferences(tmp_path, monkeypatch):
    survey = "partner_2021"
    root = _project(tmp_path, survey, ["demo_partner_2021_msforms.xlsx", "~$lock.xlsx"])
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    assert find_input(survey).name == "demo_partner_2021_msforms.xlsx"
    from openpyxl import load_workbook

    # a real export: the demo file with one answer changed (no longer what the generator wrote)
    wb = load_workbook(root / "data/raw" / survey / "demo_partner_2021_msforms.xlsx")
    wb.worksheets[0]["C2"].value = wb.worksheets[0]["C2"].value.replace(minute=1)
    wb.save(root / "data/raw" / survey / "export_2021.xlsx")
    assert find_input(survey).name == "export_2021.xlsx"
    m = ingest(survey)
    assert m["synthetic"] is False and m["source_file"] == "export_2021.xlsx"
    assert (root / "data/processed" / survey / "manifest.json").is_file()
    shutil.copy(
        root / "data/raw" / survey / "export_2021.xlsx", root / "data/raw" / survey / "export_2.csv"
    )
    with pytest.raises(InputValidationError, match="--input"):
        find_input(survey)


def test_no_input(tmp_path, monkeypatch):
    root = _project(tmp_path, "municipality_2023", [])
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    with pytest.raises(InputValidationError) as exc:
        ingest("municipality_2023")
    assert exc.value.kinds == {"no_input"} and "analysis demo" in str(exc.value)


def test_cli_success_and_failure(tmp_path, capsys, corpus):
    assert main(["ingest", "partner_2021", "--output", str(tmp_path / "ok")]) == 0
    out = capsys.readouterr().out
    assert "14 svar" in out and "ID, Email, Name" in out and "syntetiska" in out
    assert main(["ingest", "partner_2021", "--quiet", "--output", str(tmp_path / "q")]) == 0
    assert capsys.readouterr().out == ""
    bad = corpus["multiple_problems.csv"].path
    assert (
        main(
            ["ingest", "municipality_2023", "--input", str(bad), "--output", str(tmp_path / "bad")]
        )
        == 2
    )
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 4 and lines[-1].startswith("3 problem") and "Traceback" not in err
    assert lines[0].startswith("multiple_problems.csv: rad 3, kolumn 'Vilken kommun")
    assert not (tmp_path / "bad").exists()
    assert main(["validate", "municipality_2023", str(bad)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 4
    good = corpus["muni_google_utf8.csv"].path
    assert main(["validate", "municipality_2023", str(good)]) == 0
    assert "inga problem" in capsys.readouterr().out


def test_dataset_load(demo_out, tmp_path):
    base, _ = demo_out
    ds = load("partner_2021", processed=base / "partner_2021")
    assert ds.n == 14 and ds.synthetic and ds.codebook.survey == "partner_2021"
    assert ds.wide["q4"].cat.ordered and ds.question("q4").type == "likert"
    with pytest.raises(AnalysisError, match="analysis ingest partner_2021"):
        load("partner_2021", processed=tmp_path / "missing")
    with pytest.raises(AnalysisError, match="inte 'partner_2021'"):
        load("partner_2021", processed=base / "municipality_2023")
