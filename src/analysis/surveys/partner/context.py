"""What every section builder needs: the data, the disclosure decision and shared table helpers.

:class:`Context` bundles the analysis (data, policy, parameters), the :class:`~analysis.surveys.
partner.disclosure.Disclosure` and a register of every published share (for the appendix's table
of intervals with and without the finite-population correction). :func:`share_section_table`
turns multiple-choice counts into the numeric table a :class:`~analysis.report.section.Section`
keeps (hidden rows NaN) and the Swedish display table readers see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.report import format as fmt
from analysis.surveys.partner import data
from analysis.surveys.partner.disclosure import Disclosure
from analysis.surveys.partner.phrases import confidence_label
from analysis.surveys.partner.shared import decide

__all__ = ["Context", "display_shares", "share_section_table"]


@dataclass
class Context:
    """The inputs of the section builders.

    Attributes
    ----------
    analysis : SurveyAnalysis
    inputs : analysis.surveys.partner.data.Inputs
    disclosure : Disclosure
    confidence : float
    frame : int
        Size of the sample frame (43).
    shares : list of dict
        Every share the report publishes, for the appendix.
    """

    analysis: Any
    inputs: data.Inputs
    disclosure: Disclosure
    confidence: float
    frame: int
    shares: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, analysis) -> Context:
        """The context of a :class:`~analysis.surveys.analysis.SurveyAnalysis`."""
        inputs = data.inputs_from_dataset(analysis.dataset)
        return cls(
            analysis=analysis,
            inputs=inputs,
            disclosure=decide(analysis),
            confidence=float(analysis.params.get("confidence", 0.95)),
            frame=data.frame_size(inputs),
        )

    @property
    def public(self) -> bool:
        return not self.disclosure.exact

    @property
    def internal(self) -> bool:
        return self.analysis.policy.audience == "internal"

    @property
    def min_cell(self) -> int:
        return self.disclosure.min_cell

    @property
    def n(self) -> int:
        return len(self.inputs.responses)

    def question(self, qid: str) -> dict[str, Any]:
        return self.inputs.questions[qid]

    def conf(self) -> str:
        """The confidence level as text, "95"."""
        return confidence_label(self.confidence)

    def register(self, what: str, k: int, n: int) -> pd.Series:
        """Record a published share k / n (for the appendix) and return its bounds."""
        row = data.share_bounds(
            pd.Series({what: k}), n, frame=self.frame, confidence=self.confidence
        )
        row = row.iloc[0]
        if not any(s["vad"] == what for s in self.shares):
            self.shares.append({"vad": what, **row.to_dict(), "svar": n})
        return row


SHARE_COLUMNS = ["antal", "andel", "ki_lag", "ki_hog", "varsta_fall_lag", "varsta_fall_hog"]


def share_section_table(
    ctx: Context, qid: str, where: str, *, sort: bool = True
) -> tuple[pd.DataFrame, int | None]:
    """Multiple-choice shares under the disclosure decision.

    Returns the numeric table (``antal, andel, ki_lag, ki_hog, varsta_fall_lag,
    varsta_fall_hog``; hidden rows NaN; largest first when *sort*) and *n* (who ticked anything;
    None when *n* itself is hidden). Every shown share is registered for the appendix.
    """
    q = ctx.question(qid)
    counts, n = data.multi_counts(ctx.inputs.responses, q)
    d = ctx.disclosure
    shown_n = d.total(qid, where)
    table = data.share_bounds(counts, n, frame=ctx.frame, confidence=ctx.confidence)[SHARE_COLUMNS]
    table = table.astype(float)
    for label in counts.index:
        k = d.count(qid, label, where)
        if k is None or shown_n is None:
            table.loc[label, :] = np.nan
        else:
            ctx.register(f"Fråga {q.get('number')}: {label}", k, n)
    if sort:
        order = np.argsort(-counts.to_numpy(), kind="stable")
        hidden = table["antal"].isna().to_numpy()[order]
        order = np.concatenate([order[~hidden], order[hidden]])  # hidden rows last
        table = table.iloc[order]
    table.index.name = "Alternativ"
    table.attrs["fraga"] = qid
    return table, shown_n


def display_shares(ctx: Context, table: pd.DataFrame) -> pd.DataFrame:
    """The Swedish display of a share table: count, share, interval, worst-case span.

    >>> t = pd.DataFrame({"antal": [8.0, np.nan], "andel": [0.57, np.nan], "ki_lag": [0.36, np.nan],
    ...                   "ki_hog": [0.76, np.nan], "varsta_fall_lag": [0.19, np.nan],
    ...                   "varsta_fall_hog": [0.86, np.nan]}, index=["A", "B"])
    >>> display_shares(_Conf(), t).loc["B"].tolist()
    ['–', '–', '–', '–']
    """
    out = pd.DataFrame(index=table.index)
    out["Antal"] = [fmt.fmt_number(v) for v in table["antal"]]
    out["Andel"] = [fmt.percent(v) for v in table["andel"]]
    out[f"Konfidensintervall ({ctx.conf()} %)"] = [
        fmt.fmt_ci(lo, hi) for lo, hi in zip(table["ki_lag"], table["ki_hog"], strict=True)
    ]
    out[f"Spann om alla {ctx.frame} tillfrågade räknas"] = [
        fmt.fmt_ci(lo, hi)
        for lo, hi in zip(table["varsta_fall_lag"], table["varsta_fall_hog"], strict=True)
    ]
    return out


class _Conf:
    """A stand-in context for doctests."""

    frame = 43

    @staticmethod
    def conf() -> str:
        return "95"
