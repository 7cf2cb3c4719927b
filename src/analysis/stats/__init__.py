"""Small-sample statistics for the survey reports — numbers only, no presentation.

Written for the realities of the surveys: 14 answers from a frame of 43 organisations (2021),
15 municipalities (2023). Intervals default to Wilson (good coverage for small *n*, never outside
[0, 1]) and accept a finite-population correction; tests are exact, or Monte Carlo with a fixed
seed so that reports are reproducible byte for byte. Swedish wording of results lives in
:mod:`analysis.report.format`.

* :mod:`~analysis.stats.proportions` — :func:`proportion_ci`, :func:`share_table`,
  :func:`worst_case_bounds`, :func:`fpc_interval`;
* :mod:`~analysis.stats.agreement` — :func:`cohens_kappa`, :func:`weighted_kappa`,
  :func:`bowker_exact`, :func:`cross_table`, :func:`percent_agreement`;
* :mod:`~analysis.stats.tests` — :func:`crosstab`, :func:`fisher_freeman_halton`,
  :func:`mcnemar_exact`, :func:`sign_test`, :func:`cochran_q`, :func:`friedman_test`;
* :mod:`~analysis.stats.evenness` — :func:`evenness`.

>>> p, low, high = proportion_ci(11, 14)
>>> round(p, 3), round(low, 3), round(high, 3)
(0.786, 0.524, 0.924)
"""

from analysis.stats.agreement import (
    KappaResult,
    SymmetryResult,
    bowker_exact,
    cohens_kappa,
    cross_table,
    percent_agreement,
    weighted_kappa,
)
from analysis.stats.evenness import EvennessResult, evenness
from analysis.stats.proportions import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    fpc_interval,
    proportion_ci,
    share_table,
    worst_case_bounds,
)
from analysis.stats.tests import (
    TestResult,
    cochran_q,
    crosstab,
    fisher_freeman_halton,
    friedman_test,
    mcnemar_exact,
    sign_test,
)

__all__ = [
    "DEFAULT_RESAMPLES",
    "DEFAULT_SEED",
    "EvennessResult",
    "KappaResult",
    "SymmetryResult",
    "TestResult",
    "bowker_exact",
    "cochran_q",
    "cohens_kappa",
    "cross_table",
    "crosstab",
    "evenness",
    "fisher_freeman_halton",
    "fpc_interval",
    "friedman_test",
    "mcnemar_exact",
    "percent_agreement",
    "proportion_ci",
    "share_table",
    "sign_test",
    "weighted_kappa",
    "worst_case_bounds",
]
