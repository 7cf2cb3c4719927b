"""Versioned processed data: every ingest writes a complete new version and publishes it atomically.

Layout of a store (``data/processed/<survey>/``, or any ``--output`` folder)::

    versions/000001-1a2b3c4d5e6f/          one complete version: every file + manifest.json
        responses.parquet
        answers.parquet
        manifest.json
        .pin                               lock file readers hold shared (see below)
    versions/000002-77aa0c3e91b4/
    current -> versions/000002-77aa0c3e91b4     relative symbolic link: the published version
    responses.parquet -> current/responses.parquet   convenience links for people and old tools
    answers.parquet -> current/answers.parquet
    manifest.json -> current/manifest.json
    .ingest.lock                           writers' lock (one ingest at a time)

Writing (:func:`publish`, called by :func:`analysis.data.ingest.ingest`)
    Under an exclusive ``fcntl.flock`` on ``.ingest.lock`` (a second ingest waits, bounded by
    ``ANALYSIS_LOCK_TIMEOUT``, default 120 s, then gets a one-line
    :class:`~analysis.errors.LockTimeoutError`), every file is written into
    ``versions/.tmp-…/``, fsynced, the folder is renamed to ``versions/<id>/`` and then published
    with **one atomic step**: a new symbolic link is created beside ``current`` and moved over it
    with ``os.replace`` (``rename(2)``, atomic on POSIX file systems: a reader sees the old or the
    new version, never a mix and never nothing). The version id is a sequence number and the
    first 12 hex digits of the content's sha256; ingesting identical content again publishes
    nothing new. Any ``OSError`` (read-only folder, full disk) removes the half-written version
    and raises :class:`~analysis.errors.OutputError`; the published version is untouched.

Reading (:func:`pin`, used by :func:`analysis.data.dataset.load` and ``analysis run``)
    ``current`` is resolved **once** (``readlink``) to a concrete ``versions/<id>/`` folder and
    every file is read from there. The reader holds a shared ``flock`` on that version's ``.pin``
    while it reads; ``analysis run`` holds it for the whole notebook execution and passes the
    concrete version folder to the notebook as its ``input`` parameter.

Cleaning up (:func:`cleanup`, after each publish)
    The newest :data:`KEEP_VERSIONS` versions and the published one are kept. An older version is
    removed only when an exclusive non-blocking ``flock`` on its ``.pin`` succeeds, i.e. no reader
    or report run has it pinned; it is first renamed away (atomic), then deleted. A reader that
    raced with the removal notices that its version folder is gone and resolves again.

Folders without ``current`` (data written by older versions of the package, test fixtures) are
read as they are, without versions or pins.

Needs POSIX symbolic links and ``flock`` (Linux, macOS); not supported on Windows.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp()) / "partner_2021"
>>> v1 = publish(root, {"manifest.json": b"{}\\n", "responses.parquet": b"1"})
>>> v1.id.startswith("000001-"), (root / "manifest.json").read_bytes()
(True, b'{}\\n')
>>> v2 = publish(root, {"manifest.json": b"{}\\n", "responses.parquet": b"2"})
>>> resolve(root).id == v2.id, publish(root, {"manifest.json": b"{}\\n", "responses.parquet": b"2"}).id == v2.id
(True, True)
>>> with pin(root) as p:
...     (p.version.path / "responses.parquet").read_bytes()
b'2'
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analysis import atomic
from analysis.errors import AnalysisError, OutputError

__all__ = [
    "CURRENT",
    "FILES",
    "KEEP_VERSIONS",
    "Pin",
    "Version",
    "cleanup",
    "current_id",
    "is_store",
    "list_versions",
    "pin",
    "publish",
    "resolve",
]

FILES = ("responses.parquet", "answers.parquet", "manifest.json")
"""The files of one version (the processed-data contract)."""
VERSIONS = "versions"
CURRENT = "current"
LOCK_NAME = ".ingest.lock"
PIN_NAME = ".pin"
KEEP_VERSIONS = 3
"""Versions kept by :func:`cleanup` (besides any that are pinned)."""
INGEST_LOCK_TIMEOUT = 120.0
"""Default seconds a second ingest waits for the first (``ANALYSIS_LOCK_TIMEOUT`` overrides)."""

_ID = re.compile(r"^(\d{6,})-([0-9a-f]{12})$")


@dataclass(frozen=True)
class Version:
    """One resolved version of a store.

    ``root`` is the store folder, ``id`` the version id (``None`` for a folder without versions,
    read as it is) and ``path`` the folder the files are read from.
    """

    root: Path
    id: str | None
    path: Path

    def file(self, name: str) -> Path:
        """The path of *name* inside this version."""
        return self.path / name


def is_store(folder: str | Path) -> bool:
    """Whether *folder* is a versioned store (has ``current`` or ``versions/``)."""
    folder = Path(folder)
    return (folder / CURRENT).is_symlink() or (folder / VERSIONS).is_dir()


def _corrupt(root: Path, what: str) -> AnalysisError:
    return AnalysisError(
        f"{root}: {what}. Kör `analysis ingest` igen för att publicera en ny version."
    )


def current_id(root: str | Path) -> str | None:
    """The id of the published version of the store *root* (``None`` when nothing is published).

    Raises
    ------
    AnalysisError
        ``current`` exists but is not a link to ``versions/<id>``.
    """
    link = Path(root) / CURRENT
    try:
        target = os.readlink(link)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.EINVAL:  # not a symbolic link
            raise _corrupt(Path(root), f"'{CURRENT}' är inte en länk till en version") from None
        raise
    vid = PurePosixPath(target).name
    if not _ID.match(vid) or PurePosixPath(target).parent.name != VERSIONS:
        raise _corrupt(Path(root), f"'{CURRENT}' pekar på {target!r}, inte på en version")
    return vid


def resolve(folder: str | Path) -> Version:
    """Resolve *folder* once to the concrete folder the files are read from.

    *folder* may be a store (its ``current`` version), a version folder ``…/versions/<id>``
    itself, or a plain folder holding the files (read as it is).
    """
    folder = Path(folder)
    vid = current_id(folder) if (folder / CURRENT).is_symlink() else None
    if vid is not None:
        return Version(folder, vid, folder / VERSIONS / vid)
    if folder.parent.name == VERSIONS and _ID.match(folder.name):
        return Version(folder.parent.parent, folder.name, folder)
    return Version(folder, None, folder)


def list_versions(root: str | Path) -> list[str]:
    """Version ids of the store *root*, oldest first."""
    base = Path(root) / VERSIONS
    try:
        names = [p.name for p in base.iterdir() if _ID.match(p.name)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(names, key=lambda n: (int(n.split("-", 1)[0]), n))


# ----------------------------------------------------------------------------------- readers
class Pin:
    """A shared lock on one version: while it is held, :func:`cleanup` never removes the version.

    Use as a context manager or call :meth:`release`. A folder without versions gives a pin
    without a lock.
    """

    def __init__(self, version: Version, fd: int | None) -> None:
        self.version = version
        self._fd = fd

    def release(self) -> None:
        """Release the shared lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the flock

    def __enter__(self) -> Pin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:  # pragma: no cover - safety net
        with contextlib.suppress(Exception):
            self.release()


