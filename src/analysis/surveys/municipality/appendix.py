"""The appendices at the end of the municipality report: method, answers per question, coding
quality. Instructions with commands (how to review the coding) appear in the internal version
only; the public report points to the project's documentation instead."""

from __future__ import annotations

import pandas as pd

from analysis.report.section import Section
from analysis.surveys.municipality.context import Context
from analysis.surveys.municipality.data import (
    MAX_ANSWER_CHARS,
    MAX_SENTENCES,
    SURVEY,
    answer_coverage,
)
from analysis.surveys.municipality.wording import count_phrase, list_phrase

__all__ = ["coverage", "method", "quality"]


def coverage(ctx: Context) -> Section:
    """Bilaga 2: how many municipalities answered each question, and how long the answers are."""
    s = Section("bilaga-svar", "Bilaga 2. Svar per fråga")
    wide = getattr(ctx.dataset, "wide", None)
    if wide is None:
        s.paragraph("Svaren finns inte tillgängliga.")
        return s
    cov = answer_coverage(wide)
    full = int((cov["Kommuner som svarat"] == ctx.total).sum())
    s.paragraph(
        f"{count_phrase(full, len(cov), 'frågor', 'frågorna').capitalize()} har svar från alla "
        f"{ctx.total} kommuner. Längden räknas i ord per svar."
    )
    shown = cov.copy()
    shown["Kommuner som svarat"] = ctx.hide(cov["Kommuner som svarat"])
    hidden = shown["Kommuner som svarat"].isna()
    shown.loc[hidden, ["Median antal ord", "Kortaste", "Längsta"]] = float("nan")
    s.table(
        "per_fraga",
        shown,
        "Antal kommuner som svarat och svarens längd i ord, per fråga",
        number_format={"Median antal ord": "decimal1", "Kortaste": "int", "Längsta": "int"},
        data=shown,
    )
    return s


def quality(ctx: Context) -> Section:
    """Bilaga 3: agreement between the automatic coding and a reviewer's verified codes."""
    s = Section("bilaga-kodning", "Bilaga 3. Kodningens kvalitet")
    a = ctx.a
    if not a.verified or a.agreement is None:
        s.paragraph(
            "Ingen har ännu granskat den automatiska kodningen manuellt, så dess kvalitet kan "
            "inte redovisas här. Alla antal i rapporten bygger på den automatiska kodningen."
        )
        if not ctx.public:
            s.paragraph(
                "Så skapas en granskad kodning (intern instruktion): kör "
                f"analysis code --survey {SURVEY} --review granskning.xlsx, fyll i kolumnen "
                "verified_themes med de teman som faktiskt förekommer (tema-id åtskilda med "
                "semikolon, eller - om inget tema passar), spara filen som "
                f"data/raw/{SURVEY}/verified_codes.xlsx och bygg rapporten igen."
            )
        return s
    ag = a.agreement
    n = int(ag["n"].max()) if len(ag) else 0
    table = pd.DataFrame(
        {
            "Förslag": ag["suggested_n"].astype("int64").to_numpy(),
            "Granskat": ag["verified_n"].astype("int64").to_numpy(),
            "Överensstämmelse": (ag["agreement_pct"] / 100.0).to_numpy(),
            "Cohens kappa": ag["kappa"].astype(float).to_numpy(),
        },
        index=pd.Index(ag["label"].tolist(), name="Tema"),
    )
    shown = table.copy()
    shown[["Förslag", "Granskat"]] = ctx.hide(table[["Förslag", "Granskat"]])
    s.paragraph(
        f"{n} svar har granskats manuellt. Tabellen jämför den automatiska kodningen med "
        "granskarens per tema: antal svar med temat, andel svar där de är överens och Cohens "
        "kappa (överensstämmelse utöver slumpen). I rapportens antal gäller de granskade koderna."
    )
    s.table(
        "overensstammelse",
        shown,
        "Överensstämmelse mellan automatisk och granskad kodning per tema",
        number_format={"Överensstämmelse": "percent", "Cohens kappa": "decimal2"},
        data=shown,
    )
    if a.coders is not None:
        _coders_table(s, ctx)
    return s


def _coders_table(s: Section, ctx: Context) -> None:
    """Krippendorff's α between the human coders and Cohen's κ machine–coder, per theme."""
    a = ctx.a
    c = a.coders
    names = [col.removeprefix("kappa ") for col in c.columns if col.startswith("kappa ")]
    # coders are named "granskare 1 …" (alphabetical order of their names): no name in a report
    table = pd.DataFrame(
        {"Krippendorffs alfa, granskarna": c["alpha"].astype(float).to_numpy()}
        | {
            f"Cohens kappa, automatisk–granskare {k}": c[f"kappa {n}"].astype(float).to_numpy()
            for k, n in enumerate(names, start=1)
        },
        index=pd.Index([a.labels.get(t, t) for t in c.index], name="Tema"),
    )
    shared = int(c["n_shared"].max()) if len(c) else 0
    s.paragraph(
        f"{len(names)} personer har granskat kodningen, {shared} svar av minst två av dem. Ett tema "
        "räknas i rapporten när mer än hälften av granskarna av ett svar har gett det temat; vid "
        "lika röster avgör den automatiska kodningen. Krippendorffs alfa visar hur väl granskarna "
        "är överens med varandra (1 = helt, 0 = som slumpen), Cohens kappa hur väl den automatiska "
        "kodningen stämmer med var och en av dem."
    )
    fmt = {col: "decimal2" for col in table.columns}
    s.table(
        "granskare",
        table,
        "Överensstämmelse mellan granskarna och mellan automatisk kodning och varje granskare",
        number_format=fmt,
        data=table,
    )


