"""Build the report notebooks: execute with papermill, export with nbconvert, skip what is current.

The reports come from the registry ``reports.yaml`` (:mod:`analysis.pipeline.registry`); their
parameters are read from each notebook's cell tagged ``parameters`` and validated before anything
executes (:mod:`analysis.pipeline.parameters`: unknown names, values that cannot be cast to the declared
type, and values outside the known enumerations raise :class:`analysis.errors.ConfigError`).

:func:`run_reports` builds the selected reports in one long-lived process: up to ``jobs`` kernels
execute at once (papermill's Python API in a thread pool), one reused
:class:`nbconvert.HTMLExporter` turns each executed notebook into a self-contained HTML page
(template ``templates/report``), and ``reports/index.html`` lists them all.

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
import datetime as _dt
import errno
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from analysis import atomic, paths
from analysis.errors import AnalysisError, ConfigError, OutputError
from analysis.pipeline.parameters import (
    notebook_parameters,
    parameters_cells,
    read_notebook_json,
    resolve_parameters,
)
from analysis.pipeline.registry import ReportSpec, load_registry

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "layer_parameters",
    "KERNEL_NAME",
    "ReportResult",
    "fingerprint",
    "generated_at",
    "run_reports",
]

KERNEL_NAME = "analysis"
"""The kernel ``make`` installs (``python -m ipykernel install --sys-prefix --name analysis``)."""
FALLBACK_KERNEL = "python3"
DEFAULT_CELL_TIMEOUT = 600
_ENV_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}
"""Errors of the environment (not of a report): they stop the run with exit code 2."""
RUN_LOCK_TIMEOUT = 600.0
"""Default seconds a second ``analysis run`` waits for the first (``ANALYSIS_LOCK_TIMEOUT``)."""
REMOVE_CELL_TAGS = ("remove", "injected-parameters", "parameters")
REMOVE_OUTPUT_TAGS = ("remove-output",)
TEMPLATE_NAME = "report"
STATE_VERSION = 2

STATUS_BUILT = "built"
STATUS_SKIPPED = "skipped"
STATUS_FAILED = "failed"
STATUS_MISSING = "not available"


# --------------------------------------------------------------------------------------------
# Fingerprints
# --------------------------------------------------------------------------------------------
def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_SOURCE_SUFFIXES = {".py", ".yaml", ".yml", ".j2", ".css", ".json", ".tpl"}


def package_source_files() -> list[Path]:
    """The package's source files that can change a report (code, YAML, templates)."""
    files = [
        p
        for p in paths.PACKAGE_DIR.rglob("*")
        if p.is_file() and p.suffix in _SOURCE_SUFFIXES and "__pycache__" not in p.parts
    ]
    return sorted(files)


_SOURCE_HASH: dict[str, str] = {}
_SOURCE_LOCK = threading.Lock()


def package_source_hash(refresh: bool = False) -> str:
    """sha256 over every package source file (path + content), cached per process."""
    with _SOURCE_LOCK:
        if refresh or "h" not in _SOURCE_HASH:
            h = hashlib.sha256()
            for p in package_source_files():
                h.update(p.relative_to(paths.PACKAGE_DIR).as_posix().encode())
                h.update(b"\0")
                h.update(_sha256_file(p).encode())
            _SOURCE_HASH["h"] = h.hexdigest()
        return _SOURCE_HASH["h"]


def data_folder(params: Mapping[str, object]) -> Path | None:
    """The processed-data folder a report reads: ``input`` if set, else ``data/processed/<survey>``."""
    inp = params.get("input")
    if isinstance(inp, str) and inp.strip():
        p = Path(inp)
        return p if p.is_absolute() else paths.project_root() / p
    survey = params.get("survey")
    if isinstance(survey, str) and survey:
        return paths.processed_dir(survey)
    return None


def _is_file(value: str) -> bool:
    try:
        return Path(value).is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte …
        return False


def processed_files(folder: Path | None) -> list[Path]:
    """The processed-data files of one concrete (version) folder: ``*.parquet`` + manifest."""
    if folder is None or not folder.is_dir():
        return []
    files = sorted(folder.glob("*.parquet"))
    if (folder / "manifest.json").is_file():
        files.append(folder / "manifest.json")
    return files


def _current_folder(params: Mapping[str, object]) -> Path | None:
    """:func:`data_folder` resolved to its published version (not pinned)."""
    from analysis.data import store

    folder = data_folder(params)
    if folder is None:
        return None
    try:
        return store.resolve(folder).path
    except (AnalysisError, OSError):
        return folder


