"""Two rounds of a series compared: :func:`analyse_trend`."""

from __future__ import annotations

from pathlib import Path

from analysis.errors import ConfigError
from analysis.surveys.trend.indicators import indicators_for
from analysis.surveys.trend.labels import GROUP_ORDER
from analysis.surveys.trend.model import TrendAnalysis, _load_round, _policy
from analysis.surveys.trend.sections import sections
from analysis.surveys.trend.tables import (
    _indicator_table,
    _paired_rows,
    _published,
    _published_paired,
)

__all__ = ["analyse_trend"]


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
    result.sections = sections(result)
    return result
