"""Agreement between two paired categorical answers (Cohen's kappa and friends)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.stats.proportions import _check_confidence, _z


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


def weighted_kappa(
    table_or_a,
    b=None,
    *,
    weights: str = "linear",
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 20210601,
) -> KappaResult:
    """Weighted kappa for two paired ordinal answers, with a seeded bootstrap interval.

    Categories are taken in their (Categorical) order, so a one-step disagreement counts less
    than a two-step one (``weights="linear"``: 1 − |i − j|/(k − 1); ``"quadratic"``: squared).

    Parameters
    ----------
    table_or_a : square table, or a Series of answers
    b : Series, optional
        The paired answers when *table_or_a* is a Series.
    weights : {"linear", "quadratic"}
    confidence : float
        Level of the percentile bootstrap interval (resampling respondents).

    Examples
    --------
    >>> t = [[4, 1, 0], [1, 4, 1], [0, 1, 3]]
    >>> r = weighted_kappa(t)
    >>> round(r.kappa, 3), r.n
    (0.681, 15)
    >>> round(weighted_kappa([[5, 0], [0, 5]]).kappa, 3)
    1.0
    """
    table = _paired_table(table_or_a, b)
    if weights not in ("linear", "quadratic"):
        raise ValueError("weights must be 'linear' or 'quadratic'")
    k = table.shape[0]
    n = int(table.sum())

    def kappa_of(t: np.ndarray) -> float:
        total = t.sum()
        if total == 0 or k < 2:
            return float("nan")
        i, j = np.indices((k, k))
        d = np.abs(i - j) / (k - 1)
        w = 1 - (d if weights == "linear" else d**2)
        p = t / total
        expected = np.outer(p.sum(axis=1), p.sum(axis=0))
        po, pe = float((w * p).sum()), float((w * expected).sum())
        return float("nan") if pe >= 1 else (po - pe) / (1 - pe)

    kappa = kappa_of(table)
    low = high = se = float("nan")
    if n > 1 and not math.isnan(kappa):
        rng = np.random.default_rng(seed)
        cells = np.repeat(np.arange(k * k), table.astype(int).ravel())
        draws = rng.choice(cells, size=(n_resamples, n), replace=True)
        boot = []
        for row in draws:
            t = np.bincount(row, minlength=k * k).reshape(k, k).astype(float)
            value = kappa_of(t)
            if not math.isnan(value):
                boot.append(value)
        if boot:
            alpha = (1 - confidence) / 2
            low, high = (float(x) for x in np.quantile(boot, [alpha, 1 - alpha]))
            se = float(np.std(boot, ddof=1))
    i, j = np.indices((k, k))
    p = table / n if n else table
    return KappaResult(
        kappa=kappa,
        low=low,
        high=high,
        se=se,
        agreement=float(np.trace(p)) if n else float("nan"),
        expected_agreement=float((np.outer(p.sum(1), p.sum(0))).trace()) if n else float("nan"),
        n=n,
        confidence=confidence,
    )


@dataclass(frozen=True)
class SymmetryResult:
    """Exact test of symmetry of a square paired table (Bowker; McNemar for 2 × 2)."""

    statistic: float
    pvalue: float
    pairs: int
    n_discordant: int
    above: int
    below: int


def bowker_exact(table_or_a, b=None) -> SymmetryResult:
    """Exact Bowker test: are changes from *a* to *b* as common in both directions?

    Under symmetry, each discordant pair of cells (i, j) / (j, i) splits its m answers as
    Binomial(m, ½); the p-value is the exact probability of a Bowker statistic at least as large,
    computed by convolving those binomials (no large-sample approximation). ``above`` counts
    answers where *b* is higher than *a* (column after row), ``below`` the opposite.

    Examples
    --------
    >>> r = bowker_exact([[5, 3, 1], [0, 4, 2], [0, 0, 3]])
    >>> r.pairs, r.above, r.below, round(r.pvalue, 4)
    (3, 6, 0, 0.125)
    >>> bowker_exact([[3, 0], [0, 4]]).pvalue
    1.0
    """
    from scipy.stats import binom

    table = _paired_table(table_or_a, b)
    k = table.shape[0]
    dist = {0.0: 1.0}
    observed = 0.0
    pairs = disc = above = below = 0
    for i in range(k):
        for j in range(i + 1, k):
            x, y = int(table[i, j]), int(table[j, i])
            m = x + y
            above, below = above + x, below + y
            if m == 0:
                continue
            pairs += 1
            disc += m
            observed += (x - y) ** 2 / m
            step: dict[float, float] = {}
            for s in range(m + 1):
                stat = round((s - (m - s)) ** 2 / m, 9)
                prob = float(binom.pmf(s, m, 0.5))
                for base, pb in dist.items():
                    key = round(base + stat, 9)
                    step[key] = step.get(key, 0.0) + pb * prob
            dist = step
    pvalue = (
        1.0
        if pairs == 0
        else min(1.0, sum(p for s, p in dist.items() if s >= round(observed, 9) - 1e-9))
    )
    return SymmetryResult(float(observed), float(pvalue), pairs, disc, above, below)
