"""Sections about the multiple-choice questions: the regional development strategy (q3), the
enablers (q12) and the challenges (q13).

Each option is shown as "k av n" with its share, the sampling interval (Wilson, corrected for the
finite frame) and — next to it — the worst-case span if all 43 invited organisations are counted
(:func:`analysis.stats.worst_case_bounds`); a sentence says which of the two dominates. An option
the overview hides (ticked by 1 to ``min_cell − 1``) is hidden here too, with its share and
interval.
"""

from __future__ import annotations

import pandas as pd

from analysis.report.section import Section
from analysis.surveys.partner.context import Context, display_shares, share_section_table
from analysis.surveys.partner.phrases import join, k_of_n, short_name, uncertainty_sentence

__all__ = ["factors", "largest_known", "leaders", "strategy"]


def largest_known(ctx: Context, qid: str) -> bool:
    """Whether "the most common option" may be named for a multiple-choice question.

    True when every option is shown, or when every hidden option is hidden because it is small
    (``0 < k < min_cell``, the overview's rule for multiple choice) — then any shown count of at
    least ``min_cell`` is larger than every hidden one, and naming it reveals nothing more than
    the rule itself.
    """
    cells = ctx.disclosure.cells[qid]
    if ctx.disclosure.exact or not cells.hidden.any():
        return True
    hidden = cells.counts[cells.hidden.to_numpy()]
    return bool(((hidden > 0) & (hidden < ctx.min_cell)).all())


def leaders(table: pd.DataFrame) -> list[str]:
    """The shown options sharing the largest count (table order).

    >>> t = pd.DataFrame({"antal": [8.0, 8.0, 6.0, float("nan")]}, index=list("ABCD"))
    >>> leaders(t)
    ['A', 'B']
    """
    counts = table["antal"].dropna()
    if counts.empty or counts.max() <= 0:
        return []
    return [str(i) for i, v in counts.items() if v == counts.max()]


def _figure(ctx: Context, s: Section, name: str, table, title: str, what: str) -> None:
    """Bars with intervals (hidden options drawn as "visas ej") and the display table."""
    from analysis.surveys.partner.figures import shares_figure

    top = leaders(table)
    alt = (
        f"Liggande staplar: andelen som {what}, störst först, med {ctx.conf()} % "
        f"konfidensintervall och, under varje stapel, spannet om alla {ctx.frame} tillfrågade "
        "räknas."
    )
    if top:
        alt += f" Störst: {join(top)} ({int(table.loc[top[0], 'antal'])} organisationer)."
    if table["antal"].isna().any():
        alt += " Alternativ med för få svar visas inte."
    fig = shares_figure(table, title=title, frame=ctx.frame, confidence=ctx.confidence)
    s.figure(
        name,
        fig,
        alt,
        data=display_shares(ctx, table),
        data_name=f"{name}_visning",
        caption=f"{title}: andel, {ctx.conf()} % konfidensintervall och spannet om alla {ctx.frame} tillfrågade räknas",
    )
    s.tables.pop(f"{name}_visning", None)
    s.tables[name] = table


def _leader_sentence(ctx: Context, qid: str, table, n: int, lead: str) -> str | None:
    """ "{lead} A, B och C – k av n organisationer nämner var och en av dem." for the largest
    shown options (None when the largest option cannot be named)."""
    top = leaders(table)
    if not top or not largest_known(ctx, qid):
        return None
    q = ctx.question(qid)
    names = join([short_name(q, t) for t in top])
    k = int(table.loc[top[0], "antal"])
    if len(top) == 1:
        return f"{lead} {names} ({k_of_n(k, n)})."
    return f"{lead} {names} – {k_of_n(k, n)} nämner var och en av dem."


def _who(n: int, everyone: int) -> str:
    """ "Alla 14 organisationer" or "12 av 14 organisationer".

    >>> _who(14, 14), _who(12, 14)
    ('Alla 14 organisationer', '12 av 14 organisationer')
    """
    return f"Alla {n} organisationer" if n == everyone else k_of_n(n, everyone)


