"""Small-cell suppression for published tables: primary plus complementary suppression.

Rules (documented in every public report's method section)
----------------------------------------------------------
* **Primary suppression.** A count ``x`` with ``0 < x < min_cell`` is not shown; it is replaced
  by ``"–"``. Margins (row, column and grand totals) are counts too and follow the same rule.
* **Zeros are published.** A zero says that *nobody* in a group gave an answer; it cannot point
  out an individual, and hiding zeros would make the tables unreadable. (A zero can still reveal
  something about a whole group — if that matters, pass ``suppress_zeros=True``.)
* **Complementary suppression.** Every row and column of a table, together with its total, is a
  linear equation an attacker can solve. A suppressed value can be recovered exactly as long as
  it is the only unknown in some equation — or, more generally, when it is a *bridge* in the
  bipartite graph whose nodes are the rows and columns (totals included) and whose edges are
  the suppressed cells: only cells lying on a cycle of suppressed cells are undetermined by the
  margins. The algorithm therefore repeats, until nothing changes:

  1. in every row/column (including its total) with exactly one suppressed entry, suppress the
     smallest other entry — an inner cell rather than a total, a non-zero count rather than a
     zero;
  2. in every row/column whose total is published, the hidden entries must add up to at least
     ``min_cell`` (a reader can attribute exactly ``total - published entries`` to them; if that
     is a small number, each hidden count is known to be small): otherwise suppress the smallest
     other non-zero entry — an inner cell before the total;
  3. for every suppressed entry that is still a bridge, suppress the smallest entry that closes
     a cycle through it;
  4. finally every suppressed entry is checked by linear programming (the interval of values
     that is consistent with every published number and with counts being non-negative): a
     primary-suppressed count must not be provably a small non-zero count (its integer interval
     must not lie inside ``[1, min_cell - 1]``) and no suppressed non-zero count may be pinned
     to one value. For an exposed entry the cheapest entry of its row or column is suppressed
     as well and the rules run again. The mask only grows, and with every non-zero count
     suppressed nothing can be bounded any more, so the loop ends.

  The totals are part of the system whether or not they are shown (``margins=False`` only hides
  them), because group sizes are usually published elsewhere in the same report.

Reference: Hundepool et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4 and 5 (cell
suppression; the "at least two suppressed cells per line" rule and its failure for chained
suppressions that the bridge check closes).

Zeros stay published, so rule 2 counts only what the published numbers leave for the hidden
entries. With ``suppress_zeros=True`` the interval check of rule 4 uses ``[0, min_cell - 1]``.

>>> t = pd.DataFrame({"Ja": [12, 3], "Nej": [8, 9]}, index=["Offentlig", "Näringsliv"])
>>> suppress_table(t, 5)
            Ja Nej Totalt
Offentlig    –   –     20
Näringsliv   –   –     12
Totalt      15  17     32
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "SUPPRESSED",
    "feasible_intervals",
    "TOTAL_LABEL",
    "suppress_series",
    "suppress_table",
    "suppression_mask",
    "table_with_margins",
]

from analysis.disclosure.marker import SUPPRESSED  # noqa: E402 - what a suppressed cell shows

TOTAL_LABEL = "Totalt"


def _primary(values: np.ndarray, min_cell: int, suppress_zeros: bool) -> np.ndarray:
    low = 0 if suppress_zeros else 1
    return (values >= low) & (values < min_cell)


def _check_counts(values: np.ndarray) -> None:
    if values.size and (np.isnan(values).any() or (values < 0).any()):
        raise ValueError("suppression needs non-negative counts without missing values")


def suppress_series(
    series: pd.Series,
    min_cell: int,
    *,
    total: int | None = None,
    suppress_zeros: bool = False,
) -> pd.Series:
    """Suppress small counts in a one-way table.

    Parameters
    ----------
    series : pandas.Series
        Counts per category.
    min_cell : int
        Smallest count that may be shown.
    total : int, optional
        The published number the counts add up to (single-choice question). When given, the
        line ``sum(counts) == total`` is protected as well: while the hidden counts add up to
        less than *min_cell* (a reader gets their sum as ``total`` minus the shown counts), the
        smallest other non-zero count is hidden too; a lone hidden count gets a hidden zero
        when nothing else is left. Leave it out for multiple-choice counts, which do not add up
        to anything.

    Returns
    -------
    pandas.Series
        Object dtype; suppressed counts shown as ``"–"``.

    Examples
    --------
    >>> s = pd.Series({"A": 9, "B": 3, "C": 6, "D": 0})
    >>> suppress_series(s, 5).tolist()
    [9, '–', 6, 0]
    >>> suppress_series(s, 5, total=18).tolist()
    [9, '–', '–', 0]
    >>> suppress_series(pd.Series([1, 2, 30, 40]), 5, total=73).tolist()
    ['–', '–', '–', 40]
    """
    mask = series_mask(series, min_cell, total=total, suppress_zeros=suppress_zeros)
    out = pd.Series(series, copy=True).astype(object)
    out[mask.to_numpy()] = SUPPRESSED
    return out


def series_mask(
    series: pd.Series,
    min_cell: int,
    *,
    total: int | None = None,
    suppress_zeros: bool = False,
) -> pd.Series:
    """Boolean mask (True = suppress) behind :func:`suppress_series`."""
    values = np.asarray(pd.Series(series).to_numpy(), dtype=float)
    _check_counts(values)
    mask = _primary(values, min_cell, suppress_zeros)
    if total is not None and mask.any():
        # The hidden counts add up to what the total leaves: make that at least min_cell.
        while values[mask].sum() < min_cell:
            candidates = [i for i in range(values.size) if not mask[i] and values[i] > 0]
            if not candidates:
                break
            mask[min(candidates, key=lambda i: (values[i], i))] = True
        if mask.sum() == 1 and values.size > 1:  # only zeros left to hide alongside
            mask[min(i for i in range(values.size) if not mask[i])] = True
    return pd.Series(mask, index=pd.Series(series).index)


def table_with_margins(table: pd.DataFrame, total_label: str = TOTAL_LABEL) -> pd.DataFrame:
    """The table with a total column and a total row appended (integers).

    >>> table_with_margins(pd.DataFrame({"a": [1, 2], "b": [3, 4]}))
            a  b  Totalt
    0       1  3       4
    1       2  4       6
    Totalt  3  7      10
    """
    t = pd.DataFrame(table, copy=True)
    out = t.copy()
    out[total_label] = t.sum(axis=1)
    out.loc[total_label] = out.sum(axis=0)
    return out


def _components_without(adj_rows, adj_cols, edge):
    """Return (rows, cols) reachable from edge's row node when the edge itself is removed."""
    r0, c0 = edge
    seen_r, seen_c = {r0}, set()
    stack = [("r", r0)]
    while stack:
        kind, node = stack.pop()
        if kind == "r":
            for c in adj_rows[node]:
                if (node, c) == edge or c in seen_c:
                    continue
                seen_c.add(c)
                stack.append(("c", c))
        else:
            for r in adj_cols[node]:
                if (r, node) == edge or r in seen_r:
                    continue
                seen_r.add(r)
                stack.append(("r", r))
    return seen_r, seen_c


