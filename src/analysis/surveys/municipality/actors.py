"""Section 5.5: how each municipality's collaboration with the authorities works (Q6–Q10).

The stance per municipality and actor comes from :mod:`analysis.text.actors` ("Fungerar bra",
"Blandat", "Behöver förbättras", "Ingen kontakt"); this module counts municipalities.
Every actor row adds up to the municipalities that answered the actor's question.

>>> st = pd.DataFrame({"kommun": ["A", "B"], "actor": ["polisen"] * 2,
...                    "stance": ["fungerar_bra", "ingen_kontakt"]})
>>> actor_stance_counts(st, actor_labels={"polisen": "Polisen"}).loc["Polisen"].tolist()
[1, 0, 0, 1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from analysis.text.actors import ACTORS, STANCES

if TYPE_CHECKING:  # pragma: no cover
    from analysis.text.themes import ThemeCodebook

__all__ = [
    "ACTOR_LABELS",
    "ACTOR_QUESTIONS",
    "STANCE_LABELS",
    "actor_assessments",
    "actor_stance_by_municipality",
    "actor_stance_counts",
    "improvement_counts",
]

STANCE_LABELS: dict[str, str] = STANCES
"""Stance id → Swedish label, in the reports' order (from :mod:`analysis.text.actors`)."""

ACTOR_LABELS: dict[str, str] = {a.id: a.label for a in ACTORS.values()}
"""Actor id → Swedish label, in the report's order (from :mod:`analysis.text.actors`)."""

ACTOR_QUESTIONS: dict[str, tuple[str, ...]] = {
    "q6": ("lansstyrelsen",),
    "q7": ("trafikverket", "luftfartsverket"),
    "q8": ("arbetsformedlingen",),
    "q9": ("polisen", "ekobrottsmyndigheten"),
    "q10": ("universiteten",),
}
"""The actor questions → the actors each one asks about."""


