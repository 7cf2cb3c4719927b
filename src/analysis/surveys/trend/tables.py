"""The comparison tables: per indicator both rounds' shares and the change (independent
samples), and the organisations that answered both rounds (paired), exact and as published."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.surveys.trend.disclosure import SUPPRESSED, _hide_cells, safe_band, share_shown
from analysis.surveys.trend.inference import _boschloo, _proportion, _sign_test

if TYPE_CHECKING:  # pragma: no cover
    from analysis.data.rounds import Pairing
    from analysis.surveys.trend.indicators import Indicator
    from analysis.surveys.trend.model import Round


def _base_counts(ind: Indicator, use_all: bool) -> tuple[pd.Series, pd.Series]:
    """The indicator per respondent on the chosen base: "Vet ej" counts as not-indicator when
    the base is all answers."""
    out = []
    for values, ns in ((ind.a, ind.ns_a), (ind.b, ind.ns_b)):
        v = values.copy()
        if use_all:
            v = v.mask(ns.to_numpy(), False)
        out.append(v)
    return out[0], out[1]


def _indicator_table(
    items: Sequence[Indicator], a: Round, b: Round, policy, confidence: float
) -> tuple[pd.DataFrame, dict[str, tuple[pd.Series, pd.Series]]]:
    rows, used = [], {}
    for ind in items:
        ns = (int(ind.ns_a.sum()), int(ind.ns_b.sum()))
        small_ns = any(0 < x < policy.min_cell for x in ns)
        use_all = policy.suppresses and small_ns
        va, vb = _base_counts(ind, use_all)
        used[ind.id] = (va, vb)
        ka, na = int(va.fillna(False).sum()), int(va.notna().sum())
        kb, nb = int(vb.fillna(False).sum()), int(vb.notna().sum())
        pa, la, ha = _proportion(ka, na, a.frame_size, confidence)
        pb, lb, hb = _proportion(kb, nb, b.frame_size, confidence)
        rows.append(
            {
                "id": ind.id, "concept": ind.concept, "label": ind.label, "group": ind.group,
                "k_a": ka, "n_a": na, "p_a": pa, "low_a": la, "high_a": ha,
                "k_b": kb, "n_b": nb, "p_b": pb, "low_b": lb, "high_b": hb,
                "diff": pb - pa if na and nb else float("nan"),
                "pvalue": _boschloo(ka, na, kb, nb),
                "base": "alla" if use_all else "ställningstagande",
                "ns_a": ns[0], "ns_b": ns[1], "wording_changed": ind.wording_changed,
            }
        )  # fmt: skip
    table = pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()
    return table, used


def _published(table: pd.DataFrame, policy) -> pd.DataFrame:
    """The indicator table with every number the public version may not show as NaN."""
    out = table.copy()
    if out.empty:
        return out
    for side in ("a", "b"):
        ok = [
            share_shown(int(k), int(n), policy)
            for k, n in zip(out[f"k_{side}"], out[f"n_{side}"], strict=True)
        ]
        hide = ~pd.Series(ok, index=out.index)
        for col in (f"k_{side}", f"p_{side}", f"low_{side}", f"high_{side}"):
            out[col] = out[col].astype(float).mask(hide)
        n_hidden = hide & (out[f"n_{side}"] < policy.min_cell) & policy.suppresses
        out[f"n_{side}"] = out[f"n_{side}"].astype(float).mask(n_hidden)
    both = out["p_a"].notna() & out["p_b"].notna()
    out["diff"] = out["diff"].where(both)
    out["pvalue"] = out["pvalue"].where(both)
    for col in ("ns_a", "ns_b"):
        out[col] = float("nan")  # "Vet ej" counts are the overview's business
    return out


def _paired_rows(
    items: Sequence[Indicator], used: Mapping, pairing: Pairing, policy
) -> pd.DataFrame:
    from analysis import stats

    rows = []
    pa_ids, pb_ids = list(pairing.pairs["a"]), list(pairing.pairs["b"])
    for ind in items:
        va, vb = used[ind.id]
        if ind.kind == "ordinal" and ind.ordinal_a is not None:
            xa = ind.ordinal_a.reindex(pa_ids).to_numpy()
            xb = ind.ordinal_b.reindex(pb_ids).to_numpy()
        else:
            xa = va.reindex(pa_ids).astype("Int64").to_numpy()
            xb = vb.reindex(pb_ids).astype("Int64").to_numpy()
        keep = [not (pd.isna(x) or pd.isna(y)) for x, y in zip(xa, xb, strict=True)]
        xa = [int(x) for x, k in zip(xa, keep, strict=True) if k]
        xb = [int(y) for y, k in zip(xb, keep, strict=True) if k]
        n = len(xa)
        up = sum(y > x for x, y in zip(xa, xb, strict=True))
        down = sum(y < x for x, y in zip(xa, xb, strict=True))
        same = n - up - down
        row: dict[str, Any] = {
            "id": ind.id, "label": ind.label, "name": ind.name, "group": ind.group,
            "kind": ind.kind,
            "pairs": n, "up": up, "same": same, "down": down,
            "p_sign": _sign_test(up, down), "p_bowker": float("nan"), "bowker_safe": False,
        }  # fmt: skip
        if ind.kind == "ordinal" and ind.ordinal_a is not None and n:
            k = len(ind.categories)
            table = [[0] * k for _ in range(k)]
            for x, y in zip(xa, xb, strict=True):
                table[x][y] += 1
            res = stats.bowker_exact(table)
            row["p_bowker"] = res.pvalue
            off = [table[i][j] for i in range(k) for j in range(k) if i != j]
            row["bowker_safe"] = all(c == 0 or c >= policy.min_cell for c in off)
        rows.append(row)
    out = pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()
    return out


def _published_paired(paired: pd.DataFrame, policy) -> pd.DataFrame:
    """Paired counts and tests as the report shows them: hidden counts and tests are NaN,
    ``sign_text`` is the sign test as shown (exact, a safe band, or "–")."""
    out = paired.copy()
    if out.empty:
        return out
    counts = ["pairs", "same", "up", "down"]
    out[counts] = out[counts].astype(float)
    texts, signs, bowker = [], [], []
    for idx, r in paired.iterrows():
        n = int(r["pairs"])
        cells = pd.Series({"same": int(r["same"]), "up": int(r["up"]), "down": int(r["down"])})
        if policy.suppresses and n < policy.min_cell:
            out.loc[idx, ["pairs", "same", "up", "down"]] = float("nan")
            texts.append(SUPPRESSED)
            signs.append(float("nan"))
            bowker.append(float("nan"))
            continue
        hidden = _hide_cells(cells, [dict.fromkeys(cells.index, 1)], policy)
        shown = {c: (None if hidden[c] else int(cells[c])) for c in cells.index}
        for c in cells.index:
            if hidden[c]:
                out.loc[idx, c] = float("nan")
        exact, text = safe_band(n, shown, lambda c: _sign_test(c["up"], c["down"]))
        texts.append(text)
        signs.append(float("nan") if exact is None else exact)
        ok = (not policy.suppresses) or (bool(r["bowker_safe"]) and not hidden.any())
        bowker.append(float(r["p_bowker"]) if ok else float("nan"))
    out["sign_text"] = texts
    out["p_sign"] = signs
    out["p_bowker"] = bowker
    return out.drop(columns=["bowker_safe"])