def data_files(params: Mapping[str, object], processed: Path | None = None) -> list[Path]:
    """Every file a report's output depends on besides the notebook and the package source.

    *processed* is the concrete (pinned) version folder; default: :func:`data_folder` resolved
    to its current version.
    """
    files: list[Path] = []
    if processed is None:
        processed = _current_folder(params)
    files.extend(processed_files(processed))
    from analysis.data.surveys import discover

    known = discover()
    survey = params.get("survey")
    if isinstance(survey, str) and survey and paths.raw_dir(survey).is_dir():
        for extra in (paths.codebook_path(survey), paths.themes_path(survey)):
            if extra.is_file():
                files.append(extra)
        # a coder's verified theme codes override the suggestions (analysis.text.coding)
        files.extend(sorted(paths.raw_dir(survey).glob("verified_codes.*")))
        files.extend(sorted(paths.raw_dir(survey).glob("*org_links.yaml")))  # pairing of rounds
    # another survey the report reads (the trend report's earlier round): its data count too
    for key, value in sorted(params.items()):
        if key != "survey" and isinstance(value, str) and value in known:
            other = params.get(f"{key}_input")
            earlier = {"survey": value, "input": other if isinstance(other, str) else ""}
            files.extend(processed_files(_current_folder(earlier)))  # its published version
            files.extend(p for p in (paths.codebook_path(value),) if p.is_file())
            files.extend(sorted(paths.raw_dir(value).glob("*org_links.yaml")))
    # parameters naming a file (e.g. a custom `themes` codebook): its content counts, not its name
    for key, value in sorted(params.items()):
        if key != "input" and isinstance(value, str) and value and _is_file(value):
            files.append(Path(value))
    ref = paths.reference_dir()
    if survey and ref.is_dir():
        files.extend(sorted(p for p in ref.iterdir() if p.is_file()))
    return files


def read_manifest(params: Mapping[str, object], processed: Path | None = None) -> dict:
    """The processed data's ``manifest.json`` (empty when missing or unreadable).

    *processed* is the concrete (pinned) folder; default: :func:`data_folder`.
    """
    folder = processed if processed is not None else data_folder(params)
    if folder is None:
        return {}
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def fingerprint_parts(
    spec: ReportSpec, params: Mapping[str, object], processed: Path | None = None
) -> dict[str, str]:
    """One hash per input of the report (recorded in the build state to explain rebuilds).

    *processed* is the pinned version folder; its files are keyed ``data:processed/<name>`` so
    that identical content in another version does not count as a change.
    """
    parts = {
        "state": str(STATE_VERSION),
        "notebook": _sha256_file(spec.notebook),
        "title": spec.title,
        "parameters": json.dumps(dict(params), sort_keys=True, default=str, ensure_ascii=False),
        "package": package_source_hash(),
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
    }
    if processed is None:
        processed = _current_folder(params)
    data = processed_files(processed)
    for f in data:
        parts[f"data:processed/{f.name}"] = _sha256_file(f)
    for f in data_files(params, processed=processed):
        if f not in data:
            parts[f"data:{f.parent.name}/{f.name}"] = _sha256_file(f)
    return parts


def fingerprint(
    spec: ReportSpec, params: Mapping[str, object], processed: Path | None = None
) -> str:
    """sha256 over everything the report's HTML depends on (see the module docstring)."""
    return _digest(fingerprint_parts(spec, params, processed))


def _digest(parts: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(parts), sort_keys=True).encode()).hexdigest()


def changed_inputs(old: Mapping[str, str] | None, new: Mapping[str, str]) -> list[str]:
    """Names of the inputs that differ between two :func:`fingerprint_parts` results.

    >>> changed_inputs({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"})
    ['b', 'c']
    """
    old = dict(old or {})
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------
def generated_at(now: _dt.datetime | None = None) -> str:
    """UTC ISO time of the build; ``SOURCE_DATE_EPOCH`` (reproducible builds) wins.

    >>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    >>> generated_at()
    '2023-11-14T22:13:20Z'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            now = _dt.datetime.fromtimestamp(int(epoch.strip()), tz=_dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ConfigError(
                f"SOURCE_DATE_EPOCH={epoch[:40]!r} är inte ett heltal (sekunder sedan 1970, "
                "t.ex. 1700000000). Rätta eller ta bort variabeln."
            ) from None
    elif now is None:
        now = _dt.datetime.now(tz=_dt.UTC)
    return now.astimezone(_dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def git_commit() -> str | None:
    """``git rev-parse HEAD`` of the project, or ``None`` without git / outside a repository."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=paths.project_root(),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None


