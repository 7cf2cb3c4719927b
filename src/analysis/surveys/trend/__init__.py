"""The trend report (``partner_trend``): two rounds of a survey series compared concept by concept.

:func:`analyse_trend` loads two rounds of a series (by default the partner survey 2021 and its
2025 follow-up), lines their questions up by ``concept`` (:mod:`analysis.data.rounds`) and
returns a :class:`TrendAnalysis` whose :attr:`~TrendAnalysis.sections` are the report, in
reading order, as :class:`~analysis.report.section.Section` objects (data + presentation):

1. the title, then **"Det viktigaste"** — 5–7 plain-Swedish messages given as counts;
2. a table of contents;
3. the two rounds: who was asked, who answered, who answered both times, which questions were
   reworded;
4. every shared concept: each round's share "k av n" with a confidence interval (Wilson,
   finite-population corrected with the round's frame), the change in percentage points and
   Boschloo's exact test for two independent samples on the 2 × 2 table indicator/not by round;
5. the organisations that answered both rounds: how many moved up, stayed, moved down, with
   exact paired tests (Bowker for ordered answers, McNemar for multiple-choice options, and the
   exact sign test on the direction of change);
6. the engagement ladder per round and the step organisations want to reach;
7. the new indicators (baseline for the next round);
8. free-text themes per round (the partner report's keyword themes);
9. method and caveats.


Modules, one concern each: :mod:`.labels` (the concepts' Swedish names and groups),
:mod:`.indicators` (yes/no indicators per respondent), :mod:`.inference` (intervals and exact
tests), :mod:`.disclosure` (what may be shown), :mod:`.tables` (the comparison tables, exact and
as published), :mod:`.formatting` (numbers as written), :mod:`.model` (:class:`TrendAnalysis`),
:mod:`.analyse` (:func:`analyse_trend`) and :mod:`.sections` (the report's sections, one module
per part).

Disclosure: the rounds' codebooks declare the policy (organisations, ``min_cell`` 5); the
stricter of the two applies. In the public version a count 1–4 is never shown, and no number is
shown that would reveal one: a share "k av n" needs ``k`` 0 or ≥ ``min_cell`` and ``n`` ≥
``min_cell``; its base excludes "Vet ej" only when the number of "Vet ej" answers could not be
worked out from it (otherwise the share is of all answers, as in the overview report); a change
or test is shown only when both shares are; counts that add up to a shown total get
complementary suppression (:func:`analysis.disclosure.linked.linked_mask`); a paired test is
shown exactly only when every count it depends on is shown, and otherwise only as "p < 0,05" /
"p ≥ 0,05" when that statement holds for *every* table consistent with the shown numbers (so it
reveals nothing more), else not at all.

>>> import tempfile
>>> from analysis.data.ingest import ingest
>>> a_dir, b_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
>>> _ = ingest("partner_2021", out_dir=a_dir); _ = ingest("partner_2025", out_dir=b_dir)
>>> t = analyse_trend("partner_2025", baseline="partner_2021", input=b_dir, baseline_input=a_dir)
>>> [s.id for s in t.sections][:3]
['titel', 'det-viktigaste', 'innehallsforteckning']
>>> t.pairing.pairs.shape[0], t.policy.min_cell
(8, 5)
>>> row = t.indicators.loc["inclusive"]   # few "Vet ej" in 2021: the share is of all answers
>>> int(row["k_a"]), int(row["n_a"]), row["base"]
(11, 14, 'alla')
"""

from __future__ import annotations

from analysis.surveys.trend.analyse import analyse_trend
from analysis.surveys.trend.model import TrendAnalysis


def __getattr__(name: str):
    """The statistics, imported on first use (they need pandas and scipy): a notebook that loads
    its trend analysis from the cache only needs :func:`analyse_trend`."""
    if name in ("safe_band", "share_shown"):
        from analysis.surveys.trend import disclosure as module
    elif name in ("Indicator", "indicators_for"):
        from analysis.surveys.trend import indicators as module
    elif name == "_sign_test":
        from analysis.surveys.trend import inference as module
    elif name == "CONCEPT_LABELS":
        from analysis.surveys.trend import labels as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)


__all__ = [
    "CONCEPT_LABELS",
    "Indicator",
    "TrendAnalysis",
    "analyse_trend",
    "indicators_for",
    "safe_band",
    "share_shown",
]
