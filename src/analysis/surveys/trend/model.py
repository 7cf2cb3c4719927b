"""The rounds and the result of the trend analysis (:class:`TrendAnalysis`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analysis.lazystate import LazyFields
from analysis.report import html as render
from analysis.surveys.cache import CACHE_FORMAT

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from analysis.data.codebook import Codebook
    from analysis.data.dataset import Dataset
    from analysis.data.rounds import Pairing, SharedConcept
    from analysis.disclosure.policy import DisclosurePolicy
    from analysis.report.section import Section
    from analysis.surveys.trend.indicators import Indicator

__all__ = ["Round", "TrendAnalysis"]


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
class TrendAnalysis(LazyFields):
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

    # cached (analysis.surveys.cache): the numbers are unpickled only when used, the sections
    # carry their HTML, so the report's kernel needs neither pandas nor the statistics
    _lazy_fields = ("concepts", "pairing", "indicators", "published", "paired", "items")
    cache_format = CACHE_FORMAT

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


def _policy(a: Codebook, b: Codebook, audience: str, min_cell: int | None) -> DisclosurePolicy:
    from analysis.disclosure.policy import policy_for

    param = None if min_cell in (None, 0) else int(min_cell)
    policies = [
        policy_for(cb.disclosure, survey=cb.survey, audience=audience, min_cell=param)
        for cb in (a, b)
    ]
    return max(policies, key=lambda p: (p.min_cell, p.declared_min_cell))