def _show_value(v: object) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def _display_path(key: str, value: object) -> object:
    """A path parameter as a published page may show it: inside the project relative to it,
    otherwise only its base name — and only after the personal-data check
    (:func:`analysis.data.labels.safe_path_label`); never an absolute path.

    >>> _display_path("input", str(paths.project_root() / "data" / "processed" / "x"))
    'data/processed/x'
    >>> _display_path("input", "/home/karin.lund/analys/partner_2021")
    'partner_2021'
    >>> _display_path("min_cell", 5)
    5
    """
    from analysis.pipeline.parameters import PATH_PARAMETERS

    if key in PATH_PARAMETERS and isinstance(value, str) and value:
        from analysis.data.labels import safe_path_label

        return safe_path_label(value)
    return value


def display_parameters(params: Mapping[str, object]) -> list[list[str]]:
    """``[[name, shown value], …]`` as the footer and the index show them."""
    return [[k, _show_value(_display_path(k, v))] for k, v in params.items()]


def _provenance(
    spec: ReportSpec,
    params: Mapping[str, object],
    manifest: Mapping,
    commit: str | None,
    version: str | None = None,
) -> dict:
    from analysis import __version__
    from analysis.data.labels import safe_label

    source = manifest.get("source_file")
    return {
        "name": spec.name,
        "title": spec.title,
        "survey": params.get("survey") or manifest.get("survey") or "",
        "data_file": safe_label(source, sha256=manifest.get("source_sha256")) if source else None,
        "data_sha256": manifest.get("source_sha256"),
        "data_version": version,
        "synthetic": bool(manifest.get("synthetic", False)),
        "internal": params.get("audience") == "internal",
        "parameters": display_parameters(params),
        "package_version": __version__,
        "git_commit": commit,
        "generated_at": generated_at(),
    }


# --------------------------------------------------------------------------------------------
# Build state
# --------------------------------------------------------------------------------------------
def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Atomic write of a report, state file or failed notebook (see :mod:`analysis.atomic`)."""
    atomic.write_bytes(path, data)


def state_path(output_dir: Path, name: str) -> Path:
    return Path(output_dir) / ".build" / f"{name}.json"


def read_state(output_dir: Path, name: str) -> dict:
    try:
        state = json.loads(state_path(output_dir, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_state(output_dir: Path, name: str, state: Mapping) -> None:
    write_atomic(
        state_path(output_dir, name),
        json.dumps(dict(state), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
    )


# --------------------------------------------------------------------------------------------
# Execution and export (heavy imports live here)
# --------------------------------------------------------------------------------------------
def resolve_kernel(requested: str | None = None, warn=print) -> str:
    """The kernel to use: *requested*, else ``analysis`` if installed, else ``python3`` (warned)."""
    if requested:
        return requested
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if KERNEL_NAME in specs:
        return KERNEL_NAME
    warn(
        f"varning: kärnan {KERNEL_NAME!r} är inte installerad (make venv installerar den); "
        f"använder {FALLBACK_KERNEL!r}."
    )
    return FALLBACK_KERNEL


def _kernel_manager_class(log_path: Path):
    """An ``AsyncKernelManager`` whose kernel writes its own stdout/stderr to *log_path*.

    Kernels print start-up and shutdown chatter to the terminal; the runner prints one line per
    report instead and keeps the kernel's log in ``reports/.build/logs/<name>.kernel.log``.
    """
    from jupyter_client import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            with open(log_path, "ab") as log:
                kw.setdefault("stdout", log)
                kw.setdefault("stderr", log)
                return await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


class Exporter:
    """One reused, thread-safe HTML exporter with the package's template."""

    def __init__(self) -> None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        c = Config()
        c.TemplateExporter.exclude_input = True
        c.TemplateExporter.exclude_input_prompt = True
        c.TemplateExporter.exclude_output_prompt = True
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
        c.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
        c.HTMLExporter.exclude_anchor_links = True
        c.HTMLExporter.embed_images = True
        self._exporter = HTMLExporter(
            config=c,
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(paths.template_dir())],
        )
        self._lock = threading.Lock()

    def export(self, nb, provenance: Mapping) -> str:
        nb = _clean_for_export(nb)
        resources = {"analysis": dict(provenance), "metadata": {"name": provenance["name"]}}
        with self._lock:
            body, _ = self._exporter.from_notebook_node(nb, resources=resources)
        return body