def pin(folder: str | Path, *, attempts: int = 50) -> Pin:
    """Resolve *folder* once and hold a shared lock on that version (see :class:`Pin`).

    Raises
    ------
    AnalysisError
        The published version kept disappearing (more than *attempts* removals in a row).
    """
    import fcntl

    for _ in range(max(1, attempts)):
        version = resolve(folder)
        if version.id is None:
            return Pin(version, None)
        pin_file = version.path / PIN_NAME
        try:
            fd = os.open(pin_file, os.O_RDONLY)
        except FileNotFoundError:
            if version.path.is_dir() and resolve(folder).id == version.id:
                return Pin(version, None)  # a version without a pin file (copied by hand)
            continue  # removed meanwhile: resolve again
        except OSError:
            return Pin(version, None)  # not readable: reading will report it
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while cleanup holds it (a rename)
            if os.fstat(fd).st_ino == os.stat(pin_file).st_ino:
                return Pin(version, fd)
        except OSError:
            pass
        os.close(fd)  # the version was removed while we waited: resolve again
    raise AnalysisError(
        f"{folder}: den publicerade versionen ändrades hela tiden medan den lästes; försök igen."
    )


# ----------------------------------------------------------------------------------- writers
def _digest(files: Mapping[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).hexdigest().encode())
    return h.hexdigest()


