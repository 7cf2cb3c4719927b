"""The trend report's estimates and exact tests: intervals, Boschloo and the sign test."""

from __future__ import annotations

import warnings


def _proportion(k: int, n: int, population: int | None, confidence: float):
    from analysis import stats

    if n == 0:
        nan = float("nan")
        return nan, nan, nan
    pop = population if population is not None and population >= n else None
    return stats.proportion_ci(k, n, population=pop, confidence=confidence)


def _boschloo(ka: int, na: int, kb: int, nb: int) -> float:
    """Boschloo's exact test (two-sided) for two independent binomial samples."""
    if na == 0 or nb == 0:
        return float("nan")
    if ka + kb in (0, na + nb):
        return 1.0
    from scipy.stats import boschloo_exact

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = boschloo_exact([[ka, kb], [na - ka, nb - kb]], alternative="two-sided")
    return float(min(1.0, res.pvalue))


def _sign_test(up: int, down: int) -> float:
    """Exact two-sided sign test (McNemar's exact test) on the changes up and down."""
    from analysis.stats.tests import sign_test

    return sign_test(up, down)
