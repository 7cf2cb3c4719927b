"""Masking many distinct texts on more than one CPU core: :func:`mask_all` inside :func:`workers`.

:func:`~analysis.data.pii.bulk.mask_column` masks each distinct text once, but a large export
still holds tens of thousands of distinct free-text answers and the detectors are Python, bound
to one core. Inside ``with workers():`` (what ingest does around building its tables) a long list
of texts is shared between this process and worker processes: this process masks chunks from the
front, the workers chunks from the back, so a worker that starts late (or a busy machine) never
leaves work waiting. A worker that fails hands its chunk back to this process. The result is
exactly ``[mask(t) for t in texts]``: which process masked a text does not matter (the
detectors are pure functions of the text).

:func:`prefetch` hands texts to the workers before anyone asks for them (ingest: each free-text
column's distinct texts, while the export is still being checked); :func:`mask_all` with a
*lookup* finds its texts among them by exact string, finishes that job with the workers and
masks only the texts not found. One feeder thread per worker sends chunks (two ahead of their
results, read by a second thread), always from the job this process is finishing first.

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
import threading
from collections.abc import Callable, Iterable, Iterator

from analysis.data.pii.contact import KINDS
from analysis.data.pii.detect import _keep, _kinds, _mask

PARALLEL_MIN = 8192
"""Fewer texts than this are masked in this process alone (a worker costs ~0.2 s to start)."""
CHUNK = 2048
"""Texts per piece of work handed to a worker (at most; see :class:`_Job`)."""
AHEAD = 2
"""Chunks a worker is sent before the first of them is back."""
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
        if not isinstance(text, str) or not text:
            continue  # mask() returns it as it is, with zero counts
        new, counts = _mask(text, kinds, keep)
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


def _send(worker: subprocess.Popen, texts: list[str], kinds, keep) -> None:
    import pickle

    data = pickle.dumps((texts, kinds, keep), protocol=pickle.HIGHEST_PROTOCOL)
    worker.stdin.write(len(data).to_bytes(8, "little") + data)
    worker.stdin.flush()


def _result(worker: subprocess.Popen):
    import pickle

    header = worker.stdout.read(8)
    if len(header) < 8:
        raise EOFError("worker ended")
    size = int.from_bytes(header, "little")
    body = worker.stdout.read(size)
    if len(body) < size:
        raise EOFError("worker ended")
    return pickle.loads(body)


def _ask(worker: subprocess.Popen, texts: list[str], kinds, keep):
    """One chunk masked by *worker* (raises OSError/EOFError when the worker is gone)."""
    _send(worker, texts, kinds, keep)
    return _result(worker)


# ----------------------------------------------------------------------------- shared work
class _Job:
    """A list of texts masked in chunks: this process takes chunks from the front, the workers'
    feeder threads from the back (under :data:`_cond`); a chunk is an eighth of what is left
    (at most :data:`CHUNK`, at least a sixteenth of it), so that the last chunks are short and
    neither side waits long for the other. *texts* is a list or anything sliced into objects
    with ``to_pylist()`` (an Arrow array)."""

    def __init__(self, texts, kinds: tuple[str, ...], keep: tuple[str, ...]) -> None:
        self.texts, self.kinds, self.keep = texts, kinds, keep
        self.lo, self.hi = 0, len(texts)  # the texts not claimed yet
        self.bounds: list[tuple[int, int]] = []  # claimed chunks
        self.parts: list = []  # their results (None until done, or when a worker failed)
        self.running = 0  # chunks a worker is masking now

    def claim(self, front: bool) -> int | None:
        left = self.hi - self.lo
        if left <= 0:
            return None
        size = max(1, min(CHUNK, left, max(left // 8, CHUNK // 16)))
        if front:
            self.bounds.append((self.lo, self.lo + size))
            self.lo += size
        else:
            self.bounds.append((self.hi - size, self.hi))
            self.hi -= size
        self.parts.append(None)
        return len(self.bounds) - 1

    def chunk(self, k: int) -> list[str]:
        s, e = self.bounds[k]
        part = self.texts[s:e]
        return part.to_pylist() if hasattr(part, "to_pylist") else list(part)


_cond = threading.Condition()
_jobs: list[_Job] = []  # waiting for this process (prefetched, in order)
_state: dict = {"stop": False, "active": None}  # active: the job this process is finishing
_feeders: dict[int, threading.Thread] = {}  # per worker (by pid)
_producers: list[threading.Thread] = []


def _next_chunk() -> tuple[_Job, int] | None:
    """(job, chunk) for a worker: the job this process is finishing first (with _cond held)."""
    active = _state["active"]
    for job in ([active] if active is not None else []) + _jobs:
        k = job.claim(front=False)
        if k is not None:
            job.running += 1
            return job, k
    return None


def _feed(worker: subprocess.Popen) -> None:
    """A feeder thread: sends chunks to *worker* until the block ends or the worker fails, up to
    :data:`AHEAD` before their results are back (so the worker never waits for this process,
    whose threads share one interpreter lock); a second thread reads the results."""
    import queue

    sent: queue.Queue = queue.Queue()
    slots = threading.Semaphore(AHEAD)
    dead = threading.Event()
    receiver = threading.Thread(target=_receive, args=(worker, sent, slots, dead), daemon=True)
    receiver.start()
    try:
        while not dead.is_set():
            slots.acquire()
            with _cond:
                while not (_state["stop"] or dead.is_set()) and (got := _next_chunk()) is None:
                    _cond.wait()
                if _state["stop"] or dead.is_set():
                    break
            sent.put(got)
            job, k = got
            try:
                _send(worker, job.chunk(k), job.kinds, job.keep)
            except Exception:  # the worker is gone (or half a chunk sent): this process does
                dead.set()  # the chunks in flight; the receiver's read ends with the worker
                with contextlib.suppress(OSError):
                    worker.kill()
    finally:
        sent.put(None)
        receiver.join()


def _receive(worker: subprocess.Popen, sent, slots, dead: threading.Event) -> None:
    """The results of the chunks *sent* to *worker*, in order (None for a failed one)."""
    while (got := sent.get()) is not None:
        job, k = got
        part = None
        if not dead.is_set():
            try:
                part = _result(worker)
            except Exception:  # the worker is gone, or its answer unreadable: stop it
                dead.set()
                with contextlib.suppress(OSError):
                    worker.kill()
        with _cond:
            job.parts[k] = part
            job.running -= 1
            _cond.notify_all()
        slots.release()


def _ensure_feeders() -> None:
    for w in _workers:
        if w.pid not in _feeders and w.poll() is None:
            t = threading.Thread(target=_feed, args=(w,), daemon=True)
            _feeders[w.pid] = t
            t.start()


def _finish(job: _Job) -> dict[int, tuple[str, dict[str, int]]]:
    """Mask the rest of *job* here (workers help from the back); {position: (masked, counts)}
    of the texts in which something was masked."""
    with _cond:
        _state["active"] = job
        _cond.notify_all()
    while True:
        with _cond:
            k = job.claim(front=True)
        if k is None:
            break
        job.parts[k] = _masked(job.chunk(k), job.kinds, job.keep)
    with _cond:
        while job.running:
            _cond.wait()
        _state["active"] = None
        if job in _jobs:
            _jobs.remove(job)
    out: dict[int, tuple[str, dict[str, int]]] = {}
    for k, ((s, _), part) in enumerate(zip(job.bounds, job.parts, strict=True)):
        if part is None:  # a worker failed on it
            part = job.parts[k] = _masked(job.chunk(k), job.kinds, job.keep)
        for j, new, c in part:
            out[s + j] = (new, c)
    return out


def prefetch(produce: Callable[[], Iterable], *, kinds=KINDS, keep=()) -> bool:
    """Start masking texts in the workers before they are asked for: *produce* runs in a thread
    and yields lists or Arrow string arrays of distinct texts; each one of at least
    :data:`PARALLEL_MIN` texts is handed to the workers (chunks from the back) while this
    process does other work. :func:`mask_all` with a *lookup* takes the results. Does nothing
    (returns False) outside a :func:`workers` block with workers."""
    if not _allowed or not _workers:
        return False
    kinds, keep = _kinds(kinds), _keep(keep)

    def run() -> None:
        try:
            for texts in produce():
                if _state["stop"]:
                    return
                if len(texts) >= PARALLEL_MIN:
                    with _cond:
                        _jobs.append(_Job(texts, kinds, keep))
                        _ensure_feeders()
                        _cond.notify_all()
        except Exception:  # pragma: no cover - mask_all then masks those texts itself
            return

    t = threading.Thread(target=run, daemon=True)
    _producers.append(t)
    t.start()
    return True


def settle() -> None:
    """Wait until the threads started by :func:`prefetch` have handed over all their texts."""
    for t in list(_producers):
        t.join()


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
        with _cond:
            _state["stop"] = True
            _cond.notify_all()
        for t in (*_producers, *_feeders.values()):
            t.join()
        with _cond:
            _producers.clear()
            _feeders.clear()
            _jobs.clear()
            _state.update(stop=False, active=None)
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
    texts: list[str],
    *,
    kinds: Iterable[str] = KINDS,
    keep: Iterable[str] = (),
    lookup: Callable | None = None,
) -> dict[int, tuple[str, dict[str, int]]]:
    """``mask()`` of every text; return {position: (masked text, counts)} for the texts in which
    something was masked (the others stay as they are, with zero counts).

    *lookup*, given the texts of a :func:`prefetch`, returns for each of *texts* its position
    there (``-1`` when absent, a numpy array): the prefetch that holds most of them is finished
    and its results used; the other texts are masked as usual."""
    kinds, keep = _kinds(kinds), _keep(keep)
    out: dict[int, tuple[str, dict[str, int]]] = {}
    todo = None  # positions still to mask (None: all)
    if lookup is not None and _allowed:
        settle()
        best = None
        for job in [j for j in _jobs if j.kinds == kinds and j.keep == keep]:
            pos = lookup(job.texts)
            hits = int((pos >= 0).sum())
            if hits and (best is None or hits > best[1]):
                best = (job, hits, pos)
        if best is not None:
            import numpy as np

            job, _, pos = best
            found = np.flatnonzero(pos >= 0)
            back = np.full(len(job.texts), -1, dtype=np.int64)
            back[pos[found]] = found
            for p, result in _finish(job).items():
                if back[p] >= 0:
                    out[int(back[p])] = result
            todo = np.flatnonzero(pos < 0).tolist()
            if not todo:
                return out
            texts = [texts[j] for j in todo]
    if not _allowed or len(texts) < PARALLEL_MIN:
        done = {j: (new, c) for j, new, c in _masked(texts, kinds, keep)}
    else:
        if not _workers:
            _start(_allowed[0])
        with _cond:
            _ensure_feeders()
        done = _finish(_Job(texts, kinds, keep))
    if todo is None:
        return done
    for j, result in done.items():
        out[todo[j]] = result
    return out


__all__ = [
    "CHUNK", "PARALLEL_MIN", "WORKERS_ENV", "default_workers", "mask_all", "prefetch", "settle",
    "workers",
]  # fmt: skip
