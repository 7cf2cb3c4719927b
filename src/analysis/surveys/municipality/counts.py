"""Counting municipalities: themes, priorities, theme pairs, 5.3 sub-areas and K1/K2/K3 groups.

Every function returns numbers (``int`` columns, or ``float`` with ``NaN`` where disclosure
control hides a cell) with Swedish row and column labels, ready for a
:class:`~analysis.report.section.Section` table. None of them modifies its input.

Disclosure control is the survey's policy, applied with the shared
:mod:`analysis.disclosure.suppression` (:func:`hide_small`): the municipality survey is a census
of public bodies (``min_cell: 1``), so the public report shows exact counts; a higher
``min_cell`` hides small counts — and, where a reader knows the line totals, the counts that
would give them away — as ``NaN``.

>>> m = pd.DataFrame({"x": [1, 1, 0], "y": [0, 1, 0]}, index=["A", "B", "C"])
>>> theme_counts(m, {"x": "Ex", "y": "Ypsilon"})["Antal kommuner"].to_dict()
{'Ex': 2, 'Ypsilon': 1}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.surveys.municipality.data import INFRA_SUBAREAS

__all__ = [
    "GROUPS",
    "cooccurrence",
    "group_table",
    "hide_small",
    "infrastructure_table",
    "priority_ranking",
    "theme_counts",
    "top_pairs",
]

GROUPS: dict[str, str] = {
    "K1": "K1 Umeå",
    "K2": "K2 Pendlingsnära",
    "K3": "K3 Övriga",
}
"""Seed 004's municipality categories applied to Västerbotten (``pendlingskategori`` in
``data/raw/reference/municipalities.csv``): K1 the county's largest municipality, K2 within
about 45 minutes by car of it, K3 the rest."""


def hide_small(
    table: pd.DataFrame | pd.Series, min_cell: int, *, totals_known: bool = False
) -> pd.DataFrame | pd.Series:
    """Counts as floats with the cells disclosure control hides set to ``NaN``.

    ``min_cell <= 1`` hides nothing. Otherwise counts ``0 < n < min_cell`` are hidden with
    :func:`analysis.disclosure.suppression.series_mask` (one-way) or
    :func:`~analysis.disclosure.suppression.suppression_mask` (two-way). With *totals_known*
    (a reader knows what each row adds up to, e.g. every actor row sums to the municipalities
    that answered) the shared complementary suppression protects those sums as well.

    >>> t = pd.DataFrame({"Bra": [1, 10], "Dåligt": [14, 5]}, index=["a", "b"])
    >>> hide_small(t, 5, totals_known=True).to_dict("index")
    {'a': {'Bra': nan, 'Dåligt': nan}, 'b': {'Bra': nan, 'Dåligt': nan}}
    >>> hide_small(pd.Series({"x": 3, "y": 9}), 5).tolist()
    [nan, 9.0]
    >>> hide_small(t, 1).to_dict("index")["a"]
    {'Bra': 1.0, 'Dåligt': 14.0}
    """
    from analysis.disclosure.suppression import series_mask, suppression_mask

    values = table.astype(float)
    if min_cell <= 1 or values.size == 0:
        return values
    if isinstance(values, pd.Series):
        return values.mask(series_mask(table, min_cell).to_numpy())
    if totals_known:
        mask = suppression_mask(table, min_cell, margins=False)
    else:
        mask = (values > 0) & (values < min_cell)
    return values.mask(mask.to_numpy())


def theme_counts(
    matrix: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    drop_zero: bool = True,
    exclude: Sequence[str] = (),
) -> pd.DataFrame:
    """Number of municipalities per theme, most frequent first (ties: codebook order).

    Index ``Tema`` (label) and one column ``Antal kommuner`` (int); the theme ids, in the same
    order, are in ``attrs["ids"]``.

    >>> m = pd.DataFrame({"x": [1, 1, 0], "y": [0, 1, 0], "z": [0, 0, 0]}, index=["A", "B", "C"])
    >>> t = theme_counts(m, {"x": "Ex", "y": "Ypsilon", "z": "Zeta"})
    >>> t.index.tolist(), t.attrs["ids"]
    (['Ex', 'Ypsilon'], ['x', 'y'])
    """
    cols = [c for c in matrix.columns if c not in set(exclude)]
    counts = matrix[cols].sum(axis=0).astype("int64")
    order = {t: i for i, t in enumerate(cols)}
    df = pd.DataFrame({"tema": cols, "antal": counts.to_numpy()})
    if drop_zero:
        df = df[df["antal"] > 0]
    df = df.assign(_o=df["tema"].map(order))
    df = df.sort_values(["antal", "_o"], ascending=[False, True], kind="mergesort")
    out = pd.DataFrame(
        {"Antal kommuner": df["antal"].to_numpy()},
        index=pd.Index([labels.get(t, t) for t in df["tema"]], name="Tema"),
    )
    out.attrs["ids"] = df["tema"].tolist()
    return out


def priority_ranking(
    matrix: pd.DataFrame, labels: Mapping[str, str], priority_ids: Sequence[str]
) -> pd.DataFrame:
    """Rank the priority areas (Q14) by how many municipalities name them.

    Ties share a place (competition ranking "1, 2, 2, 4"); within a tie the report's order is
    kept; areas nobody named come last with 0. Index ``Prioriterat område``; columns ``Plats``
    and ``Antal kommuner``; ids in ``attrs["ids"]``.

    >>> m = pd.DataFrame({"a": [1, 0, 1], "b": [1, 1, 1], "c": [1, 1, 0]})
    >>> priority_ranking(m, {"a": "A", "b": "B", "c": "C"}, ["a", "b", "c"]).to_dict("list")
    {'Plats': [1, 2, 2], 'Antal kommuner': [3, 2, 2]}
    """
    ids = [t for t in priority_ids if t in matrix.columns]
    counts = [int(matrix[t].sum()) for t in ids]
    df = pd.DataFrame({"tema": ids, "antal": counts, "_o": range(len(ids))})
    df = df.sort_values(["antal", "_o"], ascending=[False, True], kind="mergesort")
    out = pd.DataFrame(
        {
            "Plats": df["antal"].rank(method="min", ascending=False).astype("int64").to_numpy(),
            "Antal kommuner": df["antal"].astype("int64").to_numpy(),
        },
        index=pd.Index([labels.get(t, t) for t in df["tema"]], name="Prioriterat område"),
    )
    out.attrs["ids"] = df["tema"].tolist()
    return out


def cooccurrence(matrix: pd.DataFrame, *, groups: pd.Series | None = None) -> pd.DataFrame:
    """Theme × theme co-occurrence counts (diagonal: the theme itself).

    Without *groups* every row is a unit and a cell counts the rows having both themes. With
    *groups* (one label per row, e.g. the municipality of each answer) a cell counts the groups
    having at least one row with both themes — "municipalities that name both themes in the same
    answer".

    >>> m = pd.DataFrame({"x": [1, 1, 0], "y": [1, 0, 0]})
    >>> cooccurrence(m).to_dict()
    {'x': {'x': 2, 'y': 1}, 'y': {'x': 1, 'y': 1}}
    >>> answers = pd.DataFrame({"x": [1, 0, 1], "y": [0, 1, 1]})
    >>> cooccurrence(answers, groups=pd.Series(["A", "A", "B"])).to_dict()
    {'x': {'x': 2, 'y': 1}, 'y': {'x': 1, 'y': 2}}
    """
    m = (matrix.to_numpy() > 0).astype("int64")
    cols = list(matrix.columns)
    if groups is None:
        arr = m.T @ m
    else:
        g = pd.Series(groups).to_numpy()
        arr = np.zeros((len(cols), len(cols)), dtype="int64")
        for label in pd.unique(g):
            b = m[g == label]
            arr += ((b.T @ b) > 0).astype("int64")
    return pd.DataFrame(arr, index=cols, columns=cols)


def top_pairs(co: pd.DataFrame, labels: Mapping[str, str], *, k: int = 8) -> pd.DataFrame:
    """The *k* theme pairs named together by most municipalities (upper triangle only).

    Index: ``Temapar`` ("A + B"); column ``Antal kommuner``. Ties are broken by the codebook
    order of the pair, pairs with zero are left out.

    >>> co = pd.DataFrame([[3, 2, 1], [2, 2, 0], [1, 0, 1]], index=list("xyz"), columns=list("xyz"))
    >>> top_pairs(co, {"x": "X", "y": "Y", "z": "Z"}).to_dict("index")
    {'X + Y': {'Antal kommuner': 2}, 'X + Z': {'Antal kommuner': 1}}
    """
    cols = list(co.columns)
    pairs = [
        (int(co.iat[i, j]), i, j)
        for i in range(len(cols))
        for j in range(i + 1, len(cols))
        if co.iat[i, j] > 0
    ]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    pairs = pairs[:k]
    return pd.DataFrame(
        {"Antal kommuner": [n for n, _, _ in pairs]},
        index=pd.Index(
            [
                f"{labels.get(cols[i], cols[i])} + {labels.get(cols[j], cols[j])}"
                for _, i, j in pairs
            ],
            name="Temapar",
        ),
    )


def infrastructure_table(
    sentences: pd.DataFrame,
    municipalities: Sequence[str],
    subareas: Mapping[str, str] = INFRA_SUBAREAS,
) -> pd.DataFrame:
    """Sub-area × {Tar upp området, Möjlighet, Utmaning}: number of municipalities.

    A municipality counts under "Möjlighet" when at least one of its sentences about the
    sub-area is positive by :func:`analysis.text.quotes.polarity` (the main clause decides: "Det
    finns gott om el men nätet räcker inte till" is a challenge), under "Utmaning" when one is
    critical; it can count under both, or under neither.

    >>> s = pd.DataFrame({"kommun": ["A", "A", "B"],
    ...     "text": ["Bra vägar.", "Det finns gott om el men nätet räcker inte till.",
    ...              "Elnätet är en styrka."],
    ...     "infra_transport": [1, 0, 0], "infra_energi": [0, 1, 1]})
    >>> infrastructure_table(s, ["A", "B"], {"infra_transport": "Transport",
    ...                                      "infra_energi": "Energi"}).to_dict("index")
    {'Transport': {'Tar upp området': 1, 'Möjlighet': 1, 'Utmaning': 0}, 'Energi': {'Tar upp området': 2, 'Möjlighet': 1, 'Utmaning': 1}}
    """
    from analysis.text.quotes import polarity

    cols = ["Tar upp området", "Möjlighet", "Utmaning"]
    rows = []
    valid = set(municipalities)
    pol = sentences["text"].map(polarity) if len(sentences) else pd.Series(dtype=str)
    for tid, label in subareas.items():
        if sentences.empty or tid not in sentences.columns:
            rows.append((label, 0, 0, 0))
            continue
        hit = (sentences[tid] == 1) & sentences["kommun"].isin(valid)
        mention = sentences.loc[hit, "kommun"].nunique()
        opp = sentences.loc[hit & (pol == "positiv"), "kommun"].nunique()
        chal = sentences.loc[hit & (pol == "kritisk"), "kommun"].nunique()
        rows.append((label, int(mention), int(opp), int(chal)))
    df = pd.DataFrame(rows, columns=["Delområde", *cols]).set_index("Delområde")
    return df.astype("int64")


def group_table(
    matrix: pd.DataFrame,
    groups: pd.Series,
    labels: Mapping[str, str],
    *,
    group_labels: Mapping[str, str] = GROUPS,
    themes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Theme × K1/K2/K3: how many municipalities of each group name the theme.

    *matrix* is municipality × theme (0/1), *groups* the category (``K1`` …) per municipality.
    Column headers carry the group sizes ("K2 Pendlingsnära (5)"), the last column is the
    county ("Länet (15)"). Rows: the themes in *themes* (default: all), most frequent first;
    themes nobody names are left out. The group sizes are in ``attrs["sizes"]``.

    >>> m = pd.DataFrame({"x": [1, 1, 0, 1], "y": [0, 1, 0, 0]}, index=list("abcd"))
    >>> g = pd.Series(["K1", "K2", "K3", "K3"], index=list("abcd"))
    >>> group_table(m, g, {"x": "X", "y": "Y"}).to_dict("index")
    {'X': {'K1 Umeå (1)': 1, 'K2 Pendlingsnära (1)': 1, 'K3 Övriga (2)': 1, 'Länet (4)': 3}, 'Y': {'K1 Umeå (1)': 0, 'K2 Pendlingsnära (1)': 1, 'K3 Övriga (2)': 0, 'Länet (4)': 1}}
    """
    cols = [t for t in (themes if themes is not None else matrix.columns) if t in matrix.columns]
    g = groups.reindex(matrix.index)
    order = [k for k in group_labels if (g == k).any()]
    sizes = {k: int((g == k).sum()) for k in order}
    counts = matrix[cols].groupby(g).sum().T.reindex(columns=order).fillna(0).astype("int64")
    counts["_total"] = matrix[cols].sum(axis=0).astype("int64")
    counts["_o"] = range(len(counts))
    counts = counts[counts["_total"] > 0]
    counts = counts.sort_values(["_total", "_o"], ascending=[False, True], kind="mergesort")
    header = {k: f"{group_labels[k]} ({sizes[k]})" for k in order}
    header["_total"] = f"Länet ({len(matrix)})"
    out = counts.drop(columns="_o").rename(columns=header)
    out.index = pd.Index([labels.get(t, t) for t in out.index], name="Tema")
    out.columns.name = None
    out.attrs["sizes"] = sizes
    out.attrs["ids"] = counts.index.tolist()
    return out
