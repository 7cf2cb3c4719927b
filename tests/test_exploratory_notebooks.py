"""The exploratory start-here notebooks run top to bottom on the demo data (issue: API for researchers)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks" / "exploratory").glob("*.ipynb"))
SURVEY = {"01": "partner_2021", "02": "municipality_2023"}


def test_there_is_a_start_here_notebook_per_survey():
    assert {p.name[:2] for p in NOTEBOOKS} == set(SURVEY)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exploratory_notebook_executes(path, processed_demo, tmp_path):
    import papermill

    from analysis.pipeline.runner import resolve_kernel

    out = tmp_path / path.name
    papermill.execute_notebook(
        str(path),
        str(out),
        parameters={"input": str(processed_demo(SURVEY[path.name[:2]]))},
        kernel_name=resolve_kernel(warn=lambda *_: None),
        progress_bar=False,
        cwd=str(tmp_path),
    )
    import nbformat

    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the own figure is drawn
