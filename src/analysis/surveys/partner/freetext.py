"""The free-text section ("Fritextsvar") and the comparison between sectors.

Free text: per theme at most three quotes, chosen for variety (:mod:`~analysis.surveys.partner.
quotes`), whole sentences, masked in the public version. The number of answers per question is
not stated here (the overview states what may be shown), and in the public version quotes are
not tied to a question, so that a question with few answers is not given away.

Sectors: a sector table is shown only when every cell it uses — its own cells, the sectors'
sizes and the question's answers — is shown; with 14 answers in four sectors that is rarely the
case in the public version, and the section then says why.
"""

from __future__ import annotations

import pandas as pd

from analysis.report import format as fmt
from analysis.report.section import Section
from analysis.surveys.partner import data
from analysis.surveys.partner.context import Context
from analysis.surveys.partner.quotes import critical_sentence, quotes_by_theme

__all__ = ["critical_voice", "free_text", "sectors"]


def _answers(ctx: Context) -> list[tuple[str, str]]:
    """Every non-empty free-text answer with its question id (question order)."""
    out = []
    for qid in data.FREE_TEXT_QUESTIONS:
        for value in ctx.inputs.responses[qid].dropna().astype(str):
            if value.strip():
                out.append((qid, value.strip()))
    return out


def free_text(ctx: Context) -> Section:
    """ "Fritextsvar": chosen quotes per theme."""
    keep = tuple(ctx.analysis.policy.keep_names)
    s = Section(
        "fritext",
        "Fritextsvar",
        intro="Enkätens öppna frågor gällde hur samarbetet har utvecklat den egna verksamheten "
        "(fråga 9) och regionens verksamhet (fråga 11), och om något ytterligare ville tilläggas "
        "(fråga 15). Svaren är sorterade efter tema. Per tema visas högst tre citat, valda så "
        "att både positiva och kritiska röster och konkreta exempel kommer med; citaten är hela "
        "meningar.",
    )
    if ctx.public:
        s.paragraph(
            "Namn på organisationer, kommuner och personer är ersatta med [organisation], "
            "[kommun] och [person]. Citaten anges utan fråga och avsändare."
        )
    answers = _answers(ctx)
    texts = [t for _, t in answers]
    groups = quotes_by_theme(texts, public=ctx.public, keep=keep)
    if not groups:
        s.paragraph("Inga fritextsvar.")
        return s
    numbers = {qid: ctx.question(qid).get("number") for qid in data.FREE_TEXT_QUESTIONS}
    rows = []
    for theme, quotes in groups.items():
        s.subheading(theme)
        shown = []
        for q in quotes:
            if ctx.internal:
                shown.append(f"{q.text} (fråga {numbers[answers[q.source][0]]})")
            else:
                shown.append(q.text)
            rows.append({"tema": theme, "citat": q.text, "ton": q.polarity})
        s.quotes(shown)
    s.tables["citat"] = pd.DataFrame(rows)
    voice = critical_voice(ctx)
    if voice:
        s.key_points.append(f"Den mest kritiska rösten: ”{voice}”")
    return s


def critical_voice(ctx: Context) -> str | None:
    """The most critical whole sentence in the free text (masked in the public version)."""
    keep = tuple(ctx.analysis.policy.keep_names)
    quote = critical_sentence([t for _, t in _answers(ctx)], public=ctx.public, keep=keep)
    return quote.text if quote else None


def _allowed(ctx: Context, qid: str, table: pd.DataFrame) -> bool:
    d = ctx.disclosure
    if d.exact:
        return True
    values = table.to_numpy()
    if ((values > 0) & (values < ctx.min_cell)).any():
        return False
    sectors = d.cells["q1"]
    return d.cells[qid].shown(d.cells[qid].counts.index) and not any(
        sectors.derived_hidden.values()
    )


def sectors(ctx: Context) -> Section:
    """ "Skillnader mellan sektorer": per question, answers by sector (tests in the appendix)."""
    s = Section(
        "sektorer",
        "Skillnader mellan sektorer",
        intro="Skiljer sig svaren mellan offentlig sektor, näringsliv, akademi och idéburen "
        "sektor? Med så få svar per sektor kan bara mycket stora skillnader upptäckas.",
    )
    shown = 0
    for qid, table, _ in data.sector_tests(ctx.inputs.responses, ctx.inputs.questions):
        if not _allowed(ctx, qid, table):
            continue
        q = ctx.question(qid)
        title = f"Fråga {q.get('number')}: {q.get('text')}"
        full = table.copy()
        full["Totalt"] = full.sum(axis=1)
        s.table(
            f"sektor_{qid}",
            full.map(fmt.fmt_number),
            f"{title} (antal organisationer)",
            data=full.astype(float),
        )
        shown += 1
    if not shown:
        s.paragraph(
            "Svaren per sektor visas inte i den publika versionen: grupperna är så små att "
            "enskilda organisationers svar annars skulle kunna räknas fram. Inga slutsatser om "
            "skillnader mellan sektorerna kan därför dras av den publika rapporten."
        )
    else:
        s.paragraph(
            "Prövningen av om skillnaderna är större än vad slumpen brukar ge finns i bilagan."
        )
    return s
