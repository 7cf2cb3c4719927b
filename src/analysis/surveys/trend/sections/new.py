"""Questions asked for the first time in the later round: the baseline for the next round."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.report.section import Section
from analysis.surveys.trend.disclosure import share_shown
from analysis.surveys.trend.indicators import _indicator_labels
from analysis.surveys.trend.inference import _proportion
from analysis.surveys.trend.labels import CONCEPT_LABELS
from analysis.surveys.trend.sections.wording import _ci_label, _kn, _share_ci

if TYPE_CHECKING:  # pragma: no cover
    from analysis.surveys.trend.model import TrendAnalysis


def _new_rows(t: TrendAnalysis) -> list[tuple]:
    """(label, k, n, share, low, high) for each new question of the later round with an
    indicator; hidden numbers as NaN."""
    cb = t.b.dataset.codebook
    wide = t.b.dataset.wide
    out = []
    for q in cb.questions:
        if not q.new or q.type not in ("likert", "single") or q.id not in wide:
            continue
        if q.type == "single" and not q.indicator:
            continue
        chosen = _indicator_labels(q)
        values = wide[q.id].astype(object)
        ns = int(values.isin(q.non_substantive).sum())
        use_all = t.policy.suppresses and 0 < ns < t.policy.min_cell
        base = values.notna() if use_all else values.isin(q.substantive_labels)
        n = int(base.sum())
        k = int(values[base].isin(chosen).sum())
        p, lo, hi = _proportion(k, n, t.b.frame_size, t.confidence)
        label = CONCEPT_LABELS.get(q.concept or "", q.text)
        if share_shown(k, n, t.policy):
            out.append((label, k, n, p, lo, hi, use_all))
        else:
            nan = float("nan")
            n_shown = n if (n >= t.policy.min_cell or not t.policy.suppresses) else nan
            out.append((label, nan, n_shown, nan, nan, nan, use_all))
    return out


def new_section(t: TrendAnalysis) -> Section:
    """Questions asked for the first time in the later round: the baseline for the next one."""
    pol = t.policy
    s = Section(
        "nya-matt",
        f"Nya mått {t.b.year}",
        intro=f"Frågor som ställdes första gången {t.b.year}, som rapporten 2021 efterfrågade: "
        "mätbara mått på samarbetet (gemensamma projekt, skriftliga överenskommelser, "
        "kontakternas täthet, tydliga mandat och synen på risk). De kan inte jämföras bakåt men "
        "är utgångsläget för nästa uppföljning.",
    )
    rows = _new_rows(t)
    if not rows:
        s.notice(f"Inga nya frågor med en indikator {t.b.year}.")
        return s
    conf = _ci_label(t.confidence)
    shown = pd.DataFrame(
        {
            "Antal": [_kn(k, n, pol) for _, k, n, *_ in rows],
            f"Andel ({conf})": [_share_ci(p, lo, hi) for _, _, _, p, lo, hi, _ in rows],
        },
        index=pd.Index([r[0] + (" †" if r[6] else "") for r in rows], name="Mått"),
    )
    data = pd.DataFrame(
        [r[1:6] for r in rows],
        columns=["antal", "n", "andel", "ki_lag", "ki_hog"],
        index=shown.index,
    ).astype(float)
    s.table("nya_matt", shown, f"Nya mått {t.b.year}", data=data)
    if any(r[6] for r in rows):
        s.notice(
            "† Andelen räknas på alla svar, inklusive ”Vet ej” (för få ”Vet ej” för att redovisas)."
        )
    s.paragraph(
        f"Fördelningen över alla svarsalternativ finns i översikten för {t.b.survey} "
        f"(rapporten overview_{t.b.survey})."
    )
    return s
