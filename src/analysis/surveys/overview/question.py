"""One question as a :class:`~analysis.report.section.Section` (by question type)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.disclosure.audience import check_audience
from analysis.disclosure.linked import _mask, linked_mask
from analysis.report import html as render
from analysis.report.section import Section
from analysis.surveys.overview.access import (  # noqa: F401
    SUPPRESSED,
    _check_min_cell,
    _get,
    _labels,
    _non_substantive,
    _question_label,
    _wide,
)
from analysis.surveys.overview.counts import (  # noqa: F401
    _base_phrase,
    _collapse_likert,
    _format_rows,
    _likert_equations,
    likert_counts,
    multi_shares,
    single_shares,
    text_answers,
)
from analysis.surveys.overview.masks import (
    _distribution_counts,
    _municipality_masks,
    _org_sector_masks,
)


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
        f"Liggande stapeldiagram för {label} – {what} med 95 % konfidensintervall. "
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
    elif qtype == "org_id":
        sec.notice(
            "Organisationskoden redovisas inte: den används bara för att para ihop en "
            "organisations svar mellan enkätomgångarna."
        )
    else:
        sec.notice("Den här typen av fråga sammanfattas inte i översikten.")
    return sec


def question_html(ds, q, *, audience: str = "public", min_cell: int = 5, level: int = 3) -> str:
    """Heading plus the type-specific content for one question (the section's HTML body)."""
    sec = question_section(ds, q, audience=audience, min_cell=min_cell, level=level)
    return render.join(render.heading(sec.title, level), sec.body_html())
