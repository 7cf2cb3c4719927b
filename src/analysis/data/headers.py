"""Match an export's column headers to the codebook's questions.

A header matches a question when, after normalisation, it equals the question text (or one of
its ``aliases``) — with or without a leading number ("3. Beskriv …", "Fråga 3: …"), with or
without the "(tex …)" examples and the trailing "Läs om … här https://…" link. Normalisation
ignores case, Unicode composition, (non-breaking) spaces and all punctuation, so trailing "?"/":"
and repeated whitespace do not matter. Identical question texts (partner_2021 Q9 and Q11, "Beskriv
gärna hur, i så fall:") are assigned by their leading number when present, otherwise in column
order.

Columns that are not questions are classified as the respondent id (``ID``), personal data
(dropped, see :mod:`analysis.data.pii`), form metadata (timestamps …) or unknown (ignored, reported by
name in the manifest).

>>> header_key("3. Beskriv din kommuns största utmaningar\\u00a0inom infrastruktur?")
'beskrivdinkommunsstörstautmaningarinominfrastruktur'
>>> leading_number("11) Beskriv gärna hur, i så fall:")
11
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from analysis.data.codebook import Codebook, Question
from analysis.errors import Problem

_LEADING_NUMBER = re.compile(
    r"^\s*(?:(?:fråga|question|q)\s*)?(\d{1,3})(?:\s*[.):\-–]\s*|\s+)(?=\D)", re.IGNORECASE
)
_SUFFIX_STARTS = ("tex", "exempel", "tillexempel", "läsom", "http", "www")

ID_HEADERS = {"id", "respondentid", "responseid", "svarsid", "svarid", "respondent"}
METADATA_HEADERS = {
    "starttime", "completiontime", "lastmodifiedtime", "starttid", "sluttid",
    "slutförandetid", "tidförslutförande", "senaständrad", "senaständradtid", "tidstämpel",
    "tidsstämpel", "timestamp", "poäng", "score", "totalpoints", "totalpoäng", "quizfeedback",
    "language", "språk",
}  # fmt: skip
"""Normalised headers of form-tool bookkeeping columns (not personal data, not questions)."""


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", str(text))
    return s.casefold()


def header_key(text: str, strip_number: bool = True) -> str:
    """Comparison key of a header or question text: lower case, letters and digits only.

    >>> header_key("Vilken kommun representerar du?") == header_key(" 1.  VILKEN kommun representerar du ")
    True
    """
    s = str(text)
    if strip_number:
        m = _LEADING_NUMBER.match(s)
        if m:
            s = s[m.end() :]
    return "".join(ch for ch in _normalise(s) if ch.isalnum())


def leading_number(text: str) -> int | None:
    """The question number a header starts with ("3. …", "Fråga 3: …"), or ``None``."""
    m = _LEADING_NUMBER.match(str(text))
    return int(m.group(1)) if m else None


@lru_cache(maxsize=1024)
def question_keys(q: Question) -> frozenset[str]:
    """All accepted header keys of a question (text/aliases × with/without examples and link)."""
    keys: set[str] = set()
    for base in (q.text, *q.aliases):
        parts = [[base]]
        if q.examples:
            parts.append([base, q.examples])
        if q.link:
            parts.append([base, q.link])
        if q.examples and q.link:
            parts.append([base, q.examples, q.link])
        for p in parts:
            keys.add(header_key(" ".join(p), strip_number=False))
    keys.discard("")
    return frozenset(keys)


@lru_cache(maxsize=1024)
def _base_keys(q: Question) -> frozenset[str]:
    return frozenset({header_key(t, strip_number=False) for t in (q.text, *q.aliases)} - {""})


@dataclass
class HeaderMatch:
    """Result of :func:`match_headers`: column indices per role."""

    questions: dict[str, int] = field(default_factory=dict)
    """question id → column index."""
    id_column: int | None = None
    pii_columns: list[int] = field(default_factory=list)
    metadata_columns: list[int] = field(default_factory=list)
    ignored_columns: list[int] = field(default_factory=list)
    duplicate_columns: list[tuple[int, str]] = field(default_factory=list)
    """(column index, question id) of a second column matching an already matched question."""
    missing: list[Question] = field(default_factory=list)


def _candidates(header: str, codebook: Codebook) -> list[Question]:
    keys = {header_key(header, strip_number=False), header_key(header, strip_number=True)}
    keys.discard("")
    exact = [q for q in codebook.questions if keys & question_keys(q)]
    if exact:
        return exact
    # fallback: the question text followed by examples/link worded differently from the codebook
    out = []
    for q in codebook.questions:
        for base in _base_keys(q):
            if any(k.startswith(base) and k[len(base) :].startswith(_SUFFIX_STARTS) for k in keys):
                out.append(q)
                break
    return out


def match_headers(headers: list[str], codebook: Codebook) -> HeaderMatch:
    """Classify every header and map question ids to column indices.

    >>> from analysis.data.codebook import load_codebook
    >>> cb = load_codebook("partner_2021")
    >>> m = match_headers(["ID", "Email", "9. Beskriv gärna hur, i så fall:",
    ...                    "11. Beskriv gärna hur, i så fall"], cb)
    >>> m.questions["q9"], m.questions["q11"], m.id_column, m.pii_columns
    (2, 3, 0, [1])
    """
    from analysis.data.pii import is_pii_header

    result = HeaderMatch()
    assigned: set[str] = set()
    for j, header in enumerate(headers):
        cands = _candidates(header, codebook) if header.strip() else []
        if cands:
            free = [q for q in cands if q.id not in assigned]
            if not free:
                result.duplicate_columns.append((j, cands[0].id))
                continue
            number = leading_number(header)
            chosen = next((q for q in free if number is not None and q.number == number), free[0])
            result.questions[chosen.id] = j
            assigned.add(chosen.id)
            continue
        key = header_key(header, strip_number=False)
        if key in ID_HEADERS and result.id_column is None:
            result.id_column = j
        elif is_pii_header(header):
            result.pii_columns.append(j)
        elif key in METADATA_HEADERS:
            result.metadata_columns.append(j)
        else:
            result.ignored_columns.append(j)
    result.missing = [q for q in codebook.questions if q.id not in assigned]
    return result


def header_matches_any(cells: list[str | None], codebook: Codebook) -> int:
    """How many of *cells* match a question of *codebook* (used to spot a second header row)."""
    return sum(1 for c in cells if c and c.strip() and _candidates(c, codebook))


def _shown_headers(headers: list[str], limit: int = 10) -> str:
    shown = [repr(h if len(h) <= 50 else h[:47] + "...") for h in headers[:limit]]
    if len(headers) > limit:
        shown.append(f"… ({len(headers) - limit} till)")
    return ", ".join(shown)


def header_problems(
    match: HeaderMatch,
    headers: list[str],
    codebook: Codebook,
    file: str,
    header_row: int = 1,
    sheets: list[str] | None = None,
) -> list[Problem]:
    """One problem per missing question (naming it and listing the headers found) and per
    duplicated question column."""
    problems: list[Problem] = []
    found = _shown_headers(headers)
    sheet_hint = ""
    if sheets and len(sheets) > 1:
        sheet_hint = (
            f" Arbetsboken har flera blad ({', '.join(sheets)}); bara det första "
            f"({sheets[0]!r}) läses – flytta svarsbladet först."
        )
    if match.missing and not match.questions:
        n = len(codebook.questions)
        return [
            Problem(
                file=file,
                row=header_row,
                message=f"ingen av enkätens {n} frågor ({codebook.survey}) hittades bland rubrikerna",
                hint=(
                    f"Hittade rubriker: {found}. Kontrollera att det är rätt enkät och att "
                    f"rubrikraden är rad {header_row}.{sheet_hint}"
                ),
                kind="missing_column",
            )
        ]
    for q in match.missing:
        num = f"fråga {q.number}" if q.number is not None else "frågan"
        problems.append(
            Problem(
                file=file,
                row=header_row,
                column=q.text,
                message=f"kolumnen för {num} ({q.id}) saknas",
                hint=(
                    f"Hittade rubriker: {found}. Lägg till kolumnen med frågetexten som rubrik "
                    f"eller ange rubriken som alias i kodboken.{sheet_hint}"
                ),
                kind="missing_column",
            )
        )
    for j, qid in match.duplicate_columns:
        problems.append(
            Problem(
                file=file,
                row=header_row,
                column=headers[j],
                message=f"kolumnen för {qid} förekommer mer än en gång",
                hint="Ta bort den extra kolumnen så att varje fråga har exakt en kolumn",
                kind="duplicate_column",
            )
        )
    return problems


def double_header_problem(
    match: HeaderMatch, headers: list[str], first_row: list[str | None] | None,
    codebook: Codebook, file: str, header_row: int = 1,
) -> Problem | None:  # fmt: skip
    """A problem when the header spans two rows, or the real header is on the second row."""
    if first_row is None:
        return None
    matched = len(match.questions)
    in_row2 = header_matches_any(first_row, codebook)
    if matched and in_row2 >= max(1, (matched + 1) // 2):
        return Problem(
            file=file,
            row=header_row + 1,
            message="filen har två rubrikrader (rad 2 upprepar frågetexterna)",
            hint="Ta bort den extra rubrikraden så att svaren börjar på rad 2",
            kind="double_header",
        )
    if not matched and in_row2:
        return Problem(
            file=file,
            row=header_row,
            message="rubrikraden är inte första raden (frågetexterna står på rad 2)",
            hint="Ta bort raden/raderna ovanför rubrikraden",
            kind="double_header",
        )
    return None


__all__ = [
    "HeaderMatch",
    "double_header_problem",
    "header_key",
    "header_problems",
    "leading_number",
    "match_headers",
    "question_keys",
]
