"""The analysis cache: one pickle per analysis, beside the processed data it was computed from.

``<processed version folder>/.analysis/<key>.pickle`` holds a
:class:`~analysis.surveys.analysis.SurveyAnalysis`. The key (:func:`cache_key`) covers
everything the analysis depends on: the cache format, the package version and the sha256 of
the package's source (code, YAML, templates), the manifest (source file hash, codebook hash),
the codebook as it is now, the two Parquet files' bytes, the disclosure policy and the
analysis parameters. It is computed from files only — no Parquet is read, no pandas imported —
so that a report kernel finds its analysis cheaply.

Safe under concurrency: a pickle is written to a temporary file and renamed into place
(:func:`analysis.atomic.write_bytes`), so a reader sees the old file, the new file or none, never
a part of one. A file that cannot be read (truncated, corrupt, from another version of the
package, not an analysis) is treated as missing: the analysis is recomputed and the file
replaced. Every file is signed (HMAC-SHA256 with the user's key, :func:`signing_key`) and
unpickled only when the signature matches: a pickle planted in a shared ``data/processed`` runs no
code. Sections are pickled with their rendered HTML (:func:`analysis.report.section.prerendered`)
and the heavy parts (tables, figures, the data) as blobs unpickled on first use
(:mod:`analysis.lazystate`), so a notebook that only displays sections never unpickles them.

Computed once: a process that misses the cache takes the analysis's lock
(``<key>.lock`` beside the pickle, :func:`acquire`) and reads the cache again before it
computes, so a second process asking for the same analysis waits for the first and then loads
its result. ``analysis run`` holds the locks of the analyses its workers compute
(:mod:`analysis.pipeline.precompute`), so the report kernels, started meanwhile, wait for them
and only load. A lock that cannot be taken (read-only folder, held too long) only means the
analysis is computed without it — same inputs, same result, the last rename wins.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import pickle
from pathlib import Path
from typing import Any

CACHE_FORMAT = 3
"""Bump when the pickled layout changes (older files are then simply not found)."""

CACHE_DIR = ".analysis"

LOCK_WAIT = 600.0
"""Seconds a process waits for another one computing the same analysis (``ANALYSIS_LOCK_TIMEOUT``)."""

LOCKING = True
"""Take the analysis locks (the runner's workers do not: the runner holds them on their behalf)."""


def cache_key(
    folder: Path,
    manifest: dict[str, Any],
    codebook_sha256: str,
    policy: object,
    params: dict[str, Any],
) -> str:
    """The cache key of an analysis of the processed data in *folder* (32 hex digits)."""
    from analysis import __version__
    from analysis.sourcehash import package_source_hash

    h = hashlib.sha256()
    for part in (
        CACHE_FORMAT,
        __version__,
        package_source_hash(),
        manifest.get("source_sha256"),
        manifest.get("codebook_sha256"),
        codebook_sha256,
        json.dumps(manifest, sort_keys=True, default=str),
        repr(policy),
        json.dumps(params, sort_keys=True, default=str),
    ):
        h.update(str(part).encode())
        h.update(b"\0")
    for name in ("responses.parquet", "answers.parquet"):
        p = Path(folder) / name
        if p.is_file():
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:32]


def cache_path(folder: Path, key: str) -> Path:
    """Where the analysis with *key* of the data in *folder* is stored."""
    return Path(folder) / CACHE_DIR / f"{key}.pickle"


def lock_path(path: Path) -> Path:
    """The lock file of the cached analysis at *path*."""
    return Path(path).with_suffix(".lock")


def acquire(path: Path, *, timeout: float | None = None) -> contextlib.ExitStack:
    """Hold the lock of the analysis at *path* until the returned stack is closed.

    Waits while another process holds it (computing that analysis). When the lock cannot be
    taken — a read-only folder, a holder that takes longer than *timeout* — the stack holds
    nothing and the caller goes on without it.
    """
    from analysis.atomic import exclusive_lock, lock_timeout
    from analysis.errors import AnalysisError

    stack = contextlib.ExitStack()
    if not LOCKING:
        return stack
    with contextlib.suppress(AnalysisError):  # LockTimeoutError, OutputError: go on without
        wait = lock_timeout(LOCK_WAIT) if timeout is None else timeout
        stack.enter_context(
            exclusive_lock(lock_path(path), timeout=wait, busy=f"{path.name}: beräknas redan")
        )
    return stack


_SIGNED = b"analysis-cache-hmac-sha256\n"
_KEY_FILE = "analysis-cache.key"


@functools.cache
def signing_key() -> bytes:
    """The secret that signs this user's analysis caches (32 random bytes in
    :func:`analysis.paths.user_cache_dir`, mode 0600, created on first use).

    A cache file is unpickled only when its HMAC-SHA256 under this key matches: unpickling runs
    code, and ``data/processed`` may sit on a shared or synced drive that others can write. Where
    the key cannot be stored, this process uses a key of its own (caches then only serve it).
    """
    import os
    import secrets
    import stat
    import time

    from analysis.paths import user_cache_dir

    path = user_cache_dir() / _KEY_FILE
    for _ in range(3):
        with contextlib.suppress(OSError):
            st = path.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_size == 32:
                return path.read_bytes()
        key = secrets.token_bytes(32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process is writing it: read theirs
            time.sleep(0.05)
            continue
        except OSError:
            return key
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key
    return secrets.token_bytes(32)


def _mac(data: bytes) -> bytes:
    return hmac.new(signing_key(), data, hashlib.sha256).digest()


def read(path: Path, kind: type) -> Any | None:
    """The cached object of type *kind* at *path*, or ``None`` (missing, partial, corrupt,
    unsigned or signed with another key)."""
    try:
        raw = path.read_bytes()
        head = len(_SIGNED) + 32
        if not raw.startswith(_SIGNED) or not hmac.compare_digest(
            raw[len(_SIGNED) : head], _mac(raw[head:])
        ):
            return None  # never unpickled: not written by this user's analysis
        obj = pickle.loads(raw[head:])  # noqa: S301 - signed by write()
    except Exception:  # truncated or corrupt pickles raise many kinds: recompute instead
        return None
    if not isinstance(obj, kind) or getattr(obj, "cache_format", None) != CACHE_FORMAT:
        return None
    return obj


def write(path: Path, obj: object) -> bool:
    """Store *obj* at *path* atomically, sections with their rendered HTML; ``False`` if not."""
    from analysis.atomic import write_bytes
    from analysis.report.section import prerendered

    try:
        with prerendered():
            data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        write_bytes(path, _SIGNED + _mac(data) + data)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False  # a cache that cannot be written only costs time
    return True


__all__ = [
    "CACHE_FORMAT",
    "acquire",
    "cache_key",
    "cache_path",
    "lock_path",
    "read",
    "signing_key",
    "write",
]
