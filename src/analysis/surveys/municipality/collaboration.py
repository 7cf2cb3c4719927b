"""Section 5.5 (the authorities), the K1/K2/K3 comparison and the themes named together."""

from __future__ import annotations

import pandas as pd

from analysis.report.section import Section
from analysis.surveys.municipality.actors import (
    ACTOR_LABELS,
    ACTOR_QUESTIONS,
    actor_stance_by_municipality,
    actor_stance_counts,
    improvement_counts,
)
from analysis.surveys.municipality.context import Context
from analysis.surveys.municipality.counts import GROUPS, cooccurrence, group_table, top_pairs
from analysis.surveys.municipality.data import INFRA_SUBAREAS
from analysis.surveys.municipality.wording import list_phrase, lower_first, sentence

__all__ = ["actors", "groups", "pairs", "stance_sentence"]

QUOTE_ABOUT: dict[str, tuple[str, str]] = {
    "q6": ("Länsstyrelsen", "Citat om Länsstyrelsen (fråga 6)"),
    "q7": ("Trafikverket", "Citat om Trafikverket och Luftfartsverket (fråga 7)"),
    "q8": ("Arbetsförmedlingen", "Citat om Arbetsförmedlingen (fråga 8)"),
    "q9": ("Polisen", "Citat om Polisen och Ekobrottsmyndigheten (fråga 9)"),
    "q10": ("universitet", "Citat om universiteten (fråga 10)"),
}
"""Actor question → the name its quotes are about (never masked) and their caption."""


def _in_sentence(actor: str) -> str:
    """An actor's name inside a sentence ("universiteten" is a common noun, the rest are names)."""
    return "universiteten" if actor == "Universiteten" else actor


_STANCE_PHRASES = {
    "Fungerar bra": "fungerar bra",
    "Blandat": "är blandad",
    "Behöver förbättras": "behöver förbättras",
}


def stance_sentence(actor: str, row: pd.Series) -> str | None:
    """One actor's row as a sentence of counts (``None`` when a count is hidden or nobody answered).

    >>> row = pd.Series({"Fungerar bra": 9, "Blandat": 3, "Behöver förbättras": 0, "Ingen kontakt": 1})
    >>> stance_sentence("Länsstyrelsen", row)
    'Länsstyrelsen: 9 av 13 kommuner säger att samverkan fungerar bra, 3 att den är blandad och 1 att kontakt saknas.'
    """
    if row.isna().any() or not int(row.sum()):
        return None
    n = int(row.sum())
    parts: list[str] = []
    for label, v in row.items():
        if v <= 0:
            continue
        count = f"{int(v)} av {n} kommuner säger" if not parts else f"{int(v)}"
        if label == "Ingen kontakt":
            parts.append(f"{count} att kontakt saknas")
        else:
            subject = "samverkan" if not parts else "den"
            parts.append(f"{count} att {subject} {_STANCE_PHRASES.get(label, lower_first(label))}")
    return sentence(f"{actor}: {list_phrase(parts)}")


def actors(ctx: Context) -> Section:
    """5.5: per authority how many municipalities say collaboration works well, is mixed, needs
    improving, or that they have no contact — a stacked bar chart with n per authority."""
    from analysis.surveys.municipality.figures import stance_bars

    s = Section(
        "5-5",
        "5.5 Samverkan med myndigheter och universitet",
        intro="Fråga 6–10: hur samverkan med Länsstyrelsen, Trafikverket och Luftfartsverket, "
        "Arbetsförmedlingen, Polisen och Ekobrottsmyndigheten samt universiteten fungerar. Varje "
        "svar läses sats för sats; en kommun som bara skriver positivt räknas som ”fungerar bra”, "
        "bara negativt som ”behöver förbättras”, båda som ”blandat” och en kommun som inte nämner "
        "myndigheten eller skriver att kontakt saknas som ”ingen kontakt”.",
    )
    counts = actor_stance_counts(ctx.a.stances)
    shown = ctx.hide(counts, totals_known=True)
    n = shown.sum(axis=1, min_count=1).where(shown.notna().all(axis=1))
    lan = ACTOR_LABELS["lansstyrelsen"]
    if lan in shown.index and (text := stance_sentence(lan, shown.loc[lan])):
        s.key_points.append(text)
    share = (shown["Fungerar bra"] / n).dropna()
    if len(share) and shown.loc[share.idxmax(), "Fungerar bra"] > 0:
        best = share.idxmax()
        s.key_points.append(
            sentence(
                f"bäst fungerar samverkan med {_in_sentence(best)}: {int(shown.loc[best, 'Fungerar bra'])} "
                f"av {int(n[best])} kommuner säger att den fungerar bra"
            )
        )
    crit = (shown["Behöver förbättras"] / n).dropna()
    if len(crit) and shown.loc[crit.idxmax(), "Behöver förbättras"] > 0:
        worst = crit.idxmax()
        s.key_points.append(
            sentence(
                f"flest kritiska omdömen får {_in_sentence(worst)}: {int(shown.loc[worst, 'Behöver förbättras'])}"
                f" av {int(n[worst])} kommuner anser att samverkan behöver förbättras"
            )
        )
    none = (shown["Ingen kontakt"] / n).dropna()
    none = none[none >= 0.5].sort_values(ascending=False, kind="mergesort")
    if len(none):
        parts = [
            f"{int(shown.loc[a, 'Ingen kontakt'])} av {int(n[a])} med {_in_sentence(a)}"
            for a in none.index
        ]
        parts[0] = parts[0].replace(" med ", " kommuner med ", 1)
        s.key_points.append(sentence(f"ingen kontakt alls har {list_phrase(parts)}"))
    s.bullets(s.key_points)
    fig = stance_bars(shown, title="Hur fungerar samverkan? Antal kommuner per myndighet")
    alt = (
        "Liggande staplade staplar, en per myndighet: antal kommuner som säger att samverkan "
        "fungerar bra, är blandad, behöver förbättras eller att kontakt saknas. "
        + " ".join(s.key_points)
    )
    data = shown.assign(**{"Antal kommuner som svarat": n})
    s.figure("bedomningar", fig, alt, data=data, data_name="bedomningar",
             caption="Samverkan med myndigheter och universitet (antal kommuner)")  # fmt: skip
    improvements = ctx.a.improvements
    improvements = improvements[~improvements["theme"].isin(list(INFRA_SUBAREAS))]
    imp = improvement_counts(improvements, ctx.a.labels)
    if len(imp):
        s.table(
            "forbattringar",
            ctx.hide(imp),
            "Vad behöver förbättras? De förbättringsområden flest kommuner nämner per myndighet",
        )
    if not ctx.public:
        s.table(
            "per_kommun",
            actor_stance_by_municipality(ctx.a.stances, ctx.a.municipalities),
            "Bedömning per kommun och myndighet (endast intern version)",
        )
    for q, (about, caption) in QUOTE_ABOUT.items():
        if q in ACTOR_QUESTIONS:
            rows = ctx.a.coded[ctx.a.coded["question_id"] == q]
            ctx.add_quotes(s, rows, caption, k=2, about=about)
    return s


