"""Ingest a survey export: read → match headers → validate → remove personal data → write.

:func:`ingest` turns an export (Microsoft Forms ``.xlsx``, Google Forms ``.csv``, Swedish Excel
``.csv``) into the processed contract of ``docs/ARCHITECTURE.md`` in
``data/processed/<survey>/``:

* ``responses.parquet`` — wide, one row per respondent, typed from the codebook;
* ``answers.parquet`` — long/tidy, one row per given answer (per ticked option for multi-select);
* ``manifest.json`` — provenance, deterministic (no wall-clock time), so reruns on the same input
  give byte-identical files.

Every problem found is collected and raised at once as
:class:`analysis.errors.InputValidationError`; then nothing is written. :func:`validate` runs the
same checks and returns the problems without writing anything.

Every input row is accounted for: ``rows_in == rows_out + rows_excluded``; rows are only excluded
when they hold no answer at all (``excluded_reasons`` counts why). What is accepted but deserves a
look — duplicate respondents, removed control characters, spreadsheet error values (counted as
missing), unmerged cells, ignored stray cells — is listed in the manifest's ``warnings`` (counts
and spreadsheet rows, never values; :func:`build_warnings`) and printed by :func:`warning_lines`.

Speed and memory: the work is done a column at a time on Arrow arrays — each column's distinct
values are matched to the codebook once and the results spread back to the rows, free text is
masked once per distinct text — so the cost is linear in the rows with no per-row Python work
except for the few texts that may hold personal data. A large UTF-8 CSV is parsed by pyarrow
straight from disk and the long table is built and written one Parquet row group at a time;
``benchmarks/bench_ingest.py`` prints the figures (about 3 × the CSV's size in peak memory).
The distinct free texts of a large export are masked by this process and worker processes
together (:mod:`analysis.data.pii.parallel`), and Arrow memory comes from jemalloc rather than
pyarrow's default mimalloc, which spent more system time faulting pages in again than the
Parquet encoding itself took (:func:`~analysis.data.ingest.common._memory_pool`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.data.codebook import Codebook
from analysis.data.ingest.common import _memory_pool, _progress, _release_memory
from analysis.data.ingest.inputs import (
    EXPORT_SUFFIXES,  # noqa: F401 - re-exported
    NON_EXPORT_STEMS,  # noqa: F401 - re-exported
    _codebook,
    find_input,
    is_synthetic,  # noqa: F401 - re-exported
)
from analysis.data.ingest.manifest import (
    MAX_LISTED,  # noqa: F401 - re-exported
    build_manifest,
    build_warnings,
    warning_lines,
)
from analysis.data.ingest.model import Prepared  # noqa: F401 - re-exported
from analysis.data.ingest.prepare import (
    EXCLUDED_EMPTY_ROW,  # noqa: F401 - re-exported
    EXCLUDED_NO_ANSWERS,  # noqa: F401 - re-exported
    SPREADSHEET_ERRORS,
    _prepare,
)
from analysis.data.ingest.tables import (
    LONG_COLUMNS,  # noqa: F401 - re-exported
    ROW_GROUP_ROWS,
    LongAnswers,
    build_tables,
)
from analysis.data.pii.parallel import workers
from analysis.errors import InputValidationError, Problem

OUTPUT_FILES = ("responses.parquet", "answers.parquet", "manifest.json")
PARALLEL_BYTES = 8 << 20
"""Exports of at least this size have their free text masked by worker processes too (about
10 000 respondents of a survey like partner_2021; a worker costs ~0.2 s to start)."""


def validate(
    survey: str, path: str | Path, codebook: Codebook | str | Path | None = None
) -> list[Problem]:
    """Check an export without writing anything; return every problem (empty when valid)."""
    cb = _codebook(survey, codebook)
    try:
        prepared = _prepare(cb, Path(path))
    except InputValidationError as exc:
        return list(exc.problems)
    return prepared.problems


def _parquet_bytes(df) -> bytes:
    """Parquet (snappy, statistics) of a DataFrame, an Arrow table or :class:`LongAnswers`.

    The long table is written one row group at a time — the next piece is built in a second
    thread while the current one is encoded — into a temporary file (no growing in-memory
    buffer next to the bytes returned)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if isinstance(df, LongAnswers):
        import tempfile
        from concurrent.futures import ThreadPoolExecutor

        step = ROW_GROUP_ROWS
        starts = list(range(0, len(df), step)) or [0]
        with (
            tempfile.TemporaryFile() as fh,
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            pending = pool.submit(df.to_arrow, 0, step)
            first = pending.result()
            with pq.ParquetWriter(
                fh, first.schema, compression="snappy", write_statistics=True
            ) as writer:
                batch = first
                for k in _progress(range(len(starts)), "Skriver answers.parquet"):
                    if k + 1 < len(starts):
                        pending = pool.submit(df.to_arrow, starts[k + 1], starts[k + 1] + step)
                    writer.write_table(batch)
                    if k + 1 < len(starts):
                        batch = pending.result()
            del batch, first
            _release_memory()
            fh.seek(0)
            return fh.read()
    sink = pa.BufferOutputStream()
    table = df if isinstance(df, pa.Table) else pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, sink, compression="snappy", write_statistics=True)
    return sink.getvalue().to_pybytes()