def actor_assessments(
    wide: pd.DataFrame, themes: ThemeCodebook | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Actor stances and named improvement areas for Q6–Q10.

    Returns two long tables: ``stances`` (``kommun``, ``actor``, ``stance``; only actors whose
    question the municipality answered) and ``improvements`` (``kommun``, ``actor``, ``theme``).
    Answers are read through :func:`analysis.surveys.municipality.data.clean_text` (bounded
    length); *wide* is not modified.
    """
    from analysis.surveys.municipality.data import clean_text
    from analysis.text.actors import actor_stances

    df = wide[wide["q1"].notna()].copy()
    df["q1"] = df["q1"].astype(str)
    for q in ACTOR_QUESTIONS:
        if q in df.columns:
            df[q] = [clean_text(v) or None for v in df[q].tolist()]
    st = actor_stances(df, "q1", themes)
    st = st[st["stance"].notna()].rename(columns={"id": "kommun"})
    stances = pd.DataFrame(
        {
            "kommun": st["kommun"].astype(str).to_numpy(),
            "actor": st["actor"].astype(str).to_numpy(),
            "stance": st["stance"].astype(str).to_numpy(),
        }
    )
    rows = [
        (str(r.kommun), str(r.actor), t)
        for r in st.itertuples(index=False)
        for t in str(r.improvement_areas or "").split(";")
        if t
    ]
    return stances, pd.DataFrame(rows, columns=["kommun", "actor", "theme"])


def actor_stance_counts(
    stances: pd.DataFrame,
    *,
    actor_labels: Mapping[str, str] = ACTOR_LABELS,
    stance_labels: Mapping[str, str] = STANCE_LABELS,
) -> pd.DataFrame:
    """Actor × stance: number of municipalities (rows and columns in a fixed order).

    *stances* is long: ``kommun``, ``actor``, ``stance`` (ids). A municipality counts once per
    actor (its first row wins if duplicated). Unknown stances are ignored.

    >>> st = pd.DataFrame({"kommun": ["A", "B", "A"], "actor": ["polisen", "polisen", "trafikverket"],
    ...                    "stance": ["fungerar_bra", "blandat", "ingen_kontakt"]})
    >>> t = actor_stance_counts(st, actor_labels={"polisen": "Polisen", "trafikverket": "Trafikverket"})
    >>> t.index.tolist(), t.columns.tolist()[:2], t.to_numpy().tolist()
    (['Polisen', 'Trafikverket'], ['Fungerar bra', 'Blandat'], [[1, 1, 0, 0], [0, 0, 0, 1]])
    """
    s = stances[stances["stance"].isin(list(stance_labels))]
    s = s.drop_duplicates(["kommun", "actor"], keep="first")
    table = pd.crosstab(s["actor"], s["stance"]) if len(s) else pd.DataFrame()
    table = table.reindex(index=list(actor_labels), columns=list(stance_labels), fill_value=0)
    table = table.fillna(0).astype("int64")
    table.index = pd.Index([actor_labels[a] for a in table.index], name="Aktör")
    table.columns = [stance_labels[c] for c in table.columns]
    return table


def actor_stance_by_municipality(
    stances: pd.DataFrame,
    municipalities: Sequence[str],
    *,
    actor_labels: Mapping[str, str] = ACTOR_LABELS,
    stance_labels: Mapping[str, str] = STANCE_LABELS,
) -> pd.DataFrame:
    """Municipality × actor with the stance label in each cell (internal version only).

    >>> st = pd.DataFrame({"kommun": ["A"], "actor": ["polisen"], "stance": ["blandat"]})
    >>> actor_stance_by_municipality(st, ["A", "B"], actor_labels={"polisen": "Polisen"}).to_dict()
    {'Polisen': {'A': 'Blandat', 'B': 'Ej svarat'}}
    """
    s = stances.drop_duplicates(["kommun", "actor"], keep="first")
    wide = s.pivot(index="kommun", columns="actor", values="stance") if len(s) else pd.DataFrame()
    wide = wide.reindex(index=list(municipalities), columns=list(actor_labels))
    wide = wide.map(
        lambda v: stance_labels.get(v, "Ej svarat") if isinstance(v, str) else "Ej svarat"
    )
    wide.index = pd.Index(list(municipalities), name="Kommun")
    wide.columns = [actor_labels[a] for a in wide.columns]
    return wide


def improvement_counts(
    improvements: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    actor_labels: Mapping[str, str] = ACTOR_LABELS,
    top: int = 2,
) -> pd.DataFrame:
    """Per actor, the improvement areas named by most municipalities.

    *improvements* is long: ``kommun``, ``actor``, ``theme``. Returns a frame indexed by
    (``Aktör``, ``Förbättringsområde``) with the column ``Antal kommuner``: at most *top* areas
    per actor, most frequent first, ties by theme id.

    >>> imp = pd.DataFrame({"kommun": ["A", "B", "B"], "actor": ["polisen"] * 3,
    ...                     "theme": ["x", "x", "y"]})
    >>> t = improvement_counts(imp, {"x": "Ex", "y": "Ypsilon"}, actor_labels={"polisen": "Polisen"})
    >>> t["Antal kommuner"].to_dict()
    {('Polisen', 'Ex'): 2, ('Polisen', 'Ypsilon'): 1}
    """
    names = ["Aktör", "Förbättringsområde"]
    if improvements.empty:
        empty = pd.MultiIndex.from_tuples([], names=names)
        return pd.DataFrame({"Antal kommuner": pd.Series(dtype="int64")}, index=empty)
    imp = improvements.drop_duplicates(["kommun", "actor", "theme"])
    g = imp.groupby(["actor", "theme"]).size().rename("antal").reset_index()
    order = {a: i for i, a in enumerate(actor_labels)}
    g = g[g["actor"].isin(order)]
    g = g.assign(_o=g["actor"].map(order)).sort_values(
        ["_o", "antal", "theme"], ascending=[True, False, True]
    )
    g = g.groupby("actor", sort=False).head(top)
    index = pd.MultiIndex.from_arrays(
        [g["actor"].map(actor_labels).to_numpy(), g["theme"].map(lambda t: labels.get(t, t))],
        names=names,
    )
    return pd.DataFrame({"Antal kommuner": g["antal"].astype("int64").to_numpy()}, index=index)
