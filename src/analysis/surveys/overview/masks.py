"""Public masks of the overview's hierarchical tables (municipality → group, type → sector)."""

from __future__ import annotations

import pandas as pd

from analysis.disclosure.linked import _hierarchy_equations, _joint_masks, _mask
from analysis.surveys.overview.access import _get, _non_substantive, _wide
from analysis.surveys.overview.counts import _category_counts, single_shares


def _distribution_counts(ds, column: str) -> pd.Series:
    """Counts per value of a metadata column (only values that occur)."""
    counts = _category_counts(_wide(ds)[column], [])
    return counts[counts > 0]


def _municipality_masks(ds, column: str, min_cell: int) -> tuple[pd.Series, pd.Series | None]:
    """Public masks of the municipality table and the municipality-group table (if any)."""
    wide = _wide(ds)
    fine = _distribution_counts(ds, column)
    fine_hidden = _mask(fine, min_cell, int(fine.sum()))
    if "kommungrupp" not in wide.columns:
        return fine_hidden, None
    coarse = _distribution_counts(ds, "kommungrupp")
    coarse_hidden = _mask(coarse, min_cell, int(coarse.sum()))
    eqs = _hierarchy_equations(wide, column, "kommungrupp", lambda v: ("f", v), lambda v: ("c", v))
    return _joint_masks(fine, fine_hidden, coarse, coarse_hidden, eqs, min_cell)


def _org_sector_masks(ds, q, min_cell: int) -> tuple[pd.Series, pd.Series | None]:
    """Public masks of an organisation-type table and the sector table derived from it."""
    table, hidden = single_shares(ds, q, audience="public", min_cell=min_cell)
    wide = _wide(ds)
    if "sektor" not in wide.columns:
        return hidden, None
    fine = table["antal"]
    coarse = _distribution_counts(ds, "sektor")
    coarse_hidden = _mask(coarse, min_cell, int(coarse.sum()))
    eqs = _hierarchy_equations(
        wide, _get(q, "id"), "sektor", lambda v: ("f", v), lambda v: ("c", v)
    )
    if table.attrs.get("base") == "ställningstagande":
        ns = _non_substantive(q)
        eqs.append({("f", str(c)): 1.0 for c in fine.index if c not in ns})
    return _joint_masks(fine, hidden, coarse, coarse_hidden, eqs, min_cell)
