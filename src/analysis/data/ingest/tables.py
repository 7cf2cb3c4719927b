"""The processed tables built from a valid export: the typed wide table (``responses.parquet``)
and the long answers table (``answers.parquet``, :class:`LongAnswers`), with free text cleaned
and personal data masked (:func:`build_tables`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.data.ingest.common import _SPACE, _progress, _release_memory

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from analysis.data.codebook import Question
    from analysis.data.ingest.model import Prepared


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


def prefetch_masking(frame, codebook: Any, cleaned: dict[str, Any]) -> None:
    """Hand the distinct free text of *frame* to the masking workers now, while this process is
    still checking the export (inside :func:`analysis.data.pii.parallel.workers`; otherwise
    nothing happens). The cleaned columns go into *cleaned* (question id → (raw array, cleaned
    Series)) for :func:`build_tables`, which takes the workers' results: the same texts, masked
    by the same pure functions, so the output does not change."""
    from analysis.data.pii.bulk import candidate_texts
    from analysis.data.pii.parallel import prefetch

    columns = [
        (q.id, frame[q.id]) for q in codebook.questions if q.type == "text" and q.id in frame
    ]

    def produce():
        for qid, raw in columns:
            texts = _clean_text(raw)
            cleaned[qid] = (raw.array, texts)
            yield candidate_texts(texts)

    if columns:
        prefetch(produce)


def _cleaned(raw, qid: str, cleaned: dict[str, Any]):
    """``_clean_text(raw)``, taken from *cleaned* when the prefetch cleaned this very column."""
    from analysis.data.pii.parallel import settle

    settle()
    array, texts = cleaned.pop(qid, (None, None))
    return texts if array is not None and array is raw.array else _clean_text(raw)


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
            texts = _cleaned(raw, q.id, prepared.cleaned)
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
