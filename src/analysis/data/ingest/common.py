"""Helpers shared by the ingest steps: a progress bar for long steps, the Arrow memory pool of an
ingest and handing freed Arrow memory back to the system, and Python's white space as an RE2
character class."""

from __future__ import annotations

import contextlib
import os


def _progress(iterable, desc: str, total: int | None = None):
    """A tqdm progress bar on stderr — only when stderr is a terminal, shown after 2 s."""
    import sys

    stream = sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, file=stream, delay=2.0, leave=False)


# a cell that .strip() or the line-break normalisation would change (Python's white space)
_SPACE = r"[\t\n\x0b\f\r\x1c-\x1f\x{85}\pZ]"


def _release_memory() -> None:
    """Give memory Arrow has freed but kept cached back to the system."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


POOLS = ("jemalloc", "system")
"""Arrow memory pools an ingest uses, the first available (unless ``ARROW_DEFAULT_MEMORY_POOL``
chooses one)."""


@contextlib.contextmanager
def _memory_pool():
    """Allocate the ingest's Arrow memory from jemalloc (else the system's ``malloc``), not from
    pyarrow's default mimalloc; the previous default pool is restored afterwards.

    Measured on a 10^5-row ingest: with mimalloc writing ``answers.parquet`` spent 0.7 s of
    system time (pages handed back and faulted in again for every new piece of the long
    table), with jemalloc or ``malloc`` about 0.2 s; reading the CSV likewise. Set
    ``ARROW_DEFAULT_MEMORY_POOL`` to keep pyarrow's own choice.
    """
    import pyarrow as pa

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        yield
        return
    before = pa.default_memory_pool()
    pool = None
    for name in POOLS:
        with contextlib.suppress(NotImplementedError, AttributeError):
            pool = getattr(pa, f"{name}_memory_pool")()
            break
    if pool is None:  # pragma: no cover
        yield
        return
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)
