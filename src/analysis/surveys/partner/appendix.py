"""The method appendix ("Bilaga: Metod och statistik"): intervals, tests, kappa, evenness,
disclosure control and how quotes were chosen.

The body of the report speaks in counts and shares; everything a statistician wants to check
is here. A test, kappa or evenness measure is shown only when every cell it is computed from is
shown (always in the internal version); otherwise the appendix says that it is left out and why.
One test per question: Friedman's test for the three statements (no Cochran's Q besides it),
Bowker's exact symmetry test and weighted kappa for own vs region development, the exact
Fisher–Freeman–Halton test per sector table; no test on the multiple-choice counts (one
organisation can tick several options, so the counts are not independent).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.report import format as fmt
from analysis.report.section import Section
from analysis.surveys.partner import data
from analysis.surveys.partner.context import Context
from analysis.surveys.partner.phrases import decimal, kappa_sentence, ranges

__all__ = ["appendix"]

LEFT_OUT = (
    "Det redovisas inte i den publika versionen, eftersom det räknas fram ur svarsgrupper som "
    "är dolda där."
)


def _all_shown(ctx: Context, *qids: str) -> bool:
    d = ctx.disclosure
    return d.exact or all(d.cells[q].shown(d.cells[q].counts.index) for q in qids)


def _intervals(ctx: Context, s: Section) -> None:
    s.subheading("Osäkerhet: intervall och bortfall")
    conf = ctx.conf()
    s.paragraph(
        f"Konfidensintervallen i rapporten är {conf} procents intervall enligt Wilsons "
        "metod, som har nära utlovad täckning även när antalet svar är litet och aldrig hamnar "
        f"utanför 0–100 %. De är korrigerade för att svaren kommer från en känd, ändlig grupp – "
        f"{ctx.n} av de {ctx.frame} tillfrågade – med effektiv urvalsstorlek n / fpc², "
        "fpc² = (N − n)/(N − 1) (Korn och Graubard 1998). Korrektionen förutsätter att de som "
        "svarade är ett slumpmässigt urval av de tillfrågade. Det vet vi inte."
    )
    s.paragraph(
        f"Därför visas bredvid varje intervall också spannet om alla {ctx.frame} tillfrågade "
        "räknas (Manskis gränser för bortfall): den lägsta andelen får man om ingen av dem som "
        "inte svarade skulle ha gett svaret, den högsta om alla skulle ha gjort det. Spannet "
        "kräver inga antaganden om bortfallet. Med "
        f"{ctx.frame - ctx.n} av {ctx.frame} som inte svarade är det mycket bredare än "
        "intervallen: bortfallet, inte slumpen, är den största osäkerheten i undersökningen."
    )
    if not ctx.shares:
        return
    rows = pd.DataFrame(ctx.shares).set_index("vad")
    numbers = rows[
        [
            "antal",
            "svar",
            "andel",
            "ki_lag_utan",
            "ki_hog_utan",
            "ki_lag",
            "ki_hog",
            "varsta_fall_lag",
            "varsta_fall_hog",
        ]
    ].astype(float)
    numbers.index.name = "Andel"
    shown = pd.DataFrame(
        {
            "Antal": [
                f"{int(k)} av {int(n)}" for k, n in zip(rows["antal"], rows["svar"], strict=True)
            ],
            "Andel": [fmt.percent(v) for v in rows["andel"]],
            "Utan korrektion": [
                fmt.fmt_ci(a, b)
                for a, b in zip(rows["ki_lag_utan"], rows["ki_hog_utan"], strict=True)
            ],
            "Med korrektion för ändlig population": [
                fmt.fmt_ci(a, b) for a, b in zip(rows["ki_lag"], rows["ki_hog"], strict=True)
            ],
            f"Spann om alla {ctx.frame} räknas": [
                fmt.fmt_ci(a, b)
                for a, b in zip(rows["varsta_fall_lag"], rows["varsta_fall_hog"], strict=True)
            ],
        },
        index=numbers.index,
    )
    s.table(
        "intervall",
        shown,
        f"Andelarna i rapporten med {conf} % konfidensintervall utan "
        "och med korrektion för ändlig population, och spannet vid värsta tänkbara bortfall",
        data=numbers,
    )


def _development(ctx: Context, s: Section) -> None:
    s.subheading("Egen och regionens utveckling (fråga 8 och 10)")
    ag = data.development_agreement(
        ctx.inputs.responses, ctx.inputs.questions, confidence=ctx.confidence
    )
    values = ag.table.to_numpy()
    small = ((values > 0) & (values < ctx.min_cell)).any()
    if not (ctx.disclosure.exact or (_all_shown(ctx, "q8", "q10") and not small)):
        s.paragraph(
            "Överensstämmelsen mellan svaren om den egna verksamheten och om regionens mäts med "
            f"viktad kappa, och ett exakt test prövar om skillnaderna går åt ett håll. {LEFT_OUT}"
        )
        return
    k = ag.kappa
    sym = ag.symmetry
    text = (
        f"{ag.n} organisationer tog ställning i båda frågorna; {ag.agree} gav samma svar om "
        f"båda. {kappa_sentence(k.kappa, k.low, k.high, ctx.confidence)} Viktningen är linjär "
        "(ett stegs skillnad räknas som halv överensstämmelse) och intervallet kommer från 2 000 "
        "bootstrapdragningar med fast slumpfrö."
    )
    if fmt.kappa_interpretation(k.low) != fmt.kappa_interpretation(k.high):
        text += (
            " Rapporten 2021 kallade överensstämmelsen betydande; med så här få svar går det "
            "inte att skilja det från en svagare eller en starkare överensstämmelse."
        )
    s.paragraph(text)
    s.paragraph(
        "Bowkers exakta symmetritest prövar om de som svarade olika oftare bedömde regionens "
        f"utveckling högre än den egna eller tvärtom: {sym.above} åt ena hållet och {sym.below} "
        f"åt det andra, {fmt.format_p(sym.pvalue)}. "
        + (
            "Skillnaden åt ett håll är inte större än vad slumpen ofta ger."
            if sym.pvalue >= 0.05
            else "Skillnaden åt ett håll är större än vad slumpen brukar ge."
        )
    )
    s.tables["kappa"] = pd.DataFrame(
        {"varde": [k.kappa, k.low, k.high, sym.pvalue]},
        index=pd.Index(["viktad kappa", "ki_lag", "ki_hog", "bowker_p"], name="mått"),
    )


def _statements(ctx: Context, s: Section) -> None:
    s.subheading("Skiljer sig bedömningarna av de tre påståendena åt?")
    if not _all_shown(ctx, *data.DIMENSIONS):
        s.paragraph(f"Frågan prövas med Friedmans test för parade ordinala svar. {LEFT_OUT}")
        return
    res = data.likert_test(ctx.inputs.responses, ctx.inputs.questions)
    if math.isnan(res.pvalue):
        s.paragraph("Friedmans test kan inte beräknas med så här få fullständiga svar.")
        return
    verdict = (
        "Med så få svar går det inte att säga att regionen bedöms olika på de tre punkterna."
        if res.pvalue >= 0.05
        else "Bedömningarna skiljer sig åt mer än vad slumpen brukar ge."
    )
    s.paragraph(
        f"Friedmans test för parade ordinala svar, med p-värde från permutationer (fast "
        f"slumpfrö), på de {res.n} som tog ställning till alla tre påståendena: "
        f"{fmt.format_p(res.pvalue)}. {verdict}"
    )
    s.tables["friedman"] = pd.DataFrame(
        {"varde": [res.statistic, res.pvalue, res.n]},
        index=pd.Index(["statistika", "p", "n"], name="mått"),
    )


def _evenness(ctx: Context, s: Section) -> None:
    s.subheading("Spridningen mellan strategins delar")
    if not _all_shown(ctx, "q3"):
        s.paragraph(f"Spridningen mäts med Pielous jämnhetsmått J. {LEFT_OUT}")
        return
    counts, _ = data.multi_counts(ctx.inputs.responses, ctx.question("q3"))
    ev = data.evenness(counts)
    s.paragraph(
        f"Pielous jämnhetsmått J är {decimal(ev.pielou_j)} på en skala från 0 (alla nämner samma "
        "del) till 1 (alla delar nämns lika ofta). Inget test görs: en organisation kan nämna "
        "flera delar, så nämnandena är inte oberoende av varandra."
    )
    s.tables["jamnhet"] = pd.DataFrame({"varde": [ev.pielou_j]}, index=["Pielous J"])


def _sectors(ctx: Context, s: Section) -> None:
    from analysis.surveys.partner.freetext import _allowed

    s.subheading("Skillnader mellan sektorer")
    rows = []
    for qid, table, res in data.sector_tests(ctx.inputs.responses, ctx.inputs.questions):
        if _allowed(ctx, qid, table):
            q = ctx.question(qid)
            rows.append((f"Fråga {q.get('number')}", res.method, res.pvalue, res.n))
    if not rows:
        s.paragraph(
            "Sambandet mellan sektor och svar prövas med Fishers exakta test (2 × 2) eller "
            f"Freeman–Haltons utvidgning. {LEFT_OUT}"
        )
        return
    s.paragraph(
        "Sambandet mellan sektor och svar prövas med Fishers exakta test (2 × 2) eller "
        "Freeman–Haltons utvidgning med p-värde från Monte Carlo-dragningar med fast slumpfrö, "
        "ett test per fråga. Med så få svar per sektor kan bara mycket stora skillnader upptäckas."
    )
    numbers = pd.DataFrame(rows, columns=["Fråga", "Test", "p", "n"]).set_index("Fråga")
    shown = numbers.assign(p=[fmt.format_p(p) for p in numbers["p"]])
    shown = shown.rename(columns={"p": "p-värde", "n": "Svarande"})
    s.table(
        "sektortest",
        shown,
        "Test av skillnader mellan sektorer, ett per fråga",
        data=numbers[["p", "n"]].astype(float),
    )


def _disclosure(ctx: Context, s: Section) -> None:
    s.subheading("Röjandekontroll")
    policy = ctx.analysis.policy
    s.paragraph(policy.describe())
    d = ctx.disclosure
    if d.exact:
        return
    hidden = [
        ctx.question(q).get("number")
        for q, c in d.cells.items()
        if c.hidden.any() and q in ctx.inputs.questions
    ]
    s.paragraph(
        f"Samma beslut om vad som döljs gäller i enkätens alla rapporter: en andel, ett ”k av n”, "
        "ett intervall, ett test eller ett mått visas bara när varje svarsgrupp det bygger på "
        "visas. En tabell där de flesta grupper skulle döljas ersätts av en mening och, när det "
        f"går, en grövre indelning där varje grupp har minst {d.min_cell} svar. Innan en grövre "
        "indelning publiceras kontrolleras med linjärprogrammering, mot allt som rapporterna "
        f"publicerar och mot urvalsramen, att inget dolt antal kan räknas fram exakt eller visas "
        f"ligga mellan 1 och {d.min_cell - 1}."
        + (
            f" I den här versionen döljs helt eller delvis svaren på frågorna {ranges(hidden)}."
            if hidden
            else ""
        )
    )
    s.paragraph(
        "En flervalsfråga döljer bara alternativ som markerats av färre än "
        f"{d.min_cell}; därför kan det vanligaste alternativet anges även när andra är dolda."
    )


def _free_text(ctx: Context, s: Section) -> None:
    s.subheading("Fritextsvar och citat")
    s.paragraph(
        "Fritextsvaren sorteras i teman med en enkel nyckelordskodning (det tema vars nyckelord "
        "förekommer flest gånger). Kodningen är inte prövad mot en andra kodare och ska läsas "
        "som en sortering, inte som en mätning."
    )
    s.paragraph(
        "Per tema väljs högst tre citat med samma urval som i projektets övriga rapporter: ett "
        "positivt, ett kritiskt och ett konkret (med ett tal, ett namn eller ett exempel) där "
        "svaren har sådana, därefter de mest representativa. Citaten är hela meningar som "
        "avslutas med punkt, frågetecken eller utropstecken; de kortas aldrig. Högst ett citat "
        "tas från varje svar, och nästan likadana meningar tas bara med en gång. Tonen läses i "
        "huvudsatsen: i en mening med ”men” avgör ledet efter ”men”. En mening som bygger på "
        "meningen före (”Det ger …”, ”Vi har också …”) eller som bara går att förstå tillsammans "
        "med frågan väljs inte, eftersom läsaren ser citatet utan sitt sammanhang. Den mest "
        "kritiska rösten i sammanfattningen är den mening som har flest kritiska och minst "
        "positiva ordval."
    )


def _data(ctx: Context, s: Section) -> None:
    s.subheading("Data och frågor")
    questions = list(ctx.inputs.questions.values())
    recon = [q.get("number") for q in questions if q.get("reconstructed")]
    verbatim = [q.get("number") for q in questions if not q.get("reconstructed")]
    s.paragraph(
        "Enkätens frågeformulär är inte publicerat i sin helhet. Bara frågorna "
        f"{ranges(verbatim)} återges ordagrant i rapporten 2021; övriga frågor ({ranges(recon)}) "
        "är rekonstruerade ur rapportens text och kan ha haft en annan formulering och andra "
        "svarsalternativ."
    )
    if ctx.analysis.synthetic:
        s.notice(
            "Svaren i den här rapporten är syntetiska demonstrationsdata, konstruerade för att "
            "likna enkäten 2021. De är inte de verkliga svaren, och siffrorna får inte citeras "
            "som resultat."
        )


def appendix(ctx: Context) -> Section:
    """ "Bilaga: Metod och statistik"."""
    s = Section(
        "bilaga-metod",
        "Bilaga: Metod och statistik",
        intro="Här redovisas hur siffrorna har tagits fram: konfidensintervall, test och mått "
        "på överensstämmelse, röjandekontrollen och hur citaten valdes.",
    )
    _data(ctx, s)
    _intervals(ctx, s)
    _development(ctx, s)
    _statements(ctx, s)
    _evenness(ctx, s)
    _sectors(ctx, s)
    _disclosure(ctx, s)
    _free_text(ctx, s)
    return s
