"""Registry, parameter validation (before anything executes) and the committed notebooks."""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

import pytest

from analysis.cli import run as runner_cli
from analysis.errors import AnalysisError, ConfigError
from analysis.pipeline import parameters as report_params
from analysis.pipeline import registry as report_registry
from analysis.pipeline import runner

from .conftest import FIXTURES, HELLO

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _cli(argv: list[str]) -> int:
    """``analysis run`` as the dispatcher runs it (AnalysisError → its exit code)."""
    parser = argparse.ArgumentParser()
    runner_cli.configure(parser)
    args = parser.parse_args(argv)
    try:
        return runner_cli.run(args)
    except AnalysisError as exc:
        print(exc)
        return exc.exit_code


# -- committed notebooks ----------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_have_no_outputs_and_one_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name}: a cell has outputs (run nbstripout)"
            assert cell.get("execution_count") is None, f"{path.name}: execution counts left"
    assert len(report_params.parameters_cells(nb)) == 1
    for name, decl in report_params.notebook_parameters(path).items():
        assert decl.type_name in {"str", "int", "float", "bool"}, (name, decl)
        assert decl.help, f"{path.name}: parameter {name} has no comment"


@pytest.mark.parametrize("path", [*NOTEBOOKS, HELLO], ids=lambda p: p.name)
def test_parameter_reader_agrees_with_papermill(path):
    import papermill

    ours = report_params.notebook_parameters(path)
    theirs = papermill.inspect_notebook(str(path))
    unparsed = [name for name in ours if name not in theirs]
    assert not unparsed, (
        f"{path.name}: papermill.inspect_notebook (and `papermill --help-notebook`) cannot parse "
        f"the parameter line(s) of {unparsed}; papermill's parser fails when the comment contains "
        "' = ' (write e.g. 'empty means data/processed/<survey>')"
    )
    assert list(ours) == list(theirs)
    for name, p in theirs.items():
        assert ours[name].type_name == p["inferred_type_name"]
        assert ours[name].default == ast.literal_eval(p["default"])
        assert ours[name].help == p["help"]


def test_overview_parameters_are_as_documented():
    decl = report_params.notebook_parameters(ROOT / "notebooks" / "survey_overview.ipynb")
    assert {k: (d.type_name, d.default) for k, d in decl.items()} == {
        "survey": ("str", "partner_2021"),
        "input": ("str", ""),
        "audience": ("str", "public"),
        "min_cell": ("int", 0),
    }


def test_registry_entries_resolve():
    reg = report_registry.load_registry(ROOT / "reports.yaml")
    assert {
        "overview_partner_2021",
        "overview_municipality_2023",
        "partner_2021",
        "municipality_2023",
    } <= set(reg)
    for spec in reg.values():
        assert spec.notebook.parent == ROOT / "notebooks"
        if spec.notebook.is_file():
            params = report_params.resolve_parameters(spec)
            assert params["survey"] == spec.parameters["survey"]


def test_multiple_parameters_cells_refused(tmp_path):
    nb = json.loads(HELLO.read_text(encoding="utf-8"))
    nb["cells"][2]["metadata"]["tags"] = ["parameters"]
    bad = tmp_path / "two.ipynb"
    bad.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ConfigError, match="exakt en cell"):
        report_params.notebook_parameters(bad)


# -- validation -------------------------------------------------------------------------------
def _spec(**params):
    return report_registry.ReportSpec("hello", HELLO, "Test", params)


