"""``python benchmarks/bench_reports.py``: how fast the report pipeline is (prints figures, asserts nothing).

1. **Full build** — every report in ``reports.yaml`` whose notebook exists, built from scratch
   (``force``) into a temporary folder by :func:`analysis.pipeline.runner.run_reports`.
2. **Floor** — the same runner executing and exporting the same number of *empty* notebooks
   (only a parameters cell with the same parameters): kernel start, papermill and nbconvert
   overhead with no analysis at all.
3. **Ratio** full / floor (target ≤ 2.5).
4. **CLI path** — what a user would do by hand with the same parallelism: ``papermill`` then
   ``jupyter nbconvert --to html --no-input`` per report as separate processes (target: the
   runner ≥ 4 × faster).
5. **No-op rerun** — the full build again without ``force`` (everything skipped), measured both
   in-process and as a fresh ``python -m analysis run`` process (target ≤ 1 s).

Both the full build and the CLI path start from an **empty analysis cache** (every
``<processed>/…/.analysis/`` folder is removed before each of them), so neither profits from an
analysis the other (or an earlier run) computed. The runner computes each survey's analysis
once per run (:mod:`analysis.pipeline.precompute`) and its reports load it; on the CLI path the
notebooks themselves compute and cache it, so a later report of a survey may find the analysis
an earlier one stored — exactly what a user running the commands by hand gets. Wall and CPU
time (this process and its children: kernels, workers, CLI processes) are printed.

Heavy modules (papermill, nbconvert) are imported once before the timings so that neither
measurement pays for them. The processed data comes from ``data/processed/<survey>`` (``make
bench`` ingests it first); a survey without processed data is ingested into the temporary
folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import paths


def _processed_inputs(tmp: Path, surveys: set[str]) -> dict[str, str]:
    """survey → processed folder to use (ingesting into *tmp* when data/processed lacks it)."""
    out = {}
    for survey in sorted(surveys):
        folder = paths.processed_dir(survey)
        if not (folder / "manifest.json").is_file():
            from analysis.data.ingest import ingest

            folder = tmp / "processed" / survey
            ingest(survey, out_dir=folder)
        out[survey] = str(folder)
    return out


def _clear_analysis_cache(inputs: dict[str, str]) -> int:
    """Remove every analysis cache folder under the processed data in *inputs*; how many."""
    import shutil

    removed = 0
    for folder in inputs.values():
        root = Path(folder)
        for cache in [root / ".analysis", *root.glob("versions/*/.analysis")]:
            if cache.is_dir():
                shutil.rmtree(cache)
                removed += 1
    return removed


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children (kernels, workers, CLI tools)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _empty_notebook(source: Path, target: Path) -> None:
    """A notebook with only *source*'s parameters cell."""
    import nbformat

    nb = nbformat.read(str(source), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    empty = nbformat.v4.new_notebook(cells=params, metadata=nb.metadata)
    nbformat.write(empty, str(target))


def _cli_path(registry, per_report, out: Path, kernel: str, jobs: int) -> tuple[float, list[str]]:
    """Wall time of papermill CLI + nbconvert CLI per report, *jobs* reports at once."""
    from concurrent.futures import ThreadPoolExecutor

    bindir = Path(sys.executable).parent
    out.mkdir(parents=True, exist_ok=True)

    def one(name: str) -> str | None:
        spec = registry[name]
        params = {**spec.parameters, **per_report.get(name, {})}
        executed = out / f"{name}.ipynb"
        cmd = [str(bindir / "papermill"), str(spec.notebook), str(executed), "-k", kernel]
        for key, value in params.items():
            cmd += ["-p", key, str(value)]
        steps = [
            cmd,
            [str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
        ]
        for step in steps:
            proc = subprocess.run(step, capture_output=True, text=True, check=False)
            if proc.returncode:
                return f"{name}: {' '.join(step[:2])} slutkod {proc.returncode}"
        return None

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        errors = [e for e in pool.map(one, registry) if e]
    return time.perf_counter() - t0, errors


def main(argv: list[str] | None = None) -> int:
    import argparse

    from analysis.pipeline.registry import ReportSpec, load_registry
    from analysis.pipeline.runner import Exporter, resolve_kernel, run_reports

    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench_reports.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--jobs", type=int, default=None, help="kernels at once (default: cores)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="repeat floor and full build, report the fastest (noise)",
    )
    args = parser.parse_args(argv)
    jobs = args.jobs or os.cpu_count() or 1

    registry = {n: s for n, s in load_registry().items() if s.notebook.is_file()}
    missing = sorted(set(load_registry()) - set(registry))
    if not registry:
        print("Inga rapportnotebooks finns ännu – inget att mäta.")
        return 0
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    kernel = resolve_kernel(None, warn=lambda m: print(m, file=sys.stderr))
    Exporter()  # import papermill/nbconvert/templates once, outside the timings
    import papermill  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="analysis-bench-") as tmpdir:
        tmp = Path(tmpdir)
        surveys = {
            str(s.parameters["survey"]) for s in registry.values() if s.parameters.get("survey")
        }
        inputs = _processed_inputs(tmp, surveys)
        per_report = {
            n: {"input": inputs[str(s.parameters["survey"])]}
            for n, s in registry.items()
            if s.parameters.get("survey")
        }

        # floor: empty notebooks through the same runner
        empties = {}
        for name, spec in registry.items():
            target = tmp / "empty" / f"{name}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            _empty_notebook(spec.notebook, target)
            empties[name] = ReportSpec(name, target, spec.title, spec.parameters)
        floor = full = float("inf")
        floor_cpu = full_cpu = float("inf")
        out = tmp / "reports"
        for _ in range(max(1, args.repeat)):
            t0, c0 = time.perf_counter(), _cpu()
            floor_results = run_reports(
                registry=empties,
                per_report=per_report,
                output_dir=tmp / "floor",
                force=True,
                quiet=True,
                jobs=jobs,
                kernel=kernel,
            )
            floor = min(floor, time.perf_counter() - t0)
            floor_cpu = min(floor_cpu, _cpu() - c0)
            _clear_analysis_cache(inputs)
            t0, c0 = time.perf_counter(), _cpu()
            results = run_reports(
                registry=registry,
                per_report=per_report,
                output_dir=out,
                force=True,
                quiet=True,
                jobs=jobs,
                kernel=kernel,
            )
            full = min(full, time.perf_counter() - t0)
            full_cpu = min(full_cpu, _cpu() - c0)

        _clear_analysis_cache(inputs)
        c0 = _cpu()
        cli_seconds, cli_errors = _cli_path(registry, per_report, tmp / "cli", kernel, jobs)
        cli_cpu = _cpu() - c0

        t0 = time.perf_counter()
        rerun = run_reports(
            registry=registry, per_report=per_report, output_dir=out, quiet=True, jobs=jobs
        )
        noop_inprocess = time.perf_counter() - t0

        # the real command in a fresh process (interpreter start + CLI dispatch included)
        params_file = tmp / "params.yaml"
        params_file.write_text(json.dumps(per_report), encoding="utf-8")
        cmd = [
            sys.executable,
            "-m",
            "analysis",
            "run",
            *registry,
            "-f",
            str(params_file),
            "--output-dir",
            str(out),
            "--quiet",
        ]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        noop_cli = time.perf_counter() - t0

    print(
        f"Rapporter: {len(registry)} ({', '.join(registry)}); jobs={jobs}; kärna={kernel}; "
        f"bästa av {max(1, args.repeat)} körning(ar)"
    )
    if missing:
        print(f"Saknar notebook (ej med): {', '.join(missing)}")
    for r in results:
        print(f"  {r.line()}")
    bad = [r.line() for r in [*results, *floor_results] if r.status != "built"]
    if bad:
        print("OBS: alla byggen lyckades inte – siffrorna är inte jämförbara:")
        for line in bad:
            print(f"  {line}")
    print(f"Bygga alla från början (--force): {full:7.2f} s (CPU {full_cpu:6.2f} s)")
    print(f"Golv, {len(empties)} tomma notebooks:       {floor:7.2f} s (CPU {floor_cpu:6.2f} s)")
    print(f"Kvot bygge/golv (mål ≤ 2,5):      {full / floor:7.2f}")
    print(
        f"papermill-CLI + nbconvert-CLI, samma parallellitet: {cli_seconds:7.2f} s "
        f"(CPU {cli_cpu:6.2f} s)"
    )
    print(f"Kvot CLI-väg/runner (mål ≥ 4):    {cli_seconds / full:7.2f}")
    for e in cli_errors:
        print(f"  OBS CLI-vägen: {e}")
    skipped = sum(r.status == "skipped" for r in rerun)
    print(
        f"No-op-omkörning i processen:       {noop_inprocess:7.3f} s ({skipped}/{len(rerun)} hoppades över)"
    )
    status = (
        "ok" if proc.returncode == 0 else f"slutkod {proc.returncode}: {proc.stderr.strip()[:200]}"
    )
    print(f"No-op-omkörning, `analysis run` (ny process, mål ≤ 1 s): {noop_cli:5.2f} s ({status})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
