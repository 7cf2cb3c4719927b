"""Surveys are data: discovery, the lazily computed SURVEYS, one-line errors for a broken codebook,
and a copied survey that ingests and gets its overview report with no code change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import analysis
from analysis import paths
from analysis.cli import main
from analysis.data.surveys import Enumerations, check_survey, discover
from analysis.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def make_project(tmp_path: Path, *, notebooks: bool = False) -> Path:
    """A throw-away project: the raw data (and optionally notebooks + registry) copied."""
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    if notebooks:
        shutil.copytree(ROOT / "notebooks", root / "notebooks")
        shutil.copy(ROOT / "reports.yaml", root / "reports.yaml")
    return root


def copy_survey(root: Path, source: str, name: str) -> Path:
    """data/raw/<source>/ copied to data/raw/<name>/ with `survey: <name>` in its codebook."""
    folder = root / "data" / "raw" / name
    shutil.copytree(root / "data" / "raw" / source, folder)
    cb = folder / "codebook.yaml"
    text = cb.read_text(encoding="utf-8").replace(f"survey: {source}\n", f"survey: {name}\n", 1)
    cb.write_text(text, encoding="utf-8")
    return folder


def test_discover_lists_the_folders_with_a_codebook():
    assert discover() == ("municipality_2023", "partner_2021", "partner_2025")
    assert "reference" not in discover()


def test_surveys_is_computed_when_read(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    before = analysis.SURVEYS
    copy_survey(root, "partner_2021", "partner_copy")
    assert "partner_copy" not in before and "partner_copy" in analysis.SURVEYS
    assert "SURVEYS" not in vars(analysis)  # never cached: a new folder is seen at once
    from analysis import SURVEYS

    assert discover() == SURVEYS
    from analysis.pipeline.parameters import ENUMERATIONS

    assert "partner_copy" in ENUMERATIONS["survey"]


def test_check_survey_lists_the_known_ones():
    assert check_survey("partner_2025") == "partner_2025"
    with pytest.raises(ConfigError) as exc:
        check_survey("partner_2099")
    msg = str(exc.value)
    assert "partner_2021" in msg and "municipality_2023" in msg and "\n" not in msg


def test_enumerations_mapping():
    calls = []
    e = Enumerations({"a": ("x",)}, b=lambda: calls.append(1) or ("y",))
    assert calls == []  # nothing computed at construction
    assert e["b"] == ("y",) and calls == [1] and set(e) == {"a", "b"} and len(e) == 2


def test_folder_name_must_match_the_codebook(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    shutil.copytree(root / "data/raw/partner_2021", root / "data/raw/wrong_name")
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    from analysis.data.codebook import load_codebook

    with pytest.raises(ConfigError, match="survey: wrong_name"):
        load_codebook("wrong_name")


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda d: d["questions"][3].update(type="likrt"), "okänd typ 'likrt'"),
        (lambda d: d.pop("round"), "'round' saknas"),
        (lambda d: d["disclosure"].update(min_cel=3), "okända nycklar"),
        (lambda d: d["questions"][4].update(concept="inclusive"), "inclusive"),
    ],
)
def test_broken_codebook_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, edit, fragment):
    root = make_project(tmp_path, notebooks=True)
    folder = copy_survey(root, "partner_2021", "broken")
    data = yaml.safe_load((folder / "codebook.yaml").read_text(encoding="utf-8"))
    edit(data)
    (folder / "codebook.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    for argv in (
        ["ingest", "broken"],
        ["validate", "broken", str(folder / "demo_partner_2021_msforms.xlsx")],
        ["run", "overview_broken", "--quiet"],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err
        assert "codebook.yaml" in err and fragment in err and "Traceback" not in err
    assert not (root / "data/processed/broken").exists()
    assert not (root / "reports/overview_broken.html").exists()


def test_unknown_survey_on_the_command_line(capsys):
    assert main(["ingest", "partner_2099"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Kända enkäter" in err


def test_a_copied_survey_ingests_and_gets_its_overview(tmp_path, monkeypatch, capsys):
    """The acceptance test of the issue: no code change, no registry edit."""
    root = make_project(tmp_path, notebooks=True)
    copy_survey(root, "partner_2021", "partner_copy")
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert main(["ingest", "partner_copy"]) == 0
    assert (root / "data/processed/partner_copy/manifest.json").is_file()
    capsys.readouterr()
    assert main(["run", "overview_partner_copy", "--quiet", "--jobs", "1"]) == 0, (
        capsys.readouterr()
    )
    html = (root / "reports/overview_partner_copy.html").read_text(encoding="utf-8")
    assert "Demodata – syntetiska svar" in html and "Traceback" not in html
    assert "Region Västerbotten är en inkluderande samarbetspartner" in html
    # the registry entry is implicit: reports.yaml is untouched
    assert "partner_copy" not in (root / "reports.yaml").read_text(encoding="utf-8")
    # parameter validation knows the new survey, and still refuses an unknown one
    from analysis.pipeline.parameters import resolve_parameters
    from analysis.pipeline.registry import load_registry

    spec = load_registry()["overview_partner_copy"]
    assert resolve_parameters(spec)["survey"] == "partner_copy"
    with pytest.raises(ConfigError, match="tillåtna värden"):
        resolve_parameters(spec, {"survey": "partner_2099"})


def test_implicit_overviews_only_for_the_project_registry(tmp_path):
    from analysis.pipeline.registry import load_registry

    project = load_registry()
    assert "overview_partner_2025" in project and "partner_trend" in project
    assert project["overview_partner_2021"].title.startswith(
        "Översikt – enkäten"
    )  # reports.yaml wins
    custom = tmp_path / "reports.yaml"
    custom.write_text(
        f"x:\n  notebook: {(ROOT / 'notebooks/survey_overview.ipynb').as_posix()}\n",
        encoding="utf-8",
    )
    assert list(load_registry(custom)) == ["x"]


def test_demo_default_is_every_survey_with_a_generator(tmp_path, monkeypatch, capsys):
    import argparse

    from analysis.data import demo

    root = make_project(tmp_path)
    copy_survey(root, "partner_2021", "partner_copy")  # a survey without a generator
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    parser = argparse.ArgumentParser()
    demo.configure(parser)
    assert demo.run(parser.parse_args(["--check"])) == 0
    out = capsys.readouterr().out
    assert "partner_2025" in out and "partner_copy" not in out
    with pytest.raises(ConfigError, match="utan demogenerator"):
        demo.run(parser.parse_args(["partner_copy"]))
    assert paths.raw_dir() == root / "data" / "raw"


def test_nothing_is_discovered_at_import_time():
    """Importing the CLI, parameters, runner, codebook and demo modules and building the parser
    never calls discover() (it is only called when a command runs)."""
    import subprocess
    import sys

    code = (
        "import analysis.data.surveys as s\n"
        "def boom(*a, **k):\n"
        "    raise RuntimeError('discovered at import time')\n"
        "s.discover = boom\n"
        "import analysis.pipeline.parameters, analysis.pipeline.runner, analysis.pipeline.registry\n"
        "import analysis.cli.ingest, analysis.cli.validate, analysis.cli.codebook\n"
        "import analysis.data.codebook, analysis.data.demo, analysis.surveys.trend\n"
        "from analysis.cli import build_parser\n"
        "build_parser()\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
