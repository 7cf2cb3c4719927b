"""The numbers of the 2021 partner survey: counts, shares, intervals and tests as DataFrames.

Numbers only — no wording, no HTML, no disclosure decisions (those live in
:mod:`analysis.surveys.partner.disclosure`). Every function takes the processed wide table
(``responses.parquet``, see ``docs/ARCHITECTURE.md``) and codebook question dicts, returns plain
pandas objects or small dataclasses, and never modifies its inputs.

Conventions
-----------
* A Likert answer is *positive* when it is "Instämmer delvis" or "Instämmer helt".
* A multiple-choice question counts as answered when at least one option is ticked.
* Intervals are Wilson intervals, corrected for the finite frame of 43 organisations unless
  said otherwise; next to them :func:`share_bounds` gives the worst-case (non-response) bounds.

>>> t = share_bounds(pd.Series({"A": 8}), 14, frame=43)
>>> [round(float(t.loc["A", c]), 2) for c in ("andel", "varsta_fall_lag", "varsta_fall_hog")]
[0.57, 0.19, 0.86]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import stats
from analysis.surveys.partner.title import SURVEY

LIKERT_POSITIVE = ("Instämmer delvis", "Instämmer helt")
DIMENSIONS = {"q4": "inkluderande", "q5": "attraktiv", "q6": "innovativ"}
"""The three statements of the assignment: question id → the adjective ("… samarbetspartner")."""

DEVELOPMENT = ("q8", "q10")
"""Own organisation developed (q8) and Region Västerbotten developed (q10)."""

FACTOR_QUESTIONS = ("q12", "q13")
"""Enablers (q12) and challenges (q13)."""

LADDER = "q14"
FREE_TEXT_QUESTIONS = ("q9", "q11", "q15")

__all__ = [
    "DEVELOPMENT",
    "DIMENSIONS",
    "FACTOR_QUESTIONS",
    "FREE_TEXT_QUESTIONS",
    "Inputs",
    "LADDER",
    "LIKERT_POSITIVE",
    "SURVEY",
    "Agreement",
    "category_counts",
    "development_agreement",
    "development_table",
    "frame_profile",
    "frame_size",
    "headline",
    "inputs_from_dataset",
    "joint_positive",
    "labels",
    "likert_test",
    "load_inputs",
    "multi_counts",
    "positive_count",
    "questions_from_codebook",
    "response_rate",
    "sector_crosstab",
    "sector_tests",
    "share_bounds",
]


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
@dataclass
class Inputs:
    """The wide responses, the codebook questions (dicts), the manifest and the sample frame."""

    responses: pd.DataFrame
    questions: dict[str, dict[str, Any]]
    manifest: dict[str, Any]
    frame: pd.DataFrame
    codebook: dict[str, Any]


def _as_dict(obj: Any) -> Any:
    """Codebook objects (dataclasses) or plain mappings → plain dicts and lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _as_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {k: _as_dict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_as_dict(v) for v in obj]
    return obj


def questions_from_codebook(codebook: Any) -> dict[str, dict[str, Any]]:
    """``{qid: question dict}`` from a codebook (``Codebook`` object or the parsed YAML).

    >>> q = questions_from_codebook({"questions": [{"id": "q1", "text": "T", "options": []}]})
    >>> q["q1"]["text"], q["q1"]["non_substantive"]
    ('T', [])
    """
    out = {}
    for q in _as_dict(codebook).get("questions", []):
        q = dict(q)
        q["options"] = [dict(o) for o in (q.get("options") or [])]
        q["non_substantive"] = list(q.get("non_substantive") or [])
        out[q["id"]] = q
    return out


def inputs_from_dataset(ds) -> Inputs:
    """:class:`Inputs` from a loaded :class:`~analysis.data.dataset.Dataset`."""
    from analysis.data.reference import load_sample_frame

    manifest = dict(_as_dict(ds.manifest or {}))
    manifest.setdefault("synthetic", bool(ds.synthetic))
    cb = _as_dict(ds.codebook)
    return Inputs(
        responses=ds.wide,
        questions=questions_from_codebook(cb),
        manifest=manifest,
        frame=load_sample_frame(),
        codebook=cb,
    )


