"""One disclosure decision per question, shared by the overview and the partner report.

The overview (:mod:`analysis.surveys.overview`) decides, per question, which counts a public
reader sees. :func:`decide` reads that decision from the overview's own sections — the hidden
cells are the ``NaN`` cells of its tables — together with every number the overview publishes
about the question (the number of answers, the base of its shares, the groups of a drawn chart).
The result, a :class:`Disclosure`, is computed once per :class:`~analysis.surveys.analysis.SurveyAnalysis`
and cached in ``analysis.extras["disclosure"]``; every number of the partner report is asked for
through it, and it keeps a ledger of what the partner report publishes.

The rule: a derived number (a share, "k av n", an interval, a test, a kappa, "n = 12", the
largest category) is published only when **every cell it uses is shown**. The one exception is
a *coarser grouping* of a question whose cells are mostly hidden (:meth:`Disclosure.grouping`):
it is published when every group holds 0 or at least ``min_cell`` answers **and** a linear
program over everything published about the question (both reports, the number of respondents,
the sample frame's group sizes) shows that no hidden cell can be pinned to one value or proven to
lie between 1 and ``min_cell − 1`` (:func:`hidden_intervals`).

>>> c = Cells("q", "single", pd.Series({"A": 9, "B": 3, "C": 2}),
...           pd.Series({"A": False, "B": True, "C": True}), total=14)
>>> d = Disclosure("public", 5, {"q": c})
>>> d.count("q", "A", "test"), d.count("q", "B", "test")
(9, None)
>>> d.grouping("q", {"A": ["A"], "B eller C": ["B", "C"]}, "test") is None   # 5 = 14 − 9 is fine
False
>>> d.grouping("q", {"A eller B": ["A", "B"], "C": ["C"]}, "test") is None   # C = 2 is too small
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.disclosure.audience import check_audience
from analysis.disclosure.suppression import SUPPRESSED, suppress_series

__all__ = [
    "Cells",
    "Disclosure",
    "Entry",
    "exposed_cells",
    "hidden_intervals",
    "public_share_table",
]

Equation = tuple[dict[str, float], float]
"""``({cell: coefficient}, value)``: the reader knows that ``sum(coef * count) == value``."""


@dataclass
class Cells:
    """One question's counts under the survey's disclosure decision.

    Parameters
    ----------
    qid : str
        The question (``q1`` stands for the organisation types, with the sectors as ``derived``).
    kind : str
        ``single`` (single choice, Likert, ordinal) or ``multi`` (options do not add up).
    counts : pandas.Series
        Exact counts per cell (never published as such).
    hidden : pandas.Series
        Boolean, same index: the overview's decision (all False in the internal version).
    total : int
        Respondents who answered the question (who ticked anything, for ``multi``).
    total_shown : bool
        Whether the overview publishes *total*.
    substantive : tuple of str
        The cells that form the base of shares (without "Vet ej").
    upper : dict
        Upper bounds a reader knows from elsewhere (the sample frame's group sizes).
    derived : dict
        Named sums of cells that are published or hidden as cells of another table (sectors).
    equations : list
        Every published linear sum (both reports).
    lower : list
        Published lower bounds ``sum(coef * count) >= value`` (joint statements).
    """

    qid: str
    kind: str
    counts: pd.Series
    hidden: pd.Series
    total: int
    total_shown: bool = True
    substantive: tuple[str, ...] = ()
    upper: dict[str, int] = field(default_factory=dict)
    derived: dict[str, dict[str, float]] = field(default_factory=dict)
    derived_hidden: dict[str, bool] = field(default_factory=dict)
    equations: list[Equation] = field(default_factory=list)
    lower: list[Equation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.counts = pd.Series(self.counts, copy=True).astype("int64")
        self.hidden = (
            pd.Series(self.hidden, copy=True).reindex(self.counts.index, fill_value=False)
        ).astype(bool)
        if not self.substantive:
            self.substantive = tuple(self.counts.index)
        if self.kind != "multi" and self.total_shown:
            self.equations.append((dict.fromkeys(self.counts.index, 1.0), float(self.total)))

    def shown(self, cells: Iterable[str]) -> bool:
        """Whether every cell in *cells* is shown."""
        return not any(bool(self.hidden[c]) for c in cells)

    def value(self, cells: Iterable[str]) -> int:
        """The exact sum of *cells* (for internal use; publish through :class:`Disclosure`)."""
        return int(sum(int(self.counts[c]) for c in cells))


@dataclass(frozen=True)
class Entry:
    """One number the partner report publishes: ``sum(cells) == value`` (or ``>=`` for a
    lower bound), and where."""

    qid: str
    cells: tuple[str, ...]
    value: int
    where: str
    kind: str = "sum"


@dataclass
class Disclosure:
    """The survey's disclosure decisions per question and the ledger of what is published.

    Attributes
    ----------
    audience : str
    min_cell : int
    cells : dict of str to Cells
    ledger : list of Entry
        Every count and sum the partner report has published (public version).
    """

    audience: str
    min_cell: int
    cells: dict[str, Cells]
    ledger: list[Entry] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """True when nothing is hidden (internal version, or a threshold of 1)."""
        return self.audience == "internal" or self.min_cell <= 1

    def hidden(self, qid: str, cell: str) -> bool:
        """Whether one cell is hidden."""
        return not self.exact and bool(self.cells[qid].hidden[cell])

    def _record(self, qid: str, cells: Sequence[str], value: int, where: str, kind="sum"):
        self.ledger.append(Entry(qid, tuple(cells), int(value), where, kind))

    # ------------------------------------------------------------------ what may be shown
    def count(self, qid: str, cell: str, where: str) -> int | None:
        """One cell's count, or None when it is hidden."""
        return self.sum(qid, [cell], where)

    def sum(self, qid: str, cells: Sequence[str], where: str) -> int | None:
        """The sum of *cells* when every one of them is shown (else None)."""
        c = self.cells[qid]
        if not self.exact and not c.shown(cells):
            return None
        value = c.value(cells)
        self._record(qid, cells, value, where)
        return value

    def total(self, qid: str, where: str) -> int | None:
        """The number who answered the question, when the overview publishes it."""
        c = self.cells[qid]
        if not self.exact and not c.total_shown:
            return None
        self._record(qid, ("*",), c.total, where, "total")
        return c.total

    def base(self, qid: str, where: str) -> int | None:
        """The number who took a stand (the base of shares), when every cell it uses is shown
        or it equals the published total (no "Vet ej")."""
        c = self.cells[qid]
        others = [x for x in c.counts.index if x not in c.substantive]
        if self.exact or c.shown(c.substantive) or (c.total_shown and c.shown(others)):
            value = c.value(c.substantive)
            self._record(qid, c.substantive, value, where)
            return value
        return None

    def counts(self, qid: str, where: str) -> pd.Series:
        """Every cell's count, hidden ones as NaN (float)."""
        c = self.cells[qid]
        out = c.counts.astype(float)
        if not self.exact:
            out[c.hidden.to_numpy()] = np.nan
        for cell, value in out.items():
            if not math.isnan(value):
                self._record(qid, (cell,), int(value), where)
        return out

    def mostly_hidden(self, qid: str) -> bool:
        """True when more than half of the question's cells are hidden."""
        return not self.exact and bool(self.cells[qid].hidden.mean() > 0.5)

    def grouping(
        self, qid: str, groups: Mapping[str, Sequence[str]], where: str
    ) -> dict[str, int] | None:
        """A coarser grouping (a partition of the cells) when it clears the threshold.

        Every group must hold 0 or at least ``min_cell`` answers and, with the groups added to
        everything already published, no hidden cell may become pinned or provably small.
        """
        c = self.cells[qid]
        members = [m for ms in groups.values() for m in ms]
        if sorted(members) != sorted(c.counts.index):
            raise ValueError(f"{qid}: the groups must partition the cells {list(c.counts.index)}")
        values = {name: c.value(ms) for name, ms in groups.items()}
        if not self.exact:
            if any(0 < v < self.min_cell for v in values.values()) or not c.total_shown:
                return None
            trial = [(dict.fromkeys(ms, 1.0), float(values[g])) for g, ms in groups.items()]
            if exposed_cells(c, self.min_cell, extra=trial):
                return None
            c.equations.extend(trial)
        for name, ms in groups.items():
            self._record(qid, ms, values[name], where)
        return values

    def joint(self, agree: Mapping[str, Sequence[str]], k: int, n: int, where: str) -> bool:
        """Whether "k of n agree with every statement" may be published.

        *agree* maps each question to its agreeing cells. Allowed when *k* and ``n − k`` are
        each 0 or at least ``min_cell``, *n* is every question's published total and the implied
        lower bounds (``sum(agree cells) >= k`` per question) expose no hidden cell.
        """
        if self.exact:
            return True
        if any(0 < v < self.min_cell for v in (k, n - k)):
            return False
        for qid in agree:
            c = self.cells[qid]
            if not c.total_shown or c.total != n:
                return False
            bound = (dict.fromkeys(agree[qid], 1.0), float(k))
            if exposed_cells(c, self.min_cell, extra_lower=[bound]):
                return False
        for qid, cells in agree.items():
            self.cells[qid].lower.append((dict.fromkeys(cells, 1.0), float(k)))
            self._record(qid, cells, k, where, "lower")
        return True


# --------------------------------------------------------------------------------------------
# The linear program
# --------------------------------------------------------------------------------------------
def hidden_intervals(
    c: Cells,
    *,
    extra: Sequence[Equation] = (),
    extra_lower: Sequence[Equation] = (),
) -> dict[str, tuple[float, float]]:
    """The smallest and largest value every hidden cell (and hidden derived sum) can take.

    Minimises and maximises each hidden cell with :func:`scipy.optimize.linprog` subject to
    the shown cells, every published equation and lower bound, ``0 <= count <= upper`` (the
    sample frame's group size or the number of answers) — what a reader can work out.

    >>> c = Cells("q", "single", pd.Series({"A": 9, "B": 3, "C": 2}),
    ...           pd.Series({"A": False, "B": True, "C": True}), total=14)
    >>> hidden_intervals(c)
    {'B': (0.0, 5.0), 'C': (0.0, 5.0)}
    >>> hidden_intervals(c, extra=[({"B": 1}, 3)])["C"]
    (2.0, 2.0)
    """
    from scipy.optimize import linprog

    free = [x for x in c.counts.index if c.hidden[x]]
    targets = {x: {x: 1.0} for x in free}
    targets.update({name: eq for name, eq in c.derived.items() if c.derived_hidden.get(name)})
    if not free or not targets:
        return {}
    index = {x: i for i, x in enumerate(free)}

    def row(coefs: Mapping[str, float]) -> tuple[np.ndarray, float]:
        vec, const = np.zeros(len(free)), 0.0
        for cell, a in coefs.items():
            if cell in index:
                vec[index[cell]] += a
            else:
                const += a * float(c.counts[cell])
        return vec, const

    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for coefs, value in [*c.equations, *extra]:
        vec, const = row(coefs)
        if vec.any():
            a_eq.append(vec)
            b_eq.append(value - const)
    for coefs, value in [*c.lower, *extra_lower]:
        vec, const = row(coefs)
        if vec.any():
            a_ub.append(-vec)
            b_ub.append(const - value)
    cap = c.total if c.kind == "multi" or c.total_shown else int(c.counts.sum())
    bounds = [(0.0, float(min(c.upper.get(x, cap), cap))) for x in free]
    out = {}
    for name, coefs in targets.items():
        vec, const = row(coefs)
        ends = []
        for sign in (1.0, -1.0):
            res = linprog(
                sign * vec,
                A_ub=np.array(a_ub) if a_ub else None,
                b_ub=np.array(b_ub) if b_ub else None,
                A_eq=np.array(a_eq) if a_eq else None,
                b_eq=np.array(b_eq) if b_eq else None,
                bounds=bounds,
                method="highs",
            )
            ends.append(sign * res.fun + const if res.status == 0 else float("nan"))
        out[name] = (float(round(ends[0], 6)), float(round(ends[1], 6)))
    return out


def exposed_cells(
    c: Cells,
    min_cell: int,
    *,
    extra: Sequence[Equation] = (),
    extra_lower: Sequence[Equation] = (),
) -> list[str]:
    """Hidden cells a reader can pin to one value or prove to lie in ``1 .. min_cell − 1``.

    >>> c = Cells("q", "single", pd.Series({"A": 9, "B": 3, "C": 2}),
    ...           pd.Series({"A": False, "B": True, "C": True}), total=14)
    >>> exposed_cells(c, 5), exposed_cells(c, 5, extra=[({"A": 1, "B": 1}, 12)])
    ([], ['B', 'C'])
    """
    out = []
    for name, (lo, hi) in hidden_intervals(c, extra=extra, extra_lower=extra_lower).items():
        if math.isnan(lo) or math.isnan(hi):
            out.append(name)  # inconsistent: something published is wrong; treat as exposed
            continue
        low, high = math.ceil(lo - 1e-6), math.floor(hi + 1e-6)
        if low == high or (low >= 1 and high <= min_cell - 1):
            out.append(name)
    return out


def public_share_table(table: pd.DataFrame, min_cell: int, audience: str) -> pd.DataFrame:
    """A share table for display: in ``public``, an option ticked by ``0 < k < min_cell`` is
    shown as "–" in every column (the rule of :func:`analysis.surveys.overview.multi_shares`).

    >>> from analysis import stats
    >>> t = stats.share_table(pd.Series({"A": 9, "B": 3}), 14)
    >>> public_share_table(t, 5, "public").loc["B"].tolist()
    ['–', '–', '–', '–']
    """
    out = table.astype(object).copy()
    if check_audience(audience) == "internal":
        return out
    hidden = suppress_series(table["antal"], min_cell) == SUPPRESSED
    out.loc[hidden.to_numpy(), :] = SUPPRESSED
    return out
