"""The sections of the trend report (``partner_trend``), built from a
:class:`~analysis.surveys.trend.TrendAnalysis`.

Every number shown comes from the analysis' *published* tables (hidden cells are NaN there and
"–" or "färre än N" here); nothing is recomputed from the raw answers in this module except the
engagement ladder's distribution and the free-text theme counts, which get the same suppression.

>>> _and(["en", "två", "tre"])
'en, två och tre'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from analysis.report import html as render
from analysis.report.section import Section, contents

if TYPE_CHECKING:  # pragma: no cover
    from analysis.surveys.trend import TrendAnalysis

__all__ = ["sections", "summary_points"]

SUPPRESSED = render.SUPPRESSED
SUMMARY_MAX_WORDS = 200
LADDER_GROUPS = {
    "Steg 1–2: information och kunskap, förståelse": (0, 1),
    "Steg 3: övertygelse": (2,),
    "Steg 4–5: ansvarstagande och delaktighet, ägarskap": (3, 4),
}


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _few(policy) -> str:
    return f"färre än {policy.min_cell}"


def _kn(k, n, policy) -> str:
    """ "k av n" as published ("färre än 5 av 14" when k is hidden, "–" when n is)."""
    if _nan(n):
        return SUPPRESSED
    if _nan(k):
        return f"{_few(policy)} av {int(n)}"
    return f"{int(k)} av {int(n)}"


def _share_ci(p, lo, hi) -> str:
    if _nan(p):
        return SUPPRESSED
    return f"{render.percent(p)} ({render.fmt_ci(lo, hi)})"


def _ci_label(confidence: float) -> str:
    return f"{100 * confidence:g}".replace(".", ",") + " % konfidensintervall"


def _count(v) -> str:
    return SUPPRESSED if _nan(v) else render.fmt_number(int(v))


_NUMBER_WORDS = ("Inga", "En", "Två", "Tre", "Fyra", "Fem", "Sex", "Sju", "Åtta", "Nio", "Tio")


def _number_word(n: int) -> str:
    """A count that starts a sentence, in words up to ten.

    >>> _number_word(2), _number_word(14)
    ('Två', '14')
    """
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _and(items: Sequence[str]) -> str:
    """ "a, b och c".

    >>> _and(["4 högre", "4 på samma steg", "ingen lägre"])
    '4 högre, 4 på samma steg och ingen lägre'
    """
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def _concept_name(t: TrendAnalysis, concept: str) -> str:
    from analysis.surveys.trend import CONCEPT_LABELS, CONCEPT_NAMES

    if concept in CONCEPT_NAMES:
        return CONCEPT_NAMES[concept]
    if concept in CONCEPT_LABELS:
        return CONCEPT_LABELS[concept]
    q = [c.b for c in t.concepts if c.concept == concept]
    return q[0].text if q else concept


# --------------------------------------------------------------------------------------------
# Title, summary, contents
# --------------------------------------------------------------------------------------------
def _series_title(t: TrendAnalysis) -> str:
    ta, tb = t.a.dataset.codebook.title, t.b.dataset.codebook.title
    common = ta.split(" – ")[0] if ta.split(" – ")[0] == tb.split(" – ")[0] else "Enkäten"
    return f"{common}: {t.a.year} och {t.b.year} jämförda"


def title_section(t: TrendAnalysis) -> Section:
    """The page's H1 and what the report is."""
    s = Section("titel", _series_title(t), level=1)
    s.paragraph(
        f"Uppföljningen {t.b.year} jämförd med enkäten {t.a.year}, begrepp för begrepp: samma "
        "frågor mäts på samma sätt i båda omgångarna, och varje andel redovisas med sin "
        "osäkerhet. Organisationer som svarade båda gångerna jämförs dessutom med sig själva."
    )
    if t.synthetic:
        s.notice(
            "Rapporten bygger på syntetiska demodata, inte på enkäternas verkliga svar. Ingen "
            "siffra i den är ett resultat om Region Västerbotten."
        )
    if not t.policy.public:
        s.notice("Intern version: exakta antal, även små, och alla test. Den får inte publiceras.")
    return s


def _row(t: TrendAnalysis, ind_id: str) -> pd.Series | None:
    return t.published.loc[ind_id] if ind_id in t.published.index else None


