"""How evenly answers spread over categories (Shannon / Pielou, test against uniform)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.stats.proportions import DEFAULT_RESAMPLES, DEFAULT_SEED


# --------------------------------------------------------------------------------------------
# Evenness
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EvennessResult:
    """How evenly counts spread over k categories."""

    k: int
    total: int
    chi2: float
    df: int
    pvalue: float
    pvalue_method: str
    shannon_h: float
    pielou_j: float


def evenness(
    counts,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> EvennessResult:
    """Chi-square goodness of fit against a uniform spread, and Pielou's evenness J.

    * The chi-square statistic compares the counts with an equal number per category
      (``scipy.stats.chisquare``). When any expected count is below 5 the asymptotic p-value is
      unreliable and an exact-in-distribution Monte Carlo p-value is used instead: counts are
      drawn from the uniform multinomial ``n_resamples`` times with a fixed seed.
    * Pielou's J = H / ln k, where H = −Σ pᵢ ln pᵢ is Shannon's entropy: 1 means perfectly even,
      values near 0 mean that nearly everything falls in one category. Categories with zero
      count are included in k.

    For a multiple-choice question the counts are *mentions*; one respondent can contribute
    several, so the test treats mentions as independent, which they are not quite.

    >>> r = evenness([5, 5, 5, 5])
    >>> r.pielou_j, r.chi2
    (1.0, 0.0)
    >>> r = evenness([20, 0, 0, 0])
    >>> r.pielou_j, r.pvalue < 0.001
    (0.0, True)
    """
    from scipy.stats import chisquare

    arr = np.asarray(pd.Series(counts).to_numpy(), dtype=float)
    if (arr < 0).any():
        raise ValueError("counts must be non-negative")
    k = int(arr.size)
    total = int(round(arr.sum()))
    nan = float("nan")
    if k < 2 or total == 0:
        return EvennessResult(k, total, nan, max(k - 1, 0), nan, "ej beräkningsbar", nan, nan)
    shares = arr / total
    nz = shares[shares > 0]
    h = float(-(nz * np.log(nz)).sum())
    j = h / math.log(k)
    j = float(min(max(j, 0.0), 1.0)) + 0.0
    h = abs(h)
    expected = total / k
    res = chisquare(arr)
    chi2 = float(res.statistic)
    if expected >= 5:
        pvalue, how = float(res.pvalue), "χ²-fördelningen"
    else:
        rng = np.random.default_rng(seed)
        sims = rng.multinomial(total, np.full(k, 1 / k), size=n_resamples)
        sim_chi2 = ((sims - expected) ** 2 / expected).sum(axis=1)
        hits = int((sim_chi2 >= chi2 - 1e-9).sum())
        pvalue = (1 + hits) / (1 + n_resamples)
        how = f"Monte Carlo ({n_resamples} dragningar)"
    return EvennessResult(k, total, chi2, k - 1, float(pvalue), how, h, j)
