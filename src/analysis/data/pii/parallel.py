"""Masking many distinct texts on more than one CPU core: :func:`mask_all` inside :func:`workers`.

:func:`~analysis.data.pii.bulk.mask_column` masks each distinct text once, but a large export
still holds tens of thousands of distinct free-text answers and the detectors are Python, bound
to one core. Inside ``with workers():`` (what ingest does around building its tables) a long list
of texts is shared between this process and worker processes: this process masks chunks from the
front, the workers chunks from the back, so a worker that starts late (or a busy machine) never
leaves work waiting. A worker that fails hands its chunk back to this process. The result is
exactly ``[mask(t) for t in texts]``: which process masked a text does not matter (the
detectors are pure functions of the text).

A worker is a fresh interpreter (``python -c``, this process's ``sys.path``) that reads pickled
chunks on its standard input and writes the results on its standard output — not
``multiprocessing``, whose ``spawn`` would run the caller's main script again in the worker
when it lacks an ``if __name__ == "__main__"`` guard, and whose ``fork`` would copy a process
running Arrow threads. Workers start only when there is more than one CPU and stop when the
``with`` block ends. ``ANALYSIS_WORKERS`` sets their number (``0``: none).

>>> with workers(0):
...     mask_all(["Ring 070-111 22 33", "Bra!"])
{0: ('Ring [telefon]', {'email': 0, 'phone': 1, 'personnummer': 0, 'name': 0})}
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator

from analysis.data.pii.contact import KINDS
from analysis.data.pii.detect import _keep, _kinds, mask

PARALLEL_MIN = 8192
"""Fewer texts than this are masked in this process alone (a worker costs ~0.2 s to start)."""
CHUNK = 2048
"""Texts per piece of work handed to a worker."""
WORKERS_ENV = "ANALYSIS_WORKERS"

_workers: list[subprocess.Popen] = []  # started inside a workers() block
_allowed: list[int] = []  # [n] while a workers() block is active


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        return os.cpu_count() or 1


def default_workers() -> int:
    """Worker processes :func:`workers` starts: ``ANALYSIS_WORKERS`` or the CPUs but one (≤ 7)."""
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if raw.isdigit():
        return int(raw)
    return max(0, min(_cpus() - 1, 7))


def _masked(texts, kinds, keep) -> list[tuple[int, str, dict[str, int]]]:
    """(position, masked text, counts) of the texts in which something was masked."""
    out = []
    for j, text in enumerate(texts):
        new, counts = mask(text, kinds=kinds, keep=keep)
        if new is not text or any(counts.values()):  # (mask returns the text itself if not)
            out.append((j, new, counts))
    return out


def _serve() -> None:  # pragma: no cover - runs in a worker process
    """A worker's loop: a pickled (texts, kinds, keep) in, the pickled :func:`_masked` out."""
    import pickle
    import sys

    from analysis.data.pii.lexicon import _names

    _names()
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the result stream
    while header := inp.read(8):
        texts, kinds, keep = pickle.loads(inp.read(int.from_bytes(header, "little")))
        data = pickle.dumps(_masked(texts, kinds, keep), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(8, "little") + data)
        out.flush()


def _start_worker() -> subprocess.Popen | None:
    boot = (
        f"import sys; sys.path[:] = {sys.path!r}; "
        "from analysis.data.pii.parallel import _serve; _serve()"
    )
    try:
        return subprocess.Popen(
            [sys.executable, "-c", boot],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


def _start(n: int) -> None:
    _workers.extend(w for w in (_start_worker() for _ in range(n)) if w is not None)


def _ask(worker: subprocess.Popen, texts: list[str], kinds, keep):
    """One chunk masked by *worker* (raises OSError/EOFError when the worker is gone)."""
    import pickle

    data = pickle.dumps((texts, kinds, keep), protocol=pickle.HIGHEST_PROTOCOL)
    worker.stdin.write(len(data).to_bytes(8, "little") + data)
    worker.stdin.flush()
    header = worker.stdout.read(8)
    if len(header) < 8:
        raise EOFError("worker ended")
    size = int.from_bytes(header, "little")
    body = worker.stdout.read(size)
    if len(body) < size:
        raise EOFError("worker ended")
    return pickle.loads(body)


@contextlib.contextmanager
def workers(n: int | None = None, *, start: bool = False) -> Iterator[None]:
    """Let :func:`mask_all` use up to *n* worker processes inside the block; they start at the
    first list of at least :data:`PARALLEL_MIN` texts (or at once with *start*, while this
    process is still small and has other work to do) and stop when the block ends.

    Parameters
    ----------
    n : int, optional
        Number of workers (default :func:`default_workers`); ``0`` disables them.
    start : bool
        Start the workers now.
    """
    n = default_workers() if n is None else n
    if n < 1 or _allowed:
        yield
        return
    _allowed.append(n)
    try:
        if start:
            _start(n)
        yield
    finally:
        _allowed.clear()
        started, _workers[:] = list(_workers), []
        for w in started:
            with contextlib.suppress(OSError):
                w.stdin.close()
        for w in started:
            try:
                w.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                w.kill()
                w.wait()
            with contextlib.suppress(OSError):
                w.stdout.close()


def mask_all(
    texts: list[str], *, kinds: Iterable[str] = KINDS, keep: Iterable[str] = ()
) -> dict[int, tuple[str, dict[str, int]]]:
    """``mask()`` of every text; return {position: (masked text, counts)} for the texts in which
    something was masked (the others stay as they are, with zero counts)."""
    kinds, keep = _kinds(kinds), _keep(keep)
    if not _allowed or len(texts) < PARALLEL_MIN:
        return {j: (new, c) for j, new, c in _masked(texts, kinds, keep)}
    if not _workers:
        _start(_allowed[0])
    pool = [w for w in _workers if w.poll() is None]
    import threading

    bounds = [(s, min(s + CHUNK, len(texts))) for s in range(0, len(texts), CHUNK)]
    parts: list = [None] * len(bounds)
    lock = threading.Lock()
    ends = [0, len(bounds)]  # this process takes chunks from the front, the workers from the back

    def take(front: bool) -> int | None:
        with lock:
            if ends[0] >= ends[1]:
                return None
            if front:
                ends[0] += 1
                return ends[0] - 1
            ends[1] -= 1
            return ends[1]

    def serve(worker: subprocess.Popen) -> None:
        while (k := take(front=False)) is not None:
            s, e = bounds[k]
            try:
                parts[k] = _ask(worker, texts[s:e], kinds, keep)
            except Exception:  # the worker is gone: this process does its chunk
                return

    threads = [threading.Thread(target=serve, args=(w,), daemon=True) for w in pool]
    for t in threads:
        t.start()
    while (k := take(front=True)) is not None:
        s, e = bounds[k]
        parts[k] = _masked(texts[s:e], kinds, keep)
    for t in threads:
        t.join()
    out: dict[int, tuple[str, dict[str, int]]] = {}
    for (s, e), part in zip(bounds, parts, strict=True):
        if part is None:  # a worker failed on it
            part = _masked(texts[s:e], kinds, keep)
        for j, new, c in part:
            out[s + j] = (new, c)
    return out


__all__ = ["CHUNK", "PARALLEL_MIN", "WORKERS_ENV", "default_workers", "mask_all", "workers"]
