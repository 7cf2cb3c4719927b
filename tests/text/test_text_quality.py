"""Coding quality floors on the tuning set (demo content) and the held-out corpus.

The held-out corpus (``tests/fixtures/coding_holdout/``) was written independently and never used
to tune the codebook; the floors are loose and only catch regressions. The figures themselves come
from ``analysis.text.coding.evaluate_corpus`` (see the closing note of issue 5).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src/analysis/data/demo_content/municipality_2023_answers.yaml"
HOLDOUT = ROOT / "tests/fixtures/coding_holdout"


def _holdout_files() -> list[Path]:
    if not HOLDOUT.is_dir():
        return []
    return [f for f in HOLDOUT.iterdir() if f.suffix.lower() in (".yaml", ".yml", ".csv")]


@pytest.mark.skipif(not DEMO.is_file(), reason="demoinnehållet (tuningmängden) finns inte ännu")
def test_tuning_set_floor(themes):
    from analysis.text.coding import evaluate_corpus

    res = evaluate_corpus(DEMO, themes)
    assert res.loc["micro", "support"] > 50
    assert res.loc["micro", "f1"] > 0.6


@pytest.mark.skipif(
    not _holdout_files(),
    reason="den hållna utvärderingskorpusen tests/fixtures/coding_holdout/ saknas",
)
def test_holdout_floor(themes):
    from analysis.text.coding import evaluate_corpus

    res = evaluate_corpus(HOLDOUT, themes)
    assert res.loc["micro", "support"] > 20
    assert res.loc["micro", "f1"] > 0.5
    assert res.loc["macro", "f1"] > 0.4
