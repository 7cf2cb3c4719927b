"""Validate an export's answers against the codebook, column by column, collecting *all* problems.

The ingest builds a frame of raw text answers (index = spreadsheet row number, one column per
question id) and calls :func:`validate_answers`. Each column is checked as a whole: its distinct
values are matched once (:func:`factorize`, :func:`match_option`, :func:`split_multi`) and the
verdicts are spread back to the rows as arrays. Only when a column fails are its offending rows
located; every failure becomes one :class:`analysis.errors.Problem` naming the file, spreadsheet
row, column header as written in the file, the offending value and what to do. The same rules are
available as a pandera ``DataFrameSchema`` (:func:`build_schema`, vectorised checks) for use in
notebooks and tests.

Checked: empty required answer, value outside the option list or Likert scale (each part of a
multi-select answer separately), unknown municipality, duplicate municipality, duplicate
respondent id. Free text is never checked or evaluated: "=SUM(A1)" or ``<script>`` are data.

Answers are matched to options leniently: by label or code, ignoring case, spaces and
punctuation, and Excel's decimal comma ("4,0" → code "4").

>>> from analysis.data.codebook import load_codebook
>>> q = load_codebook("partner_2021").question("q4")
>>> match_option("instämmer  helt", q).code, match_option("4,0", q).label
('5', 'Instämmer delvis')
>>> q12 = load_codebook("partner_2021").question("q13")
>>> opts, unknown = split_multi("Brist på kunskap om varandras verksamheter, roller och uppdrag, Annat", q12)
>>> [o.code for o in opts], unknown
(['kunskap'], ['Annat'])
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from analysis.data.codebook import Codebook, Option, Question
from analysis.errors import Problem

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

ID_COLUMN = "__id"
"""Column holding the export's respondent id (MS Forms ``ID``), when there is one."""

_DECIMAL_ZERO = re.compile(r"^\s*([+-]?\d+)[.,]0+\s*$")
_MULTI_SPLIT = re.compile(r"(\s*[;,]\s*)")


def _label_key(text: str) -> str:
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(ch for ch in s if ch.isalnum())


def _code_key(text: str) -> str:
    s = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    m = _DECIMAL_ZERO.match(s)
    return m.group(1) if m else s


@lru_cache(maxsize=256)
def _lookup(q: Question) -> tuple[dict[str, Option], dict[str, Option]]:
    by_label = {_label_key(o.label): o for o in q.options}
    by_code = {_code_key(o.code): o for o in q.options}
    return by_label, by_code


def match_option(value: object, q: Question) -> Option | None:
    """The option an answer denotes (by label first, then by code), or ``None``."""
    if value is None:
        return None
    by_label, by_code = _lookup(q)
    s = str(value)
    hit = by_label.get(_label_key(s))
    if hit is None:
        hit = by_code.get(_code_key(s))
    return hit


def split_multi(value: object, q: Question) -> tuple[list[Option], list[str]]:
    """Split a multi-select answer into options (in the order given) and unknown parts.

    Handles MS Forms (``"A;B;"``) and Google Forms (``"A, B"``) joins, including labels that
    themselves contain a comma: consecutive pieces are joined greedily, longest match first.
    """
    if value is None:
        return [], []
    parts = _MULTI_SPLIT.split(str(value))
    pieces = parts[0::2]
    options: list[Option] = []
    unknown: list[str] = []
    i, n = 0, len(pieces)
    while i < n:
        if not pieces[i].strip():
            i += 1
            continue
        found = None
        for j in range(n, i, -1):
            candidate = "".join(parts[2 * i : 2 * j - 1])
            opt = match_option(candidate, q)
            if opt is not None:
                found = (j, opt)
                break
        if found:
            j, opt = found
            if opt not in options:
                options.append(opt)
            i = j
        else:
            unknown.append(pieces[i].strip())
            i += 1
    return options, unknown


def _allowed(q: Question, limit: int = 10) -> str:
    labels = [o.label for o in q.options]
    shown = ", ".join(repr(x) for x in labels[:limit])
    if len(labels) > limit:
        shown += f" … ({len(labels) - limit} till)"
    return shown


