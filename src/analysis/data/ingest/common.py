"""Helpers shared by the ingest steps: a progress bar for long steps, handing freed Arrow memory
back to the system, and Python's white space as an RE2 character class."""

from __future__ import annotations


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
