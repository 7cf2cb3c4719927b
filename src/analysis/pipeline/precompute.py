"""Compute each survey's analysis once per run, before the kernels of its reports start.

A survey's overview and its own report draw on one
:class:`~analysis.surveys.analysis.SurveyAnalysis`. Left to themselves, two kernels running at
once would both compute it. :class:`Precompute` therefore computes, in worker processes started
next to the report kernels, every analysis the reports of the run will ask for — the same
``analyse(...)`` call a report notebook makes, with the report's pinned data version and its
analysis parameters — and stores it in the analysis cache (:mod:`analysis.surveys.cache`). A
report of that survey starts only when its analysis is stored, and then only loads it.

The worker is a plain ``python -m analysis.pipeline.precompute`` process that reads every
request (one JSON line each) and answers one line per analysis, so nothing of the calling
program is re-run in it (as ``multiprocessing``'s *spawn* would re-import a script's
``__main__``). On Linux (:data:`FORK`) it imports the heavy modules (pandas, scipy, matplotlib,
the package, the Swedish lexicon) **once** and forks one child per analysis, as many at once
as the run has kernel slots: the imports are paid once per run instead of once per worker
(about 1.5 s of CPU). Elsewhere one worker per kernel slot computes its share itself. Workers
inherit the runner's environment, including the ``PYTHONHASHSEED`` the kernels get.

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
import os
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


def _hold(key: tuple, parts: list[str]) -> tuple[contextlib.ExitStack, bool]:
    """The lock of the analysis *key* (held by the runner; empty when it cannot be had now) and
    whether the cache already holds *parts* of it (then no worker needs to compute it)."""
    from analysis.errors import AnalysisError
    from analysis.surveys import cache
    from analysis.surveys.analysis import SurveyAnalysis, cache_file
    from analysis.surveys.trend.analyse import trend_cache_file
    from analysis.surveys.trend.model import TrendAnalysis

    kind, survey, folder, kwargs = key
    locate = trend_cache_file if kind == "trend" else cache_file
    try:
        path = locate(survey, input=folder, **dict(kwargs))
    except AnalysisError:
        return contextlib.ExitStack(), False  # the kernel will report it
    held = cache.acquire(path, timeout=0)
    if path.is_file():  # stored by an earlier run: loading it is all a kernel has to do
        found = cache.read(path, TrendAnalysis if kind == "trend" else SurveyAnalysis)
        if found is not None and (kind == "trend" or set(parts) <= set(found.built_parts())):
            return held, True
    return held, False


FORK = sys.platform.startswith("linux")
"""Whether the worker forks one child per analysis from one process that imported the heavy
modules once (Linux). Elsewhere (``fork`` after importing numpy and matplotlib is not safe on
macOS, absent on Windows) one worker process per kernel slot computes its analyses itself."""

PRELOAD = (
    "yaml",
    "pandas",
    "pyarrow.parquet",
    "pyarrow.dataset",
    "pyarrow.pandas_compat",
    "scipy.stats",
    "scipy.optimize",
    "scipy.sparse",
    "statsmodels.stats.contingency_tables",
)
"""Third-party modules a forking worker imports before its first child (besides matplotlib's
Agg canvas and every module of the layers below the pipeline)."""

_LAYERS = ("data", "stats", "disclosure", "text", "report", "surveys")


class Precompute:
    """The analyses of a run's reports, computed in worker processes (a context manager).

    :meth:`ready` gives the future a report waits for before its kernel starts (``None`` when
    the report needs no analysis). A future's result is the list of parts stored; a failed
    analysis sets an exception (the kernel then computes it and shows the error).

    Every request is sent when the run starts. With :data:`FORK` one worker process imports
    the heavy modules once and forks a child per analysis, at most *workers* at once, the
    likely longest first; otherwise each of *workers* processes computes every *workers*-th
    analysis itself.
    """

    def __init__(self, jobs: Iterable, *, workers: int) -> None:
        self._job_request: dict[str, tuple] = {}
        self._job_part: dict[str, str] = {}
        wanted: dict[tuple, list[str]] = {}
        for job in jobs:
            found = request_for(job)
            if found is None:
                continue
            key, part = found
            self._job_request[job.spec.name] = key
            self._job_part[job.spec.name] = part
            parts = wanted.setdefault(key, [])
            if part not in parts:
                parts.append(part)
        self._futures: dict[tuple, Future] = {key: Future() for key in wanted}
        if wanted:  # the caches' signing key exists before workers and kernels look for it
            from analysis.surveys.cache import signing_key

            signing_key()
        # hold each analysis's lock until its worker has stored it: a kernel that asks for it
        # meanwhile waits, then loads it (analysis.surveys.cache)
        self._held: dict[tuple, contextlib.ExitStack] = {}
        self._lock = threading.Lock()
        for key, parts in list(wanted.items()):
            self._held[key], cached = _hold(key, parts)
            if cached:  # already stored: nothing to compute, no worker to start for it
                self._futures[key].set_running_or_notify_cancel()
                self._settle(key, {"parts": list(parts)})
                del wanted[key]
        self._procs: list[subprocess.Popen] = []
        self._threads: list[threading.Thread] = []
        slots = max(1, min(int(workers), len(wanted)))
        # the longest first, so that the last to finish is a short one: a survey's analysis
        # with more parts before one with fewer, a trend (two rounds' tables) last
        order = sorted(wanted.items(), key=lambda kv: (kv[0][0] == "trend", -len(kv[1])))
        self._rank = {key: i for i, (key, _) in enumerate(order)}
        self._waiting: dict[tuple, int] = {}  # kernels started to wait for an analysis
        requests = list(enumerate(order))
        batches = [requests] if FORK else [requests[i::slots] for i in range(slots)]
        for batch in batches if wanted else []:
            for _, (key, _) in batch:
                self._futures[key].set_running_or_notify_cancel()
            self._start(batch, slots if FORK else 0)

    def _start(self, batch: list, fork_slots: int) -> None:
        """One worker process for *batch* (``[(id, (key, parts))]``) and its reader thread."""
        keys = {rid: key for rid, (key, _) in batch}
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "analysis.pipeline.precompute", str(fork_slots)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
            )
            self._procs.append(proc)
            lines = []
            for rid, ((kind, survey, folder, kwargs), parts) in batch:
                request = {"id": rid, "kind": kind, "survey": survey, "input": folder}
                lines.append(json.dumps({**request, "kwargs": kwargs, "parts": parts}) + "\n")
            proc.stdin.write("".join(lines))
            proc.stdin.close()  # the worker reads every request, then starts computing
        except (OSError, ValueError) as exc:
            for key in keys.values():
                self._settle(key, {"error": f"{type(exc).__name__}: {exc}"})
            return
        thread = threading.Thread(
            target=self._read, args=(proc, keys), name="analysis-precompute", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _read(self, proc: subprocess.Popen, keys: dict[int, tuple]) -> None:
        """Settle each analysis of *proc* as its answer arrives; those unanswered at its end fail."""
        try:
            for line in proc.stdout:
                with contextlib.suppress(ValueError, TypeError):  # not an answer: ignored
                    answer = json.loads(line)
                    key = keys.pop(answer.get("id"), None) if isinstance(answer, dict) else None
                    if key is not None:
                        self._settle(key, answer)
        except (OSError, ValueError):  # pragma: no cover - the pipe closed under us
            pass
        finally:
            for key in keys.values():
                self._settle(key, {"error": "worker ended"})

    def _settle(self, key: tuple, answer: dict) -> None:
        with self._lock:
            held = self._held.pop(key, None)
        if held is not None:
            held.close()  # stored (or failed): waiting kernels go on
        future = self._futures[key]
        if future.done():
            return
        if isinstance(answer.get("parts"), list):
            future.set_result(answer["parts"])
        else:
            future.set_exception(RuntimeError(answer.get("error") or "worker ended"))

    @property
    def requests(self) -> dict[tuple, Future]:
        """Analysis key → its future (one per distinct analysis of the run)."""
        return dict(self._futures)

    def ready(self, job) -> Future | None:
        """The future *job*'s kernel waits for, or ``None``."""
        key = self._job_request.get(job.spec.name)
        return self._futures.get(key) if key is not None else None

    def pick(self, jobs: list) -> int:
        """Index of the job in *jobs* whose kernel should start next.

        First a job that needs no analysis or whose analysis is stored; else one whose
        analysis no kernel waits for yet, among those the analysis sent to the workers first
        (likely the first to be stored). Among equals a survey's own report goes before its
        overview: it has more to show once its analysis is there, and the light overview can
        fill a slot at the end.
        """
        light = [self._job_part.get(job.spec.name) == "overview" for job in jobs]
        ready = [
            i for i, job in enumerate(jobs) if (future := self.ready(job)) is None or future.done()
        ]
        if ready:
            return min(ready, key=lambda i: (light[i], i))
        rank, waiting = self._rank, self._waiting
        keys = [self._job_request.get(job.spec.name) for job in jobs]
        best = min(
            range(len(jobs)),
            key=lambda i: (waiting.get(keys[i], 0), rank.get(keys[i], -1), light[i], i),
        )
        waiting[keys[best]] = waiting.get(keys[best], 0) + 1
        return best

    def __enter__(self) -> Precompute:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:  # an interrupted run: stop the workers (their children follow)
            for proc in self._procs:
                if proc.poll() is None:
                    proc.kill()
        with self._lock:
            held, self._held = list(self._held.values()), {}
        for stack in held:
            stack.close()
        for thread in self._threads:
            thread.join(timeout=0 if exc[0] is not None else None)
        for proc in self._procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


