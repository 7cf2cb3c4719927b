"""Survey-specific analysis of the 2023 municipality survey (seed 002, sections 5.1–5.8).

The notebook ``notebooks/municipality_survey_2023.ipynb`` holds the narrative; everything it
computes lives here as small functions on plain DataFrames (no HTML):

* reshaping: :func:`answers_table` (one row per non-empty answer), :func:`sentences_table`
  (one row per sentence), :func:`theme_matrix` (municipality × theme, 0/1);
* counting: :func:`count_phrase` ("7 av 15 kommuner"), :func:`theme_counts`,
  :func:`priority_ranking`, :func:`cooccurrence`, :func:`answer_coverage`;
* infrastructure (Q4): :func:`polarity` classifies a sentence as opportunity / challenge with a
  small cue lexicon, :func:`infrastructure_table` counts municipalities per sub-area;
* actors (Q6–Q10): :func:`actor_stance_counts`, :func:`actor_stance_by_municipality` (internal);
* groups: :func:`merge_small_groups`, :func:`group_comparison` (suppressed in public);
* quotes: :func:`select_quotes` (short, representative, deterministic) and
  :func:`prepare_quotes` (masked with :func:`analysis.disclosure.masking.mask_entities` plus
  :func:`mask_unlisted_names` and unattributed in public, attributed internally);
* verified codes: :func:`apply_verification` (a reviewer's ``verified_codes`` file overrides the
  suggestions; agreement per theme);
* :func:`analyse` runs all of it on the wide table of :func:`analysis.data.dataset.load` and returns
  an :class:`Analysis`;
* disclosure control for ``public``: :func:`band_count`, :func:`band_frame`,
  :func:`band_limit`, :func:`band_with_row_totals` and :func:`count_phrase` band counts below
  ``min_cell``.

The presentation (one ``*_html`` function per report section, figures) lives in
:mod:`analysis.report.municipality`; the notebook only calls it and adds the fixed narrative.

Counts are always *municipalities*: a municipality that mentions a theme in several answers (or
answered twice) counts once. The denominator is the number of responding municipalities,
computed from the data (15 in the published survey).

>>> count_phrase(7, 15)
'7 av 15 kommuner'
>>> polarity("Elnätet är föråldrat och har för låg kapacitet.")
'utmaning'
>>> polarity("Vi har god tillgång till el från vattenkraft.")
'möjlighet'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.disclosure.audience import check_audience
from analysis.text.actors import ACTORS, STANCES
from analysis.text.normalise import split_sentences, tokenize, word_matches

if TYPE_CHECKING:  # pragma: no cover
    from analysis.text.themes import ThemeCodebook

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


POLARITY_LABELS: dict[str, str] = {
    "möjlighet": "Möjlighet",
    "utmaning": "Utmaning",
}


# --------------------------------------------------------------------------------------------
# Cue lexicon for opportunity / challenge (section 5.3)
# --------------------------------------------------------------------------------------------
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


OPPORTUNITY_EXACT: frozenset[str] = _words(
    """bra god goda gott stark starka starkt fin fina positiv positivt positiva gynnsam
    gynnsamt gynnsamma växande välfungerande attraktiv attraktivt attraktiva framkant
    utbyggt utbyggd utbyggda väl nöjd nöjda tillräcklig tillräckligt tillräckliga räcker
    fungerar funkar"""
)
"""Opportunity cues matched as whole tokens (no inflection beyond the listed forms)."""

OPPORTUNITY_STEMS: tuple[str, ...] = (
    "möjlighet",
    "styrka",
    "fördel",
    "potential",
    "överskott",
    "tillgång",
    "förutsättning",
    "chans",
)
"""Opportunity cues matched as words or compound parts (``möjligheterna``, ``energiöverskott``)."""

CHALLENGE_EXACT: frozenset[str] = _words(
    """svårt svår svåra svårare saknas saknar saknade låg låga lågt otillräcklig
    otillräckligt otillräckliga bristfällig bristfälligt bristfälliga föråldrat föråldrad
    föråldrade eftersatt eftersatta kostsam kostsamt kostsamma dyr dyrt dyra långsam
    långsamt långsamma långa långdragna oro risk risker hindrar hindra begränsar
    begränsad begränsade begränsat ansträngt ansträngd akut akuta sårbar sårbart kostar
    dyrare behov behöver dålig dåligt dåliga sämre"""
)
"""Challenge cues matched as whole tokens."""

CHALLENGE_STEMS: tuple[str, ...] = (
    "utmaning",
    "brist",
    "problem",
    "svårighet",
    "hinder",
    "underhållsskuld",
    "flaskhals",
    "kapacitetsbrist",
)
"""Challenge cues matched as words or compound parts (``utmaningarna``, ``kompetensbrist``)."""

NEGATIONS: frozenset[str] = frozenset({"inte", "ej", "ingen", "inget", "inga", "aldrig", "för"})
"""A negation (or "för" as in "för låg") up to two tokens before an opportunity cue turns it
into a challenge cue: "inte tillräckligt bra", "ingen möjlighet"."""


def _cue_hits(tokens: Sequence[str]) -> tuple[int, int]:
    """Number of opportunity and challenge cues among ``tokens`` (negation-aware)."""
    opp = chal = 0
    for i, tok in enumerate(tokens):
        is_opp = tok in OPPORTUNITY_EXACT or any(word_matches(tok, s) for s in OPPORTUNITY_STEMS)
        is_chal = tok in CHALLENGE_EXACT or any(word_matches(tok, s) for s in CHALLENGE_STEMS)
        if is_opp and not is_chal:
            before = tokens[max(0, i - 2) : i]
            after = tokens[i + 1 : i + 3]
            # "för" only negates adjectives ("för låg" is handled by the challenge list); for
            # opportunity cues a plain negation word is needed: before ("inte tillräcklig") or
            # right after a verb ("räcker inte"), but not "inte minst" / "inte bara".
            negated_after = bool(after) and after[0] in NEGATIONS and after[0] != "för"
            negated_after &= after[1:2] not in (["minst"], ["bara"])
            if negated_after or any(w in NEGATIONS and w != "för" for w in before):
                chal += 1
            else:
                opp += 1
        elif is_chal:
            chal += 1
    return opp, chal


def polarity(sentence: object) -> str:
    """Classify one sentence as ``"möjlighet"``, ``"utmaning"``, ``"båda"`` or ``""`` (neither).

    A small Swedish cue lexicon (:data:`OPPORTUNITY_EXACT`, :data:`OPPORTUNITY_STEMS`,
    :data:`CHALLENGE_EXACT`, :data:`CHALLENGE_STEMS`) is matched with the compound-aware matcher
    of :mod:`analysis.text.normalise`; a negation just before an opportunity cue makes it a challenge.

    >>> polarity("En stor möjlighet är Norrbotniabanan.")
    'möjlighet'
    >>> polarity("Underhållet av vägarna är bristfälligt.")
    'utmaning'
    >>> polarity("Det finns ingen möjlighet att ansluta fler hushåll.")
    'utmaning'
    >>> polarity("Bredbandet är bra i tätorten men svårt att bygga ut på landsbygden.")
    'båda'
    >>> polarity("Det finns gott om el men nätet räcker inte till.")
    'båda'
    >>> polarity("Vi deltar i nätverket.")
    ''
    """
    opp, chal = _cue_hits(tokenize(sentence))
    if opp and chal:
        return "båda"
    if opp:
        return "möjlighet"
    if chal:
        return "utmaning"
    return ""


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
BAND_TEMPLATE = "färre än {min_cell}"
"""How a public report shows a count ``0 < n < min_cell`` (in tables and in sentences)."""

BAND_SHORT = "<{min_cell}"
"""The same band in the short form used inside figures."""

SUPPRESSED = "–"
"""Shown instead of a hidden value (the en dash of :mod:`analysis.report.html`)."""


def is_banded(n: object, min_cell: int | None) -> bool:
    """True when *n* is a small count that the public report shows as a band.

    ``min_cell=None`` (the internal report) never bands.

    >>> is_banded(3, 5), is_banded(0, 5), is_banded(5, 5), is_banded(3, None)
    (True, False, False, False)
    """
    if min_cell is None or n is None or isinstance(n, str) or pd.isna(n):
        return False
    return 0 < int(n) < int(min_cell)


def band_count(n: int, min_cell: int | None) -> str:
    """A count as published: ``"färre än 5"`` for ``0 < n < min_cell``, otherwise exactly.

    Zeros and counts of at least *min_cell* are shown as they are; ``min_cell=None`` (the
    internal report) shows every count exactly.

    >>> band_count(3, 5), band_count(0, 5), band_count(12, 5), band_count(3, None)
    ('färre än 5', '0', '12', '3')
    """
    if is_banded(n, min_cell):
        return BAND_TEMPLATE.format(min_cell=int(min_cell))
    return str(int(n))


def band_frame(
    df: pd.DataFrame, min_cell: int | None, columns: Sequence[object] | None = None
) -> pd.DataFrame:
    """Copy of *df* with the small counts of *columns* (default: all) replaced by the band.

    Exact counts stay integers (so tables keep their number formatting); banded cells become the
    string ``"färre än {min_cell}"``. ``min_cell=None`` returns an unchanged copy.

    >>> t = pd.DataFrame({"a": [0, 3, 7], "b": [12, 1, 5]}, index=["x", "y", "z"])
    >>> band_frame(t, 5).to_dict("list")
    {'a': [0, 'färre än 5', 7], 'b': [12, 'färre än 5', 5]}
    >>> band_frame(t, 5, columns=["b"])["a"].tolist()
    [0, 3, 7]
    """
    out = df.copy()
    if min_cell is None:
        return out
    for c in list(df.columns) if columns is None else list(columns):
        out[c] = [band_count(v, min_cell) if is_banded(v, min_cell) else v for v in df[c].tolist()]
        out[c] = out[c].astype(object)
    return out


def band_sort_key(counts: pd.Series, min_cell: int | None) -> pd.Series:
    """Counts for sorting, with every banded count replaced by one value (a tie).

    >>> band_sort_key(pd.Series([7, 3, 1, 0]), 5).tolist()
    [7, 1, 1, 0]
    """
    if min_cell is None:
        return counts.astype("int64")
    return counts.map(lambda n: 1 if is_banded(n, min_cell) else int(n)).astype("int64")


def band_limit(audience: str, min_cell: int) -> int | None:
    """The banding threshold for an audience: *min_cell* in ``public``, ``None`` internally.

    >>> band_limit("public", 5), band_limit("internal", 5)
    (5, None)
    """
    return int(min_cell) if check_audience(audience) == "public" else None


def count_phrase(n: int, total: int, unit: str = "kommuner", *, min_cell: int | None = None) -> str:
    """Format a count as the report does: "N av TOTAL kommuner".

    With *min_cell* (the public report) a count ``0 < n < min_cell`` is banded.

    >>> count_phrase(1, 15)
    '1 av 15 kommuner'
    >>> count_phrase(0, 15, unit="svarande")
    '0 av 15 svarande'
    >>> count_phrase(3, 15, min_cell=5), count_phrase(7, 15, min_cell=5)
    ('färre än 5 av 15 kommuner', '7 av 15 kommuner')
    """
    return f"{band_count(n, min_cell)} av {int(total)} {unit}"


def _clean_text(value: object) -> str:
    """Whitespace-collapsed answer text; ``""`` for missing values and for answers without a
    single letter or digit ("-", "…", "?").

    >>> _clean_text("  Bra\\n dialog "), _clean_text("-"), _clean_text(pd.NA), _clean_text(None)
    ('Bra dialog', '', '', '')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = " ".join(str(value).split())
    return text if tokenize(text) else ""


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


