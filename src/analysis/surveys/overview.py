"""The generic survey overview (``notebooks/survey_overview.ipynb``): every question by its type.

The notebook only calls :func:`title_html`, :func:`respondents_html`, :func:`metadata_html`,
:func:`questions_html` and :func:`method_html`; each returns an HTML fragment built with
:mod:`analysis.report.html` (everything escaped).

* ``single`` / ``org_type`` — counts and shares of the substantive answers with Wilson intervals,
  finite-population corrected when the codebook has a sample frame (``frame.size``);
  non-substantive answers ("Vet ej") are counted but not part of the shares.
* ``multi`` — per option: how many of those who answered the question ticked it.
* ``likert`` — a diverging stacked bar centred on the neutral category plus the table.
* ``text`` — the number of answers; for ``audience="internal"`` also the answers as quotes.
* ``municipality`` — the distribution of municipalities and municipality groups.

With ``audience="public"`` the project's disclosure rule applies (the same as in the partner
report): a count ``k`` is hidden when ``0 < k < min_cell``; a share "k of n" is published when
``k >= min_cell``, whatever ``n - k`` is (the number who did *not* tick an option is no cell of
any table). Where counts add up to a published sum — a single-choice table and its number of
answers, the steps of a Likert scale and the agree / disagree groups shown in the chart, the
municipalities of a municipality group, the organisation types of a sector — complementary
suppression hides further counts until no hidden small count can be solved from the published
numbers (:mod:`analysis.disclosure.suppression`, :func:`linked_mask`). Shares and intervals of suppressed
rows are hidden as well, questions answered by fewer than ``min_cell`` are not broken down, and
free-text answers are never shown.

>>> import pandas as pd
>>> from types import SimpleNamespace as NS
>>> q = NS(id="q2", number=2, text="Samarbetar ni?", type="single", role="question",
...        options=[NS(code="ja", label="Ja"), NS(code="nej", label="Nej")], non_substantive=[])
>>> cb = NS(title="Testenkät", questions=[q], frame=None)
>>> wide = pd.DataFrame({"q2": pd.Categorical(["Ja"] * 8 + ["Nej"] * 2, categories=["Ja", "Nej"])})
>>> ds = NS(wide=wide, codebook=cb, manifest={})
>>> single_table(ds, q, audience="internal")[["Antal", "Andel"]].to_dict("list")
{'Antal': ['8', '2'], 'Andel': ['80 %', '20 %']}
>>> single_table(ds, q, audience="public", min_cell=5)[["Antal", "Andel"]].to_dict("list")
{'Antal': ['–', '–'], 'Andel': ['–', '–']}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.disclosure.audience import AUDIENCES, check_audience
from analysis.errors import ConfigError
from analysis.report import html as render
from analysis.report.section import Section

__all__ = [
    "AUDIENCES",
    "check_audience",
    "frame_size",
    "likert_counts",
    "linked_mask",
    "method_html",
    "method_section",
    "metadata_html",
    "metadata_section",
    "question_section",
    "question_sections",
    "respondents_section",
    "sections",
    "multi_table",
    "question_html",
    "questions_html",
    "respondents_html",
    "single_table",
    "text_answers",
    "title_html",
]

SUPPRESSED = render.SUPPRESSED
COLUMN_LABELS = {"antal": "Antal", "andel": "Andel", "ki": "95 % konfidensintervall"}


# --------------------------------------------------------------------------------------------
# Access helpers (tolerant of dataclasses, namespaces and plain dicts)
# --------------------------------------------------------------------------------------------
def _get(obj, name: str, default=None):
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _wide(ds) -> pd.DataFrame:
    for name in ("wide", "responses"):
        value = _get(ds, name)
        if isinstance(value, pd.DataFrame):
            return value
    raise TypeError("the dataset has no wide responses table (.wide / .responses)")


def _codebook(ds):
    return _get(ds, "codebook")


def _questions(ds) -> list:
    return list(_get(_codebook(ds), "questions", []) or [])


def _labels(q) -> list[str]:
    return [str(_get(o, "label")) for o in (_get(q, "options") or [])]


def _non_substantive(q) -> list[str]:
    return [str(x) for x in (_get(q, "non_substantive") or [])]


def _check_min_cell(min_cell: int) -> int:
    if int(min_cell) < 1:
        raise ConfigError(f"Parametern min_cell måste vara minst 1, inte {min_cell!r}.")
    return int(min_cell)


def frame_size(codebook) -> int | None:
    """Size of the sample frame from ``codebook.frame`` (``None`` without a frame).

    >>> frame_size({"frame": {"file": "x.csv", "size": 43}}), frame_size({"frame": None})
    (43, None)
    """
    frame = _get(codebook, "frame")
    if frame is None:
        return None
    size = _get(frame, "size")
    return int(size) if size else None


def _question_label(q) -> str:
    number = _get(q, "number")
    text = str(_get(q, "text", "")).strip()
    return f"Fråga {number}. {text}" if number is not None else text


# --------------------------------------------------------------------------------------------
# Tables per question type
# --------------------------------------------------------------------------------------------
def _category_counts(series: pd.Series, labels: Sequence[str]) -> pd.Series:
    values = series.dropna().astype(str)
    counts = values.value_counts()
    order = list(labels) + sorted(c for c in counts.index if c not in labels)
    return counts.reindex(order, fill_value=0).astype("int64")


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


# --------------------------------------------------------------------------------------------
# HTML per question
# --------------------------------------------------------------------------------------------
def _n_phrase(n: int) -> str:
    return f"{n} svar" if n != 1 else "1 svar"


def _too_few(sec: Section, n: int, min_cell: int) -> None:
    sec.notice(
        f"Färre än {min_cell} svarande besvarade frågan; svaren redovisas inte i den publika versionen."
        if n > 0
        else "Ingen besvarade frågan."
    )


def _plot_frame(table: pd.DataFrame, hidden: pd.Series, drop: Sequence[str] = ()) -> pd.DataFrame:
    """Numeric shares for a bar chart: hidden rows become NaN (drawn as "visas ej")."""
    t = table.loc[[i for i in table.index if i not in drop], ["andel", "ki_lag", "ki_hog"]].copy()
    t.loc[hidden.reindex(t.index, fill_value=False).to_numpy(), :] = float("nan")
    return t


def largest_phrase(table: pd.DataFrame, hidden: pd.Series, drop: Sequence[str] = ()) -> str:
    """The alt-text sentence naming the largest share — never a false claim about hidden rows.

    The largest share is named ("Störst andel: …") only when every row with the largest share
    of *all* rows (hidden ones included) is shown; tied rows are all named. Otherwise the
    sentence is about the shown rows only ("Störst andel bland de redovisade alternativen:
    …"). Rows in *drop* (e.g. "Vet ej") are not compared.

    >>> t = pd.DataFrame({"andel": [0.5, 0.3, 0.5]}, index=["A", "B", "C"])
    >>> largest_phrase(t, pd.Series([False, False, False], index=t.index))
    'Störst andel: A och C (50 %).'
    >>> largest_phrase(t, pd.Series([False, False, True], index=t.index))
    'Störst andel bland de redovisade alternativen: A (50 %).'
    >>> largest_phrase(t, pd.Series([False, True, False], index=t.index))
    'Störst andel: A och C (50 %).'
    """
    shares = table.loc[[i for i in table.index if i not in drop], "andel"].astype(float)
    shares = shares.dropna()
    shown = ~hidden.reindex(shares.index, fill_value=False).astype(bool)
    if shares.empty or not shown.any():
        return ""
    top_all = shares.max()
    top_shown = shares[shown].max()
    tied_all = [i for i in shares.index if np.isclose(shares[i], top_all)]
    tied_shown = [i for i in shares[shown].index if np.isclose(shares[i], top_shown)]
    names = (
        " och ".join([", ".join(map(str, tied_shown[:-1])), str(tied_shown[-1])])
        if len(tied_shown) > 1
        else str(tied_shown[0])
    )
    value = render.percent(top_shown)
    if all(bool(shown[i]) for i in tied_all):
        return f"Störst andel: {names} ({value})."
    return f"Störst andel bland de redovisade alternativen: {names} ({value})."


def _bars(
    sec: Section,
    label: str,
    table: pd.DataFrame,
    hidden: pd.Series,
    display: pd.DataFrame,
    what: str,
    drop=(),
) -> None:
    from analysis.report.figures import bar_with_ci

    numeric = _plot_frame(table, hidden, drop)
    data = _numeric_rows(table, hidden)
    if not numeric["andel"].notna().any():
        sec.table("andelar", display, label, data=data)
        sec.notice("Alla andelar är undertryckta eftersom grupperna är för små.")
        return
    alt = (
        f"Liggande stapeldiagram för {label}: {what} med 95 % konfidensintervall. "
        + largest_phrase(table, hidden, drop)
    )
    if hidden.reindex(numeric.index, fill_value=False).any():
        alt += " Några värden visas inte eftersom grupperna är för små."
    fig = bar_with_ci(numeric, title=label)
    sec.figure("andelar", fig, alt, caption=f"{label} – {what}.", data=display, data_caption=label)
    sec.tables["andelar"] = data


def _single(sec: Section, ds, q, audience: str, min_cell: int) -> None:
    label = _question_label(q)
    table, hidden = single_shares(ds, q, audience=audience, min_cell=min_cell)
    n_total = int(table["antal"].sum())
    if audience == "public" and n_total < min_cell:
        return _too_few(sec, n_total, min_cell)
    if audience == "public" and str(_get(q, "type")) == "org_type":
        hidden, _ = _org_sector_masks(ds, q, min_cell)
    ns = _non_substantive(q)
    sec.paragraph(f"{_n_phrase(n_total)}. {_base_phrase(table, ns)}")
    _bars(
        sec, label, table, hidden, _format_rows(table, hidden), "andel per svarsalternativ", drop=ns
    )


def _multi(sec: Section, ds, q, audience: str, min_cell: int) -> None:
    label = _question_label(q)
    table, hidden, n = multi_shares(ds, q, audience=audience, min_cell=min_cell)
    if audience == "public" and n < min_cell:
        return _too_few(sec, n, min_cell)
    display = _format_rows(table, hidden)
    display.index.name = "Alternativ"
    sec.paragraph(
        f"{n} svarande markerade minst ett alternativ; flera alternativ kunde väljas. "
        f"Andelarna räknas på dessa {n}."
    )
    _bars(sec, label, table, hidden, display, "andel som valde alternativet")


def _likert(sec: Section, ds, q, audience: str, min_cell: int) -> None:
    from analysis.report.figures import likert_diverging

    label = _question_label(q)
    counts = likert_counts(ds, q)
    n = int(counts.sum())
    if audience == "public" and n < min_cell:
        return _too_few(sec, n, min_cell)
    ns = _non_substantive(q)
    order = [c for c in _labels(q) if c not in ns]
    table, hidden = single_shares(ds, q, audience=audience, min_cell=min_cell)
    sec.paragraph(f"{_n_phrase(n)}. {_base_phrase(table, ns)}")
    plot_counts, plot_order, note = counts, order, None
    if audience == "public" and _mask(counts, min_cell, n).any():
        collapsed, groups = _collapse_likert(counts, order)
        if _mask(collapsed, min_cell, n).any():
            plot_counts = None
            note = (
                f"Diagrammet visas inte: minst en svarsgrupp är mindre än {min_cell}, även när "
                "skalan slås ihop till tre steg."
            )
        else:
            plot_counts, plot_order = collapsed, groups
            note = f"Skalan är sammanslagen till tre steg i diagrammet eftersom någon svarsgrupp är mindre än {min_cell}."
        hidden = linked_mask(
            table["antal"],
            hidden,
            _likert_equations(table.index, order, drawn=plot_counts is not None),
            min_cell,
        )
    display = _format_rows(table, hidden)
    if plot_counts is not None:
        frame = pd.DataFrame(
            [plot_counts.to_numpy()],
            index=[f"Fråga {_get(q, 'number')}"],
            columns=list(plot_counts.index),
        )
        sub = plot_counts[plot_order]
        agree = sum(int(sub[c]) for c in plot_order[(len(plot_order) + 1) // 2 :])
        disagree = sum(int(sub[c]) for c in plot_order[: len(plot_order) // 2])
        total_sub = int(sub.sum())
        summary = (
            f"{render.percent(agree / total_sub)} instämmer och {render.percent(disagree / total_sub)} instämmer inte"
            if total_sub
            else "ingen tog ställning"
        )
        alt = f"Divergerande stapeldiagram för {label}: fördelningen över svarsskalan centrerad på mitten; {summary}."
        fig = likert_diverging(frame, plot_order, title=label)
        sec.figure(
            "fordelning",
            fig,
            alt,
            caption=f"{label} – fördelning över skalan.",
            data=display,
            data_caption=label,
        )
    else:
        sec.table("fordelning", display, label)
    sec.tables["fordelning"] = _numeric_rows(table, hidden)
    if note:
        sec.notice(note)


def _text(sec: Section, ds, q, audience: str, min_cell: int) -> None:
    answers = text_answers(ds, q)
    n = len(answers)
    sec.tables["antal_svar"] = pd.DataFrame({"antal": [n]}, index=pd.Index(["Fritextsvar"]))
    if audience == "internal":
        sec.paragraph(f"{_n_phrase(n)} i fritext.")
        sec.quotes(
            answers,
            caption=f"Svaren på fråga {_get(q, 'number')} (intern version, ordagrant efter maskning av personuppgifter)",
        )
        return
    if 0 < n < min_cell:
        sec.tables["antal_svar"] = pd.DataFrame(
            {"antal": [float("nan")]}, index=pd.Index(["Fritextsvar"])
        )
    shown = f"färre än {min_cell}" if 0 < n < min_cell else str(n)
    sec.paragraph(
        f"{shown} svar i fritext. De publiceras inte i översikten; citat, urvalda och med "
        "namn maskerade, finns i enkätens huvudrapport när den har en."
    )


def _distribution_counts(ds, column: str) -> pd.Series:
    """Counts per value of a metadata column (only values that occur)."""
    counts = _category_counts(_wide(ds)[column], [])
    return counts[counts > 0]


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


def _distribution(
    sec: Section,
    name: str,
    ds,
    column: str,
    caption: str,
    row_label: str,
    audience: str,
    min_cell: int,
    hidden: pd.Series | None = None,
) -> None:
    wide = _wide(ds)
    if column not in wide.columns:
        return
    counts = _distribution_counts(ds, column)
    n = int(counts.sum())
    table = pd.DataFrame({"antal": counts, "andel": counts / n if n else float("nan")})
    table.index.name = row_label
    display = pd.DataFrame(
        {
            "Antal": [render.fmt_number(v) for v in table["antal"]],
            "Andel": [render.percent(v) for v in table["andel"]],
        },
        index=table.index,
    )
    if audience == "public":
        if hidden is None:
            hidden = _mask(counts, min_cell, n)
        hidden = hidden.reindex(counts.index, fill_value=False)
        for idx in hidden.index[hidden.to_numpy()]:
            display.loc[idx, :] = SUPPRESSED
            table.loc[idx, :] = float("nan")
    sec.table(name, display, caption, data=table.astype(float))


def _numeric_rows(table: pd.DataFrame, hidden: pd.Series | None) -> pd.DataFrame:
    """The numeric share table with hidden rows as NaN (what a researcher gets)."""
    out = table[["antal", "andel", "ki_lag", "ki_hog"]].astype(float).copy()
    if hidden is not None:
        rows = hidden.reindex(out.index, fill_value=False).to_numpy()
        out.loc[rows, :] = float("nan")
    return out


def question_section(
    ds, q, *, audience: str = "public", min_cell: int = 5, level: int = 3
) -> Section:
    """One question as a :class:`~analysis.report.section.Section` (heading, text, tables, figure)."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    qtype = str(_get(q, "type"))
    sec = Section(f"fraga-{_get(q, 'id')}", _question_label(q), level=level)
    if qtype in ("single", "org_type"):
        _single(sec, ds, q, audience, min_cell)
    elif qtype == "multi":
        _multi(sec, ds, q, audience, min_cell)
    elif qtype == "likert":
        _likert(sec, ds, q, audience, min_cell)
    elif qtype == "text":
        _text(sec, ds, q, audience, min_cell)
    elif qtype == "municipality":
        qid = _get(q, "id")
        fine_hidden = coarse_hidden = None
        if audience == "public" and qid in _wide(ds).columns:
            fine_hidden, coarse_hidden = _municipality_masks(ds, qid, min_cell)
        _distribution(
            sec,
            "per_kommun",
            ds,
            qid,
            f"{_question_label(q)}: svar per kommun",
            "Kommun",
            audience,
            min_cell,
            fine_hidden,
        )
        _distribution(
            sec,
            "per_kommungrupp",
            ds,
            "kommungrupp",
            "Svar per kommungrupp",
            "Kommungrupp",
            audience,
            min_cell,
            coarse_hidden,
        )
    else:
        sec.notice(f"Frågetypen {qtype!r} redovisas inte i översikten.")
    return sec


def question_html(ds, q, *, audience: str = "public", min_cell: int = 5, level: int = 3) -> str:
    """Heading plus the type-specific content for one question (the section's HTML body)."""
    sec = question_section(ds, q, audience=audience, min_cell=min_cell, level=level)
    return render.join(render.heading(sec.title, level), sec.body_html())


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------
def title_html(ds, *, audience: str = "public") -> str:
    """The page's H1 (the survey's title) and a short introduction."""
    audience = check_audience(audience)
    cb = _codebook(ds)
    title = str(_get(cb, "title") or _get(cb, "survey") or "Enkäten")
    version = (
        "intern version – innehåller fritextsvar, får inte publiceras"
        if audience == "internal"
        else "publik version"
    )
    parts = [
        render.heading(f"Översikt: {title}", 1),
        render.paragraph(
            f"Alla frågor i enkäten, en i taget, redovisade efter frågetyp ({version}). "
            "Andelar anges med 95 % konfidensintervall."
        ),
    ]
    if audience == "internal":
        parts.append(
            render.notice(
                "Intern version: fritextsvar visas ordagrant (efter maskning av personuppgifter) och små grupper undertrycks inte."
            )
        )
    return render.join(*parts)


def _is_census(codebook, n: int) -> bool:
    frame = _get(codebook, "frame") or {}
    size = frame_size(codebook)
    return bool(_get(frame, "census")) or (size is not None and n >= size)


def respondents_section(ds, *, audience: str = "public", min_cell: int = 5) -> Section:
    """Number of respondents and the response rate against the sample frame (when known)."""
    check_audience(audience)
    sec = Section(
        "svarande",
        "Svarande och svarsfrekvens",
        intro="Hur många som svarade, och – när enkäten har en urvalsram – hur stor andel av de "
        "tillfrågade det är.",
    )
    n = len(_wide(ds))
    size = frame_size(_codebook(ds))
    if size:
        rate = n / size
        if n >= size:
            text = (
                f"Alla {size} tillfrågade svarade på enkäten (en totalundersökning). Andelarna "
                "beskriver därför alla som ingår i undersökningen, utan urvalsosäkerhet."
            )
        else:
            text = (
                f"{n} av {size} tillfrågade svarade på enkäten, en svarsfrekvens på "
                f"{render.percent(rate)}. Intervallen för andelarna är korrigerade för att "
                "urvalsramen är ändlig."
            )
        data = pd.DataFrame(
            {"antal": [size, n, size - n], "andel": [1.0, rate, 1 - rate]},
            index=pd.Index(["Tillfrågade (urvalsram)", "Svarande", "Svarade inte"], name="Grupp"),
        )
        display = pd.DataFrame(
            {
                "Antal": [render.fmt_number(v) for v in data["antal"]],
                "Andel av urvalet": [render.percent(v) for v in data["andel"]],
            },
            index=data.index,
        )
        sec.key_points.append(text.split(".")[0] + ".")
        sec.paragraph(text)
        sec.table("svarande", display, "Svarande och svarsfrekvens", data=data)
        return sec
    sec.key_points.append(f"{n} svarande.")
    sec.tables["svarande"] = pd.DataFrame(
        {"antal": [n]}, index=pd.Index(["Svarande"], name="Grupp")
    )
    sec.paragraph(
        f"{n} svarande. Kodboken anger ingen urvalsram, så någon svarsfrekvens kan inte beräknas."
    )
    return sec


def respondents_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """HTML body of :func:`respondents_section`."""
    return respondents_section(ds, audience=audience, min_cell=min_cell).body_html()


def metadata_section(ds, *, audience: str = "public", min_cell: int = 5) -> Section:
    """The metadata questions (who answered: municipality, organisation type, sector)."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    sec = Section(
        "bakgrund",
        "Vilka som svarade",
        intro="Bakgrundsfrågorna: vilken kommun eller vilken typ av organisation de svarande "
        "representerar.",
    )
    found = False
    for q in _questions(ds):
        if _get(q, "role") == "metadata":
            found = True
            sub = question_section(ds, q, audience=audience, min_cell=min_cell)
            sec.subheading(sub.title)
            sec.tables.update({f"{_get(q, 'id')}_{k}": v for k, v in sub.tables.items()})
            sec.figures.update({f"{_get(q, 'id')}_{k}": v for k, v in sub.figures.items()})
            sec.blocks.extend(_renamed_blocks(sub, f"{_get(q, 'id')}_"))
    if "sektor" in _wide(ds).columns:
        found = True
        sector_hidden = None
        if audience == "public":
            org = [q for q in _questions(ds) if str(_get(q, "type")) == "org_type"]
            if org and _get(org[0], "id") in _wide(ds).columns:
                _, sector_hidden = _org_sector_masks(ds, org[0], min_cell)
        sec.subheading("Sektor")
        sec.paragraph("Sektorn härleds ur organisationstypen.")
        _distribution(
            sec,
            "sektor",
            ds,
            "sektor",
            "Svarande per sektor",
            "Sektor",
            audience,
            min_cell,
            sector_hidden,
        )
    if not found:
        sec.paragraph("Enkäten har inga bakgrundsfrågor.")
    return sec


def _renamed_blocks(sub: Section, prefix: str) -> list:
    """*sub*'s blocks with figure names prefixed (figures live in the parent's dict)."""
    out = []
    for kind, args, kw in sub.blocks:
        if kind == "figure":
            args = (prefix + args[0], *args[1:])
        out.append((kind, args, kw))
    return out


def metadata_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """HTML body of :func:`metadata_section`."""
    return metadata_section(ds, audience=audience, min_cell=min_cell).body_html()


def question_sections(ds, *, audience: str = "public", min_cell: int = 5) -> list[Section]:
    """Every non-metadata question in codebook order, one section each."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    return [
        question_section(ds, q, audience=audience, min_cell=min_cell)
        for q in _questions(ds)
        if _get(q, "role") != "metadata"
    ]


