"""Atomic file writes (a temporary file in the target's directory, then ``os.replace``) and locks.

A reader never sees a half-written file, and a failed run leaves the previous file in place.
:func:`write_files` writes a *set* of files: all of them are first written into a temporary
directory beside the target, and only when every one succeeded are they moved in (each move is
atomic, the set is not: versioned data uses :mod:`analysis.data.store`, which publishes a whole
set with one atomic step). :func:`exclusive_lock` serialises writers (``fcntl.flock`` on a lock
file; a second process waits up to a bounded time, then gets a one-line
:class:`~analysis.errors.LockTimeoutError`).

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
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_TIMEOUT_ENV = "ANALYSIS_LOCK_TIMEOUT"
"""Environment variable: seconds a command waits for a lock held by another process."""


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
    refuse_special(target)
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


def refuse_special(target: Path) -> None:
    """Raise ``OSError(EINVAL)`` when *target* exists and is not a regular file or directory
    (a device such as ``/dev/null``, a FIFO or a socket): replacing it would destroy it.

    >>> refuse_special(Path("/dev/null"))
    Traceback (most recent call last):
    ...
    OSError: [Errno 22] sökvägen är en enhet, en FIFO eller en socket, inte en vanlig fil: '/dev/null'
    """
    import errno
    import stat

    try:
        mode = os.stat(target).st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise OSError(errno.EINVAL, SPECIAL_FILE, str(target))


SPECIAL_FILE = "sökvägen är en enhet, en FIFO eller en socket, inte en vanlig fil"


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
    for name in files:
        refuse_special(target / name)
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


def describe_os_error(exc: OSError) -> str:
    """A short Swedish description of an environment error (full disk, read-only …).

    >>> import errno
    >>> describe_os_error(OSError(errno.ENOSPC, "No space left on device"))
    'disken är full'
    """
    import errno

    messages = {
        errno.ENOSPC: "disken är full",
        errno.EDQUOT: "diskkvoten är slut",
        errno.EACCES: "åtkomst nekad – mappen är skrivskyddad",
        errno.EPERM: "åtkomst nekad – mappen är skrivskyddad",
        errno.EROFS: "skrivskyddat filsystem",
        errno.ENOTDIR: "en del av sökvägen är en fil, inte en mapp",
        errno.EISDIR: "sökvägen är en mapp, inte en fil",
        errno.ENAMETOOLONG: "sökvägen är för lång",
        errno.EINVAL: exc.strerror or "ogiltig sökväg",
    }
    return messages.get(exc.errno, exc.strerror or str(exc) or type(exc).__name__)


def lock_timeout(default: float) -> float:
    """Seconds to wait for a lock: ``ANALYSIS_LOCK_TIMEOUT`` when set, else *default*.

    >>> lock_timeout(30.0)
    30.0

    Raises
    ------
    ConfigError
        The environment variable is not a number ≥ 0.
    """
    from analysis.errors import ConfigError

    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value >= 0 and value < float("inf")):
        raise ConfigError(
            f"{LOCK_TIMEOUT_ENV}={raw[:40]!r} är inte ett antal sekunder (ett tal ≥ 0); "
            f"ändra eller ta bort variabeln."
        )
    return value


LOCK_POLL = 0.025
"""Longest pause (s) between two attempts to take a held lock: a report kernel waiting for its
analysis goes on within this time after the worker stored it (one cheap ``flock`` per pause)."""


@contextlib.contextmanager
def exclusive_lock(
    path: str | Path, *, timeout: float, busy: str, hint: str = ""
) -> Iterator[None]:
    """Hold an exclusive ``fcntl.flock`` on *path* (created if missing) for the ``with`` block.

    A second process (or a second open of the same file) waits up to *timeout* seconds, polling,
    then raises :class:`~analysis.errors.LockTimeoutError` with the one-line message
    ``"{busy} (väntade N s). {hint}"``. The lock is released when the block ends or the process
    dies; the lock file itself stays, empty (so reruns leave byte-identical folders).

    Parameters
    ----------
    path : path
        The lock file.
    timeout : float
        Seconds to wait (0: do not wait).
    busy : str
        What is going on, e.g. ``"data/processed/x: en annan inläsning pågår"``.
    hint : str
        What to do.

    Raises
    ------
    OutputError
        The lock file cannot be created (read-only folder, a file where a folder should be …).
    LockTimeoutError
        Another holder kept the lock longer than *timeout*.
    """
    import fcntl

    from analysis.errors import LockTimeoutError, OutputError

    lock = Path(path)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(
            f"{lock.parent}: kan inte skapa låsfilen {lock.name} ({describe_os_error(exc)}). "
            "Kontrollera att mappen är skrivbar och inte är en fil, eller välj en annan mapp."
        ) from None
    try:
        deadline = time.monotonic() + max(0.0, float(timeout))
        delay = 0.01
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeoutError(
                        f"{busy} (väntade {float(timeout):g} s)." + (f" {hint}" if hint else "")
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, LOCK_POLL)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


__all__ = [
    "LOCK_TIMEOUT_ENV",
    "describe_os_error",
    "exclusive_lock",
    "lock_timeout",
    "write_bytes",
    "write_files",
    "write_text",
]