# --------------------------------------------------------------------------------------------
# Reshaping
# --------------------------------------------------------------------------------------------
ANSWER_COLUMNS = ["respondent_id", "kommun", "kommungrupp", "question_id", "text"]


def answers_table(
    wide: pd.DataFrame,
    questions: Sequence[str] = TEXT_QUESTIONS,
    *,
    municipality_column: str = "q1",
) -> pd.DataFrame:
    """One row per non-empty free-text answer.

    Columns: ``respondent_id``, ``kommun``, ``kommungrupp``, ``question_id``, ``text``
    (whitespace collapsed). Rows follow the order of *wide* and then of *questions*; answers
    without a municipality are dropped (they cannot be counted as "N av 15 kommuner").

    >>> w = pd.DataFrame({"respondent_id": ["r1", "r2"], "q1": ["Malå", "Umeå"],
    ...                   "kommungrupp": ["ovriga", "storsta"],
    ...                   "q2": ["Bra  företag.", None], "q3": ["", "Bostadsbrist."]})
    >>> answers_table(w, ["q2", "q3"])[["kommun", "question_id", "text"]]
      kommun question_id           text
    0   Malå          q2   Bra företag.
    1   Umeå          q3  Bostadsbrist.
    """
    rows = []
    groups = wide["kommungrupp"] if "kommungrupp" in wide else pd.Series("", index=wide.index)
    rids = wide["respondent_id"] if "respondent_id" in wide else pd.Series(wide.index.astype(str))
    for pos in range(len(wide)):
        kommun = wide[municipality_column].iloc[pos]
        if kommun is None or (not isinstance(kommun, str) and pd.isna(kommun)):
            continue
        for q in questions:
            if q not in wide.columns:
                continue
            text = _clean_text(wide[q].iloc[pos])
            if text:
                rows.append((str(rids.iloc[pos]), str(kommun), str(groups.iloc[pos]), q, text))
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