def questions_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """Every non-metadata question in codebook order."""
    return render.join(
        *[
            render.join(render.heading(s.title, s.level), s.body_html())
            for s in question_sections(ds, audience=audience, min_cell=min_cell)
        ]
    )


def method_section(ds, *, audience: str = "public", min_cell: int = 5, policy=None) -> Section:
    """How the numbers were computed (intervals, disclosure control, data provenance)."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    sec = Section("om-siffrorna", "Om siffrorna")
    size = frame_size(_codebook(ds))
    census = size is not None and len(_wide(ds)) >= size
    if census:
        sec.paragraph(
            "Alla i urvalsramen svarade, så andelarna har ingen urvalsosäkerhet och visas utan "
            "konfidensintervall i texten; intervallen i tabellerna är därför lika med andelen."
        )
    else:
        sec.paragraph(
            "Konfidensintervallen är Wilsonintervall (95 %), som fungerar bra även när antalet svar är litet"
            + (
                f"; de är korrigerade för ändlig population eftersom urvalsramen omfattar {size} enheter."
                if size
                else "."
            )
            + " Intervallen beskriver bara slumpmässig osäkerhet, inte snedvridning på grund av bortfall."
        )
    if policy is not None:
        sec.paragraph(policy.describe())
    if audience == "public" and min_cell > 1:
        sec.paragraph(
            f"Antal mellan 1 och {min_cell - 1} visas inte (”–”). En andel ”k av n” redovisas när k är "
            f"minst {min_cell}, oavsett hur många som inte gav svaret (n − k); samma beslut om vad som "
            "döljs gäller i enkätens alla rapporter. Där antal summeras till ett redovisat tal (antalet svar på en fråga, "
            "grupperna i ett diagram, kommunerna i en kommungrupp, organisationstyperna i en sektor) "
            "döljs också de värden som annars skulle göra det möjligt att räkna fram de dolda "
            "(kompletterande undertryckning). Andelar och intervall för dolda antal visas inte heller. "
            "Fritextsvar visas inte i översikten."
        )
    manifest = _get(ds, "manifest") or {}
    if manifest.get("synthetic"):
        sec.notice("Rapporten bygger på syntetiska demodata, inte på enkätens verkliga svar.")
    return sec


def method_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """HTML body of :func:`method_section`."""
    return method_section(ds, audience=audience, min_cell=min_cell).body_html()


def sections(analysis) -> list[Section]:
    """The overview of a :class:`~analysis.surveys.analysis.SurveyAnalysis`, in reading order.

    Respondents, who answered, every question (one level-3 section each, after a level-2
    "Frågorna en och en" section) and the method notes, all under the survey's one policy.
    """
    ds, policy = analysis.dataset, analysis.policy
    kw = {"audience": policy.audience, "min_cell": policy.min_cell}
    questions = Section(
        "fragorna",
        "Frågorna en och en",
        intro="Varje fråga redovisas efter sin typ: flervalsfrågor med antal och andel (med 95 % "
        "konfidensintervall), påståenden på en skala med ett divergerande stapeldiagram "
        "centrerat på skalans mitt, och fritextfrågor med antalet svar. Under varje diagram "
        "finns siffrorna i tabellform.",
    )
    return [
        respondents_section(ds, **kw),
        metadata_section(ds, **kw),
        questions,
        *question_sections(ds, **kw),
        method_section(ds, **kw, policy=policy),
    ]