def _digest_of(folder: Path, names) -> str | None:
    try:
        return _digest({name: (folder / name).read_bytes() for name in names})
    except OSError:
        return None


def _token() -> str:
    return secrets.token_hex(4)


def _fsync_dir(folder: Path) -> None:
    atomic._fsync_dir(folder)


def _describe(exc: OSError) -> str:
    return atomic.describe_os_error(exc)


def _write_error(root: Path, exc: OSError) -> OutputError:
    where = Path(exc.filename).name if getattr(exc, "filename", None) else ""
    return OutputError(
        f"{root}: kunde inte skriva de bearbetade data"
        + (f" ({where}: {_describe(exc)})" if where else f" ({_describe(exc)})")
        + ". Inget har ändrats: den tidigare versionen gäller fortfarande. Frigör utrymme eller "
        "kontrollera skrivbehörigheten och kör kommandot igen."
    )


def _point(root: Path, name: str, target: str) -> None:
    """Make ``root/name`` a symbolic link to *target* with one atomic ``os.replace``."""
    link = root / name
    with contextlib.suppress(OSError):
        if os.readlink(link) == target:
            return
    tmp = root / f".{name}.tmp-{_token()}"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _check_root(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise OutputError(
            f"{root}: är en fil, inte en mapp. Ange en mapp för de bearbetade data "
            "(t.ex. --output data/processed/<enkät>) eller flytta filen."
        )
    cur = root / CURRENT
    if cur.exists() and not cur.is_symlink():
        raise OutputError(
            f"{root}: '{CURRENT}' är en vanlig fil eller mapp, inte en länk till en version. "
            "Flytta den och kör kommandot igen."
        )
    for name in FILES:
        p = root / name
        if p.is_dir() and not p.is_symlink():
            raise OutputError(f"{p}: är en mapp; flytta den och kör kommandot igen.")


def publish(
    root: str | Path,
    files: Mapping[str, bytes],
    *,
    keep: int = KEEP_VERSIONS,
    timeout: float | None = None,
) -> Version:
    """Write *files* as a new version of the store *root* and publish it atomically.

    Parameters
    ----------
    root : path
        The store folder (created if missing), e.g. ``data/processed/partner_2021``.
    files : mapping of str to bytes
        File name → content; names must be plain file names.
    keep : int
        Versions to keep when cleaning up (at least 1; pinned versions are always kept).
    timeout : float, optional
        Seconds to wait for a concurrent writer (default ``ANALYSIS_LOCK_TIMEOUT`` or 120).

    Returns
    -------
    Version
        The published version (the current one, unchanged, when its content is identical).

    Raises
    ------
    OutputError
        *root* is a file, or it cannot be written (read-only, full disk): nothing changed.
    LockTimeoutError
        Another ingest held the store longer than *timeout*.
    """
    root = Path(root)
    for name in files:
        if Path(name).name != name or name in ("", ".", "..", PIN_NAME) or name.startswith("."):
            raise ValueError(f"invalid file name in a version: {name!r}")
    _check_root(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(root, exc) from None
    wait = atomic.lock_timeout(INGEST_LOCK_TIMEOUT) if timeout is None else timeout
    with atomic.exclusive_lock(
        root / LOCK_NAME,
        timeout=wait,
        busy=f"{root}: en annan inläsning (analysis ingest) skriver redan till samma mapp",
        hint="Vänta tills den är klar och kör kommandot igen.",
    ):
        return _publish_locked(root, dict(files), max(1, int(keep)))


def _publish_locked(root: Path, files: dict[str, bytes], keep: int) -> Version:
    digest = _digest(files)
    versions = root / VERSIONS
    cur = current_id(root)
    if cur is not None and _digest_of(versions / cur, files) == digest:
        try:
            _link_files(root, files)
        except OSError as exc:
            raise _write_error(root, exc) from None
        return Version(root, cur, versions / cur)
    existing = list_versions(root)
    seq = int(existing[-1].split("-", 1)[0]) + 1 if existing else 1
    vid = f"{seq:06d}-{digest[:12]}"
    final = versions / vid
    staging = versions / f".tmp-{vid}-{_token()}"
    try:
        versions.mkdir(exist_ok=True)
        atomic.write_files(staging, files)  # the data files, all or nothing
        atomic.write_bytes(staging / PIN_NAME, b"")
        _fsync_dir(staging)
        os.rename(staging, final)
        _fsync_dir(versions)
        _point(root, CURRENT, f"{VERSIONS}/{vid}")
        _fsync_dir(root)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(AnalysisError, OSError):
            if current_id(root) != vid:
                shutil.rmtree(final, ignore_errors=True)
        raise _write_error(root, exc) from None
    try:
        _link_files(root, files)
    except OSError as exc:
        raise OutputError(
            f"{root}: versionen {vid} är publicerad (current), men länkarna "
            f"{', '.join(sorted(files))} kunde inte uppdateras ({_describe(exc)}); "
            "programmen läser ändå rätt version. Kör kommandot igen när felet är åtgärdat."
        ) from None
    with contextlib.suppress(OSError, AnalysisError):
        cleanup(root, keep=keep)
    return Version(root, vid, final)


def _link_files(root: Path, files) -> None:
    """Convenience links ``root/<file> -> current/<file>`` (replacing old regular files)."""
    for name in sorted(files):
        _point(root, name, f"{CURRENT}/{name}")
    _fsync_dir(root)


def cleanup(root: str | Path, keep: int = KEEP_VERSIONS) -> list[str]:
    """Remove old, unpinned versions of *root*; return the removed ids.

    Keeps the newest *keep* versions and the published one; skips every version a reader or a
    report run has pinned. Call only while holding the store's writer lock (:func:`publish`
    does), which also makes it safe to remove the leftovers of interrupted writers.
    """
    import fcntl

    root = Path(root)
    versions = root / VERSIONS
    ids = list_versions(root)
    cur = current_id(root)
    protected = set(ids[-max(1, keep) :]) | ({cur} if cur else set())
    removed: list[str] = []
    for vid in ids:
        if vid in protected:
            continue
        path = versions / vid
        fd = None
        try:
            try:
                fd = os.open(path / PIN_NAME, os.O_RDONLY)
            except FileNotFoundError:
                fd = None
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # pinned: a reader or a report run uses it
            trash = versions / f".trash-{vid}-{_token()}"
            os.rename(path, trash)  # atomic: readers resolving it now see it gone
        except OSError:
            continue
        finally:
            if fd is not None:
                os.close(fd)
        shutil.rmtree(trash, ignore_errors=True)
        removed.append(vid)
    with contextlib.suppress(OSError):
        for leftover in versions.iterdir():
            if leftover.name.startswith((".tmp-", ".trash-")):
                shutil.rmtree(leftover, ignore_errors=True)
    with contextlib.suppress(OSError):
        for leftover in root.iterdir():
            if leftover.name.startswith(".") and ".tmp-" in leftover.name and leftover.is_symlink():
                leftover.unlink()
    return removed