def sentences_table(answers: pd.DataFrame) -> pd.DataFrame:
    """Split every answer into sentences: the answer's columns plus ``sentence_no`` (from 0).

    >>> a = pd.DataFrame({"respondent_id": ["r1"], "kommun": ["Malå"], "kommungrupp": ["ovriga"],
    ...                   "question_id": ["q4"], "text": ["Bra bredband. Dåliga vägar."]})
    >>> sentences_table(a)[["sentence_no", "text"]]
       sentence_no           text
    0            0  Bra bredband.
    1            1  Dåliga vägar.
    """
    rows = []
    keep = [c for c in answers.columns if c != "text"]
    for rec in answers.to_dict("records"):
        for i, sent in enumerate(split_sentences(rec["text"])):
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
    codes = code_texts(out["text"], themes)
    codes = pd.DataFrame(codes).reset_index(drop=True)
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
    if rows.empty:
        m = pd.DataFrame(0, index=pd.Index(list(municipalities), name="kommun"), columns=ids)
        return m.astype("int64")
    m = rows.groupby("kommun", observed=True)[ids].max()
    m = m.reindex(pd.Index(list(municipalities), name="kommun")).fillna(0).astype("int64")
    return m


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------
def theme_counts(
    matrix: pd.DataFrame,
    labels: Mapping[str, str],
    total: int | None = None,
    *,
    drop_zero: bool = True,
    min_cell: int | None = None,
) -> pd.DataFrame:
    """Number of municipalities per theme, most frequent first (ties: codebook order).

    Columns: ``tema`` (id), ``Tema`` (label), ``antal``, ``Antal kommuner`` ("N av 15 kommuner").
    With *min_cell* (public) the small counts are banded in ``Antal kommuner`` and the banded
    themes are listed after the others in codebook order, so that their order does not reveal
    which of them is named more often (``antal`` keeps the exact count for computations).

    >>> m = pd.DataFrame({"x": [1, 1, 0], "y": [0, 1, 0], "z": [0, 0, 0]}, index=["A", "B", "C"])
    >>> theme_counts(m, {"x": "Ex", "y": "Ypsilon", "z": "Zeta"})
      tema     Tema  antal   Antal kommuner
    0    x       Ex      2  2 av 3 kommuner
    1    y  Ypsilon      1  1 av 3 kommuner
    """
    total = len(matrix) if total is None else int(total)
    counts = matrix.sum(axis=0).astype("int64")
    order = {t: i for i, t in enumerate(matrix.columns)}
    df = pd.DataFrame({"tema": counts.index, "antal": counts.to_numpy()})
    if drop_zero:
        df = df[df["antal"] > 0]
    df = df.assign(_o=df["tema"].map(order), _k=band_sort_key(df["antal"], min_cell))
    df = df.sort_values(["_k", "_o"], ascending=[False, True], kind="mergesort")
    df = df.drop(columns=["_o", "_k"]).reset_index(drop=True)
    df.insert(1, "Tema", df["tema"].map(lambda t: labels.get(t, t)))
    df["Antal kommuner"] = [count_phrase(n, total, min_cell=min_cell) for n in df["antal"]]
    return df


def priority_ranking(
    matrix: pd.DataFrame,
    labels: Mapping[str, str],
    priority_ids: Sequence[str],
    total: int | None = None,
    *,
    min_cell: int | None = None,
) -> pd.DataFrame:
    """Rank the priority areas by how many municipalities name them (Q14).

    Ties share a rank (competition ranking "1, 2, 2, 4"); within a tie the report's order is
    kept. Areas nobody named are listed last with 0. With *min_cell* (public) all banded areas
    (named by 1 to ``min_cell - 1`` municipalities) are treated as one tie: they share a place,
    are listed in the report's order and show the band in ``Antal kommuner`` — so neither their
    places nor their order reveal the exact counts.

    Columns: ``Plats``, ``tema``, ``Prioriterat område``, ``antal``, ``Antal kommuner``.

    >>> m = pd.DataFrame({"a": [1, 0, 1], "b": [1, 1, 1], "c": [1, 1, 0]})
    >>> priority_ranking(m, {"a": "A", "b": "B", "c": "C"}, ["a", "b", "c"])[["Plats", "tema", "antal"]]
       Plats tema  antal
    0      1    b      3
    1      2    a      2
    2      2    c      2
    """
    total = len(matrix) if total is None else int(total)
    ids = [t for t in priority_ids if t in matrix.columns]
    counts = matrix[ids].sum(axis=0).astype("int64") if ids else pd.Series(dtype="int64")
    df = pd.DataFrame({"tema": ids, "antal": [int(counts[t]) for t in ids]})
    df["_o"] = range(len(df))
    df["_k"] = band_sort_key(df["antal"], min_cell)
    df = df.sort_values(["_k", "_o"], ascending=[False, True], kind="mergesort")
    df = df.reset_index(drop=True)
    df.insert(0, "Plats", df["_k"].rank(method="min", ascending=False).astype("int64"))
    df = df.drop(columns=["_o", "_k"])
    df.insert(2, "Prioriterat område", df["tema"].map(lambda t: labels.get(t, t)))
    df["Antal kommuner"] = [count_phrase(n, total, min_cell=min_cell) for n in df["antal"]]
    return df


def cooccurrence(
    matrix: pd.DataFrame, *, groups: pd.Series | None = None, min_count: int = 1
) -> pd.DataFrame:
    """Theme × theme co-occurrence counts (diagonal: the theme itself).

    Without *groups* every row is a unit (e.g. a municipality) and a cell counts the rows
    having both themes. With *groups* (one label per row, e.g. the municipality of each
    answer) a cell counts the groups having at least one row with both themes — "the number of
    municipalities that mention the two themes in the same answer". Themes present in fewer
    than *min_count* units are dropped.

    >>> m = pd.DataFrame({"x": [1, 1, 0], "y": [1, 0, 0], "z": [0, 0, 0]})
    >>> cooccurrence(m).to_dict()
    {'x': {'x': 2, 'y': 1}, 'y': {'x': 1, 'y': 1}}
    >>> answers = pd.DataFrame({"x": [1, 0, 1], "y": [0, 1, 1]})
    >>> cooccurrence(answers, groups=pd.Series(["A", "A", "B"])).to_dict()
    {'x': {'x': 2, 'y': 1}, 'y': {'x': 1, 'y': 2}}
    """
    m = (matrix.to_numpy() > 0).astype("int64")
    cols = list(matrix.columns)
    if groups is None:
        arr = m.T @ m
    else:
        g = pd.Series(groups).to_numpy()
        arr = np.zeros((len(cols), len(cols)), dtype="int64")
        for label in pd.unique(g):
            b = m[g == label]
            arr += ((b.T @ b) > 0).astype("int64")
    full = pd.DataFrame(arr, index=cols, columns=cols)
    keep = [c for c in cols if full.loc[c, c] >= max(min_count, 1)]
    return full.loc[keep, keep]


