"""The trend report's closing sections: free-text themes per round, and method and caveats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from analysis.report.section import Section
from analysis.surveys.trend.disclosure import _hide_cells
from analysis.surveys.trend.labels import TEXT_CONCEPTS
from analysis.surveys.trend.sections.wording import _ci_label, _count

if TYPE_CHECKING:  # pragma: no cover
    from analysis.surveys.trend.model import TrendAnalysis


def _texts(ds, concepts: Sequence[str], policy) -> tuple[list[str], list[str]]:
    """The answers to the free-text questions of *concepts*, and the questions left out.

    In public a question with 1 to ``min_cell − 1`` answers is left out: the overview hides that
    number, and a pooled total would give it away.
    """
    out, left_out = [], []
    for q in ds.codebook.questions:
        if q.type == "text" and q.concept in concepts and q.id in ds.wide:
            answers = [str(v) for v in ds.wide[q.id].dropna() if str(v).strip()]
            if policy.suppresses and 0 < len(answers) < policy.min_cell:
                left_out.append(f"fråga {q.number}" if q.number is not None else q.id)
                continue
            out.extend(answers)
    return out, left_out


def free_text_section(t: TrendAnalysis) -> Section:
    """Free-text answers per round, counted by the partner report's keyword themes."""
    from analysis.surveys.partner.quotes import OTHER_THEME, THEMES, theme_of

    pol = t.policy
    s = Section(
        "fritext",
        "Fritext: teman per omgång",
        intro="Svaren på de öppna frågorna (hur samarbetet har utvecklat den egna verksamheten "
        "och regionens, och övriga synpunkter) räknade efter tema. Temana är partnerrapportens "
        "enkla nyckelordskodning: varje svar får det tema vars nyckelord förekommer oftast. Det "
        "finns ingen granskad temakodbok för partnerenkätens fritext, så räkningen är en grov "
        "bild. Citat visas inte här.",
    )
    themes = [*THEMES, OTHER_THEME]
    counts = {}
    omitted = []
    for r in (t.a, t.b):
        texts, left_out = _texts(r.dataset, TEXT_CONCEPTS, pol)
        omitted += [f"{x} ({r.year})" for x in left_out]
        c = pd.Series([theme_of(x) for x in texts], dtype="object").value_counts()
        counts[f"Antal svar {r.year}"] = c.reindex(themes, fill_value=0).astype("int64")
    frame = pd.DataFrame(counts)
    totals = frame.sum(axis=0)
    hidden = pd.DataFrame(
        {col: _hide_cells(frame[col], [dict.fromkeys(frame.index, 1)], pol) for col in frame}
    )
    data = frame.astype(float).mask(hidden)
    total_row = pd.DataFrame(
        [
            [
                float(v) if (not pol.suppresses or v >= pol.min_cell or v == 0) else float("nan")
                for v in totals
            ]
        ],
        columns=frame.columns,
        index=["Alla fritextsvar"],
    )
    data = pd.concat([data, total_row])
    data.index.name = "Tema"
    shown = data.apply(lambda col: col.map(_count))
    shown.index.name = "Tema"
    s.table("teman", shown, "Fritextsvar per tema och omgång", data=data)
    if omitted:
        s.notice(
            f"Svaren på {', '.join(omitted)} räknas inte med: de är färre än {pol.min_cell}, och "
            "en summa med dem skulle avslöja hur många de är."
        )
    if pol.suppresses and bool(hidden.to_numpy().any()):
        s.notice(
            f"Teman med färre än {pol.min_cell} svar visas som ”–”, liksom de antal som annars "
            "skulle göra det möjligt att räkna fram dem."
        )
    return s


# --------------------------------------------------------------------------------------------
# Method
# --------------------------------------------------------------------------------------------
def method_section(t: TrendAnalysis) -> Section:
    """How the numbers were computed and what they cannot say."""
    pol = t.policy
    conf = _ci_label(t.confidence)
    s = Section("metod", "Metod och reservationer")
    s.bullets(
        [
            f"Andelar: {conf} enligt Wilson, korrigerade för ändlig population med respektive "
            f"omgångs urvalsram ({t.a.frame_size} och {t.b.frame_size} organisationer). "
            "Intervallen beskriver bara slumpmässig osäkerhet, inte snedvridning på grund av "
            "bortfall: de som svarade kan skilja sig från dem som inte svarade.",
            "Jämförelse av omgångarna: Boschloos exakta test (tvåsidigt) på fyrfältstabellen "
            "indikator/inte indikator per omgång. Testet behandlar omgångarna som oberoende "
            "stickprov; de organisationer som svarade båda gångerna gör dem delvis beroende, "
            "och för dem redovisas ett parat test separat.",
            "Parade svar: Bowkers exakta symmetritest för frågor med ordnade svar, McNemars "
            "exakta test för flervalsalternativ och det exakta teckentestet för riktningen av "
            "förändringen (uppåt mot nedåt).",
            "Indikatorer: för påståendena andelen som instämmer helt eller delvis av dem som tog "
            "ställning (utan ”Vet ej”); för andra frågor de svar kodboken anger som indikator; "
            "för flervalsfrågor andelen som kryssade i alternativet av dem som kryssade i något.",
            "Begreppen paras ihop genom kodböckernas begrepps-id (concept), inte genom "
            "frågenumren. Omformulerade frågor är markerade med * och redovisas ändå, eftersom "
            "svarsalternativen är desamma; tolka dem med försiktighet.",
            "Med så få svar (omkring 15 per omgång) kan bara stora förändringar upptäckas; "
            "många tester görs, så ett enstaka p-värde under 0,05 kan vara slump.",
        ]
    )
    s.paragraph(pol.describe())
    if pol.suppresses:
        s.paragraph(
            f"I den här rapporten: ett antal under {pol.min_cell} visas aldrig. En andel ”k av n” "
            f"visas när k är 0 eller minst {pol.min_cell} och n minst {pol.min_cell}. När antalet "
            "”Vet ej” är litet räknas andelen på alla svar, så att det inte går att räkna fram. "
            "Förändring och test visas bara när båda omgångarnas andelar visas. Antal som "
            "summeras till ett visat tal skyddas med kompletterande undertryckning."
        )
    if t.synthetic:
        s.notice(
            "Data är syntetiska demodata (manifesten anger synthetic: true), genererade av "
            "`analysis demo`. Inga siffror här beskriver verkliga organisationers svar."
        )
    return s
