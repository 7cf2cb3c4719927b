"""Comparable yes/no indicators of a shared concept, per respondent of each round."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from analysis.errors import ConfigError
from analysis.surveys.trend.labels import CONCEPT_LABELS, CONCEPT_NAMES, GROUPS

if TYPE_CHECKING:  # pragma: no cover
    from analysis.data.codebook import Question
    from analysis.data.dataset import Dataset
    from analysis.data.rounds import SharedConcept

__all__ = ["Indicator", "indicators_for"]


@dataclass
class Indicator:
    """One comparable yes/no indicator of a concept, per respondent of each round.

    ``a`` / ``b`` hold ``True`` (the indicator), ``False`` (a substantive other answer) or
    ``<NA>`` (not answered); ``ns_a`` / ``ns_b`` flag non-substantive answers ("Vet ej"), which
    are ``<NA>`` in ``a`` / ``b``. ``ordinal_a`` / ``ordinal_b`` hold the position on the
    question's ordered scale (0 = lowest substantive option) for questions whose answers are
    ordered, for the paired Bowker test.
    """

    id: str
    concept: str
    label: str
    definition: str
    group: str
    kind: str  # "ordinal" (Likert or ordered single choice) or "option" (a multi-choice option)
    a: pd.Series
    b: pd.Series
    ns_a: pd.Series
    ns_b: pd.Series
    ordinal_a: pd.Series | None = None
    ordinal_b: pd.Series | None = None
    categories: tuple[str, ...] = ()
    wording_changed: bool = False
    old_text: str = ""
    new_text: str = ""

    @property
    def name(self) -> str:
        """The concept's name (for a whole scale), e.g. "Engagemangstrappan"."""
        return CONCEPT_NAMES.get(self.concept, self.label)


def _quote(labels: Sequence[str]) -> str:
    shown = [f"”{x}”" for x in labels]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " eller " + shown[-1]


def _indicator_labels(q: Question) -> list[str]:
    """The labels counted as the indicator: ``indicator`` or the agreeing half of a Likert scale.

    >>> from analysis.data.codebook import load_codebook
    >>> _indicator_labels(load_codebook("partner_2021").question("q4"))
    ['Instämmer delvis', 'Instämmer helt']
    """
    if q.indicator:
        return list(q.indicator)
    if q.type == "likert":
        subst = q.substantive_labels
        return subst[(len(subst) + 1) // 2 :]
    return []


def _respondent_series(ds: Dataset, values) -> pd.Series:
    index = pd.Index(ds.wide["respondent_id"].astype(str), name="respondent_id")
    return pd.Series(list(values), index=index, dtype="object")


def _choice(ds: Dataset, q: Question, chosen: Sequence[str]):
    """(indicator, non-substantive flag, ordinal position) per respondent of one round."""
    raw = ds.wide[q.id] if q.id in ds.wide.columns else pd.Series([None] * ds.n)
    subst = q.substantive_labels
    ind, ns, pos = [], [], []
    for v in raw.astype(object):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            ind.append(pd.NA)
            ns.append(False)
            pos.append(pd.NA)
        elif v in q.non_substantive:
            ind.append(pd.NA)
            ns.append(True)
            pos.append(pd.NA)
        else:
            ind.append(v in chosen)
            ns.append(False)
            pos.append(subst.index(v) if v in subst else pd.NA)
    return (
        _respondent_series(ds, ind).astype("boolean"),
        _respondent_series(ds, ns).astype(bool),
        _respondent_series(ds, pos).astype("Int64"),
    )


def indicators_for(concept: SharedConcept, a: Dataset, b: Dataset) -> list[Indicator]:
    """The indicators of one shared concept (none for text, metadata and unordered questions).

    * ``likert`` and ``single`` with an ``indicator`` — one ordinal indicator;
    * ``multi`` — one indicator per option asked in both rounds ("ticked", of those who ticked
      anything).
    """
    qa, qb = concept.a, concept.b
    label = CONCEPT_LABELS.get(concept.concept, qb.text)
    group = GROUPS.get(concept.concept, "Övriga frågor")
    common = {
        "wording_changed": concept.wording_changed,
        "old_text": qb.wording_changed_from or qa.text,
        "new_text": qb.text,
    }
    if qb.role == "metadata":
        return []
    if qb.type in ("likert", "single") and (qb.type == "likert" or qb.indicator):
        chosen = _indicator_labels(qb)
        missing = [x for x in chosen if x not in qa.labels]
        if missing:
            raise ConfigError(
                f"{concept.concept}: indikatorns alternativ {missing} finns inte i den tidigare "
                "omgångens fråga; svarsalternativen måste vara desamma för att kunna jämföras."
            )
        ia, na, oa = _choice(a, qa, chosen)
        ib, nb, ob = _choice(b, qb, chosen)
        ordered = qa.substantive_labels == qb.substantive_labels
        return [
            Indicator(
                concept.concept, concept.concept, label, "svarade " + _quote(chosen), group,
                "ordinal", ia, ib, na, nb,
                oa if ordered else None, ob if ordered else None,
                tuple(qb.substantive_labels) if ordered else (), **common,
            )
        ]  # fmt: skip
    if qb.type == "multi":
        out = []
        codes_a = {o.code for o in qa.options}
        for o in qb.options:
            if o.code not in codes_a:
                continue
            series = []
            for ds, q in ((a, qa), (b, qb)):
                cols = [f"{q.id}__{x.code}" for x in q.options if f"{q.id}__{x.code}" in ds.wide]
                ticked = ds.wide[cols].fillna(False).astype(bool)
                answered = ticked.any(axis=1).to_numpy()
                col = f"{q.id}__{o.code}"
                vals = ds.wide[col].fillna(False).astype(bool).to_numpy() if col in ds.wide else []
                series.append(
                    _respondent_series(
                        ds,
                        [bool(v) if ans else pd.NA for v, ans in zip(vals, answered, strict=True)],
                    ).astype("boolean")
                )
            none_a = _respondent_series(a, [False] * a.n).astype(bool)
            none_b = _respondent_series(b, [False] * b.n).astype(bool)
            out.append(
                Indicator(
                    f"{concept.concept}__{o.code}", concept.concept, o.label, "kryssade i",
                    group, "option", series[0], series[1], none_a, none_b, **common,
                )
            )  # fmt: skip
        return out
    return []
