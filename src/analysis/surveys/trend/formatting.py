"""Numbers as the trend report writes them: counts, percentage points and p-values."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from analysis.report import html as render

SUPPRESSED = render.SUPPRESSED


def _kn(k: float, n: float) -> str:
    return f"{int(k)} av {int(n)}"


def _pp(diff: float) -> str:
    """A change in percentage points, signed (Swedish minus).

    >>> _pp(0.1234), _pp(-0.05), _pp(float("nan"))
    ('+12', '−5', '–')
    """
    if diff is None or (isinstance(diff, float) and math.isnan(diff)):
        return SUPPRESSED
    value = round(100 * float(diff))
    return ("+" if value > 0 else "") + render.fmt_number(value)


def _p_text(p: float) -> str:
    from analysis.report.format import format_p

    if p is None or (isinstance(p, float) and math.isnan(p)):
        return SUPPRESSED
    return format_p(p).replace("p = ", "").replace("p < ", "< ")


def _count_text(v: float, policy) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return SUPPRESSED
    return render.fmt_number(int(v))


def _words(texts: Sequence[str]) -> int:
    return sum(len(re.findall(r"\S+", t)) for t in texts)