def answer_coverage(
    wide: pd.DataFrame,
    questions: Sequence[str] = TEXT_QUESTIONS,
    *,
    total: int | None = None,
    question_numbers: Mapping[str, int] | None = None,
    municipality_column: str = "q1",
    min_cell: int | None = None,
) -> pd.DataFrame:
    """Per question: how many municipalities answered and how long the answers are (words).

    Columns: ``Fråga``, ``antal``, ``Svar från``, ``Median antal ord``, ``Kortaste``,
    ``Längsta``, ``Ord totalt``. Lengths are over the non-empty answers (0 when none). With
    *min_cell* (public) a small ``Svar från`` is banded and the length figures of that question
    are shown as "–" (they describe the few answers one by one).

    >>> w = pd.DataFrame({"q1": ["A", "B"], "q2": ["ett två tre", ""], "q3": ["ett", "ett två"]})
    >>> answer_coverage(w, ["q2", "q3"])[["Fråga", "antal", "Svar från", "Median antal ord"]]
      Fråga  antal        Svar från  Median antal ord
    0     2      1  1 av 2 kommuner               3.0
    1     3      2  2 av 2 kommuner               1.5
    """
    munis = wide[municipality_column].astype("string")
    total = munis.dropna().nunique() if total is None else int(total)
    rows = []
    for q in questions:
        texts = wide[q].map(_clean_text) if q in wide.columns else pd.Series("", index=wide.index)
        answered = texts != ""
        n = int(munis[answered].dropna().nunique())
        words = texts[answered].map(lambda t: len(tokenize(t)))
        number = (question_numbers or {}).get(q, int(q.lstrip("q")) if q[1:].isdigit() else q)
        row: dict[str, object] = {
            "Fråga": str(number),
            "antal": n,
            "Svar från": count_phrase(n, total, min_cell=min_cell),
            "Median antal ord": float(words.median()) if len(words) else 0.0,
            "Kortaste": int(words.min()) if len(words) else 0,
            "Längsta": int(words.max()) if len(words) else 0,
            "Ord totalt": int(words.sum()) if len(words) else 0,
        }
        if is_banded(n, min_cell):
            row.update({k: SUPPRESSED for k in _LENGTH_COLUMNS})
        rows.append(row)
    return pd.DataFrame(rows)


_LENGTH_COLUMNS = ("Median antal ord", "Kortaste", "Längsta", "Ord totalt")


# --------------------------------------------------------------------------------------------
# Section 5.3: infrastructure sub-areas × opportunity / challenge
# --------------------------------------------------------------------------------------------
def infrastructure_table(
    sentences: pd.DataFrame,
    municipalities: Sequence[str],
    subareas: Mapping[str, str] = INFRA_SUBAREAS,
) -> pd.DataFrame:
    """Sub-area × {Nämner området, Möjlighet, Utmaning}: number of municipalities.

    *sentences* are coded sentences (sub-area theme columns and ``text``), normally from Q4. A
    municipality counts under "Möjlighet" when at least one of its sentences about the sub-area
    reads as an opportunity (:func:`polarity`), and likewise for "Utmaning"; a sentence with
    both cues counts for both. Counts are municipalities out of ``len(municipalities)``.

    >>> s = pd.DataFrame({"kommun": ["A", "A", "B"],
    ...     "text": ["Bra vägar.", "Elnätet har för låg kapacitet.", "Elnätet är en styrka."],
    ...     "infra_transport": [1, 0, 0], "infra_energi": [0, 1, 1]})
    >>> t = infrastructure_table(s, ["A", "B"], {"infra_transport": "Transport", "infra_energi": "Energi"})
    >>> t.to_dict("index")
    {'Transport': {'Nämner området': 1, 'Möjlighet': 1, 'Utmaning': 0}, 'Energi': {'Nämner området': 2, 'Möjlighet': 1, 'Utmaning': 1}}
    """
    rows = []
    pol = sentences["text"].map(polarity) if len(sentences) else pd.Series(dtype=str)
    valid = set(municipalities)
    for tid, label in subareas.items():
        if tid not in sentences.columns or sentences.empty:
            rows.append((label, 0, 0, 0))
            continue
        hit = (sentences[tid] == 1) & sentences["kommun"].isin(valid)
        mention = sentences.loc[hit, "kommun"].nunique()
        opp = sentences.loc[hit & pol.isin(["möjlighet", "båda"]), "kommun"].nunique()
        chal = sentences.loc[hit & pol.isin(["utmaning", "båda"]), "kommun"].nunique()
        rows.append((label, int(mention), int(opp), int(chal)))
    df = pd.DataFrame(rows, columns=["Delområde", "Nämner området", "Möjlighet", "Utmaning"])
    return df.set_index("Delområde")


# --------------------------------------------------------------------------------------------
# Section 5.5: actors
# --------------------------------------------------------------------------------------------
STANCE_LABELS: dict[str, str] = STANCES
"""Stance id → Swedish column heading (order of the heatmap's columns; from :mod:`analysis.text.actors`)."""

ACTOR_LABELS: dict[str, str] = {a.id: a.label for a in ACTORS.values()}
"""Actor id → Swedish row heading (the report's order; from :mod:`analysis.text.actors`)."""

ACTOR_QUESTIONS: dict[str, str] = {
    "q6": "Länsstyrelsen (fråga 6)",
    "q7": "Trafikverket och Luftfartsverket (fråga 7)",
    "q8": "Arbetsförmedlingen (fråga 8)",
    "q9": "Polisen och Ekobrottsmyndigheten (fråga 9)",
    "q10": "Universiteten (fråga 10)",
}
"""The actor questions (Q6–Q10) → caption used for their quotes."""


def actor_stance_counts(
    stances: pd.DataFrame,
    *,
    actor_labels: Mapping[str, str] = ACTOR_LABELS,
    stance_labels: Mapping[str, str] = STANCE_LABELS,
) -> pd.DataFrame:
    """Actor × stance: number of municipalities (rows and columns in a fixed order).

    *stances* is long: ``kommun``, ``actor``, ``stance`` (ids). A municipality counts once per
    actor (its first row wins if duplicated). Unknown stances are ignored.

    >>> st = pd.DataFrame({"kommun": ["A", "B", "A"], "actor": ["polisen", "polisen", "trafikverket"],
    ...                    "stance": ["fungerar_bra", "blandat", "ingen_kontakt"]})
    >>> t = actor_stance_counts(st, actor_labels={"polisen": "Polisen", "trafikverket": "Trafikverket"})
    >>> t.index.tolist(), t.columns.tolist()[:2], t.to_numpy().tolist()
    (['Polisen', 'Trafikverket'], ['Fungerar bra', 'Blandat'], [[1, 1, 0, 0], [0, 0, 0, 1]])
    """
    s = stances[stances["stance"].isin(list(stance_labels))]
    s = s.drop_duplicates(["kommun", "actor"], keep="first")
    table = pd.crosstab(s["actor"], s["stance"]) if len(s) else pd.DataFrame()
    table = table.reindex(index=list(actor_labels), columns=list(stance_labels), fill_value=0)
    table = table.fillna(0).astype("int64")
    table.index = pd.Index([actor_labels[a] for a in table.index], name="Aktör")
    table.columns = [stance_labels[c] for c in table.columns]
    return table


