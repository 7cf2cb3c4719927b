"""Reshaping the municipality survey: answers, sentences, codes and municipality × theme matrices.

Everything here works on plain DataFrames and never modifies its input:

* :func:`answers_table` — one row per non-empty free-text answer;
* :func:`sentences_table` — one row per sentence (for 5.3 and quotes);
* :func:`code_frame` — one 0/1 column per theme (:func:`analysis.text.coding.code_texts`);
* :func:`theme_matrix` — municipality × theme, 1 when any of the municipality's answers has it;
* :func:`answer_coverage` — answers and their length in words per question (numbers only).

Counts are always *municipalities*: a municipality that mentions a theme in several answers
counts once. The denominator is the number of responding municipalities.

Work is bounded: an answer is read up to :data:`MAX_ANSWER_CHARS` characters and split into at
most :data:`MAX_SENTENCES` sentences, so that one enormous answer (a pasted document, an attack)
cannot make the report's run time explode. The cut is reported by :func:`truncated_answers`.

>>> w = pd.DataFrame({"respondent_id": ["r1"], "q1": ["Malå"], "q4": ["Bra bredband. Dåliga vägar."]})
>>> sentences_table(answers_table(w, ["q4"]))["text"].tolist()
['Bra bredband.', 'Dåliga vägar.']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.text.normalise import split_sentences, tokenize

if TYPE_CHECKING:  # pragma: no cover
    from analysis.text.themes import ThemeCodebook

__all__ = [
    "INFRA_SUBAREAS",
    "MAX_ANSWER_CHARS",
    "MAX_SENTENCES",
    "SECTION_QUESTIONS",
    "SURVEY",
    "TEXT_QUESTIONS",
    "answer_coverage",
    "answers_table",
    "clean_text",
    "code_frame",
    "responding_municipalities",
    "sentences_table",
    "theme_matrix",
    "truncated_answers",
]

SURVEY = "municipality_2023"

TEXT_QUESTIONS: tuple[str, ...] = tuple(f"q{i}" for i in range(2, 16))
"""The 14 free-text questions (Q1 is the municipality)."""

SECTION_QUESTIONS: dict[str, tuple[str, ...]] = {
    "5.1": ("q2", "q3"),
    "5.2": TEXT_QUESTIONS,  # crisis preparedness: what any answer says about it
    "5.3": ("q4",),
    "5.4": ("q5",),
    "5.5": ("q6", "q7", "q8", "q9", "q10"),
    "5.6": ("q11", "q12", "q13"),
    "5.7": ("q14",),
    "5.8": ("q15",),
}
"""Report section → the questions it draws on."""

INFRA_SUBAREAS: dict[str, str] = {
    "infra_transport": "Transport",
    "infra_energi": "Energi",
    "infra_digital": "Digital infrastruktur",
    "infra_vatten": "Vatten och avlopp",
}
"""The sub-areas of section 5.3 (theme id → Swedish heading), in the report's order."""

MAX_ANSWER_CHARS = 20_000
"""An answer is read up to this many characters (≈ 3 000 words, eight pages of text)."""

MAX_SENTENCES = 400
"""At most this many sentences of one answer are used for sentence-level work (5.3, quotes)."""

ANSWER_COLUMNS = ["respondent_id", "kommun", "question_id", "text", "chars"]