def _bridges(mask: np.ndarray) -> list[tuple[int, int]]:
    """Suppressed cells that are bridges of the row/column graph (i.e. recoverable)."""
    rows, cols = np.nonzero(mask)
    adj_rows: dict[int, set[int]] = {}
    adj_cols: dict[int, set[int]] = {}
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        adj_rows.setdefault(r, set()).add(c)
        adj_cols.setdefault(c, set()).add(r)
    out = []
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        reach_r, reach_c = _components_without(adj_rows, adj_cols, (r, c))
        if c not in reach_c:
            out.append((r, c))
    return out


def _cost(values: np.ndarray, is_margin: np.ndarray, i: int, j: int) -> tuple:
    # inner before margins, non-zero before zero, then smallest value, then position
    return (bool(is_margin[i, j]), values[i, j] == 0, values[i, j], i, j)


def _line_cells(axis: int, line: int, shape: tuple[int, int]) -> list[tuple[int, int]]:
    """The entries of row (axis 0) or column (axis 1) *line*; the line's total comes last."""
    nr, nc = shape
    return [(line, j) for j in range(nc)] if axis == 0 else [(i, line) for i in range(nr)]


def _close_single_lines(values, mask, is_margin) -> bool:
    """Rule 1: a line with exactly one suppressed entry gets a complement. True if changed."""
    changed = False
    for axis in (0, 1):
        for line in range(values.shape[axis]):
            cells = _line_cells(axis, line, values.shape)
            if sum(mask[c] for c in cells) != 1:
                continue
            free = [c for c in cells if not mask[c]]
            if not free:
                continue

            # prefer a complement whose crossing line already holds a suppression
            def key(cell, axis=axis):
                crossing = mask[:, cell[1]] if axis == 0 else mask[cell[0], :]
                return (*_cost(values, is_margin, *cell)[:3], not crossing.any(), cell)

            mask[min(free, key=key)] = True
            changed = True
    return changed


