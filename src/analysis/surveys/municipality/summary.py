"""The report's first section, "Det viktigaste": what a politician reads in two minutes.

Five to seven key messages in plain Swedish, every number computed from the other sections'
tables (never written by hand), the most critical voice in the free text, one line on what the
data can and cannot show, and the source report's own conclusion (seed 002, section 6) quoted
as fixed text and marked as the committee's. At most :data:`MAX_WORDS` words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from analysis.report.section import Section
from analysis.surveys.municipality.context import Context
from analysis.surveys.municipality.results import top_themes_phrase
from analysis.surveys.municipality.wording import count_phrase, list_phrase, sentence

__all__ = ["MAX_WORDS", "SOURCE_CONCLUSION", "key_messages", "summary", "word_count"]

MAX_WORDS = 200
"""The summary's length limit in words (everything a reader sees in the section)."""

SOURCE_CONCLUSION = (
    "[Vidden av frågorna] ställer stora behov på samverkan mellan kommunerna i Västerbottens "
    "län, mellan kommunerna och Region Västerbotten, samtidigt också mellan kommunerna, Region "
    "Västerbotten och statliga myndigheter såsom Länsstyrelsen Västerbotten, Trafikverket och "
    "Arbetsförmedlingen."
)
"""Seed 002, section 6 (Avslutande kommentar), verbatim apart from the bracketed subject."""

SOURCE_LABEL = "Beredningens egen slutsats (rapporten 2023, avsnitt 6):"


def word_count(text: str) -> int:
    """Words in a text (HTML tags ignored).

    >>> word_count("<p>Alla 15 kommuner – svarade.</p>")
    4
    """
    return len(re.findall(r"[\wåäöÅÄÖ][\w\-åäöÅÄÖ:%]*", re.sub(r"<[^>]+>", " ", text)))


def _sorted(table: pd.DataFrame, column: str) -> pd.Series:
    return table[column].sort_values(ascending=False, kind="mergesort")


def key_messages(ctx: Context, built: Mapping[str, Section]) -> list[str]:
    """The key messages, computed from the tables of the sections in *built* (id → Section).

    Every message names counts ("9 av 15 kommuner"); a message whose counts are hidden by the
    disclosure policy is left out.
    """
    out: list[str] = []
    if (s := built.get("5-1")) is not None and "teman" in s.tables:
        t = s.tables["teman"]
        opp = top_themes_phrase(ctx, _sorted(t, "Möjligheter (fråga 2)"), k=1)
        chal = top_themes_phrase(ctx, _sorted(t, "Utmaningar (fråga 3)"), k=1)
        if opp and chal:
            out.append(
                sentence(
                    f"flest kommuner ser möjligheter inom {opp}; den vanligaste utmaningen är {chal}"
                )
            )
    infra = ind = ""
    if (s := built.get("5-3")) is not None:
        infra = top_themes_phrase(ctx, _sorted(s.tables["delomraden"], "Utmaning"), k=1)
    if (s := built.get("5-4")) is not None and "teman" in s.tables:
        ind = top_themes_phrase(ctx, s.tables["teman"]["Antal kommuner"], k=1)
    if infra and ind:
        out.append(
            sentence(
                f"störst utmaning i infrastrukturen är {infra}; kring industrialiseringen dominerar {ind}"
            )
        )
    if (s := built.get("5-5")) is not None:
        out.extend(_authority_messages(s.tables["bedomningar"]))
    if (s := built.get("5-6")) is not None and "omraden" in s.tables:
        t = s.tables["omraden"]
        if reg := top_themes_phrase(ctx, _sorted(t, "Regionala områden (fråga 11)"), k=1):
            out.append(sentence(f"med regionen vill flest samverka mer om {reg}"))
    prio = ""
    if (s := built.get("5-7")) is not None:
        prio = top_themes_phrase(ctx, s.tables["rangordning"]["Antal kommuner"], k=3)
    if prio:
        out.append(sentence(f"högst prioriterat de kommande två åren är {prio}"))
    return out


def _authority_messages(t: pd.DataFrame) -> list[str]:
    from analysis.surveys.municipality.collaboration import _in_sentence

    n = t["Antal kommuner som svarat"]
    out = []
    crit = (t["Behöver förbättras"] / n).dropna()
    if len(crit) and t.loc[crit.idxmax(), "Behöver förbättras"] > 0:
        a = crit.idxmax()
        out.append(
            f"mest kritik får {_in_sentence(a)} ({int(t.loc[a, 'Behöver förbättras'])} av "
            f"{int(n[a])} kommuner)"
        )
    none = (t["Ingen kontakt"] / n).dropna()
    none = none[none >= 0.5].sort_values(ascending=False, kind="mergesort")
    if len(none):
        parts = [
            f"{_in_sentence(a)} ({int(t.loc[a, 'Ingen kontakt'])} av {int(n[a])})"
            for a in none.index
        ]
        out.append(f"de flesta har ingen kontakt med {list_phrase(parts)}")
    return [sentence("; ".join(out))] if out else []


def summary(ctx: Context, built: Mapping[str, Section]) -> Section:
    """The section "Det viktigaste" (id ``det-viktigaste``)."""
    from analysis.data.reference import load_municipalities
    from analysis.text.quotes import most_critical

    s = Section("det-viktigaste", "Det viktigaste")
    s.key_points.extend(key_messages(ctx, built))
    rows = ctx.a.answers
    voice = most_critical(rows["text"].astype(str).tolist())
    quote = None
    if voice is not None:
        quote = ctx.quote_texts([voice], rows["kommun"].astype(str).tolist())[0]
        s.key_points.append(f"Den mest kritiska rösten i fritexten: ”{quote}”")
    s.bullets(s.key_points)
    county = len(load_municipalities())
    who = count_phrase(ctx.total, county)
    caveat = (
        f"Om underlaget: {who} i länet svarade. Siffrorna räknar kommuner som tar upp något i "
        "fritext (automatiskt kodat), inte hur viktigt det är för dem."
    )
    if ctx.synthetic:
        caveat += " Demodata: påhittade svar, inte kommunernas."
    s.notes.append(caveat)
    s.paragraph(caveat)
    s.paragraph(f"{SOURCE_LABEL} ”{SOURCE_CONCLUSION}”")
    return s
