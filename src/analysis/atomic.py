"""Atomic file writes: a temporary file in the target's directory, then ``os.replace``.

A reader never sees a half-written file, and a failed run leaves the previous file in place.
:func:`write_files` writes a *set* of files: all of them are first written into a temporary
directory beside the target, and only when every one succeeded are they moved in.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text(d / "a.txt", "hej\\n")
>>> (d / "a.txt").read_text()
'hej\\n'
>>> write_files(d / "out", {"x.json": b"{}", "y.txt": b"y"})
>>> sorted(p.name for p in (d / "out").iterdir())
['x.json', 'y.txt']
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _file_mode() -> int:
    """The mode a plain ``open()`` would give a new file (``mkstemp`` creates ``0600``)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes(path: str | Path, data: bytes | str) -> None:
    """Write *data* to *path* atomically (temp file in the same directory + ``os.replace``).

    ``str`` data is encoded as UTF-8. The file gets the usual mode for the current umask, so
    published reports stay readable by others.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write *text* atomically (UTF-8, ``\\n`` line endings as given)."""
    write_bytes(path, text.encode(encoding))


def write_files(directory: str | Path, files: dict[str, bytes]) -> None:
    """Write several files into *directory* so that a failure leaves the old files intact.

    Every file is written into a temporary directory beside *directory* first; only when all
    writes succeeded are they moved in one by one with ``os.replace`` (each move is atomic).
    Files in *directory* that are not in *files* are left alone.
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    try:
        for name, data in files.items():
            if Path(name).name != name:
                raise ValueError(f"file name must not contain a directory: {name!r}")
            with open(staging / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.replace(staging / name, target / name)
        _fsync_dir(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


__all__ = ["write_bytes", "write_files", "write_text"]
