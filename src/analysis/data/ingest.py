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
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.data.codebook import Codebook, load_codebook
from analysis.errors import ConfigError, InputValidationError, Problem

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from analysis.data.codebook import Question
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
SPREADSHEET_ERRORS = (
    "#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#BLOCKED!", "#BUSY!", "#CONNECT!", "#EXTERNAL!", "#FIELD!", "#PYTHON!",
    "#UNKNOWN!", "#ERROR!",
    # as Swedish Excel writes them into a CSV
    "#SAKNAS!", "#REFERENS!", "#DIVISION/0!", "#VÄRDEFEL!", "#NAMN?", "#OGILTIGT!", "#SKÄRNING!",
)  # fmt: skip
"""Spreadsheet error values (Excel in English and Swedish, Google Sheets; also LibreOffice's
``Err:NNN``): an answer cell holding one (any case, surrounding spaces ignored) is treated as
missing."""

_ERROR_RE = "^(?:" + "|".join(re.escape(e) for e in SPREADSHEET_ERRORS) + r"|ERR:[0-9]{3})$"
MAX_LISTED = 1000
"""At most this many spreadsheet rows (or cell references) are listed per warning in the
manifest; the counts are always complete."""


@dataclass
class Prepared:
    """An export read, matched and validated (before personal data is removed)."""

    codebook: Codebook
    table: RawTable
    match: HeaderMatch
    frame: pd.DataFrame
    """Raw text answers of the kept rows: index = spreadsheet row, columns = question ids (and
    ``__id``), ``string`` dtype with ``NA`` for an empty cell."""
    headers: dict[str, str]
    rows_in: int
    excluded: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    people: tuple[list, list] = field(default_factory=lambda: ([], []))
    """The kept rows' name columns and e-mail columns (aligned with ``frame``), used only to
    mask the respondent's own name in free text; never written."""
    warnings: dict[str, Any] = field(default_factory=dict)
    """What was accepted but deserves a look (see :func:`build_warnings`); no values."""


def _progress(iterable, desc: str, total: int | None = None):
    """A tqdm progress bar on stderr — only when stderr is a terminal, shown after 2 s."""
    import sys

    stream = sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, file=stream, delay=2.0, leave=False)


def _null_errors(col) -> tuple[Any, list[int], list[str]]:
    """*col* with spreadsheet error values nulled; their row positions and normalised texts."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if col.null_count == len(col):
        return col, [], []
    # cheap anchored pre-check on the raw cells, the exact test only on the few candidates
    maybe = pc.match_substring_regex(col, rf"^{_SPACE}*(?:#|[Ee][Rr][Rr]:)")
    candidates = np.flatnonzero(pc.fill_null(maybe, False).to_numpy(zero_copy_only=False))
    if not len(candidates):
        return col, [], []
    key = pc.utf8_upper(pc.utf8_trim_whitespace(col.take(pa.array(candidates))))
    exact = pc.fill_null(pc.match_substring_regex(key, _ERROR_RE), False)
    exact = exact.to_numpy(zero_copy_only=False)
    if not exact.any():
        return col, [], []
    positions = candidates[exact]
    codes = key.filter(pa.array(exact)).to_pylist()
    hit = np.zeros(len(col), dtype=bool)
    hit[positions] = True
    return pc.if_else(pa.array(hit), pa.scalar(None, col.type), col), positions.tolist(), codes


def _listed(values: list) -> list:
    return list(values[:MAX_LISTED])


def _group_ids(columns: list) -> Any:
    """One integer per row, equal exactly when the rows' codes in every column are equal."""
    import numpy as np
    import pandas as pd

    codes = pd.DataFrame(np.column_stack(columns))
    return codes.groupby(list(codes.columns), sort=False).ngroup().to_numpy()


