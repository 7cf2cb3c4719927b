"""Small-sample statistics for the survey reports.

Everything here is written for the realities of the two surveys: 14 answers from a frame of 43
organisations (2021), 15 municipalities (2023). Intervals therefore default to Wilson (good
coverage for small *n*, never outside [0, 1]) and accept a finite-population correction; tests
are exact or Monte Carlo with a fixed seed so that reports are reproducible byte for byte.

Contents
--------
* :func:`proportion_ci`, :func:`share_table` — a proportion with a confidence interval
  (Wilson or Clopper–Pearson), optionally corrected for a finite population.
* :func:`cohens_kappa`, :func:`percent_agreement`, :func:`kappa_interpretation` — agreement
  between two paired categorical answers (Cohen 1960; Landis & Koch 1977 in Swedish).
* :func:`fisher_freeman_halton`, :func:`mcnemar_exact`, :func:`cochran_q`,
  :func:`friedman_test` — exact / conditional tests for small tables and paired answers.
* :func:`evenness`, :func:`evenness_explanation` — how evenly answers spread over categories.

>>> p, low, high = proportion_ci(11, 14)
>>> round(p, 3), round(low, 3), round(high, 3)
(0.786, 0.524, 0.924)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_SEED",
    "EvennessResult",
    "KappaResult",
    "TestResult",
    "cochran_q",
    "cohens_kappa",
    "evenness",
    "evenness_explanation",
    "fisher_freeman_halton",
    "format_ci",
    "format_pct",
    "friedman_test",
    "kappa_interpretation",
    "mcnemar_exact",
    "percent_agreement",
    "proportion_ci",
    "share_table",
]

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


def format_pct(x: float, decimals: int = 0) -> str:
    """A share as a Swedish percentage string.

    >>> format_pct(0.7857)
    '79 %'
    >>> format_pct(0.7857, 1)
    '78,6 %'
    >>> format_pct(float("nan"))
    '–'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{100 * x:.{decimals}f}".replace(".", ",").replace("-", "−")
    return f"{text} %"


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


# --------------------------------------------------------------------------------------------
# Agreement
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KappaResult:
    """Cohen's kappa with its large-sample confidence interval."""

    kappa: float
    low: float
    high: float
    se: float
    agreement: float
    expected_agreement: float
    n: int
    confidence: float


def _paired_table(
    table_or_a: pd.DataFrame | pd.Series | np.ndarray | Sequence,
    b: pd.Series | Sequence | None = None,
) -> np.ndarray:
    """A square cross-table from a table or from two paired answer series."""
    if b is None:
        arr = np.asarray(table_or_a, dtype=float)
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            raise ValueError("the agreement table must be square (same categories both ways)")
        return arr
    a = pd.Series(table_or_a).reset_index(drop=True)
    b = pd.Series(b).reset_index(drop=True)
    if len(a) != len(b):
        raise ValueError("the two answer series must have the same length")
    keep = a.notna() & b.notna()
    a, b = a[keep], b[keep]
    cats: list = []
    for s in (a, b):
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats.extend(c for c in s.cat.categories if c not in cats)
    cats.extend(
        v for v in pd.unique(pd.concat([a.astype(object), b.astype(object)])) if v not in cats
    )
    index = {c: i for i, c in enumerate(cats)}
    out = np.zeros((len(cats), len(cats)))
    for x, y in zip(a.astype(object), b.astype(object), strict=True):
        out[index[x], index[y]] += 1
    return out


