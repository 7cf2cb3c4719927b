"""The 2023 municipality survey (seed 002): all 15 municipalities, 14 free-text questions.

:func:`sections` is the survey's entry in :data:`analysis.surveys.analysis.SURVEY_SECTIONS`: it
turns a :class:`~analysis.surveys.analysis.SurveyAnalysis` into the report's
:class:`~analysis.report.section.Section` objects, in reading order:

======================  ====================================================================
``det-viktigaste``      key messages, the most critical voice, caveats, the source's conclusion
``innehallsforteckning`` table of contents
``5-1`` … ``5-8``        the source report's sections 5.1–5.8, counted in municipalities
``kommungrupper``       K1/K2/K3 (seed 004) in one table
``teman-tillsammans``   the theme pairs named together most often
``bilaga-metod``        appendix 1: method and reservations
``bilaga-svar``         appendix 2: answers and their length per question
``bilaga-kodning``      appendix 3: coding quality
======================  ====================================================================

Modules (one concern each): :mod:`~.data` (reshaping), :mod:`~.model` (coding →
:class:`~.model.Analysis`), :mod:`~.counts` (counting, disclosure control), :mod:`~.actors`
(Q6–Q10), :mod:`~.context` (policy and quotes for the builders), :mod:`~.wording` (Swedish),
:mod:`~.figures`, :mod:`~.results` (5.1–5.4, 5.6–5.8), :mod:`~.collaboration` (5.5, groups,
pairs), :mod:`~.summary` ("Det viktigaste"), :mod:`~.appendix`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.surveys.municipality.model import Analysis, analyse

if TYPE_CHECKING:  # pragma: no cover
    from analysis.report.section import Section
    from analysis.surveys.analysis import SurveyAnalysis

__all__ = ["Analysis", "SECTION_IDS", "analyse", "sections"]

SECTION_IDS: tuple[str, ...] = (
    "det-viktigaste",
    "innehallsforteckning",
    "5-1",
    "5-2",
    "5-3",
    "5-4",
    "5-5",
    "5-6",
    "5-7",
    "5-8",
    "kommungrupper",
    "teman-tillsammans",
    "bilaga-metod",
    "bilaga-svar",
    "bilaga-kodning",
)
"""The report's sections, in reading order (the notebook has one cell per id)."""


def sections(analysis: SurveyAnalysis) -> list[Section]:
    """The municipality report's sections for a :class:`~analysis.surveys.analysis.SurveyAnalysis`.

    The coded survey is kept in ``analysis.extras["coding"]``.
    """
    from analysis.report.section import contents
    from analysis.surveys.municipality import appendix, collaboration, results, summary
    from analysis.surveys.municipality.context import Context
    from analysis.text.coding import default_verified_path
    from analysis.text.themes import load_themes

    ds = analysis.dataset
    themes = load_themes(analysis.params.get("themes") or None)
    coded = analyse(ds.wide, themes, verified_path=default_verified_path(ds.survey))
    analysis.extras["coding"] = coded
    ctx = Context(coded, analysis.policy, dataset=ds, themes=themes)
    body = [
        results.opportunities_challenges(ctx),
        results.crisis(ctx),
        results.infrastructure(ctx),
        results.industrialisation(ctx),
        collaboration.actors(ctx),
        results.region_collaboration(ctx),
        results.priorities(ctx),
        results.other_needs(ctx),
        collaboration.groups(ctx),
        collaboration.pairs(ctx),
    ]
    tail = [appendix.method(ctx), appendix.coverage(ctx), appendix.quality(ctx)]
    first = summary.summary(ctx, {s.id: s for s in body})
    toc = contents([first, *body, *tail], extra=[("om-rapporten", "Om rapporten")])
    return [first, toc, *body, *tail]