def _fill_small_hidden_sums(values, mask, is_margin, min_cell: int) -> bool:
    """Rule 2: in a line with a published total, the hidden entries add up to >= min_cell."""
    changed = False
    for axis in (0, 1):
        for line in range(values.shape[axis]):
            cells = _line_cells(axis, line, values.shape)
            total = cells[-1]
            if mask[total]:
                continue  # the amount left for the hidden entries is not published
            hidden = [c for c in cells[:-1] if mask[c]]
            if not hidden or sum(values[c] for c in hidden) >= min_cell:
                continue
            free = [c for c in cells[:-1] if not mask[c] and values[c] > 0]
            if free:
                mask[min(free, key=lambda c: _cost(values, is_margin, *c))] = True
            else:
                mask[total] = True
            changed = True
    return changed


def _close_bridge(values, mask, is_margin) -> bool:
    """Rule 3: suppress the cheapest entry that closes a cycle through the first bridge."""
    bridges = _bridges(mask)
    if not bridges:
        return False
    adj_rows: dict[int, set[int]] = {}
    adj_cols: dict[int, set[int]] = {}
    for r, c in zip(*np.nonzero(mask), strict=True):
        adj_rows.setdefault(int(r), set()).add(int(c))
        adj_cols.setdefault(int(c), set()).add(int(r))
    r0, c0 = bridges[0]
    side_r, side_c = _components_without(adj_rows, adj_cols, (r0, c0))
    # the other side: everything reachable from c0 without the bridge
    other_r, other_c = set(), {c0}
    stack = [("c", c0)]
    while stack:
        kind, node = stack.pop()
        if kind == "c":
            for r in adj_cols.get(node, ()):
                if (r, node) == (r0, c0) or r in other_r:
                    continue
                other_r.add(r)
                stack.append(("r", r))
        else:
            for c in adj_rows.get(node, ()):
                if (node, c) == (r0, c0) or c in other_c:
                    continue
                other_c.add(c)
                stack.append(("c", c))
    candidates = [(i, j) for i in side_r for j in other_c if not mask[i, j]]
    candidates += [(i, j) for i in other_r for j in side_c if not mask[i, j]]
    if not candidates:  # cannot happen on a full grid; stop rather than loop
        return False
    mask[min(candidates, key=lambda cell: _cost(values, is_margin, *cell))] = True
    return True