def load_inputs(input: str | Path | None = "", *, survey: str = SURVEY) -> Inputs:
    """Load the processed partner survey (``input``: a processed folder, empty = the default).

    Any other *survey* raises :class:`~analysis.errors.ConfigError` before a file is read.

    >>> load_inputs(survey="municipality_2023")
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: Den här rapporten gäller partner_2021, inte 'municipality_2023'.
    """
    from analysis.data import dataset
    from analysis.errors import ConfigError

    if survey != SURVEY:
        raise ConfigError(f"Den här rapporten gäller {SURVEY}, inte {survey!r}.")
    return inputs_from_dataset(dataset.load(SURVEY, processed=str(input) if input else None))


def labels(question: Mapping[str, Any], *, substantive: bool = False) -> list[str]:
    """Option labels in codebook order (optionally without the non-substantive ones).

    >>> labels({"options": [{"label": "Ja"}, {"label": "Vet ej"}], "non_substantive": ["Vet ej"]},
    ...        substantive=True)
    ['Ja']
    """
    non = set(question.get("non_substantive") or [])
    return [o["label"] for o in question["options"] if not (substantive and o["label"] in non)]


def frame_size(inputs: Inputs) -> int:
    """Size of the sample frame: the codebook's ``frame.size``, else the rows of the frame table.

    >>> inp = Inputs(pd.DataFrame(), {}, {}, pd.DataFrame({"org_type": ["Kommun"] * 3}), {})
    >>> frame_size(inp)
    3
    """
    return int((inputs.codebook.get("frame") or {}).get("size") or len(inputs.frame))


# --------------------------------------------------------------------------------------------
# Response and counts
# --------------------------------------------------------------------------------------------
def response_rate(n_respondents: int, frame: int) -> dict[str, float]:
    """Respondents, frame and their ratio (a fact about this survey, so no interval).

    >>> r = response_rate(14, 43)
    >>> r["svarande"], r["ej_svar"], round(r["andel"], 3)
    (14, 29, 0.326)
    """
    return {
        "svarande": int(n_respondents),
        "urval": int(frame),
        "ej_svar": int(frame) - int(n_respondents),
        "andel": n_respondents / frame if frame else float("nan"),
    }


