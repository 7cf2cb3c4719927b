"""The survey ↔ REFI-QDA glue and the ``analysis qda`` command (issue: REFI-QDA exchange)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.errors import ConfigError
from analysis.text import coding
from analysis.text.qda import import_project, validate
from analysis.text.qda import survey as qs
from analysis.text.themes import load_themes

ATLAS = Path(__file__).parent / "fixtures" / "qda" / "target-atlas-project.qdpx"


@pytest.fixture(scope="module")
def processed(processed_demo):
    return processed_demo("municipality_2023")


def test_export_validates_and_carries_every_answer(processed, tmp_path):
    out = qs.export_survey("municipality_2023", tmp_path / "m.qdpx", processed=processed)
    assert validate(out) == []
    codes = coding.survey_codes("municipality_2023", processed, use_verified=False)
    project = import_project(out)
    assert len(project.sources) == len(codes)
    assert set(project.attributes["variable"]) >= {"question", "kommun"}
    names = {c.id for c in project.codes}
    assert names == set(load_themes().ids)
    assert zipfile.ZipFile(out).testzip() is None


def test_round_trip_gives_the_machine_codes_back(processed, tmp_path):
    out = qs.export_survey("municipality_2023", tmp_path / "m.qdpx", processed=processed)
    table, _ = qs.import_survey("municipality_2023", out, processed=processed, include_machine=True)
    codes = coding.survey_codes("municipality_2023", processed, use_verified=False)
    expected = {
        (r.id, r.question): r.suggested_themes
        for r in codes.itertuples()
        if r.suggested_themes and r.suggested_themes != "inget tema"
    }
    got = {(r.id, r.question): r.verified_themes for r in table.itertuples()}
    assert got == expected
    # without include_machine nothing human was coded
    human, _ = qs.import_survey("municipality_2023", out, processed=processed)
    assert human.empty


def test_round_trip_keeps_a_coders_verified_codes(processed, tmp_path):
    codes = coding.survey_codes("municipality_2023", processed, use_verified=False)
    first = codes.iloc[:3]
    verified = pd.DataFrame(
        {
            "id": first["id"],
            "question": first["question"],
            "verified_themes": ["kompetensforsorjning", "attraktion;digitalisering", ""],
            "coder": ["Kodare A", "Kodare A", "Kodare A"],
        }
    )
    vpath = tmp_path / "verified_codes.csv"
    verified.to_csv(vpath, index=False)
    out = qs.export_survey(
        "municipality_2023", tmp_path / "m.qdpx", processed=processed, verified=vpath
    )
    table, _ = qs.import_survey("municipality_2023", out, processed=processed)
    assert table[["id", "question", "verified_themes", "coder"]].values.tolist() == [
        [first["id"].iloc[0], first["question"].iloc[0], "kompetensforsorjning", "Kodare A"],
        [first["id"].iloc[1], first["question"].iloc[1], "attraktion;digitalisering", "Kodare A"],
    ]


def test_a_project_of_another_survey_is_refused(processed, processed_demo, tmp_path):
    out = qs.export_survey("municipality_2023", tmp_path / "m.qdpx", processed=processed)
    # the same project against other answers: the partner survey's free text
    with pytest.raises(ConfigError, match="hör inte till den här enkäten"):
        qs.import_survey("partner_2021", out, processed=processed_demo("partner_2021"))


def test_atlas_sample_imports_with_a_clear_message(processed, tmp_path, capsys):
    table, messages = qs.import_survey("municipality_2023", ATLAS, processed=processed)
    assert table.empty and "inga textkällor" in messages[0]
    rc = main(
        [
            "qda",
            "import",
            "municipality_2023",
            str(ATLAS),
            "--processed",
            str(processed),
            "--out",
            str(tmp_path / "v.csv"),
        ]
    )
    assert rc == 0 and not (tmp_path / "v.csv").exists()
    assert "Ingen fil skrevs" in capsys.readouterr().out


def test_cli_refuses_to_overwrite_and_reports_bad_files(processed, tmp_path, capsys):
    out = tmp_path / "v.csv"
    out.write_text("keep", encoding="utf-8")
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    args = ["qda", "import", "municipality_2023", str(bad), "--processed", str(processed)]
    assert main([*args, "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "keep"
    assert main([*args, "--out", str(tmp_path / "w.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("analysis qda:") for line in err)


def test_codebook_export_validates(tmp_path):
    out = qs.export_theme_codebook(tmp_path / "t.qdc")
    assert validate(out) == []
