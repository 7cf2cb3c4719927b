"""What makes a report stale: besides notebook, parameters and package source, every data file
it reads — including a coder's verified codes and any file named by a parameter."""

from __future__ import annotations

from analysis.pipeline import runner


def test_verified_codes_and_file_parameters_are_inputs(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    raw = tmp_path / "data" / "raw" / "municipality_2023"
    raw.mkdir(parents=True)
    verified = raw / "verified_codes.xlsx"
    verified.write_bytes(b"x")
    themes = tmp_path / "my_themes.yaml"
    themes.write_text("version: 1\n", encoding="utf-8")

    files = runner.data_files({"survey": "municipality_2023", "themes": str(themes)})
    assert verified in files
    assert themes in files


def test_plain_string_parameters_are_not_files(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    files = runner.data_files({"survey": "partner_2021", "audience": "public", "themes": ""})
    assert all(p.is_file() for p in files)
    assert not any(p.name in ("public", "") for p in files)
