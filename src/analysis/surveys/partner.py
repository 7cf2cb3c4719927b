"""Analysis functions for the 2021 partner survey report (``notebooks/partner_survey_2021.ipynb``).

The notebook holds the narrative; every number it shows is computed here from the processed wide
table (``responses.parquet``, see ``docs/ARCHITECTURE.md``) and the sample frame
(``data/raw/reference/partner_2021_sample_frame.csv``). Functions take plain DataFrames and the
codebook, return DataFrames / small dataclasses / Swedish sentences, and never mutate their
inputs.

Conventions
-----------
* A Likert answer is *positive* when it is "Instämmer delvis" or "Instämmer helt"; shares are of
  the substantive answers ("Vet ej" left out), as in the report's own reading.
* A multiple-choice question counts as answered when at least one option is ticked.
* Intervals are Wilson with the finite-population correction for the 43-organisation frame
  (:func:`analysis.stats.proportion_ci`), unless the caller says otherwise.
* ``audience="public"`` suppresses counts below ``min_cell`` (with complementary suppression) and
  masks names inside quotes; ``"internal"`` shows everything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import stats
from analysis.disclosure.audience import AUDIENCES, check_audience
from analysis.disclosure.suppression import (
    SUPPRESSED,
    suppress_series,
    suppress_table,
    suppression_mask,
    table_with_margins,
)
from analysis.report import format as fmt

__all__ = [
    "AUDIENCES",
    "DEMO_BANNER",
    "DIMENSIONS",
    "FACTOR_QUESTIONS",
    "FREE_TEXT_QUESTIONS",
    "Inputs",
    "LIKERT_POSITIVE",
    "THEMES",
    "agreement_summary",
    "banner_html",
    "check_audience",
    "confidence_label",
    "CROSSTAB_INTERNAL_ONLY",
    "count_table",
    "development_agreement",
    "development_display",
    "development_html",
    "factors_html",
    "frame_profile",
    "frame_size",
    "free_text_html",
    "headline",
    "join_names",
    "leader_sentence",
    "leaders_text",
    "is_synthetic",
    "labels",
    "ladder_alt",
    "ladder_counts",
    "ladder_figure",
    "ladder_html",
    "likert_chart_allowed",
    "likert_counts",
    "likert_html",
    "likert_positive_table",
    "likert_test",
    "likert_test_sentence",
    "load_inputs",
    "method_html",
    "method_notes",
    "multi_counts",
    "nonresponse_sentence",
    "one_way_counts",
    "positive_count",
    "profile_display",
    "public_share_table",
    "publishable_crosstab",
    "questions_from_codebook",
    "quotes_by_theme",
    "ranked_shares",
    "reconstructed_questions",
    "representation_sentence",
    "response_html",
    "response_rate",
    "response_rate_sentence",
    "rus_html",
    "sector_crosstab",
    "sector_html",
    "sector_tests",
    "share_figure_html",
    "summary_html",
    "summary_sentences",
    "suppressed_groups",
    "theme_of",
    "top_categories",
]

SURVEY = "partner_2021"
LIKERT_POSITIVE = ("Instämmer delvis", "Instämmer helt")
DIMENSIONS = {"q4": "Inkluderande", "q5": "Attraktiv", "q6": "Innovativ"}
"""The three Likert statements of the assignment, question id → short Swedish label."""


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
@dataclass
class Inputs:
    """Everything the report needs: the wide responses, the codebook questions, the manifest and
    the sample frame."""

    responses: pd.DataFrame
    questions: dict[str, dict[str, Any]]
    manifest: dict[str, Any]
    frame: pd.DataFrame
    codebook: dict[str, Any]


def _as_dict(obj: Any) -> Any:
    """Codebook objects (dataclasses) or plain dicts → plain dicts/lists."""
    import dataclasses

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
    >>> q["q1"]["text"]
    'T'
    """
    cb = _as_dict(codebook)
    out = {}
    for q in cb.get("questions", []):
        q = dict(q)
        q.setdefault("options", [])
        q["options"] = [dict(o) for o in (q.get("options") or [])]
        q["non_substantive"] = list(q.get("non_substantive") or [])
        out[q["id"]] = q
    return out


def load_inputs(input: str | Path | None = "", *, survey: str = SURVEY) -> Inputs:
    """Load the processed partner survey, its codebook, manifest and the sample frame.

    ``input`` is the notebook parameter: a processed folder, or empty for
    ``data/processed/partner_2021``. ``survey`` is the notebook's ``survey`` parameter; this
    report only exists for ``partner_2021``, anything else raises
    :class:`~analysis.errors.ConfigError` before any file is read.

    >>> load_inputs(survey="municipality_2023")
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: Den här rapporten gäller partner_2021, inte 'municipality_2023'.
    """
    from analysis.data import dataset
    from analysis.data.reference import load_sample_frame
    from analysis.errors import ConfigError

    if survey != SURVEY:
        raise ConfigError(f"Den här rapporten gäller {SURVEY}, inte {survey!r}.")
    ds = dataset.load(SURVEY, processed=str(input) if input else None)
    responses = ds.wide
    manifest = dict(ds.manifest or {})
    manifest.setdefault("synthetic", bool(ds.synthetic))
    codebook = ds.codebook
    cb = _as_dict(codebook)
    return Inputs(
        responses=responses,
        questions=questions_from_codebook(cb),
        manifest=dict(_as_dict(manifest)),
        frame=load_sample_frame(),
        codebook=cb,
    )


def labels(question: Mapping[str, Any], *, substantive: bool = False) -> list[str]:
    """Option labels of a question in codebook order (optionally without non-substantive ones)."""
    non = set(question.get("non_substantive") or [])
    return [o["label"] for o in question["options"] if not (substantive and o["label"] in non)]


def frame_size(inputs: Inputs) -> int:
    """Size of the sample frame: the codebook's ``frame.size``, else the rows of the frame table.

    >>> inp = Inputs(pd.DataFrame(), {}, {}, pd.DataFrame({"org_type": ["Kommun"] * 3}), {})
    >>> frame_size(inp)
    3
    >>> frame_size(Inputs(inp.responses, {}, {}, inp.frame, {"frame": {"size": 43}}))
    43
    """
    return int((inputs.codebook.get("frame") or {}).get("size") or len(inputs.frame))


def confidence_label(confidence: float) -> str:
    """The confidence level as a Swedish per-cent number without the sign.

    >>> confidence_label(0.95), confidence_label(0.975)
    ('95', '97,5')
    """
    return f"{100 * confidence:g}".replace(".", ",")


# --------------------------------------------------------------------------------------------
# Sample and response rate
# --------------------------------------------------------------------------------------------
def response_rate(n_respondents: int, frame_size: int) -> dict[str, float]:
    """Response rate of a census-type survey of a known frame (no interval: it is a fact).

    >>> r = response_rate(14, 43)
    >>> round(r["andel"], 3)
    0.326
    """
    return {
        "svarande": int(n_respondents),
        "urval": int(frame_size),
        "andel": n_respondents / frame_size if frame_size else float("nan"),
    }


