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
when they hold no answer at all (``excluded_reasons`` counts why).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.data.codebook import Codebook, load_codebook
from analysis.errors import ConfigError, InputValidationError, Problem

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from analysis.data.headers import HeaderMatch
    from analysis.data.readers import RawTable

OUTPUT_FILES = ("responses.parquet", "answers.parquet", "manifest.json")
EXPORT_SUFFIXES = (".xlsx", ".csv")
EXCLUDED_EMPTY_ROW = "tom rad"
EXCLUDED_NO_ANSWERS = "inga svar på någon fråga"


# ----------------------------------------------------------------------------- inputs
def _codebook(survey: str, codebook: Codebook | str | Path | None) -> Codebook:
    if codebook is None:
        return load_codebook(survey)
    cb = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
    if cb.survey != survey:
        raise ConfigError(f"{cb.path}: kodboken gäller {cb.survey!r}, inte {survey!r}.")
    return cb


NON_EXPORT_STEMS = ("verified_codes",)
"""Files beside the export that are never an export (the coder's verified theme codes)."""


def find_input(survey: str, codebook: Codebook | None = None) -> Path:
    """The export to ingest by default from ``data/raw/<survey>/``, chosen by its headers.

    Candidates are the ``.xlsx``/``.csv`` files of the folder except hidden and Office lock files
    (``~$…``) and known non-exports (``verified_codes.*``). With more than one candidate, only
    files whose column headers match at least one question of the codebook count as exports; a
    file that cannot be read at all is reported rather than skipped (it may be the real export).
    A real export is preferred to synthetic demo data — which file is synthetic is decided by the
    demo generator's marker (:func:`is_synthetic`), never by the file name. Several real exports
    (or several demo files, none of them the codebook's ``demo.file``) give an error asking for
    ``--input``.

    Raises
    ------
    InputValidationError
        No export, or the choice is ambiguous (one line naming the files and what to do).
    """
    from analysis.data.demo import written_by_generator

    folder = paths.raw_dir(survey)
    if not folder.is_dir():
        raise _no_input(folder, f"mappen {folder} finns inte")
    files = [
        p
        for p in sorted(folder.iterdir())
        if p.is_file()
        and p.suffix.lower() in EXPORT_SUFFIXES
        and not p.name.startswith((".", "~$"))
        and p.stem.lower() not in NON_EXPORT_STEMS
    ]
    if not files:
        raise _no_input(
            folder,
            "ingen export (.xlsx eller .csv) hittades",
            f"Lägg exporten i {folder} eller ange den med --input; demodata skapas med "
            f"'analysis demo {survey}'",
        )
    cb = codebook if codebook is not None else load_codebook(survey)
    if len(files) > 1:
        scores = {p: _header_score(p, cb) for p in files}
        unreadable = [p for p, s in scores.items() if s is None]
        if unreadable:
            raise _no_input(
                folder,
                "filen "
                + ", ".join(p.name for p in unreadable)
                + " kunde inte läsas som en enkätexport och kan vara den riktiga exporten",
                f"Kontrollera den med 'analysis validate {survey} {unreadable[0]}' och ange "
                f"exporten med --input, eller flytta filen ur {folder}",
            )
        files = [p for p in files if scores[p]]
        if not files:
            shown = ", ".join(f"{p.name} (0 av {len(cb.questions)} frågor)" for p in scores)
            raise _no_input(
                folder,
                f"ingen fil har kolumnrubriker som matchar kodboken: {shown}",
                f"Lägg exporten i {folder} eller ange den med --input",
            )
    real = [p for p in files if not written_by_generator(p)]
    demo = [p for p in files if p not in real]
    if len(real) == 1:
        return real[0]
    if len(real) > 1:
        names = ", ".join(p.name for p in real)
        raise _no_input(
            folder,
            f"flera exporter matchar kodboken ({names})",
            f"Välj en med --input, t.ex. analysis ingest {survey} --input {real[0]}",
        )
    if len(demo) == 1:
        return demo[0]
    declared = [p for p in demo if p.name == cb.demo_file]
    if declared:
        return declared[0]
    names = ", ".join(p.name for p in demo)
    raise _no_input(folder, f"flera demofiler hittades ({names})", "Välj en med --input")


