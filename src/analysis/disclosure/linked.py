"""Complementary suppression across published sums: :func:`linked_mask` and the equations of
hierarchies (municipality → group, organisation type → sector)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def _mask(counts: pd.Series, min_cell: int, total: int) -> pd.Series:
    from analysis.disclosure.suppression import series_mask

    return series_mask(counts, min_cell, total=total)


def _determined(matrix: np.ndarray, col: int) -> bool:
    """Whether unknown *col* is fixed by the equations ``matrix @ x = known`` (rank test)."""
    if matrix.size == 0:
        return False
    unit = np.zeros((1, matrix.shape[1]))
    unit[0, col] = 1.0
    rank = np.linalg.matrix_rank(matrix)
    return bool(np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank)


def linked_mask(
    counts: pd.Series,
    hidden: pd.Series,
    equations: Sequence[Mapping[object, float]],
    min_cell: int,
) -> pd.Series:
    """Extend *hidden* until no small count can be solved from the published sums.

    Each equation maps cells of *counts* to coefficients and says that ``sum(coef * count)`` is
    published (directly, as a share of a known *n*, or as another shown cell, e.g. a group
    total written ``{"K1": 1, "Umeå": -1, "Vännäs": -1} = 0``). A hidden count ``0 < k <
    min_cell`` is *exposed* when the shown counts and the equations fix its value exactly
    (a rank test on the equations restricted to the hidden cells). While some count is
    exposed, the smallest shown count (non-zero before zero) that shares an equation with it
    is hidden too — preferring one that removes the exposure at once. This is the
    complementary suppression of :mod:`analysis.disclosure.suppression` generalised to overlapping sums.

    Parameters
    ----------
    counts : pandas.Series
        Non-negative counts, unique index.
    hidden : pandas.Series
        Boolean, same index: the cells already hidden (primary suppression included).
    equations : sequence of mapping
        Published linear combinations of the counts.
    min_cell : int
        Smallest count that may be shown.

    Returns
    -------
    pandas.Series
        The extended mask (a new Series).

    Examples
    --------
    A scale whose agree group (4 + 5) is published: hiding only 1 and its smallest
    complement 3 would leave 1 = group(1, 2) − 2.

    >>> c = pd.Series({"1": 2, "2": 6, "3": 5, "4": 7, "5": 8})
    >>> h = pd.Series([True, False, True, False, False], index=c.index)
    >>> groups = [{"1": 1, "2": 1}, {"3": 1}, {"4": 1, "5": 1}, dict.fromkeys(c.index, 1)]
    >>> linked_mask(c, h, groups, 5).tolist()
    [True, True, True, False, False]
    """
    values = pd.Series(counts).astype("int64")
    mask = pd.Series(hidden, copy=True).reindex(values.index, fill_value=False).astype(bool)
    labels = list(values.index)
    pos = {label: i for i, label in enumerate(labels)}
    full = np.zeros((len(equations), len(labels)))
    for row, eq in enumerate(equations):
        for label, coef in eq.items():
            if label in pos:
                full[row, pos[label]] = float(coef)
    small = [i for i, v in enumerate(values.to_numpy()) if 0 < v < min_cell]

    def exposed(m: np.ndarray) -> list[int]:
        cols = np.flatnonzero(m)
        sub = full[:, cols]
        where = {c: j for j, c in enumerate(cols)}
        return [i for i in small if m[i] and _determined(sub, where[i])]

    m = mask.to_numpy().copy()
    for _ in range(len(labels) + 1):
        bad = exposed(m)
        if not bad:
            break
        i = bad[0]
        related = {j for row in full if row[i] != 0 for j in np.flatnonzero(row)}
        candidates = [j for j in range(len(labels)) if not m[j] and j in related] or [
            j for j in range(len(labels)) if not m[j]
        ]
        if not candidates:
            break
        candidates.sort(key=lambda j: (values.iloc[j] == 0, values.iloc[j], j))
        choice = candidates[0]
        for j in candidates:
            trial = m.copy()
            trial[j] = True
            if i not in exposed(trial):
                choice = j
                break
        m[choice] = True
    return pd.Series(m, index=values.index, dtype=bool)


def _hierarchy_equations(
    wide: pd.DataFrame, fine: str, coarse: str, fine_key, coarse_key
) -> list[dict]:
    """``group = sum(members)`` for every coarse value whose rows are exactly some fine values.

    *fine_key* / *coarse_key* turn a value into the cell label used by :func:`linked_mask`.
    """
    pairs = wide[[fine, coarse]].dropna().astype(str)
    fine_all = wide[fine].dropna().astype(str).value_counts()
    eqs = []
    for group, rows in pairs.groupby(coarse, sort=True):
        members = rows[fine].value_counts()
        if all(int(fine_all.get(m, 0)) == int(k) for m, k in members.items()):
            eq = {coarse_key(group): 1.0}
            eq.update({fine_key(m): -1.0 for m in members.index})
            eqs.append(eq)
    return eqs


def _joint_masks(
    fine: pd.Series,
    fine_hidden: pd.Series,
    coarse: pd.Series,
    coarse_hidden: pd.Series,
    equations: Sequence[Mapping],
    min_cell: int,
) -> tuple[pd.Series, pd.Series]:
    """Protect two published one-way tables of the same people, one a grouping of the other."""
    keys_f = [("f", str(i)) for i in fine.index]
    keys_c = [("c", str(i)) for i in coarse.index]
    counts = pd.Series(
        list(fine.astype("int64")) + list(coarse.astype("int64")),
        index=pd.Index(keys_f + keys_c, tupleize_cols=False),
    )
    hidden = pd.Series(
        list(fine_hidden.astype(bool)) + list(coarse_hidden.astype(bool)), index=counts.index
    )
    eqs = [dict.fromkeys(keys_f, 1.0), dict.fromkeys(keys_c, 1.0), *equations]
    joint = linked_mask(counts, hidden, eqs, min_cell).to_numpy()
    n_f = len(keys_f)
    return (
        pd.Series(joint[:n_f], index=fine.index, dtype=bool),
        pd.Series(joint[n_f:], index=coarse.index, dtype=bool),
    )
