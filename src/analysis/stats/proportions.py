"""Proportions with confidence intervals for small samples from finite frames.

>>> p, low, high = proportion_ci(11, 14)
>>> round(p, 3), round(low, 3), round(high, 3)
(0.786, 0.524, 0.924)
"""

from __future__ import annotations

import math

import pandas as pd

DEFAULT_SEED = 20210601
"""Seed for every Monte Carlo p-value, so that a report rebuilt on the same data is identical."""

DEFAULT_RESAMPLES = 20_000
"""Monte Carlo resamples; the standard error of a p-value near 0.05 is then about 0.0015."""

_METHODS = ("wilson", "clopper-pearson")


# --------------------------------------------------------------------------------------------
# Proportions
# --------------------------------------------------------------------------------------------
def _z(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - (1 - confidence) / 2))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")


def _wilson(k: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval for *k* successes out of an (effective, possibly non-integer) *n*."""
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _clopper_pearson(k: int, n: int, confidence: float) -> tuple[float, float]:
    from scipy.stats import beta

    alpha = 1 - confidence
    low = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def _hypergeometric_exact(
    k: int, n: int, population: int, confidence: float
) -> tuple[float, float]:
    """Exact interval for a finite population (Clopper–Pearson logic on the hypergeometric).

    The unknown is the number ``K`` of units with the attribute among ``population``; the
    interval holds every ``K`` not rejected by either one-sided exact test at level
    ``alpha / 2`` (Konijn 1973; Wright 1991). Returned as shares ``K / population``.
    """
    from scipy.stats import hypergeom

    alpha = 1 - confidence
    lo_k, hi_k = k, population - (n - k)  # K must allow k successes and n - k failures

    def upper_tail(big_k: int) -> float:  # P(X >= k | K), increasing in K
        return float(hypergeom.sf(k - 1, population, big_k, n))

    def lower_tail(big_k: int) -> float:  # P(X <= k | K), decreasing in K
        return float(hypergeom.cdf(k, population, big_k, n))

    # smallest K with upper_tail(K) > alpha / 2 (bisection; upper_tail(hi_k) == 1)
    a, b = lo_k, hi_k
    while a < b:
        mid = (a + b) // 2
        if upper_tail(mid) > alpha / 2:
            b = mid
        else:
            a = mid + 1
    low = a
    # largest K with lower_tail(K) > alpha / 2 (lower_tail(lo_k) == 1)
    a, b = lo_k, hi_k
    while a < b:
        mid = (a + b + 1) // 2
        if lower_tail(mid) > alpha / 2:
            a = mid
        else:
            b = mid - 1
    return low / population, a / population


def proportion_ci(
    k: int,
    n: int,
    *,
    confidence: float = 0.95,
    method: str = "wilson",
    population: int | None = None,
) -> tuple[float, float, float]:
    """Share ``k / n`` with a two-sided confidence interval.

    Parameters
    ----------
    k, n : int
        Number with the attribute and number answering (``0 <= k <= n``).
    confidence : float
        Confidence level, e.g. 0.95.
    method : {"wilson", "clopper-pearson"}
        ``"wilson"`` — the Wilson score interval (Wilson 1927), recommended for small samples by
        Brown, Cai & DasGupta (2001, *Statistical Science* 16:101–133): close to nominal
        coverage, never outside [0, 1]. ``"clopper-pearson"`` — the exact (conservative) interval
        from the beta distribution (Clopper & Pearson 1934).
    population : int, optional
        Size ``N`` of the finite frame the *n* answers were drawn from (43 organisations in
        2021, 15 municipalities in 2023). When given, the interval is corrected for sampling
        without replacement:

        * Wilson: the score interval is computed with the effective sample size
          ``n_eff = n / fpc²``, ``fpc² = (N − n) / (N − 1)`` — the design-effect approach of
          Kish (1965) and Korn & Graubard (1998, *Survey Methodology* 24:193–201), which shrinks
          the interval exactly as the finite-population correction shrinks the variance.
        * Clopper–Pearson: the exact hypergeometric interval for the number of units with the
          attribute in the frame (Konijn 1973; Wright 1991, *Amer. Statistician* 45:36–38).

        With ``n == N`` (a census) both give a zero-width interval at ``p``.

    Returns
    -------
    tuple of float
        ``(p, low, high)``; ``(nan, nan, nan)`` when ``n == 0``.

    Notes
    -----
    The correction assumes that the answers are a random sample of the frame. Non-response is
    rarely random, so the corrected interval describes sampling uncertainty only, not bias.

    Examples
    --------
    >>> [round(x, 4) for x in proportion_ci(11, 14)]
    [0.7857, 0.5241, 0.9243]
    >>> [round(x, 4) for x in proportion_ci(11, 14, population=43)]
    [0.7857, 0.5702, 0.9102]
    >>> proportion_ci(3, 15, population=15)
    (0.2, 0.2, 0.2)
    >>> proportion_ci(0, 0)
    (nan, nan, nan)
    """
    _check_confidence(confidence)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    k, n = int(k), int(n)
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        nan = float("nan")
        return nan, nan, nan
    p = k / n
    if population is not None:
        population = int(population)
        if population < n:
            raise ValueError(f"population ({population}) is smaller than n ({n})")
        if population == n:
            return p, p, p
        if population == 1:  # n == 0 handled above, so n == 1 == N: census
            return p, p, p
    if method == "wilson":
        n_eff = float(n)
        if population is not None:
            fpc2 = (population - n) / (population - 1)
            n_eff = n / fpc2
        low, high = _wilson(p * n_eff, n_eff, _z(confidence))
    elif population is not None:
        low, high = _hypergeometric_exact(k, n, population, confidence)
    else:
        low, high = _clopper_pearson(k, n, confidence)
    # Guard against floating-point crumbs (e.g. 0.9999999999 when k == n).
    low, high = min(low, p), max(high, p)
    return p, float(low), float(high)


def share_table(
    counts: pd.Series,
    n: int,
    *,
    population: int | None = None,
    confidence: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """Counts → a table of shares with confidence intervals, one row per category.

    Parameters
    ----------
    counts : pandas.Series
        Number of respondents per category (index = categories; the order is kept). For a
        multiple-choice question the counts may add up to more than *n*.
    n : int
        Number of respondents the shares are taken of.
    population, confidence, method
        As in :func:`proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        Columns ``antal`` (int), ``andel``, ``ki_lag``, ``ki_hog`` (floats in [0, 1]).

    Examples
    --------
    >>> t = share_table(pd.Series({"Ja": 11, "Nej": 3}), 14)
    >>> t.round(3)
         antal  andel  ki_lag  ki_hog
    Ja      11  0.786   0.524   0.924
    Nej      3  0.214   0.076   0.476
    """
    counts = pd.Series(counts).copy()
    rows = [
        proportion_ci(int(c), n, confidence=confidence, method=method, population=population)
        for c in counts.to_numpy()
    ]
    out = pd.DataFrame(rows, index=counts.index, columns=["andel", "ki_lag", "ki_hog"])
    out.insert(0, "antal", counts.astype("int64").to_numpy())
    return out


def worst_case_bounds(k: int, n: int, frame: int) -> tuple[float, float]:
    """Bounds on a share in the whole frame when nothing is assumed about non-respondents.

    *k* of *n* respondents gave the answer; *frame* − *n* did not respond. If none of them
    would have given it, the share is k / frame; if all would have, (k + frame − n) / frame
    (Manski's worst-case bounds). Unlike a confidence interval these need no assumption that
    non-response is random.

    >>> [round(x, 3) for x in worst_case_bounds(11, 14, 43)]
    [0.256, 0.93]
    """
    if not 0 <= k <= n <= frame or frame <= 0:
        raise ValueError(f"need 0 ≤ k ≤ n ≤ frame, got k={k}, n={n}, frame={frame}")
    return k / frame, (k + frame - n) / frame


def fpc_interval(
    k: int, n: int, population: int | None, *, confidence: float = 0.95
) -> dict[str, tuple[float, float]]:
    """The Wilson interval with and without the finite-population correction.

    >>> r = fpc_interval(11, 14, 43)
    >>> [round(x, 2) for x in r["utan_korrektion"]], [round(x, 2) for x in r["med_korrektion"]]
    ([0.52, 0.92], [0.57, 0.91])
    """
    _, lo, hi = proportion_ci(k, n, confidence=confidence)
    out = {"utan_korrektion": (lo, hi)}
    if population:
        _, lo2, hi2 = proportion_ci(k, n, confidence=confidence, population=population)
        out["med_korrektion"] = (lo2, hi2)
    return out
