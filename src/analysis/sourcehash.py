"""A fingerprint of the package's own source: any change to code, YAML or templates changes it.

Used by the report runner's incremental build and by the analysis cache (foundation layer, so that
both can use it without importing each other).

>>> len(package_source_hash())
64
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from analysis import paths


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
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
