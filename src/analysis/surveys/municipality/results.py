"""Sections 5.1–5.4 and 5.6–5.8 of the municipality report: themes counted in municipalities.

Each builder takes a :class:`~analysis.surveys.municipality.context.Context` and returns a
:class:`~analysis.report.section.Section` whose ``tables`` hold the numbers (hidden cells ``NaN``),
whose ``key_points`` say in plain Swedish what the numbers show, and whose blocks present them
with a few quotes chosen by :func:`analysis.text.quotes.select_quotes`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.report.section import Section
from analysis.surveys.municipality.context import Context
from analysis.surveys.municipality.counts import (
    infrastructure_table,
    priority_ranking,
    theme_counts,
)
from analysis.surveys.municipality.data import INFRA_SUBAREAS, SECTION_QUESTIONS
from analysis.surveys.municipality.wording import list_phrase, lower_first, sentence

__all__ = [
    "crisis",
    "industrialisation",
    "infrastructure",
    "opportunities_challenges",
    "other_needs",
    "priorities",
    "region_collaboration",
    "theme_sentences",
    "top_themes_phrase",
]

TOP = 8
"""Rows in a theme table: the themes most municipalities name."""


def _answers(ctx: Context, questions: Sequence[str], theme: str | None = None) -> pd.DataFrame:
    rows = ctx.a.coded[ctx.a.coded["question_id"].isin(list(questions))]
    if theme is not None and theme in rows.columns:
        rows = rows[rows[theme] == 1]
    return rows


def theme_sentences(ctx: Context, questions: Sequence[str], theme: str) -> pd.DataFrame:
    """Per answer the sentences coded with *theme*, joined (``kommun``, ``text``): quotes about
    the theme itself rather than about whatever else the answer says."""
    sents = ctx.a.sentences
    if sents.empty or theme not in sents.columns:
        return pd.DataFrame(columns=["kommun", "text"])
    rows = sents[sents["question_id"].isin(list(questions)) & (sents[theme] == 1)]
    joined = rows.groupby(["kommun", "question_id"], sort=True)["text"].agg(" ".join)
    return joined.reset_index()[["kommun", "text"]]


def _counts(ctx: Context, key: str) -> pd.DataFrame:
    return theme_counts(ctx.a.matrix(key), ctx.a.labels, exclude=tuple(INFRA_SUBAREAS))


def top_themes_phrase(ctx: Context, counts: pd.Series, k: int = 2) -> str:
    """ "kompetensförsörjning (9 av 15 kommuner) och bostäder (7 av 15)" for the *k* first
    shown counts of *counts* (label → count, in falling order; hidden counts ``NaN`` are
    skipped), followed by how many further themes are tied with the *k*-th — a key message
    never picks one of several equal themes silently.

    The unit is written out only for the first count.
    """
    parts: list[str] = []
    tied: list[str] = []
    last = None
    for label, n in counts.items():
        phrase = ctx.phrase(n)
        if phrase is None or n == 0:
            continue
        if len(parts) >= k and n != last:
            break
        if parts:
            phrase = phrase.replace(" kommuner", "").replace(" kommunerna", "")
        (parts if len(parts) < k else tied).append(f"{lower_first(label)} ({phrase})")
        last = n
    if len(tied) == 1:  # one more theme as often: named
        return list_phrase([*parts, *tied])
    text = list_phrase(parts)
    return text + (f" – och {len(tied)} teman till med lika många" if tied else "")


def _answered(ctx: Context, questions: Sequence[str]) -> int:
    rows = ctx.a.answers[ctx.a.answers["question_id"].isin(list(questions))]
    return int(rows["kommun"].nunique())


def opportunities_challenges(ctx: Context) -> Section:
    """5.1: the themes of the opportunities (Q2) and challenges (Q3) side by side."""
    s = Section(
        "5-1",
        "5.1 Möjligheter och utmaningar inom regional utveckling och hållbar tillväxt",
        intro="Fråga 2 och 3: kommunens största möjligheter respektive utmaningar utifrån den "
        "regionala utvecklingsstrategin.",
    )
    opp = _counts(ctx, "q2")["Antal kommuner"].rename("Möjligheter (fråga 2)")
    chal = _counts(ctx, "q3")["Antal kommuner"].rename("Utmaningar (fråga 3)")
    both = pd.concat([opp, chal], axis=1).fillna(0).astype("int64")
    both = both.assign(_k=both.max(axis=1)).sort_values("_k", ascending=False, kind="mergesort")
    both = both.drop(columns="_k").head(TOP)
    both.index.name = "Tema"
    shown = ctx.hide(both)
    top_opp = top_themes_phrase(ctx, ctx.hide(opp))
    top_chal = top_themes_phrase(ctx, ctx.hide(chal))
    if top_opp:
        s.key_points.append(sentence(f"flest kommuner ser möjligheter inom {top_opp}"))
    if top_chal:
        s.key_points.append(sentence(f"de vanligaste utmaningarna gäller {top_chal}"))
    s.bullets(s.key_points)
    s.table(
        "teman",
        shown,
        f"Antal kommuner (av {ctx.total}) som tar upp respektive tema som möjlighet och som "
        f"utmaning, de {len(shown)} vanligaste temana",
        data=shown,
    )
    ctx.add_quotes(s, _answers(ctx, ("q2", "q3")), "Citat ur svaren på fråga 2 och 3")
    return s


def crisis(ctx: Context, theme: str = "civilt_forsvar") -> Section:
    """5.2: how many municipalities raise crisis preparedness or civil defence, and where."""
    s = Section(
        "5-2",
        "5.2 Krisberedskap och civilt försvar",
        intro="Enkäten hade ingen egen fråga om krisberedskap. Här redovisas vad kommunerna ändå "
        "skriver om området i någon av frågorna 2–15. Originalrapportens avsnitt byggde till stor "
        "del på underlag inifrån Region Västerbotten som inte ingår i enkäten.",
    )
    a = ctx.a
    if theme not in a.matrix_all:
        s.paragraph("Temat finns inte i kodboken.")
        return s
    per_q = pd.Series(
        {f"Fråga {q[1:]}": int(m[theme].sum()) for q, m in a.question_matrices.items()},
        dtype="int64",
    )
    per_q = per_q[per_q > 0].sort_values(ascending=False, kind="mergesort")
    n_all = ctx.hide(pd.Series({"alla": int(a.matrix_all[theme].sum())}))["alla"]
    phrase = ctx.phrase(n_all)
    shown = ctx.hide(per_q.rename("Antal kommuner").to_frame())
    shown.index.name = "Fråga"
    if phrase:
        where = top_themes_phrase(ctx, shown["Antal kommuner"], k=2)
        text = f"{phrase} tar upp krisberedskap eller civilt försvar i något svar"
        text += f", oftast i {where}" if where else ""
        s.key_points.append(sentence(text))
    s.bullets(s.key_points)
    if len(shown):
        s.table("per_fraga", shown, "Antal kommuner som tar upp området, per fråga", data=shown)
        rows = theme_sentences(ctx, SECTION_QUESTIONS["5.2"], theme)
        ctx.add_quotes(s, rows, "Citat om krisberedskap och civilt försvar")
    return s


def infrastructure(ctx: Context) -> Section:
    """5.3: the four infrastructure sub-areas as opportunity and challenge (Q4)."""
    s = Section(
        "5-3",
        "5.3 Infrastruktur",
        intro="Fråga 4: största utmaningar och möjligheter inom infrastruktur. Varje mening i "
        "svaren knyts till ett delområde och läses som möjlighet eller utmaning; en mening med "
        "”men” bedöms efter det som kommer efter ”men”. En kommun kan räknas under båda.",
    )
    a = ctx.a
    q4 = a.sentences[a.sentences["question_id"] == "q4"]
    table = infrastructure_table(q4, a.municipalities)
    shown = ctx.hide(table)
    chal = shown["Utmaning"].sort_values(ascending=False, kind="mergesort")
    opp = shown["Möjlighet"].sort_values(ascending=False, kind="mergesort")
    if top := top_themes_phrase(ctx, chal, k=2):
        s.key_points.append(sentence(f"flest kommuner beskriver utmaningar inom {top}"))
    if top := top_themes_phrase(ctx, opp, k=1):
        s.key_points.append(sentence(f"den vanligaste möjligheten gäller {top}"))
    s.bullets(s.key_points)
    s.table("delomraden", shown, f"Antal kommuner (av {ctx.total}) per delområde", data=shown)
    for tid, label in INFRA_SUBAREAS.items():
        if tid not in q4.columns:
            continue
        rows = theme_sentences(ctx, ("q4",), tid)
        if len(rows):
            ctx.add_quotes(s, rows, f"Citat – {lower_first(label)}", k=2)
    return s


def industrialisation(ctx: Context) -> Section:
    """5.4: the themes of the answers on industrialisation (Q5)."""
    return _theme_section(
        ctx,
        "5-4",
        "5.4 Industrialisering",
        "Fråga 5: största utmaningar och möjligheter inom industrialisering, till exempel "
        "tillståndsprocesser, samhällsplanering, bostadsbyggande och kompetensförsörjning.",
        "q5",
        "om industrialiseringen tar flest kommuner upp {top}",
        "Fråga 5",
    )


def other_needs(ctx: Context) -> Section:
    """5.8: other needs (Q15)."""
    return _theme_section(
        ctx,
        "5-8",
        "5.8 Övriga behov",
        "Fråga 15: övriga behov kopplade till samverkan inom regional utveckling och hållbar "
        "tillväxt.",
        "q15",
        "bland övriga behov nämns oftast {top}",
        "Fråga 15",
    )


def _theme_section(
    ctx: Context, sid: str, title: str, intro: str, key: str, lead: str, qname: str
) -> Section:
    s = Section(sid, title, intro=intro)
    counts = _counts(ctx, key)
    shown = ctx.hide(counts.head(TOP))
    answered = _answered(ctx, SECTION_QUESTIONS.get(key, (key,)))
    if answered < ctx.total and (phrase := ctx.phrase(answered)):
        s.key_points.append(sentence(f"{phrase} har svarat på frågan"))
    if top := top_themes_phrase(ctx, shown["Antal kommuner"], k=2):
        s.key_points.append(sentence(lead.format(top=top)))
    s.bullets(s.key_points)
    if shown.empty:
        s.paragraph("Inga av kodbokens teman förekommer i svaren.")
        return s
    s.table(
        "teman",
        shown,
        f"{qname}: antal kommuner (av {ctx.total}) som tar upp respektive tema",
        data=shown,
    )
    ctx.add_quotes(
        s,
        _answers(ctx, SECTION_QUESTIONS.get(key, (key,))),
        f"Citat ur svaren på {lower_first(qname)}",
    )
    return s


def region_collaboration(ctx: Context) -> Section:
    """5.6: where municipalities want more collaboration with the region (Q11, Q12), and how
    the region's support for inter-municipal collaboration works (Q13)."""
    s = Section(
        "5-6",
        "5.6 Samverkan med Region Västerbotten",
        intro="Fråga 11 och 12: regionala respektive kommunala ansvarsområden där kommunen vill "
        "samverka mer med Region Västerbotten. Fråga 13: hur regionens uppdrag att främja "
        "samverkan mellan kommunerna fungerar.",
    )
    reg = _counts(ctx, "q11")["Antal kommuner"].rename("Regionala områden (fråga 11)")
    mun = _counts(ctx, "q12")["Antal kommuner"].rename("Kommunala områden (fråga 12)")
    both = pd.concat([reg, mun], axis=1).fillna(0).astype("int64")
    both = both.assign(_k=both.sum(axis=1)).sort_values("_k", ascending=False, kind="mergesort")
    both = both.drop(columns="_k").head(TOP)
    both.index.name = "Område"
    shown = ctx.hide(both)
    if top := top_themes_phrase(ctx, ctx.hide(reg), k=2):
        s.key_points.append(sentence(f"flest kommuner vill samverka mer med regionen om {top}"))
    if top := top_themes_phrase(ctx, ctx.hide(mun), k=1):
        s.key_points.append(
            sentence(f"bland de kommunala ansvarsområdena vill flest samverka om {top}")
        )
    s.bullets(s.key_points)
    s.table(
        "omraden",
        shown,
        f"Antal kommuner (av {ctx.total}) som vill samverka mer med regionen inom området",
        data=shown,
    )
    ctx.add_quotes(
        s,
        _answers(ctx, ("q13",)),
        "Citat om regionens stöd till samverkan mellan kommunerna (fråga 13)",
        about="Region Västerbotten",
    )
    return s


