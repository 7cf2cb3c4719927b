"""Aggregate-only evaluation of the theme coder on the challenge corpus's ``test`` split.

Prints micro/macro precision, recall and F1 and per-theme F1 of the nine priority areas against
``labels_a.csv`` — never an individual answer, label or error. The test split may be scored at
most three times during development (each run is logged by hand in the commit message/report);
tune only on ``split == "tune"``.

Usage: ``python benchmarks/eval_challenge_test.py [--split test|tune]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHALLENGE = ROOT / "tests/fixtures/coding_challenge"


def score(split: str = "test", labels: str = "labels_a.csv"):
    """Per-theme and micro/macro P/R/F1 of the coder on one split (priority areas only)."""
    import pandas as pd

    from analysis.text.coding import code_texts, evaluate, labels_to_frame
    from analysis.text.themes import PRIORITY_AREAS, load_themes

    a = pd.read_csv(CHALLENGE / "answers.csv", dtype=str, keep_default_na=False)
    a = a[a["split"] == split].reset_index(drop=True)
    lab = pd.read_csv(CHALLENGE / labels, dtype=str, keep_default_na=False)
    gold_map = dict(zip(lab["id"], lab["labels"], strict=True))
    cb = load_themes()
    coded = code_texts(a["text"], cb, questions=a["question"].tolist())
    gold = labels_to_frame([gold_map[i] for i in a["id"]], list(PRIORITY_AREAS))
    return evaluate(coded[list(PRIORITY_AREAS)], gold, PRIORITY_AREAS), len(a)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", default="test", choices=["test", "tune"])
    args = ap.parse_args(argv)
    res, n = score(args.split)
    print(f"challenge split={args.split}: {n} svar, nio prioriterade områden (mot labels_a)")
    for row in ("micro", "macro"):
        r = res.loc[row]
        print(f"  {row}: P {r.precision:.3f}  R {r.recall:.3f}  F1 {r.f1:.3f}")
    print("  F1 per tema: " + ", ".join(f"{t} {res.loc[t, 'f1']:.2f}" for t in res.index[:-2]))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