def wait(future: Future | None) -> None:
    """Wait for *future*; a failed analysis is left to the report's kernel to compute and report."""
    if future is None:
        return
    with contextlib.suppress(Exception):  # the kernel computes it and reports the error itself
        future.result()


# --------------------------------------------------------------------------------------------
# The worker process
# --------------------------------------------------------------------------------------------
def _answer(req: dict) -> dict:
    """Compute the request *req*; the answer (parts stored, or the error in one line)."""
    try:
        args = (req["kind"], req["survey"], req["input"], req["kwargs"], req["parts"])
        return {"id": req.get("id"), "parts": _compute(*args)}
    except Exception as exc:  # noqa: BLE001 - reported to the runner, never fatal here
        message = " ".join(str(exc).split())[:300]
        return {"id": req.get("id"), "error": f"{type(exc).__name__}: {message}"}


def _send(fd: int, answer: dict) -> None:
    """One answer line, in one ``write`` (atomic on a pipe: children answer side by side)."""
    os.write(fd, (json.dumps(answer) + "\n").encode("utf-8"))


def _preload() -> None:
    """Import what computing an analysis needs, once, before the first child is forked: the
    third-party modules, every module of the layers below the pipeline, the Swedish lexicon
    (:mod:`analysis.text.lexicon`), the package's source hash, the default theme codebook with its compiled coder
    and matplotlib's fonts (a tiny figure drawn and thrown away). The children inherit all of
    it."""
    import importlib
    import pkgutil

    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for layer in _LAYERS:
        package = importlib.import_module(f"analysis.{layer}")
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            with contextlib.suppress(ImportError):
                importlib.import_module(module.name)
    from analysis.text.lexicon import lexicon

    lexicon()  # the Swedish word forms is_known_word looks up (read once, from the cache folder)
    from analysis.report.figures import new_figure, png_bytes
    from analysis.sourcehash import package_source_hash

    package_source_hash()  # part of every cache key (computed once per process anyway)
    with contextlib.suppress(Exception):  # the default theme codebook and its compiled coder
        from analysis.text.coder import get_coder
        from analysis.text.themes import load_themes

        get_coder(load_themes())
    fig = new_figure(1.0, 1.0)
    fig.suptitle("Åå 50 %")
    png_bytes(fig, dpi=10)


