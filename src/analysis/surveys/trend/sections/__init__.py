"""The sections of the trend report (``partner_trend``), built from a
:class:`~analysis.surveys.trend.model.TrendAnalysis`.

Every number shown comes from the analysis' *published* tables (hidden cells are NaN there and
"–" or "färre än N" here); nothing is recomputed from the raw answers in this package except the
engagement ladder's distribution and the free-text theme counts, which get the same suppression.

Modules, one per part of the report: :mod:`.front` (title, "Det viktigaste", the two rounds),
:mod:`.comparison` (shared concepts and paired organisations), :mod:`.ladder`, :mod:`.new` (new
indicators), :mod:`.closing` (free text, method); :mod:`.wording` holds the shared wording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.report.section import Section, contents
from analysis.surveys.trend.sections.closing import free_text_section, method_section
from analysis.surveys.trend.sections.comparison import concepts_section, paired_section
from analysis.surveys.trend.sections.front import (
    SUMMARY_MAX_WORDS,
    rounds_section,
    summary_points,
    summary_section,
    title_section,
)
from analysis.surveys.trend.sections.ladder import ladder_section
from analysis.surveys.trend.sections.new import new_section

if TYPE_CHECKING:  # pragma: no cover
    from analysis.surveys.trend.model import TrendAnalysis

__all__ = ["SUMMARY_MAX_WORDS", "sections", "summary_points"]


def sections(t: TrendAnalysis) -> list[Section]:
    """The report in reading order: title, "Det viktigaste", contents, then the sections."""
    body = [
        rounds_section(t),
        concepts_section(t),
        paired_section(t),
        ladder_section(t),
        new_section(t),
        free_text_section(t),
        method_section(t),
    ]
    toc = contents(body, extra=[("om-rapporten", "Om rapporten")])
    return [title_section(t), summary_section(t), toc, *body]