def actor_stance_by_municipality(
    stances: pd.DataFrame,
    municipalities: Sequence[str],
    *,
    actor_labels: Mapping[str, str] = ACTOR_LABELS,
    stance_labels: Mapping[str, str] = STANCE_LABELS,
) -> pd.DataFrame:
    """Municipality × actor with the stance label in each cell (internal reports only).

    >>> st = pd.DataFrame({"kommun": ["A"], "actor": ["polisen"], "stance": ["blandat"]})
    >>> actor_stance_by_municipality(st, ["A", "B"], actor_labels={"polisen": "Polisen"}).to_dict()
    {'Polisen': {'A': 'Blandat', 'B': '–'}}
    """
    s = stances.drop_duplicates(["kommun", "actor"], keep="first")
    wide = s.pivot(index="kommun", columns="actor", values="stance") if len(s) else pd.DataFrame()
    wide = wide.reindex(index=list(municipalities), columns=list(actor_labels))
    wide = wide.map(lambda v: stance_labels.get(v, "–") if isinstance(v, str) else "–")
    wide.index = pd.Index(list(municipalities), name="Kommun")
    wide.columns = [actor_labels[a] for a in wide.columns]
    return wide


def _row_determined(values: Sequence[int], kinds: Sequence[str], min_cell: int) -> bool:
    """Whether a banded cell of one row can be recovered from the row's (known) total.

    *kinds* per cell: ``"shown"`` (exact), ``"band"`` (1 … min_cell − 1) or ``"hidden"``
    (a complementary "–": only counts of at least *min_cell* are ever hidden so, a reader knows
    it lies between *min_cell* and the total). Every
    assignment of the unknown cells that adds up to the total is enumerated; a banded cell is
    recovered when it takes the same value in all of them.

    >>> _row_determined([1, 13, 1, 0], ["band", "shown", "band", "shown"], 5)
    True
    >>> _row_determined([1, 13, 1, 0], ["band", "hidden", "band", "shown"], 5)
    False
    >>> _row_determined([3, 4, 8, 0], ["band", "band", "shown", "shown"], 5)
    False
    """
    total = int(sum(int(v) for v in values))
    rest = total - sum(int(v) for v, k in zip(values, kinds, strict=True) if k == "shown")
    unknown = [i for i, k in enumerate(kinds) if k != "shown"]
    domains = [
        range(1, min_cell) if kinds[i] == "band" else range(min_cell, total + 1) for i in unknown
    ]
    seen: list[set[int]] = [set() for _ in unknown]

    def walk(pos: int, remaining: int, chosen: list[int]) -> None:
        if pos == len(unknown):
            if remaining == 0:
                for j, v in enumerate(chosen):
                    seen[j].add(v)
            return
        for v in domains[pos]:
            if v > remaining:
                break
            walk(pos + 1, remaining - v, [*chosen, v])

    walk(0, rest, [])
    return any(len(seen[j]) <= 1 for j, i in enumerate(unknown) if kinds[i] == "band")