def cross_table(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    """Square paired cross-table of two answer series (rows = *a*, columns = *b*).

    Categories are the union of both series' categories (categorical order first); pairs with a
    missing answer are left out.

    >>> cross_table(pd.Series(["Ja", "Ja", "Nej"]), pd.Series(["Ja", "Nej", "Nej"]))
         Ja  Nej
    Ja    1    1
    Nej   0    1
    """
    a = pd.Series(a).reset_index(drop=True)
    b = pd.Series(b).reset_index(drop=True)
    arr = _paired_table(a, b)
    keep = a.notna() & b.notna()
    cats: list = []
    for s in (a[keep], b[keep]):
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats.extend(c for c in s.cat.categories if c not in cats)
    extra = pd.unique(pd.concat([a[keep].astype(object), b[keep].astype(object)]))
    cats.extend(v for v in extra if v not in cats)
    return pd.DataFrame(arr.astype("int64"), index=cats, columns=cats)


def percent_agreement(table_or_a, b=None) -> float:
    """Share of pairs on the diagonal (the same answer both times).

    >>> percent_agreement([[5, 1], [1, 7]])
    0.8571428571428571
    >>> percent_agreement(pd.Series(["Ja", "Nej"]), pd.Series(["Ja", "Ja"]))
    0.5
    """
    t = _paired_table(table_or_a, b)
    total = t.sum()
    return float(np.trace(t) / total) if total else float("nan")


def cohens_kappa(table_or_a, b=None, *, confidence: float = 0.95) -> KappaResult:
    """Cohen's (unweighted) kappa with a large-sample confidence interval.

    Accepts either a square cross-table or two paired answer series. The standard error is the
    large-sample (non-null) formula of Fleiss, Cohen & Everitt (1969), the same as
    ``statsmodels.stats.inter_rater.cohens_kappa``; with *n* around 14 the interval is rough and
    is clipped to [−1, 1].

    Examples
    --------
    >>> r = cohens_kappa([[6, 1], [1, 6]])
    >>> round(r.kappa, 3), round(r.agreement, 3)
    (0.714, 0.857)
    """
    _check_confidence(confidence)
    t = _paired_table(table_or_a, b)
    n = t.sum()
    nan = float("nan")
    if n == 0:
        return KappaResult(nan, nan, nan, nan, nan, nan, 0, confidence)
    probs = t / n
    row = probs.sum(axis=1)
    col = probs.sum(axis=0)
    po = float(np.trace(probs))
    pe = float((row * col).sum())
    if math.isclose(pe, 1.0):
        # Both raters used one and the same category: kappa is undefined.
        return KappaResult(nan, nan, nan, nan, po, pe, int(n), confidence)
    kappa = (po - pe) / (1 - pe)
    diag = np.diag(probs)
    term_a = (diag * (1 - (row + col) * (1 - kappa)) ** 2).sum()
    # Fleiss, Cohen & Everitt (1969): sum over i != j of p_ij (p_.i + p_j.)^2
    off = probs * (col[:, None] + row[None, :]) ** 2
    np.fill_diagonal(off, 0.0)
    term_b = (1 - kappa) ** 2 * off.sum()
    term_c = (kappa - pe * (1 - kappa)) ** 2
    var = max((term_a + term_b - term_c) / (1 - pe) ** 2 / n, 0.0)
    se = math.sqrt(var)
    z = _z(confidence)
    return KappaResult(
        kappa=float(kappa),
        low=float(max(-1.0, kappa - z * se)),
        high=float(min(1.0, kappa + z * se)),
        se=float(se),
        agreement=po,
        expected_agreement=pe,
        n=int(n),
        confidence=confidence,
    )


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


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TestResult:
    """Result of a hypothesis test: statistic, p-value and a Swedish name of the method."""

    statistic: float
    pvalue: float
    method: str
    n: int = 0

    __test__ = False  # keep pytest from collecting this class


def _table_logprob(tables: np.ndarray, row: np.ndarray, col: np.ndarray, n: int) -> np.ndarray:
    """Log probability of table(s) under independence with fixed margins (multivariate
    hypergeometric); *tables* has shape (..., r, c)."""
    from scipy.special import gammaln

    const = gammaln(row + 1).sum() + gammaln(col + 1).sum() - gammaln(n + 1)
    return const - gammaln(tables + 1).sum(axis=(-2, -1))


def fisher_freeman_halton(
    table,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> TestResult:
    """Fisher's exact test (2×2) or the Freeman–Halton extension (r×c) of independence.

    For a 2×2 table the exact two-sided p-value of ``scipy.stats.fisher_exact``. For larger
    tables the Freeman–Halton p-value — the probability, given the margins, of a table at most as
    probable as the observed one — is estimated by conditional Monte Carlo: the column labels of
    the *n* units are permuted ``n_resamples`` times with a fixed seed (so the same data always
    give the same p-value) and ``p = (1 + hits) / (1 + n_resamples)``. Rows and columns that are
    entirely zero are dropped first.

    Returns
    -------
    TestResult
        ``statistic`` is the probability of the observed table (r×c) or the odds ratio (2×2);
        ``pvalue`` is NaN when fewer than two non-empty rows or columns remain.

    Examples
    --------
    >>> round(fisher_freeman_halton([[3, 1], [1, 3]]).pvalue, 4)
    0.4857
    >>> r = fisher_freeman_halton([[5, 0, 0], [0, 5, 0], [0, 0, 5]])
    >>> r.pvalue < 0.001, r.method
    (True, 'Freeman–Haltons test (Monte Carlo, 20000 dragningar)')
    """
    from scipy.stats import fisher_exact

    arr = np.asarray(table, dtype=float)
    if arr.ndim != 2:
        raise ValueError("the table must be two-dimensional")
    if (arr < 0).any() or not np.allclose(arr, np.round(arr)):
        raise ValueError("the table must hold non-negative whole numbers")
    arr = np.round(arr).astype(np.int64)
    arr = arr[arr.sum(axis=1) > 0][:, arr.sum(axis=0) > 0]
    n = int(arr.sum())
    if arr.shape[0] < 2 or arr.shape[1] < 2:
        return TestResult(float("nan"), float("nan"), "ej testbar (bara en kategori)", n)
    if arr.shape == (2, 2):
        res = fisher_exact(arr)
        return TestResult(float(res.statistic), float(res.pvalue), "Fishers exakta test", n)

    row = arr.sum(axis=1)
    col = arr.sum(axis=0)
    observed = float(_table_logprob(arr[None], row, col, n)[0])
    rows_lab = np.repeat(np.arange(arr.shape[0]), row)
    cols_lab = np.concatenate([np.repeat(np.arange(arr.shape[1]), arr[i]) for i in range(len(row))])
    rng = np.random.default_rng(seed)
    hits = 0
    r, c = arr.shape
    chunk = max(1, 2_000_000 // max(n, 1))
    done = 0
    while done < n_resamples:
        b = min(chunk, n_resamples - done)
        perm = rng.permuted(np.broadcast_to(cols_lab, (b, n)), axis=1)
        flat = rows_lab[None, :] * c + perm + (np.arange(b) * r * c)[:, None]
        sims = np.bincount(flat.ravel(), minlength=b * r * c).reshape(b, r, c)
        logp = _table_logprob(sims, row, col, n)
        hits += int((logp <= observed + 1e-7).sum())
        done += b
    pvalue = (1 + hits) / (1 + n_resamples)
    method = f"Freeman–Haltons test (Monte Carlo, {n_resamples} dragningar)"
    return TestResult(math.exp(observed), float(pvalue), method, n)


def mcnemar_exact(a: pd.Series, b: pd.Series) -> TestResult:
    """Exact McNemar test (binomial on the discordant pairs) for two paired yes/no answers.

    Pairs where either answer is missing are dropped.

    >>> a = pd.Series([True] * 6 + [False] * 2)
    >>> b = pd.Series([True] * 2 + [False] * 6)
    >>> round(mcnemar_exact(a, b).pvalue, 4)
    0.125
    """
    from statsmodels.stats.contingency_tables import mcnemar

    a = pd.Series(a).reset_index(drop=True)
    b = pd.Series(b).reset_index(drop=True)
    keep = a.notna() & b.notna()
    a = a[keep].astype(bool)
    b = b[keep].astype(bool)
    table = np.array(
        [[(a & b).sum(), (a & ~b).sum()], [(~a & b).sum(), (~a & ~b).sum()]], dtype=float
    )
    if table[0, 1] + table[1, 0] == 0:
        return TestResult(0.0, 1.0, "McNemars exakta test", int(keep.sum()))
    res = mcnemar(table, exact=True)
    return TestResult(
        float(res.statistic), float(res.pvalue), "McNemars exakta test", int(keep.sum())
    )


def cochran_q(binary: pd.DataFrame) -> TestResult:
    """Cochran's Q: do k paired yes/no answers have the same share of "yes"?

    One row per respondent, one column per item; rows with a missing value are dropped.
    Asymptotic chi-square with k − 1 degrees of freedom (``statsmodels``); with n ≈ 14 treat the
    p-value as approximate (or use :func:`friedman_test`, which has a Monte Carlo p-value).

    >>> df = pd.DataFrame({"a": [1, 1, 1, 1, 0, 1], "b": [0, 0, 1, 0, 0, 0], "c": [1, 1, 1, 0, 0, 1]})
    >>> round(cochran_q(df).statistic, 3)
    6.5
    """
    from statsmodels.stats.contingency_tables import cochrans_q

    data = pd.DataFrame(binary).dropna()
    n = len(data)
    if n == 0 or data.shape[1] < 2:
        return TestResult(float("nan"), float("nan"), "ej testbar", n)
    values = data.astype(float).to_numpy()
    if (values.sum(axis=1) % values.shape[1] == 0).all():
        # Every respondent answered all items alike: no evidence of a difference.
        return TestResult(0.0, 1.0, "Cochrans Q", n)
    res = cochrans_q(values)
    return TestResult(float(res.statistic), float(res.pvalue), "Cochrans Q", n)


def friedman_test(
    data: pd.DataFrame,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> TestResult:
    """Friedman test for k paired ordinal answers, with a Monte Carlo permutation p-value.

    One row per respondent, one column per item (ordered categoricals or numbers); rows with a
    missing value are dropped. The statistic is the tie-corrected Friedman chi-square (the same
    as ``scipy.stats.friedmanchisquare``, which however needs k >= 3); the p-value comes from permuting each respondent's answers across the items
    ``n_resamples`` times (fixed seed), which is valid for small *n* where the chi-square
    approximation is not. Under within-row permutation the sum of squared rank sums is a
    monotone function of the statistic, so it is used for the comparison.

    >>> df = pd.DataFrame({"a": [4, 4, 3, 4, 3, 4, 4, 3], "b": [2, 3, 2, 2, 3, 2, 1, 2],
    ...                    "c": [3, 3, 3, 4, 3, 3, 3, 3]})
    >>> r = friedman_test(df)
    >>> round(r.statistic, 2), r.pvalue < 0.01
    (12.25, True)
    """
    from scipy.stats import rankdata

    frame = pd.DataFrame(data).copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].cat.codes.where(frame[col].notna())
    frame = frame.dropna().astype(float)
    n, k = frame.shape
    method = f"Friedmans test (permutations-p, {n_resamples} dragningar)"
    if n < 2 or k < 2:
        return TestResult(float("nan"), float("nan"), "ej testbar", n)
    ranks = rankdata(frame.to_numpy(), axis=1)
    if np.allclose(ranks, ranks[:, :1]):
        return TestResult(0.0, 1.0, method, n)
    stat = _friedman_statistic(ranks)
    observed = float((ranks.sum(axis=0) ** 2).sum())
    rng = np.random.default_rng(seed)
    hits = 0
    chunk = max(1, 1_000_000 // (n * k))
    done = 0
    while done < n_resamples:
        b = min(chunk, n_resamples - done)
        perm = rng.permuted(np.broadcast_to(ranks, (b, n, k)), axis=2)
        s = (perm.sum(axis=1) ** 2).sum(axis=1)
        hits += int((s >= observed - 1e-9).sum())
        done += b
    return TestResult(stat, (1 + hits) / (1 + n_resamples), method, n)


def _friedman_statistic(ranks: np.ndarray) -> float:
    """Tie-corrected Friedman chi-square from within-row (mid)ranks; equals
    ``scipy.stats.friedmanchisquare`` for k >= 3 and also works for k == 2."""
    n, k = ranks.shape
    rank_sums = ranks.sum(axis=0)
    q = 12.0 / (n * k * (k + 1)) * (rank_sums**2).sum() - 3.0 * n * (k + 1)
    ties = 0.0
    for row in ranks:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts**3 - counts).sum())
    correction = 1.0 - ties / (n * k * (k * k - 1))
    return float(q / correction) if correction > 0 else 0.0


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


def evenness_explanation(result: EvennessResult) -> str:
    """Plain-Swedish explanation of an :class:`EvennessResult` for a report.

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