def _header_score(path: Path, codebook: Codebook) -> int | None:
    """How many codebook questions the file's headers match (``None``: not readable)."""
    from analysis.data.headers import match_headers
    from analysis.data.readers import read_export

    try:
        table = read_export(path)
    except (InputValidationError, OSError, ValueError):
        return None
    return len(match_headers(table.headers, codebook).questions)


def _no_input(folder: Path, message: str, hint: str = "") -> InputValidationError:
    return InputValidationError(
        [Problem(file=str(folder), message=message, hint=hint, kind="no_input")]
    )


# ------------------------------------------------------------------------- preparation
@dataclass
class Prepared:
    """An export read, matched and validated (before personal data is removed)."""

    codebook: Codebook
    table: RawTable
    match: HeaderMatch
    frame: pd.DataFrame
    """Raw text answers of the kept rows: index = spreadsheet row, columns = question ids."""
    headers: dict[str, str]
    rows_in: int
    excluded: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    people: list[tuple[list[str], list[str]]] = field(default_factory=list)
    """Per kept row (aligned with ``frame``): the values of its name and e-mail columns, used
    only to mask the respondent's own name in free text; never written."""


def _prepare(codebook: Codebook, path: Path) -> Prepared:
    import pandas as pd

    from analysis.data.headers import (
        double_header_problem,
        header_key,
        header_problems,
        match_headers,
        question_keys,
    )
    from analysis.data.pii import pii_header_kind
    from analysis.data.readers import read_export
    from analysis.data.reference import normalise_municipality
    from analysis.data.validation import ID_COLUMN, validate_answers

    all_keys = set().union(*(question_keys(q) for q in codebook.questions))

    def score(cells: list[str]) -> int:
        return sum(1 for c in cells if header_key(c) in all_keys)

    table = read_export(path, header_score=score)
    file = table.file
    match = match_headers(table.headers, codebook)
    first_row = table.rows[0] if table.rows else None
    double = double_header_problem(
        match, table.headers, first_row, codebook, file, table.header_row
    )
    if double is not None:
        raise InputValidationError([double])
    problems = header_problems(match, table.headers, codebook, file, table.header_row, table.sheets)

    columns = dict(match.questions)
    if match.id_column is not None:
        columns[ID_COLUMN] = match.id_column
    headers = {name: table.headers[j] for name, j in columns.items()}
    qcols = list(match.questions.values())
    kinds = {j: pii_header_kind(table.headers[j]) for j in match.pii_columns}
    name_cols = [j for j, k in kinds.items() if k == "name"]
    email_cols = [j for j, k in kinds.items() if k == "email"]
    people: list[tuple[list[str], list[str]]] = []
    rows_in = len(table.rows)
    records: list[dict[str, Any]] = []
    index: list[int] = []
    excluded: dict[str, int] = {}
    for i, row in enumerate(table.rows):
        if not any(c is not None for c in row):
            excluded[EXCLUDED_EMPTY_ROW] = excluded.get(EXCLUDED_EMPTY_ROW, 0) + 1
            continue
        if qcols and not any(row[j] is not None for j in qcols if j < len(row)):
            excluded[EXCLUDED_NO_ANSWERS] = excluded.get(EXCLUDED_NO_ANSWERS, 0) + 1
            continue
        records.append({name: (row[j] if j < len(row) else None) for name, j in columns.items()})
        index.append(table.source_row(i))
        people.append(
            (
                [str(row[j]) for j in name_cols if j < len(row) and row[j] is not None],
                [str(row[j]) for j in email_cols if j < len(row) and row[j] is not None],
            )
        )
    frame = pd.DataFrame.from_records(
        records, columns=list(columns), index=pd.Index(index, dtype="int64")
    )
    frame = frame.astype(object).where(frame.notna(), None)
    if not records and match.questions:
        problems.append(
            Problem(
                file=file,
                message="filen innehåller inga svar (alla rader är tomma)",
                hint="Kontrollera att exporten gjordes efter att svaren kommit in",
                kind="header_only",
            )
        )
    elif records:
        problems += validate_answers(frame, codebook, headers, file, normalise_municipality)
    return Prepared(codebook, table, match, frame, headers, rows_in, excluded, problems, people)


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