def band_with_row_totals(table: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Band a count table whose row totals a reader knows (e.g. every row adds up to 15).

    Small counts become ``"färre än {min_cell}"``. When a row's total would still give a banded
    count away (one banded cell, or banded cells that can only add up one way, such as two
    banded cells summing to 2), the smallest exact count of at least *min_cell* in that row is
    hidden as well ("–", complementary suppression) until no banded cell can be recovered
    (checked by :func:`_row_determined`); if the row has no such count left, the whole row is
    shown as "–". Zeros are shown. Column totals are assumed unknown (not published).

    >>> t = pd.DataFrame({"Bra": [1, 10, 3], "Blandat": [13, 5, 0], "Dåligt": [1, 0, 12]},
    ...                  index=["a", "b", "c"])
    >>> band_with_row_totals(t, 5).to_dict("index")["a"]
    {'Bra': 'färre än 5', 'Blandat': '–', 'Dåligt': 'färre än 5'}
    >>> band_with_row_totals(t, 5).to_dict("index")["c"]
    {'Bra': 'färre än 5', 'Blandat': 0, 'Dåligt': '–'}
    >>> band_with_row_totals(t, 5).to_dict("index")["b"]
    {'Bra': 10, 'Blandat': 5, 'Dåligt': 0}
    """
    out = table.astype(object).copy()
    band = BAND_TEMPLATE.format(min_cell=int(min_cell))
    for r in range(len(table)):
        values = [int(v) for v in table.iloc[r].tolist()]
        kinds = ["band" if is_banded(v, min_cell) else "shown" for v in values]
        if "band" not in kinds:
            continue
        while _row_determined(values, kinds, min_cell):
            candidates = [
                (v, c) for c, (v, k) in enumerate(zip(values, kinds, strict=True))
                if k == "shown" and v >= min_cell
            ]  # fmt: skip
            if not candidates:
                kinds = ["all"] * len(values)
                break
            kinds[min(candidates)[1]] = "hidden"
        for c, kind in enumerate(kinds):
            if kind == "band":
                out.iat[r, c] = band
            elif kind in ("hidden", "all"):
                out.iat[r, c] = SUPPRESSED
    return out


def improvement_counts(
    improvements: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    actor_labels: Mapping[str, str] = ACTOR_LABELS,
    top: int = 3,
) -> pd.DataFrame:
    """Per actor, the improvement areas named by most municipalities.

    *improvements* is long: ``kommun``, ``actor``, ``theme`` (theme id). Returns columns
    ``Aktör``, ``Förbättringsområde``, ``antal`` (at most *top* per actor, most frequent first,
    ties by theme id).

    >>> imp = pd.DataFrame({"kommun": ["A", "B", "B"], "actor": ["polisen"] * 3,
    ...                     "theme": ["x", "x", "y"]})
    >>> improvement_counts(imp, {"x": "Ex", "y": "Ypsilon"}, actor_labels={"polisen": "Polisen"})
         Aktör Förbättringsområde  antal
    0  Polisen                 Ex      2
    1  Polisen            Ypsilon      1
    """
    cols = ["Aktör", "Förbättringsområde", "antal"]
    if improvements.empty:
        return pd.DataFrame(columns=cols)
    imp = improvements.drop_duplicates(["kommun", "actor", "theme"])
    g = imp.groupby(["actor", "theme"]).size().rename("antal").reset_index()
    order = {a: i for i, a in enumerate(actor_labels)}
    g = g[g["actor"].isin(order)]
    g = g.assign(_o=g["actor"].map(order)).sort_values(
        ["_o", "antal", "theme"], ascending=[True, False, True]
    )
    g = g.groupby("actor", sort=False).head(top)
    return pd.DataFrame(
        {
            "Aktör": g["actor"].map(actor_labels).to_numpy(),
            "Förbättringsområde": g["theme"].map(lambda t: labels.get(t, t)).to_numpy(),
            "antal": g["antal"].astype("int64").to_numpy(),
        },
        columns=cols,
    )


# --------------------------------------------------------------------------------------------
# Group comparisons
# --------------------------------------------------------------------------------------------
def merge_small_groups(
    groups: pd.Series,
    min_cell: int,
    labels: Mapping[str, str],
) -> pd.Series:
    """Map each municipality's group id to a display label, merging groups below *min_cell*.

    Groups are taken in the order of *labels*; a group with fewer than *min_cell* members is
    merged into the next group (the last one into the previous), repeatedly, so that every
    published group has at least *min_cell* municipalities. With the county's groups (1, 5 and
    9 municipalities) and ``min_cell=5`` Umeå is merged with the rest of Umeåregionen.

    >>> g = pd.Series(["storsta"] + ["umearegionen_ovriga"] * 5 + ["ovriga"] * 9)
    >>> labs = {"storsta": "Umeå", "umearegionen_ovriga": "Övriga Umeåregionen", "ovriga": "Övriga"}
    >>> merge_small_groups(g, 5, labs).value_counts().to_dict()
    {'Övriga': 9, 'Umeå och övriga Umeåregionen': 6}
    >>> merge_small_groups(g, 1, labs).nunique()
    3
    """
    order = [k for k in labels if k in set(groups.dropna())]
    blocks: list[list[str]] = [[k] for k in order]
    sizes = groups.value_counts()

    def size(block: list[str]) -> int:
        return int(sum(sizes.get(k, 0) for k in block))

    changed = True
    while changed and len(blocks) > 1:
        changed = False
        for i, block in enumerate(blocks):
            if size(block) < min_cell:
                j = i + 1 if i + 1 < len(blocks) else i - 1
                lo, hi = sorted((i, j))
                blocks[lo] = blocks[lo] + blocks[hi]
                del blocks[hi]
                changed = True
                break

    def label(block: list[str]) -> str:
        names = [str(labels[k]) for k in block]
        rest = [n[:1].lower() + n[1:] if n[1:2].islower() else n for n in names[1:]]
        return " och ".join([names[0], *rest])

    mapping = {k: label(block) for block in blocks for k in block}
    return groups.map(mapping)


def group_comparison(
    matrix: pd.DataFrame,
    groups: pd.Series,
    theme_labels: Mapping[str, str],
    group_labels: Mapping[str, str],
    *,
    min_cell: int,
    audience: str,
) -> pd.DataFrame:
    """Theme × municipality group: number of municipalities mentioning the theme.

    *matrix* is municipality × theme (0/1), *groups* the group id per municipality (same
    index). ``internal``: every group as it is, plus ``Alla``. ``public``: groups smaller than
    *min_cell* are merged (:func:`merge_small_groups`), then small counts and their complements
    are suppressed (:func:`analysis.disclosure.suppression.suppress_table`, "–"). The first row gives the
    group sizes.

    >>> m = pd.DataFrame({"x": [1, 1, 1, 1, 1, 0], "y": [1, 0, 0, 0, 0, 0]}, index=list("abcdef"))
    >>> g = pd.Series(["g1", "g1", "g1", "g2", "g2", "g2"], index=list("abcdef"))
    >>> group_comparison(m, g, {"x": "X", "y": "Y"}, {"g1": "G1", "g2": "G2"},
    ...                  min_cell=1, audience="internal").to_dict("index")
    {'Antal kommuner': {'G1': 3, 'G2': 3, 'Alla': 6}, 'X': {'G1': 3, 'G2': 2, 'Alla': 5}, 'Y': {'G1': 1, 'G2': 0, 'Alla': 1}}
    """
    from analysis.disclosure.suppression import suppress_table

    audience = check_audience(audience)
    g = groups.reindex(matrix.index)
    if audience == "public":
        shown = merge_small_groups(g, min_cell, group_labels)
    else:
        shown = g.map(lambda k: group_labels.get(k, k))
    rank = {k: i for i, k in enumerate(group_labels)}
    first_id: dict[str, int] = {}
    for gid, lab in zip(g, shown, strict=True):
        if isinstance(lab, str):
            first_id[lab] = min(first_id.get(lab, 10_000), rank.get(gid, 10_000))
    col_order = sorted(first_id, key=lambda lab: (first_id[lab], lab))
    counts = matrix.groupby(shown).sum().T.reindex(columns=col_order).astype("int64")
    sizes = shown.value_counts().reindex(col_order).astype("int64")
    counts = counts[(counts.sum(axis=1) > 0)]
    if audience == "public":
        # the county-wide count of every theme is published elsewhere in the report, so a row
        # whose total is small cannot be protected by suppressing it here: leave it out
        counts = counts[counts.sum(axis=1) >= min_cell]
    counts.index = [theme_labels.get(t, t) for t in counts.index]
    if audience == "public":
        body = suppress_table(counts, min_cell, margins=True)
        body = body.drop(index="Totalt").rename(columns={"Totalt": "Alla"})
    else:
        body = counts.astype(object)
        body["Alla"] = counts.sum(axis=1)
    size_row = pd.DataFrame(
        [[*sizes.tolist(), int(sizes.sum())]], columns=body.columns, index=["Antal kommuner"]
    ).astype(object)
    out = pd.concat([size_row, body])
    out.index.name = "Tema"
    return out


# --------------------------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------------------------
_MIN_WORD = 4


def _content_words(text: str) -> frozenset[str]:
    return frozenset(t for t in tokenize(text) if len(t) >= _MIN_WORD)


def select_quotes(
    sentences: pd.DataFrame,
    mask: pd.Series | np.ndarray | None = None,
    *,
    n: int = 2,
    min_chars: int = 25,
    max_chars: int = 220,
) -> pd.DataFrame:
    """Pick up to *n* short, representative quotes from *sentences* (deterministic).

    Candidates are the rows selected by *mask* whose text has between *min_chars* and
    *max_chars* characters (if none qualify, shorter ones are allowed; longer ones never).
    *Representative* means central: each candidate is scored by its mean word overlap
    (Jaccard on words of four letters or more) with the other candidates, so a sentence that
    says what many say beats an idiosyncratic one. At most one quote per municipality; ties are
    broken by municipality, question and sentence order, so the same data always give the same
    quotes.

    >>> s = pd.DataFrame({"kommun": ["A", "B", "C"], "question_id": ["q2"] * 3,
    ...     "sentence_no": [0, 0, 0],
    ...     "text": ["Elnätet behöver byggas ut i hela kommunen.",
    ...              "Elnätet behöver byggas ut snabbt för industrin.",
    ...              "Kulturlivet är rikt med många föreningar."]})
    >>> select_quotes(s, n=1)["kommun"].tolist()
    ['A']
    """
    if sentences.empty:
        return sentences.iloc[0:0].copy()
    sel = sentences if mask is None else sentences[np.asarray(mask, dtype=bool)]
    if sel.empty:
        return sel.copy()
    lengths = sel["text"].str.len()
    cand = sel[(lengths >= min_chars) & (lengths <= max_chars)]
    if cand.empty:
        cand = sel[lengths <= max_chars]
    if cand.empty:
        return sel.iloc[0:0].copy()
    words = [_content_words(t) for t in cand["text"]]
    scores = []
    for i, wi in enumerate(words):
        sims = []
        for j, wj in enumerate(words):
            if i == j:
                continue
            union = wi | wj
            sims.append(len(wi & wj) / len(union) if union else 0.0)
        scores.append(float(np.mean(sims)) if sims else 0.0)
    ranked = cand.assign(_score=np.round(scores, 9), _len=cand["text"].str.len())
    sort_cols = ["_score", "kommun"]
    asc = [False, True]
    for extra in ("question_id", "sentence_no"):
        if extra in ranked.columns:
            sort_cols.append(extra)
            asc.append(True)
    if "question_id" in ranked.columns:
        ranked = ranked.assign(
            question_id=ranked["question_id"], _q=ranked["question_id"].map(_question_key)
        )
        sort_cols[sort_cols.index("question_id")] = "_q"
    ranked = ranked.sort_values(sort_cols, ascending=asc, kind="mergesort")
    ranked = ranked.assign(_norm=ranked["text"].map(lambda t: " ".join(tokenize(t))))
    ranked = ranked.drop_duplicates("kommun", keep="first").drop_duplicates("_norm").head(n)
    ranked = ranked.drop(columns="_norm")
    return ranked.drop(columns=[c for c in ("_score", "_len", "_q") if c in ranked.columns])


def _question_key(q: object) -> int:
    s = str(q)
    return int(s[1:]) if s[:1] == "q" and s[1:].isdigit() else 10_000


def prepare_quotes(quotes: pd.DataFrame, audience: str) -> list[str]:
    """Quote texts ready for :func:`analysis.report.html.quotes`.

    ``public``: municipality, place and person names masked (:func:`analysis.disclosure.masking.mask_entities`),
    no attribution. ``internal``: the text as given, followed by " — <kommun>".
    """
    audience = check_audience(audience)
    out = []
    for rec in quotes.to_dict("records"):
        text = str(rec["text"])
        if audience == "public":
            from analysis.disclosure.masking import mask_entities

            out.append(mask_unlisted_names(str(mask_entities(text))))
        else:
            out.append(f"{text} — {rec['kommun']}")
    return out


_CAPITALISED = re.compile(
    r"(?<![\w\[])([A-ZÅÄÖÉÜ][a-zåäöéü]+(?:-[A-ZÅÄÖa-zåäö][a-zåäöéü]+)*)(?![\w\]])"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n•·]\s*|^\s*[-–*]\s*)$")
NAME_PLACEHOLDER = "[namn]"

PLACE_NAME_ENDINGS: tuple[str, ...] = tuple(
    sorted(
        _words(
            """fjäll fjället älv älven sjö sjön berg berget by byn vik viken näs näset träsk träsket
    ån holm holmen ön dal dalen heden fors forsen bäcken myren liden lid stranden udden
    vattnet sund sundet"""
        )
    )
)
"""Endings of Swedish place names (mountains, rivers, lakes, villages …): an unknown
capitalised word with one of them is masked even when it looks like a compound."""


def mask_unlisted_names(text: str, themes: ThemeCodebook | None = None) -> str:
    """Second safety net after :func:`analysis.disclosure.masking.mask_entities` for public quotes.

    A capitalised word inside a sentence that is neither an ordinary Swedish word (simplemma's
    dictionary, not a compound guess) nor a term of the theme codebook is taken to be a proper
    name the masking lists do not know — typically a village, lake, mountain or project
    ("logistiknoden på Dåva", "närheten till Borgafjäll") — and replaced by ``[namn]``. Compounds
    ending like a place name (:data:`PLACE_NAME_ENDINGS`: "-fjäll", "-älven", "-träsk" …) are
    masked even when they could be read as ordinary compounds. Words at the start of a sentence
    are left alone.

    >>> mask_unlisted_names("Vi har logistiknoden på Dåva och närhet till Västerbotten.")
    'Vi har logistiknoden på [namn] och närhet till Västerbotten.'
    >>> mask_unlisted_names("Prioriterat: Kompetensförsörjning och Påverkansarbete.")
    'Prioriterat: Kompetensförsörjning och Påverkansarbete.'
    """
    from analysis.text.coding import code_texts
    from analysis.text.normalise import is_known_word, is_wordlike

    def replace(m: re.Match) -> str:
        word = m.group(1)
        if _SENTENCE_START.search(text[: m.start()]):
            return word
        low = word.lower()
        if all(is_known_word(p) for p in low.split("-")):
            return word
        if low.endswith(PLACE_NAME_ENDINGS):
            return NAME_PLACEHOLDER
        if is_wordlike(low) or int(code_texts([low], themes).to_numpy().sum()) > 0:
            return word
        return NAME_PLACEHOLDER

    return _CAPITALISED.sub(replace, text)


def quotes_for_theme(
    sentences: pd.DataFrame,
    theme_id: str,
    *,
    questions: Sequence[str] | None = None,
    n: int = 2,
    polarity_filter: str | None = None,
) -> pd.DataFrame:
    """Quotes (see :func:`select_quotes`) among the sentences coded with *theme_id*.

    Optionally restricted to *questions* and to sentences whose :func:`polarity` is
    *polarity_filter* (or "båda").
    """
    if sentences.empty or theme_id not in sentences.columns:
        return sentences.iloc[0:0].copy()
    mask = sentences[theme_id] == 1
    if questions is not None:
        mask &= sentences["question_id"].isin(list(questions))
    if polarity_filter is None:
        return select_quotes(sentences, mask, n=n)
    pol = sentences["text"].map(polarity)
    clear = select_quotes(sentences, mask & (pol == polarity_filter), n=n)
    if len(clear) >= n:
        return clear
    rest = mask & (pol == "båda") & ~sentences["kommun"].isin(clear["kommun"])
    return pd.concat([clear, select_quotes(sentences, rest, n=n - len(clear))])


# --------------------------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------------------------
@dataclass
class Analysis:
    """Everything the notebook shows, computed by :func:`analyse` (no HTML here)."""

    municipalities: list[str]
    total: int
    labels: dict[str, str]
    priority_ids: list[str]
    answers: pd.DataFrame
    coded: pd.DataFrame
    sentences: pd.DataFrame
    matrix_all: pd.DataFrame
    section_matrices: dict[str, pd.DataFrame]
    question_matrices: dict[str, pd.DataFrame]
    groups: pd.Series
    stances: pd.DataFrame
    improvements: pd.DataFrame
    verified: bool = False
    agreement: pd.DataFrame | None = None

    def counts(
        self, key: str, *, drop_zero: bool = True, min_cell: int | None = None
    ) -> pd.DataFrame:
        """:func:`theme_counts` for a section ("5.1") or a question ("q2")."""
        m = self.section_matrices.get(key)
        if m is None:
            m = self.question_matrices[key]
        return theme_counts(m, self.labels, self.total, drop_zero=drop_zero, min_cell=min_cell)

    def phrase(self, n: int, min_cell: int | None = None) -> str:
        """:func:`count_phrase` with this analysis' total (banded when *min_cell* is given)."""
        return count_phrase(n, self.total, min_cell=min_cell)