def build_warnings(
    table: RawTable,
    frame: pd.DataFrame,
    errors: list[tuple[int, str]],
    free_text: set[str] = frozenset(),
) -> dict[str, Any]:
    """The manifest's ``warnings``: counts and spreadsheet rows (or cell references), never values.

    * ``duplicate_rows`` — kept rows whose answers to every question equal an earlier row's
      (``groups``: the first row, then its copies); kept in the data;
    * ``bidi_controls`` — cells from which bidirectional control characters were removed;
    * ``nul_characters`` — cells from which NUL characters were removed;
    * ``spreadsheet_errors`` — answer cells holding a spreadsheet error value (``codes``:
      count per error), treated as missing;
    * ``merged_cells`` — merged ranges below the header that were unmerged (every cell got the
      range's value);
    * ``cells_outside_table`` — filled cells far outside the table, ignored.
    """
    import numpy as np
    import pandas as pd

    from analysis.data.validation import ID_COLUMN, factorize

    qids = [c for c in frame.columns if c != ID_COLUMN]
    groups: list[list[int]] = []
    count = 0
    if len(frame) > 1 and qids:
        # closed answers first; the free text of the (few) rows that agree on those after
        short = [c for c in qids if c not in free_text] or qids
        ids = _group_ids([factorize(frame[c], codes_only=True)[0] for c in short])
        rows = np.asarray(frame.index, dtype=np.int64)
        candidates = np.flatnonzero(pd.Series(ids).duplicated(keep=False).to_numpy())
        texts = [c for c in qids if c not in short]
        if len(candidates) and texts:
            sub = frame.iloc[candidates]
            ids = _group_ids(
                [ids[candidates]] + [factorize(sub[c], codes_only=True)[0] for c in texts]
            )
            rows = rows[candidates]
        dup = pd.Series(ids).duplicated(keep="first").to_numpy()
        count = int(dup.sum())
        if count:
            members: dict[int, list[int]] = {}
            for pos in np.flatnonzero(np.isin(ids, np.unique(ids[dup]))):
                members.setdefault(int(ids[pos]), []).append(int(rows[pos]))
            listed = 0
            for group in members.values():
                if listed >= MAX_LISTED:
                    break
                groups.append(group)
                listed += len(group)
    f = table.findings

    def cells(kind: str) -> dict[str, Any]:
        hits = f.get(kind, [])
        return {"cells": len(hits), "rows": _listed(sorted({r for r, _ in hits}))}

    codes_count: dict[str, int] = {}
    for _, code in errors:
        codes_count[code] = codes_count.get(code, 0) + 1
    merged = f.get("merged", [])
    outside = f.get("outside", [])
    return {
        "duplicate_rows": {"count": count, "groups": groups},
        "bidi_controls": cells("bidi"),
        "nul_characters": cells("nul"),
        "spreadsheet_errors": {
            "cells": len(errors),
            "codes": dict(sorted(codes_count.items())),
            "rows": _listed(sorted({r for r, _ in errors})),
        },
        "merged_cells": {
            "ranges": _listed([m["range"] for m in merged]),
            "cells": sum(m["cells"] for m in merged),
            "rows": _listed(f.get("merged_rows", [])),
        },
        "cells_outside_table": {"cells": len(outside), "refs": _listed(outside)},
    }