def summary_points(t: TrendAnalysis) -> list[str]:
    """The report's 5–7 main messages, in plain Swedish and as counts (published numbers only).

    Every message is computed from the data; none reveals a hidden count. The whole list stays
    under :data:`SUMMARY_MAX_WORDS` words.
    """
    pol = t.policy
    ya, yb = t.a.year, t.b.year
    pub = t.published
    points: list[str] = []
    # 1. who answered
    pairs = len(t.pairing.pairs)
    both = str(pairs) if not pol.suppresses or pairs >= pol.min_cell or pairs == 0 else _few(pol)
    frame_a = f" av {t.a.frame_size}" if t.a.frame_size else ""
    frame_b = f" av {t.b.frame_size}" if t.b.frame_size else ""
    points.append(
        f"{t.b.n}{frame_b} tillfrågade organisationer svarade {yb}, mot {t.a.n}{frame_a} år "
        f"{ya}; {both} organisationer svarade båda gångerna."
    )
    # 2. the Likert concepts (inclusive, attractive, innovative)
    likert = [c.concept for c in t.concepts if c.b.type == "likert" and c.concept in pub.index]
    if likert:
        parts = [
            f"{pub.at[c, 'label'].lower()} {_kn(pub.at[c, 'k_a'], pub.at[c, 'n_a'], pol)} "
            f"och {_kn(pub.at[c, 'k_b'], pub.at[c, 'n_b'], pol)}"
            for c in likert
        ]
        points.append(f"Instämde i påståendena {ya} respektive {yb}: " + "; ".join(parts) + ".")
    # 3. the engagement ladder's two top steps
    if "engagement_ladder" in pub.index:
        r = pub.loc["engagement_ladder"]
        points.append(
            f"På engagemangstrappans två översta steg stod {_kn(r['k_a'], r['n_a'], pol)} år "
            f"{ya} och {_kn(r['k_b'], r['n_b'], pol)} år {yb}."
        )
    # 4. the paired organisations on the ladder
    if "engagement_ladder" in t.paired.index:
        r = t.paired.loc["engagement_ladder"]
        if not _nan(r["pairs"]):
            said = [
                ("ingen" if int(r[c]) == 0 else str(int(r[c]))) + " " + w
                for c, w in (("up", "högre"), ("same", "på samma steg"), ("down", "lägre"))
                if not _nan(r[c])
            ]
            hidden = [w for c, w in (("up", "högre"), ("same", "kvar"), ("down", "lägre"))
                      if _nan(r[c])]  # fmt: skip
            text = (
                f"Av de {int(r['pairs'])} organisationer som svarade båda gångerna stod "
                + _and(said)
                + f" på engagemangstrappan {yb} än {ya}"
            )
            if not said:
                text = (
                    f"De {int(r['pairs'])} organisationer som svarade båda gångerna är för få "
                    "per förflyttning på engagemangstrappan för att redovisas"
                )
            elif hidden:
                text += (
                    f" (hur många som stod {' respektive '.join(hidden)} är för få för att visas)"
                )
            points.append(text + ".")
    # 5. what changed (or that nothing measurably did)
    tested = pub.dropna(subset=["pvalue"])
    changed = tested[tested["pvalue"] < 0.05]
    if len(changed):
        r = changed.sort_values("pvalue").iloc[0]
        points.append(
            f"Störst säkerställd förändring: {r['label'].lower()}, från "
            f"{_kn(r['k_a'], r['n_a'], pol)} till {_kn(r['k_b'], r['n_b'], pol)}."
        )
    elif len(tested):
        points.append(
            f"Ingen av de {len(tested)} jämförelser som kan redovisas visar en statistiskt "
            "säkerställd förändring; med så få svar syns bara stora förändringar."
        )
    # 6. the new indicators: the baseline for the next round
    new = [x for x in _new_rows(t) if not _nan(x[2])][:3]
    if new:
        points.append(
            f"Nya mått {yb}, utgångsläge för nästa uppföljning: "
            + "; ".join(f"{label.lower()} {_kn(k, n, pol)}" for label, k, n, *_ in new)
            + "."
        )
    # 7. reworded questions
    changed_words = [c for c in t.concepts if c.wording_changed and c.concept in pub.index]
    if changed_words:
        names = [pub.at[c.concept, "label"].lower() for c in changed_words]
        names = [_concept_name(t, c.concept).lower() for c in changed_words]
        points.append(
            f"{_number_word(len(names))} frågor formulerades om {yb} ({', '.join(names)}); de "
            "jämförs med försiktighet."
        )
    return points


