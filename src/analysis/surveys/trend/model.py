"""The rounds and the result of the trend analysis (:class:`TrendAnalysis`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.errors import ConfigError
from analysis.report import html as render
from analysis.report.section import Section
from analysis.surveys.trend.indicators import Indicator

if TYPE_CHECKING:  # pragma: no cover
    from analysis.data.codebook import Codebook
    from analysis.data.dataset import Dataset
    from analysis.data.rounds import Pairing, SharedConcept
    from analysis.disclosure.policy import DisclosurePolicy

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