def clean_text(value: object) -> str:
    """Whitespace-collapsed answer text; ``""`` for missing values and for answers without a
    single letter or digit ("-", "…", "?").

    >>> clean_text("  Bra\\n dialog "), clean_text("-"), clean_text(pd.NA), clean_text(None)
    ('Bra dialog', '', '', '')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = " ".join(str(value)[: 2 * MAX_ANSWER_CHARS].split())[:MAX_ANSWER_CHARS]
    return text if tokenize(text[:2000]) else ""


def responding_municipalities(wide: pd.DataFrame, column: str = "q1") -> list[str]:
    """The distinct municipalities that answered, in the data's categorical (or sorted) order.

    >>> w = pd.DataFrame({"q1": pd.Categorical(["Malå", "Umeå", "Malå"])})
    >>> responding_municipalities(w)
    ['Malå', 'Umeå']
    """
    s = wide[column].dropna()
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.astype(str))
        return [str(c) for c in s.cat.categories if str(c) in present]
    return sorted({str(v) for v in s})


def answers_table(
    wide: pd.DataFrame,
    questions: Sequence[str] = TEXT_QUESTIONS,
    *,
    municipality_column: str = "q1",
) -> pd.DataFrame:
    """One row per non-empty free-text answer.

    Columns: ``respondent_id``, ``kommun``, ``question_id``, ``text`` (whitespace collapsed,
    at most :data:`MAX_ANSWER_CHARS` characters) and ``chars`` (the answer's full length). Rows
    follow *wide* and then *questions*; answers without a municipality are dropped.

    >>> w = pd.DataFrame({"respondent_id": ["r1", "r2"], "q1": ["Malå", "Umeå"],
    ...                   "q2": ["Bra  företag.", None], "q3": ["", "Bostadsbrist."]})
    >>> answers_table(w, ["q2", "q3"])[["kommun", "question_id", "text"]]
      kommun question_id           text
    0   Malå          q2   Bra företag.
    1   Umeå          q3  Bostadsbrist.
    """
    rows = []
    rids = wide["respondent_id"] if "respondent_id" in wide else pd.Series(wide.index.astype(str))
    for pos in range(len(wide)):
        kommun = wide[municipality_column].iloc[pos]
        if kommun is None or (not isinstance(kommun, str) and pd.isna(kommun)):
            continue
        for q in questions:
            if q not in wide.columns:
                continue
            raw = wide[q].iloc[pos]
            text = clean_text(raw)
            if text:
                full = len(str(raw))
                rows.append((str(rids.iloc[pos]), str(kommun), q, text, full))
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


def truncated_answers(answers: pd.DataFrame) -> int:
    """How many answers were longer than :data:`MAX_ANSWER_CHARS` (and were cut for the analysis).

    >>> truncated_answers(pd.DataFrame({"chars": [10, 25_000]}))
    1
    """
    return int((answers["chars"] > MAX_ANSWER_CHARS).sum()) if "chars" in answers else 0


def sentences_table(answers: pd.DataFrame) -> pd.DataFrame:
    """Split every answer into sentences: the answer's columns plus ``sentence_no`` (from 0).

    At most :data:`MAX_SENTENCES` sentences per answer are kept.

    >>> a = pd.DataFrame({"respondent_id": ["r1"], "kommun": ["Malå"], "question_id": ["q4"],
    ...                   "text": ["Bra bredband. Dåliga vägar."]})
    >>> sentences_table(a)[["sentence_no", "text"]]
       sentence_no           text
    0            0  Bra bredband.
    1            1  Dåliga vägar.
    """
    rows = []
    keep = [c for c in answers.columns if c not in ("text", "chars")]
    for rec in answers.to_dict("records"):
        for i, sent in enumerate(split_sentences(rec["text"])[:MAX_SENTENCES]):
            rows.append({**{k: rec[k] for k in keep}, "sentence_no": i, "text": sent})
    return pd.DataFrame(rows, columns=[*keep, "sentence_no", "text"])


def code_frame(frame: pd.DataFrame, themes: ThemeCodebook) -> pd.DataFrame:
    """Append one 0/1 column per theme (codebook order) to *frame*, coding its ``text`` column.

    Uses :func:`analysis.text.coding.code_texts`; *frame* is not modified.
    """
    from analysis.text.coding import code_texts

    out = frame.reset_index(drop=True).copy()
    if out.empty:
        for tid in themes.ids:
            out[tid] = pd.Series(dtype="int64")
        return out
    codes = pd.DataFrame(code_texts(out["text"], themes)).reset_index(drop=True)
    for tid in themes.ids:
        out[tid] = codes[tid].astype("int64").to_numpy() if tid in codes else 0
    return out


def theme_matrix(
    coded: pd.DataFrame,
    theme_ids: Sequence[str],
    municipalities: Sequence[str],
    questions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Municipality × theme: 1 when any of the municipality's coded rows (in *questions*) has it.

    Every municipality in *municipalities* gets a row (all zeros when it said nothing).

    >>> c = pd.DataFrame({"kommun": ["A", "A", "B"], "question_id": ["q2", "q3", "q2"],
    ...                   "x": [1, 0, 0], "y": [0, 1, 1]})
    >>> theme_matrix(c, ["x", "y"], ["A", "B", "C"], questions=["q2"]).to_dict("index")
    {'A': {'x': 1, 'y': 0}, 'B': {'x': 0, 'y': 1}, 'C': {'x': 0, 'y': 0}}
    """
    rows = coded if questions is None else coded[coded["question_id"].isin(list(questions))]
    ids = list(theme_ids)
    index = pd.Index(list(municipalities), name="kommun")
    if rows.empty:
        return pd.DataFrame(0, index=index, columns=ids).astype("int64")
    m = rows.groupby("kommun", observed=True)[ids].max()
    return m.reindex(index).fillna(0).astype("int64")


def answer_coverage(
    wide: pd.DataFrame,
    questions: Sequence[str] = TEXT_QUESTIONS,
    *,
    question_numbers: Mapping[str, int] | None = None,
    municipality_column: str = "q1",
) -> pd.DataFrame:
    """Per question: how many municipalities answered and how long the answers are (in words).

    Index ``Fråga`` (the question number as printed); numeric columns ``Kommuner som svarat``,
    ``Median antal ord``, ``Kortaste``, ``Längsta`` (NaN when nobody answered).

    >>> w = pd.DataFrame({"q1": ["A", "B"], "q2": ["ett två tre", ""], "q3": ["ett", "ett två"]})
    >>> answer_coverage(w, ["q2", "q3"]).to_dict("index")[3]
    {'Kommuner som svarat': 2, 'Median antal ord': 1.5, 'Kortaste': 1.0, 'Längsta': 2.0}
    """
    munis = wide[municipality_column].astype("string")
    rows = []
    for q in questions:
        texts = wide[q].map(clean_text) if q in wide.columns else pd.Series("", index=wide.index)
        answered = texts != ""
        words = texts[answered].map(lambda t: len(tokenize(t)))
        number = (question_numbers or {}).get(q, int(q.lstrip("q")) if q[1:].isdigit() else q)
        rows.append(
            {
                "Fråga": number,
                "Kommuner som svarat": int(munis[answered].dropna().nunique()),
                "Median antal ord": float(words.median()) if len(words) else np.nan,
                "Kortaste": float(words.min()) if len(words) else np.nan,
                "Längsta": float(words.max()) if len(words) else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("Fråga")
