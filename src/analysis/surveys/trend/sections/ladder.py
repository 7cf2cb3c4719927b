"""The engagement ladder: the distribution per round and the step organisations aim for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from analysis.report.section import Section
from analysis.surveys.trend.disclosure import _hide_cells, share_shown
from analysis.surveys.trend.sections.wording import _count, _kn

if TYPE_CHECKING:  # pragma: no cover
    from analysis.surveys.trend.model import TrendAnalysis

LADDER_GROUPS = {
    "Steg 1–2: information och kunskap, förståelse": (0, 1),
    "Steg 3: övertygelse": (2,),
    "Steg 4–5: ansvarstagande och delaktighet, ägarskap": (3, 4),
}


def _ladder_counts(t: TrendAnalysis, concept: str, side: str) -> pd.Series | None:
    ind = t.items.get(concept)
    if ind is None or not ind.categories:
        return None
    positions = ind.ordinal_a if side == "a" else ind.ordinal_b
    counts = positions.dropna().astype(int).value_counts()
    return counts.reindex(range(len(ind.categories)), fill_value=0).astype("int64")


def _distribution_table(t: TrendAnalysis, counts: dict[str, pd.Series], labels, top: Sequence[int]):
    """Counts per step and round with complementary suppression; coarse when mostly hidden."""
    pol = t.policy

    def masks(frame: pd.DataFrame, top_rows: Sequence) -> pd.DataFrame:
        out = {}
        for col in frame.columns:
            c = frame[col]
            eqs = [dict.fromkeys(c.index, 1), dict.fromkeys([c.index[i] for i in top_rows], 1)]
            out[col] = _hide_cells(c, eqs, pol)
        return pd.DataFrame(out)

    fine = pd.DataFrame(counts)
    fine.index = list(labels)
    hidden = masks(fine, top)
    nonzero = int((fine > 0).to_numpy().sum())
    coarse = False
    if pol.suppresses and nonzero and int((hidden & (fine > 0)).to_numpy().sum()) * 2 > nonzero:
        coarse = True
        fine = pd.DataFrame(
            {
                col: [int(fine[col].iloc[list(rows)].sum()) for rows in LADDER_GROUPS.values()]
                for col in fine.columns
            },
            index=list(LADDER_GROUPS),
        )
        hidden = masks(fine, [len(LADDER_GROUPS) - 1])
    data = fine.astype(float).mask(hidden)
    shown = data.apply(lambda col: col.map(_count))
    data.index.name = shown.index.name = "Steg"
    return shown, data, coarse


def ladder_section(t: TrendAnalysis) -> Section:
    """The engagement ladder: distribution per round and the step organisations aim for."""
    pol = t.policy
    s = Section(
        "trappan",
        "Engagemangstrappan",
        intro="Engagemangstrappan beskriver fem steg, från information och kunskap till "
        "ägarskap. Rapporten 2021 föreslog att den ska vara utgångspunkten för uppföljningen: "
        "ju högre upp på trappan, desto effektivare samarbete.",
    )
    ind = t.items.get("engagement_ladder")
    ca = _ladder_counts(t, "engagement_ladder", "a")
    cb = _ladder_counts(t, "engagement_ladder", "b")
    if ind is None or ca is None or cb is None:
        s.notice("Engagemangstrappan finns inte i båda omgångarna.")
        return s
    shown, data, coarse = _distribution_table(
        t, {f"Antal {t.a.year}": ca, f"Antal {t.b.year}": cb}, ind.categories, (3, 4)
    )
    s.table(
        "fordelning",
        shown,
        f"Organisationer per steg på trappan, {t.a.year} och {t.b.year}",
        data=data,
    )
    if coarse:
        s.paragraph(
            "Stegen är sammanslagna i tre grupper, eftersom de flesta steg annars skulle ha för "
            f"få svar för att visas (under {pol.min_cell})."
        )
    goal = _goal(t)
    if goal is not None:
        k, n, shown_ok = goal
        s.subheading(f"Vart vill organisationerna nå? (ny fråga {t.b.year})")
        text = _kn(
            k if shown_ok else float("nan"),
            n if n >= pol.min_cell or not pol.suppresses else float("nan"),
            pol,
        )
        s.paragraph(
            f"{text} organisationer vill att samarbetet om tre år ska stå på ett högre steg än i "
            f"dag. Frågan ställdes första gången {t.b.year} och är ett utgångsläge för nästa "
            "uppföljning."
        )
        s.tables["mal"] = pd.DataFrame(
            {"antal": [float(k) if shown_ok else float("nan")], "n": [float(n)]},
            index=pd.Index(["Vill nå ett högre steg"]),
        )
    return s


def _goal(t: TrendAnalysis):
    """(k wanting a higher step, n answering both ladder questions, publishable) or ``None``."""
    cb = t.b.dataset.codebook
    now = [q for q in cb.questions if q.concept == "engagement_ladder"]
    goal = [q for q in cb.questions if q.concept == "engagement_ladder_goal"]
    if not now or not goal:
        return None
    wide = t.b.dataset.wide
    if now[0].id not in wide or goal[0].id not in wide:
        return None
    order = now[0].substantive_labels
    pos_now = wide[now[0].id].astype(object).map(lambda v: order.index(v) if v in order else None)
    pos_goal = wide[goal[0].id].astype(object).map(lambda v: order.index(v) if v in order else None)
    both = pos_now.notna() & pos_goal.notna()
    n = int(both.sum())
    k = int((pos_goal[both].astype(int) > pos_now[both].astype(int)).sum())
    return k, n, share_shown(k, n, t.policy)
