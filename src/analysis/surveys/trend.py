"""The trend report (``partner_trend``): two rounds of a survey series compared concept by concept.

:func:`analyse_trend` loads two rounds of a series (by default the partner survey 2021 and its
2025 follow-up), lines their questions up by ``concept`` (:mod:`analysis.data.rounds`) and
returns a :class:`TrendAnalysis` whose :attr:`~TrendAnalysis.sections` are the report, in
reading order, as :class:`~analysis.report.section.Section` objects (data + presentation):

1. the title, then **"Det viktigaste"** — 5–7 plain-Swedish messages given as counts;
2. a table of contents;
3. the two rounds: who was asked, who answered, who answered both times, which questions were
   reworded;
4. every shared concept: each round's share "k av n" with a confidence interval (Wilson,
   finite-population corrected with the round's frame), the change in percentage points and
   Boschloo's exact test for two independent samples on the 2 × 2 table indicator/not by round;
5. the organisations that answered both rounds: how many moved up, stayed, moved down, with
   exact paired tests (Bowker for ordered answers, McNemar for multiple-choice options, and the
   exact sign test on the direction of change);
6. the engagement ladder per round and the step organisations want to reach;
7. the new indicators (baseline for the next round);
8. free-text themes per round (the partner report's keyword themes);
9. method and caveats.

Disclosure: the rounds' codebooks declare the policy (organisations, ``min_cell`` 5); the
stricter of the two applies. In the public version a count 1–4 is never shown, and no number is
shown that would reveal one: a share "k av n" needs ``k`` 0 or ≥ ``min_cell`` and ``n`` ≥
``min_cell``; its base excludes "Vet ej" only when the number of "Vet ej" answers could not be
worked out from it (otherwise the share is of all answers, as in the overview report); a change
or test is shown only when both shares are; counts that add up to a shown total get
complementary suppression (:func:`analysis.disclosure.linked.linked_mask`); a paired test is
shown exactly only when every count it depends on is shown, and otherwise only as "p < 0,05" /
"p ≥ 0,05" when that statement holds for *every* table consistent with the shown numbers (so it
reveals nothing more), else not at all.

>>> import tempfile
>>> from analysis.data.ingest import ingest
>>> a_dir, b_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
>>> _ = ingest("partner_2021", out_dir=a_dir); _ = ingest("partner_2025", out_dir=b_dir)
>>> t = analyse_trend("partner_2025", baseline="partner_2021", input=b_dir, baseline_input=a_dir)
>>> [s.id for s in t.sections][:3]
['titel', 'det-viktigaste', 'innehallsforteckning']
>>> t.pairing.pairs.shape[0], t.policy.min_cell
(8, 5)
>>> row = t.indicators.loc["inclusive"]   # few "Vet ej" in 2021: the share is of all answers
>>> int(row["k_a"]), int(row["n_a"]), row["base"]
(11, 14, 'alla')
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.errors import ConfigError
from analysis.report import html as render
from analysis.report.section import Section

if TYPE_CHECKING:  # pragma: no cover
    from analysis.data.codebook import Codebook, Question
    from analysis.data.dataset import Dataset
    from analysis.data.rounds import Pairing, SharedConcept
    from analysis.disclosure.policy import DisclosurePolicy

__all__ = [
    "CONCEPT_LABELS",
    "Indicator",
    "TrendAnalysis",
    "analyse_trend",
    "indicators_for",
    "safe_band",
    "share_shown",
]

SUPPRESSED = render.SUPPRESSED
ALPHA = 0.05

CONCEPT_LABELS: dict[str, str] = {
    "inclusive": "Inkluderande",
    "attractive": "Attraktiv",
    "innovative": "Innovativ",
    "own_development": "Samarbetet har utvecklat den egna verksamheten",
    "region_development": "Samarbetet har utvecklat Region Västerbottens verksamhet",
    "engagement_ladder": "Engagemangstrappan: de två översta stegen",
    "engagement_ladder_goal": "Vill nå de två översta stegen om tre år",
    "rus_parts": "Delar av den regionala utvecklingsstrategin (RUS)",
    "enablers": "Möjliggörare",
    "challenges": "Utmaningar",
    "clear_mandate": "Tydliga mandat",
    "risk_balance": "Risken står i rimlig proportion till nyttan",
    "joint_projects": "Minst två gemensamma projekt senaste året",
    "written_agreement": "Skriftlig överenskommelse finns",
    "contact_frequency": "Kontakt minst varje månad",
}
"""Short Swedish names of the partner series' indicators (other concepts use the question text)."""

