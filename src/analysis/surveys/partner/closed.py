"""Sections about who answered and the closed single-choice questions of the partner report.

One function per section, each returning a :class:`~analysis.report.section.Section` with its
numbers (``tables``, hidden cells NaN), figures, ``key_points`` (plain Swedish counts, the
first of which feeds "Det viktigaste") and blocks. Every count comes through the survey's
:class:`~analysis.surveys.partner.disclosure.Disclosure`, so the public version hides exactly
what the overview hides, and a table whose cells are mostly hidden is replaced by a sentence and
a coarser grouping that clears the threshold (or a sentence saying why nothing is shown).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.report import format as fmt
from analysis.report.section import Section
from analysis.surveys.partner import data
from analysis.surveys.partner.context import Context
from analysis.surveys.partner.phrases import join, k_of_n, uncertainty_sentence

__all__ = ["assessments", "development", "ladder", "respondents"]

NOT_SHOWN = (
    "visas inte i den publika versionen, eftersom enskilda organisationers svar annars skulle "
    "kunna räknas fram ur siffrorna"
)
"""The one reason given when numbers are withheld (deliberately the same for every table, so
that the wording itself says nothing about which cells are small)."""


# --------------------------------------------------------------------------------------------
# Who answered
# --------------------------------------------------------------------------------------------
def _sector_groups(ctx: Context) -> list[dict[str, list[str]]]:
    """Sector groupings of the organisation types, finest first."""
    from analysis.data.reference import sector_for_org_type

    types = data.labels(ctx.question("q1"))
    fine: dict[str, list[str]] = {}
    for t in types:
        fine.setdefault(sector_for_org_type(t), []).append(t)
    public = fine.get("Offentlig sektor", [])
    others = [t for t in types if t not in public]
    names = join([s.lower() for s in fine if s != "Offentlig sektor"])
    coarse = {"Offentlig sektor": public, f"Övriga sektorer ({names})": others}
    return [fine, coarse] if public and others else [fine]


def respondents(ctx: Context) -> Section:
    """ "Vilka svarade?": the response rate, the sample frame and respondents by sector."""
    s = Section(
        "svarande",
        "Vilka svarade?",
        intro="Enkäten skickades i början av sommaren 2021 till ett urval samarbetspartner: "
        "kommuner, grannregioner, statliga myndigheter, företag, akademi och idéburna "
        "organisationer. Svarstiden var kort.",
    )
    n, frame = ctx.n, ctx.frame
    rate = data.response_rate(n, frame)
    s.key_points.append(
        f"{k_of_n(n, frame, 'tillfrågade organisationer')} svarade ({fmt.percent(rate['andel'])})."
    )
    s.paragraph(
        f"{k_of_n(n, frame, 'tillfrågade organisationer')} svarade på enkäten, en svarsfrekvens "
        f"på {fmt.percent(rate['andel'])}. {rate['ej_svar']} organisationer svarade alltså inte. "
        "Svarsfrekvensen är ett faktum om just den här enkäten och har därför inget "
        "konfidensintervall."
    )
    d = ctx.disclosure
    values, groups = None, None
    for candidate in _sector_groups(ctx):
        values = d.grouping("q1", candidate, "svarande: per sektor")
        if values is not None:
            groups = candidate
            break
    if groups is not None:
        prof = data.frame_profile(ctx.inputs.frame, ctx.inputs.responses, groups=groups)
        shown = pd.DataFrame(
            {
                "I urvalet (tillfrågade)": prof["i_urvalet"],
                "Svarande": prof["svarande"],
                "Svarsfrekvens": [fmt.percent(v) for v in prof["svarsfrekvens"]],
            },
            index=prof.index,
        )
        s.table("per_sektor", shown, "Tillfrågade och svarande per sektor", data=prof)
        rates = [
            f"{fmt.percent(r)} i {g[:1].lower() + g[1:]}" for g, r in prof["svarsfrekvens"].items()
        ]
        s.paragraph(f"Svarsfrekvensen var {join(rates)}.")
    else:
        s.notice(f"Antalet svarande per sektor {NOT_SHOWN}.")
    by_type = data.frame_profile(
        ctx.inputs.frame, ctx.inputs.responses, order=data.labels(ctx.question("q1"))
    )
    if d.exact:
        shown = pd.DataFrame(
            {
                "I urvalet (tillfrågade)": by_type["i_urvalet"],
                "Svarande": by_type["svarande"],
                "Svarsfrekvens": [fmt.percent(v) for v in by_type["svarsfrekvens"]],
            },
            index=by_type.index,
        )
        s.table(
            "per_organisationstyp",
            shown,
            "Tillfrågade och svarande per organisationstyp",
            data=by_type,
        )
    else:
        frame_only = by_type[["i_urvalet"]]
        s.table(
            "urval_per_organisationstyp",
            frame_only.rename(columns={"i_urvalet": "I urvalet (tillfrågade)"}),
            "Tillfrågade per organisationstyp (urvalet är publicerat i rapporten 2021)",
            data=frame_only,
        )
    s.notice(
        "Svaren visar hur de organisationer som svarade ser på samarbetet. Om de som inte "
        "svarade skulle ha svarat annorlunda går inte att veta."
    )
    return s


# --------------------------------------------------------------------------------------------
# Inclusive, attractive, innovative
# --------------------------------------------------------------------------------------------
def assessments(ctx: Context) -> Section:
    """ "Inkluderande, attraktiv och innovativ?": agreement with the three statements."""
    s = Section(
        "inkluderande-attraktiv-innovativ",
        "Inkluderande, attraktiv och innovativ?",
        intro="Regionstyrelsen ville veta om Region Västerbotten är en inkluderande, attraktiv "
        "och innovativ samarbetspartner. Enkäten bad organisationerna ta ställning till tre "
        "påståenden, ett för varje egenskap.",
    )
    d, r = ctx.disclosure, ctx.inputs.responses
    agree = {
        qid: [c for c in data.labels(ctx.question(qid)) if c in data.LIKERT_POSITIVE]
        for qid in data.DIMENSIONS
    }
    k, n = data.joint_positive(r)
    if d.joint(agree, k, n, "iai: alla tre"):
        row = ctx.register("Instämmer i alla tre påståendena", k, n)
        s.key_points.append(
            f"{k_of_n(k, n)} instämmer helt eller delvis i alla tre påståendena: att regionen är "
            "inkluderande, attraktiv och innovativ."
        )
        s.paragraph(
            f"{k_of_n(k, n)} ({fmt.percent(row['andel'])}) instämmer helt eller delvis i alla "
            "tre påståendena."
        )
        table = pd.DataFrame(
            [row[["antal", "andel", "ki_lag", "ki_hog", "varsta_fall_lag", "varsta_fall_hog"]]],
            index=["Instämmer i alla tre"],
        )
        from analysis.surveys.partner.context import display_shares

        s.table(
            "alla_tre",
            display_shares(ctx, table),
            "Instämmer helt eller delvis i alla tre påståendena",
            data=table.astype(float),
        )
        s.paragraph(
            uncertainty_sentence(
                ci=(row["ki_lag"], row["ki_hog"]),
                worst=(row["varsta_fall_lag"], row["varsta_fall_hog"]),
                n=n,
                frame=ctx.frame,
                confidence=ctx.confidence,
            )
        )
    else:
        s.paragraph(f"Hur många som instämmer i alla tre påståendena {NOT_SHOWN}.")
    rows = {}
    for qid, adjective in data.DIMENSIONS.items():
        cells = d.cells[qid]
        rest = [c for c in cells.counts.index if c not in agree[qid]]
        groups = {"Instämmer": agree[qid], "Övriga": rest}
        values = d.grouping(qid, groups, f"iai: {qid}")
        if values is not None:
            total = values["Instämmer"] + values["Övriga"]
            row = ctx.register(f"Regionen är {adjective}", values["Instämmer"], total)
            rows[f"Regionen är {adjective}"] = {
                "instammer": values["Instämmer"],
                "svar": total,
                **row.drop("antal").to_dict(),
            }
    if rows:
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = "Påstående"
        parts = [
            f"{int(v['instammer'])} av {int(v['svar'])} i att den är {a.split()[-1]}"
            for a, v in rows.items()
        ]
        s.paragraph("Påstående för påstående instämmer " + join(parts) + ".")
        shown = pd.DataFrame(
            {
                "Instämmer helt eller delvis": table["instammer"].astype(int),
                "Svar": table["svar"].astype(int),
                "Andel": [fmt.percent(v) for v in table["andel"]],
                f"Konfidensintervall ({ctx.conf()} %)": [
                    fmt.fmt_ci(a, b) for a, b in zip(table["ki_lag"], table["ki_hog"], strict=True)
                ],
                f"Spann om alla {ctx.frame} tillfrågade räknas": [
                    fmt.fmt_ci(a, b)
                    for a, b in zip(table["varsta_fall_lag"], table["varsta_fall_hog"], strict=True)
                ],
            },
            index=table.index,
        )
        s.table(
            "per_pastaende",
            shown,
            "Andel som instämmer helt eller delvis, per påstående",
            data=table.astype(float),
        )
    if len(rows) < len(data.DIMENSIONS):
        s.notice(f"Svaren på vart och ett av påståendena {NOT_SHOWN}.")
    if d.exact:
        _likert_distribution(ctx, s)
    return s


def _likert_distribution(ctx: Context, s: Section) -> None:
    """The full distribution of the three statements (only when nothing is hidden)."""
    from analysis.report.figures import likert_diverging

    q4 = ctx.question("q4")
    cols = data.labels(q4)
    counts = pd.DataFrame(
        {
            f"Regionen är {a}": data.category_counts(ctx.inputs.responses, ctx.question(q))
            for q, a in data.DIMENSIONS.items()
        }
    ).T[cols]
    fig = likert_diverging(
        counts,
        data.labels(q4, substantive=True),
        title="Region Västerbotten är en … samarbetspartner",
    )
    agree = counts[list(data.LIKERT_POSITIVE)].sum(axis=1)
    s.figure(
        "fordelning",
        fig,
        "Divergerande staplar för påståendena inkluderande, attraktiv och innovativ: andelen som "
        "instämmer till höger om mittlinjen, andelen som inte instämmer till vänster. Flest "
        f"instämmer i att regionen är {agree.idxmax().split()[-1]} ({int(agree.max())}).",
        data=counts,
        data_name="fordelning",
        caption="Svarsfördelning för de tre påståendena (antal organisationer)",
    )


# --------------------------------------------------------------------------------------------
# Own vs region development
# --------------------------------------------------------------------------------------------
DEVELOPMENT_NAMES = {"q8": "den egna verksamheten", "q10": "regionens verksamhet"}


def development(ctx: Context) -> Section:
    """ "Har samarbetet utvecklat verksamheterna?": q8 and q10 side by side."""
    from analysis.surveys.partner.figures import development_figure

    s = Section(
        "utveckling",
        "Har samarbetet utvecklat verksamheterna?",
        intro="Fråga 8 gällde om samarbetet med regionen har utvecklat den egna verksamheten, "
        "fråga 10 om samarbetet har utvecklat Region Västerbottens verksamhet. Rapporten 2021 "
        "läste svaren som ett tecken på att det i stora delar råder balans mellan parterna.",
    )
    d, r = ctx.disclosure, ctx.inputs.responses
    table = data.development_table(r, ctx.inputs.questions)
    columns = {"q8": "Egen verksamhet (fråga 8)", "q10": "Regionens verksamhet (fråga 10)"}
    yes_cells = ["Ja, i viss grad", "Ja, i hög grad"]
    if not (d.mostly_hidden("q8") or d.mostly_hidden("q10")):
        numbers = pd.DataFrame({q: d.counts(q, f"utveckling: {q}") for q in columns})
        shown = numbers.rename(columns=columns).map(fmt.fmt_number)
        shown.index.name = "Svar"
        caption = "Svar på fråga 8 och fråga 10, antal organisationer"
        if numbers.isna().any().any():
            s.table("fordelning", shown, caption, data=numbers.rename(columns=columns))
        else:
            fig = development_figure(
                table, title="Har samarbetet utvecklat verksamheten?", series=list(columns.values())
            )
            s.figure(
                "fordelning",
                fig,
                _development_alt(table),
                data=shown,
                data_name="fordelning_visning",
                caption=caption,
            )
            s.tables.pop("fordelning_visning", None)
            s.tables["fordelning"] = numbers.rename(columns=columns)
    groups = {"Ja": yes_cells, "Nej": ["Nej"], "Vet ej": ["Vet ej"]}
    grouped = {q: d.grouping(q, groups, f"utveckling: {q} ja/nej") for q in columns}
    if all(g is not None for g in grouped.values()):
        n8, n10 = (sum(grouped[q].values()) for q in columns)
        y8, y10 = grouped["q8"]["Ja"], grouped["q10"]["Ja"]
        s.key_points.append(
            f"{k_of_n(y8, n8)} säger att samarbetet har utvecklat den egna verksamheten, och "
            f"{y10} av {n10} att det har utvecklat regionens."
        )
        if d.mostly_hidden("q8") or d.mostly_hidden("q10"):
            coarse = pd.DataFrame({columns[q]: grouped[q] for q in columns})
            coarse.index = ["Ja (i viss eller hög grad)", "Nej", "Vet ej"]
            s.table(
                "fordelning_grov",
                coarse,
                "Svar på fråga 8 och fråga 10 i grövre indelning, antal organisationer",
            )
    else:
        parts = []
        for q in columns:
            n = d.total(q, f"utveckling: {q}")
            for c in data.labels(ctx.question(q), substantive=True):
                k = d.count(q, c, f"utveckling: {q}") if n else None
                if k:
                    parts.append((q, k, n, DEGREES.get(c, c)))
        if parts:
            s.key_points.append(_development_sentence(parts))
            s.paragraph(s.key_points[-1])
        if d.mostly_hidden("q8") or d.mostly_hidden("q10"):
            s.notice(f"Fördelningen av övriga svar {NOT_SHOWN}.")
    _agreement_sentence(ctx, s)
    return s


DEGREES = {"Nej": "inte", "Ja, i viss grad": "i viss grad", "Ja, i hög grad": "i hög grad"}
"""How an answer to q8 / q10 reads in a sentence ("… samarbetet i viss grad har utvecklat …")."""


def _development_sentence(parts: list[tuple[str, int, int, str]]) -> str:
    """One sentence from the shown (question, k, n, degree) answers.

    >>> print(_development_sentence([("q8", 7, 14, "i viss grad"), ("q10", 7, 14, "i viss grad")]))
    7 av 14 organisationer svarar att samarbetet i viss grad har utvecklat den egna verksamheten, och lika många att det i viss grad har utvecklat regionens verksamhet.
    >>> print(_development_sentence([("q8", 12, 14, "i hög grad")]))
    12 av 14 organisationer svarar att samarbetet i hög grad har utvecklat den egna verksamheten.
    """
    clauses = []
    previous = None
    for q, k, n, degree in parts:
        verb = f"{degree} har utvecklat {DEVELOPMENT_NAMES[q]}"
        if previous is None:
            clauses.append(f"{k_of_n(k, n)} svarar att samarbetet {verb}")
        elif previous == (k, n):
            clauses.append(f"lika många att det {verb}")
        else:
            clauses.append(f"{k} av {n} att det {verb}")
        previous = (k, n)
    return (
        ", och ".join([", ".join(clauses[:-1]), clauses[-1]] if len(clauses) > 1 else clauses) + "."
    )


def _development_alt(table: pd.DataFrame) -> str:
    top8, top10 = table["q8"].idxmax(), table["q10"].idxmax()
    return (
        "Parvisa liggande staplar med antalet organisationer per svar på fråga 8 (den egna "
        f"verksamheten) och fråga 10 (regionens verksamhet). Vanligast: ”{top8}” om den egna "
        f"verksamheten och ”{top10}” om regionens."
    )


def _agreement_sentence(ctx: Context, s: Section) -> None:
    """The paired reading in counts (the kappa and the symmetry test are in the appendix)."""
    d = ctx.disclosure
    ag = data.development_agreement(ctx.inputs.responses, ctx.inputs.questions)
    if not (d.exact or _crosstab_allowed(ctx, ag.table, ("q8", "q10"))):
        s.paragraph(f"Hur väl svaren om de två verksamheterna stämmer överens {NOT_SHOWN}.")
        return
    sym = ag.symmetry
    s.paragraph(
        f"{k_of_n(ag.agree, ag.n)} som tog ställning i båda frågorna gav samma svar om den egna "
        f"verksamheten som om regionens. {sym.above} bedömde att regionens verksamhet utvecklats "
        f"mer än den egna och {sym.below} det omvända. Ett mått på överensstämmelsen och en "
        "prövning av om skillnaderna går åt ett håll finns i bilagan."
    )
    s.tables["egen_mot_regionens"] = ag.table.astype(float)


def _crosstab_allowed(ctx: Context, table: pd.DataFrame, qids) -> bool:
    """A cross-table (and anything computed from it) may be published when every cell and
    every cell of the questions it uses is shown and not small."""
    d = ctx.disclosure
    values = table.to_numpy()
    if ((values > 0) & (values < ctx.min_cell)).any():
        return False
    return all(d.cells[q].shown(d.cells[q].counts.index) for q in qids)


# --------------------------------------------------------------------------------------------
# Engagement ladder
# --------------------------------------------------------------------------------------------
LADDER_SPLITS = (((0, 1), (2, 4)), ((0, 2), (3, 4)), ((0, 0), (1, 4)), ((0, 3), (4, 4)))
"""Coarser groupings of the five steps tried in turn when most steps would be hidden."""


def ladder(ctx: Context) -> Section:
    """ "Engagemangstrappan": the five steps, or a coarser grouping that clears the threshold."""
    from analysis.surveys.partner.figures import ladder_figure

    s = Section(
        "engagemangstrappan",
        "Engagemangstrappan",
        intro="Engagemangstrappan beskriver fem steg, från att få information och kunskap till "
        "ägarskap. Enligt rapporten 2021 är samarbetet mer verkningsfullt ju högre upp på "
        "trappan parterna befinner sig.",
    )
    d = ctx.disclosure
    q = ctx.question(data.LADDER)
    steps = data.labels(q)
    n = d.total(data.LADDER, "trappan")
    groups, values = None, None
    if not d.mostly_hidden(data.LADDER):
        groups = [(i, i) for i in range(len(steps))]
        shown = d.counts(data.LADDER, "trappan")
        values = [None if np.isnan(v) else int(v) for v in shown]
    else:
        for split in LADDER_SPLITS:
            named = {_steps_name(a, b): steps[a : b + 1] for a, b in split}
            got = d.grouping(data.LADDER, named, "trappan: grövre")
            if got is not None:
                groups, values = list(split), list(got.values())
                s.paragraph(
                    "De flesta stegen har för få svar för att visas ett och ett; trappan visas "
                    "därför i " + ("två" if len(split) == 2 else str(len(split))) + " delar."
                )
                break
    if groups is None or n is None:
        s.notice(f"Fördelningen på trappans steg {NOT_SHOWN}.")
        return s
    texts = [
        "visas ej" if v is None else f"{v} st" if a == b else f"{v} organisationer"
        for (a, b), v in zip(groups, values, strict=True)
    ]
    top = int(np.argmax([-1 if v is None else v for v in values]))
    fig = ladder_figure(
        steps,
        [(a, b, t) for (a, b), t in zip(groups, texts, strict=True)],
        title="Var på engagemangstrappan befinner sig samarbetet?",
        emphasis=top,
    )
    rows = {
        f"{_steps_name(a, b).capitalize()}: {', '.join(steps[a : b + 1]).lower()}": v
        for (a, b), v in zip(groups, values, strict=True)
    }
    table = pd.DataFrame(
        {"antal": [np.nan if v is None else v for v in rows.values()]},
        index=pd.Index(list(rows), name="Steg"),
    )
    first, last = groups[top]
    s.figure(
        "trappan",
        fig,
        f"Trappa i {len(steps)} steg från {steps[0].lower()} till {steps[-1].lower()}"
        + (f", redovisad i {len(groups)} delar" if len(groups) < len(steps) else "")
        + f". Flest organisationer, {values[top]} av {n}, finns på {_steps_name(first, last)}.",
        data=table.rename(columns={"antal": "Antal organisationer"}).map(fmt.fmt_number),
        data_name="trappan_visning",
        caption=f"Var på engagemangstrappan samarbetet befinner sig ({n} organisationer)",
    )
    s.tables.pop("trappan_visning", None)
    s.tables["trappan"] = table.astype(float)
    if len(groups) == len(steps):
        a, b = 2, len(steps) - 1
        k_high = d.sum(data.LADDER, steps[a : b + 1], "trappan: övre steg")
    else:
        a, b = groups[-1]
        k_high = values[-1]
    if k_high is not None:
        where = (
            f"engagemangstrappans {_steps_name(a, b)}, från {steps[a].lower()} till "
            f"{steps[b].lower()}"
            if b > a
            else f"engagemangstrappans översta steg, {steps[b].lower()}"
        )
        s.key_points.append(f"{k_of_n(k_high, n)} placerar samarbetet på {where}.")
    return s


def _steps_name(a: int, b: int) -> str:
    """ "steg 1–2" (0-based *a*, *b* inclusive).

    >>> _steps_name(0, 1), _steps_name(4, 4)
    ('steg 1–2', 'steg 5')
    """
    return f"steg {a + 1}–{b + 1}" if b > a else f"steg {a + 1}"
