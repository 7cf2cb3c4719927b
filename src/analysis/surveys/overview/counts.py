"""Counts, shares and hidden cells per question — the one disclosure decision the overview and
the survey's own report share."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.disclosure.audience import check_audience
from analysis.disclosure.linked import _mask  # noqa: F401
from analysis.report import html as render
from analysis.surveys.overview.access import (  # noqa: F401
    SUPPRESSED,
    _check_min_cell,
    _codebook,
    _get,
    _labels,
    _non_substantive,
    _wide,
    frame_size,
)


def _category_counts(series: pd.Series, labels: Sequence[str]) -> pd.Series:
    values = series.dropna().astype(str)
    counts = values.value_counts()
    order = list(labels) + sorted(c for c in counts.index if c not in labels)
    return counts.reindex(order, fill_value=0).astype("int64")


def _share_rows(counts: pd.Series, n: int, population: int | None) -> pd.DataFrame:
    from analysis.stats import share_table

    pop = population if population is not None and population >= n else None
    return share_table(counts, n, population=pop)


def _format_rows(table: pd.DataFrame, hidden: pd.Series | None) -> pd.DataFrame:
    """Share table → display frame (Antal, Andel, 95 % KI) with hidden rows as "–"."""
    out = pd.DataFrame(index=table.index)
    out.index.name = "Svar"
    out["Antal"] = [render.fmt_number(v) for v in table["antal"]]
    out["Andel"] = [render.percent(v) for v in table["andel"]]
    out["95 % konfidensintervall"] = [
        render.fmt_ci(lo, hi) for lo, hi in zip(table["ki_lag"], table["ki_hog"], strict=True)
    ]
    if hidden is not None:
        for idx in hidden.index[hidden.to_numpy()]:
            out.loc[idx, :] = SUPPRESSED
    return out


def single_shares(
    ds, q, *, audience: str = "public", min_cell: int = 5
) -> tuple[pd.DataFrame, pd.Series]:
    """Numeric share table (``antal, andel, ki_lag, ki_hog``) and the mask of hidden rows.

    Substantive answers get a share of the substantive answers with a Wilson interval (FPC when
    the frame size is known); non-substantive answers ("Vet ej") get a count only. The mask is
    all False for ``internal``.

    In public, a share of the substantive answers reveals their total, so the substantive cells
    are protected against that total. When a non-substantive count would itself be suppressed,
    that total must stay hidden too: the shares are then taken of *all* answers (the table's
    ``attrs["base"]`` says ``"alla"`` instead of ``"ställningstagande"``) and every row is
    protected against the number of answers.

    >>> from types import SimpleNamespace as NS
    >>> q = NS(id="q", options=[NS(label="Nej"), NS(label="Ja"), NS(label="Vet ej")], non_substantive=["Vet ej"])
    >>> wide = pd.DataFrame({"q": ["Ja"] * 9 + ["Nej"] * 6 + ["Vet ej"] * 2})
    >>> ds = NS(wide=wide, codebook=NS(frame=None))
    >>> t, hidden = single_shares(ds, q, audience="public", min_cell=5)
    >>> t.attrs["base"], t["antal"].tolist(), hidden.tolist()
    ('alla', [6, 9, 2], [True, False, True])
    >>> t, hidden = single_shares(ds, q, audience="internal")
    >>> t.attrs["base"], [round(x, 2) for x in t["andel"][:2]]
    ('ställningstagande', [0.4, 0.6])
    """
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    wide = _wide(ds)
    ns = _non_substantive(q)
    counts = _category_counts(wide[_get(q, "id")], _labels(q))
    n_total = int(counts.sum())
    population = frame_size(_codebook(ds))
    ns_labels = [c for c in counts.index if c in ns]
    sub_labels = [c for c in counts.index if c not in ns]
    small_ns = any(0 < int(counts[c]) < min_cell for c in ns_labels)
    if audience == "public" and small_ns:
        table = _share_rows(counts, n_total, population)
        table.attrs["base"] = "alla"
        return table, _mask(table["antal"], min_cell, n_total)
    substantive = counts[sub_labels]
    table = _share_rows(substantive, int(substantive.sum()), population)
    for label in ns_labels:
        table.loc[label] = [int(counts[label]), float("nan"), float("nan"), float("nan")]
    table["antal"] = table["antal"].astype("int64")
    table.attrs["base"] = "ställningstagande"
    hidden = pd.Series(False, index=table.index)
    if audience == "public":
        sub_mask = _mask(substantive, min_cell, int(substantive.sum()))
        hidden.loc[sub_mask.index] = sub_mask.to_numpy()
    return table, hidden


def _base_phrase(table: pd.DataFrame, ns: Sequence[str]) -> str:
    if table.attrs.get("base") == "alla":
        return (
            "Andelarna räknas på alla svar"
            + (f" (inklusive {', '.join(ns)})" if ns else "")
            + ", eftersom antalet som inte tog ställning är för litet för att redovisas."
        )
    return "Andelarna räknas på dem som tog ställning" + (
        f" (utan {', '.join(ns)})." if ns else "."
    )


def single_table(ds, q, *, audience: str = "public", min_cell: int = 5) -> pd.DataFrame:
    """Display table (Antal, Andel, 95 % konfidensintervall) for ``single`` / ``org_type`` / ``likert``."""
    table, hidden = single_shares(ds, q, audience=audience, min_cell=min_cell)
    return _format_rows(table, hidden)


def _multi_columns(wide: pd.DataFrame, q) -> dict[str, str]:
    qid = _get(q, "id")
    out = {}
    for o in _get(q, "options") or []:
        col = f"{qid}__{_get(o, 'code')}"
        if col in wide.columns:
            out[str(_get(o, "label"))] = col
    return out


def multi_shares(
    ds, q, *, audience: str = "public", min_cell: int = 5
) -> tuple[pd.DataFrame, pd.Series, int]:
    """Numeric share table per option, the mask of hidden rows and *n* (who ticked anything).

    In public, an option is hidden exactly when the number who ticked it is ``0 < k <
    min_cell``. The number who did not tick it (``n - k``) is no cell of any published table,
    so an option ticked by, say, 8 of 12 is shown even though only 4 did not tick it — the
    same rule as the partner report's "8 av 12 (67 %)". The option counts do not add up to
    *n* (several options can be ticked), so there is no sum to protect.

    >>> from types import SimpleNamespace as NS
    >>> q = NS(id="q", options=[NS(code="a", label="A"), NS(code="b", label="B")])
    >>> wide = pd.DataFrame({"q__a": [True] * 8 + [False] * 4, "q__b": [False] * 8 + [True] * 4})
    >>> table, hidden, n = multi_shares(NS(wide=wide, codebook=NS(frame=None)), q, min_cell=5)
    >>> n, table["antal"].tolist(), hidden.tolist()
    (12, [8, 4], [False, True])
    """
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    wide = _wide(ds)
    cols = _multi_columns(wide, q)
    ticks = pd.DataFrame(
        {label: wide[col].fillna(False).astype(bool) for label, col in cols.items()},
        index=wide.index,
    )
    answered = ticks.any(axis=1)
    n = int(answered.sum())
    counts = ticks[answered].sum(axis=0).astype("int64")
    table = _share_rows(counts, n, frame_size(_codebook(ds)))
    flags = [audience == "public" and bool(0 < k < min_cell) for k in counts.to_numpy()]
    return table, pd.Series(flags, index=counts.index, dtype=bool), n


def multi_table(ds, q, *, audience: str = "public", min_cell: int = 5) -> tuple[pd.DataFrame, int]:
    """Display table for a multiple-choice question and *n* (respondents who ticked anything)."""
    table, hidden, n = multi_shares(ds, q, audience=audience, min_cell=min_cell)
    out = _format_rows(table, hidden)
    out.index.name = "Alternativ"
    return out, n


def likert_counts(ds, q) -> pd.Series:
    """Counts per scale label (low → high, then non-substantive) for a Likert question."""
    return _category_counts(_wide(ds)[_get(q, "id")], _labels(q))


def _collapse_likert(counts: pd.Series, order: Sequence[str]) -> tuple[pd.Series, list[str]]:
    """Collapse a scale to disagree / neutral / agree (non-substantive kept)."""
    k = len(order)
    low, high = order[: k // 2], order[(k + 1) // 2 :]
    mid = [order[k // 2]] if k % 2 == 1 else []
    groups = {"Instämmer inte (" + ", ".join(low) + ")": low}
    if mid:
        groups[mid[0]] = mid
    groups["Instämmer (" + ", ".join(high) + ")"] = high
    collapsed = {g: int(counts[list(members)].sum()) for g, members in groups.items()}
    for c in counts.index:
        if c not in order:
            collapsed[c] = int(counts[c])
    return pd.Series(collapsed, dtype="int64"), list(groups)


def _likert_equations(
    labels: Sequence[str], order: Sequence[str], *, drawn: bool
) -> list[dict[str, float]]:
    """The sums of a Likert table that are published somewhere.

    The number of answers, the number who took a stand (the base of the shares), the agree
    and the disagree groups (the chart's alt text; the partner report's "instämmer helt eller
    delvis, k av n") and — when the collapsed chart is drawn — every group of that chart.
    """
    k = len(order)
    low, high = list(order[: k // 2]), list(order[(k + 1) // 2 :])
    mid = [order[k // 2]] if k % 2 == 1 else []
    eqs = [dict.fromkeys(labels, 1.0), dict.fromkeys(order, 1.0)]
    for group in (low, high) if not drawn else (low, mid, high):
        if len(group) > 1 or drawn:
            eqs.append(dict.fromkeys(group, 1.0))
    return [eq for eq in eqs if eq]


def text_answers(ds, q) -> list[str]:
    """Non-empty free-text answers of a question, in respondent order."""
    s = _wide(ds)[_get(q, "id")]
    return [str(v).strip() for v in s.dropna().astype(str) if str(v).strip()]
