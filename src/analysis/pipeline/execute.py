"""Execute one report notebook with papermill and export it with nbconvert (kernel, exporter, result)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analysis import atomic, paths
from analysis.errors import ConfigError
from analysis.pipeline.fingerprint import _sha256_file, fingerprint  # noqa: F401
from analysis.pipeline.parameters import (
    parameters_cells,
    read_notebook_json,
)
from analysis.pipeline.provenance import _provenance  # noqa: F401
from analysis.pipeline.registry import ReportSpec
from analysis.pipeline.state import (  # noqa: F401
    _ENV_ERRNOS,
    FALLBACK_KERNEL,
    KERNEL_NAME,
    REMOVE_CELL_TAGS,
    REMOVE_OUTPUT_TAGS,
    STATUS_BUILT,
    STATUS_FAILED,
    STATUS_MISSING,
    TEMPLATE_NAME,
    read_state,
    write_atomic,
    write_state,
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

    def warm(self) -> None:
        """Compile the template (and import what converting a notebook imports) on a tiny
        notebook, ~0.15 s: the runner does it while the first kernels start, so that the first
        report's export does not pay it. Anything that fails here fails again, and is reported,
        in :meth:`export`."""
        import nbformat

        output = nbformat.v4.new_output("display_data", data={"text/html": "<p>.</p>"})
        nb = nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_markdown_cell("."),
                nbformat.v4.new_code_cell("", outputs=[output]),
            ]
        )
        with contextlib.suppress(Exception), self._lock:
            self._exporter.from_notebook_node(
                nb, resources={"analysis": {}, "metadata": {"name": "warm"}}
            )

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
