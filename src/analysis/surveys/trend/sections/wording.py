"""Swedish wording shared by the trend report's sections: counts as published, shares with
their intervals, number words and lists.

>>> _and(["en", "två", "tre"])
'en, två och tre'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from analysis.report import html as render
from analysis.surveys.trend.formatting import _p_text
from analysis.surveys.trend.labels import CONCEPT_LABELS, CONCEPT_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from analysis.surveys.trend.model import TrendAnalysis

SUPPRESSED = render.SUPPRESSED


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _few(policy) -> str:
    return f"färre än {policy.min_cell}"


def _kn(k, n, policy) -> str:
    """ "k av n" as published ("färre än 5 av 14" when k is hidden, "–" when n is)."""
    if _nan(n):
        return SUPPRESSED
    if _nan(k):
        return f"{_few(policy)} av {int(n)}"
    return f"{int(k)} av {int(n)}"


def _share_ci(p, lo, hi) -> str:
    if _nan(p):
        return SUPPRESSED
    return f"{render.percent(p)} ({render.fmt_ci(lo, hi)})"


def _ci_label(confidence: float) -> str:
    return f"{100 * confidence:g}".replace(".", ",") + " % konfidensintervall"


def _count(v) -> str:
    return SUPPRESSED if _nan(v) else render.fmt_number(int(v))


_NUMBER_WORDS = ("Inga", "En", "Två", "Tre", "Fyra", "Fem", "Sex", "Sju", "Åtta", "Nio", "Tio")


def _number_word(n: int) -> str:
    """A count that starts a sentence, in words up to ten.

    >>> _number_word(2), _number_word(14)
    ('Två', '14')
    """
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _and(items: Sequence[str]) -> str:
    """ "a, b och c".

    >>> _and(["4 högre", "4 på samma steg", "ingen lägre"])
    '4 högre, 4 på samma steg och ingen lägre'
    """
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def _concept_name(t: TrendAnalysis, concept: str) -> str:
    if concept in CONCEPT_NAMES:
        return CONCEPT_NAMES[concept]
    if concept in CONCEPT_LABELS:
        return CONCEPT_LABELS[concept]
    q = [c.b for c in t.concepts if c.concept == concept]
    return q[0].text if q else concept


def _p(p) -> str:
    return _p_text(p)


def _slug(text: str) -> str:
    from analysis.report.section import slug

    return slug(text).replace("-", "_")


def _band_text(text: str) -> str:
    return str(text).replace("p = ", "").replace("p < 0,001", "< 0,001")