def groups(ctx: Context) -> Section:
    """K1/K2/K3 (seed 004): one table of the most common themes per municipality category."""
    from analysis.data.reference import load_municipalities

    ref = load_municipalities()
    k2 = sorted(ref.loc[ref["pendlingskategori"] == "K2", "kommun"])
    s = Section(
        "kommungrupper",
        "Skillnader mellan kommungrupper",
        intro="Indelningen K1–K3 kommer från en studie av samverkan mellan kommuner och "
        "regioner: K1 är länets största kommun (Umeå), K2 kommunerna inom ungefär 45 minuters "
        f"bilresa från Umeå ({list_phrase(k2)}) och K3 övriga kommuner. K1 är en enda kommun, så "
        "dess kolumn visar vad Umeå tar upp. Grupperna är små: en kommun mer eller mindre ändrar "
        "bilden.",
    )
    main = [t for t in ctx.a.labels if t not in INFRA_SUBAREAS]
    table = group_table(ctx.a.matrix_all, ctx.a.groups, ctx.a.labels, themes=main)
    group_cols = [c for c in table.columns if not c.startswith("Länet")]
    shown = ctx.hide(table[group_cols], totals_known=True)
    shown[table.columns[-1]] = ctx.hide(table[table.columns[-1]])
    sizes = table.attrs.get("sizes", {})
    k2c = next((c for c in group_cols if c.startswith(GROUPS["K2"])), None)
    k3c = next((c for c in group_cols if c.startswith(GROUPS["K3"])), None)
    if k2c and k3c and sizes.get("K2") and sizes.get("K3"):
        diff = (shown[k2c] / sizes["K2"] - shown[k3c] / sizes["K3"]).dropna()
        if len(diff) and diff.abs().max() > 0:
            theme = diff.abs().idxmax()
            s.key_points.append(
                sentence(
                    f"störst skillnad mellan K2 och K3 gäller {lower_first(theme)}: "
                    f"{int(shown.loc[theme, k2c])} av {sizes['K2']} kommuner i K2 och "
                    f"{int(shown.loc[theme, k3c])} av {sizes['K3']} i K3 tar upp temat"
                )
            )
    s.bullets(s.key_points)
    s.table(
        "per_grupp",
        shown,
        "Antal kommuner per grupp som tar upp respektive tema någon gång i fråga 2–15 "
        "(gruppens storlek inom parentes)",
        data=shown,
    )
    return s


def pairs(ctx: Context) -> Section:
    """The theme pairs most municipalities name in one and the same answer."""
    s = Section(
        "teman-tillsammans",
        "Teman som nämns tillsammans",
        intro="Vilka teman tar kommunerna upp i ett och samma svar? Tabellen visar de vanligaste "
        "paren, räknat i kommuner.",
    )
    main = [t for t in ctx.a.labels if t not in INFRA_SUBAREAS]
    coded = ctx.a.coded
    co = cooccurrence(coded[main], groups=coded["kommun"]) if len(coded) else None
    if co is None:
        s.paragraph("Inga svar att jämföra.")
        return s
    top = ctx.hide(top_pairs(co, ctx.a.labels, k=8))
    first = top["Antal kommuner"].dropna()
    if len(first) and (phrase := ctx.phrase(first.iloc[0])):
        a, b = first.index[0].split(" + ", 1)
        s.key_points.append(
            sentence(
                f"oftast nämns ”{lower_first(a)}” och ”{lower_first(b)}” i samma svar: "
                f"{phrase} gör det"
            )
        )
    s.bullets(s.key_points)
    s.table(
        "par",
        top,
        f"De vanligaste temaparen: antal kommuner (av {ctx.total}) som nämner båda i samma svar",
        data=top,
    )
    return s