def test_cast_and_defaults():
    params = report_params.resolve_parameters(_spec(), {"min_cell": "3", "fail": "false"})
    assert params["min_cell"] == 3 and params["fail"] is False
    assert params["audience"] == "public" and params["greeting"] == "Hej"


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"min_cel": "3"}, "okänd parameter 'min_cel'"),
        ({"min_cell": "abc"}, "'abc' är inte ett heltal"),
        ({"fail": "kanske"}, "sanningsvärde"),
        ({"audience": "alla"}, "tillåtna värden: public, internal"),
        (
            {"survey": "partner_2022"},
            "tillåtna värden: municipality_2023, partner_2021, partner_2025",
        ),
        ({"min_cell": "-1"}, "'min_cell' ska vara 0 (enkätens röjandepolicy) eller större"),
    ],
)
def test_invalid_parameters_refused_with_valid_list(overrides, fragment):
    with pytest.raises(ConfigError) as info:
        report_params.resolve_parameters(_spec(), overrides)
    msg = str(info.value)
    assert fragment in msg
    assert "Giltiga parametrar: survey (str" in msg and "min_cell (int, standard 5)" in msg
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["-p", "nope", "1"],
        ["-p", "min_cell", "abc"],
        ["-p", "audience", "everyone"],
        ["okand_rapport"],
    ],
)
def test_cli_refuses_before_executing(hello_registry, tmp_path, argv, capsys):
    out = tmp_path / "out"
    code = _cli([*argv, "--registry", str(hello_registry), "--output-dir", str(out), "--quiet"])
    assert code == 2
    assert not out.exists(), "nothing may be executed or written"
    assert capsys.readouterr().out.strip()


def test_params_file_common_and_per_report(tmp_path, hello_registry):
    pf = tmp_path / "p.yaml"
    pf.write_text("min_cell: 7\nhello:\n  greeting: Hallå\n", encoding="utf-8")
    common, per = runner_cli._read_params_file(pf, report_registry.load_registry(hello_registry))
    assert common == {"min_cell": 7} and per == {"hello": {"greeting": "Hallå"}}


def test_fingerprint_tracks_inputs(processed_fixture):
    spec = _spec(survey="partner_2021", input=str(processed_fixture))
    params = report_params.resolve_parameters(spec)
    fp = runner.fingerprint(spec, params)
    assert runner.fingerprint(spec, dict(params)) == fp
    assert runner.fingerprint(spec, {**params, "min_cell": 6}) != fp
    (processed_fixture / "manifest.json").write_text('{"synthetic": false}', encoding="utf-8")
    assert runner.fingerprint(spec, params) != fp
    other = report_registry.ReportSpec("hello", HELLO, "Annan titel", spec.parameters)
    assert runner.fingerprint(other, params) != runner.fingerprint(spec, params)


def test_generated_at_honours_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert runner.generated_at() == "1970-01-01T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ConfigError):
        runner.generated_at()


def test_fixture_notebooks_are_clean():
    for path in FIXTURES.glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert all(c.get("outputs", []) == [] for c in nb["cells"] if c["cell_type"] == "code")


def test_relative_input_is_resolved_against_the_project_root(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    (tmp_path / "data" / "processed" / "partner_2021").mkdir(parents=True)
    params = report_params.resolve_parameters(_spec(), {"input": "data/processed/partner_2021"})
    assert params["input"] == str(tmp_path / "data" / "processed" / "partner_2021")
    assert runner._display_path("input", params["input"]) == "data/processed/partner_2021"


def test_command_line_beats_the_parameters_file():
    declared = report_params.notebook_parameters(HELLO)
    given = runner.layer_parameters(
        declared,
        {"min_cell": 7, "confidence": 0.9},
        {"audience": "internal"},
        {"audience": "public"},
    )
    assert given == {"min_cell": 7, "audience": "public"}  # hello declares no `confidence`


def test_params_file_with_unknown_report_section_is_refused(tmp_path, hello_registry):
    pf = tmp_path / "p.yaml"
    pf.write_text("helo:\n  greeting: Hallå\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="okänd rapport 'helo'"):
        runner_cli._read_params_file(pf, report_registry.load_registry(hello_registry))


def test_params_file_key_no_report_declares_is_refused(tmp_path, hello_registry):
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match="okänd parameter i parameterfilen: 'confidence'"):
        runner.run_reports(
            ["hello"], registry=hello_registry, shared={"confidence": 0.9}, output_dir=out
        )
    assert not out.exists()


def test_confidence_must_be_a_proportion():
    check = report_params.RANGES["confidence"]
    assert check(0.95) is None and check(0.5) is None
    assert check(95.0) and check(1.0) and check(0.0)