CONCEPT_NAMES: dict[str, str] = {
    "engagement_ladder": "Engagemangstrappan",
    "engagement_ladder_goal": "Målet på engagemangstrappan",
}
"""Names of whole concepts where they differ from the indicator's label (the ladder's indicator
is its two top steps; a paired comparison moves along the whole ladder)."""

GROUP_ORDER = (
    "Inkluderande, attraktiv, innovativ",
    "Har samarbetet utvecklat verksamheten?",
    "Engagemangstrappan",
    "Den regionala utvecklingsstrategin (RUS)",
    "Möjliggörare",
    "Utmaningar",
)
"""Reading order of the groups (the questionnaire's order otherwise)."""

GROUPS: dict[str, str] = {
    "inclusive": "Inkluderande, attraktiv, innovativ",
    "attractive": "Inkluderande, attraktiv, innovativ",
    "innovative": "Inkluderande, attraktiv, innovativ",
    "own_development": "Har samarbetet utvecklat verksamheten?",
    "region_development": "Har samarbetet utvecklat verksamheten?",
    "engagement_ladder": "Engagemangstrappan",
    "rus_parts": "Den regionala utvecklingsstrategin (RUS)",
    "enablers": "Möjliggörare",
    "challenges": "Utmaningar",
}
"""The sub-heading each concept's rows appear under (others: "Övriga frågor")."""

TEXT_CONCEPTS = ("own_development_how", "region_development_how", "anything_else")
"""Free-text concepts whose answers are counted by theme."""


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------
@dataclass
class Indicator:
    """One comparable yes/no indicator of a concept, per respondent of each round.

    ``a`` / ``b`` hold ``True`` (the indicator), ``False`` (a substantive other answer) or
    ``<NA>`` (not answered); ``ns_a`` / ``ns_b`` flag non-substantive answers ("Vet ej"), which
    are ``<NA>`` in ``a`` / ``b``. ``ordinal_a`` / ``ordinal_b`` hold the position on the
    question's ordered scale (0 = lowest substantive option) for questions whose answers are
    ordered, for the paired Bowker test.
    """

    id: str
    concept: str
    label: str
    definition: str
    group: str
    kind: str  # "ordinal" (Likert or ordered single choice) or "option" (a multi-choice option)
    a: pd.Series
    b: pd.Series
    ns_a: pd.Series
    ns_b: pd.Series
    ordinal_a: pd.Series | None = None
    ordinal_b: pd.Series | None = None
    categories: tuple[str, ...] = ()
    wording_changed: bool = False
    old_text: str = ""
    new_text: str = ""

    @property
    def name(self) -> str:
        """The concept's name (for a whole scale), e.g. "Engagemangstrappan"."""
        return CONCEPT_NAMES.get(self.concept, self.label)


def _quote(labels: Sequence[str]) -> str:
    shown = [f"”{x}”" for x in labels]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " eller " + shown[-1]