def factorize(values, codes_only: bool = False) -> tuple[np.ndarray, list]:
    """Integer codes (``-1`` for an empty cell) and the distinct values of a column.

    With ``codes_only`` the distinct values are not converted to Python (an empty list).

    >>> codes, uniques = factorize(["Ja", None, "Nej", "Ja"])
    >>> codes.tolist(), uniques
    ([0, -1, 1, 0], ['Ja', 'Nej'])
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = getattr(values, "array", values)
    if isinstance(arr, (pd.arrays.ArrowStringArray, pa.Array, pa.ChunkedArray)):
        if not isinstance(arr, (pa.Array, pa.ChunkedArray)):
            arr = pa.array(arr)
        if isinstance(arr, pa.ChunkedArray):
            # one contiguous array: unifying many chunks' dictionaries is far slower
            arr = arr.combine_chunks() if arr.num_chunks else pa.array([], arr.type)
        encoded = pc.dictionary_encode(arr)
        dictionary, indices = encoded.dictionary, encoded.indices
        codes = pc.fill_null(indices, -1).to_numpy(zero_copy_only=False)
        return codes.astype(np.int64), [] if codes_only else dictionary.to_pylist()
    codes, uniques = pd.factorize(
        pd.Series(values, dtype=object) if isinstance(values, list) else values,
        use_na_sentinel=True,
    )
    return np.asarray(codes, dtype=np.int64), uniques.tolist()


def option_positions(uniques: list, q: Question) -> np.ndarray:
    """Per distinct value: the position of its option in ``q.options``, or ``-1``."""
    import numpy as np

    index = {o.code: k for k, o in enumerate(q.options)}
    return np.array(
        [index[o.code] if (o := match_option(u, q)) is not None else -1 for u in uniques],
        dtype=np.int64,
    )


def spread(per_unique: np.ndarray, codes: np.ndarray, empty) -> np.ndarray:
    """Per-row values from per-distinct-value ones (``empty`` where the cell is empty)."""
    import numpy as np

    if not len(per_unique):
        return np.full(len(codes), empty, dtype=per_unique.dtype)
    return np.where(codes >= 0, per_unique[np.maximum(codes, 0)], empty)


def _option_mask(series, q: Question):
    import pandas as pd

    codes, uniques = factorize(series)
    ok = option_positions(uniques, q) >= 0
    return pd.Series(spread(ok, codes, True), index=series.index)


def _multi_mask(series, q: Question):
    import numpy as np
    import pandas as pd

    codes, uniques = factorize(series)
    ok = np.array([not split_multi(u, q)[1] for u in uniques], dtype=bool)
    return pd.Series(spread(ok, codes, True), index=series.index)


def _municipality_mask(series, municipality):
    import numpy as np
    import pandas as pd

    codes, uniques = factorize(series)
    ok = np.array([municipality(u) is not None for u in uniques], dtype=bool)
    return pd.Series(spread(ok, codes, True), index=series.index)


def build_schema(
    codebook: Codebook,
    columns: list[str],
    municipality: Callable[[object], str | None] | None = None,
):
    """A pandera ``DataFrameSchema`` for the raw answer frame (only for *columns* present).

    The same rules as :func:`validate_answers`, as vectorised pandera checks (useful in notebooks
    and as a cross-check in the tests).
    """
    import pandera.pandas as pa

    spec: dict[str, pa.Column] = {}
    for q in codebook.questions:
        if q.id not in columns:
            continue
        checks = []
        if q.type in ("single", "likert", "org_type"):
            checks.append(pa.Check(lambda s, q=q: _option_mask(s, q), name="option"))
        elif q.type == "multi":
            checks.append(pa.Check(lambda s, q=q: _multi_mask(s, q), name="multi_option"))
        elif q.type == "municipality" and municipality is not None:
            checks.append(
                pa.Check(lambda s: _municipality_mask(s, municipality), name="municipality")
            )
        spec[q.id] = pa.Column(None, checks=checks, nullable=not q.required, required=False)
        if q.type == "municipality":
            spec[f"{q.id}__kommun"] = pa.Column(
                None, nullable=True, unique=True, report_duplicates="exclude_first", required=False
            )
    if ID_COLUMN in columns:
        spec[ID_COLUMN] = pa.Column(
            None, nullable=True, unique=True, report_duplicates="exclude_first", required=False
        )
    return pa.DataFrameSchema(spec, strict=False, coerce=False)


def validate_answers(
    frame: pd.DataFrame,
    codebook: Codebook,
    headers: dict[str, str],
    file: str,
    municipality: Callable[[object], str | None] | None = None,
) -> list[Problem]:
    """Validate the raw answer frame; return every problem (empty list when valid).

    Parameters
    ----------
    frame
        Raw text answers: index = spreadsheet row number, columns = question ids (and
        ``__id`` for the respondent id), empty cells as ``None``/``NA`` (object or string
        dtype). Not modified.
    codebook
        The survey codebook.
    headers
        Column name in *frame* → header as written in the file (for the messages).
    file
        File name shown in the messages.
    municipality
        Normalisation function for municipality answers (canonical name or ``None``).

    Returns
    -------
    list of Problem
        Sorted by spreadsheet row, then by column (municipality duplicates after the other
        columns of the row).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.data.codebook import load_codebook
    >>> cb = load_codebook("partner_2021")
    >>> df = pd.DataFrame({"q4": ["Instämmer helt", "6", None]}, index=[2, 3, 4])
    >>> [str(p) for p in validate_answers(df, cb, {"q4": "Inkluderande?"}, "x.csv")]
    ["x.csv: rad 3, kolumn 'Inkluderande?': värdet finns inte i skalan (värde: '6'). Tillåtna värden: 'Instämmer inte alls', 'Instämmer delvis inte', 'Varken eller', 'Instämmer delvis', 'Instämmer helt', 'Vet ej'"]
    """
    import numpy as np

    rows = np.asarray(frame.index, dtype=np.int64)
    order = {c: i for i, c in enumerate(frame.columns)}
    found: list[tuple[int, int, int, Problem]] = []

    def add(row: int, column: str, problem: Problem) -> None:
        found.append((int(row), order.get(column, len(order)), len(found), problem))

    for q in codebook.questions:
        if q.id not in frame.columns:
            continue
        header = headers.get(q.id, q.id)
        typed = q.type in ("single", "likert", "org_type", "multi") or (
            q.type == "municipality" and municipality is not None
        )
        if not (q.required or typed):
            continue  # free text is never checked
        codes, uniques = factorize(frame[q.id], codes_only=not typed)
        if q.required:
            for row in rows[codes < 0]:
                add(row, q.id, Problem(
                    file=file, row=int(row), column=header, kind="required",
                    message="obligatoriskt svar saknas",
                    hint="Fyll i svaret i exporten eller ta bort raden om svaret är ofullständigt",
                ))  # fmt: skip
        if q.type in ("single", "likert", "org_type"):
            bad = option_positions(uniques, q) < 0
            if bad.any():
                scale = "skalan" if q.type == "likert" else "svarsalternativen"
                for i in np.flatnonzero(spread(bad, codes, False)):
                    add(rows[i], q.id, Problem(
                        file=file, row=int(rows[i]), column=header, value=uniques[codes[i]],
                        kind="out_of_scale" if q.type == "likert" else "unknown_option",
                        message=f"värdet finns inte i {scale}",
                        hint=f"Tillåtna värden: {_allowed(q)}",
                    ))  # fmt: skip
        elif q.type == "multi":
            unknown = [split_multi(u, q)[1] for u in uniques]
            bad = np.array([bool(u) for u in unknown], dtype=bool)
            if bad.any():
                for i in np.flatnonzero(spread(bad, codes, False)):
                    for part in unknown[codes[i]]:
                        add(rows[i], q.id, Problem(
                            file=file, row=int(rows[i]), column=header, value=part,
                            kind="unknown_option",
                            message="flervalssvaret innehåller ett alternativ som inte finns i kodboken",
                            hint=f"Tillåtna alternativ: {_allowed(q)}",
                        ))  # fmt: skip
        elif q.type == "municipality" and municipality is not None:
            canon = [municipality(u) for u in uniques]
            bad = np.array([c is None for c in canon], dtype=bool)
            if bad.any():
                from analysis.data.reference import load_municipalities

                names = ", ".join(load_municipalities()["kommun"])
                for i in np.flatnonzero(spread(bad, codes, False)):
                    add(rows[i], q.id, Problem(
                        file=file, row=int(rows[i]), column=header, value=uniques[codes[i]],
                        kind="unknown_municipality", message="okänd kommun",
                        hint=f"Skriv en av länets kommuner: {names} (även t.ex. 'Umeå kommun')",
                    ))  # fmt: skip
            # the same municipality more than once (compared by canonical name); reported
            # after the row's other columns, like a column of its own
            ccodes, cnames = factorize(canon)
            per_row = spread(ccodes, codes, -1)
            position = len(order) + q.number if q.number is not None else len(order)
            for i, first in _duplicates(per_row, rows):
                found.append((int(rows[i]), position, len(found), Problem(
                    file=file, row=int(rows[i]), column=header, value=uniques[codes[i]],
                    kind="duplicate_municipality",
                    message=f"kommunen {cnames[per_row[i]]} har svarat mer än en gång (även på rad {first})",
                    hint="Varje kommun ska ha ett svar – ta bort eller slå ihop dubbletten",
                )))  # fmt: skip
    if ID_COLUMN in frame.columns:
        header = headers.get(ID_COLUMN, ID_COLUMN)
        codes, uniques = factorize(frame[ID_COLUMN])
        for i, first in _duplicates(codes, rows):
            add(rows[i], ID_COLUMN, Problem(
                file=file, row=int(rows[i]), column=header, value=uniques[codes[i]],
                kind="duplicate_id",
                message=f"respondent-id förekommer mer än en gång (även på rad {first})",
                hint="Varje svar ska ha ett eget id – ta bort dubbletten eller exportera på nytt",
            ))  # fmt: skip
    found.sort(key=lambda t: t[:3])
    seen: set[Problem] = set()
    out = []
    for *_, p in found:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _duplicates(codes: np.ndarray, rows: np.ndarray) -> list[tuple[int, int]]:
    """``(position, first row)`` of every non-empty value that repeats an earlier one."""
    import numpy as np

    valid = codes >= 0
    if not valid.any():
        return []
    first_pos = np.full(int(codes.max()) + 1, len(codes), dtype=np.int64)
    positions = np.flatnonzero(valid)
    np.minimum.at(first_pos, codes[valid], positions)
    dup = positions[positions != first_pos[codes[valid]]]
    return [(int(i), int(rows[first_pos[codes[i]]])) for i in dup]


__all__ = [
    "ID_COLUMN",
    "build_schema",
    "factorize",
    "match_option",
    "option_positions",
    "split_multi",
    "spread",
    "validate_answers",
]
