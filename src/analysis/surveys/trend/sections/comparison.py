"""The comparisons: every shared concept across the rounds, and the organisations that answered
both rounds compared with themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from analysis.report.section import Section
from analysis.surveys.trend.formatting import _pp
from analysis.surveys.trend.sections.wording import (
    _band_text,
    _ci_label,
    _count,
    _few,
    _kn,
    _p,
    _share_ci,
    _slug,
)

if TYPE_CHECKING:  # pragma: no cover
    from analysis.surveys.trend.model import TrendAnalysis


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