def analyse(
    wide: pd.DataFrame,
    themes: ThemeCodebook,
    *,
    verified_path: str | Path | None = None,
) -> Analysis:
    """Run the whole analysis on the wide table of the municipality survey.

    Codes every answer of Q2–Q15 (:func:`code_frame`), applies verified codes when
    *verified_path* exists (:func:`analysis.text.coding.apply_verified`), codes every sentence (for
    quotes and the opportunity/challenge split), builds the municipality × theme matrices per
    section and per question, and derives actor stances for Q6–Q10 (:mod:`analysis.text.actors`).
    """
    municipalities = responding_municipalities(wide)
    answers = answers_table(wide)
    coded = code_frame(answers, themes)
    verified = False
    agreement = None
    if verified_path is not None and Path(verified_path).is_file():
        coded, agreement = apply_verification(coded, themes, verified_path)
        verified = True
    sentences = code_frame(sentences_table(answers), themes)
    ids = themes.ids
    matrix_all = theme_matrix(coded, ids, municipalities)
    section_matrices = {
        key: theme_matrix(coded, ids, municipalities, qs) for key, qs in SECTION_QUESTIONS.items()
    }
    question_matrices = {q: theme_matrix(coded, ids, municipalities, [q]) for q in TEXT_QUESTIONS}
    groups = (
        wide.dropna(subset=["q1"])
        .assign(kommun=lambda d: d["q1"].astype(str))
        .drop_duplicates("kommun")
        .set_index("kommun")["kommungrupp"]
        .astype(str)
        .reindex(municipalities)
    )
    stances, improvements = actor_assessments(wide, themes)
    priority_ids = [t.id for t in themes.themes if t.priority_area]
    return Analysis(
        municipalities=municipalities,
        total=len(municipalities),
        labels=dict(themes.labels),
        priority_ids=priority_ids,
        answers=answers,
        coded=coded,
        sentences=sentences,
        matrix_all=matrix_all,
        section_matrices=section_matrices,
        question_matrices=question_matrices,
        groups=groups,
        stances=stances,
        improvements=improvements,
        verified=verified,
        agreement=agreement,
    )


