"""Statistics checked against statsmodels / scipy and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.contingency_tables import cochrans_q
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa
from statsmodels.stats.proportion import proportion_confint

from analysis import stats
from analysis.report import format as fmt


# ------------------------------------------------------------------ proportions
def test_wilson_11_of_14_by_hand():
    # p = 11/14, z = 1.959964; centre = (p + z²/2n)/(1 + z²/n), half = z√(p(1-p)/n + z²/4n²)/(1+z²/n)
    z = 1.959963984540054
    n, p = 14, 11 / 14
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    got = stats.proportion_ci(11, 14)
    assert got[0] == pytest.approx(p)
    assert got[1] == pytest.approx(centre - half) and got[1] == pytest.approx(0.5241, abs=1e-4)
    assert got[2] == pytest.approx(centre + half) and got[2] == pytest.approx(0.9243, abs=1e-4)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 200), data=st.data(), conf=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_against_statsmodels(n, data, conf):
    k = data.draw(st.integers(0, n))
    _, lo, hi = stats.proportion_ci(k, n, confidence=conf)
    slo, shi = proportion_confint(k, n, alpha=1 - conf, method="wilson")
    assert lo == pytest.approx(slo, abs=1e-9) and hi == pytest.approx(shi, abs=1e-9)
    _, lo, hi = stats.proportion_ci(k, n, confidence=conf, method="clopper-pearson")
    slo, shi = proportion_confint(k, n, alpha=1 - conf, method="beta")
    assert lo == pytest.approx(slo, abs=1e-9) and hi == pytest.approx(shi, abs=1e-9)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_edge_cases(method):
    p, lo, hi = stats.proportion_ci(0, 10, method=method)
    assert p == 0 and lo == 0 and 0 < hi < 1
    p, lo, hi = stats.proportion_ci(10, 10, method=method)
    assert p == 1 and hi == 1 and 0 < lo < 1
    p, lo, hi = stats.proportion_ci(1, 1, method=method)
    assert p == 1 and hi == 1 and 0 < lo < 1
    p, lo, hi = stats.proportion_ci(0, 1, method=method)
    assert p == 0 and lo == 0 and 0 < hi < 1
    assert all(math.isnan(x) for x in stats.proportion_ci(0, 0, method=method))
    assert all(math.isnan(x) for x in stats.proportion_ci(0, 0, method=method, population=43))


def test_invalid_input():
    with pytest.raises(ValueError):
        stats.proportion_ci(5, 4)
    with pytest.raises(ValueError):
        stats.proportion_ci(1, 4, method="wald")
    with pytest.raises(ValueError):
        stats.proportion_ci(1, 4, confidence=1.0)
    with pytest.raises(ValueError):
        stats.proportion_ci(1, 50, population=43)


def test_fpc_wilson_uses_effective_n():
    # fpc² = (43-14)/42; n_eff = 14 / fpc²; Wilson at n_eff with k_eff = p·n_eff
    n_eff = 14 / (29 / 42)
    p = 11 / 14
    z = 1.959963984540054
    denom = 1 + z * z / n_eff
    centre = (p + z * z / (2 * n_eff)) / denom
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff**2)) / denom
    _, lo, hi = stats.proportion_ci(11, 14, population=43)
    assert lo == pytest.approx(centre - half) and hi == pytest.approx(centre + half)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_fpc_narrows_and_census_collapses(method):
    _, lo, hi = stats.proportion_ci(11, 14, method=method)
    _, flo, fhi = stats.proportion_ci(11, 14, method=method, population=43)
    assert fhi - flo < hi - lo
    assert flo <= 11 / 14 <= fhi
    assert stats.proportion_ci(11, 14, method=method, population=14) == (11 / 14,) * 3
    assert stats.proportion_ci(0, 15, method=method, population=15) == (0.0, 0.0, 0.0)
    # huge population: the correction vanishes
    _, blo, bhi = stats.proportion_ci(11, 14, method=method, population=10**6)
    assert blo == pytest.approx(lo, abs=2e-3) and bhi == pytest.approx(hi, abs=2e-3)


def test_hypergeometric_bisection_matches_full_scan():
    for k, n, big_n in [(0, 5, 20), (5, 5, 20), (11, 14, 43), (3, 14, 43), (1, 1, 2), (7, 15, 16)]:
        kk = np.arange(big_n + 1)
        ok = (kk >= k) & (big_n - kk >= n - k)
        lows = kk[ok & (sps.hypergeom.sf(k - 1, big_n, kk, n) > 0.025)]
        highs = kk[ok & (sps.hypergeom.cdf(k, big_n, kk, n) > 0.025)]
        _, lo, hi = stats.proportion_ci(k, n, method="clopper-pearson", population=big_n)
        assert (lo, hi) == (lows.min() / big_n, highs.max() / big_n)


def test_hypergeometric_interval_by_hand():
    # The upper bound K_U/N is the largest K with P(X <= k | K) > alpha/2.
    k, n, big_n = 11, 14, 43
    _, lo, hi = stats.proportion_ci(k, n, method="clopper-pearson", population=big_n)
    ku, kl = round(hi * big_n), round(lo * big_n)
    assert sps.hypergeom.cdf(k, big_n, ku, n) > 0.025 >= sps.hypergeom.cdf(k, big_n, ku + 1, n)
    assert (
        sps.hypergeom.sf(k - 1, big_n, kl, n) > 0.025 >= sps.hypergeom.sf(k - 1, big_n, kl - 1, n)
    )


def test_share_table_columns_and_order():
    counts = pd.Series({"c": 2, "a": 11, "b": 0})
    t = stats.share_table(counts, 14, population=43)
    assert list(t.columns) == ["antal", "andel", "ki_lag", "ki_hog"]
    assert list(t.index) == ["c", "a", "b"]
    assert t.loc["a", "antal"] == 11
    assert t.loc["a", "ki_hog"] == pytest.approx(stats.proportion_ci(11, 14, population=43)[2])
    assert t.loc["b", "ki_lag"] == 0


def test_formatting():
    assert fmt.format_pct(0.786) == "79 %"
    assert fmt.format_ci(0.5241, 0.9243) == "95 % KI 52–92 %"
    assert fmt.format_ci(0.5, 0.6, confidence=0.9) == "90 % KI 50–60 %"
    assert fmt.format_p(0.0004) == "p < 0,001"


# ------------------------------------------------------------------ agreement
@pytest.mark.parametrize(
    "table",
    [
        [[6, 1], [1, 6]],
        [[5, 2, 0], [1, 4, 1], [0, 1, 2]],
        [[10, 0, 0, 1], [2, 3, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]],
    ],
)
def test_kappa_against_statsmodels(table):
    ours = stats.cohens_kappa(table)
    ref = sm_kappa(np.asarray(table))
    assert ours.kappa == pytest.approx(ref.kappa)
    assert ours.se == pytest.approx(ref.std_kappa)
    assert ours.low == pytest.approx(max(-1, ref.kappa_low))
    assert ours.high == pytest.approx(min(1, ref.kappa_upp))
    assert ours.agreement == pytest.approx(np.trace(np.asarray(table)) / np.sum(table))


def test_kappa_by_hand_and_from_series():
    # po = 12/14, pe = 0.5·0.5 + 0.5·0.5 = 0.5 → kappa = (12/14 − .5)/.5 = 0.714
    a = pd.Series(["Ja"] * 7 + ["Nej"] * 7)
    b = pd.Series(["Ja"] * 6 + ["Nej"] + ["Ja"] + ["Nej"] * 6)
    r = stats.cohens_kappa(a, b)
    assert r.kappa == pytest.approx((12 / 14 - 0.5) / 0.5)
    assert r.n == 14
    assert stats.percent_agreement(a, b) == pytest.approx(12 / 14)
    # missing answers drop the pair
    a2 = pd.concat([a, pd.Series([None])], ignore_index=True)
    b2 = pd.concat([b, pd.Series(["Ja"])], ignore_index=True)
    assert stats.cohens_kappa(a2, b2).n == 14


def test_kappa_categorical_union_of_categories():
    cats = ["Nej", "Delvis", "Ja"]
    a = pd.Series(pd.Categorical(["Ja", "Ja", "Nej"], categories=cats, ordered=True))
    b = pd.Series(pd.Categorical(["Ja", "Delvis", "Nej"], categories=cats, ordered=True))
    t = stats.cross_table(a, b)
    assert list(t.index) == cats and list(t.columns) == cats
    assert t.to_numpy().sum() == 3 and t.loc["Ja", "Delvis"] == 1


def test_kappa_degenerate():
    r = stats.cohens_kappa([[5, 0], [0, 0]])
    assert math.isnan(r.kappa) and r.agreement == 1
    assert math.isnan(stats.cohens_kappa([[0, 0], [0, 0]]).kappa)
    assert fmt.kappa_interpretation(float("nan")) == "kan inte beräknas"


@pytest.mark.parametrize(
    ("kappa", "label"),
    [(-0.05, "sämre än slumpen"), (0.0, "obetydlig"), (0.2, "obetydlig"), (0.21, "viss"),
     (0.4, "viss"), (0.55, "måttlig"), (0.61, "betydande"), (0.8, "betydande"),
     (0.81, "nästan fullständig"), (1.0, "nästan fullständig")],
)  # fmt: skip
def test_landis_koch(kappa, label):
    assert fmt.kappa_interpretation(kappa) == label


# ------------------------------------------------------------------ tests
def test_fisher_2x2_matches_scipy():
    t = [[8, 2], [1, 5]]
    r = stats.fisher_freeman_halton(t)
    assert r.pvalue == pytest.approx(sps.fisher_exact(t).pvalue)
    assert r.method == "Fishers exakta test"


@pytest.mark.parametrize(
    "table",
    [[[3, 1, 0], [0, 2, 4]], [[2, 2, 1], [1, 3, 2], [4, 0, 1]], [[5, 0, 1, 2], [1, 4, 2, 0]]],
)
def test_freeman_halton_matches_exact_enumeration(table):
    # scipy (>= 1.15) enumerates r×c tables exactly; the Monte Carlo estimate must be close.
    exact = sps.fisher_exact(np.asarray(table)).pvalue
    r = stats.fisher_freeman_halton(table)
    assert r.pvalue == pytest.approx(exact, abs=0.015)
    assert "Monte Carlo" in r.method


def test_freeman_halton_is_reproducible_and_drops_empty():
    t = [[2, 2, 1, 0], [1, 3, 2, 0], [4, 0, 1, 0], [0, 0, 0, 0]]
    assert stats.fisher_freeman_halton(t).pvalue == stats.fisher_freeman_halton(t).pvalue
    r = stats.fisher_freeman_halton([[3, 0], [4, 0]])
    assert math.isnan(r.pvalue)
    with pytest.raises(ValueError):
        stats.fisher_freeman_halton([[1, -1], [2, 3]])


def test_mcnemar_exact_against_binomial():
    a = pd.Series([True] * 6 + [False] * 2 + [True] * 3)
    b = pd.Series([True] * 2 + [False] * 6 + [True] * 3)
    # discordant: 4 (a yes, b no), 0 (a no, b yes) → two-sided binomial 2·0.5⁴
    assert stats.mcnemar_exact(a, b).pvalue == pytest.approx(sps.binomtest(0, 4).pvalue)
    assert stats.mcnemar_exact(a, a).pvalue == 1.0


def test_cochran_q_against_statsmodels():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(0, 2, size=(14, 3)), columns=["a", "b", "c"])
    ours = stats.cochran_q(df)
    ref = cochrans_q(df.to_numpy())
    assert ours.statistic == pytest.approx(ref.statistic)
    assert ours.pvalue == pytest.approx(ref.pvalue)
    same = pd.DataFrame({"a": [1, 0, 1], "b": [1, 0, 1]})
    assert stats.cochran_q(same).pvalue == 1.0


def test_friedman_statistic_and_permutation_p():
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.integers(1, 6, size=(14, 3)), columns=["x", "y", "z"])
    r = stats.friedman_test(df)
    assert r.statistic == pytest.approx(sps.friedmanchisquare(df.x, df.y, df.z).statistic)
    # the permutation p-value agrees with the chi-square one to within Monte Carlo/approximation error
    assert r.pvalue == pytest.approx(sps.friedmanchisquare(df.x, df.y, df.z).pvalue, abs=0.06)
    shifted = df.assign(x=df.x + 10)
    assert stats.friedman_test(shifted).pvalue < 0.001


def test_friedman_exact_small_case_by_enumeration():
    # n = 3 respondents, k = 2 items, item b always higher: 2³ equally likely sign patterns,
    # only the observed and its mirror are as extreme → exact p = 2/8.
    df = pd.DataFrame({"a": [1, 2, 3], "b": [2, 3, 4]})
    assert stats.friedman_test(df).pvalue == pytest.approx(0.25, abs=0.01)


def test_friedman_accepts_ordered_categoricals():
    cats = ["låg", "mellan", "hög"]
    df = pd.DataFrame(
        {c: pd.Categorical(v, categories=cats, ordered=True)
         for c, v in {"a": ["hög", "hög", "låg"], "b": ["låg", "mellan", "låg"]}.items()}
    )  # fmt: skip
    r = stats.friedman_test(df)
    assert r.n == 3 and 0 < r.pvalue <= 1


# ------------------------------------------------------------------ evenness
def test_evenness_against_scipy_and_by_hand():
    counts = [10, 12, 8, 9, 11]
    r = stats.evenness(counts)
    assert r.chi2 == pytest.approx(sps.chisquare(counts).statistic)
    assert r.pvalue == pytest.approx(sps.chisquare(counts).pvalue)
    p = np.array(counts) / sum(counts)
    assert r.pielou_j == pytest.approx(-(p * np.log(p)).sum() / math.log(5))
    assert r.pvalue_method == "χ²-fördelningen"


def test_evenness_small_counts_uses_monte_carlo():
    counts = [6, 5, 5, 4, 4, 3, 1]
    r = stats.evenness(counts)
    assert "Monte Carlo" in r.pvalue_method
    assert r.pvalue == pytest.approx(sps.chisquare(counts).pvalue, abs=0.08)
    assert r.pvalue == stats.evenness(counts).pvalue  # fixed seed


def test_evenness_edge_cases():
    assert math.isnan(stats.evenness([0, 0, 0]).pielou_j)
    assert stats.evenness([4, 0, 0]).pielou_j == 0.0
    assert "saknas svar" in fmt.evenness_explanation(stats.evenness([0, 0]))
    text = fmt.evenness_explanation(stats.evenness([20, 1, 1, 0]))
    assert "ojämn" in text and "sällan av slumpen" in text
