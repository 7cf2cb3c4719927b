"""Exact and conditional tests for small tables and paired answers (seeded, reproducible)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.stats.proportions import DEFAULT_RESAMPLES, DEFAULT_SEED


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


def sign_test(up: int, down: int) -> float:
    """Exact two-sided sign test on *up* and *down* changes: McNemar's exact test on the
    discordant pairs, ``min(1, 2 · P(X ≤ min(up, down)))`` for ``X ~ Bin(up + down, 1/2)``
    (the formula of ``statsmodels``' ``mcnemar(exact=True)``); 1 without changes.

    >>> sign_test(4, 0), sign_test(1, 1), sign_test(0, 0)
    (0.125, 1.0, 1.0)
    """
    from scipy.stats import binom

    up, down = int(up), int(down)
    if up < 0 or down < 0:
        raise ValueError(f"sign_test: negative counts ({up}, {down})")
    if up + down == 0:
        return 1.0
    return float(min(1.0, binom.cdf(min(up, down), up + down, 0.5) * 2))


def mcnemar_exact(a: pd.Series, b: pd.Series) -> TestResult:
    """Exact McNemar test (binomial on the discordant pairs) for two paired yes/no answers.

    Pairs where either answer is missing are dropped. The p-value is :func:`sign_test` on the
    two kinds of discordant pairs; the statistic the smaller of them.

    >>> a = pd.Series([True] * 6 + [False] * 2)
    >>> b = pd.Series([True] * 2 + [False] * 6)
    >>> round(mcnemar_exact(a, b).pvalue, 4)
    0.125
    """
    a = pd.Series(a).reset_index(drop=True)
    b = pd.Series(b).reset_index(drop=True)
    keep = a.notna() & b.notna()
    a = a[keep].astype(bool)
    b = b[keep].astype(bool)
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    if only_a + only_b == 0:
        return TestResult(0.0, 1.0, "McNemars exakta test", int(keep.sum()))
    return TestResult(
        float(min(only_a, only_b)),
        sign_test(only_a, only_b),
        "McNemars exakta test",
        int(keep.sum()),
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


def crosstab(a: pd.Series, b: pd.Series, *, exact: bool = True) -> tuple[pd.DataFrame, TestResult]:
    """Cross-table of two answer series and an exact test of independence.

    Rows are *a*'s categories, columns *b*'s (Categorical order kept, missing answers dropped).
    The test is Fisher–Freeman–Halton (exact for small tables, seeded Monte Carlo for large ones).

    >>> a = pd.Series(["x"] * 6 + ["y"] * 6)
    >>> b = pd.Series(["ja"] * 5 + ["nej"] + ["ja"] + ["nej"] * 5)
    >>> table, test = crosstab(a, b)
    >>> table.to_dict("index"), round(test.pvalue, 3)
    ({'x': {'ja': 5, 'nej': 1}, 'y': {'ja': 1, 'nej': 5}}, 0.08)
    """
    keep = a.notna() & b.notna()
    table = pd.crosstab(a[keep], b[keep], dropna=False)
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    table.index.name, table.columns.name = a.name, b.name
    test = fisher_freeman_halton(table.to_numpy()) if exact else None
    return table.astype("int64"), test
