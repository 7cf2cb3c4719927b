"""Small-cell suppression: nothing below min_cell survives, and no suppressed value can be
recovered from the row/column totals (checked independently by linear algebra and by linear
programming on many random tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from analysis.suppression import (
    SUPPRESSED,
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
    # 4. ... nor by linear programming: a suppressed count is not pinned to its value
    for cell in zip(*np.nonzero(mask), strict=True):
        if full[cell] > 0:
            lo, hi = _feasible_range(full, mask, cell)
            assert hi - lo > 1e-6, (cell, lo, hi)


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
