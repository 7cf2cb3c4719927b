"""Compute each survey's analysis once per run, before the kernels of its reports start.

A survey's overview and its own report draw on one
:class:`~analysis.surveys.analysis.SurveyAnalysis`. Left to themselves, two kernels running at
once would both compute it. :class:`Precompute` therefore computes, in worker processes started
next to the report kernels, every analysis the reports of the run will ask for — the same
``analyse(...)`` call a report notebook makes, with the report's pinned data version and its
analysis parameters — and stores it in the analysis cache (:mod:`analysis.surveys.cache`). A
report of that survey starts only when its analysis is stored, and then only loads it.

The workers are plain ``python -m analysis.pipeline.precompute`` processes (one per kernel slot,
at most one per analysis) that read one request per line and answer one line each, so the
heavy imports are paid once per worker and nothing of the calling program is re-run in them
(as ``multiprocessing``'s *spawn* would re-import a script's ``__main__``). They inherit the
runner's environment, including the ``PYTHONHASHSEED`` the kernels get.

A report notebook is recognised by its code calling ``analyse(`` (a survey's analysis; the
analysis parameters are the report's ``audience``, ``min_cell``, ``confidence`` and ``themes``,
those it does not declare take ``analyse``'s defaults, as in the notebook) or ``analyse_trend(``
(the trend report: also ``baseline`` and ``baseline_input``).
The generic overview notebook needs the overview part, every other notebook the survey's own
report (which may build the overview on the way). Nothing here can change a report: a request
that does not match what the notebook asks for, or an analysis that fails, only means the
kernel computes the analysis itself (and reports the failure in its own cell, as before).
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from functools import cache
from pathlib import Path

ANALYSIS_PARAMETERS = ("audience", "min_cell", "confidence", "themes")
"""The report parameters a notebook passes on to ``analyse`` (when it declares them)."""

_CALL = re.compile(r"(?<![\w.])(analyse|analyse_trend)\(")


@cache
def _calls(notebook: Path, mtime_ns: int) -> frozenset[str]:
    """Which of ``analyse(`` / ``analyse_trend(`` the code cells of *notebook* call (read once
    per file version)."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    found = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = source if isinstance(source, str) else "".join(source)
            found.update(m.group(1) for m in _CALL.finditer(source))
    return frozenset(found)


def request_for(job) -> tuple[tuple, str] | None:
    """``(key, part)`` of the analysis *job*'s notebook will ask for, or ``None``.

    The key is ``("survey", survey, input folder, analysis parameters)`` for ``analyse`` or
    ``("trend", survey, input folder, trend parameters)`` for ``analyse_trend``, with the
    functions' defaults filled in — what decides the cache key — and *part* the part the
    notebook shows (``"trend"`` for the trend analysis).
    """
    from analysis import paths
    from analysis.pipeline.registry import OVERVIEW_NOTEBOOK

    params = job.params
    survey = params.get("survey")
    if not survey or job.processed is None:
        return None
    notebook = Path(job.spec.notebook)
    try:
        calls = _calls(notebook, notebook.stat().st_mtime_ns)
        overview = notebook.resolve() == (paths.project_root() / OVERVIEW_NOTEBOOK).resolve()
    except OSError:
        return None
    common = (
        ("audience", str(params.get("audience") or "public")),
        ("min_cell", int(params.get("min_cell") or 0)),
        ("confidence", float(params.get("confidence", 0.95))),
    )
    if calls == {"analyse"}:
        kwargs = (*common, ("themes", str(params.get("themes") or "")))
        part = "overview" if overview else "report"
        return ("survey", str(survey), str(job.processed), kwargs), part
    if calls == {"analyse_trend"} and params.get("baseline"):
        kwargs = (
            *common,
            ("baseline", str(params["baseline"])),
            ("baseline_input", str(params.get("baseline_input") or "")),
        )
        return ("trend", str(survey), str(job.processed), kwargs), "trend"
    return None


def _compute(kind: str, survey: str, folder: str, kwargs, parts) -> list[str]:
    """Compute and store one analysis; the parts now in the cache."""
    if kind == "trend":
        from analysis.surveys.trend import analyse_trend

        analyse_trend(survey, input=folder, **dict(kwargs))
        return ["trend"]
    from analysis.surveys.analysis import analyse

    return list(analyse(survey, input=folder, parts=tuple(parts), **dict(kwargs)).built_parts())


def _hold(key: tuple) -> contextlib.ExitStack:
    """The lock of the analysis *key* (held by the runner; empty when it cannot be had now)."""
    from analysis.errors import AnalysisError
    from analysis.surveys import cache
    from analysis.surveys.analysis import cache_file
    from analysis.surveys.trend.analyse import trend_cache_file

    kind, survey, folder, kwargs = key
    locate = trend_cache_file if kind == "trend" else cache_file
    try:
        path = locate(survey, input=folder, **dict(kwargs))
    except AnalysisError:
        return contextlib.ExitStack()  # the kernel will report it
    return cache.acquire(path, timeout=0)


class Precompute:
    """The analyses of a run's reports, computed in worker processes (a context manager).

    :meth:`ready` gives the future a report waits for before its kernel starts (``None`` when
    the report needs no analysis). A future's result is the list of parts stored; a failed
    analysis sets an exception (the kernel then computes it and shows the error).
    """

    def __init__(self, jobs: Iterable, *, workers: int) -> None:
        self._job_request: dict[str, tuple] = {}
        wanted: dict[tuple, list[str]] = {}
        for job in jobs:
            found = request_for(job)
            if found is None:
                continue
            key, part = found
            self._job_request[job.spec.name] = key
            parts = wanted.setdefault(key, [])
            if part not in parts:
                parts.append(part)
        self._futures: dict[tuple, Future] = {key: Future() for key in wanted}
        # hold each analysis's lock until its worker has stored it: a kernel that asks for it
        # meanwhile waits, then loads it (analysis.surveys.cache)
        self._held: dict[tuple, contextlib.ExitStack] = {key: _hold(key) for key in wanted}
        self._queue: queue.Queue = queue.Queue()
        for key, parts in wanted.items():
            self._queue.put((key, parts))
        self._procs: list[subprocess.Popen] = []
        self._threads = [
            threading.Thread(target=self._worker, name="analysis-precompute", daemon=True)
            for _ in range(max(1, min(int(workers), len(wanted))))
            if wanted
        ]
        for thread in self._threads:
            thread.start()

    def _worker(self) -> None:
        proc = None
        try:
            while True:
                try:
                    key, parts = self._queue.get_nowait()
                except queue.Empty:
                    return
                future = self._futures[key]
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    if proc is None:
                        proc = subprocess.Popen(
                            [sys.executable, "-m", "analysis.pipeline.precompute"],
                            stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL,
                            text=True,
                            encoding="utf-8",
                        )
                        self._procs.append(proc)
                    kind, survey, folder, kwargs = key
                    request = {
                        "kind": kind,
                        "survey": survey,
                        "input": folder,
                        "kwargs": kwargs,
                        "parts": parts,
                    }
                    proc.stdin.write(json.dumps(request) + "\n")
                    proc.stdin.flush()
                    answer = json.loads(proc.stdout.readline() or "{}")
                except (OSError, ValueError) as exc:
                    answer = {"error": f"{type(exc).__name__}: {exc}"}
                self._held.pop(key).close()  # stored (or failed): waiting kernels go on
                if "parts" in answer:
                    future.set_result(answer["parts"])
                else:
                    future.set_exception(RuntimeError(answer.get("error") or "worker ended"))
                    if proc is not None and proc.poll() is not None:
                        proc = None  # a worker that died is replaced for the next request
        finally:
            if proc is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()

    @property
    def requests(self) -> dict[tuple, Future]:
        """Analysis key → its future (one per distinct analysis of the run)."""
        return dict(self._futures)

    def ready(self, job) -> Future | None:
        """The future *job*'s kernel waits for, or ``None``."""
        key = self._job_request.get(job.spec.name)
        return self._futures.get(key) if key is not None else None

    def __enter__(self) -> Precompute:
        return self

    def __exit__(self, *exc) -> None:
        for future in self._futures.values():
            future.cancel()  # not started yet: never started (an interrupted run)
        for key in list(self._held):
            self._held.pop(key).close()
        for thread in self._threads:
            thread.join(timeout=0 if exc[0] is not None else None)
        for proc in self._procs:
            if exc[0] is not None and proc.poll() is None:
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


def wait(future: Future | None) -> None:
    """Wait for *future*; a failed analysis is left to the report's kernel to compute and report."""
    if future is None:
        return
    with contextlib.suppress(Exception):  # the kernel computes it and reports the error itself
        future.result()


def main() -> int:
    """The worker: one JSON request per line on stdin, one JSON answer per line on stdout."""
    from analysis.surveys import cache

    cache.LOCKING = False  # the runner holds the locks of the analyses it asks for
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            args = (req["kind"], req["survey"], req["input"], req["kwargs"], req["parts"])
            answer = {"parts": _compute(*args)}
        except Exception as exc:  # noqa: BLE001 - reported to the runner, never fatal here
            answer = {"error": f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


__all__ = ["ANALYSIS_PARAMETERS", "Precompute", "main", "request_for", "wait"]


if __name__ == "__main__":  # pragma: no cover - run by Precompute as a worker process
    sys.exit(main())
