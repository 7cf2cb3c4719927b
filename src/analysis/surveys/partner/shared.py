"""The survey's one disclosure decision, read from the overview: :func:`decide`.

The overview (:mod:`analysis.surveys.overview`) decides, per question, which counts a public
reader sees. :func:`decide` reads that decision from the overview's own sections — the hidden
cells are the ``NaN`` cells of its tables — together with every number the overview publishes
about the question (the number of answers, the base of its shares, the groups of a drawn chart,
the sectors that sum organisation types) and the sample frame's group sizes. The result is
computed once per :class:`~analysis.surveys.analysis.SurveyAnalysis` and cached in
``analysis.extras["disclosure"]``, so the partner report hides exactly what the overview hides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.surveys.partner.disclosure import Cells, Disclosure, Equation

__all__ = ["decide"]


def _table(analysis, section_id: str, names: Sequence[str]) -> pd.DataFrame | None:
    for s in analysis.overview:
        if s.id == section_id:
            for name in names:
                if name in s.tables and "antal" in s.tables[name].columns:
                    return s.tables[name]
    return None


def _section(analysis, section_id: str):
    return next((s for s in analysis.overview if s.id == section_id), None)


def _hidden_from(table: pd.DataFrame | None, index: Sequence[str]) -> pd.Series:
    if table is None:
        return pd.Series(True, index=list(index))
    values = table["antal"].reindex(list(index))
    return values.isna()


def _base_equation(ds, q, cells: Cells, policy) -> Equation | None:
    """The base of the overview's shares when a share of it is shown."""
    from analysis.surveys import overview

    table, _ = overview.single_shares(
        ds, q, audience=policy.audience, min_cell=max(policy.min_cell, 1)
    )
    if table.attrs.get("base") != "ställningstagande" or cells.hidden.all():
        return None
    shown_base = [x for x in cells.substantive if not cells.hidden[x]]
    if not shown_base:
        return None
    return dict.fromkeys(cells.substantive, 1.0), float(cells.value(cells.substantive))


def _likert_chart_equations(analysis, qid: str, cells: Cells) -> list[Equation]:
    """When the overview draws a scale collapsed to three steps, its groups are published."""
    sec = _section(analysis, f"fraga-{qid}")
    if sec is None or not sec.figures or not cells.hidden.any():
        return []
    order = list(cells.substantive)
    k = len(order)
    low, mid, high = order[: k // 2], order[k // 2 : (k + 1) // 2], order[(k + 1) // 2 :]
    return [(dict.fromkeys(g, 1.0), float(cells.value(g))) for g in (low, mid, high) if g]


def _org_cells(analysis, q, counts: pd.Series, policy) -> Cells:
    """Organisation types (q1) with the sectors as derived sums and the frame as upper bounds."""
    from analysis.data.reference import load_sample_frame, sector_for_org_type

    frame = load_sample_frame()
    upper = {str(k): int(v) for k, v in frame["org_type"].value_counts().items()}
    upper = {label: upper.get(label, 0) for label in counts.index}
    hidden = _hidden_from(_table(analysis, "bakgrund", ["q1_andelar"]), counts.index)
    sectors: dict[str, dict[str, float]] = {}
    for label in counts.index:
        sectors.setdefault(sector_for_org_type(label), {})[label] = 1.0
    sector_table = _table(analysis, "bakgrund", ["sektor"])
    derived_hidden, equations = {}, []
    for name, members in sectors.items():
        value = None if sector_table is None else sector_table["antal"].get(name, np.nan)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            derived_hidden[name] = sum(int(counts[m]) for m in members) > 0
        else:
            equations.append((members, float(value)))
    if policy.audience == "internal":
        hidden[:] = False
        derived_hidden = dict.fromkeys(derived_hidden, False)
    cells = Cells(
        "q1",
        "single",
        counts,
        hidden,
        total=int(counts.sum()),
        upper=upper,
        derived=sectors,
        derived_hidden=derived_hidden,
    )
    cells.equations.extend(equations)
    return cells


def decide(analysis) -> Disclosure:
    """The :class:`Disclosure` of *analysis* — computed once, cached in ``analysis.extras``.

    Reads the overview's sections (builds them first when *analysis* has none) so that the
    partner report hides exactly what the overview hides.
    """
    cached = analysis.extras.get("disclosure")
    policy = analysis.policy
    if isinstance(cached, Disclosure) and (cached.audience, cached.min_cell) == (
        policy.audience,
        policy.min_cell,
    ):
        return cached
    from analysis.surveys.overview.page import sections as overview_sections
    from analysis.surveys.partner import data

    if not analysis.overview:
        analysis.overview = overview_sections(analysis)
    ds = analysis.dataset
    questions = data.questions_from_codebook(ds.codebook)
    internal = policy.audience == "internal"
    out: dict[str, Cells] = {}
    for q in ds.codebook.questions:
        qd = questions[q.id]
        if q.type == "multi":
            counts, n = data.multi_counts(ds.wide, qd)
            table = _table(analysis, f"fraga-{q.id}", ["andelar"])
            hidden = (
                pd.Series(False, index=counts.index)
                if internal
                else _hidden_from(table, counts.index)
            )
            out[q.id] = Cells(
                q.id,
                "multi",
                counts,
                hidden,
                total=n,
                total_shown=internal or (n == 0 or n >= policy.min_cell),
            )
        elif q.type in ("single", "likert"):
            counts = data.category_counts(ds.wide, qd)
            names = ["fordelning"] if q.type == "likert" else ["andelar"]
            table = _table(analysis, f"fraga-{q.id}", names)
            n = int(counts.sum())
            hidden = (
                pd.Series(False, index=counts.index)
                if internal
                else _hidden_from(table, counts.index)
            )
            subst = tuple(data.labels(qd, substantive=True))
            cells = Cells(
                q.id,
                "single",
                counts,
                hidden,
                total=n,
                substantive=subst,
                total_shown=internal or n == 0 or n >= policy.min_cell,
                upper={},
            )
            if not internal:
                base = _base_equation(ds, q, cells, policy)
                if base is not None:
                    cells.equations.append(base)
                if q.type == "likert":
                    cells.equations.extend(_likert_chart_equations(analysis, q.id, cells))
            out[q.id] = cells
        elif q.type == "org_type":
            out[q.id] = _org_cells(analysis, q, data.category_counts(ds.wide, qd), policy)
    result = Disclosure(policy.audience, policy.min_cell, out)
    analysis.extras["disclosure"] = result
    return result