def _equations(shape: tuple[int, int]) -> np.ndarray:
    """Line equations of a full table (margins last): inner entries minus total equal zero."""
    nr, nc = shape
    rows = []
    for axis in (0, 1):
        for line in range(shape[axis]):
            a = np.zeros((nr, nc))
            cells = _line_cells(axis, line, shape)
            for cell in cells[:-1]:
                a[cell] = 1.0
            a[cells[-1]] = -1.0
            rows.append(a.ravel())
    return np.array(rows)


def feasible_intervals(
    values: np.ndarray, mask: np.ndarray, cells: np.ndarray | None = None
) -> dict[tuple[int, int], tuple]:
    """Integer interval ``(lo, hi)`` a reader can prove for every suppressed entry.

    *values* is a full table with margins (last row and column), *mask* marks the suppressed
    entries. The bounds come from linear programming over all line equations with non-negative
    counts, rounded inwards to integers; ``hi`` is ``inf`` when unbounded. *cells* (a boolean
    array like *mask*) limits which suppressed entries are bounded.

    >>> full = table_with_margins(pd.DataFrame([[3, 10], [10, 10]])).to_numpy(dtype=float)
    >>> hidden = np.zeros(full.shape, dtype=bool)
    >>> hidden[:2, :2] = True
    >>> feasible_intervals(full, hidden)[(0, 0)]
    (0, 13)
    >>> hidden[1, :2] = False  # a single hidden row: the column totals pin it
    >>> feasible_intervals(full, hidden)
    {(0, 0): (3, 3), (0, 1): (10, 10)}
    """
    bound = _bounder(values, mask)
    wanted = mask if cells is None else mask & np.asarray(cells, dtype=bool)
    return {
        (int(i), int(j)): (bound((i, j), upper=False), bound((i, j), upper=True))
        for i, j in np.argwhere(wanted)
    }


def _bounder(values: np.ndarray, mask: np.ndarray):
    """``bound(cell, upper)``: the provable integer lower/upper bound of a suppressed entry."""
    from scipy.optimize import linprog

    a = _equations(values.shape)
    flat_mask = mask.ravel()
    unknown = np.flatnonzero(flat_mask)
    position = {int(k): pos for pos, k in enumerate(unknown)}
    a_u = a[:, unknown]
    b = -a[:, ~flat_mask] @ values.ravel()[~flat_mask]
    keep = np.any(a_u != 0, axis=1)
    a_u, b = a_u[keep], b[keep]
    bounds = [(0, None)] * unknown.size

    def bound(cell, upper: bool):
        c = np.zeros(unknown.size)
        c[position[int(cell[0]) * values.shape[1] + int(cell[1])]] = -1.0 if upper else 1.0
        res = linprog(c, A_eq=a_u, b_eq=b, bounds=bounds, method="highs")
        if res.status != 0:  # unbounded above (the true table is always feasible)
            return float("inf") if upper else 0
        return int(np.floor(-res.fun + 1e-6)) if upper else int(np.ceil(res.fun - 1e-6))

    return bound


def _exposed(values, mask, sensitive, min_cell: int, low: int) -> list[tuple[int, int]]:
    """Suppressed entries a reader can pin down (rule 4), sensitive ones first.

    The true table is feasible, so the upper bound decides most cases with one LP: a sensitive
    entry whose upper bound reaches ``min_cell`` is safe, and so is any entry whose upper bound
    exceeds its value.
    """
    bound = _bounder(values, mask)
    out = []
    for i, j in np.argwhere(mask & (sensitive | (values > 0))):
        cell = (int(i), int(j))
        hi = bound(cell, upper=True)
        if sensitive[cell] and hi <= min_cell - 1:
            if bound(cell, upper=False) >= low:
                out.append(cell)
        elif hi <= values[cell] and bound(cell, upper=False) >= values[cell]:
            out.append(cell)
    return sorted(out, key=lambda cell: (not sensitive[cell], cell))


