"""Small-cell suppression: nothing below min_cell survives, no suppressed value can be
recovered from the row/column totals, and no suppressed value can be proved to be a small
non-zero count (checked independently by linear algebra and by linear programming on many
random tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from analysis.disclosure.suppression import (
    SUPPRESSED,
    feasible_intervals,
    suppress_series,
    suppress_table,
    suppression_mask,
    table_with_margins,
)


def _constraints(full: np.ndarray):
    """Line equations of a table with margins: every row/column of inner cells sums to its
    total, and the totals row/column sum to the grand total. Returns (A, cells) with one column
    per cell of the full table."""
    nr, nc = full.shape
    cells = [(i, j) for i in range(nr) for j in range(nc)]
    idx = {c: k for k, c in enumerate(cells)}
    rows = []
    for i in range(nr):  # row i: inner cells - total = 0
        a = np.zeros(len(cells))
        for j in range(nc - 1):
            a[idx[(i, j)]] = 1
        a[idx[(i, nc - 1)]] = -1
        rows.append(a)
    for j in range(nc):
        a = np.zeros(len(cells))
        for i in range(nr - 1):
            a[idx[(i, j)]] = 1
        a[idx[(nr - 1, j)]] = -1
        rows.append(a)
    return np.array(rows), cells


def _linearly_determined(full: np.ndarray, mask: np.ndarray) -> list[tuple[int, int]]:
    """Suppressed cells whose value follows from the published ones by linear algebra."""
    a, cells = _constraints(full)
    unknown = [k for k, c in enumerate(cells) if mask[c]]
    if not unknown:
        return []
    a_u = a[:, unknown]
    rank = np.linalg.matrix_rank(a_u)
    out = []
    for pos, k in enumerate(unknown):
        e = np.zeros(len(unknown))
        e[pos] = 1
        if np.linalg.matrix_rank(np.vstack([a_u, e])) == rank:
            out.append(cells[k])
    return out


def _feasible_range(full: np.ndarray, mask: np.ndarray, cell) -> tuple[float, float]:
    """Min and max of a suppressed cell given the published cells, the equations and x >= 0."""
    a, cells = _constraints(full)
    unknown = [k for k, c in enumerate(cells) if mask[c]]
    known = [k for k, c in enumerate(cells) if not mask[c]]
    flat = np.array([full[c] for c in cells], dtype=float)
    b = -a[:, known] @ flat[known]
    a_u = a[:, unknown]
    target = unknown.index(cells.index(cell))
    c = np.zeros(len(unknown))
    c[target] = 1
    lo = linprog(c, A_eq=a_u, b_eq=b, bounds=[(0, None)] * len(unknown), method="highs")
    hi = linprog(-c, A_eq=a_u, b_eq=b, bounds=[(0, None)] * len(unknown), method="highs")
    assert lo.status == 0 and hi.status in (0, 3)  # 3: unbounded above (everything suppressed)
    return lo.fun, (np.inf if hi.status == 3 else -hi.fun)


def _check(table: pd.DataFrame, min_cell: int) -> None:
    full = table_with_margins(table).to_numpy(dtype=float)
    mask = suppression_mask(table, min_cell).to_numpy()
    # 1. nothing below min_cell (except zeros) is visible
    assert not ((full > 0) & (full < min_cell) & ~mask).any()
    # 2. every line holds 0 or >= 2 suppressed entries (totals included)
    for line in list(mask) + list(mask.T):
        assert line.sum() != 1
    # 3. no suppressed value follows from the published ones by linear algebra
    assert _linearly_determined(full, mask) == []
    # 4. ... nor by linear programming: a suppressed count is not pinned to its value, and no
    #    suppressed count is provably a small non-zero count (integer range inside [1, m-1])
    for cell in zip(*np.nonzero(mask), strict=True):
        lo, hi = _feasible_range(full, mask, cell)
        if full[cell] > 0:
            assert hi - lo > 1e-6, (cell, lo, hi)
        assert not (np.ceil(lo - 1e-6) >= 1 and np.floor(hi + 1e-6) <= min_cell - 1), (
            cell,
            lo,
            hi,
        )
    # 5. in a line whose total is shown, the hidden entries add up to at least min_cell
    for values, hidden in [*zip(full, mask, strict=True), *zip(full.T, mask.T, strict=True)]:
        if hidden[:-1].any() and not hidden[-1]:
            assert values[:-1][hidden[:-1]].sum() >= min_cell, (values, hidden)


tables = st.integers(1, 5).flatmap(
    lambda r: st.integers(1, 5).flatmap(
        lambda c: st.lists(
            st.lists(st.one_of(st.integers(0, 4), st.integers(0, 30)), min_size=c, max_size=c),
            min_size=r,
            max_size=r,
        )
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=tables, min_cell=st.integers(2, 6))
def test_random_tables_are_protected(cells, min_cell):
    table = pd.DataFrame(cells, columns=[f"k{j}" for j in range(len(cells[0]))])
    _check(table, min_cell)


def test_chained_suppression_bridge_is_closed():
    # Two 2x2 blocks of small counts joined through one row: the per-line rule alone would
    # leave a bridge; the algorithm must close a cycle through it.
    table = pd.DataFrame(
        [[3, 2, 20, 20], [2, 3, 20, 20], [20, 20, 3, 2], [20, 20, 2, 3]],
        columns=list("abcd"),
    )
    _check(table, 5)


def test_interval_leak_through_small_complements_is_closed():
    # Reviewer's case: before the hidden-sum rule a reader could prove a hidden cell in [2, 4].
    table = pd.DataFrame([[1, 4, 1, 0], [8, 0, 1, 3], [3, 0, 20, 8]], columns=list("wxyz"))
    _check(table, 5)
    out = suppress_table(table, 5)
    assert out.loc[1, "x"] == 0 and out.loc[2, "x"] == 0  # zeros stay published


def test_helper_detects_an_interval_leak():
    # Sanity check of the interval criterion with the mask the old algorithm produced for the
    # reviewer's table: every line had two hidden entries and nothing was recoverable, but the
    # hidden 3 at (1, z) is provably in [2, 4].
    table = pd.DataFrame([[1, 4, 1, 0], [8, 0, 1, 3], [3, 0, 20, 8]], columns=list("wxyz"))
    full = table_with_margins(table).to_numpy(dtype=float)
    old_mask = np.array(
        [[1, 1, 1, 0, 0], [0, 0, 1, 1, 0], [1, 0, 0, 1, 0], [0, 1, 0, 1, 0]], dtype=bool
    )
    assert _linearly_determined(full, old_mask) == []
    lo, hi = _feasible_range(full, old_mask, (1, 3))
    assert (round(lo), round(hi)) == (2, 4)
    assert feasible_intervals(full, old_mask)[(1, 3)] == (2, 4)


def test_feasible_intervals_matches_the_independent_checker():
    table = pd.DataFrame([[3, 2, 20, 20], [2, 3, 20, 20], [20, 20, 3, 2]], columns=list("abcd"))
    full = table_with_margins(table).to_numpy(dtype=float)
    mask = suppression_mask(table, 5).to_numpy()
    for cell, (lo, hi) in feasible_intervals(full, mask).items():
        ref_lo, ref_hi = _feasible_range(full, mask, cell)
        assert lo == np.ceil(ref_lo - 1e-6) and hi == np.floor(ref_hi + 1e-6)


def test_helper_detects_a_recoverable_cell():
    # Sanity check of the checker itself: one suppressed cell in a row is recoverable.
    full = table_with_margins(pd.DataFrame([[3, 10], [10, 10]])).to_numpy(dtype=float)
    mask = np.zeros_like(full, dtype=bool)
    mask[0, 0] = True
    assert _linearly_determined(full, mask) == [(0, 0)]


def test_display_table_values_and_dtype():
    t = pd.DataFrame({"Ja": [6, 2, 7], "Nej": [9, 8, 10]}, index=["a", "b", "c"])
    out = suppress_table(t, 5)
    assert out.dtypes.eq(object).all()
    assert list(out.index) == ["a", "b", "c", "Totalt"]
    assert out.loc["b", "Ja"] == SUPPRESSED and out.loc["b", "Nej"] == SUPPRESSED
    assert out.loc["c", "Ja"] == 7 and out.loc["Totalt", "Totalt"] == 42
    # the input is not mutated
    assert t.loc["b", "Ja"] == 2


def test_no_margins_hides_totals_but_protects_against_them():
    t = pd.DataFrame({"Ja": [6, 2, 7], "Nej": [9, 8, 10]}, index=["a", "b", "c"])
    out = suppress_table(t, 5, margins=False)
    assert list(out.columns) == ["Ja", "Nej"] and list(out.index) == ["a", "b", "c"]
    assert (out == SUPPRESSED).to_numpy().sum() == 4


def test_zeros_are_published_by_default_and_optional():
    t = pd.DataFrame({"Ja": [0, 12], "Nej": [10, 11]})
    assert not suppression_mask(t, 5).to_numpy().any()
    assert suppression_mask(t, 5, suppress_zeros=True).to_numpy()[0, 0]


def test_small_margin_is_suppressed():
    # a group with only 3 members: its total is itself a small count
    t = pd.DataFrame({"Ja": [0, 20], "Nej": [3, 20]}, index=["liten", "stor"])
    out = suppress_table(t, 5)
    assert out.loc["liten", "Totalt"] == SUPPRESSED


def test_nothing_to_suppress():
    t = pd.DataFrame({"Ja": [6, 7], "Nej": [9, 8]})
    out = suppress_table(t, 5)
    assert (out != SUPPRESSED).to_numpy().all()


def test_negative_counts_rejected():
    with pytest.raises(ValueError):
        suppress_table(pd.DataFrame({"a": [-1, 3]}), 5)


def test_series_primary_only_without_total():
    s = pd.Series({"A": 9, "B": 3, "C": 6, "D": 0})
    assert suppress_series(s, 5).tolist() == [9, SUPPRESSED, 6, 0]


def test_series_complement_with_total():
    s = pd.Series({"A": 9, "B": 3, "C": 6, "D": 0})
    out = suppress_series(s, 5, total=18)
    assert out.tolist() == [9, SUPPRESSED, SUPPRESSED, 0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=2, max_size=8), st.integers(2, 6))
def test_series_random(values, min_cell):
    s = pd.Series(values)
    out = suppress_series(s, min_cell, total=int(s.sum()))
    hidden = out == SUPPRESSED
    visible = s[~hidden]
    assert not ((visible > 0) & (visible < min_cell)).any()
    assert hidden.sum() != 1
    # what the total leaves for the hidden counts is not a small number (unless all is hidden)
    if hidden.any() and (visible > 0).any():
        assert s[hidden].sum() >= min_cell


def test_series_hidden_sum_reaches_min_cell():
    # 1 and 2 hidden would leave "3" for them: a reader knows both are small
    out = suppress_series(pd.Series([1, 2, 30, 40]), 5, total=73)
    assert out.tolist() == [SUPPRESSED, SUPPRESSED, SUPPRESSED, 40]
    # without a total nothing adds up, so only the primary cells go
    assert suppress_series(pd.Series([1, 2, 30, 40]), 5).tolist() == [SUPPRESSED] * 2 + [30, 40]