def _die_with_parent() -> None:
    """A forked child ends when its worker does (Linux ``PR_SET_PDEATHSIG``; best effort)."""
    import ctypes  # imported before the first fork (_serve_forked)
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _serve_forked(requests: list[dict], slots: int, out: int) -> None:
    """Compute each of *requests* in a child forked from this process, *slots* at once.

    The garbage collector is off while preloading and the preloaded objects are then frozen
    (:func:`gc.freeze`, as CPython advises before forking): the children's collections skip
    them and do not copy the pages they sit on (about 6 % less CPU in the children).
    """
    import ctypes  # noqa: F401 - for _die_with_parent in the children
    import gc

    gc.disable()
    with contextlib.suppress(Exception):  # whatever is not preloaded, a child imports itself
        _preload()
    gc.freeze()
    running: dict[int, object] = {}
    pending = list(reversed(requests))
    while pending or running:
        while pending and len(running) < slots:
            req = pending.pop()
            pid = os.fork()
            if pid == 0:  # the child: compute, answer, leave without running any clean-up
                code = 1
                try:
                    gc.enable()
                    parent = os.getppid()
                    _die_with_parent()
                    if os.getppid() == parent:
                        _send(out, _answer(req))
                        code = 0
                finally:
                    os._exit(code)
            running[pid] = req.get("id")
        pid, status = os.wait()
        rid = running.pop(pid, None)
        if status != 0:  # died before answering (killed, out of memory …)
            _send(out, {"id": rid, "error": f"worker ended (status {status})"})


def main(argv: list[str] | None = None) -> int:
    """The worker: reads every request (one JSON object per line) until stdin closes, then
    answers one line per request on stdout, in the order they finish.

    The argument is the number of children to fork at once (``0``: compute in this process,
    one after the other). Anything the analyses print goes to stderr, not into the answers.
    """
    from analysis.surveys import cache

    args = sys.argv[1:] if argv is None else argv
    slots = int(args[0]) if args else 0
    cache.LOCKING = False  # the runner holds the locks of the analyses it asks for
    out = os.dup(1)
    os.dup2(2, 1)
    requests = []
    for line in sys.stdin:
        if line.strip():
            try:
                requests.append(json.loads(line))
            except ValueError as exc:
                _send(out, {"id": None, "error": f"ValueError: {exc}"})
    try:
        if slots > 0 and requests:
            _serve_forked(requests, slots, out)
            os._exit(0)  # every child answered; tearing down pandas & co. would only cost time
        for req in requests:
            _send(out, _answer(req))
    except BrokenPipeError:  # the runner is gone
        return 1
    return 0


__all__ = ["ANALYSIS_PARAMETERS", "Precompute", "main", "request_for", "wait"]


if __name__ == "__main__":  # pragma: no cover - run by Precompute as a worker process
    sys.exit(main())
