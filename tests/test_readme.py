"""The README documents the two set-up commands, CI calls the test command, and every
notebook parameter appears in the README's parameter section."""

import re
from pathlib import Path

import pytest

from analysis.pipeline.parameters import notebook_parameters
from analysis.pipeline.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_names_the_two_commands_first():
    block = re.search(r"## Two commands\s+```bash\n(.*?)```", README, re.S)
    assert block, "README must have a 'Two commands' section with a bash block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make reports", "make test"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test\b", ci, re.M)


@pytest.mark.parametrize(
    "notebook", sorted({spec.notebook.name for spec in load_registry().values()})
)
def test_every_parameter_is_documented(notebook):
    section = README.split(f"### notebooks/{notebook}", 1)
    assert len(section) == 2, f"README has no parameter section for {notebook}"
    text = section[1].split("```", 2)[1]
    for name in notebook_parameters(ROOT / "notebooks" / notebook):
        assert re.search(rf"^\s+{name}: ", text, re.M), f"{notebook}: {name} missing in README"