def apply_verification(
    coded: pd.DataFrame, themes: ThemeCodebook, verified_path: str | Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Override suggested codes with a verified-codes file; return (codes, agreement per theme).

    The verified file is the review table of ``analysis code --survey municipality_2023
    --review …`` with a filled-in ``verified_themes`` column; answers are matched on ``id``
    (respondent id) and ``question`` (``q2`` …). The agreement table is
    :func:`analysis.text.coding.agreement_by_theme` on the reviewed answers (suggested vs verified).
    """
    from analysis.text.coding import NO_THEME, agreement_by_theme, apply_verified, read_verified

    ids = [t for t in themes.ids if t in coded.columns]
    suggested = coded.rename(columns={"respondent_id": "id", "question_id": "question"})
    verified = read_verified(verified_path)
    keys = set(zip(suggested["id"].astype(str), suggested["question"].astype(str), strict=True))
    known = pd.Series(
        [
            (str(i), str(q)) in keys
            for i, q in zip(verified["id"], verified["question"], strict=True)
        ],
        index=verified.index,
        dtype=bool,
    )
    # answers without content ("-") are not coded here; a reviewer's "-" for them is fine
    verified = verified[known | (verified["verified_themes"].str.strip() != NO_THEME)]
    final = apply_verified(suggested, verified, themes)
    agreement = agreement_by_theme(suggested, verified[known.reindex(verified.index)], themes)
    out = coded.copy()
    out[ids] = final[ids].astype("int64").to_numpy()
    out["source"] = final["source"].to_numpy()
    return out, agreement


def actor_assessments(
    wide: pd.DataFrame, themes: ThemeCodebook | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Actor stances and named improvement areas for Q6–Q10 (:func:`analysis.text.actors.actor_stances`).

    Returns two long tables: ``stances`` (``kommun``, ``actor``, ``stance``; only actors whose
    question the municipality answered) and ``improvements`` (``kommun``, ``actor``, ``theme``).
    """
    from analysis.text.actors import actor_stances

    df = wide[wide["q1"].notna()].copy()
    df["q1"] = df["q1"].astype(str)
    for q in ACTOR_QUESTIONS:
        if q in df.columns:
            df[q] = [v if isinstance(v, str) else None for v in df[q].tolist()]
    st = actor_stances(df, "q1", themes)
    st = st[st["stance"].notna()].rename(columns={"id": "kommun"})
    stances = pd.DataFrame(
        {
            "kommun": st["kommun"].astype(str).to_numpy(),
            "actor": st["actor"].astype(str).to_numpy(),
            "stance": st["stance"].astype(str).to_numpy(),
        }
    )
    rows = [
        (str(r.kommun), str(r.actor), t)
        for r in st.itertuples(index=False)
        for t in str(r.improvement_areas or "").split(";")
        if t
    ]
    improvements = pd.DataFrame(rows, columns=["kommun", "actor", "theme"])
    return stances, improvements


__all__ = [
    "ACTOR_LABELS",
    "ACTOR_QUESTIONS",
    "INFRA_SUBAREAS",
    "SECTION_QUESTIONS",
    "STANCE_LABELS",
    "TEXT_QUESTIONS",
    "Analysis",
    "actor_stance_by_municipality",
    "actor_stance_counts",
    "analyse",
    "answer_coverage",
    "answers_table",
    "check_audience",
    "code_frame",
    "cooccurrence",
    "count_phrase",
    "group_comparison",
    "improvement_counts",
    "infrastructure_table",
    "merge_small_groups",
    "polarity",
    "prepare_quotes",
    "priority_ranking",
    "quotes_for_theme",
    "responding_municipalities",
    "select_quotes",
    "sentences_table",
    "theme_counts",
    "theme_matrix",
]