def priorities(ctx: Context) -> Section:
    """5.7: the nine priority areas ranked by how many municipalities name them (Q14)."""
    from analysis.surveys.municipality.figures import count_bars

    s = Section(
        "5-7",
        "5.7 Prioriterade områden",
        intro="Fråga 14: tre områden där kommunen vill förbättra samverkan med andra aktörer "
        "under de kommande två åren. Områdena är originalrapportens nio; här rangordnade efter "
        "hur många kommuner som nämner dem.",
    )
    a = ctx.a
    ranking = priority_ranking(a.question_matrices["q14"], a.labels, a.priority_ids)
    counts = ctx.hide(ranking["Antal kommuner"])
    if top := top_themes_phrase(ctx, counts, k=3):
        s.key_points.append(sentence(f"flest kommuner prioriterar {top}"))
    s.bullets(s.key_points)
    data = ranking.assign(**{"Antal kommuner": counts})
    if ctx.policy.suppresses and counts.isna().any():
        data["Plats"] = float("nan")  # a place would reveal the order of hidden counts
    fig = count_bars(counts, a.total, title="Prioriterade områden (fråga 14)")
    order = [lower_first(i) for i in counts.dropna().index[:3]]
    s.figure(
        "prioriteringar",
        fig,
        "Liggande staplar: antal kommuner som nämner respektive prioriterat område i fråga 14, "
        f"flest överst. Högst ligger {list_phrase(order)}.",
        data=data,
        data_name="rangordning",
        caption=f"Prioriterade områden, rangordnade (antal kommuner av {a.total})",
    )
    return s