def _clean_for_export(nb):
    """A copy without stderr streams (warnings stay in the executed notebook for debugging)."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    return nb


@dataclass
class ReportResult:
    """What happened to one report in a run."""

    name: str
    status: str
    seconds: float = 0.0
    message: str = ""
    html: Path | None = None
    environment: bool = False
    """The failure came from the environment (an output could not be written), not the report."""

    def line(self) -> str:
        """The one line printed for this report."""
        if self.status == STATUS_MISSING:
            return f"saknas {self.name}: {self.message}"
        text = f"{self.status} {self.name} ({self.seconds:.1f} s)"
        if self.message:
            text += f" – {self.message}"
        return text


def _one_line(text: object, limit: int = 200) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


@dataclass
class _Job:
    spec: ReportSpec
    params: dict
    fingerprint: str
    manifest: dict
    parts: dict = field(default_factory=dict)
    changed: list = field(default_factory=list)
    processed: Path | None = None
    """The pinned version folder passed to the notebook as ``input``."""
    version: str | None = None

    @property
    def exec_params(self) -> dict:
        """The parameters the notebook executes with: ``input`` is the pinned version folder."""
        if self.processed is None:
            return dict(self.params)
        return {**self.params, "input": str(self.processed)}


def _build_one(job: _Job, **kw) -> ReportResult:
    """:func:`_execute_and_export`, with an output that cannot be written (full disk, read-only
    folder) reported as an environment failure instead of an exception."""
    try:
        return _execute_and_export(job, **kw)
    except OSError as exc:
        where = Path(exc.filename).name if getattr(exc, "filename", None) else "en utfil"
        return ReportResult(
            job.spec.name,
            STATUS_FAILED,
            message=f"kunde inte skriva {where}: {atomic.describe_os_error(exc)}",
            environment=True,
        )
    finally:  # keep the kernel's log beside the build state, outside the per-run work folder
        work = kw.get("work")
        log = Path(work) / f"{job.spec.name}.kernel.log" if work is not None else None
        if log is not None and log.is_file():
            with contextlib.suppress(OSError):
                logs = Path(kw["output_dir"]) / ".build" / "logs"
                logs.mkdir(parents=True, exist_ok=True)
                os.replace(log, logs / log.name)


def _execute_and_export(
    job: _Job,
    *,
    output_dir: Path,
    exporter: Exporter,
    kernel: str,
    cell_timeout: int,
    commit: str | None,
    work: Path | None = None,
) -> ReportResult:
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    spec = job.spec
    started = time.perf_counter()
    work = Path(work) if work is not None else Path(output_dir) / ".build" / "work"
    work.mkdir(parents=True, exist_ok=True)
    work_nb = work / f"{spec.name}.ipynb"
    kernel_log = work / f"{spec.name}.kernel.log"
    failed_path = Path(output_dir) / "failed" / f"{spec.name}.ipynb"
    state = read_state(output_dir, spec.name)

    def fail(message: str) -> ReportResult:
        failed_path.parent.mkdir(parents=True, exist_ok=True)
        if work_nb.is_file():
            os.replace(work_nb, failed_path)
        else:
            nb = nbformat.read(str(spec.notebook), as_version=4)
            nb.cells.insert(
                0, nbformat.v4.new_markdown_cell(f"**Körningen misslyckades:** {message}")
            )
            write_atomic(failed_path, nbformat.writes(nb))
        secs = time.perf_counter() - started
        write_state(
            output_dir,
            spec.name,
            {
                **state,
                "name": spec.name,
                "status": STATUS_FAILED,
                "error": message,
                "seconds": round(secs, 3),
            },
        )
        return ReportResult(spec.name, STATUS_FAILED, secs, message)

    work_nb.unlink(missing_ok=True)
    kernel_log.unlink(missing_ok=True)
    try:
        nb = pm.execute_notebook(
            str(spec.notebook),
            str(work_nb),
            parameters=job.exec_params,
            kernel_name=kernel,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=cell_timeout,
            start_timeout=120,
            kernel_manager_class=_kernel_manager_class(kernel_log),
        )
    except PapermillExecutionError as exc:
        idx = exc.cell_index
        try:  # papermill inserted its injected-parameters cell after the parameters cell
            if idx > parameters_cells(read_notebook_json(spec.notebook))[0]:
                idx -= 1
        except (ConfigError, IndexError):  # pragma: no cover - validated before execution
            pass
        where = f"cell {idx}" + (f", In [{exc.exec_count}]" if exc.exec_count is not None else "")
        return fail(f"{exc.ename}: {_one_line(exc.evalue)} ({where})")
    except Exception as exc:  # kernel died, timeout, … — report and carry on
        if isinstance(exc, OSError) and exc.errno in _ENV_ERRNOS:
            raise  # the work folder cannot be written: an environment error, not the report's
        if "Timeout" in type(exc).__name__:
            return fail(
                f"{type(exc).__name__}: en cell körde längre än {cell_timeout:g} s (--cell-timeout)"
            )
        return fail(f"{type(exc).__name__}: {_one_line(exc)}")

    try:
        prov = _provenance(spec, job.params, job.manifest, commit, job.version)
        html = exporter.export(nb, prov)
    except Exception as exc:
        return fail(f"export till HTML misslyckades: {type(exc).__name__}: {_one_line(exc)}")

    html_path = Path(output_dir) / f"{spec.name}.html"
    html_bytes = html.encode("utf-8")
    write_atomic(html_path, html_bytes)
    executed = Path(output_dir) / "executed" / f"{spec.name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work_nb, executed)
    failed_path.unlink(missing_ok=True)
    secs = time.perf_counter() - started
    success = {
        "fingerprint": job.fingerprint,
        "inputs": job.parts,
        "rebuilt_because": job.changed,
        "generated_at": prov["generated_at"],
        "parameters": prov["parameters"],
        "data_file": prov["data_file"],
        "data_sha256": prov["data_sha256"],
        "data_version": prov["data_version"],
        "synthetic": prov["synthetic"],
        "survey": prov["survey"],
        "title": spec.title,
        "html_sha256": hashlib.sha256(html_bytes).hexdigest(),
        "seconds": round(secs, 3),
    }
    write_state(
        output_dir,
        spec.name,
        {
            "name": spec.name,
            "status": STATUS_BUILT,
            "error": None,
            "seconds": round(secs, 3),
            "success": success,
        },
    )
    return ReportResult(spec.name, STATUS_BUILT, secs, html=html_path)


def _last_seconds(output_dir: Path, name: str) -> float:
    """Duration of the report's last successful build (infinity when unknown: schedule first)."""
    seconds = (read_state(output_dir, name).get("success") or {}).get("seconds")
    return float(seconds) if isinstance(seconds, int | float) else float("inf")