def summary_section(t: TrendAnalysis) -> Section:
    """ "Det viktigaste": the main messages first."""
    s = Section("det-viktigaste", "Det viktigaste")
    points = summary_points(t)
    s.key_points.extend(points)
    s.bullets(points)
    return s


# --------------------------------------------------------------------------------------------
# The rounds
# --------------------------------------------------------------------------------------------
def rounds_section(t: TrendAnalysis) -> Section:
    """Who was asked and who answered in each round; pairs; reworded questions."""
    pol = t.policy
    s = Section(
        "omgangarna",
        "Två omgångar",
        intro="Båda omgångarna skickades till en urvalsram av organisationer. Svarsfrekvensen "
        "är antalet svarande delat med antalet tillfrågade.",
    )
    rows = []
    for r in (t.a, t.b):
        rate = r.n / r.frame_size if r.frame_size else float("nan")
        rows.append((str(r.year), r.frame_size, r.n, rate))
    data = pd.DataFrame(rows, columns=["Omgång", "tillfragade", "svarande", "svarsfrekvens"])
    data = data.set_index("Omgång")
    shown = pd.DataFrame(
        {
            "Tillfrågade": [_count(v) for v in data["tillfragade"]],
            "Svarande": [_count(v) for v in data["svarande"]],
            "Svarsfrekvens": [render.percent(v) for v in data["svarsfrekvens"]],
        },
        index=data.index,
    )
    s.table("svarande", shown, "Tillfrågade och svarande per omgång", data=data.astype(float))
    pairs = len(t.pairing.pairs)
    small = pol.suppresses and 0 < pairs < pol.min_cell
    s.paragraph(
        f"{_few(pol) if small else pairs} organisationer svarade båda gångerna och jämförs med "
        f"sig själva i avsnittet om parade svar. Organisationerna känns igen på sin kod i "
        f"urvalsramen: {t.b.year} från {t.pairing.source_b or 'saknas'}, {t.a.year} från "
        f"{t.pairing.source_a or 'saknas'}. Koden identifierar en organisation, aldrig en person."
    )
    for note in t.pairing.notes:
        s.notice(note)
    reworded = [c for c in t.concepts if c.wording_changed]
    if reworded:
        s.subheading("Frågor som formulerades om")
        s.paragraph(
            "De här frågorna mäter samma begrepp men är formulerade på ett nytt sätt, med samma "
            "svarsalternativ. En förändring kan därför bero på den nya formuleringen och inte "
            "bara på hur samarbetet har utvecklats."
        )
        s.bullets(
            [
                f"{_concept_name(t, c.concept)}: {t.a.year} ”{c.b.wording_changed_from or c.a.text}”"
                f" – {t.b.year} ”{c.b.text}”."
                for c in reworded
            ]
        )
    return s


