"""Build state per report under ``reports/.build/`` and the status constants."""

from __future__ import annotations

import errno
import json
from collections.abc import Mapping
from pathlib import Path

from analysis import atomic

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