def method(ctx: Context) -> Section:
    """Bilaga 1: data, coding, counting, quotes, disclosure, municipality groups, reservations."""
    from analysis.data.reference import load_municipalities

    s = Section("bilaga-metod", "Bilaga 1. Metod och reservationer")
    a, policy = ctx.a, ctx.policy
    manifest = getattr(ctx.dataset, "manifest", None) or {}
    ref = load_municipalities()
    k2 = sorted(ref.loc[ref["pendlingskategori"] == "K2", "kommun"])
    minutes = pd.to_numeric(ref["restid_bil_umea_min"], errors="coerce")
    edge = sorted(ref.loc[(ref["pendlingskategori"] == "K2") & (minutes >= 45), "kommun"])
    k3 = minutes[ref["pendlingskategori"] == "K3"]
    nearest_k3 = int(k3.min()) if k3.notna().any() else None
    n_themes = len(a.labels)
    version = getattr(ctx.themes, "version", "")
    data_text = (
        "Data: enkäten skickades i april 2023 till kommunchefen eller kommundirektören i länets "
        f"{len(ref)} kommuner, med 14 frågor med fritextsvar (fråga 2–15). Underlaget omfattar "
        f"{count_phrase(a.total, len(ref))} och {len(a.answers)} ifyllda fritextsvar"
        + (f" från filen {manifest['source_file']}" if manifest.get("source_file") else "")
        + ". E-postadresser, telefonnummer och personnummer i fritexten maskeras redan när "
        "data läses in."
    )
    if ctx.synthetic:
        data_text += (
            " Svaren i den här versionen är syntetiska demodata, skrivna för att likna innehållet "
            "i 2023 års rapport; resultaten visar hur rapporten fungerar, inte vad kommunerna svarade."
        )
    paras = [
        data_text,
        "Kodning: varje svar kodas automatiskt med en versionerad temakodbok "
        f"({f'version {version}, ' if version else ''}{n_themes} teman, varav "
        f"{len(a.priority_ids)} är originalrapportens prioriterade områden). Ord matchas även i "
        "böjda former och sammansättningar ("
        "”järnvägarna”, ”bostadsbyggandet”). "
        + (
            "Granskade koder ersätter de automatiska där sådana finns."
            if a.verified
            else "Kodningen är inte granskad manuellt (se bilaga 3)."
        ),
        "Räkning: en kommun räknas en gång per tema, oavsett hur många av dess svar som tar upp "
        "temat. Alla länets kommuner ingår, så siffrorna är en totalräkning och inte ett urval; "
        "osäkerheten ligger i kodningen, inte i slumpen. Antalen säger hur många kommuner som tar "
        "upp ett tema, inte hur viktigt det är för dem.",
        "Möjlighet eller utmaning (5.3) och bedömningen av myndigheterna (5.5) bygger på "
        "signalord i varje mening, med enkel hantering av nekande (”inte tillräcklig”). En mening "
        "med ”men” bedöms efter det som kommer efter ”men”. Ironi och långa resonemang kan läsas "
        "fel; läs därför siffrorna tillsammans med citaten.",
        "Citat: hela meningar ur svaren, aldrig avkortade och aldrig delar av listor. Per tema "
        "väljs om möjligt en positiv, en kritisk och en konkret mening (med ett namn, ett tal "
        "eller ett exempel), högst en per svar och inga nästan likadana. Urvalet är "
        "deterministiskt. Den mest kritiska rösten i sammanfattningen är den mening som har flest "
        "kritiska signalord.",
        "Röjandekontroll: "
        + policy.describe()
        + (
            " Namnen på de myndigheter och organisationer frågorna gäller ("
            + list_phrase(list(dict.fromkeys(policy.keep_names))[:6])
            + " med flera) ersätts aldrig."
            if policy.public and policy.keep_names
            else ""
        ),
        "Kommungrupper: indelningen K1–K3 kommer från en studie av samverkan mellan kommuner "
        "och regioner. K1 är den befolkningsmässigt största kommunen (Umeå), K2 de kommuner vars "
        f"centralort ligger inom ungefär 45 minuters bilresa från Umeå ({list_phrase(k2)}) och "
        "K3 övriga. Restiderna är våra uppskattningar från vägavstånd"
        + (f"; {list_phrase(edge)} ligger på gränsen" if edge else "")
        + (
            f", medan ingen K3-kommun ligger närmare än ungefär {nearest_k3} minuter."
            if nearest_k3
            else "."
        ),
        "Reservationer: originalrapportens avsnitt 5.2 byggde också på underlag inifrån Region "
        "Västerbotten som inte finns i enkäten. Kodboken bygger på originalrapportens egna "
        "formuleringar, så teman som rapporten inte nämner fångas sämre.",
    ]
    if a.truncated:
        paras.append(
            f"Mycket långa svar: {a.truncated} svar var längre än {MAX_ANSWER_CHARS:,} tecken".replace(
                ",", "\u00a0"
            )
            + f"; bara början analyserades (högst {MAX_SENTENCES} meningar per svar)."
        )
    for p in paras:
        s.paragraph(p)
    return s
