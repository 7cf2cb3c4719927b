"""Swedish wording of numbers and statistical results — the one formatter for reports.

Numbers follow Swedish conventions: decimal comma, a space before the per-cent sign, a real
minus sign. :mod:`analysis.report.html` re-uses these for table cells.

>>> format_pct(0.7857), format_ci(0.524, 0.924), format_p(0.0312)
('79 %', '95 % KI 52–92 %', 'p = 0,031')
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

from analysis.disclosure.marker import SUPPRESSED  # the one marker (no pandas import)

if TYPE_CHECKING:  # pragma: no cover
    from analysis.stats.evenness import EvennessResult

NBSP = "\u00a0"
MINUS = "\u2212"


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(isinstance(x, numbers.Real) and math.isnan(float(x)))
    except (TypeError, ValueError):  # pragma: no cover - exotic numeric types
        return False


# --------------------------------------------------------------------------------------------
# Swedish number formatting
# --------------------------------------------------------------------------------------------
def fmt_number(x: object, decimals: int = 0) -> str:
    """A number in Swedish notation.

    >>> fmt_number(1234567)
    '1\\xa0234\\xa0567'
    >>> fmt_number(3.14159, 2)
    '3,14'
    >>> fmt_number(-2.5, 1)
    '−2,5'
    >>> fmt_number(float("nan"))
    '–'
    """
    if _is_missing(x):
        return SUPPRESSED
    if isinstance(x, str):
        return x
    text = f"{float(x):,.{decimals}f}" if decimals else f"{round(float(x)):,d}"
    text = text.replace(",", NBSP).replace(".", ",")
    return text.replace("-", MINUS)


def percent(x: object, decimals: int = 0) -> str:
    """A share (0–1) as a Swedish percentage.

    >>> percent(0.5)
    '50 %'
    >>> percent(0.12345, 1)
    '12,3 %'
    >>> percent(None)
    '–'
    >>> percent("–")
    '–'
    """
    if _is_missing(x):
        return SUPPRESSED
    if isinstance(x, str):
        return x
    return f"{fmt_number(100 * float(x), decimals)} %"


def fmt_ci(low: object, high: object, decimals: int = 0) -> str:
    """A confidence interval of shares, e.g. ``52–92 %``.

    >>> fmt_ci(0.05, 0.25)
    '5–25 %'
    >>> fmt_ci(float("nan"), 0.3)
    '–'
    """
    if _is_missing(low) or _is_missing(high) or isinstance(low, str) or isinstance(high, str):
        return SUPPRESSED
    return f"{fmt_number(100 * float(low), decimals)}–{fmt_number(100 * float(high), decimals)} %"


__all__ = [
    "SUPPRESSED",
    "fmt_ci",
    "fmt_number",
    "percent",
    "evenness_explanation",
    "format_ci",
    "format_p",
    "format_pct",
    "kappa_interpretation",
]


def format_pct(x: float, decimals: int = 0) -> str:
    """A share as a Swedish percentage string.

    >>> format_pct(0.7857)
    '79 %'
    >>> format_pct(0.7857, 1)
    '78,6 %'
    >>> format_pct(float("nan"))
    '–'
    """
    return percent(x, decimals)


def format_ci(low: float, high: float, confidence: float = 0.95, decimals: int = 0) -> str:
    """An interval as Swedish text, e.g. ``95 % KI 52–92 %``.

    >>> format_ci(0.524, 0.924)
    '95 % KI 52–92 %'
    """
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return "KI kan inte beräknas"
    conf = f"{100 * confidence:g}".replace(".", ",")
    lo = f"{100 * low:.{decimals}f}".replace(".", ",")
    hi = f"{100 * high:.{decimals}f}".replace(".", ",")
    return f"{conf} % KI {lo}–{hi} %"


_LANDIS_KOCH = (
    (0.0, "sämre än slumpen"),
    (0.20, "obetydlig"),
    (0.40, "viss"),
    (0.60, "måttlig"),
    (0.80, "betydande"),
    (1.0, "nästan fullständig"),
)


def kappa_interpretation(kappa: float) -> str:
    """Landis & Koch's (1977) verbal scale for kappa, in Swedish.

    < 0 "sämre än slumpen", 0–0,20 "obetydlig", 0,21–0,40 "viss", 0,41–0,60 "måttlig",
    0,61–0,80 "betydande", 0,81–1 "nästan fullständig" (överensstämmelse).

    >>> kappa_interpretation(0.714)
    'betydande'
    >>> kappa_interpretation(0.85)
    'nästan fullständig'
    >>> kappa_interpretation(-0.1)
    'sämre än slumpen'
    """
    if kappa is None or math.isnan(kappa):
        return "kan inte beräknas"
    if kappa < 0:
        return _LANDIS_KOCH[0][1]
    for upper, label in _LANDIS_KOCH[1:]:
        if round(kappa, 2) <= upper:
            return label
    return _LANDIS_KOCH[-1][1]


def evenness_explanation(result: EvennessResult) -> str:
    """Plain-Swedish explanation of an :class:`EvennessResult` for a report.

    >>> from analysis.stats import evenness
    >>> print(evenness_explanation(evenness([6, 5, 5, 4, 4, 3])))  # doctest: +NORMALIZE_WHITESPACE
    Jämnhetsmåttet (Pielous J) är 0,99 på en skala från 0 (allt i en kategori) till 1
    (exakt lika många i varje kategori), alltså en mycket jämn spridning. Ett test mot helt
    jämn fördelning ger p = 0,97: skillnaderna mellan kategorierna är inte större än vad
    slumpen ofta ger med så här få svar.
    """
    if math.isnan(result.pielou_j):
        return "Spridningen kan inte beräknas eftersom det saknas svar."
    j = result.pielou_j
    if j >= 0.9:
        level = "en mycket jämn spridning"
    elif j >= 0.75:
        level = "en ganska jämn spridning"
    elif j >= 0.5:
        level = "en ojämn spridning"
    else:
        level = "en mycket ojämn spridning"
    jt = f"{j:.2f}".replace(".", ",")
    pt = _format_p(result.pvalue)
    if result.pvalue >= 0.05:
        verdict = (
            "skillnaderna mellan kategorierna är inte större än vad slumpen ofta ger med så här "
            "få svar."
        )
    else:
        verdict = (
            "så stora skillnader mellan kategorierna uppstår sällan av slumpen om alla vore lika "
            "vanliga."
        )
    return (
        f"Jämnhetsmåttet (Pielous J) är {jt} på en skala från 0 (allt i en kategori) till 1 "
        f"(exakt lika många i varje kategori), alltså {level}. Ett test mot helt jämn fördelning "
        f"ger {pt}: {verdict}"
    )


def _format_p(p: float) -> str:
    """p-value as Swedish text.

    >>> _format_p(0.0004), _format_p(0.0312), _format_p(0.94)
    ('p < 0,001', 'p = 0,031', 'p = 0,94')
    """
    if p is None or math.isnan(p):
        return "p kan inte beräknas"
    if p < 0.001:
        return "p < 0,001"
    text = f"{p:.3f}" if p < 0.1 else f"{p:.2f}"
    return "p = " + text.replace(".", ",")


format_p = _format_p