# --------------------------------------------------------------------------------------------
# Shared concepts
# --------------------------------------------------------------------------------------------
def _concept_table(t: TrendAnalysis, ids: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    pol = t.policy
    pub = t.published.loc[list(ids)]
    ya, yb = t.a.year, t.b.year
    labels = []
    for i in ids:
        mark = " *" if bool(pub.at[i, "wording_changed"]) else ""
        mark += " †" if pub.at[i, "base"] == "alla" else ""
        labels.append(f"{pub.at[i, 'label']}{mark}")
    shown = pd.DataFrame(
        {
            f"{ya}: antal": [_kn(k, n, pol) for k, n in zip(pub["k_a"], pub["n_a"], strict=True)],
            f"{ya}: andel (KI)": [
                _share_ci(p, lo, hi)
                for p, lo, hi in zip(pub["p_a"], pub["low_a"], pub["high_a"], strict=True)
            ],
            f"{yb}: antal": [_kn(k, n, pol) for k, n in zip(pub["k_b"], pub["n_b"], strict=True)],
            f"{yb}: andel (KI)": [
                _share_ci(p, lo, hi)
                for p, lo, hi in zip(pub["p_b"], pub["low_b"], pub["high_b"], strict=True)
            ],
            "Förändring (procentenheter)": [_pp(d) for d in pub["diff"]],
            "p (Boschloos test)": [_p(p) for p in pub["pvalue"]],
        },
        index=pd.Index(labels, name="Indikator"),
    )
    cols = ["k_a", "n_a", "p_a", "low_a", "high_a", "k_b", "n_b", "p_b", "low_b", "high_b"]
    data = pub[[*cols, "diff", "pvalue"]].astype(float)
    return shown, data


def _pp(d) -> str:
    from analysis.surveys.trend import _pp as pp

    return pp(d)


def _p(p) -> str:
    from analysis.surveys.trend import _p_text

    return _p_text(p)


def concepts_section(t: TrendAnalysis) -> Section:
    """Each shared concept: both rounds' shares with intervals, the change and an exact test."""
    pol = t.policy
    s = Section(
        "begreppen",
        f"Samma begrepp {t.a.year} och {t.b.year}",
        intro="För varje begrepp som mättes båda gångerna: hur många som gav svaret (”k av n”), "
        "andelen med dess konfidensintervall, förändringen i procentenheter och ett exakt test "
        "av om andelen skiljer sig mellan omgångarna. Ett högt p-värde betyder inte att "
        "ingenting har förändrats, bara att skillnaden är för liten för att säkert skiljas "
        "från slumpen med så här få svar.",
    )
    pub = t.published
    if pub.empty:
        s.notice("Omgångarna har inga gemensamma begrepp som kan jämföras.")
        return s
    conf = _ci_label(t.confidence)
    for group in dict.fromkeys(pub["group"]):
        ids = list(pub.index[pub["group"] == group])
        s.subheading(group)
        definitions = sorted({t.items[i].definition for i in ids})
        s.paragraph(
            "Indikatorn: andelen som " + " / ".join(definitions) + f". KI = {conf}."
            if len(ids)
            else ""
        )
        shown, data = _concept_table(t, ids)
        name = "jamforelse_" + _slug(group)
        s.table(name, shown, f"{group}: {t.a.year} och {t.b.year}", data=data)
        notes = []
        if any(bool(pub.at[i, "wording_changed"]) for i in ids):
            changed = [c for c in t.concepts if c.wording_changed and c.concept in ids]
            for c in changed:
                notes.append(
                    f"* Frågan formulerades om {t.b.year}: tidigare ”{c.b.wording_changed_from or c.a.text}”, "
                    f"nu ”{c.b.text}”. Jämför med försiktighet."
                )
        if any(pub.at[i, "base"] == "alla" for i in ids):
            notes.append(
                "† Andelen räknas på alla svar, inklusive ”Vet ej”, eftersom antalet ”Vet ej” är "
                f"för litet för att redovisas (under {pol.min_cell}) och annars skulle kunna "
                "räknas fram."
            )
        for note in notes:
            s.notice(note)
    fig_ids = [i for i in pub.index if t.items[i].kind == "ordinal"]
    if fig_ids:
        _ordinal_figure(s, t, fig_ids)
    return s


def _slug(text: str) -> str:
    from analysis.report.section import slug

    return slug(text).replace("-", "_")


def _ordinal_figure(s: Section, t: TrendAnalysis, ids: Sequence[str]) -> None:
    from analysis.report.figures import bar_with_ci

    pub = t.published
    rows = {}
    for i in ids:
        for side, year in (("a", t.a.year), ("b", t.b.year)):
            rows[f"{pub.at[i, 'label']} {year}"] = {
                "andel": pub.at[i, f"p_{side}"],
                "ki_lag": pub.at[i, f"low_{side}"],
                "ki_hog": pub.at[i, f"high_{side}"],
            }
    data = pd.DataFrame.from_dict(rows, orient="index").astype(float)
    data.index.name = "Indikator och år"
    fig = bar_with_ci(
        data, title=f"Andel per indikator, {t.a.year} och {t.b.year}", confidence=t.confidence
    )
    hidden = int(data["andel"].isna().sum())
    alt = (
        f"Liggande staplar: andelen för {len(ids)} indikatorer, {t.a.year} och {t.b.year} under "
        f"varandra, med {_ci_label(t.confidence)}. Intervallen är breda och överlappar för de "
        "flesta indikatorerna."
        + (f" {hidden} staplar visas inte eftersom antalet är för litet." if hidden else "")
        + " Siffrorna finns i tabellerna ovan och i tabellform under figuren."
    )
    s.figure("andelar", fig, alt, data=data, data_name="andelar_figur")


# --------------------------------------------------------------------------------------------
# Paired organisations
# --------------------------------------------------------------------------------------------
def paired_section(t: TrendAnalysis) -> Section:
    """The organisations that answered both rounds, compared with themselves."""
    pol = t.policy
    yb = t.b.year
    s = Section(
        "parade",
        "Organisationer som svarade båda gångerna",
        intro="De organisationer som svarade båda gångerna jämförs med sig själva: stod de "
        f"högre, kvar eller lägre {yb} än {t.a.year}? Det parade testet tar hänsyn till att det "
        "är samma organisationer och är därför känsligare än jämförelsen av hela omgångarna.",
    )
    pairs = len(t.pairing.pairs)
    if pairs == 0:
        s.notice("Inga organisationer kan paras ihop mellan omgångarna.")
        return s
    if pol.suppresses and pairs < pol.min_cell:
        s.notice(
            f"{_few(pol).capitalize()} organisationer svarade båda gångerna; för att ingen ska "
            "kunna pekas ut redovisas de inte i den publika versionen."
        )
        return s
    paired = t.paired
    ordinal = paired[paired["kind"] == "ordinal"]
    options = paired[paired["kind"] == "option"]
    if len(ordinal):
        s.subheading("Frågor med ordnade svar")
        shown = pd.DataFrame(
            {
                "Par": [_count(v) for v in ordinal["pairs"]],
                f"Högre {yb}": [_count(v) for v in ordinal["up"]],
                "Samma": [_count(v) for v in ordinal["same"]],
                f"Lägre {yb}": [_count(v) for v in ordinal["down"]],
                "p (Bowkers test)": [_p(p) for p in ordinal["p_bowker"]],
                "p (teckentest)": list(ordinal["sign_text"].map(_band_text)),
            },
            index=pd.Index(list(ordinal["name"]), name="Fråga"),
        )
        data = ordinal[["pairs", "up", "same", "down", "p_bowker", "p_sign"]].astype(float)
        data.index = shown.index
        s.table("parade_ordnade", shown, "Parade svar, frågor med ordnade svar", data=data)
        s.paragraph(
            "Högre och lägre avser ett steg eller mer på frågans skala (för påståendena från "
            "”Instämmer inte alls” till ”Instämmer helt”). Bowkers test prövar om förflyttningarna "
            "åt båda hållen är lika vanliga i hela korstabellen; teckentestet prövar bara om fler "
            "rörde sig uppåt än nedåt."
        )
    for concept in dict.fromkeys(options["group"]):
        rows = options[options["group"] == concept]
        s.subheading(f"{concept} (flerval)")
        shown = pd.DataFrame(
            {
                "Par": [_count(v) for v in rows["pairs"]],
                "Nytt kryss": [_count(v) for v in rows["up"]],
                "Samma": [_count(v) for v in rows["same"]],
                "Kryss borttaget": [_count(v) for v in rows["down"]],
                "p (McNemars test)": list(rows["sign_text"].map(_band_text)),
            },
            index=pd.Index(list(rows["label"]), name="Alternativ"),
        )
        data = rows[["pairs", "up", "same", "down", "p_sign"]].astype(float)
        data.index = shown.index
        s.table("parade_" + _slug(concept), shown, f"Parade svar: {concept.lower()}", data=data)
    if pol.suppresses:
        s.notice(
            f"Antal under {pol.min_cell} visas som ”–”, liksom de antal som annars skulle göra "
            "det möjligt att räkna fram dem. Ett test som bygger på dolda antal anges bara som "
            "”p < 0,05” eller ”p ≥ 0,05”, och bara när det gäller för alla fördelningar som "
            "stämmer med de visade talen; annars visas det inte. Bowkers test bygger på hela "
            "korstabellen och finns i den interna versionen när dess celler är små."
        )
    return s


def _band_text(text: str) -> str:
    return str(text).replace("p = ", "").replace("p < 0,001", "< 0,001")


# --------------------------------------------------------------------------------------------
# The engagement ladder
# --------------------------------------------------------------------------------------------
def _ladder_counts(t: TrendAnalysis, concept: str, side: str) -> pd.Series | None:
    ind = t.items.get(concept)
    if ind is None or not ind.categories:
        return None
    positions = ind.ordinal_a if side == "a" else ind.ordinal_b
    counts = positions.dropna().astype(int).value_counts()
    return counts.reindex(range(len(ind.categories)), fill_value=0).astype("int64")


def _distribution_table(t: TrendAnalysis, counts: dict[str, pd.Series], labels, top: Sequence[int]):
    """Counts per step and round with complementary suppression; coarse when mostly hidden."""
    from analysis.surveys.trend import _hide_cells

    pol = t.policy

    def masks(frame: pd.DataFrame, top_rows: Sequence) -> pd.DataFrame:
        out = {}
        for col in frame.columns:
            c = frame[col]
            eqs = [dict.fromkeys(c.index, 1), dict.fromkeys([c.index[i] for i in top_rows], 1)]
            out[col] = _hide_cells(c, eqs, pol)
        return pd.DataFrame(out)

    fine = pd.DataFrame(counts)
    fine.index = list(labels)
    hidden = masks(fine, top)
    nonzero = int((fine > 0).to_numpy().sum())
    coarse = False
    if pol.suppresses and nonzero and int((hidden & (fine > 0)).to_numpy().sum()) * 2 > nonzero:
        coarse = True
        fine = pd.DataFrame(
            {
                col: [int(fine[col].iloc[list(rows)].sum()) for rows in LADDER_GROUPS.values()]
                for col in fine.columns
            },
            index=list(LADDER_GROUPS),
        )
        hidden = masks(fine, [len(LADDER_GROUPS) - 1])
    data = fine.astype(float).mask(hidden)
    shown = data.apply(lambda col: col.map(_count))
    data.index.name = shown.index.name = "Steg"
    return shown, data, coarse


def ladder_section(t: TrendAnalysis) -> Section:
    """The engagement ladder: distribution per round and the step organisations aim for."""
    pol = t.policy
    s = Section(
        "trappan",
        "Engagemangstrappan",
        intro="Engagemangstrappan beskriver fem steg, från information och kunskap till "
        "ägarskap. Rapporten 2021 föreslog att den ska vara utgångspunkten för uppföljningen: "
        "ju högre upp på trappan, desto effektivare samarbete.",
    )
    ind = t.items.get("engagement_ladder")
    ca = _ladder_counts(t, "engagement_ladder", "a")
    cb = _ladder_counts(t, "engagement_ladder", "b")
    if ind is None or ca is None or cb is None:
        s.notice("Engagemangstrappan finns inte i båda omgångarna.")
        return s
    shown, data, coarse = _distribution_table(
        t, {f"Antal {t.a.year}": ca, f"Antal {t.b.year}": cb}, ind.categories, (3, 4)
    )
    s.table(
        "fordelning",
        shown,
        f"Organisationer per steg på trappan, {t.a.year} och {t.b.year}",
        data=data,
    )
    if coarse:
        s.paragraph(
            "Stegen är sammanslagna i tre grupper, eftersom de flesta steg annars skulle ha för "
            f"få svar för att visas (under {pol.min_cell})."
        )
    goal = _goal(t)
    if goal is not None:
        k, n, shown_ok = goal
        s.subheading(f"Vart vill organisationerna nå? (ny fråga {t.b.year})")
        text = _kn(
            k if shown_ok else float("nan"),
            n if n >= pol.min_cell or not pol.suppresses else float("nan"),
            pol,
        )
        s.paragraph(
            f"{text} organisationer vill att samarbetet om tre år ska stå på ett högre steg än i "
            f"dag. Frågan ställdes första gången {t.b.year} och är ett utgångsläge för nästa "
            "uppföljning."
        )
        s.tables["mal"] = pd.DataFrame(
            {"antal": [float(k) if shown_ok else float("nan")], "n": [float(n)]},
            index=pd.Index(["Vill nå ett högre steg"]),
        )
    return s


def _goal(t: TrendAnalysis):
    """(k wanting a higher step, n answering both ladder questions, publishable) or ``None``."""
    from analysis.surveys.trend import share_shown

    cb = t.b.dataset.codebook
    now = [q for q in cb.questions if q.concept == "engagement_ladder"]
    goal = [q for q in cb.questions if q.concept == "engagement_ladder_goal"]
    if not now or not goal:
        return None
    wide = t.b.dataset.wide
    if now[0].id not in wide or goal[0].id not in wide:
        return None
    order = now[0].substantive_labels
    pos_now = wide[now[0].id].astype(object).map(lambda v: order.index(v) if v in order else None)
    pos_goal = wide[goal[0].id].astype(object).map(lambda v: order.index(v) if v in order else None)
    both = pos_now.notna() & pos_goal.notna()
    n = int(both.sum())
    k = int((pos_goal[both].astype(int) > pos_now[both].astype(int)).sum())
    return k, n, share_shown(k, n, t.policy)


# --------------------------------------------------------------------------------------------
# New indicators
# --------------------------------------------------------------------------------------------
def _new_rows(t: TrendAnalysis) -> list[tuple]:
    """(label, k, n, share, low, high) for each new question of the later round with an
    indicator; hidden numbers as NaN."""
    from analysis.surveys.trend import (
        CONCEPT_LABELS,
        _indicator_labels,
        _proportion,
        share_shown,
    )

    cb = t.b.dataset.codebook
    wide = t.b.dataset.wide
    out = []
    for q in cb.questions:
        if not q.new or q.type not in ("likert", "single") or q.id not in wide:
            continue
        if q.type == "single" and not q.indicator:
            continue
        chosen = _indicator_labels(q)
        values = wide[q.id].astype(object)
        ns = int(values.isin(q.non_substantive).sum())
        use_all = t.policy.suppresses and 0 < ns < t.policy.min_cell
        base = values.notna() if use_all else values.isin(q.substantive_labels)
        n = int(base.sum())
        k = int(values[base].isin(chosen).sum())
        p, lo, hi = _proportion(k, n, t.b.frame_size, t.confidence)
        label = CONCEPT_LABELS.get(q.concept or "", q.text)
        if share_shown(k, n, t.policy):
            out.append((label, k, n, p, lo, hi, use_all))
        else:
            nan = float("nan")
            n_shown = n if (n >= t.policy.min_cell or not t.policy.suppresses) else nan
            out.append((label, nan, n_shown, nan, nan, nan, use_all))
    return out


def new_section(t: TrendAnalysis) -> Section:
    """Questions asked for the first time in the later round: the baseline for the next one."""
    pol = t.policy
    s = Section(
        "nya-matt",
        f"Nya mått {t.b.year}",
        intro=f"Frågor som ställdes första gången {t.b.year}, som rapporten 2021 efterfrågade: "
        "mätbara mått på samarbetet (gemensamma projekt, skriftliga överenskommelser, "
        "kontakternas täthet, tydliga mandat och synen på risk). De kan inte jämföras bakåt men "
        "är utgångsläget för nästa uppföljning.",
    )
    rows = _new_rows(t)
    if not rows:
        s.notice(f"Inga nya frågor med en indikator {t.b.year}.")
        return s
    conf = _ci_label(t.confidence)
    shown = pd.DataFrame(
        {
            "Antal": [_kn(k, n, pol) for _, k, n, *_ in rows],
            f"Andel ({conf})": [_share_ci(p, lo, hi) for _, _, _, p, lo, hi, _ in rows],
        },
        index=pd.Index([r[0] + (" †" if r[6] else "") for r in rows], name="Mått"),
    )
    data = pd.DataFrame(
        [r[1:6] for r in rows],
        columns=["antal", "n", "andel", "ki_lag", "ki_hog"],
        index=shown.index,
    ).astype(float)
    s.table("nya_matt", shown, f"Nya mått {t.b.year}", data=data)
    if any(r[6] for r in rows):
        s.notice(
            "† Andelen räknas på alla svar, inklusive ”Vet ej” (för få ”Vet ej” för att redovisas)."
        )
    s.paragraph(
        f"Fördelningen över alla svarsalternativ finns i översikten för {t.b.survey} "
        f"(rapporten overview_{t.b.survey})."
    )
    return s


# --------------------------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------------------------
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
    from analysis.surveys.trend import TEXT_CONCEPTS, _hide_cells

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


# --------------------------------------------------------------------------------------------
# All sections
# --------------------------------------------------------------------------------------------
def sections(t: TrendAnalysis) -> list[Section]:
    """The report in reading order: title, "Det viktigaste", contents, then the sections."""
    body = [
        rounds_section(t),
        concepts_section(t),
        paired_section(t),
        ladder_section(t),
        new_section(t),
        free_text_section(t),
        method_section(t),
    ]
    toc = contents(body, extra=[("om-rapporten", "Om rapporten")])
    return [title_section(t), summary_section(t), toc, *body]
