"""``python benchmarks/bench_pathological.py``: the municipality report with a hostile answer
(prints figures, asserts nothing).

An outside attack once made the report run past 300 s with one 5 MB free-text answer, because
candidate quote sentences were compared all-pairs (1k/2k/4k identical sentences took
0.9/5.2/19.9 s). This benchmark builds the ``municipality_2023`` report through the runner

1. on the demo export, and
2. on the same export with one 5 MB answer (varied sentences) and one answer of 3 000
   identical sentences,

both ingested into a temporary folder, from scratch (``force``, no analysis cache), and prints
the two build times and their ratio (target ≤ 2). It also prints how the shared quote
selection (:func:`analysis.text.quotes.select_quotes`) scales with 1 000 / 2 000 / 4 000
identical and near-identical sentences.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

SURVEY = "municipality_2023"
HUGE_BYTES = 5_000_000
REPEATED = 3_000


def _hostile_text() -> tuple[str, str]:
    """A 5 MB answer of varied sentences and an answer of 3 000 identical sentences."""
    rng = random.Random(2023)
    words = [
        "kommunen",
        "elnätet",
        "vägarna",
        "bostäder",
        "kompetensförsörjning",
        "industrin",
        "fibern",
        "järnvägen",
        "samverkan",
        "regionen",
        "behöver",
        "saknar",
        "bra",
        "dålig",
        "stark",
        "svag",
        "möjlighet",
        "utmaning",
        "kapacitet",
        "etableringar",
        "pendling",
        "kollektivtrafik",
        "tillstånd",
        "planering",
        "företagen",
        "invånarna",
    ]
    parts, size = [], 0
    while size < HUGE_BYTES:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 16))).capitalize()
        parts.append(sentence + ".")
        size += len(sentence.encode("utf-8")) + 2
    repeated = "Vi behöver bättre samverkan kring kompetensförsörjningen. " * REPEATED
    return " ".join(parts), repeated


def _hostile_copy(demo: Path, target: Path) -> int:
    """The processed demo data with the hostile answers in Q4 (first row) and Q2 (second row).

    Written straight into a processed folder: the CSV reader refuses a 5 MB field before the
    report is ever built, but an .xlsx export or a future reader might not.
    """
    import pandas as pd

    shutil.copytree(demo, target)
    wide = pd.read_parquet(target / "responses.parquet")
    huge, repeated = _hostile_text()
    wide["q4"] = wide["q4"].astype("string")
    wide["q2"] = wide["q2"].astype("string")
    wide.loc[wide.index[0], "q4"] = huge
    wide.loc[wide.index[1], "q2"] = repeated
    wide.to_parquet(target / "responses.parquet", index=False)
    return len(huge.encode("utf-8"))


def _build(folder: Path, out: Path, kernel: str | None) -> tuple[float, str]:
    from analysis.pipeline.registry import load_registry
    from analysis.pipeline.runner import run_reports

    shutil.rmtree(folder / ".analysis", ignore_errors=True)
    spec = load_registry()[SURVEY]
    t0 = time.perf_counter()
    results = run_reports(
        [SURVEY],
        registry={SURVEY: spec},
        overrides={"input": str(folder)},
        output_dir=out,
        force=True,
        quiet=True,
        jobs=1,
        kernel=kernel,
    )
    return time.perf_counter() - t0, results[0].line()


def _quote_scaling() -> list[str]:
    from analysis.text import quotes

    lines = []
    for n in (1000, 2000, 4000):
        same = ["Elnätet behöver byggas ut för att klara industrins behov i hela länet."] * n
        near = [f"Elnätet behöver byggas ut för etablering nummer {i} i länet." for i in range(n)]
        t0 = time.perf_counter()
        quotes.select_quotes(same)
        t_same = time.perf_counter() - t0
        t0 = time.perf_counter()
        quotes.select_quotes(near)
        t_near = time.perf_counter() - t0
        _, comparisons = quotes.near_duplicate_clusters(near)
        lines.append(
            f"  {n:5d} meningar: identiska {t_same:6.3f} s, nästan lika {t_near:6.3f} s "
            f"(klustring av alla {n}: {comparisons} jämförelser)"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench_pathological.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--repeat", type=int, default=1, help="builds per variant (fastest wins)")
    args = parser.parse_args(argv)

    from analysis.data.ingest import find_input, ingest
    from analysis.pipeline.runner import Exporter, resolve_kernel

    kernel = resolve_kernel(None, warn=lambda m: print(m, file=sys.stderr))
    Exporter()  # import papermill/nbconvert/templates once, outside the timings
    source = Path(find_input(SURVEY))
    with tempfile.TemporaryDirectory(prefix="analysis-bench-patho-") as tmpdir:
        tmp = Path(tmpdir)
        demo = tmp / "demo"
        ingest(SURVEY, input_path=source, out_dir=demo)
        hostile = tmp / "hostile"
        size = _hostile_copy(demo, hostile)
        times: dict[str, float] = {}
        lines: dict[str, str] = {}
        for _ in range(max(1, args.repeat)):
            for name, folder in (("demo", demo), ("hostile", hostile)):
                t, line = _build(folder, tmp / f"out-{name}", kernel)
                times[name] = min(times.get(name, float("inf")), t)
                lines[name] = line
    print(f"Rapport {SURVEY}, bygge från början (ingen analyscache), bästa av {args.repeat}:")
    print(
        f"  demodata:                                   {times['demo']:7.2f} s  ({lines['demo']})"
    )
    print(
        f"  + ett svar på 5 MB och {REPEATED} identiska meningar: {times['hostile']:7.2f} s  "
        f"({lines['hostile']})"
    )
    print(f"  kvot (mål ≤ 2):                             {times['hostile'] / times['demo']:7.2f}")
    print(f"  (det långa svaret: {size / 1e6:.1f} MB)")
    print("Citaturval (analysis.text.quotes.select_quotes):")
    for line in _quote_scaling():
        print(line)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