def _build(cb: Codebook, source: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The public manifest and the bytes of every output file of a valid export."""
    from analysis.data.labels import public_manifest

    try:
        large = source.stat().st_size >= PARALLEL_BYTES
    except OSError:
        large = False  # reading reports it
    # free text is masked on every core (analysis.data.pii.parallel); the workers start while
    # the export is read
    with workers(None if large else 0, start=True):
        prepared = _prepare(cb, source)
        if prepared.problems:
            raise InputValidationError(prepared.problems)
        wide, long, masked = build_tables(prepared)
    manifest = build_manifest(prepared, len(wide), masked)
    if manifest["rows_in"] != manifest["rows_out"] + manifest["rows_excluded"]:  # pragma: no cover
        raise AssertionError("row accounting failed")
    manifest = public_manifest(manifest)  # file name and headers only after the PII check
    files = {
        "responses.parquet": _parquet_bytes(wide),
        "answers.parquet": _parquet_bytes(long),
        "manifest.json": (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode(
            "utf-8"
        ),
    }
    return manifest, files


def ingest(
    survey: str,
    input_path: str | Path | None = None,
    out_dir: str | Path | None = None,
    codebook: Codebook | str | Path | None = None,
) -> dict[str, Any]:
    """Ingest an export of *survey* and write the processed files; return the manifest.

    Parameters
    ----------
    survey
        ``partner_2021`` or ``municipality_2023``.
    input_path
        The export; default: the single export in ``data/raw/<survey>/`` (see :func:`find_input`).
    out_dir
        Output folder; default ``data/processed/<survey>``.
    codebook
        A :class:`~analysis.data.codebook.Codebook` or path to use instead of the survey's own.

    Raises
    ------
    InputValidationError
        With every problem found; nothing is written and earlier outputs stay as they were.
    OutputError
        The output folder cannot be written (a file, read-only, full disk); nothing changed.
    LockTimeoutError
        Another ingest into the same folder did not finish in time.
    """
    from analysis.data import store

    cb = _codebook(survey, codebook)
    source = Path(input_path) if input_path is not None else find_input(survey, cb)
    with _memory_pool():
        manifest, files = _build(cb, source)
    target = Path(out_dir) if out_dir is not None else paths.processed_dir(survey)
    store.publish(target, files)  # a new version, published atomically (analysis.data.store)
    return manifest


__all__ = [
    "OUTPUT_FILES",
    "SPREADSHEET_ERRORS",
    "LongAnswers",
    "build_manifest",
    "build_tables",
    "build_warnings",
    "find_input",
    "ingest",
    "validate",
    "warning_lines",
]
