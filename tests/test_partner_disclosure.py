"""Disclosure is decided once per survey: the overview and the partner report together leak no
hidden cell.

The main check (:func:`test_lp_no_hidden_cell_is_pinned_or_provably_small`) plays the outside
attacker: it collects every count and denominator a reader of the *public* build sees about each
question — from the overview's sections (their tables, their shares and intervals, the "n svar"
in their sentences) and from the partner report (its tables and every "k av n" in its sentences,
through the ledger of published numbers, which a second test proves complete) — adds the
published number of respondents (14) and the published sample frame (43 organisations, with
the size of every organisation type), and asks a linear program (``scipy.optimize.linprog``) for
the smallest and largest value of every hidden cell. No hidden cell may be pinned to one value or
proven to lie in ``1 .. min_cell − 1``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

from analysis import stats
from analysis.data.reference import load_sample_frame, sector_for_org_type
from analysis.surveys.analysis import analyse
from analysis.surveys.partner import data
from analysis.surveys.partner.disclosure import Cells, Disclosure, exposed_cells

MIN_CELL = 5
FRAME = 43


def _text(html: str) -> str:
    html = re.sub(r'<img[^>]*alt="([^"]*)"[^>]*>', r" \1 ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --------------------------------------------------------------------------------------------
# What a reader of the public reports knows
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Knowledge:
    """Unknowns are (question, cell) pairs; the reader knows linear equalities and bounds."""

    cells: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    hidden: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    hidden_sums: dict[str, dict[tuple[str, str], float]] = dataclasses.field(default_factory=dict)
    eq: list[tuple[dict, float]] = dataclasses.field(default_factory=list)
    ge: list[tuple[dict, float]] = dataclasses.field(default_factory=list)
    upper: dict[tuple[str, str], float] = dataclasses.field(default_factory=dict)


def _question_table(a, q):
    if q.type == "org_type":
        sec, names = "bakgrund", [f"{q.id}_andelar"]
    else:
        sec, names = f"fraga-{q.id}", ["fordelning", "andelar"]
    section = a.section(sec)
    table = next((section.tables[n] for n in names if n in section.tables), None)
    paragraph = next((args[0] for kind, args, _ in section.blocks if kind == "paragraph"), "")
    return table, paragraph


def _base_from_share(antal, andel, ki_hog, total) -> int | None:
    """The n a shown share and its interval are computed on (what a reader can invert)."""
    if antal > 0 and andel > 0:
        return round(antal / andel)
    for m in range(1, total + 1):  # a zero share: its interval still depends on n
        if math.isclose(stats.proportion_ci(0, m, population=FRAME)[2], ki_hog, abs_tol=1e-9):
            return m
    return None


def overview_knowledge(a) -> Knowledge:
    """Everything the public overview publishes, per question."""
    k = Knowledge()
    questions = data.questions_from_codebook(a.dataset.codebook)
    frame_types = load_sample_frame()["org_type"].value_counts()
    for q in a.dataset.codebook.questions:
        if q.type not in ("single", "likert", "multi", "org_type"):
            continue
        qd = questions[q.id]
        labels = [o.label for o in q.options]
        cells = [(q.id, lab) for lab in labels]
        k.cells += cells
        table, paragraph = _question_table(a, q)
        total = re.match(r"(\d+) (?:svar\b|svarande markerade)", paragraph)
        total = int(total.group(1)) if total else None
        for cell in cells:
            value = np.nan if table is None else table["antal"].get(cell[1], np.nan)
            if np.isnan(value):
                k.hidden.append(cell)
            else:
                k.eq.append(({cell: 1.0}, float(value)))
            k.upper[cell] = float(total or a.dataset.n)
            if q.type == "org_type":
                k.upper[cell] = float(min(k.upper[cell], frame_types.get(cell[1], 0)))
        if total is None:
            continue
        if q.type == "multi":
            continue  # options do not add up; each is between 0 and n
        k.eq.append((dict.fromkeys(cells, 1.0), float(total)))
        substantive = [(q.id, lab) for lab in data.labels(qd, substantive=True)]
        if table is not None:
            for lab, row in table.dropna(subset=["antal"]).iterrows():
                if lab not in data.labels(qd, substantive=True) or np.isnan(row["andel"]):
                    continue
                base = _base_from_share(row["antal"], row["andel"], row["ki_hog"], total)
                if base is not None:
                    on = substantive if "räknas på dem som tog ställning" in paragraph else cells
                    k.eq.append((dict.fromkeys(on, 1.0), float(base)))
    # the sectors: published ones are sums of organisation types, hidden ones must stay hidden
    sector = a.section("bakgrund").tables["sektor"]
    members: dict[str, dict] = {}
    for label in frame_types.index:
        members.setdefault(sector_for_org_type(label), {})[("q1", label)] = 1.0
    for name, eq in members.items():
        value = sector["antal"].get(name, np.nan)
        if np.isnan(value):
            k.hidden_sums[name] = eq
        else:
            k.eq.append((eq, float(value)))
    return k


def add_partner_knowledge(k: Knowledge, a) -> None:
    """Everything the public partner report publishes, from its ledger."""
    d = a.extras["disclosure"]
    joint = {}
    for e in d.ledger:
        if e.cells == ("*",):
            continue  # the number who answered: the overview publishes it already
        eq = {(e.qid, c): 1.0 for c in e.cells}
        if e.kind == "lower":
            k.ge.append((eq, float(e.value)))
            joint.setdefault(e.value, []).append(eq)
        else:
            k.eq.append((eq, float(e.value)))
    n = a.dataset.n
    for value, eqs in joint.items():  # "k of n agree with all": the other n − k disagree somewhere
        k.ge.append(({c: -1.0 for eq in eqs for c in eq}, float(n - value - n * len(eqs))))


def lp_intervals(k: Knowledge) -> dict:
    """Min and max of every hidden cell and hidden sum, subject to everything published."""
    from scipy.optimize import linprog

    index = {c: i for i, c in enumerate(k.cells)}

    def vec(eq):
        v = np.zeros(len(index))
        for c, coef in eq.items():
            v[index[c]] += coef
        return v

    a_eq = np.array([vec(e) for e, _ in k.eq])
    b_eq = np.array([b for _, b in k.eq])
    a_ub = np.array([-vec(e) for e, _ in k.ge]) if k.ge else None
    b_ub = np.array([-b for _, b in k.ge]) if k.ge else None
    bounds = [(0.0, k.upper.get(c)) for c in k.cells]
    targets = {c: {c: 1.0} for c in k.hidden} | {("sektor", s): e for s, e in k.hidden_sums.items()}
    out = {}
    for name, eq in targets.items():
        ends = []
        for sign in (1.0, -1.0):
            res = linprog(
                sign * vec(eq),
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=a_eq,
                b_eq=b_eq,
                bounds=bounds,
                method="highs",
            )
            assert res.status == 0, (name, res.message)  # the published numbers are consistent
            ends.append(sign * res.fun)
        out[name] = (math.ceil(ends[0] - 1e-6), math.floor(ends[1] + 1e-6))
    return out


def _leaks(a) -> dict:
    k = overview_knowledge(a)
    add_partner_knowledge(k, a)
    return {
        name: (lo, hi)
        for name, (lo, hi) in lp_intervals(k).items()
        if lo == hi or (lo >= 1 and hi <= MIN_CELL - 1)
    }


@pytest.fixture(scope="module")
def folder(processed_demo):
    return processed_demo("partner_2021")


@pytest.fixture(scope="module")
def public(folder):
    return analyse("partner_2021", input=folder, cache=False)


# --------------------------------------------------------------------------------------------
# The attack, on the demo data and on perturbed data
# --------------------------------------------------------------------------------------------
def test_lp_no_hidden_cell_is_pinned_or_provably_small(public):
    k = overview_knowledge(public)
    assert len(k.hidden) > 10  # the public demo build does hide cells
    add_partner_knowledge(k, public)
    intervals = lp_intervals(k)
    leaks = {n: v for n, v in intervals.items() if v[0] == v[1] or (v[0] >= 1 and v[1] < MIN_CELL)}
    assert not leaks


def test_lp_catches_the_old_attack(public):
    """The checker itself works: the old report's "11 av 12" (agree of those who took a
    stand) published the substantive base of q4, which pins its hidden "Vet ej"."""
    k = overview_knowledge(public)
    add_partner_knowledge(k, public)
    c = public.extras["disclosure"].cells["q4"]
    k.eq.append(({("q4", x): 1.0 for x in c.substantive}, float(c.value(c.substantive))))
    lo, hi = lp_intervals(k)[("q4", "Vet ej")]
    assert lo == hi == int(c.counts["Vet ej"])


def _perturbed(folder, seed: int):
    from analysis.data.dataset import load

    ds = load("partner_2021", folder)
    wide = ds.wide.copy()
    rng = np.random.default_rng(seed)
    for qid in ("q4", "q5", "q6", "q8", "q10", "q14", "q2", "q7"):
        cats = list(wide[qid].cat.categories)
        rows = rng.choice(len(wide), size=4, replace=False)
        wide.loc[wide.index[rows], qid] = rng.choice(cats, size=4)
    return dataclasses.replace(ds, wide=wide)


@pytest.mark.parametrize("seed", range(4))
def test_lp_holds_on_perturbed_data(folder, seed):
    a = analyse(_perturbed(folder, seed), cache=False)
    assert not _leaks(a)


def test_tiny_sectors_are_not_recoverable_from_total_and_frame(folder):
    """Two tiny sectors (akademi ≤ 3, idéburen ≤ 2 in the frame): the report must not give a
    sector count that, with the total and the frame, pins or bounds a hidden one."""
    from analysis.data.dataset import load

    ds = load("partner_2021", folder)
    wide = ds.wide.copy()
    wide["q1"] = wide["q1"].astype(object)
    wide.loc[wide.index[:9], "q1"] = "Kommun"
    wide.loc[wide.index[9:12], "q1"] = "Företag"
    wide.loc[wide.index[12], "q1"] = "Akademi/forskning"
    wide.loc[wide.index[13], "q1"] = "Idéburen organisation"
    wide["q1"] = pd.Categorical(wide["q1"], categories=ds.wide["q1"].cat.categories)
    wide["sektor"] = [sector_for_org_type(t) for t in wide["q1"]]
    a = analyse(dataclasses.replace(ds, wide=wide), cache=False)
    assert not _leaks(a)
    table = a.section("svarande").tables.get("per_sektor")
    if table is not None:
        assert (table["svarande"].isna() | (table["svarande"] >= MIN_CELL)).all()


# --------------------------------------------------------------------------------------------
# The ledger is complete: every number in the partner report's text is in it
# --------------------------------------------------------------------------------------------
def test_every_published_count_is_in_the_ledger(public):
    d = public.extras["disclosure"]
    totals = {e.qid: e.value for e in d.ledger if e.kind == "total"}
    pairs = {(e.value, totals.get(e.qid, public.dataset.n)) for e in d.ledger}
    pairs |= {(public.dataset.n, FRAME), (FRAME - public.dataset.n, FRAME)}
    pairs |= {(v, public.dataset.n) for v in totals.values()}  # "12 av 14 markerade …"
    for s in public.sections:
        for k, n in re.findall(r"\b(\d+) av (\d+)\b", _text(s.to_html())):
            assert (int(k), int(n)) in pairs, (s.id, k, n)
    values = {e.value for e in d.ledger} | set(totals.values())
    frame = load_sample_frame()
    values |= set(frame["org_type"].value_counts()) | set(frame["sektor"].value_counts())
    values |= {FRAME, public.dataset.n, 24, 19}
    for s in public.sections:
        for name, table in s.tables.items():
            for col in table.columns:
                if col in ("antal", "svarande", "instammer", "svar", "i_urvalet"):
                    for v in table[col].dropna():
                        assert int(v) in values, (s.id, name, col, v)


def test_hidden_substantive_bases_are_not_given_away(public):
    """The old attack: "11 av 12" and "11 av 13" gave away hidden "Vet ej" counts."""
    text = " ".join(_text(s.to_html()) for s in public.sections)
    cells = public.extras["disclosure"].cells
    for qid in ("q4", "q5", "q6", "q8", "q10"):
        c = cells[qid]
        others = [x for x in c.counts.index if x not in c.substantive]
        if c.hidden[others].any():
            base = c.value(c.substantive)
            assert not re.search(rf"\b\d+ av {base}\b", text) or base in {
                e.value for e in public.extras["disclosure"].ledger if e.kind == "total"
            }, (qid, base)


def test_partner_hides_exactly_what_the_overview_hides(public):
    overview = overview_knowledge(public)
    d = public.extras["disclosure"]
    hidden = {(q, c) for q, cells in d.cells.items() for c in cells.counts.index[cells.hidden]}
    assert hidden == set(overview.hidden)
    for e in d.ledger:  # a single cell the partner report shows is shown by the overview too
        if len(e.cells) == 1 and e.cells != ("*",) and e.kind == "sum":
            assert (e.qid, e.cells[0]) not in hidden


# --------------------------------------------------------------------------------------------
# The decision object on small, hand-made cases
# --------------------------------------------------------------------------------------------
def _cells(counts, hidden, **kw):
    return Cells(
        "q", "single", pd.Series(counts), pd.Series(hidden), total=sum(counts.values()), **kw
    )


def test_derived_numbers_only_from_shown_cells():
    c = _cells(
        {"Ja": 9, "Nej": 3, "Vet ej": 2},
        {"Ja": False, "Nej": True, "Vet ej": True},
        substantive=("Ja", "Nej"),
    )
    d = Disclosure("public", MIN_CELL, {"q": c})
    assert d.count("q", "Ja", "t") == 9 and d.count("q", "Nej", "t") is None
    assert d.base("q", "t") is None  # "9 av 12" would give away "Vet ej" = 2
    assert d.sum("q", ["Ja", "Nej"], "t") is None
    internal = Disclosure("internal", MIN_CELL, {"q": _cells({"Ja": 9, "Nej": 3}, {})})
    assert internal.sum("q", ["Ja", "Nej"], "t") == 12


def test_grouping_refused_when_it_would_expose_a_hidden_cell():
    c = _cells({"A": 6, "B": 2, "C": 3, "D": 5}, {"A": False, "B": True, "C": True, "D": True})
    d = Disclosure("public", MIN_CELL, {"q": c})
    # "A+B = 8" clears the threshold but pins B = 8 − 6 = 2
    assert d.grouping("q", {"A+B": ["A", "B"], "C+D": ["C", "D"]}, "t") is None
    assert d.grouping("q", {"A": ["A"], "B+C+D": ["B", "C", "D"]}, "t") == {"A": 6, "B+C+D": 10}


def test_frame_bounds_are_part_of_the_check():
    c = _cells({"Stor": 10, "Liten": 2}, {"Stor": True, "Liten": True}, upper={"Liten": 2})
    assert exposed_cells(c, MIN_CELL) == []
    # publishing "Stor = 10" pins Liten = 2; a frame bound alone proves nothing more
    assert "Liten" in exposed_cells(c, MIN_CELL, extra=[({"Stor": 1}, 10)])


def test_joint_statement_needs_both_groups_to_clear():
    agree = {"q": ["Ja"]}
    c = _cells({"Ja": 11, "Nej": 3}, {"Ja": True, "Nej": True})
    assert not Disclosure("public", MIN_CELL, {"q": c}).joint(agree, 11, 14, "t")
    c = _cells({"Ja": 9, "Nej": 5}, {"Ja": True, "Nej": True})
    assert Disclosure("public", MIN_CELL, {"q": c}).joint(agree, 9, 14, "t")
