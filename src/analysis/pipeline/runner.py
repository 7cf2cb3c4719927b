"""Build the report notebooks: execute with papermill, export with nbconvert, skip what is current.

The reports come from the registry ``reports.yaml`` (:mod:`analysis.pipeline.registry`); their
parameters are read from each notebook's cell tagged ``parameters`` and validated before anything
executes (:mod:`analysis.pipeline.parameters`: unknown names, values that cannot be cast to the declared
type, and values outside the known enumerations raise :class:`analysis.errors.ConfigError`).

:func:`run_reports` builds the selected reports in one long-lived process: up to ``jobs`` kernels
execute at once (papermill's Python API in a thread pool), one reused
:class:`nbconvert.HTMLExporter` turns each executed notebook into a self-contained HTML page
(template ``templates/report``), and ``reports/index.html`` lists them all. Each analysis the
reports ask for (a survey's, the trend's) is computed once per run by worker processes
(:mod:`analysis.pipeline.precompute`) and only loaded by the report kernels.

Incremental builds
    A report is *skipped* when the fingerprint of its inputs — notebook file, resolved
    parameters, title, processed data files (parquet + manifest), codebook and reference files,
    the package's source (``*.py``, ``*.yaml``, templates) and ``SOURCE_DATE_EPOCH`` — equals the
    one recorded at its last *successful* build (``reports/.build/<name>.json``) and its HTML is
    unchanged. The skip path only hashes files: papermill, nbconvert and matplotlib are not
    imported at all, so a no-op rerun takes well under a second.

Honest failures
    A failing notebook leaves the previous ``reports/<name>.html`` untouched, its executed
    notebook is saved as ``reports/failed/<name>.ipynb``, and one line names the report and the
    failing cell's error; the other reports still build.

One data version per report
    Before anything executes, each report's processed data is resolved **once** to a concrete
    version folder of the store (:mod:`analysis.data.store`) and pinned (a shared lock that keeps
    a concurrent ingest's clean-up away) until the run ends. The fingerprint, the provenance
    (manifest, data file, version id) and the notebook's ``input`` parameter all use that one
    folder, so a concurrent ``analysis ingest`` can never give a report the banner of one
    version and the numbers of another. Provenance shows file names only after the
    personal-data check (:func:`analysis.data.labels.safe_label`) and never an absolute path.

Concurrent runs and the environment
    A run holds an exclusive lock on ``reports/.build/run.lock``: a second ``analysis run`` into
    the same folder waits (``ANALYSIS_LOCK_TIMEOUT``, default 600 s) and then stops with one line
    (exit 2). Work files live in a folder of their own per run (``reports/.build/work/<run>/``).
    A folder that cannot be written (read-only, full disk) stops the run with one line
    (:class:`~analysis.errors.OutputError`, exit 2); every file is written atomically, so earlier
    reports stay intact. ``SOURCE_DATE_EPOCH`` and ``cell_timeout`` are checked before anything
    executes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analysis import atomic, paths
from analysis.errors import AnalysisError, ConfigError, OutputError
from analysis.pipeline.execute import (  # noqa: F401 - the runner's public names
    Exporter,
    ReportResult,
    _build_one,
    _is_up_to_date,
    _Job,
    _last_seconds,
    _one_line,
    resolve_kernel,
)
from analysis.pipeline.fingerprint import (  # noqa: F401  # noqa: F401
    _digest,
    changed_inputs,
    data_files,
    data_folder,
    fingerprint,
    fingerprint_parts,
    package_source_files,
    package_source_hash,
    read_manifest,
)
from analysis.pipeline.parameters import (
    notebook_parameters,
    resolve_parameters,
)
from analysis.pipeline.precompute import Precompute
from analysis.pipeline.provenance import (  # noqa: F401
    _display_path,
    display_parameters,
    generated_at,
    git_commit,  # noqa: F401
)
from analysis.pipeline.registry import ReportSpec, load_registry
from analysis.pipeline.state import (  # noqa: F401  # noqa: F401
    DEFAULT_CELL_TIMEOUT,
    RUN_LOCK_TIMEOUT,
    STATUS_FAILED,
    STATUS_MISSING,
    STATUS_SKIPPED,
    read_state,
    state_path,
    write_atomic,
    write_state,
)


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------
def select_reports(
    registry: Mapping[str, ReportSpec], names: Iterable[str] | None
) -> list[ReportSpec]:
    """The registry entries named (all when *names* is empty), in registry order."""
    names = list(names or [])
    if not names:
        return list(registry.values())
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ConfigError(
            f"okänd rapport: {', '.join(unknown)}. Rapporter i reports.yaml: {', '.join(registry)}."
        )
    wanted = set(names)
    return [spec for name, spec in registry.items() if name in wanted]


def layer_parameters(
    declared: Mapping[str, object],
    shared: Mapping[str, object] | None,
    per_report: Mapping[str, object] | None,
    overrides: Mapping[str, object] | None,
) -> dict:
    """The parameters given for one report, lowest precedence first: a parameters file's top
    level (only the keys the notebook *declares*), its section for this report, then ``-p``.

    >>> layer_parameters({"audience": None, "min_cell": None}, {"min_cell": 3, "confidence": 0.9},
    ...                  {"audience": "internal"}, {"audience": "public"})
    {'min_cell': 3, 'audience': 'public'}
    """
    given = {k: v for k, v in (shared or {}).items() if k in declared}
    given.update(per_report or {})
    given.update(overrides or {})
    return given


def run_reports(
    names: Iterable[str] | None = None,
    *,
    registry: Mapping[str, ReportSpec] | Path | str | None = None,
    overrides: Mapping[str, object] | None = None,
    per_report: Mapping[str, Mapping[str, object]] | None = None,
    shared: Mapping[str, object] | None = None,
    jobs: int | None = None,
    force: bool = False,
    quiet: bool = False,
    output_dir: Path | str | None = None,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    kernel: str | None = None,
    progress: bool | None = None,
    echo=None,
) -> list[ReportResult]:
    """Build the selected reports (see the module docstring); returns one result per report.

    Parameters
    ----------
    names : iterable of str, optional
        Report names from the registry; empty → all.
    registry : mapping or path, optional
        The registry (default: ``reports.yaml`` at the project root).
    overrides : mapping, optional
        Parameters for every selected report (``-p``); they win over everything else.
    per_report : mapping, optional
        Parameters for single reports: ``{name: {key: value}}`` (a parameters file's sections).
    shared : mapping, optional
        Parameters for every selected report *that declares them* (a parameters file's top
        level); a key no selected report declares is an error. Precedence, lowest first:
        notebook defaults, ``reports.yaml``, *shared*, *per_report*, *overrides*.
    jobs : int, optional
        Kernels running at once (default: number of cores).
    force : bool
        Rebuild even when nothing changed.
    quiet : bool
        No progress bar and no per-report lines.
    output_dir : path, optional
        Where HTML, ``index.html``, ``executed/``, ``failed/`` and ``.build/`` go (default ``reports/``).
    cell_timeout : int
        Seconds one cell may run (a whole number ≥ 1).
    kernel : str, optional
        Kernel name (default ``analysis``, falling back to ``python3``).
    progress : bool, optional
        Force the progress bar on/off (default: on when stderr is a terminal and not quiet).
    echo : callable, optional
        Where lines go (default: print to stdout, through tqdm when a bar is shown).

    Raises
    ------
    ConfigError
        Unknown report, invalid parameters, ``SOURCE_DATE_EPOCH`` or ``cell_timeout``, or an
        ``input`` without processed data for the report's survey (nothing is executed).
    OutputError
        The output folder cannot be written (read-only, full disk, a file); earlier reports
        stay intact.
    LockTimeoutError
        Another run into the same output folder did not finish in time.
    """
    if registry is None or isinstance(registry, str | Path):
        registry = load_registry(registry)
    output_dir = Path(output_dir) if output_dir is not None else paths.reports_dir()
    cell_timeout = check_cell_timeout(cell_timeout)
    generated_at()  # a malformed SOURCE_DATE_EPOCH stops the run here, not in every kernel
    selected = select_reports(registry, names)
    per_report = dict(per_report or {})
    shared = dict(shared or {})
    used_shared: set[str] = set()

    # 1. validate everything first (fast; no heavy imports)
    results: dict[str, ReportResult] = {}
    plans: list[tuple[ReportSpec, dict]] = []
    errors: list[str] = []
    for spec in selected:
        if not spec.notebook.is_file():
            results[spec.name] = ReportResult(
                spec.name,
                STATUS_MISSING,
                message=f"notebooken {spec.notebook_label} finns inte (ännu)",
            )
            continue
        declared = notebook_parameters(spec.notebook)
        used_shared.update(k for k in shared if k in declared)
        given = layer_parameters(declared, shared, per_report.get(spec.name), overrides)
        try:
            params = resolve_parameters(spec, given, declared)
            _check_input(spec, params)
        except ConfigError as exc:
            errors.append(str(exc))
            continue
        plans.append((spec, params))
    unused = sorted(set(shared) - used_shared)
    if unused and plans:
        errors.append(
            "okänd parameter i parameterfilen: "
            + ", ".join(repr(k) for k in unused)
            + " (ingen av de valda rapporterna har den)"
        )
    if errors:
        raise ConfigError("\n".join(dict.fromkeys(errors)))  # one line per distinct problem

    if output_dir.exists() and not output_dir.is_dir():
        raise OutputError(
            f"{output_dir}: är en fil, inte en mapp. Ange en mapp för rapporterna med --output-dir."
        )
    with (
        atomic.exclusive_lock(
            output_dir / ".build" / "run.lock",
            timeout=atomic.lock_timeout(RUN_LOCK_TIMEOUT),
            busy=f"{output_dir}: en annan analysis run bygger redan rapporter i samma mapp",
            hint="Vänta tills den är klar och kör kommandot igen.",
        ),
        contextlib.ExitStack() as pins,
    ):
        return _run_locked(
            registry,
            selected,
            plans,
            results,
            pins,
            output_dir=output_dir,
            jobs=jobs,
            force=force,
            quiet=quiet,
            cell_timeout=cell_timeout,
            kernel=kernel,
            progress=progress,
            echo=echo,
        )


def check_cell_timeout(value: object) -> int:
    """*value* as a whole number of seconds ≥ 1 (``2.0`` is accepted, ``2.5`` is not).

    >>> check_cell_timeout(600), check_cell_timeout(3.0), check_cell_timeout("30")
    (600, 3, 30)
    >>> check_cell_timeout(2.5)
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: --cell-timeout ska vara ett heltal ≥ 1 (sekunder), inte 2.5.
    """
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = int(value.strip())
    if number is None or number < 1:
        shown = value if not isinstance(value, str) else repr(value[:40])
        raise ConfigError(f"--cell-timeout ska vara ett heltal ≥ 1 (sekunder), inte {shown}.")
    return number


def _check_input(spec: ReportSpec, params: Mapping[str, object]) -> None:
    """An explicit ``input`` must hold processed data of the report's survey (no lock taken)."""
    with contextlib.ExitStack() as pins:
        _pin_data(spec, params, pins)


def _pin_data(spec: ReportSpec, params: Mapping[str, object], pins: contextlib.ExitStack):
    """Resolve and pin the report's processed data; ``(folder, version id)`` or ``(None, None)``.

    An explicit ``input`` must hold processed data of the report's survey (checked here, before
    anything executes); the default folder without data is left to the notebook to report.
    """
    from analysis.data import store
    from analysis.data.labels import safe_path_label

    folder = data_folder(params)
    if folder is None:
        return None, None
    explicit = isinstance(params.get("input"), str) and bool(str(params.get("input")).strip())
    try:
        pin = pins.enter_context(store.pin(folder))
    except AnalysisError as exc:
        if explicit:
            raise ConfigError(f"rapporten {spec.name!r}: parametern 'input': {exc}") from None
        return None, None
    version = pin.version
    manifest_file = version.path / "manifest.json"
    if not manifest_file.is_file():
        if explicit:
            raise ConfigError(
                f"rapporten {spec.name!r}: parametern 'input': {safe_path_label(str(folder))} "
                "innehåller inga bearbetade data (manifest.json saknas). Kör `analysis ingest "
                f"{params.get('survey') or '<enkät>'} --output MAPP` eller ange rätt mapp."
            )
        return None, None
    manifest = read_manifest(params, version.path)
    survey = params.get("survey")
    if explicit and survey and manifest.get("survey") not in (None, survey):
        raise ConfigError(
            f"rapporten {spec.name!r}: parametern 'input': data i "
            f"{safe_path_label(str(folder))} gäller enkäten {manifest.get('survey')!r}, inte "
            f"{survey!r}. Ange en mapp med data för {survey}."
        )
    return version.path, version.id


def _run_locked(
    registry,
    selected,
    plans,
    results,
    pins: contextlib.ExitStack,
    *,
    output_dir: Path,
    jobs,
    force,
    quiet,
    cell_timeout,
    kernel,
    progress,
    echo,
) -> list[ReportResult]:
    """Steps 2–4 of :func:`run_reports`, holding the run lock (pins live in *pins*)."""
    from analysis.pipeline import index as reports_index

    # 2. pin each report's data version (checked before anything executes), skip what is current
    pinned: dict[str, tuple[Path | None, str | None]] = {}
    errors: list[str] = []
    for spec, params in plans:
        try:
            pinned[spec.name] = _pin_data(spec, params, pins)
        except ConfigError as exc:
            errors.append(str(exc))
    if errors:
        raise ConfigError("\n".join(errors))
    todo: list[_Job] = []
    for spec, params in plans:
        processed, version = pinned[spec.name]
        parts = fingerprint_parts(spec, params, processed)
        fp = _digest(parts)
        if not force and _is_up_to_date(output_dir, spec.name, fp):
            results[spec.name] = ReportResult(spec.name, STATUS_SKIPPED, 0.0)
        else:
            previous = (read_state(output_dir, spec.name).get("success") or {}).get("inputs")
            changed = (
                ["--force"]
                if force
                else (changed_inputs(previous, parts) if previous else ["första bygget"])
            )
            manifest = read_manifest(params, processed) if processed is not None else {}
            todo.append(
                _Job(
                    spec, params, fp, manifest, parts, changed, processed=processed, version=version
                )
            )

    show_bar = (not quiet and sys.stderr.isatty()) if progress is None else (progress and not quiet)
    bar = None
    if show_bar:
        from tqdm import tqdm

        bar = tqdm(total=len(selected), unit="rapport", desc="Rapporter", file=sys.stderr)

    def say(text: str) -> None:
        if quiet:
            return
        if echo is not None:
            echo(text)
        elif bar is not None:
            bar.write(text)
        else:
            print(text, flush=True)

    def done(result: ReportResult) -> None:
        say(result.line())
        if bar is not None:
            bar.update(1)

    for spec in selected:
        if spec.name in results:
            done(results[spec.name])

    # 3. execute and export — longest first (last recorded duration), so the pool finishes early
    todo.sort(key=lambda job: -_last_seconds(output_dir, job.spec.name))
    work = output_dir / ".build" / "work"
    run_work = work / f"{os.getpid()}-{secrets.token_hex(4)}"
    if todo:
        try:
            if work.is_dir():  # leftovers of interrupted runs (we hold the run lock)
                for stale in work.iterdir():
                    if stale.is_dir():
                        shutil.rmtree(stale, ignore_errors=True)
                    else:
                        stale.unlink()
            run_work.mkdir(parents=True)
        except OSError as exc:
            raise _output_error(output_dir, exc) from None

        def warn(message: str) -> None:
            if bar is not None:
                bar.write(message, file=sys.stderr)
            else:
                print(message, file=sys.stderr)

        try:
            kernel_name = resolve_kernel(kernel, warn=warn)
            os.environ.setdefault("PYTHONHASHSEED", "0")  # kernels inherit it: stable set order
            import logging

            logging.getLogger("papermill").setLevel(logging.ERROR)
            workers = max(1, min(int(jobs or os.cpu_count() or 1), len(todo)))
            # each survey's analysis once, in worker processes (they inherit PYTHONHASHSEED
            # like the kernels); reports that need none go first, the others wait in analyse()
            exporter = Exporter()
            warming = threading.Thread(target=exporter.warm, name="exporter-warm", daemon=True)
            warming.start()  # while the first kernels start
            with Precompute(todo, workers=workers) as analyses:
                _execute_all(
                    todo,
                    workers,
                    results,
                    done,
                    pick=analyses.pick,
                    output_dir=output_dir,
                    exporter=exporter,
                    kernel=kernel_name,
                    cell_timeout=cell_timeout,
                    commit=git_commit(),
                    work=run_work,
                )
        finally:
            shutil.rmtree(run_work, ignore_errors=True)
    if bar is not None:
        bar.close()

    # 4. record skips / missing, rebuild the index
    environment = [r for r in results.values() if r.environment]
    try:
        for spec in selected:
            res = results[spec.name]
            if res.status in (STATUS_SKIPPED, STATUS_MISSING):
                state = read_state(output_dir, spec.name)
                if state.get("status") != res.status or state.get("error"):
                    write_state(
                        output_dir,
                        spec.name,
                        {
                            **state,
                            "name": spec.name,
                            "status": res.status,
                            "error": None if res.status == STATUS_SKIPPED else res.message,
                        },
                    )
        reports_index.write_index(registry, output_dir)
    except OSError as exc:
        raise _output_error(output_dir, exc) from None
    if environment:
        first = environment[0]
        raise OutputError(
            f"{output_dir}: {first.name}: {first.message}. Tidigare rapporter är orörda; frigör "
            "utrymme eller kontrollera skrivbehörigheten och kör kommandot igen."
        )
    return [results[spec.name] for spec in selected]


def _execute_all(todo, workers, results, done, *, pick=None, **kw) -> None:
    """Step 3 of :func:`run_reports`: *workers* kernels at once; every result goes to *results*
    and *done* (in this thread). Each free kernel slot takes the job ``pick(remaining)`` names
    (default: the first): the runner starts reports whose analysis is stored before those
    whose analysis is still being computed (their kernels wait for it in ``analyse``)."""
    import queue

    remaining = list(todo)
    lock = threading.Lock()
    finished: queue.Queue = queue.Queue()

    def next_job():
        with lock:
            if not remaining:
                return None
            return remaining.pop(pick(remaining) if pick is not None else 0)

    def slot() -> None:
        while (job := next_job()) is not None:
            try:
                res = _build_one(job, **kw)
            except Exception as exc:  # pragma: no cover - _build_one catches
                res = ReportResult(
                    job.spec.name, STATUS_FAILED, message=f"{type(exc).__name__}: {_one_line(exc)}"
                )
            finished.put(res)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
        slots = [pool.submit(slot) for _ in range(min(workers, len(todo)))]
        for _ in todo:
            res = finished.get()
            results[res.name] = res
            done(res)
        for fut in slots:
            fut.result()


def _output_error(output_dir: Path, exc: OSError) -> OutputError:
    where = Path(exc.filename).name if getattr(exc, "filename", None) else ""
    return OutputError(
        f"{output_dir}: kunde inte skriva"
        + (f" {where}" if where else "")
        + f" ({atomic.describe_os_error(exc)}). Tidigare rapporter är orörda; frigör utrymme "
        "eller kontrollera skrivbehörigheten (eller ange en annan mapp med --output-dir) och "
        "kör kommandot igen."
    )