def _protect(
    values: np.ndarray,
    mask: np.ndarray,
    is_margin: np.ndarray,
    min_cell: int,
    suppress_zeros: bool = False,
) -> np.ndarray:
    """Complementary suppression on a full table (margins included) until stable."""
    sensitive = mask.copy()
    mask = mask.copy()
    low = 0 if suppress_zeros else 1
    for _ in range(2 * mask.size + 2):
        for _ in range(mask.size + 1):
            if _close_single_lines(values, mask, is_margin):
                continue
            if _fill_small_hidden_sums(values, mask, is_margin, min_cell):
                continue
            if not _close_bridge(values, mask, is_margin):
                break
        exposed = _exposed(values, mask, sensitive, min_cell, low)
        if not exposed:
            break
        cell = exposed[0]
        free = [c for c in _line_cells(0, cell[0], values.shape) if not mask[c]]
        free += [c for c in _line_cells(1, cell[1], values.shape) if not mask[c]]
        if not free:  # widen anywhere: the all-suppressed table bounds nothing
            free = [tuple(c) for c in np.argwhere(~mask)]
        if not free:
            break
        mask[min(free, key=lambda c: _cost(values, is_margin, *c))] = True
    return mask


def suppression_mask(
    table: pd.DataFrame,
    min_cell: int,
    *,
    margins: bool = True,
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Boolean mask (True = suppress) for a two-way count table, margins included.

    Returns a frame shaped like :func:`table_with_margins` (``Totalt`` row and column) when
    ``margins=True``, otherwise shaped like *table*. The computation always includes the
    totals, see the module docstring.

    >>> t = pd.DataFrame({"Ja": [6, 2, 7], "Nej": [9, 8, 10]}, index=["a", "b", "c"])
    >>> suppression_mask(t, 5, margins=False)
          Ja    Nej
    a   True   True
    b   True   True
    c  False  False
    """
    t = pd.DataFrame(table, copy=True)
    full = table_with_margins(t)
    values = full.to_numpy(dtype=float)
    _check_counts(values)
    is_margin = np.zeros(values.shape, dtype=bool)
    is_margin[-1, :] = True
    is_margin[:, -1] = True
    mask = _primary(values, min_cell, suppress_zeros)
    if mask.any():
        mask = _protect(values, mask, is_margin, min_cell, suppress_zeros)
    out = pd.DataFrame(mask, index=full.index, columns=full.columns)
    if not margins:
        out = out.iloc[:-1, :-1]
    return out


def suppress_table(
    table: pd.DataFrame,
    min_cell: int,
    *,
    margins: bool = True,
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """A count table ready for publication: small counts and their complements shown as "–".

    Parameters
    ----------
    table : pandas.DataFrame
        Non-negative counts (rows × columns), without totals.
    min_cell : int
        Smallest count that may be shown (the reports' ``min_cell`` parameter, default 5).
    margins : bool
        Show a ``Totalt`` row and column (the totals are protected either way).
    suppress_zeros : bool
        Treat zeros as small counts too (default: zeros are published).

    Returns
    -------
    pandas.DataFrame
        Object dtype; suppressed entries are ``"–"``, the rest ints.

    Examples
    --------
    >>> t = pd.DataFrame({"Ja": [6, 2, 7], "Nej": [9, 8, 10]}, index=["a", "b", "c"])
    >>> suppress_table(t, 5)
            Ja Nej Totalt
    a        –   –     15
    b        –   –     10
    c        7  10     17
    Totalt  15  27     42
    """
    full = table_with_margins(pd.DataFrame(table, copy=True))
    mask = suppression_mask(table, min_cell, margins=True, suppress_zeros=suppress_zeros)
    out = full.astype(object)
    out = out.mask(mask.to_numpy(), SUPPRESSED)
    out = out.map(lambda v: v if v == SUPPRESSED else int(v)).astype(object)
    if not margins:
        out = out.iloc[:-1, :-1]
    return out