def _is_up_to_date(output_dir: Path, name: str, fp: str) -> bool:
    state = read_state(output_dir, name)
    success = state.get("success") or {}
    if success.get("fingerprint") != fp:
        return False
    html = Path(output_dir) / f"{name}.html"
    if not html.is_file():
        return False
    return _sha256_file(html) == success.get("html_sha256")


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
            exporter = Exporter()
            commit = git_commit()
            workers = max(1, min(int(jobs or os.cpu_count() or 1), len(todo)))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
                futures = {
                    pool.submit(
                        _build_one,
                        job,
                        output_dir=output_dir,
                        exporter=exporter,
                        kernel=kernel_name,
                        cell_timeout=cell_timeout,
                        commit=commit,
                        work=run_work,
                    ): job
                    for job in todo
                }
                for fut in as_completed(futures):
                    job = futures[fut]
                    try:
                        res = fut.result()
                    except Exception as exc:  # pragma: no cover - _build_one catches
                        res = ReportResult(
                            job.spec.name,
                            STATUS_FAILED,
                            message=f"{type(exc).__name__}: {_one_line(exc)}",
                        )
                    results[job.spec.name] = res
                    done(res)
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


def _output_error(output_dir: Path, exc: OSError) -> OutputError:
    where = Path(exc.filename).name if getattr(exc, "filename", None) else ""
    return OutputError(
        f"{output_dir}: kunde inte skriva"
        + (f" {where}" if where else "")
        + f" ({atomic.describe_os_error(exc)}). Tidigare rapporter är orörda; frigör utrymme "
        "eller kontrollera skrivbehörigheten (eller ange en annan mapp med --output-dir) och "
        "kör kommandot igen."
    )
