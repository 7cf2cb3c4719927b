"""The generic survey overview (``notebooks/survey_overview.ipynb``): every question by its type.

The notebook only calls :func:`title_html`, :func:`respondents_html`, :func:`metadata_html`,
:func:`questions_html` and :func:`method_html`; each returns an HTML fragment built with
:mod:`analysis.report.html` (everything escaped).

* ``single`` / ``org_type`` — counts and shares of the substantive answers with Wilson intervals,
  finite-population corrected when the codebook has a sample frame (``frame.size``);
  non-substantive answers ("Vet ej") are counted but not part of the shares.
* ``multi`` — per option: how many of those who answered the question ticked it.
* ``likert`` — a diverging stacked bar centred on the neutral category plus the table.
* ``text`` — the number of answers; for ``audience="internal"`` also the answers as quotes.
* ``municipality`` — the distribution of municipalities and municipality groups.

With ``audience="public"`` the project's disclosure rule applies (the same as in the partner
report): a count ``k`` is hidden when ``0 < k < min_cell``; a share "k of n" is published when
``k >= min_cell``, whatever ``n - k`` is (the number who did *not* tick an option is no cell of
any table). Where counts add up to a published sum — a single-choice table and its number of
answers, the steps of a Likert scale and the agree / disagree groups shown in the chart, the
municipalities of a municipality group, the organisation types of a sector — complementary
suppression hides further counts until no hidden small count can be solved from the published
numbers (:mod:`analysis.disclosure.suppression`, :func:`linked_mask`). Shares and intervals of suppressed
rows are hidden as well, questions answered by fewer than ``min_cell`` are not broken down, and
free-text answers are never shown.

>>> import pandas as pd
>>> from types import SimpleNamespace as NS
>>> from analysis.surveys.overview import single_table
>>> q = NS(id="q2", number=2, text="Samarbetar ni?", type="single", role="question",
...        options=[NS(code="ja", label="Ja"), NS(code="nej", label="Nej")], non_substantive=[])
>>> cb = NS(title="Testenkät", questions=[q], frame=None)
>>> wide = pd.DataFrame({"q2": pd.Categorical(["Ja"] * 8 + ["Nej"] * 2, categories=["Ja", "Nej"])})
>>> ds = NS(wide=wide, codebook=cb, manifest={})
>>> single_table(ds, q, audience="internal")[["Antal", "Andel"]].to_dict("list")
{'Antal': ['8', '2'], 'Andel': ['80 %', '20 %']}
>>> single_table(ds, q, audience="public", min_cell=5)[["Antal", "Andel"]].to_dict("list")
{'Antal': ['–', '–'], 'Andel': ['–', '–']}
"""

from analysis.disclosure.audience import AUDIENCES, check_audience
from analysis.surveys.overview.title import title_html

_COUNTS = {
    "likert_counts",
    "multi_shares",
    "multi_table",
    "single_shares",
    "single_table",
    "text_answers",
}
_QUESTION = {"largest_phrase", "question_html", "question_section"}
_SECTIONS = {
    "metadata_html",
    "metadata_section",
    "method_html",
    "method_section",
    "question_sections",
    "questions_html",
    "respondents_html",
    "respondents_section",
    "sections",
}


def __getattr__(name: str):
    """The counting and section building, imported on first use (they need pandas): a notebook
    that loads its analysis from the cache only needs :func:`title_html`."""
    if name in _COUNTS:
        from analysis.surveys.overview import counts as module
    elif name in _QUESTION:
        from analysis.surveys.overview import question as module
    elif name in _SECTIONS:
        from analysis.surveys.overview import page as module
    elif name == "frame_size":
        from analysis.surveys.overview import access as module
    elif name == "linked_mask":
        from analysis.disclosure import linked as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)


__all__ = [
    "AUDIENCES",
    "check_audience",
    "frame_size",
    "likert_counts",
    "linked_mask",
    "method_html",
    "method_section",
    "metadata_html",
    "metadata_section",
    "question_section",
    "question_sections",
    "respondents_section",
    "sections",
    "largest_phrase",
    "multi_shares",
    "multi_table",
    "single_shares",
    "question_html",
    "questions_html",
    "respondents_html",
    "single_table",
    "text_answers",
    "title_html",
]
