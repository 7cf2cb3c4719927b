"""The 2021 partner survey report ("Region Västerbotten som samarbetspartner").

:func:`sections` builds the report for a :class:`~analysis.surveys.analysis.SurveyAnalysis`
(registered in :data:`analysis.surveys.analysis.SURVEY_SECTIONS`), in reading order:

1. ``det-viktigaste`` — five to seven key messages in plain counts, caveats, the 2021 report's
   own recommendations (:mod:`.summary`);
2. ``innehallsforteckning`` — links to every section;
3. the body, in the order of the 2021 report — who answered, the three statements, own vs
   region development, the regional development strategy, enablers and challenges, the
   engagement ladder, free text, sectors (:mod:`.closed`, :mod:`.multichoice`,
   :mod:`.freetext`);
4. ``bilaga-metod`` — intervals with and without the finite-population correction, tests,
   kappa, disclosure control (:mod:`.appendix`).

Modules, one concern each: :mod:`.data` (numbers only), :mod:`.disclosure` (the one disclosure
decision per question, shared with the overview), :mod:`.phrases` (Swedish wording),
:mod:`.quotes` (choosing quotes), :mod:`.figures`, :mod:`.context` (what builders share).

>>> import tempfile
>>> from analysis.data.ingest import ingest
>>> from analysis.surveys.analysis import analyse
>>> out = tempfile.mkdtemp()
>>> _ = ingest("partner_2021", out_dir=out)
>>> a = analyse("partner_2021", input=out, cache=False)
>>> [s.id for s in a.sections][:2]
['det-viktigaste', 'innehallsforteckning']
>>> a.section("rus").tables["andelar"]["antal"].dtype.name
'float64'
"""

from __future__ import annotations

from analysis.disclosure.audience import AUDIENCES, check_audience
from analysis.surveys.partner.title import SURVEY, require_survey, title_html

_DATA = {
    "DIMENSIONS",
    "LIKERT_POSITIVE",
    "Inputs",
    "frame_profile",
    "frame_size",
    "headline",
    "inputs_from_dataset",
    "labels",
    "load_inputs",
    "multi_counts",
    "positive_count",
    "questions_from_codebook",
    "response_rate",
    "sector_tests",
}


def __getattr__(name: str):
    """The numbers and the disclosure decision, imported on first use (they need pandas): a
    notebook that loads its analysis from the cache only needs :func:`require_survey` and
    :func:`title_html`."""
    if name in _DATA:
        from analysis.surveys.partner import data

        return getattr(data, name)
    if name == "public_share_table":
        from analysis.surveys.partner.disclosure import public_share_table

        return public_share_table
    if name == "decide":
        from analysis.surveys.partner.shared import decide

        return decide
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AUDIENCES",
    "DIMENSIONS",
    "LIKERT_POSITIVE",
    "SURVEY",
    "Inputs",
    "check_audience",
    "decide",
    "frame_profile",
    "frame_size",
    "headline",
    "inputs_from_dataset",
    "labels",
    "load_inputs",
    "multi_counts",
    "positive_count",
    "public_share_table",
    "questions_from_codebook",
    "require_survey",
    "response_rate",
    "sections",
    "sector_tests",
    "title_html",
]


def sections(analysis) -> list:
    """The partner report's sections for *analysis*, in reading order.

    Every number goes through the survey's one disclosure decision (:func:`decide`, cached in
    ``analysis.extras["disclosure"]``), which reads the overview's sections so that both
    reports hide the same cells.
    """
    from analysis.surveys.partner import appendix, closed, freetext, multichoice, summary
    from analysis.surveys.partner.context import Context

    require_survey(analysis.survey)
    ctx = Context.of(analysis)
    body = [
        closed.respondents(ctx),
        closed.assessments(ctx),
        closed.development(ctx),
        multichoice.strategy(ctx),
        multichoice.factors(ctx),
        closed.ladder(ctx),
        freetext.free_text(ctx),
        freetext.sectors(ctx),
    ]
    method = appendix.appendix(ctx)
    first = summary.important(ctx, body)
    contents = summary.table_of_contents([first, *body, method])
    return [first, contents, *body, method]