def _uncertainty(ctx: Context, table: pd.DataFrame) -> str | None:
    shown = table.dropna(subset=["antal"])
    if shown.empty:
        return None
    row = shown.iloc[0]
    return uncertainty_sentence(
        ci=(row["ki_lag"], row["ki_hog"]),
        worst=(row["varsta_fall_lag"], row["varsta_fall_hog"]),
        n=ctx.n,
        frame=ctx.frame,
        confidence=ctx.confidence,
    )


def strategy(ctx: Context) -> Section:
    """ "Den regionala utvecklingsstrategin": the parts of the strategy the collaboration is in."""
    s = Section(
        "rus",
        "Inom vilka delar av den regionala utvecklingsstrategin?",
        intro="Frågan gällde inom vilka delar av den regionala utvecklingsstrategin (RUS) "
        "samarbetet sker; flera svar var möjliga. Rapporten 2021 konstaterade att de flesta "
        "anslutit sig till fyra prioriteringar men att spridningen mellan dem var relativt jämn.",
    )
    table, n = share_section_table(ctx, "q3", "rus")
    if n is None:
        s.notice("Frågan besvarades av för få organisationer för att redovisas.")
        return s
    s.paragraph(f"{_who(n, ctx.n)} markerade minst en del av strategin. Andelarna räknas på dem.")
    sentence = _leader_sentence(ctx, "q3", table, n, "Samarbetet sker oftast inom")
    if sentence:
        s.key_points.append(sentence)
        s.paragraph(sentence)
    _figure(
        ctx,
        s,
        "andelar",
        table,
        "Andel som nämner respektive del av strategin",
        "nämner respektive del av den regionala utvecklingsstrategin",
    )
    text = _uncertainty(ctx, table)
    if text:
        s.paragraph(text)
    return s


FACTORS = {
    "q12": ("Möjliggörare", "nämner möjliggöraren"),
    "q13": ("Utmaningar", "nämner utmaningen"),
}
"""Question id → (sub-heading, what the bars show)."""


def factors(ctx: Context) -> Section:
    """ "Framgångsfaktorer och utmaningar": the enablers (q12) and the challenges (q13)."""
    s = Section(
        "framgangsfaktorer-och-utmaningar",
        "Framgångsfaktorer och utmaningar",
        intro="Organisationerna fick markera vilka möjliggörare som varit viktiga i samarbetet "
        "och vilka utmaningar de upplevt; alternativen är de som rapporten 2021 lyfte fram. "
        "Rapporten bedömde brist på kunskap om varandras verksamheter, roller och uppdrag som "
        "troligen den största utmaningen.",
    )
    for qid, (title, what) in FACTORS.items():
        s.subheading(title)
        table, n = share_section_table(ctx, qid, qid)
        if n is None:
            s.notice("Frågan besvarades av för få organisationer för att redovisas.")
            continue
        s.paragraph(
            f"{_who(n, ctx.n)} markerade minst ett alternativ; flera var möjliga. Andelarna "
            "räknas på dem."
        )
        top = leaders(table)
        if top and largest_known(ctx, qid):
            q = ctx.question(qid)
            k = int(table.loc[top[0], "antal"])
            names = join([short_name(q, t) for t in top])
            each = " vardera" if len(top) > 1 else ""
            if qid == "q12":
                head = "Viktigast för samarbetet"
            else:
                head = "Vanligaste utmaningarna" if len(top) > 1 else "Vanligaste utmaningen"
            asked = "" if n == ctx.n else " som svarade på frågan"
            text = f"{head}: {names} ({k} av {n}{asked}{each})."
            s.key_points.append(text)
            s.paragraph(text)
        _figure(ctx, s, f"andelar_{qid}", table, title, what)
    return s