def _indicator_labels(q: Question) -> list[str]:
    """The labels counted as the indicator: ``indicator`` or the agreeing half of a Likert scale.

    >>> from analysis.data.codebook import load_codebook
    >>> _indicator_labels(load_codebook("partner_2021").question("q4"))
    ['Instämmer delvis', 'Instämmer helt']
    """
    if q.indicator:
        return list(q.indicator)
    if q.type == "likert":
        subst = q.substantive_labels
        return subst[(len(subst) + 1) // 2 :]
    return []


def _respondent_series(ds: Dataset, values) -> pd.Series:
    index = pd.Index(ds.wide["respondent_id"].astype(str), name="respondent_id")
    return pd.Series(list(values), index=index, dtype="object")


def _choice(ds: Dataset, q: Question, chosen: Sequence[str]):
    """(indicator, non-substantive flag, ordinal position) per respondent of one round."""
    raw = ds.wide[q.id] if q.id in ds.wide.columns else pd.Series([None] * ds.n)
    subst = q.substantive_labels
    ind, ns, pos = [], [], []
    for v in raw.astype(object):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            ind.append(pd.NA)
            ns.append(False)
            pos.append(pd.NA)
        elif v in q.non_substantive:
            ind.append(pd.NA)
            ns.append(True)
            pos.append(pd.NA)
        else:
            ind.append(v in chosen)
            ns.append(False)
            pos.append(subst.index(v) if v in subst else pd.NA)
    return (
        _respondent_series(ds, ind).astype("boolean"),
        _respondent_series(ds, ns).astype(bool),
        _respondent_series(ds, pos).astype("Int64"),
    )


def indicators_for(concept: SharedConcept, a: Dataset, b: Dataset) -> list[Indicator]:
    """The indicators of one shared concept (none for text, metadata and unordered questions).

    * ``likert`` and ``single`` with an ``indicator`` — one ordinal indicator;
    * ``multi`` — one indicator per option asked in both rounds ("ticked", of those who ticked
      anything).
    """
    qa, qb = concept.a, concept.b
    label = CONCEPT_LABELS.get(concept.concept, qb.text)
    group = GROUPS.get(concept.concept, "Övriga frågor")
    common = {
        "wording_changed": concept.wording_changed,
        "old_text": qb.wording_changed_from or qa.text,
        "new_text": qb.text,
    }
    if qb.role == "metadata":
        return []
    if qb.type in ("likert", "single") and (qb.type == "likert" or qb.indicator):
        chosen = _indicator_labels(qb)
        missing = [x for x in chosen if x not in qa.labels]
        if missing:
            raise ConfigError(
                f"{concept.concept}: indikatorns alternativ {missing} finns inte i den tidigare "
                "omgångens fråga; svarsalternativen måste vara desamma för att kunna jämföras."
            )
        ia, na, oa = _choice(a, qa, chosen)
        ib, nb, ob = _choice(b, qb, chosen)
        ordered = qa.substantive_labels == qb.substantive_labels
        return [
            Indicator(
                concept.concept, concept.concept, label, "svarade " + _quote(chosen), group,
                "ordinal", ia, ib, na, nb,
                oa if ordered else None, ob if ordered else None,
                tuple(qb.substantive_labels) if ordered else (), **common,
            )
        ]  # fmt: skip
    if qb.type == "multi":
        out = []
        codes_a = {o.code for o in qa.options}
        for o in qb.options:
            if o.code not in codes_a:
                continue
            series = []
            for ds, q in ((a, qa), (b, qb)):
                cols = [f"{q.id}__{x.code}" for x in q.options if f"{q.id}__{x.code}" in ds.wide]
                ticked = ds.wide[cols].fillna(False).astype(bool)
                answered = ticked.any(axis=1).to_numpy()
                col = f"{q.id}__{o.code}"
                vals = ds.wide[col].fillna(False).astype(bool).to_numpy() if col in ds.wide else []
                series.append(
                    _respondent_series(
                        ds,
                        [bool(v) if ans else pd.NA for v, ans in zip(vals, answered, strict=True)],
                    ).astype("boolean")
                )
            none_a = _respondent_series(a, [False] * a.n).astype(bool)
            none_b = _respondent_series(b, [False] * b.n).astype(bool)
            out.append(
                Indicator(
                    f"{concept.concept}__{o.code}", concept.concept, o.label, "kryssade i",
                    group, "option", series[0], series[1], none_a, none_b, **common,
                )
            )  # fmt: skip
        return out
    return []


# --------------------------------------------------------------------------------------------
# Disclosure helpers
# --------------------------------------------------------------------------------------------
def share_shown(k: int, n: int, policy: DisclosurePolicy) -> bool:
    """Whether "k av n" may be published: ``k`` 0 or ≥ min_cell, and ``n`` ≥ min_cell.

    >>> from analysis.disclosure.policy import policy_for
    >>> p = policy_for({"respondent_kind": "organisation", "min_cell": 5}, survey="x")
    >>> share_shown(6, 14, p), share_shown(3, 14, p), share_shown(0, 14, p), share_shown(4, 4, p)
    (True, False, True, False)
    """
    if n <= 0:
        return False
    if not policy.suppresses:
        return True
    return n >= policy.min_cell and (k == 0 or k >= policy.min_cell)


def safe_band(
    n: int,
    shown: Mapping[str, int | None],
    pvalue: Callable[[Mapping[str, int]], float],
    alpha: float = ALPHA,
) -> tuple[float | None, str]:
    """A paired test's result that reveals no hidden count.

    *shown* maps the cells ``same``, ``up``, ``down`` (which add up to *n*) to their published
    value, or ``None`` when hidden. With nothing hidden the exact p-value is returned. Otherwise
    every split of *n* consistent with the published cells is tried: when the test falls on the
    same side of *alpha* for all of them the result is that side ("p < 0,05" / "p ≥ 0,05"),
    which then says nothing about the hidden cells; else nothing is published.

    Returns
    -------
    (float or None, str)
        The exact p-value (or ``None``) and the text to show.

    Examples
    --------
    >>> sign = lambda c: _sign_test(c["up"], c["down"])
    >>> safe_band(8, {"same": 5, "up": None, "down": None}, sign)
    (None, 'p ≥ 0,05')
    >>> safe_band(8, {"same": None, "up": 6, "down": None}, sign)
    (None, '–')
    >>> p, text = safe_band(8, {"same": 2, "up": 6, "down": 0}, sign)
    >>> round(p, 4), text
    (0.0312, 'p = 0,031')
    """
    from analysis.report.format import format_p

    if all(v is not None for v in shown.values()):
        p = float(pvalue({k: int(v) for k, v in shown.items()}))
        return p, format_p(p)
    results = []
    for up in range(n + 1):
        for down in range(n + 1 - up):
            cells = {"same": n - up - down, "up": up, "down": down}
            if all(shown.get(k) is None or shown[k] == v for k, v in cells.items()):
                results.append(float(pvalue(cells)) < alpha)
    if results and all(results):
        return None, "p < 0,05"
    if results and not any(results):
        return None, "p ≥ 0,05"
    return None, SUPPRESSED


def _sign_test(up: int, down: int) -> float:
    """Exact two-sided sign test (McNemar's exact test) on the changes up and down."""
    from analysis import stats

    if up + down == 0:
        return 1.0
    a = pd.Series([False] * up + [True] * down)
    b = pd.Series([True] * up + [False] * down)
    return float(stats.mcnemar_exact(a, b).pvalue)


def _hide_cells(counts: pd.Series, equations: Sequence[Mapping], policy) -> pd.Series:
    """Primary plus complementary suppression of *counts* under published sums *equations*."""
    from analysis.disclosure.linked import linked_mask
    from analysis.disclosure.suppression import series_mask

    if not policy.suppresses:
        return pd.Series(False, index=counts.index)
    total = int(counts.sum())
    primary = series_mask(counts.astype("int64"), policy.min_cell, total=total)
    return linked_mask(counts.astype("int64"), primary, list(equations), policy.min_cell)


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------
def _kn(k: float, n: float) -> str:
    return f"{int(k)} av {int(n)}"


def _pp(diff: float) -> str:
    """A change in percentage points, signed (Swedish minus).

    >>> _pp(0.1234), _pp(-0.05), _pp(float("nan"))
    ('+12', '−5', '–')
    """
    if diff is None or (isinstance(diff, float) and math.isnan(diff)):
        return SUPPRESSED
    value = round(100 * float(diff))
    return ("+" if value > 0 else "") + render.fmt_number(value)


def _p_text(p: float) -> str:
    from analysis.report.format import format_p

    if p is None or (isinstance(p, float) and math.isnan(p)):
        return SUPPRESSED
    return format_p(p).replace("p = ", "").replace("p < ", "< ")


def _count_text(v: float, policy) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return SUPPRESSED
    return render.fmt_number(int(v))


def _words(texts: Sequence[str]) -> int:
    return sum(len(re.findall(r"\S+", t)) for t in texts)


# --------------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------------
@dataclass
class Round:
    """One round of the series: its survey id, year, data and frame size."""

    survey: str
    year: int
    dataset: Dataset
    frame_size: int | None

    @property
    def n(self) -> int:
        return self.dataset.n


@dataclass
class TrendAnalysis:
    """Two rounds compared: the numbers (exact and as published) and the report's sections.

    Attributes
    ----------
    a, b : Round
        The earlier and the later round.
    policy : DisclosurePolicy
        The stricter of the two rounds' policies (with the report's parameters).
    concepts : list of SharedConcept
    pairing : Pairing
    indicators : pandas.DataFrame
        One row per indicator (index = indicator id): exact ``k_a, n_a, p_a, low_a, high_a``,
        the same for ``b``, ``diff`` and ``pvalue`` (Boschloo), ``base`` ("ställningstagande" or
        "alla"). Never publish it: :attr:`published` is what the report shows.
    published : pandas.DataFrame
        :attr:`indicators` with every hidden number as NaN.
    paired : pandas.DataFrame
        One row per indicator: ``pairs, up, same, down`` and the paired tests, as published.
    sections : list of Section
    """

    a: Round
    b: Round
    policy: DisclosurePolicy
    confidence: float
    concepts: list[SharedConcept]
    pairing: Pairing
    indicators: pd.DataFrame
    published: pd.DataFrame
    paired: pd.DataFrame
    items: dict[str, Indicator] = field(default_factory=dict, repr=False)
    sections: list[Section] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """Whether either round is synthetic demo data."""
        return bool(self.a.dataset.synthetic or self.b.dataset.synthetic)

    def section(self, section_id: str) -> Section:
        """The section with id *section_id*."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"okänt avsnitt {section_id!r} (kända: {[s.id for s in self.sections]})")

    def __getitem__(self, section_id: str) -> Section:
        return self.section(section_id)

    def _repr_html_(self) -> str:
        return render.join(*[s._repr_html_() for s in self.sections])


def _load_round(survey: str, processed: str | Path | None) -> Round:
    from analysis import paths
    from analysis.data.dataset import load

    folder = None
    if processed:
        folder = Path(processed)
        if not folder.is_absolute():
            folder = paths.project_root() / folder
    ds = load(survey, processed=folder)
    cb = ds.codebook
    if cb.series is None or cb.round is None:
        raise ConfigError(
            f"{cb.path or survey}: kodboken anger ingen 'series' och 'round'; bara omgångar av "
            "en serie kan jämföras (se README, 'Adding a round')."
        )
    return Round(survey, int(cb.round), ds, cb.frame_size)


def _policy(a: Codebook, b: Codebook, audience: str, min_cell: int | None) -> DisclosurePolicy:
    from analysis.disclosure.policy import policy_for

    param = None if min_cell in (None, 0) else int(min_cell)
    policies = [
        policy_for(cb.disclosure, survey=cb.survey, audience=audience, min_cell=param)
        for cb in (a, b)
    ]
    return max(policies, key=lambda p: (p.min_cell, p.declared_min_cell))


def _proportion(k: int, n: int, population: int | None, confidence: float):
    from analysis import stats

    if n == 0:
        nan = float("nan")
        return nan, nan, nan
    pop = population if population is not None and population >= n else None
    return stats.proportion_ci(k, n, population=pop, confidence=confidence)


def _boschloo(ka: int, na: int, kb: int, nb: int) -> float:
    """Boschloo's exact test (two-sided) for two independent binomial samples."""
    if na == 0 or nb == 0:
        return float("nan")
    if ka + kb in (0, na + nb):
        return 1.0
    from scipy.stats import boschloo_exact

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = boschloo_exact([[ka, kb], [na - ka, nb - kb]], alternative="two-sided")
    return float(min(1.0, res.pvalue))


def _base_counts(ind: Indicator, use_all: bool) -> tuple[pd.Series, pd.Series]:
    """The indicator per respondent on the chosen base: "Vet ej" counts as not-indicator when
    the base is all answers."""
    out = []
    for values, ns in ((ind.a, ind.ns_a), (ind.b, ind.ns_b)):
        v = values.copy()
        if use_all:
            v = v.mask(ns.to_numpy(), False)
        out.append(v)
    return out[0], out[1]


def _indicator_table(
    items: Sequence[Indicator], a: Round, b: Round, policy, confidence: float
) -> tuple[pd.DataFrame, dict[str, tuple[pd.Series, pd.Series]]]:
    rows, used = [], {}
    for ind in items:
        ns = (int(ind.ns_a.sum()), int(ind.ns_b.sum()))
        small_ns = any(0 < x < policy.min_cell for x in ns)
        use_all = policy.suppresses and small_ns
        va, vb = _base_counts(ind, use_all)
        used[ind.id] = (va, vb)
        ka, na = int(va.fillna(False).sum()), int(va.notna().sum())
        kb, nb = int(vb.fillna(False).sum()), int(vb.notna().sum())
        pa, la, ha = _proportion(ka, na, a.frame_size, confidence)
        pb, lb, hb = _proportion(kb, nb, b.frame_size, confidence)
        rows.append(
            {
                "id": ind.id, "concept": ind.concept, "label": ind.label, "group": ind.group,
                "k_a": ka, "n_a": na, "p_a": pa, "low_a": la, "high_a": ha,
                "k_b": kb, "n_b": nb, "p_b": pb, "low_b": lb, "high_b": hb,
                "diff": pb - pa if na and nb else float("nan"),
                "pvalue": _boschloo(ka, na, kb, nb),
                "base": "alla" if use_all else "ställningstagande",
                "ns_a": ns[0], "ns_b": ns[1], "wording_changed": ind.wording_changed,
            }
        )  # fmt: skip
    table = pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()
    return table, used


def _published(table: pd.DataFrame, policy) -> pd.DataFrame:
    """The indicator table with every number the public version may not show as NaN."""
    out = table.copy()
    if out.empty:
        return out
    for side in ("a", "b"):
        ok = [
            share_shown(int(k), int(n), policy)
            for k, n in zip(out[f"k_{side}"], out[f"n_{side}"], strict=True)
        ]
        hide = ~pd.Series(ok, index=out.index)
        for col in (f"k_{side}", f"p_{side}", f"low_{side}", f"high_{side}"):
            out[col] = out[col].astype(float).mask(hide)
        n_hidden = hide & (out[f"n_{side}"] < policy.min_cell) & policy.suppresses
        out[f"n_{side}"] = out[f"n_{side}"].astype(float).mask(n_hidden)
    both = out["p_a"].notna() & out["p_b"].notna()
    out["diff"] = out["diff"].where(both)
    out["pvalue"] = out["pvalue"].where(both)
    for col in ("ns_a", "ns_b"):
        out[col] = float("nan")  # "Vet ej" counts are the overview's business
    return out


def _paired_rows(
    items: Sequence[Indicator], used: Mapping, pairing: Pairing, policy
) -> pd.DataFrame:
    from analysis import stats

    rows = []
    pa_ids, pb_ids = list(pairing.pairs["a"]), list(pairing.pairs["b"])
    for ind in items:
        va, vb = used[ind.id]
        if ind.kind == "ordinal" and ind.ordinal_a is not None:
            xa = ind.ordinal_a.reindex(pa_ids).to_numpy()
            xb = ind.ordinal_b.reindex(pb_ids).to_numpy()
        else:
            xa = va.reindex(pa_ids).astype("Int64").to_numpy()
            xb = vb.reindex(pb_ids).astype("Int64").to_numpy()
        keep = [not (pd.isna(x) or pd.isna(y)) for x, y in zip(xa, xb, strict=True)]
        xa = [int(x) for x, k in zip(xa, keep, strict=True) if k]
        xb = [int(y) for y, k in zip(xb, keep, strict=True) if k]
        n = len(xa)
        up = sum(y > x for x, y in zip(xa, xb, strict=True))
        down = sum(y < x for x, y in zip(xa, xb, strict=True))
        same = n - up - down
        row: dict[str, Any] = {
            "id": ind.id, "label": ind.label, "name": ind.name, "group": ind.group,
            "kind": ind.kind,
            "pairs": n, "up": up, "same": same, "down": down,
            "p_sign": _sign_test(up, down), "p_bowker": float("nan"), "bowker_safe": False,
        }  # fmt: skip
        if ind.kind == "ordinal" and ind.ordinal_a is not None and n:
            k = len(ind.categories)
            table = [[0] * k for _ in range(k)]
            for x, y in zip(xa, xb, strict=True):
                table[x][y] += 1
            res = stats.bowker_exact(table)
            row["p_bowker"] = res.pvalue
            off = [table[i][j] for i in range(k) for j in range(k) if i != j]
            row["bowker_safe"] = all(c == 0 or c >= policy.min_cell for c in off)
        rows.append(row)
    out = pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()
    return out


def _published_paired(paired: pd.DataFrame, policy) -> pd.DataFrame:
    """Paired counts and tests as the report shows them: hidden counts and tests are NaN,
    ``sign_text`` is the sign test as shown (exact, a safe band, or "–")."""
    out = paired.copy()
    if out.empty:
        return out
    counts = ["pairs", "same", "up", "down"]
    out[counts] = out[counts].astype(float)
    texts, signs, bowker = [], [], []
    for idx, r in paired.iterrows():
        n = int(r["pairs"])
        cells = pd.Series({"same": int(r["same"]), "up": int(r["up"]), "down": int(r["down"])})
        if policy.suppresses and n < policy.min_cell:
            out.loc[idx, ["pairs", "same", "up", "down"]] = float("nan")
            texts.append(SUPPRESSED)
            signs.append(float("nan"))
            bowker.append(float("nan"))
            continue
        hidden = _hide_cells(cells, [dict.fromkeys(cells.index, 1)], policy)
        shown = {c: (None if hidden[c] else int(cells[c])) for c in cells.index}
        for c in cells.index:
            if hidden[c]:
                out.loc[idx, c] = float("nan")
        exact, text = safe_band(n, shown, lambda c: _sign_test(c["up"], c["down"]))
        texts.append(text)
        signs.append(float("nan") if exact is None else exact)
        ok = (not policy.suppresses) or (bool(r["bowker_safe"]) and not hidden.any())
        bowker.append(float(r["p_bowker"]) if ok else float("nan"))
    out["sign_text"] = texts
    out["p_sign"] = signs
    out["p_bowker"] = bowker
    return out.drop(columns=["bowker_safe"])


def analyse_trend(
    survey: str = "partner_2025",
    *,
    baseline: str = "partner_2021",
    input: str | Path | None = "",
    baseline_input: str | Path | None = "",
    audience: str = "public",
    min_cell: int | None = 0,
    confidence: float = 0.95,
) -> TrendAnalysis:
    """Compare the rounds *baseline* (earlier) and *survey* (later) of one series.

    Parameters
    ----------
    survey, baseline : str
        Survey ids of the later and the earlier round; both codebooks must declare the same
        ``series`` and ``baseline``'s ``round`` must be the earlier.
    input, baseline_input : str or Path, optional
        Folders with the processed data (empty: ``data/processed/<survey>``).
    audience : {"public", "internal"}
    min_cell : int, optional
        0 or ``None``: the codebooks' policy; may raise, never lower it in public.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    TrendAnalysis

    Raises
    ------
    ConfigError
        Rounds of different series, in the wrong order, or a codebook without series/round.
    """
    from analysis.data.rounds import pair, shared_concepts
    from analysis.disclosure.audience import check_audience

    audience = check_audience(audience)
    if not 0 < float(confidence) < 1:
        raise ConfigError(f"Parametern confidence måste ligga mellan 0 och 1, inte {confidence!r}.")
    a = _load_round(baseline, baseline_input)
    b = _load_round(survey, input)
    ca, cb = a.dataset.codebook, b.dataset.codebook
    if ca.series != cb.series:
        raise ConfigError(
            f"{baseline} hör till serien {ca.series!r} och {survey} till {cb.series!r}; bara "
            "omgångar av samma serie kan jämföras."
        )
    if a.year >= b.year:
        raise ConfigError(
            f"baseline ({baseline}, {a.year}) ska vara en tidigare omgång än survey "
            f"({survey}, {b.year})."
        )
    policy = _policy(ca, cb, audience, min_cell)
    concepts = shared_concepts(ca, cb)
    items = [i for c in concepts for i in indicators_for(c, a.dataset, b.dataset)]
    rank = {g: i for i, g in enumerate(GROUP_ORDER)}
    items = sorted(items, key=lambda i: rank.get(i.group, len(rank)))  # stable within a group
    table, used = _indicator_table(items, a, b, policy, float(confidence))
    pairing = pair(a.dataset, b.dataset)
    paired = _published_paired(_paired_rows(items, used, pairing, policy), policy)
    result = TrendAnalysis(
        a, b, policy, float(confidence), concepts, pairing, table,
        _published(table, policy), paired, {i.id: i for i in items},
    )  # fmt: skip
    from analysis.surveys import trend_sections

    result.sections = trend_sections.sections(result)
    return result