def frame_profile(
    frame: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    by: str = "org_type",
    response_column: str = "q1",
    order: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Invited and responding organisations per group, with the group's response rate.

    *groups* merges values into coarser groups (name → members), e.g. the sectors outside the
    public sector into one group. Columns: ``i_urvalet``, ``svarande``, ``svarsfrekvens``.

    >>> fr = pd.DataFrame({"org_type": ["Kommun"] * 3 + ["Företag"] * 2})
    >>> rs = pd.DataFrame({"q1": ["Kommun", "Kommun", "Företag"]})
    >>> frame_profile(fr, rs)[["i_urvalet", "svarande"]].to_dict("index")
    {'Kommun': {'i_urvalet': 3, 'svarande': 2}, 'Företag': {'i_urvalet': 2, 'svarande': 1}}
    >>> frame_profile(fr, rs, groups={"Alla": ["Kommun", "Företag"]})["svarande"].tolist()
    [3]
    """
    in_frame = frame[by].astype(str).value_counts(sort=False)
    answered = responses[response_column].dropna().astype(str).value_counts(sort=False)
    values = list(order) if order is not None else list(dict.fromkeys(frame[by].astype(str)))
    values += [g for g in answered.index if g not in values]
    members = dict(groups) if groups else {v: [v] for v in values}
    out = pd.DataFrame(index=pd.Index(list(members), name="Grupp"))
    out["i_urvalet"] = [sum(int(in_frame.get(m, 0)) for m in ms) for ms in members.values()]
    out["svarande"] = [sum(int(answered.get(m, 0)) for m in ms) for ms in members.values()]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["svarsfrekvens"] = out["svarande"] / out["i_urvalet"].replace(0, np.nan)
    return out


def category_counts(responses: pd.DataFrame, question: Mapping[str, Any]) -> pd.Series:
    """Answers per option of a single-choice / Likert / ordinal question (codebook order,
    non-substantive options included; unanswered left out).

    >>> q = {"id": "q", "options": [{"label": "Ja"}, {"label": "Nej"}], "non_substantive": []}
    >>> category_counts(pd.DataFrame({"q": ["Ja", "Ja", None]}), q).tolist()
    [2, 0]
    """
    values = responses[question["id"]].astype(object)
    labs = labels(question)
    return pd.Series([int((values == lab).sum()) for lab in labs], index=labs, dtype="int64")


def multi_counts(responses: pd.DataFrame, question: Mapping[str, Any]) -> tuple[pd.Series, int]:
    """Ticks per option (codebook order) and the number of respondents who ticked anything.

    >>> q = {"id": "q3", "options": [{"code": "a", "label": "A"}, {"code": "b", "label": "B"}]}
    >>> df = pd.DataFrame({"q3__a": [True, False, None], "q3__b": [True, True, None]},
    ...                   dtype="boolean")
    >>> counts, n = multi_counts(df, q)
    >>> counts.tolist(), n
    ([1, 2], 2)
    """
    qid = question["id"]
    cols = {
        o["label"]: f"{qid}__{o['code']}"
        for o in question["options"]
        if f"{qid}__{o['code']}" in responses.columns
    }
    ticks = responses[list(cols.values())].astype("boolean").fillna(False).astype(bool)
    answered = ticks.any(axis=1)
    counts = pd.Series(
        [int(ticks.loc[answered, c].sum()) for c in cols.values()], index=list(cols), dtype="int64"
    )
    return counts, int(answered.sum())


def positive_count(series: pd.Series, question: Mapping[str, Any]) -> tuple[int, int]:
    """(positive, substantive answers) for a Likert item.

    >>> q = {"options": [{"label": x} for x in ["Instämmer inte alls", "Instämmer delvis",
    ...      "Instämmer helt", "Vet ej"]], "non_substantive": ["Vet ej"]}
    >>> positive_count(pd.Series(["Instämmer helt", "Vet ej", "Instämmer inte alls", None]), q)
    (1, 2)
    """
    subst = set(labels(question, substantive=True))
    values = series.dropna().astype(str)
    values = values[values.isin(subst)]
    return int(values.isin(LIKERT_POSITIVE).sum()), int(len(values))


def joint_positive(
    responses: pd.DataFrame, qids: Sequence[str] = tuple(DIMENSIONS)
) -> tuple[int, int]:
    """How many respondents agree (fully or partly) with *every* statement in *qids*, and how
    many answered all of them (any answer, "Vet ej" included).

    >>> df = pd.DataFrame({"a": ["Instämmer helt", "Vet ej"], "b": ["Instämmer delvis"] * 2})
    >>> joint_positive(df, ["a", "b"])
    (1, 2)
    """
    values = responses[list(qids)].astype(object)
    answered = values.notna().all(axis=1)
    agree = values.isin(LIKERT_POSITIVE).all(axis=1) & answered
    return int(agree.sum()), int(answered.sum())


def share_bounds(
    counts: pd.Series,
    n: int,
    *,
    frame: int | None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Shares with three kinds of uncertainty, one row per category.

    Columns: ``antal``, ``andel`` (k / n); ``ki_lag``, ``ki_hog`` — the Wilson interval with the
    finite-population correction for *frame* (sampling uncertainty, assuming the respondents are
    a random sample of the frame); ``ki_lag_utan``, ``ki_hog_utan`` — the same interval without
    the correction; ``varsta_fall_lag``, ``varsta_fall_hog`` — the worst-case bounds in the whole
    frame when nothing is assumed about the ``frame − n`` who did not answer
    (:func:`analysis.stats.worst_case_bounds`). Without a frame the last four are NaN.

    >>> t = share_bounds(pd.Series({"Ja": 11}), 14, frame=43)
    >>> t.round(2).loc["Ja"].tolist()
    [11.0, 0.79, 0.57, 0.91, 0.52, 0.92, 0.26, 0.93]
    """
    rows = []
    for label, k in pd.Series(counts).items():
        k = int(k)
        p, lo, hi = stats.proportion_ci(
            k, n, confidence=confidence, population=frame if frame and frame >= n else None
        )
        _, lo0, hi0 = stats.proportion_ci(k, n, confidence=confidence)
        if frame and frame >= n:
            wlo, whi = stats.worst_case_bounds(k, n, frame)
        else:
            wlo = whi = float("nan")
        rows.append((label, k, p, lo, hi, lo0, hi0, wlo, whi))
    cols = ["antal", "andel", "ki_lag", "ki_hog", "ki_lag_utan", "ki_hog_utan"]
    cols += ["varsta_fall_lag", "varsta_fall_hog"]
    out = pd.DataFrame([r[1:] for r in rows], index=[r[0] for r in rows], columns=cols)
    out["antal"] = out["antal"].astype("int64")
    return out


# --------------------------------------------------------------------------------------------
# Own vs region development (q8, q10)
# --------------------------------------------------------------------------------------------
def development_table(
    responses: pd.DataFrame, questions: Mapping[str, Mapping], qids: Sequence[str] = DEVELOPMENT
) -> pd.DataFrame:
    """The two distributions side by side: one row per answer (codebook order, "Vet ej" last),
    one column per question.

    >>> q = {"options": [{"label": "Nej"}, {"label": "Ja"}], "non_substantive": []}
    >>> df = pd.DataFrame({"a": ["Ja", "Ja", "Nej"], "b": ["Ja", "Nej", "Nej"]})
    >>> development_table(df, {"a": {**q, "id": "a"}, "b": {**q, "id": "b"}}, ("a", "b"))
         a  b
    Nej  1  2
    Ja   2  1
    """
    return pd.DataFrame({qid: category_counts(responses, questions[qid]) for qid in qids})


@dataclass(frozen=True)
class Agreement:
    """Paired own-vs-region answers: the square table (substantive answers to both, ordered
    low → high), answers on the diagonal, weighted kappa and the exact symmetry test."""

    table: pd.DataFrame
    agree: int
    n: int
    kappa: stats.KappaResult
    symmetry: stats.SymmetryResult


def development_agreement(
    responses: pd.DataFrame,
    questions: Mapping[str, Mapping],
    a: str = "q8",
    b: str = "q10",
    *,
    confidence: float = 0.95,
) -> Agreement:
    """Cross-table of *a* (rows) × *b* (columns) over respondents with substantive answers to
    both, with linear-weighted kappa (bootstrap interval) and Bowker's exact symmetry test."""
    cats = labels(questions[a], substantive=True)
    x = responses[a].astype(object)
    y = responses[b].astype(object)
    keep = x.isin(cats) & y.isin(labels(questions[b], substantive=True))
    table = pd.crosstab(
        pd.Categorical(x[keep], categories=cats),
        pd.Categorical(y[keep], categories=cats),
        dropna=False,
    ).reindex(index=cats, columns=cats, fill_value=0)
    table.index.name = None
    table.columns.name = None
    values = table.to_numpy()
    return Agreement(
        table=table.astype("int64"),
        agree=int(np.trace(values)),
        n=int(values.sum()),
        kappa=stats.weighted_kappa(values, confidence=confidence),
        symmetry=stats.bowker_exact(values),
    )


# --------------------------------------------------------------------------------------------
# Tests of the three statements and per sector
# --------------------------------------------------------------------------------------------
def likert_test(
    responses: pd.DataFrame,
    questions: Mapping[str, Mapping],
    qids: Sequence[str] = tuple(DIMENSIONS),
) -> stats.TestResult:
    """Do the three statements get different answers? Friedman's test (permutation p-value)
    on the respondents with a substantive answer to all of them — the one test used for this
    question (no Cochran's Q besides it)."""
    codes = {}
    for qid in qids:
        subst = labels(questions[qid], substantive=True)
        codes[qid] = responses[qid].astype(object).map({lab: i for i, lab in enumerate(subst)})
    return stats.friedman_test(pd.DataFrame(codes).dropna())


SECTOR_QUESTIONS: tuple[tuple[str, bool], ...] = (
    ("q4", True),
    ("q5", True),
    ("q6", True),
    ("q8", False),
    ("q10", False),
    ("q14", False),
)
"""The closed questions compared across sectors; True = reduce to agree / other."""


def sector_crosstab(
    responses: pd.DataFrame,
    question: Mapping[str, Any],
    *,
    sector_column: str = "sektor",
    positive_split: bool = False,
) -> pd.DataFrame:
    """Sector (rows) × answer (columns) counts over substantive answers; with
    ``positive_split`` a Likert item becomes "Instämmer" (delvis/helt) vs "Instämmer inte"
    (the other substantive answers; "Vet ej" is left out as everywhere in the table).

    >>> q = {"id": "q", "options": [{"label": "Ja"}, {"label": "Nej"}], "non_substantive": []}
    >>> df = pd.DataFrame({"sektor": ["A", "A", "B"], "q": ["Ja", "Nej", "Ja"]})
    >>> sector_crosstab(df, q).to_dict("index")
    {'A': {'Ja': 1, 'Nej': 1}, 'B': {'Ja': 1, 'Nej': 0}}
    """
    qid = question["id"]
    subst = labels(question, substantive=True)
    data = responses[[sector_column, qid]].astype(object).dropna()
    data = data[data[qid].isin(subst)].copy()
    cols = subst
    if positive_split:
        data[qid] = np.where(data[qid].isin(LIKERT_POSITIVE), "Instämmer", "Instämmer inte")
        cols = ["Instämmer", "Instämmer inte"]
    rows = list(dict.fromkeys(responses[sector_column].dropna().astype(str)))
    table = pd.crosstab(data[sector_column], data[qid]).reindex(
        index=rows, columns=cols, fill_value=0
    )
    table = table.loc[table.sum(axis=1) > 0]
    table.index.name = None
    table.columns.name = None
    return table.astype("int64")


def sector_tests(
    responses: pd.DataFrame, questions: Mapping[str, Mapping]
) -> list[tuple[str, pd.DataFrame, stats.TestResult]]:
    """Per question of :data:`SECTOR_QUESTIONS`: (qid, cross-table, exact test of independence —
    Fisher for 2 × 2, Freeman–Halton otherwise)."""
    out = []
    for qid, split in SECTOR_QUESTIONS:
        if qid in questions and qid in responses.columns:
            table = sector_crosstab(responses, questions[qid], positive_split=split)
            out.append((qid, table, stats.fisher_freeman_halton(table.to_numpy())))
    return out


# --------------------------------------------------------------------------------------------
# Back-test
# --------------------------------------------------------------------------------------------
def headline(inputs: Inputs) -> pd.DataFrame:
    """The headline numbers as ``metric, numerator, denominator`` (strings; empty denominator
    for plain counts) — the table of ``tests/ground_truth/partner_2021_demo_headline.csv``."""
    r, q = inputs.responses, inputs.questions
    size = frame_size(inputs)
    rows: list[tuple[str, int, int | None]] = [
        ("n_respondents", len(r), None),
        ("frame_size", size, None),
        ("response_rate", len(r), size),
    ]
    counts, n3 = multi_counts(r, q["q3"])
    for opt in q["q3"]["options"]:
        rows.append((f"rus_{opt['code']}", int(counts.get(opt["label"], 0)), n3))
    for qid in DIMENSIONS:
        k, n = positive_count(r[qid], q[qid])
        rows.append((f"{qid}_positive", k, n))
    ag = development_agreement(r, q)
    rows.append(("q8_q10_agreement", ag.agree, ag.n))
    return pd.DataFrame(
        [(m, str(num), "" if den is None else str(den)) for m, num, den in rows],
        columns=["metric", "numerator", "denominator"],
    )


def evenness(counts: Iterable[int]) -> stats.EvennessResult:
    """:func:`analysis.stats.evenness` of multiple-choice counts (appendix only)."""
    return stats.evenness(list(counts))
