"""Validate an export's answers against the codebook with pandera, collecting *all* problems.

The ingest builds a frame of raw text answers (index = spreadsheet row number, one column per
question id) and calls :func:`validate_answers`. A pandera ``DataFrameSchema`` is built from the
codebook (:func:`build_schema`) and run with ``lazy=True``; every failure case becomes one
:class:`analysis.errors.Problem` naming the file, spreadsheet row, column header as written in the
file, the offending value and what to do.

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


def build_schema(
    codebook: Codebook,
    columns: list[str],
    municipality: Callable[[object], str | None] | None = None,
):
    """A pandera ``DataFrameSchema`` for the raw answer frame (only for *columns* present)."""
    import pandera.pandas as pa

    spec: dict[str, pa.Column] = {}
    for q in codebook.questions:
        if q.id not in columns:
            continue
        checks = []
        if q.type in ("single", "likert", "org_type"):
            checks.append(
                pa.Check(
                    lambda v, q=q: match_option(v, q) is not None, element_wise=True, name="option"
                )
            )
        elif q.type == "multi":
            checks.append(
                pa.Check(
                    lambda v, q=q: not split_multi(v, q)[1], element_wise=True, name="multi_option"
                )
            )
        elif q.type == "municipality" and municipality is not None:
            checks.append(
                pa.Check(
                    lambda v: municipality(v) is not None, element_wise=True, name="municipality"
                )
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
        ``__id`` for the respondent id), ``None`` for empty cells. Not modified.
    codebook
        The survey codebook.
    headers
        Column name in *frame* → header as written in the file (for the messages).
    file
        File name shown in the messages.
    municipality
        Normalisation function for municipality answers (canonical name or ``None``).
    """
    import pandera.pandas as pa

    df = frame.copy()
    for q in codebook.questions_of_type("municipality"):
        if q.id in df.columns and municipality is not None:
            df[f"{q.id}__kommun"] = df[q.id].map(
                lambda v: municipality(v) if v is not None else None
            )
            headers = {**headers, f"{q.id}__kommun": headers.get(q.id, q.id)}
    schema = build_schema(codebook, list(df.columns), municipality)
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    order = {c: i for i, c in enumerate(df.columns)}
    problems: list[tuple[tuple, Problem]] = []
    for case in cases.itertuples(index=False):
        column, check, value, row = case.column, str(case.check), case.failure_case, case.index
        if column is None or row is None or (isinstance(row, float) and row != row):
            continue
        row = int(row)
        header = headers.get(column, column)
        for p in _to_problems(df, codebook, column, check, value, row, header, file, municipality):
            problems.append(((row, order.get(column, 0)), p))
    problems.sort(key=lambda t: t[0])
    seen: set[Problem] = set()
    out = []
    for _, p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _to_problems(
    df, codebook, column, check, value, row, header, file, municipality
) -> list[Problem]:
    if column == ID_COLUMN:
        first = _first_row(df, column, value, row)
        return [
            Problem(
                file=file, row=row, column=header, value=value, kind="duplicate_id",
                message=f"respondent-id förekommer mer än en gång (även på rad {first})",
                hint="Varje svar ska ha ett eget id – ta bort dubbletten eller exportera på nytt",
            )
        ]  # fmt: skip
    if column.endswith("__kommun"):
        qid = column[: -len("__kommun")]
        first = _first_row(df, column, value, row)
        raw = df.at[row, qid] if qid in df.columns else value
        return [
            Problem(
                file=file, row=row, column=header, value=raw, kind="duplicate_municipality",
                message=f"kommunen {value} har svarat mer än en gång (även på rad {first})",
                hint="Varje kommun ska ha ett svar – ta bort eller slå ihop dubbletten",
            )
        ]  # fmt: skip
    q = codebook.question(column)
    if check == "not_nullable":
        return [
            Problem(
                file=file, row=row, column=header, kind="required",
                message="obligatoriskt svar saknas",
                hint="Fyll i svaret i exporten eller ta bort raden om svaret är ofullständigt",
            )
        ]  # fmt: skip
    if check == "option":
        scale = "skalan" if q.type == "likert" else "svarsalternativen"
        return [
            Problem(
                file=file, row=row, column=header, value=value,
                kind="out_of_scale" if q.type == "likert" else "unknown_option",
                message=f"värdet finns inte i {scale}",
                hint=f"Tillåtna värden: {_allowed(q)}",
            )
        ]  # fmt: skip
    if check == "multi_option":
        _, unknown = split_multi(value, q)
        return [
            Problem(
                file=file, row=row, column=header, value=part, kind="unknown_option",
                message="flervalssvaret innehåller ett alternativ som inte finns i kodboken",
                hint=f"Tillåtna alternativ: {_allowed(q)}",
            )
            for part in unknown
        ]  # fmt: skip
    if check == "municipality":
        from analysis.data.reference import load_municipalities

        names = ", ".join(load_municipalities()["kommun"])
        return [
            Problem(
                file=file, row=row, column=header, value=value, kind="unknown_municipality",
                message="okänd kommun",
                hint=f"Skriv en av länets kommuner: {names} (även t.ex. 'Umeå kommun')",
            )
        ]  # fmt: skip
    return [
        Problem(
            file=file, row=row, column=header, value=value, kind="invalid",
            message=f"ogiltigt värde ({check})", hint="Rätta värdet i exporten",
        )
    ]  # fmt: skip


def _first_row(df, column, value, row) -> int:
    hits = df.index[df[column] == value]
    earlier = [int(i) for i in hits if int(i) != row]
    return min(earlier) if earlier else row


__all__ = ["ID_COLUMN", "build_schema", "match_option", "split_multi", "validate_answers"]