def frame_profile(
    frame: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    by: str = "org_type",
    response_column: str = "q1",
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Frame vs respondents by organisation type (or sector): a nonresponse profile.

    Columns: ``i_urvalet``, ``svarande``, ``svarsfrekvens`` (respondents / frame in the group),
    ``andel_urval`` and ``andel_svarande`` (each group's share of the frame / of respondents) and
    ``skillnad_pe`` (difference in percentage points; positive = over-represented). Groups come
    in *order* (default: frame order), then any group only seen among respondents.

    >>> fr = pd.DataFrame({"org_type": ["Kommun"] * 3 + ["Företag"] * 2})
    >>> rs = pd.DataFrame({"q1": ["Kommun", "Kommun", "Företag"]})
    >>> frame_profile(fr, rs)[["i_urvalet", "svarande"]]
             i_urvalet  svarande
    Kommun           3         2
    Företag          2         1
    """
    in_frame = frame[by].astype(str).value_counts(sort=False)
    answered = responses[response_column].dropna().astype(str).value_counts(sort=False)
    groups = list(order) if order is not None else list(dict.fromkeys(frame[by].astype(str)))
    groups += [g for g in answered.index if g not in groups]
    out = pd.DataFrame(index=pd.Index(groups, name=None))
    out["i_urvalet"] = [int(in_frame.get(g, 0)) for g in groups]
    out["svarande"] = [int(answered.get(g, 0)) for g in groups]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["svarsfrekvens"] = out["svarande"] / out["i_urvalet"].replace(0, np.nan)
    out["andel_urval"] = out["i_urvalet"] / max(out["i_urvalet"].sum(), 1)
    out["andel_svarande"] = out["svarande"] / max(out["svarande"].sum(), 1)
    out["skillnad_pe"] = 100 * (out["andel_svarande"] - out["andel_urval"])
    return out


def representation_sentence(
    profile: pd.DataFrame, *, threshold_pp: float = 5.0, exclude: Iterable[str] = ()
) -> str:
    """Plain-Swedish description of which groups are over- or under-represented.

    >>> p = pd.DataFrame({"skillnad_pe": [12.0, -10.0, 1.0]}, index=["Kommun", "Företag", "Region"])
    >>> representation_sentence(p)
    'Överrepresenterade bland de svarande jämfört med urvalet: Kommun (+12 procentenheter). Underrepresenterade: Företag (−10 procentenheter).'
    """

    def fmt(name, pp):
        sign = "+" if pp > 0 else "−"
        return f"{name} ({sign}{abs(pp):.0f} procentenheter)"

    skip = set(exclude)
    diffs = [(i, v) for i, v in profile["skillnad_pe"].items() if str(i) not in skip]
    over = [fmt(i, v) for i, v in diffs if v >= threshold_pp]
    under = [fmt(i, v) for i, v in diffs if v <= -threshold_pp]
    parts = []
    if over:
        parts.append(
            "Överrepresenterade bland de svarande jämfört med urvalet: " + ", ".join(over) + "."
        )
    if under:
        parts.append("Underrepresenterade: " + ", ".join(under) + ".")
    if not parts:
        return f"Ingen grupp avviker med mer än {threshold_pp:.0f} procentenheter från urvalet."
    return " ".join(parts)


PROFILE_LABELS = {
    "i_urvalet": "I urvalet",
    "svarande": "Svarande",
    "svarsfrekvens": "Svarsfrekvens",
    "andel_urval": "Andel av urvalet",
    "andel_svarande": "Andel av de svarande",
    "skillnad_pe": "Skillnad (procentenheter)",
}
"""Display names of :func:`frame_profile`'s columns. "I urvalet" counts the invited
organisations — a published list (seed 000, Bilaga 1), not respondent data, so it is never
suppressed."""


def profile_display(profile: pd.DataFrame, *, audience: str, min_cell: int) -> pd.DataFrame:
    """:func:`frame_profile` ready for :func:`analysis.report.html.table`.

    In ``public`` the respondent counts are suppressed (with their total protected) and every
    figure derived from a suppressed count is shown as "–". A total row is added.

    >>> fr = pd.DataFrame({"org_type": ["Kommun"] * 8 + ["Företag"] * 4})
    >>> rs = pd.DataFrame({"q1": ["Kommun"] * 6 + ["Företag"] * 2})
    >>> out = profile_display(frame_profile(fr, rs), audience="public", min_cell=5)
    >>> out["Svarande"].tolist()
    ['–', '–', 8]
    """
    check_audience(audience)
    prof = profile.copy()
    total = pd.DataFrame(
        {
            "i_urvalet": [int(prof["i_urvalet"].sum())],
            "svarande": [int(prof["svarande"].sum())],
        },
        index=["Totalt"],
    )
    total["svarsfrekvens"] = total["svarande"] / total["i_urvalet"].replace(0, np.nan)
    total["andel_urval"] = 1.0
    total["andel_svarande"] = 1.0
    total["skillnad_pe"] = 0.0
    out = pd.concat([prof, total]).astype(object)
    if audience == "public":
        hidden = suppress_series(prof["svarande"], min_cell, total=int(prof["svarande"].sum()))
        hidden = (hidden == SUPPRESSED).to_numpy()
        for col in ("svarande", "svarsfrekvens", "andel_svarande", "skillnad_pe"):
            values = out[col].to_numpy(copy=True)
            values[: len(prof)][hidden] = SUPPRESSED
            out[col] = values
    out["skillnad_pe"] = [
        v if isinstance(v, str) else f"{v:+.0f}".replace("-", "−") for v in out["skillnad_pe"]
    ]
    for col in ("svarsfrekvens", "andel_urval", "andel_svarande"):
        out[col] = [v if isinstance(v, str) else fmt.format_pct(v) for v in out[col]]
    return out.rename(columns=PROFILE_LABELS)


def suppressed_groups(profile: pd.DataFrame, *, audience: str, min_cell: int) -> set[str]:
    """Groups whose respondent count is hidden in ``public`` (not to be named in prose)."""
    if audience != "public":
        return set()
    shown = suppress_series(profile["svarande"], min_cell, total=int(profile["svarande"].sum()))
    return {str(i) for i, v in shown.items() if v == SUPPRESSED}


# --------------------------------------------------------------------------------------------
# Multiple choice, Likert
# --------------------------------------------------------------------------------------------
def _multi_columns(responses: pd.DataFrame, question: Mapping[str, Any]) -> dict[str, str]:
    qid = question["id"]
    return {
        o["label"]: f"{qid}__{o['code']}"
        for o in question["options"]
        if f"{qid}__{o['code']}" in responses.columns
    }


def multi_counts(responses: pd.DataFrame, question: Mapping[str, Any]) -> tuple[pd.Series, int]:
    """Ticks per option (codebook order) and the number of respondents who ticked anything.

    >>> q = {"id": "q3", "options": [{"code": "a", "label": "A"}, {"code": "b", "label": "B"}]}
    >>> df = pd.DataFrame({"q3__a": [True, False, None], "q3__b": [True, True, None]},
    ...                   dtype="boolean")
    >>> counts, n = multi_counts(df, q)
    >>> counts.tolist(), n
    ([1, 2], 2)
    """
    cols = _multi_columns(responses, question)
    ticks = responses[list(cols.values())].astype("boolean").fillna(False).astype(bool)
    answered = ticks.any(axis=1)
    counts = pd.Series(
        [int(ticks.loc[answered, c].sum()) for c in cols.values()], index=list(cols), dtype="int64"
    )
    return counts, int(answered.sum())


def ranked_shares(
    counts: pd.Series,
    n: int,
    *,
    population: int | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`analysis.stats.share_table` sorted by count, largest first (ties keep order)."""
    table = stats.share_table(counts, n, population=population, confidence=confidence)
    order = np.argsort(-table["antal"].to_numpy(), kind="stable")
    return table.iloc[order]


def public_share_table(table: pd.DataFrame, min_cell: int, audience: str) -> pd.DataFrame:
    """A share table for display: in ``public``, counts below *min_cell* and the share and
    interval computed from them become "–" (a share of a known *n* reveals the count).

    >>> t = stats.share_table(pd.Series({"A": 9, "B": 3}), 14)
    >>> public_share_table(t, 5, "public").loc["B"].tolist()
    ['–', '–', '–', '–']
    """
    check_audience(audience)
    out = table.astype(object).copy()
    if audience == "internal":
        return out
    hidden = suppress_series(table["antal"], min_cell) == SUPPRESSED
    out.loc[hidden.to_numpy(), :] = SUPPRESSED
    return out


def likert_counts(
    responses: pd.DataFrame, questions: Mapping[str, Mapping], qids: Iterable[str]
) -> pd.DataFrame:
    """Counts per answer category (columns, codebook order incl. "Vet ej") for each statement
    (rows, labelled by :data:`DIMENSIONS` or the question text)."""
    rows = {}
    cols: list[str] = []
    for qid in qids:
        q = questions[qid]
        labs = labels(q)
        cols = cols or labs
        values = responses[qid].astype(object)
        rows[DIMENSIONS.get(qid, q.get("text", qid))] = [int((values == lab).sum()) for lab in labs]
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols)


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


def likert_positive_table(
    responses: pd.DataFrame,
    questions: Mapping[str, Mapping],
    qids: Iterable[str] = tuple(DIMENSIONS),
    *,
    population: int | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share positive per statement with interval: columns ``antal`` (positive), ``svar``
    (substantive answers), ``andel``, ``ki_lag``, ``ki_hog``."""
    rows = {}
    for qid in qids:
        k, n = positive_count(responses[qid], questions[qid])
        p, lo, hi = stats.proportion_ci(k, n, confidence=confidence, population=population)
        rows[DIMENSIONS.get(qid, qid)] = {
            "antal": k,
            "svar": n,
            "andel": p,
            "ki_lag": lo,
            "ki_hog": hi,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def likert_test(
    responses: pd.DataFrame,
    questions: Mapping[str, Mapping],
    qids: Sequence[str] = tuple(DIMENSIONS),
) -> dict[str, stats.TestResult]:
    """Do the three statements differ? Friedman (ordinal, permutation p) on respondents with a
    substantive answer to all, and Cochran's Q on the positive/not-positive split."""
    codes = {}
    positive = {}
    for qid in qids:
        subst = labels(questions[qid], substantive=True)
        col = responses[qid].astype(object)
        codes[qid] = col.map({lab: i for i, lab in enumerate(subst)})
        positive[qid] = col.map(lambda v, s=subst: (v in LIKERT_POSITIVE) if v in s else np.nan)
    ordinal = pd.DataFrame(codes).dropna()
    binary = pd.DataFrame(positive).dropna().astype(float)
    return {"friedman": stats.friedman_test(ordinal), "cochran": stats.cochran_q(binary)}


# --------------------------------------------------------------------------------------------
# Own vs region development (q8 × q10)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Agreement:
    """Paired own-vs-region answers: cross-table, percent agreement and kappa."""

    table: pd.DataFrame
    agree: int
    n: int
    kappa: stats.KappaResult
    interpretation: str


def development_agreement(
    responses: pd.DataFrame,
    questions: Mapping[str, Mapping],
    a: str = "q8",
    b: str = "q10",
    *,
    confidence: float = 0.95,
) -> Agreement:
    """Cross-table of q8 (rows) × q10 (columns) over respondents with substantive answers to
    both, with percent agreement and Cohen's kappa (Landis & Koch wording)."""
    cats = labels(questions[a], substantive=True)
    x = responses[a].astype(object)
    y = responses[b].astype(object)
    keep = x.isin(cats) & y.isin(labels(questions[b], substantive=True))
    x = pd.Categorical(x[keep], categories=cats)
    y = pd.Categorical(y[keep], categories=cats)
    table = pd.crosstab(x, y, dropna=False).reindex(index=cats, columns=cats, fill_value=0)
    table.index.name = None
    table.columns.name = None
    k = stats.cohens_kappa(table.to_numpy(), confidence=confidence)
    return Agreement(
        table=table.astype("int64"),
        agree=int(np.trace(table.to_numpy())),
        n=int(table.to_numpy().sum()),
        kappa=k,
        interpretation=fmt.kappa_interpretation(k.kappa),
    )


def agreement_summary(
    ag: Agreement, *, confidence: float = 0.95, min_cell: int | None = None
) -> str:
    """One Swedish sentence with agreement and kappa (an agreement count below *min_cell*, when
    given, is only banded).

    >>> t = pd.DataFrame([[5, 1], [1, 6]], index=["a", "b"], columns=["a", "b"])
    >>> k = stats.cohens_kappa(t.to_numpy())
    >>> print(agreement_summary(Agreement(t, 11, 13, k, fmt.kappa_interpretation(k.kappa))))
    11 av 13 svarande (85 %) gav samma svar om den egna och om regionens verksamhet. Cohens kappa, som räknar bort den överensstämmelse som slumpen skulle ge, är 0,69 (95 % KI 0,30–1,00), vilket enligt Landis och Koch är en betydande överensstämmelse.
    """
    kap = ag.kappa
    conf = confidence_label(confidence)
    if math.isnan(kap.kappa):
        kap_text = "Cohens kappa kan inte beräknas eftersom nästan alla svarat likadant."
    else:
        kap_text = (
            "Cohens kappa, som räknar bort den överensstämmelse som slumpen skulle ge, är "
            f"{_dec(kap.kappa)} ({conf} % KI {_dec(kap.low)}–{_dec(kap.high)}), vilket enligt "
            f"Landis och Koch är en {ag.interpretation} överensstämmelse."
        )
    if min_cell is not None and 0 < ag.agree < min_cell:
        share = f"Färre än {min_cell} av {ag.n} svarande"
    else:
        pct = fmt.format_pct(ag.agree / ag.n) if ag.n else "–"
        share = f"{ag.agree} av {ag.n} svarande ({pct})"
    return f"{share} gav samma svar om den egna och om regionens verksamhet. {kap_text}"


def _dec(x: float, decimals: int = 2) -> str:
    return f"{x:.{decimals}f}".replace(".", ",").replace("-", "−")


# --------------------------------------------------------------------------------------------
# Engagement ladder
# --------------------------------------------------------------------------------------------
def ladder_counts(
    responses: pd.DataFrame, question: Mapping[str, Any], qid: str = "q14"
) -> pd.Series:
    """Respondents per ladder step, lowest step first."""
    steps = labels(question)
    values = responses[qid].astype(object)
    return pd.Series([int((values == s).sum()) for s in steps], index=steps, dtype="int64")


def ladder_figure(counts: pd.Series, *, title: str, shown: Sequence[object] | None = None):
    """The engagement ladder as five ascending steps, each labelled with its count.

    *shown* gives the text printed on each step (e.g. ``"–"`` for suppressed counts); by default
    the counts. Returns a :class:`matplotlib.figure.Figure` (deterministic, see
    :mod:`analysis.report.figures`).

    >>> fig = ladder_figure(pd.Series([1, 2, 5, 4, 2], index=list("ABCDE")), title="Trappan")
    >>> len(fig.axes)
    1
    """
    from matplotlib.patches import Rectangle

    from analysis.report.figures import PRIMARY, new_figure, text_colour

    steps = list(counts.index)
    k = len(steps)
    shown = list(shown) if shown is not None else [str(int(v)) for v in counts]
    total = max(int(pd.to_numeric(counts, errors="coerce").fillna(0).sum()), 1)
    fig = new_figure(8.0, 4.6)
    ax = fig.add_subplot()
    light = "#DCEBF5"
    for i, (step, text) in enumerate(zip(steps, shown, strict=True)):
        height = i + 1
        value = pd.to_numeric(pd.Series([counts.iloc[i]]), errors="coerce").iloc[0]
        highlight = text != SUPPRESSED and not pd.isna(value) and value / total >= 0.2
        colour = PRIMARY if highlight else light
        ax.add_patch(Rectangle((i, 0), 1, height, facecolor=colour, edgecolor="white", linewidth=2))
        ax.text(i + 0.5, height - 0.45, f"{text} st", ha="center", va="center",
                color=text_colour(colour), fontsize=11, fontweight="bold")  # fmt: skip
        ax.text(i + 0.5, height + 0.12, _wrap_label(step), ha="center", va="bottom", fontsize=9)
    ax.set_xlim(0, k)
    ax.set_ylim(0, k + 1.2)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, loc="left", fontsize=12)
    ax.annotate("", xy=(k - 0.1, k + 0.95), xytext=(0.1, 1.6),
                arrowprops={"arrowstyle": "->", "color": "#555555"})  # fmt: skip
    return fig


def _wrap_label(text: str, width: int = 16) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


# --------------------------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------------------------
THEMES: dict[str, tuple[str, ...]] = {
    "Kritik och förbättringsbehov": (
        "inget större intresse", "egen agenda", "måste", "brist", "inte haft", "skadar",
        "utmaning", "mindre goda", "inte nog",
    ),
    "Innovation, digitalisering och kompetens": (
        "innovation", "digitalis", "kompetens", "design", "kreativ", "utveckl",
    ),
    "Lärande och ömsesidig förståelse": ("lär", "förstå", "helhetsbild", "kunskap", "vikten"),
    "Samarbete och gemensamma mål": (
        "samarbet", "samverka", "tillsammans", "förtroende", "gemensam", "dynamik", "projekt",
        "styrgrupp", "näringsliv",
    ),
}  # fmt: skip
"""A deliberately light theme coding for the short free-text answers: the theme with most
keyword hits (a keyword is a lower-case word start or phrase) wins; the rest go to "Övrigt"."""

OTHER_THEME = "Övrigt"


def theme_of(text: str, themes: Mapping[str, Sequence[str]] = THEMES) -> str:
    """The theme with most keyword hits (keywords start a word; case-insensitive); ties go to
    the theme listed first, no hit to "Övrigt".

    >>> theme_of("RISE har ett välfungerande innovationspartnerskap med regionen.")
    'Innovation, digitalisering och kompetens'
    >>> theme_of("Jag tycker att det bör ha gjort det.")
    'Övrigt'
    """
    low = str(text).lower()
    best, best_hits = OTHER_THEME, 0
    for theme, keywords in themes.items():
        hits = sum(len(re.findall(r"(?<!\w)" + re.escape(kw.lower()), low)) for kw in keywords)
        if hits > best_hits:
            best, best_hits = theme, hits
    return best


def quotes_by_theme(
    texts: Iterable[object],
    *,
    audience: str = "public",
    themes: Mapping[str, Sequence[str]] = THEMES,
) -> dict[str, list[str]]:
    """Non-empty answers grouped by :func:`theme_of` (themes in map order, "Övrigt" last); in
    ``public`` names are masked with :func:`analysis.disclosure.masking.mask_entities` first."""
    from analysis.disclosure.masking import mask_entities

    check_audience(audience)
    groups: dict[str, list[str]] = {t: [] for t in [*themes, OTHER_THEME]}
    for t in texts:
        if t is None or (isinstance(t, float) and math.isnan(t)) or pd.isna(t):
            continue
        text = str(t).strip()
        if not text:
            continue
        if audience == "public":
            text = mask_entities(text)
        groups[theme_of(text, themes)].append(text)
    return {k: v for k, v in groups.items() if v}


# --------------------------------------------------------------------------------------------
# Per sector
# --------------------------------------------------------------------------------------------
def sector_crosstab(
    responses: pd.DataFrame,
    question: Mapping[str, Any],
    *,
    sector_column: str = "sektor",
    sectors: Sequence[str] | None = None,
    positive_split: bool = False,
) -> pd.DataFrame:
    """Sector (rows) × answer (columns) counts over substantive answers.

    With ``positive_split`` a Likert item is reduced to "Instämmer" (delvis/helt) vs "Övriga".
    Sectors without respondents are left out.
    """
    qid = question["id"]
    subst = labels(question, substantive=True)
    data = responses[[sector_column, qid]].astype(object).dropna()
    data = data[data[qid].isin(subst)]
    if positive_split:
        data[qid] = np.where(data[qid].isin(LIKERT_POSITIVE), "Instämmer", "Övriga")
        cols = ["Instämmer", "Övriga"]
    else:
        cols = subst
    rows = (
        list(sectors)
        if sectors is not None
        else list(dict.fromkeys(responses[sector_column].dropna().astype(str)))
    )
    table = pd.crosstab(data[sector_column], data[qid]).reindex(
        index=rows, columns=cols, fill_value=0
    )
    table = table.loc[table.sum(axis=1) > 0]
    table.index.name = None
    table.columns.name = None
    return table.astype("int64")


def sector_tests(
    responses: pd.DataFrame,
    questions: Mapping[str, Mapping],
    *,
    sectors: Sequence[str] | None = None,
) -> list[tuple[str, pd.DataFrame, stats.TestResult]]:
    """Cross-tables by sector with exact tests for the closed questions the report discusses."""
    specs = [
        ("q4", True), ("q5", True), ("q6", True), ("q8", False), ("q10", False), ("q14", False),
    ]  # fmt: skip
    out = []
    for qid, split in specs:
        if qid not in questions or qid not in responses.columns:
            continue
        q = questions[qid]
        table = sector_crosstab(responses, q, sectors=sectors, positive_split=split)
        title = f"Fråga {q.get('number', qid[1:])}: {q.get('text', qid)}"
        if split:
            title += " (andel som instämmer)"
        out.append((title, table, stats.fisher_freeman_halton(table.to_numpy())))
    return out


def count_table(
    table: pd.DataFrame, *, audience: str, min_cell: int, margins: bool = True
) -> pd.DataFrame:
    """A two-way count table for display: suppressed (public) or just with totals (internal).

    >>> t = pd.DataFrame({"Ja": [6, 2, 7], "Nej": [9, 8, 10]}, index=["a", "b", "c"])
    >>> count_table(t, audience="public", min_cell=5).loc["b", "Ja"]
    '–'
    >>> count_table(t, audience="internal", min_cell=5).loc["b", "Ja"]
    2
    """
    check_audience(audience)
    if audience == "public":
        return suppress_table(table, min_cell, margins=margins)
    full = table_with_margins(table).astype(object)
    return full if margins else full.iloc[:-1, :-1]


def one_way_counts(
    counts: pd.Series, *, audience: str, min_cell: int, total: int | None = None
) -> pd.Series:
    """A one-way count column for display (public: small counts and complements as "–")."""
    check_audience(audience)
    if audience == "public":
        return suppress_series(counts, min_cell, total=total)
    return counts.astype(object)


CROSSTAB_INTERNAL_ONLY = (
    "Tabellen visas bara i den interna versionen: minst en cell har färre än {min_cell} svar, "
    "och dolda celler skulle kunna räknas fram ur antal som redovisas på andra ställen i "
    "rapporten."
)
"""The notice shown in ``public`` instead of a cross-table that would need suppression."""


def publishable_crosstab(table: pd.DataFrame, min_cell: int) -> bool:
    """Whether a cross-table may be shown in the ``public`` report.

    Complementary suppression (:func:`analysis.disclosure.suppression.suppress_table`) only protects a
    table against its own margins. The report also publishes the same totals elsewhere
    (shares "k av n", other tables by the same groups), and with those the hidden cells can
    often be solved for. A cross-table is therefore published only when suppression would hide
    nothing in it: no cell (and hence no total) between 1 and ``min_cell − 1``. Zeros are
    shown, as everywhere in the reports.

    >>> t = pd.DataFrame([[6, 0], [5, 7]], index=["a", "b"], columns=["Ja", "Nej"])
    >>> publishable_crosstab(t, 5)
    True
    >>> publishable_crosstab(t, 6)
    False
    >>> publishable_crosstab(pd.DataFrame([[6, 1], [0, 7]]), 5)
    False
    """
    return not bool(suppression_mask(table, min_cell).to_numpy().any())


def top_categories(counts: pd.Series) -> list[str]:
    """The categories sharing the largest count, in the order of *counts*; empty when every
    count is zero (or there are none).

    >>> top_categories(pd.Series([8, 3, 8, 8], index=["A", "B", "C", "D"]))
    ['A', 'C', 'D']
    >>> top_categories(pd.Series([0, 0], index=["A", "B"]))
    []
    """
    values = pd.to_numeric(counts, errors="coerce").fillna(0)
    if values.empty or values.max() <= 0:
        return []
    return [str(i) for i, v in values.items() if v == values.max()]


def join_names(names: Sequence[str], *, quote: bool = True) -> str:
    """Names as a Swedish list ("A, B och C"), each in Swedish quotation marks by default.

    >>> print(join_names(["A", "B", "C"]))
    ”A”, ”B” och ”C”
    >>> join_names(["Dialog"], quote=False)
    'Dialog'
    """
    items = [f"”{n}”" if quote else str(n) for n in names]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


def leaders_text(counts: pd.Series, *, quote: bool = True) -> str:
    """The category with most answers for an alt text, or all of them when they tie.

    >>> print(leaders_text(pd.Series([1, 6, 2], index=["A", "B", "C"])))
    ”B”
    >>> print(leaders_text(pd.Series([6, 6, 2], index=["A", "B", "C"])))
    ”A” och ”B” (lika många)
    >>> leaders_text(pd.Series([0, 0], index=["A", "B"]))
    ''
    """
    top = top_categories(counts)
    text = join_names(top, quote=quote)
    return text + " (lika många)" if len(top) > 1 else text


def leader_sentence(
    counts: pd.Series,
    n: int,
    *,
    where: str,
    nouns: tuple[str, str] = ("alternativ", "alternativ"),
    population: int | None = None,
    confidence: float = 0.95,
    min_cell: int | None = None,
) -> str:
    """The "most common" statement for a multiple-choice question, naming every category that
    ties for first place (counts below *min_cell*, when given, are only banded).

    *where* says what the categories belong to ("inom den regionala
    utvecklingsstrategin"); *nouns* is the singular and plural of what a category is.

    >>> c = pd.Series([8, 5, 8, 8], index=["A", "B", "C", "D"])
    >>> print(leader_sentence(c, 14, where="inom strategin", nouns=("del", "delar"),
    ...                       population=43))
    Inom strategin delar tre delar förstaplatsen med 8 av 14 svarande (57 %, 95 % KI 36–76 %): ”A”, ”C” och ”D”.
    >>> print(leader_sentence(c.iloc[:2], 14, where="inom strategin", population=43))
    Vanligast inom strategin var ”A”: 8 av 14 svarande (57 %, 95 % KI 36–76 %).
    >>> print(leader_sentence(c * 0, 14, where="inom strategin", nouns=("del", "delar")))
    Inga delar inom strategin nämndes av de svarande.
    """
    top = top_categories(counts)
    if not top or n <= 0:
        return f"Inga {nouns[1]} {where} nämndes av de svarande."
    k = int(counts[top[0]])
    phrase = _share_phrase(k, n, population=population, confidence=confidence, min_cell=min_cell)
    if len(top) == 1:
        return f"Vanligast {where} var ”{top[0]}”: {phrase}."
    return (
        f"{where[:1].upper()}{where[1:]} delar {_number_word(len(top))} {nouns[1]} "
        f"förstaplatsen med {phrase}: {join_names(top)}."
    )


# --------------------------------------------------------------------------------------------
# Headline numbers and summary
# --------------------------------------------------------------------------------------------
def headline(inputs: Inputs) -> pd.DataFrame:
    """The headline numbers as ``metric, numerator, denominator`` (strings; empty denominator
    for plain counts) — the same table as ``tests/ground_truth/partner_2021_demo_headline.csv``.
    """
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


def _share_phrase(
    k: int,
    n: int,
    *,
    population: int | None,
    confidence: float,
    unit: str = "svarande",
    min_cell: int | None = None,
) -> str:
    """ "k av n svarande (p %, KI …)"; with *min_cell* (public) a count below it is only banded.

    >>> _share_phrase(3, 14, population=None, confidence=0.95, min_cell=5)
    'färre än 5 av 14 svarande'
    """
    if min_cell is not None and 0 < k < min_cell:
        return f"färre än {min_cell} av {n} {unit}"
    p, lo, hi = stats.proportion_ci(k, n, confidence=confidence, population=population)
    return f"{k} av {n} {unit} ({fmt.format_pct(p)}, {fmt.format_ci(lo, hi, confidence)})"


def summary_sentences(
    inputs: Inputs, *, confidence: float = 0.95, min_cell: int | None = None
) -> list[str]:
    """The key findings as Swedish sentences; every number is computed from *inputs*.

    With *min_cell* (the public report) a count below it is shown only as "färre än …".
    """
    r, q = inputs.responses, inputs.questions
    size = frame_size(inputs)
    n = len(r)
    rate = response_rate(n, size)
    out = [
        f"{n} av {size} tillfrågade organisationer svarade på enkäten, en svarsfrekvens på "
        f"{fmt.format_pct(rate['andel'])}. Med så få svar är varje andel osäker; intervallen "
        "nedan visar hur osäker."
    ]
    pos = likert_positive_table(r, q, population=size, confidence=confidence)
    parts = []
    for dim, row in pos.iterrows():
        phrase = _share_phrase(
            int(row["antal"]),
            int(row["svar"]),
            population=size,
            confidence=confidence,
            min_cell=min_cell,
        )
        parts.append(f"{dim.lower()}: {phrase}")
    out.append(
        "Andelen som instämmer helt eller delvis i att Region Västerbotten är en "
        + ", ".join(parts[:-1])
        + " och "
        + parts[-1]
        + " (andel av dem som tog ställning)."
    )
    test = likert_test(r, q)["friedman"]
    if not math.isnan(test.pvalue):
        verdict = "skiljer sig inte säkert åt" if test.pvalue >= 0.05 else "skiljer sig åt"
        out.append(
            f"De tre bedömningarna {verdict} ({test.method}, {fmt.format_p(test.pvalue)}, "
            f"n = {test.n})."
        )
    counts, n3 = multi_counts(r, q["q3"])
    ev = stats.evenness(counts)
    spread = "jämn" if ev.pielou_j >= 0.75 else "ojämn"
    leader = leader_sentence(
        counts,
        n3,
        where=RUS_WHERE,
        nouns=RUS_NOUNS,
        population=size,
        confidence=confidence,
        min_cell=min_cell,
    )
    out.append(
        f"{leader} Spridningen mellan strategins delar är {spread} (Pielous J = "
        f"{_dec(ev.pielou_j)}, där 1 betyder exakt lika många för varje del)."
    )
    ag = development_agreement(r, q, confidence=confidence)
    out.append(agreement_summary(ag, confidence=confidence, min_cell=min_cell))
    return out


# --------------------------------------------------------------------------------------------
# Method notes
# --------------------------------------------------------------------------------------------
def reconstructed_questions(questions: Mapping[str, Mapping]) -> list[str]:
    """ "Fråga N: text" for every question marked ``reconstructed`` in the codebook."""
    return [
        f"Fråga {q.get('number', qid)}: {q.get('text', '')}"
        for qid, q in questions.items()
        if q.get("reconstructed")
    ]


def is_synthetic(inputs: Inputs) -> bool:
    """True when the manifest (or, lacking one, the codebook's demo block) says synthetic."""
    if "synthetic" in inputs.manifest:
        return bool(inputs.manifest["synthetic"])
    return False


def method_notes(
    inputs: Inputs, *, confidence: float = 0.95, min_cell: int = 5, audience: str = "public"
) -> list[str]:
    """Paragraphs for "Metod och reservationer" (Swedish)."""
    size = frame_size(inputs)
    conf = confidence_label(confidence)
    n = len(inputs.responses)
    notes = [
        f"Intervallen är {conf} procents konfidensintervall enligt Wilsons metod med korrektion "
        f"för ändlig population. Wilsons intervall har nära utlovad täckning även när antalet svar "
        "är litet och hamnar aldrig utanför 0–100 %, till skillnad från det vanliga "
        "normalapproximerade intervallet. Svaren kommer från en liten, känd grupp – "
        f"{n} av de {size} inbjudna organisationerna ({fmt.format_pct(n / size)}) – så "
        "osäkerheten är mindre än om de kommit från en oändligt stor population; korrektionen "
        "(effektiv urvalsstorlek "
        "n / fpc², fpc² = (N − n)/(N − 1), Korn & Graubard 1998) tar hänsyn till det. "
        "Korrektionen förutsätter att de som svarade är ett slumpmässigt urval av de inbjudna – "
        "det vet vi inte, och intervallen fångar därför bara slumpens osäkerhet, inte en möjlig "
        "snedvridning av vilka som valde att svara.",
        "Skillnader mellan de tre bedömningarna prövas med Friedmans test för parade ordinala svar "
        "med p-värde från permutationer (lämpligt för så få svar), kompletterat med Cochrans Q "
        "för andelen som instämmer. Samband per sektor prövas med Fishers exakta test (2×2) eller "
        "Freeman–Haltons utvidgning med Monte Carlo-p-värde och fast slumpfrö, så att rapporten "
        "blir identisk vid varje körning. Överensstämmelsen mellan fråga 8 och 10 mäts med Cohens "
        "kappa och tolkas enligt Landis och Koch (1977).",
    ]
    if audience == "public":
        notes.append(
            f"I den publika versionen visas inga antal mellan 1 och {min_cell - 1}: sådana celler, "
            "och andelar som bygger på dem, visas som ”–”. Dessutom döljs så få andra celler som "
            "möjligt så att ett dolt värde inte kan räknas fram ur rad- eller kolumnsummor "
            "(sekundär röjandekontroll). Nollor visas. Namn på organisationer, kommuner och "
            "personer i citat är ersatta med [organisation], [kommun] och [person]."
        )
        notes.append(
            f"Röjandekontrollen i korthet: antal under {min_cell} döljs; en andel ”k av n” visas "
            f"när k är minst {min_cell}; korstabeller som skulle behöva dolda celler visas bara "
            "i den interna versionen, eftersom deras dolda celler annars skulle kunna räknas fram "
            "ur antal som redovisas på andra ställen i rapporten."
        )
    recon = reconstructed_questions(inputs.questions)
    verbatim = [
        str(q.get("number", qid))
        for qid, q in inputs.questions.items()
        if not q.get("reconstructed")
    ]
    if recon:
        listed = (
            ", ".join(verbatim[:-1]) + " och " + verbatim[-1]
            if len(verbatim) > 1
            else "".join(verbatim)
        )
        notes.append(
            "Enkätens frågeformulär är inte publicerat i sin helhet. "
            + (f"Bara frågorna {listed} återges ordagrant i rapporten; " if verbatim else "")
            + "följande frågor är rekonstruerade utifrån rapportens "
            "text och kan ha haft en annan formulering och andra svarsalternativ: "
            + "; ".join(recon)
            + "."
        )
    if is_synthetic(inputs):
        notes.append(
            "Observera: svaren i denna rapport är syntetiska demonstrationsdata, konstruerade för "
            "att likna rapporten från 2021. De är inte de verkliga svaren, och siffrorna får inte "
            "citeras som resultat."
        )
    return notes


# --------------------------------------------------------------------------------------------
# Report sections: one function per notebook section, returning HTML built with analysis.report.html
# --------------------------------------------------------------------------------------------
# Each ``*_html`` function takes the :class:`Inputs` and the notebook parameters and returns one
# HTML fragment; the notebook only shows it (``render.show(partner.rus_html(data, ...))``).
# Smaller helpers hold the decisions worth testing on their own (which text, which table).

DEMO_BANNER = (
    "Demonstrationsdata: svaren i den här rapporten är syntetiska och konstruerade för att "
    "likna enkäten 2021. Siffrorna är inte verkliga resultat."
)
"""The notice shown at the top of a report built from synthetic data."""

RUS_WHERE = "inom den regionala utvecklingsstrategin"
RUS_NOUNS = ("del", "delar")
"""How :func:`leader_sentence` speaks of the parts of the strategy (q3)."""

FACTOR_QUESTIONS = (("q12", "Möjliggörare (framgångsfaktorer)"), ("q13", "Utmaningar"))
"""The multiple-choice questions of section 6, question id → figure title."""

FREE_TEXT_QUESTIONS = ("q9", "q11", "q15")
"""The open questions quoted in section 7."""


def banner_html(inputs: Inputs) -> str:
    """The demo-data notice when the data are synthetic, otherwise an empty string.

    >>> inp = Inputs(pd.DataFrame(), {}, {"synthetic": True}, pd.DataFrame(), {})
    >>> banner_html(inp).startswith('<div class="notice" role="note"><p>Demonstrationsdata')
    True
    >>> banner_html(Inputs(inp.responses, {}, {"synthetic": False}, inp.frame, {}))
    ''
    """
    from analysis.report import html as render

    return render.notice(DEMO_BANNER) if is_synthetic(inputs) else ""


def summary_html(
    inputs: Inputs, *, audience: str = "public", min_cell: int = 5, confidence: float = 0.95
) -> str:
    """Section 1, "Sammanfattning": :func:`summary_sentences` as paragraphs (public: counts
    below *min_cell* banded)."""
    from analysis.report import html as render

    limit = min_cell if check_audience(audience) == "public" else None
    sentences = summary_sentences(inputs, confidence=confidence, min_cell=limit)
    return render.join(*[render.paragraph(s) for s in sentences])


def response_rate_sentence(n_respondents: int, frame_size: int) -> str:
    """The response rate as a sentence (a fact about this survey, so without an interval).

    >>> print(response_rate_sentence(14, 43))
    14 av 43 tillfrågade organisationer svarade, en svarsfrekvens på 33 %. Svarsfrekvensen är ett faktum om just den här enkäten och har därför inget konfidensintervall.
    """
    rate = response_rate(n_respondents, frame_size)
    return (
        f"{n_respondents} av {frame_size} tillfrågade organisationer svarade, en svarsfrekvens "
        f"på {fmt.format_pct(rate['andel'])}. Svarsfrekvensen är ett faktum om just den här "
        "enkäten och har därför inget konfidensintervall."
    )


def nonresponse_sentence(lead: str, profile: pd.DataFrame, *, audience: str, min_cell: int) -> str:
    """*lead* + :func:`representation_sentence` for *profile*, leaving out (and saying so) the
    groups whose respondent count is suppressed in ``public``.

    >>> p = frame_profile(pd.DataFrame({"org_type": ["A"] * 10 + ["B"] * 10}),
    ...                   pd.DataFrame({"q1": ["A"] * 9 + ["B"] * 2}))
    >>> print(nonresponse_sentence("Per typ: ", p, audience="internal", min_cell=5))
    Per typ: Överrepresenterade bland de svarande jämfört med urvalet: A (+32 procentenheter). Underrepresenterade: B (−32 procentenheter).
    >>> print(nonresponse_sentence("Per typ: ", p, audience="public", min_cell=5))
    Per typ: Ingen grupp avviker med mer än 5 procentenheter från urvalet. Grupper med färre än 5 svarande (och de som döljs för att skydda dem) kommenteras inte i den publika versionen.
    """
    hidden = suppressed_groups(profile, audience=audience, min_cell=min_cell)
    text = lead + representation_sentence(profile, exclude=hidden)
    if hidden:
        text += (
            f" Grupper med färre än {min_cell} svarande (och de som döljs för att skydda dem) "
            "kommenteras inte i den publika versionen."
        )
    return text


def response_html(inputs: Inputs, *, audience: str, min_cell: int) -> str:
    """Section 2, "Urval och svarsfrekvens": the response rate, frame and respondents by
    organisation type and by sector, and the nonresponse profile with its caveat."""
    from analysis.report import html as render

    check_audience(audience)
    r, q = inputs.responses, inputs.questions
    size = frame_size(inputs)
    by_type = frame_profile(
        inputs.frame, r, by="org_type", response_column="q1", order=labels(q["q1"])
    )
    by_sector = frame_profile(inputs.frame, r, by="sektor", response_column="sektor")
    shown = {"audience": audience, "min_cell": min_cell}
    return render.join(
        render.paragraph(response_rate_sentence(len(r), size)),
        render.table(profile_display(by_type, **shown), "Urval och svarande per organisationstyp"),
        render.table(
            profile_display(by_sector, **shown), "Urval och svarande per sektor (pentahelix)"
        ),
        render.paragraph(
            nonresponse_sentence("Bortfallsprofil per organisationstyp: ", by_type, **shown)
        ),
        render.paragraph(nonresponse_sentence("Per sektor: ", by_sector, **shown)),
        render.notice(
            "Bortfallsprofilen visar bara vilka slags organisationer som svarade. Om de som inte "
            "svarade skulle ha svarat annorlunda går inte att veta – slutsatserna gäller de "
            "svarande, inte alla samarbetspartner."
        ),
    )


def share_figure_html(
    table: pd.DataFrame,
    *,
    title: str,
    alt: str,
    caption: str,
    data_caption: str | None = None,
    wrap: int = 40,
    confidence: float = 0.95,
) -> str:
    """Bars with intervals for a (display) share table, with the table itself as the data."""
    from analysis.report import figures
    from analysis.report import html as render

    return render.figure(
        figures.bar_with_ci(table, title=title, wrap=wrap, confidence=confidence),
        alt=alt,
        caption=caption,
        data=table,
        data_caption=data_caption,
    )


def rus_html(inputs: Inputs, *, audience: str, min_cell: int, confidence: float = 0.95) -> str:
    """Section 3, RUS: ranked shares naming each part of the strategy with intervals, and the
    evenness of the spread explained in plain Swedish."""
    from analysis.report import html as render

    check_audience(audience)
    counts, n = multi_counts(inputs.responses, inputs.questions["q3"])
    ranked = ranked_shares(counts, n, population=frame_size(inputs), confidence=confidence)
    shown = public_share_table(ranked, min_cell, audience)
    return render.join(
        share_figure_html(
            shown,
            title="Andel svarande som nämner respektive del av RUS",
            alt=(
                f"Liggande staplar: andelen av de {n} svarande som nämner varje del av den "
                f"regionala utvecklingsstrategin, störst först. Vanligast: "
                f"{leaders_text(counts) or 'ingen'}."
            ),
            caption=(
                f"Delar av RUS, rangordnade ({confidence_label(confidence)} % konfidensintervall)"
            ),
            confidence=confidence,
        ),
        render.paragraph(fmt.evenness_explanation(stats.evenness(counts))),
        render.paragraph(
            "Eftersom en svarande kan nämna flera delar är svaren inte helt oberoende av "
            "varandra; testet ska läsas som en fingervisning."
        ),
    )


def likert_chart_allowed(counts: pd.DataFrame, *, audience: str, min_cell: int) -> bool:
    """Whether the per-category Likert chart may be shown: always in ``internal``; in
    ``public`` only when no category count is between 1 and ``min_cell − 1`` (a bar's length
    would reveal it).

    >>> c = pd.DataFrame({"Nej": [0, 6], "Ja": [9, 5]})
    >>> likert_chart_allowed(c, audience="public", min_cell=5)
    True
    >>> likert_chart_allowed(c, audience="public", min_cell=6)
    False
    >>> likert_chart_allowed(c, audience="internal", min_cell=6)
    True
    """
    check_audience(audience)
    small = ((counts > 0) & (counts < min_cell)).to_numpy().any()
    return audience == "internal" or not small


def likert_test_sentence(results: Mapping[str, stats.TestResult]) -> str:
    """Plain-Swedish reading of :func:`likert_test`: do the three assessments differ?

    The verdict uses the smallest p-value that could be computed (5 % level); when neither
    test can be computed the sentence says so instead of claiming a difference.

    >>> fr = stats.TestResult(4.1, 0.37, "Friedmans test", 12)
    >>> print(likert_test_sentence({"friedman": fr,
    ...                             "cochran": stats.TestResult(1.0, 0.61, "Cochrans Q", 12)}))
    Skiljer sig bedömningarna åt? 12 svarande tog ställning till alla tre påståendena. Friedmans test: p = 0,37; Cochrans Q för andelen som instämmer: p = 0,61. Med så få svar går det inte att säga att regionen bedöms olika på de tre punkterna.
    >>> none = stats.TestResult(float("nan"), float("nan"), "ej testbar", 1)
    >>> likert_test_sentence({"friedman": none, "cochran": none}).endswith("inte prövas.")
    True
    """
    fr, cq = results["friedman"], results["cochran"]
    text = (
        f"Skiljer sig bedömningarna åt? {fr.n} svarande tog ställning till alla tre "
        f"påståendena. {fr.method}: {fmt.format_p(fr.pvalue)}; Cochrans Q för andelen som "
        f"instämmer: {fmt.format_p(cq.pvalue)}. "
    )
    pvalues = [p for p in (fr.pvalue, cq.pvalue) if p is not None and not math.isnan(p)]
    if not pvalues:
        return (
            text
            + "Med så här få fullständiga svar kan skillnader mellan bedömningarna inte prövas."
        )
    if min(pvalues) >= 0.05:
        return text + (
            "Med så få svar går det inte att säga att regionen bedöms olika på de tre punkterna."
        )
    return text + "Bedömningarna skiljer sig åt mer än vad slumpen brukar ge."


def likert_html(inputs: Inputs, *, audience: str, min_cell: int, confidence: float = 0.95) -> str:
    """Section 4, "Inkluderande, attraktiv, innovativ": the diverging bars (or, in ``public``
    with small categories, a notice instead), the share positive with intervals and the paired
    tests of whether the three differ."""
    from analysis.report import figures
    from analysis.report import html as render

    check_audience(audience)
    r, q = inputs.responses, inputs.questions
    counts = likert_counts(r, q, list(DIMENSIONS))
    if likert_chart_allowed(counts, audience=audience, min_cell=min_cell):
        distribution = render.figure(
            figures.likert_diverging(
                counts,
                labels(q["q4"], substantive=True),
                title="Region Västerbotten är en … samarbetspartner",
            ),
            alt="Divergerande staplar för påståendena inkluderande, attraktiv och innovativ: "
            "andelen som instämmer till höger om mittlinjen, andelen som inte instämmer till "
            "vänster.",
            caption="Svarsfördelning för de tre påståendena",
            data=count_table(counts, audience=audience, min_cell=min_cell),
        )
    else:
        distribution = render.notice(
            "Svarsfördelningen per svarsalternativ visas inte som diagram i den publika "
            f"versionen eftersom ett eller flera alternativ har färre än {min_cell} svar; se "
            "andelarna nedan."
        )
    positive = likert_positive_table(r, q, population=frame_size(inputs), confidence=confidence)
    return render.join(
        distribution,
        share_figure_html(
            public_share_table(positive, min_cell, audience),
            title="Andel som instämmer helt eller delvis",
            alt="Liggande staplar med konfidensintervall: andelen som instämmer helt eller "
            "delvis i att regionen är inkluderande, attraktiv respektive innovativ.",
            caption=f"Andel som instämmer ({confidence_label(confidence)} % konfidensintervall)",
            data_caption="Andel som instämmer helt eller delvis, av dem som tog ställning",
            confidence=confidence,
        ),
        render.paragraph(likert_test_sentence(likert_test(r, q))),
    )


def development_display(table: pd.DataFrame, *, audience: str, min_cell: int) -> pd.DataFrame:
    """The q8 × q10 cross-table for display: :func:`count_table` with the rows labelled
    "Egen: …" and the columns "Regionen: …" (totals keep their name).

    >>> t = pd.DataFrame([[6, 1], [0, 7]], index=["Nej", "Ja"], columns=["Nej", "Ja"])
    >>> out = development_display(t, audience="internal", min_cell=5)
    >>> list(out.index), list(out.columns)
    (['Egen: Nej', 'Egen: Ja', 'Totalt'], ['Regionen: Nej', 'Regionen: Ja', 'Totalt'])
    """
    out = count_table(table, audience=audience, min_cell=min_cell)
    out.index = [i if i == "Totalt" else f"Egen: {i}" for i in out.index]
    out.columns = [c if c == "Totalt" else f"Regionen: {c}" for c in out.columns]
    return out


DEVELOPMENT_CAPTION = "Fråga 8 (rader) mot fråga 10 (kolumner), antal svarande"


def development_html(
    inputs: Inputs, *, audience: str, min_cell: int, confidence: float = 0.95
) -> str:
    """Section 5, own (q8) vs region (q10) development: the paired cross-table, agreement and
    kappa, and (``internal`` only, since a heat map shows every cell) the heat map.

    In ``public`` the cross-table is shown only when it needs no suppression
    (:func:`publishable_crosstab`); otherwise a notice replaces it, because the agreement
    ("k av n") and margins published elsewhere would let the hidden cells be worked out.
    Agreement and kappa are always shown."""
    from analysis.report import figures
    from analysis.report import html as render

    check_audience(audience)
    ag = development_agreement(inputs.responses, inputs.questions, confidence=confidence)
    if audience == "internal" or publishable_crosstab(ag.table, min_cell):
        table = render.table(
            development_display(ag.table, audience=audience, min_cell=min_cell),
            DEVELOPMENT_CAPTION,
        )
    else:
        table = render.notice(
            "Korstabellen över fråga 8 och fråga 10 visas inte. "
            + CROSSTAB_INTERNAL_ONLY.format(min_cell=min_cell)
        )
    limit = min_cell if audience == "public" else None
    parts = [
        table,
        render.paragraph(agreement_summary(ag, confidence=confidence, min_cell=limit)),
    ]
    if audience == "internal":
        parts.append(
            render.figure(
                figures.heatmap(ag.table, title="Egen verksamhet (rader) mot regionens (kolumner)"),
                alt="Värmekarta över korstabellen fråga 8 mot fråga 10; diagonalen visar samma "
                "svar.",
                data=ag.table,
            )
        )
    return render.join(*parts)


def factors_html(inputs: Inputs, *, audience: str, min_cell: int, confidence: float = 0.95) -> str:
    """Section 6, enablers (q12) and challenges (q13): ranked shares with intervals, one
    figure each, shares of those who ticked at least one option."""
    from analysis.report import html as render

    check_audience(audience)
    parts = []
    for qid, title in FACTOR_QUESTIONS:
        counts, n = multi_counts(inputs.responses, inputs.questions[qid])
        ranked = ranked_shares(counts, n, population=frame_size(inputs), confidence=confidence)
        parts.append(
            share_figure_html(
                public_share_table(ranked, min_cell, audience),
                title=title,
                wrap=45,
                alt=f"Liggande staplar: andelen av de {n} svarande som nämner varje alternativ "
                f"i frågan om {title.lower()}, störst först. Vanligast: "
                f"{leaders_text(counts) or 'inget'}.",
                caption=f"{title} ({confidence_label(confidence)} % konfidensintervall)",
                confidence=confidence,
            )
        )
    return render.join(*parts)


def ladder_alt(counts: pd.Series) -> str:
    """Alt text of the engagement-ladder figure, naming the step with most respondents (every
    step, when several tie).

    >>> print(ladder_alt(pd.Series([1, 6, 2], index=["Information", "Dialog", "Ägarskap"])))
    Trappa i tre steg från Information till Ägarskap, med antalet svarande på varje steg. Flest svarande: Dialog.
    >>> print(ladder_alt(pd.Series([6, 6, 2], index=["Information", "Dialog", "Ägarskap"])))
    Trappa i tre steg från Information till Ägarskap, med antalet svarande på varje steg. Flest svarande: Information och Dialog (lika många).
    >>> ladder_alt(pd.Series([0, 0], index=["A", "B"])).endswith("Inga svar.")
    True
    """
    steps = list(counts.index)
    text = (
        f"Trappa i {_number_word(len(steps))} steg från {steps[0]} till {steps[-1]}, med "
        "antalet svarande på varje steg."
    )
    if int(counts.sum()) == 0:
        return text + " Inga svar."
    return text + f" Flest svarande: {leaders_text(counts, quote=False)}."


def _number_word(k: int) -> str:
    words = {2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju"}
    return words.get(k, str(k))


def ladder_html(inputs: Inputs, *, audience: str, min_cell: int) -> str:
    """Section 6, the engagement ladder (q14) as a five-step ladder figure with its counts
    (suppressed in ``public``)."""
    from analysis.report import html as render

    check_audience(audience)
    counts = ladder_counts(inputs.responses, inputs.questions["q14"])
    total = int(counts.sum())
    shown = one_way_counts(counts, audience=audience, min_cell=min_cell, total=total)
    return render.figure(
        ladder_figure(counts, title="Engagemangstrappan", shown=list(shown)),
        alt=ladder_alt(counts),
        caption=f"Var på engagemangstrappan samarbetet befinner sig ({total} svarande)",
        data=shown.rename("antal").to_frame(),
    )


def free_text_html(
    inputs: Inputs,
    *,
    audience: str,
    qids: Sequence[str] = FREE_TEXT_QUESTIONS,
) -> str:
    """Section 7, the free-text answers as quotes under a heading per question, grouped by
    :func:`quotes_by_theme` (names masked in ``public``)."""
    from analysis.report import html as render

    check_audience(audience)
    parts = []
    for qid in qids:
        q = inputs.questions[qid]
        parts.append(render.heading(f"Fråga {q.get('number')}: {q.get('text')}", 3))
        groups = quotes_by_theme(inputs.responses[qid], audience=audience)
        if not groups:
            parts.append(render.paragraph("Inga svar."))
        parts.extend(render.quotes(texts, caption=theme) for theme, texts in groups.items())
    return render.join(*parts)


def sector_html(inputs: Inputs, *, audience: str, min_cell: int) -> str:
    """Section 8, per sector: each cross-table of :func:`sector_tests` with its exact test.

    In ``public`` a table is shown only when it needs no suppression
    (:func:`publishable_crosstab`). Otherwise a notice under the question replaces both the
    table and its p-value: the totals of these tables are published elsewhere in the report,
    and an exact test's p-value with known margins can single out the table too.
    """
    from analysis.report import html as render

    check_audience(audience)
    parts = []
    for title, table, res in sector_tests(inputs.responses, inputs.questions):
        if audience == "internal" or publishable_crosstab(table, min_cell):
            shown = count_table(table, audience=audience, min_cell=min_cell)
            parts.append(render.table(shown, title))
            parts.append(
                render.paragraph(f"{res.method}: {fmt.format_p(res.pvalue)} (n = {res.n}).")
            )
        else:
            parts.append(render.heading(title, 3))
            parts.append(render.notice(SECTOR_INTERNAL_ONLY.format(min_cell=min_cell)))
    return render.join(*parts)


SECTOR_INTERNAL_ONLY = (
    CROSSTAB_INTERNAL_ONLY + " Jämförelsen mellan sektorerna, med exakt test och p-värde, "
    "redovisas därför bara i den interna versionen."
)
"""The ``public`` notice that replaces a sector table and its test (see :func:`sector_html`)."""


def method_html(inputs: Inputs, *, audience: str, min_cell: int, confidence: float = 0.95) -> str:
    """Section 9, "Metod och reservationer": :func:`method_notes` as paragraphs."""
    from analysis.report import html as render

    check_audience(audience)
    notes = method_notes(inputs, confidence=confidence, min_cell=min_cell, audience=audience)
    return render.join(*[render.paragraph(p) for p in notes])


# --------------------------------------------------------------------------------------------
# Sections (analysis.surveys.analysis)
# --------------------------------------------------------------------------------------------
def sections(analysis) -> list:
    """The partner report's sections for a :class:`~analysis.surveys.analysis.SurveyAnalysis`."""
    from analysis.report.section import Section

    ds, policy = analysis.dataset, analysis.policy
    conf = float(analysis.params.get("confidence", 0.95))
    inputs = inputs_from_dataset(ds)
    kw = {"audience": policy.audience, "min_cell": policy.min_cell}
    spec = [
        ("sammanfattning", "1 Sammanfattning", summary_html(inputs, **kw, confidence=conf)),
        ("urval", "2 Urval och svarsfrekvens", response_html(inputs, **kw)),
        (
            "rus",
            "3 Den regionala utvecklingsstrategin (RUS)",
            rus_html(inputs, **kw, confidence=conf),
        ),
        ("iai", "4 Inkluderande, attraktiv, innovativ", likert_html(inputs, **kw, confidence=conf)),
        (
            "utveckling",
            "5 Har samarbetet utvecklat verksamheten?",
            development_html(inputs, **kw, confidence=conf),
        ),
        (
            "faktorer",
            "6 Framgångsfaktorer, utmaningar, engagemangstrappan",
            factors_html(inputs, **kw, confidence=conf) + ladder_html(inputs, **kw),
        ),
        ("fritext", "7 Fritextsvar", free_text_html(inputs, audience=policy.audience)),
        ("sektor", "8 Per sektor", sector_html(inputs, **kw)),
        ("metod", "9 Metod och reservationer", method_html(inputs, **kw, confidence=conf)),
    ]
    out = []
    for sid, title, fragment in spec:
        s = Section(sid, title)
        s.html(fragment)
        out.append(s)
    return out


def inputs_from_dataset(ds) -> Inputs:
    """:class:`Inputs` from a loaded :class:`~analysis.data.dataset.Dataset`."""
    from analysis.data.reference import load_sample_frame

    manifest = dict(ds.manifest or {})
    manifest.setdefault("synthetic", bool(ds.synthetic))
    cb = _as_dict(ds.codebook)
    return Inputs(
        responses=ds.wide,
        questions=questions_from_codebook(cb),
        manifest=dict(_as_dict(manifest)),
        frame=load_sample_frame(),
        codebook=cb,
    )
