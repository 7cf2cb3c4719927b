"""What the public trend report may show: shares, paired tests and complementary suppression."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from analysis.report import html as render

if TYPE_CHECKING:  # pragma: no cover
    from analysis.disclosure.policy import DisclosurePolicy

__all__ = ["safe_band", "share_shown"]

SUPPRESSED = render.SUPPRESSED
ALPHA = 0.05


def share_shown(k: int, n: int, policy: DisclosurePolicy) -> bool:
    """Whether "k av n" may be published: ``k`` 0 or ≥ min_cell, and ``n`` ≥ min_cell.

    >>> from analysis.disclosure.policy import policy_for
    >>> p = policy_for({"respondent_kind": "organisation", "min_cell": 5}, survey="x")
    >>> share_shown(6, 14, p), share_shown(3, 14, p), share_shown(0, 14, p), share_shown(4, 4, p)
    (True, False, True, False)
    """
    if n <= 0:
        return False
    if not policy.suppresses:
        return True
    return n >= policy.min_cell and (k == 0 or k >= policy.min_cell)


def safe_band(
    n: int,
    shown: Mapping[str, int | None],
    pvalue: Callable[[Mapping[str, int]], float],
    alpha: float = ALPHA,
) -> tuple[float | None, str]:
    """A paired test's result that reveals no hidden count.

    *shown* maps the cells ``same``, ``up``, ``down`` (which add up to *n*) to their published
    value, or ``None`` when hidden. With nothing hidden the exact p-value is returned. Otherwise
    every split of *n* consistent with the published cells is tried: when the test falls on the
    same side of *alpha* for all of them the result is that side ("p < 0,05" / "p ≥ 0,05"),
    which then says nothing about the hidden cells; else nothing is published.

    Returns
    -------
    (float or None, str)
        The exact p-value (or ``None``) and the text to show.

    Examples
    --------
    >>> from analysis.surveys.trend.inference import _sign_test
    >>> sign = lambda c: _sign_test(c["up"], c["down"])
    >>> safe_band(8, {"same": 5, "up": None, "down": None}, sign)
    (None, 'p ≥ 0,05')
    >>> safe_band(8, {"same": None, "up": 6, "down": None}, sign)
    (None, '–')
    >>> p, text = safe_band(8, {"same": 2, "up": 6, "down": 0}, sign)
    >>> round(p, 4), text
    (0.0312, 'p = 0,031')
    """
    from analysis.report.format import format_p

    if all(v is not None for v in shown.values()):
        p = float(pvalue({k: int(v) for k, v in shown.items()}))
        return p, format_p(p)
    results = []
    for up in range(n + 1):
        for down in range(n + 1 - up):
            cells = {"same": n - up - down, "up": up, "down": down}
            if all(shown.get(k) is None or shown[k] == v for k, v in cells.items()):
                results.append(float(pvalue(cells)) < alpha)
    if results and all(results):
        return None, "p < 0,05"
    if results and not any(results):
        return None, "p ≥ 0,05"
    return None, SUPPRESSED


def _hide_cells(counts: pd.Series, equations: Sequence[Mapping], policy) -> pd.Series:
    """Primary plus complementary suppression of *counts* under published sums *equations*."""
    from analysis.disclosure.linked import linked_mask
    from analysis.disclosure.suppression import series_mask

    if not policy.suppresses:
        return pd.Series(False, index=counts.index)
    total = int(counts.sum())
    primary = series_mask(counts.astype("int64"), policy.min_cell, total=total)
    return linked_mask(counts.astype("int64"), primary, list(equations), policy.min_cell)
