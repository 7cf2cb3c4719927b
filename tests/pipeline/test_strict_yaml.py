"""One strict YAML loader for every configuration file: a key given twice is an error naming the
file, the line and the key — in parameter files, reports.yaml, codebooks and the theme codebook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import paths, yamlload
from analysis.data.codebook import Codebook
from analysis.errors import ConfigError
from analysis.pipeline.registry import load_registry
from analysis.text.themes import load_themes

ROOT = Path(__file__).resolve().parents[2]


def _duplicate_after(text: str, anchor: str, line: str) -> str:
    """*text* with *line* inserted right after the first line starting with *anchor*."""
    out, done = [], False
    for existing in text.splitlines(keepends=True):
        out.append(existing)
        if not done and existing.lstrip().startswith(anchor):
            indent = existing[: len(existing) - len(existing.lstrip())]
            out.append(indent + line + "\n")
            done = True
    assert done, anchor
    return "".join(out)


def test_nested_and_flow_mappings_are_checked():
    with pytest.raises(ConfigError, match=r"x.yaml: rad 3: nyckeln 'b'"):
        yamlload.load("a:\n  b: 1\n  b: 2\n", source="x.yaml")
    with pytest.raises(ConfigError, match="nyckeln 'c'"):
        yamlload.load("a: {c: 1, c: 2}\n", source="x.yaml")
    assert yamlload.load("- {a: 1}\n- {a: 2}\n") == [{"a": 1}, {"a": 2}]


def test_codebook_with_a_duplicate_key(tmp_path):
    src = paths.codebook_path("partner_2021").read_text(encoding="utf-8")
    bad = tmp_path / "codebook.yaml"
    bad.write_text(_duplicate_after(src, "version:", 'version: "9.9"'), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        Codebook.load(bad)
    msg = str(exc.value)
    assert str(bad) in msg and "nyckeln 'version' förekommer två gånger" in msg and "rad " in msg


def test_theme_codebook_with_a_duplicate_key(tmp_path):
    src = paths.themes_path().read_text(encoding="utf-8")
    bad = tmp_path / "themes.yaml"
    bad.write_text(_duplicate_after(src, "label:", 'label: "Dubblett"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="nyckeln 'label' förekommer två gånger"):
        load_themes(bad)


def test_registry_with_a_duplicate_report(tmp_path):
    reg = tmp_path / "reports.yaml"
    shutil.copy(ROOT / "reports.yaml", reg)
    with reg.open("a", encoding="utf-8") as fh:
        fh.write("\noverview_partner_2021:\n  notebook: notebooks/survey_overview.ipynb\n")
    with pytest.raises(
        ConfigError, match=r"reports.yaml: rad \d+: nyckeln 'overview_partner_2021'"
    ):
        load_registry(reg)


def test_registry_surveys_and_unknown_keys(tmp_path):
    reg = tmp_path / "reports.yaml"
    reg.write_text("r:\n  notebook: x.ipynb\n  surveys: [partner_2022]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'surveys'"):
        load_registry(reg)
    reg.write_text("r:\n  notebook: x.ipynb\n  paramters: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="okänd nyckel 'paramters'"):
        load_registry(reg)
    specs = load_registry(ROOT / "reports.yaml")
    assert specs["partner_2021"].surveys == ("partner_2021",)
    assert specs["overview_partner_2021"].surveys is None


def test_readme_documents_the_exit_codes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 130 |"):
        assert code in section, code