def _shown_rows(rows: list[int], total: int | None = None, limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    more = (total if total is not None else len(rows)) - min(limit, len(rows))
    return f"rad {shown}" + (f" … (+{more})" if more > 0 else "")


def warning_lines(manifest: dict[str, Any]) -> list[str]:
    """One Swedish line per kind of warning in *manifest* (for the ingest summary).

    >>> w = {"duplicate_rows": {"count": 1, "groups": [[3, 9]]},
    ...      "spreadsheet_errors": {"cells": 2, "codes": {"#N/A": 2}, "rows": [4, 6]}}
    >>> for line in warning_lines({"warnings": w}): print(line)
    Varning: 1 rad har exakt samma svar som en tidigare rad (rad 9 som rad 3) – kontrollera om någon har svarat två gånger; raderna finns kvar i data.
    Varning: 2 celler med felvärden från kalkylprogrammet (#N/A: 2) räknades som obesvarade (rad 4, 6).
    """
    w = manifest.get("warnings") or {}
    lines = []
    dup = w.get("duplicate_rows") or {}
    if dup.get("count"):
        pairs = [f"{', '.join(map(str, g[1:]))} som rad {g[0]}" for g in dup["groups"][:5]]
        n = dup["count"]
        lines.append(
            f"Varning: {n} {'rad har' if n == 1 else 'rader har'} exakt samma svar som en "
            f"tidigare rad (rad {'; rad '.join(pairs)}{' …' if len(dup['groups']) > 5 else ''}) "
            "– kontrollera om någon har svarat två gånger; raderna finns kvar i data."
        )
    bidi = w.get("bidi_controls") or {}
    if bidi.get("cells"):
        lines.append(
            f"Varning: styrtecken för textriktning (t.ex. U+202E) togs bort ur {bidi['cells']} "
            f"cell(er) ({_shown_rows(bidi['rows'])}) – de kan få texten att visas i en annan "
            "ordning än den är lagrad."
        )
    nul = w.get("nul_characters") or {}
    if nul.get("cells"):
        lines.append(
            f"Varning: NUL-tecken togs bort ur {nul['cells']} cell(er) "
            f"({_shown_rows(nul['rows'])}) – kontrollera att exportfilen inte är skadad."
        )
    err = w.get("spreadsheet_errors") or {}
    if err.get("cells"):
        codes = ", ".join(f"{k}: {v}" for k, v in err["codes"].items())
        n = err["cells"]
        lines.append(
            f"Varning: {n} {'cell' if n == 1 else 'celler'} med felvärden från kalkylprogrammet "
            f"({codes}) räknades som obesvarade ({_shown_rows(err['rows'])})."
        )
    merged = w.get("merged_cells") or {}
    if merged.get("cells"):
        ranges = ", ".join(merged["ranges"][:5]) + (" …" if len(merged["ranges"]) > 5 else "")
        lines.append(
            f"Varning: sammanslagna celler ({ranges}) delades upp – områdets värde gavs till "
            f"{merged['cells']} cell(er) till ({_shown_rows(merged['rows'])}); kontrollera att "
            "det stämmer."
        )
    outside = w.get("cells_outside_table") or {}
    if outside.get("cells"):
        refs = ", ".join(outside["refs"][:10]) + (" …" if outside["cells"] > 10 else "")
        lines.append(
            f"Varning: {outside['cells']} ifylld(a) cell(er) långt utanför tabellen ignorerades "
            f"({refs})."
        )
    return lines


def _prepare(codebook: Codebook, path: Path) -> Prepared:
    import numpy as np
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
    first_row = table.row(0) if table.n_rows else None
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
    rows_in = table.n_rows

    # spreadsheet error values in answer cells count as missing
    cols = list(table.columns)
    errors: list[tuple[int, str]] = []
    for j in sorted(set(qcols)):
        cols[j], positions, codes = _null_errors(cols[j])
        errors += [(table.source_row(i), c) for i, c in zip(positions, codes, strict=True)]
    errors.sort()

    # every input row is accounted for: empty rows and rows without answers are excluded
    filled = np.zeros(rows_in, dtype=bool)
    answered = np.zeros(rows_in, dtype=bool)
    for j, col in enumerate(cols):
        if col.null_count < len(col):
            valid = col.is_valid().to_numpy(zero_copy_only=False)
            filled |= valid
            if j in qcols:
                answered |= valid
    excluded: dict[str, int] = {}
    keep = filled & answered if qcols else filled
    if (~filled).any():
        excluded[EXCLUDED_EMPTY_ROW] = int((~filled).sum())
    if qcols and (filled & ~answered).any():
        excluded[EXCLUDED_NO_ANSWERS] = int((filled & ~answered).sum())

    import pyarrow as pa

    mask = None if keep.all() else pa.array(keep)

    def kept(j: int):
        return cols[j] if mask is None else cols[j].filter(mask)

    source_rows = np.arange(rows_in, dtype=np.int64) + table.header_row + 1
    frame = pd.DataFrame(
        {name: pd.array(kept(j), dtype="string") for name, j in columns.items()},
        index=pd.Index(source_rows[keep], dtype="int64"),
        columns=list(columns),
    )
    people = ([kept(j) for j in name_cols], [kept(j) for j in email_cols])
    if not keep.any() and match.questions:
        problems.append(
            Problem(
                file=file,
                message="filen innehåller inga svar (alla rader är tomma)",
                hint="Kontrollera att exporten gjordes efter att svaren kommit in",
                kind="header_only",
            )
        )
    elif keep.any():
        problems += validate_answers(frame, codebook, headers, file, normalise_municipality)
    free_text = {q.id for q in codebook.questions if q.type == "text"}
    warnings = build_warnings(table, frame, errors, free_text) if not problems else {}
    # the frame holds what is needed from here on; let the other raw columns go
    table = dataclasses.replace(table, columns=[])
    _release_memory()
    return Prepared(
        codebook, table, match, frame, headers, rows_in, excluded, problems, people, warnings
    )


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
LONG_COLUMNS = ("respondent_id", "question_id", "question_type", "option_code", "value")
ROW_GROUP_ROWS = 1024 * 1024
"""Rows per Parquet row group (pyarrow's default), also the size of the pieces the long table
is built in."""


def _string_schema(names) -> Any:
    """The Arrow schema (with pandas metadata) of a frame of ``string`` columns *names*."""
    import pandas as pd
    import pyarrow as pa

    empty = pd.DataFrame({c: pd.array([], dtype="string") for c in names})
    return pa.Table.from_pandas(empty, preserve_index=False).schema


@dataclass
class LongAnswers:
    """The long answers table (``answers.parquet``) in compact form.

    One entry per given answer, sorted by respondent, then question, then option; the text
    columns are built (as Arrow ``large_string``) only piece by piece, :data:`ROW_GROUP_ROWS`
    rows at a time, so a million respondents' answers never sit in memory as strings at once.
    """

    respondent_ids: Any
    """Arrow string array: ``respondent_id`` per wide row."""
    rows: Any
    """Per answer: position of the respondent in the wide table (int32)."""
    question: Any
    """Per answer: position in ``question_ids`` (int16)."""
    code: Any
    """Per answer: position in ``pool`` of the option code, ``-1`` for none (int32)."""
    value: Any
    """Per answer: position in ``pool`` of the value (int32)."""
    question_ids: list[str]
    question_types: list[str]
    pool: Any
    """Arrow (chunked) string array of every option code, label and free-text answer referred
    to."""

    def __len__(self) -> int:
        return len(self.rows)

    def to_arrow(self, start: int = 0, stop: int | None = None):
        """Rows ``start:stop`` as an Arrow table (the schema ``answers.parquet`` is written with)."""
        import pyarrow as pa

        stop = len(self) if stop is None else min(stop, len(self))
        question = pa.array(self.question[start:stop])
        arrays = [
            self.respondent_ids.take(pa.array(self.rows[start:stop])),
            pa.array(self.question_ids, pa.large_string()).take(question),
            pa.array(self.question_types, pa.large_string()).take(question),
            self._from_pool(self.code[start:stop]),
            self._from_pool(self.value[start:stop]),
        ]
        return pa.Table.from_arrays(arrays, schema=_string_schema(LONG_COLUMNS))

    def _from_pool(self, index):
        """Pool strings at positions *index* (``-1`` → null), taken chunk by chunk (a take on
        the chunked pool would first copy all of it into one array)."""
        import numpy as np
        import pyarrow as pa

        chunks = self.pool.chunks
        starts = np.cumsum([0] + [len(c) for c in chunks])
        valid = index >= 0
        pos = index[valid]
        which = np.searchsorted(starts, pos, side="right") - 1
        order = np.argsort(which, kind="stable")
        pos_sorted = pos[order]
        bounds = np.concatenate([[0], np.cumsum(np.bincount(which, minlength=len(chunks)))])
        parts = [
            chunks[c].take(pa.array(pos_sorted[bounds[c] : bounds[c + 1]] - starts[c]))
            for c in range(len(chunks))
            if bounds[c + 1] > bounds[c]
        ]
        taken = pa.concat_arrays(parts) if parts else pa.array([], pa.large_string())
        back = np.empty(len(pos), dtype=np.int64)
        back[order] = np.arange(len(pos))
        full = np.zeros(len(index), dtype=np.int64)
        full[valid] = back
        return taken.take(pa.array(full, mask=~valid))

    def batches(self, size: int = ROW_GROUP_ROWS):
        """Arrow tables of at most *size* rows, in order (one when the table is empty)."""
        if not len(self):
            yield self.to_arrow()
            return
        for start in range(0, len(self), size):
            yield self.to_arrow(start, start + size)

    def to_pandas(self) -> pd.DataFrame:
        """The whole table as a DataFrame of ``string`` columns."""
        return self.to_arrow().to_pandas()


class _LongBuilder:
    """Collects the long table's answers question by question, then sorts them by respondent."""

    def __init__(self, n: int):
        self.n = n
        self.pools: list[Any] = []
        self.pool_size = 0
        self.parts: list[tuple] = []
        self.questions: list[tuple[str, str]] = []

    def pool(self, values) -> int:
        """Add strings to the pool; return the position of the first."""
        import pyarrow as pa

        if isinstance(values, pa.ChunkedArray):
            arrays = values.cast(pa.large_string()).chunks
        elif isinstance(values, pa.Array):
            arrays = [values.cast(pa.large_string())]
        else:
            arrays = [pa.array(values, pa.large_string())]
        start = self.pool_size
        self.pools += arrays
        self.pool_size += sum(len(a) for a in arrays)
        return start

    def add(self, q: Question, rows, code, value) -> None:
        """Answers of question *q*: respondent positions, pool positions of code and value."""
        import numpy as np

        if (q.id, q.type) not in self.questions:
            self.questions.append((q.id, q.type))
        qpos = self.questions.index((q.id, q.type))
        rows = np.asarray(rows, dtype=np.int32)
        if len(rows):
            self.parts.append(
                (
                    rows,
                    np.full(len(rows), qpos, dtype=np.int16),
                    np.broadcast_to(np.asarray(code, dtype=np.int32), rows.shape),
                    np.broadcast_to(np.asarray(value, dtype=np.int32), rows.shape),
                )
            )

    def build(self, respondent_ids) -> LongAnswers:
        import numpy as np
        import pyarrow as pa

        if self.parts:
            # counting sort: respondent by respondent, answers in the order they were added
            # (question, then option) — each part lists a respondent at most once
            per_row = np.zeros(self.n + 1, dtype=np.int64)
            for part in self.parts:
                per_row[part[0] + 1] += 1
            start = np.cumsum(per_row)
            filled = np.zeros(self.n, dtype=np.int64)
            total = int(start[-1])
            cols = [
                np.empty(total, np.int32),
                np.empty(total, np.int16),
                np.empty(total, np.int32),
                np.empty(total, np.int32),
            ]
            for part in self.parts:
                rows = part[0]
                pos = start[rows] + filled[rows]
                filled[rows] += 1
                for k in range(4):
                    cols[k][pos] = part[k]
            self.parts = []
        else:
            cols = [np.zeros(0, np.int32), np.zeros(0, np.int16), np.zeros(0, np.int32),
                    np.zeros(0, np.int32)]  # fmt: skip
        pool = pa.chunked_array(self.pools, type=pa.large_string())
        return LongAnswers(
            respondent_ids=respondent_ids,
            rows=cols[0],
            question=cols[1],
            code=cols[2],
            value=cols[3],
            question_ids=[q for q, _ in self.questions],
            question_types=[t for _, t in self.questions],
            pool=pool,
        )


def _respondent_ids(source_rows, header_row: int, width: int):
    """``r`` + the data row number zero-padded to *width* (Arrow ``large_string``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    nums = pc.cast(pa.array(source_rows - header_row), pa.large_string())
    padded = pc.utf8_lpad(nums, width=width, padding="0")
    return pc.binary_join_element_wise(
        pa.scalar("r", pa.large_string()), padded, pa.scalar("", pa.large_string())
    )


# a cell that .strip() or the line-break normalisation would change (Python's white space)
_SPACE = r"[\t\n\x0b\f\r\x1c-\x1f\x{85}\pZ]"
_TRIM_RE = rf"\r|^{_SPACE}|{_SPACE}$"


def _clean_text(values):
    """Free text as stored: line breaks normalised to ``\\n``, outer white space stripped,
    empty → ``NA`` (a ``string`` Series). Only chunks that change are copied."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.array) if hasattr(values, "array") else pa.array(values)
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    out = []
    for chunk in chunks:
        chunk = chunk.cast(pa.large_string())
        if pc.any(pc.match_substring_regex(chunk, _TRIM_RE)).as_py():
            chunk = pc.replace_substring(chunk, "\r\n", "\n")
            chunk = pc.replace_substring(chunk, "\r", "\n")
            chunk = pc.utf8_trim_whitespace(chunk)
            chunk = pc.if_else(pc.equal(chunk, ""), pa.scalar(None, pa.large_string()), chunk)
        out.append(chunk)
    return pd.Series(pd.array(pa.chunked_array(out, type=pa.large_string()), dtype="string"))


def build_tables(prepared: Prepared) -> tuple[pd.DataFrame, LongAnswers, dict[str, int]]:
    """Typed wide table, long answers table and masked counts from a valid export.

    Vectorised: every column is factorised once, its distinct values matched to the codebook,
    and the results spread back to the rows as arrays. Free text is masked: e-mail addresses,
    phone numbers and personnummer (:func:`~analysis.data.pii.mask_series`, once per distinct
    text), then the respondent's own name and e-mail local part, taken from the row's name and
    e-mail columns before they are dropped (:func:`~analysis.data.pii.mask_people`).

    Returns
    -------
    (pandas.DataFrame, LongAnswers, dict)
        The wide table (``responses.parquet``), the long table (``answers.parquet``; see
        :class:`LongAnswers`, ``.to_pandas()`` gives a DataFrame) and the masked counts.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from analysis.data import reference
    from analysis.data.pii import mask_people, mask_series
    from analysis.data.validation import factorize, option_positions, split_multi, spread

    cb = prepared.codebook
    frame = prepared.frame
    n = len(frame)
    width = max(3, len(str(prepared.rows_in)))
    source_rows = np.asarray(frame.index, dtype=np.int64)
    rids = _respondent_ids(source_rows, prepared.table.header_row, width)
    wide: dict[str, Any] = {
        "respondent_id": pd.array(rids, dtype="string"),
        "source_row": pd.array(source_rows, dtype="int64"),
    }
    long = _LongBuilder(n)
    masked = {"email": 0, "phone": 0, "personnummer": 0, "name": 0}
    sector_done = False
    names, emails = prepared.people
    if len(names) and len(names[0]) != n or len(emails) and len(emails[0]) != n:
        names, emails = [], []

    for q in _progress(cb.questions, "Bygger tabeller"):
        if q.id not in frame.columns:  # pragma: no cover - missing columns are rejected earlier
            continue
        raw = frame[q.id]
        if q.type in ("single", "likert", "org_type"):
            codes, uniques = factorize(raw)
            opt = spread(option_positions(uniques, q), codes, -1)
            labels = [o.label for o in q.options]
            lab = np.array([q.labels.index(x) for x in labels], dtype=np.int64)
            wide[q.id] = pd.Categorical.from_codes(
                np.where(opt >= 0, lab[np.maximum(opt, 0)], -1), categories=q.labels, ordered=True
            )
            base = long.pool([o.code for o in q.options] + labels)
            given = np.flatnonzero(opt >= 0)
            long.add(q, given, base + opt[given], base + len(labels) + opt[given])
            if q.type == "org_type" and not sector_done:
                sectors = list(reference.SECTORS)
                per_option = np.array(
                    [sectors.index(reference.sector_for_org_type(x)) for x in labels],
                    dtype=np.int64,
                )
                wide["sektor"] = pd.Categorical.from_codes(
                    np.where(opt >= 0, per_option[np.maximum(opt, 0)], -1),
                    categories=sectors,
                    ordered=False,
                )
                sector_done = True
        elif q.type == "multi":
            codes, uniques = factorize(raw)
            ticked_u = [{q.options.index(o) for o in split_multi(u, q)[0]} for u in uniques]
            empty = codes < 0
            base = long.pool([o.code for o in q.options] + [o.label for o in q.options])
            ticked_rows = []
            for k, o in enumerate(q.options):
                per_u = np.array([k in t for t in ticked_u], dtype=bool)
                ticked = spread(per_u, codes, False)
                wide[f"{q.id}__{o.code}"] = pd.arrays.BooleanArray(ticked, empty.copy())
                ticked_rows.append(np.flatnonzero(ticked))
            for k, rows in enumerate(ticked_rows):
                long.add(q, rows, base + k, base + len(q.options) + k)
        elif q.type == "municipality":
            muni = reference.load_municipalities()
            names_all = list(muni["kommun"])
            codes, uniques = factorize(raw)
            canon = [reference.normalise_municipality(u) for u in uniques]
            per_u = np.array([names_all.index(c) if c else -1 for c in canon], dtype=np.int64)
            idx = spread(per_u, codes, -1)
            wide[q.id] = pd.Categorical.from_codes(idx, categories=names_all, ordered=False)
            kod = np.array(muni["kommunkod"].astype(str), dtype=object)
            grupp = np.array(muni["kommungrupp"].astype(str), dtype=object)
            missing = idx < 0
            wide["kommunkod"] = pd.array(
                np.where(missing, None, kod[np.maximum(idx, 0)]), dtype="string"
            )
            wide["kommungrupp"] = pd.array(
                np.where(missing, None, grupp[np.maximum(idx, 0)]), dtype="string"
            )
            base = long.pool(list(kod) + names_all)
            given = np.flatnonzero(~missing)
            long.add(q, given, base + idx[given], base + len(names_all) + idx[given])
        else:  # text
            texts = _clean_text(raw)
            texts, counts = mask_series(texts)
            for k, c in counts.items():
                masked[k] += c
            if names or emails:
                texts, c = mask_people(texts, names, emails)
                masked["name"] += c
            texts = pd.Series(pd.array(texts, dtype="string"))
            wide[q.id] = texts.array
            given = np.flatnonzero(texts.notna().to_numpy())
            if len(given):
                start = long.pool(pa.array(texts.array))  # the whole column, no copy
                long.add(q, given, -1, start + given)

    wide_df = pd.DataFrame(wide)
    answers = long.build(pa.array(rids))
    _release_memory()
    return wide_df, answers, masked


def _release_memory() -> None:
    """Give memory Arrow has freed but kept cached back to the system."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


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
        "warnings": prepared.warnings,
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