# ------------------------------------------------------------------------------ tables
def _string(values: list[Any]):
    import pandas as pd

    return pd.array(values, dtype="string")


def _categorical(values: list[Any], categories: list[str], ordered: bool):
    import pandas as pd

    return pd.Categorical(values, categories=categories, ordered=ordered)


def build_tables(prepared: Prepared) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Typed wide table, long answers table and masked counts from a valid export.

    Free text is masked: e-mail addresses, phone numbers and personnummer (:func:`~analysis.data.pii.
    mask_text`), then the respondent's own name and e-mail local part, taken from the row's name
    and e-mail columns before they are dropped (:func:`~analysis.data.pii.person_pattern`).
    """
    import pandas as pd

    from analysis.data import reference
    from analysis.data.pii import mask_person, mask_text, person_pattern
    from analysis.data.validation import match_option, split_multi

    cb = prepared.codebook
    frame = prepared.frame
    n = len(frame)
    width = max(3, len(str(prepared.rows_in)))
    source_rows = [int(r) for r in frame.index]
    rids = [f"r{r - prepared.table.header_row:0{width}d}" for r in source_rows]
    wide: dict[str, Any] = {
        "respondent_id": _string(rids),
        "source_row": pd.array(source_rows, dtype="int64"),
    }
    long_rows: dict[int, list[tuple]] = {i: [] for i in range(n)}
    masked = {"email": 0, "phone": 0, "personnummer": 0, "name": 0}
    sector_done = False
    people = prepared.people if len(prepared.people) == n else [([], [])] * n
    person_re: dict[int, Any] = {}  # row → compiled pattern, built on first use

    for q in cb.questions:
        if q.id not in frame.columns:  # pragma: no cover - missing columns are rejected earlier
            continue
        raw = frame[q.id].tolist()
        if q.type in ("single", "likert", "org_type"):
            opts = [match_option(v, q) for v in raw]
            wide[q.id] = _categorical([o.label if o else None for o in opts], q.labels, True)
            for i, o in enumerate(opts):
                if o is not None:
                    long_rows[i].append((q, o.code, o.label))
            if q.type == "org_type" and not sector_done:
                sectors = [reference.sector_for_org_type(o.label) if o else None for o in opts]
                wide["sektor"] = _categorical(sectors, list(reference.SECTORS), False)
                sector_done = True
        elif q.type == "multi":
            ticked = [split_multi(v, q)[0] if v is not None else None for v in raw]
            for o in q.options:
                wide[f"{q.id}__{o.code}"] = pd.array(
                    [None if t is None else (o in t) for t in ticked], dtype="boolean"
                )
            for i, t in enumerate(ticked):
                for o in sorted(t or [], key=q.options.index):
                    long_rows[i].append((q, o.code, o.label))
        elif q.type == "municipality":
            muni = reference.load_municipalities()
            by_name = muni.set_index("kommun")
            names = [reference.normalise_municipality(v) if v is not None else None for v in raw]
            wide[q.id] = _categorical(names, list(muni["kommun"]), False)
            wide["kommunkod"] = _string([by_name.at[m, "kommunkod"] if m else None for m in names])
            wide["kommungrupp"] = _string(
                [by_name.at[m, "kommungrupp"] if m else None for m in names]
            )
            for i, m in enumerate(names):
                if m is not None:
                    long_rows[i].append((q, str(by_name.at[m, "kommunkod"]), m))
        else:  # text
            texts: list[str | None] = []
            for i, v in enumerate(raw):
                if v is None:
                    texts.append(None)
                    continue
                t = v.replace("\r\n", "\n").replace("\r", "\n").strip()
                if not t:
                    texts.append(None)
                    continue
                t, counts = mask_text(t)
                for k, c in counts.items():
                    masked[k] += c
                if i not in person_re:
                    person_re[i] = person_pattern(*people[i])
                t, c = mask_person(t, person_re[i])
                masked["name"] += c
                texts.append(t)
            wide[q.id] = _string(texts)
            for i, t in enumerate(texts):
                if t is not None:
                    long_rows[i].append((q, None, t))

    wide_df = pd.DataFrame(wide)
    records = [
        (rids[i], q.id, q.type, code, value) for i in range(n) for (q, code, value) in long_rows[i]
    ]
    long_df = pd.DataFrame(
        {
            "respondent_id": _string([r[0] for r in records]),
            "question_id": _string([r[1] for r in records]),
            "question_type": _string([r[2] for r in records]),
            "option_code": _string([r[3] for r in records]),
            "value": _string([r[4] for r in records]),
        }
    )
    return wide_df, long_df, masked


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="snappy", write_statistics=True)
    return sink.getvalue().to_pybytes()


def is_synthetic(codebook: Codebook, source: Path) -> bool:
    """Whether *source* is the synthetic demo export, decided by what only the demo generator
    writes — never by the file name (a real export saved as ``demo_*.xlsx`` is real data).

    Synthetic iff :func:`analysis.data.demo.written_by_generator`: an ``.xlsx`` whose embedded
    demo marker (a custom document property) matches its cell values, or a file whose sidecar
    ``<name>.demo.json`` holds the sha256 of its exact bytes. *codebook* is not consulted.
    """
    from analysis.data.demo import written_by_generator

    return written_by_generator(source)


def build_manifest(prepared: Prepared, rows_out: int, masked: dict[str, int]) -> dict[str, Any]:
    """The manifest (deterministic: no wall-clock time, no absolute paths)."""
    from analysis import __version__
    from analysis.data.readers import FORMATS

    t = prepared.table
    m = prepared.match
    dropped = [
        t.headers[j]
        for j in sorted([*m.pii_columns, *([m.id_column] if m.id_column is not None else [])])
    ]
    excluded = sum(prepared.excluded.values())
    return {
        "survey": prepared.codebook.survey,
        "source_file": t.path.name,
        "source_sha256": t.sha256,
        "source_size": t.size,
        "source_format": t.format,
        "codebook_sha256": prepared.codebook.sha256,
        "codebook_version": prepared.codebook.version,
        "rows_in": prepared.rows_in,
        "rows_out": rows_out,
        "rows_excluded": excluded,
        "dropped_columns": dropped,
        "masked_counts": dict(masked),
        "package_version": __version__,
        "synthetic": is_synthetic(prepared.codebook, t.path),
        # additions beyond the minimal contract
        "source_format_label": FORMATS.get(t.format, t.format),
        "source_encoding": t.encoding,
        "source_delimiter": t.delimiter,
        "excluded_reasons": dict(sorted(prepared.excluded.items())),
        "metadata_columns": [t.headers[j] for j in m.metadata_columns],
        "ignored_columns": [t.headers[j] for j in m.ignored_columns],
        "question_columns": {qid: t.headers[j] for qid, j in m.questions.items()},
    }


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
    from analysis.data.labels import public_manifest

    cb = _codebook(survey, codebook)
    source = Path(input_path) if input_path is not None else find_input(survey, cb)
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
    target = Path(out_dir) if out_dir is not None else paths.processed_dir(survey)
    store.publish(target, files)  # a new version, published atomically (analysis.data.store)
    return manifest


__all__ = ["OUTPUT_FILES", "build_manifest", "build_tables", "find_input", "ingest", "validate"]
