"""Presentation of the 2023 municipality survey report: HTML fragments, one per section.

:mod:`analysis.surveys.municipality` computes everything (an :class:`~analysis.surveys.municipality.Analysis`);
the functions here turn it into the report's sections, always through :mod:`analysis.report.html`
(every value escaped), and the notebook ``notebooks/municipality_survey_2023.ipynb`` only calls
them and adds the fixed narrative:

* sections: :func:`intro_html`, :func:`section_html` (the standard theme-count section),
  :func:`crisis_html` (5.2), :func:`infrastructure_html` (5.3), :func:`actors_html` (5.5),
  :func:`priorities_html` (5.7), :func:`cooccurrence_html`, :func:`coverage_html`,
  :func:`groups_html`, :func:`quality_html`, :func:`method_html`;
* building blocks: :func:`counts_table_html`, :func:`quotes_html`, :func:`theme_quotes_html`;
* figures: :func:`count_bars` (banded horizontal bars), :func:`banded_heatmap`;
* Swedish phrasing: :func:`list_phrase`, :func:`lower_first`, :func:`upper_first`,
  :func:`summary_sentence`.

In ``public`` every count below ``min_cell`` is banded with the disclosure helpers of
:mod:`analysis.surveys.municipality` (:func:`~analysis.surveys.municipality.band_limit`,
:func:`~analysis.surveys.municipality.count_phrase`, …), in tables, figures and sentences alike.

>>> list_phrase(["bostäder", "energi", "vatten"])
'bostäder, energi och vatten'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.surveys.municipality import (
    ACTOR_LABELS,
    ACTOR_QUESTIONS,
    BAND_SHORT,
    BAND_TEMPLATE,
    INFRA_SUBAREAS,
    SECTION_QUESTIONS,
    SUPPRESSED,
    SURVEY,
    Analysis,
    actor_stance_by_municipality,
    actor_stance_counts,
    answer_coverage,
    band_count,
    band_frame,
    band_limit,
    band_sort_key,
    band_with_row_totals,
    cooccurrence,
    count_phrase,
    group_comparison,
    improvement_counts,
    infrastructure_table,
    is_banded,
    prepare_quotes,
    priority_ranking,
    quotes_for_theme,
    select_quotes,
)

if TYPE_CHECKING:  # pragma: no cover
    from analysis.text.themes import ThemeCodebook


def list_phrase(items: Sequence[str]) -> str:
    """Swedish enumeration: "a", "a och b", "a, b och c".

    >>> list_phrase(["A"]), list_phrase(["A", "B"]), list_phrase(["A", "B", "C"])
    ('A', 'A och B', 'A, B och C')
    >>> list_phrase([])
    ''
    """
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


def lower_first(label: str) -> str:
    """Lower-case a label's first letter for use inside a sentence (acronyms kept).

    >>> lower_first("Kompetensförsörjning"), lower_first("EU-medel"), lower_first("")
    ('kompetensförsörjning', 'EU-medel', '')
    """
    label = str(label)
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def upper_first(text: str) -> str:
    """Capitalise the first letter of a sentence that starts with a (banded) count.

    >>> upper_first("färre än 5 av 15 kommuner"), upper_first("7 av 15 kommuner")
    ('Färre än 5 av 15 kommuner', '7 av 15 kommuner')
    """
    text = str(text)
    return text[:1].upper() + text[1:]


def summary_sentence(counts: pd.DataFrame, lead: str, *, k: int = 3, none: str = "") -> str:
    """One sentence naming the *k* most frequent themes with their counts.

    >>> c = pd.DataFrame({"Tema": ["Bostäder", "Energi"], "antal": [5, 3],
    ...                   "Antal kommuner": ["5 av 15 kommuner", "3 av 15 kommuner"]})
    >>> summary_sentence(c, "Vanligast är")
    'Vanligast är bostäder (5 av 15 kommuner) och energi (3 av 15 kommuner).'
    >>> summary_sentence(c.iloc[0:0], "Vanligast är", none="Inga teman.")
    'Inga teman.'
    """
    top = counts.head(k)
    if top.empty:
        return none
    parts = [f"{lower_first(r['Tema'])} ({r['Antal kommuner']})" for r in top.to_dict("records")]
    return f"{lead} {list_phrase(parts)}."


def counts_table_html(counts: pd.DataFrame, caption: str, *, top: int | None = None) -> str:
    """The theme-count table (Tema, Antal kommuner) as accessible HTML."""
    from analysis.report import html as render

    t = counts if top is None else counts.head(top)
    if t.empty:
        return render.paragraph("Inga av kodbokens teman förekommer i svaren.")
    shown = t[["Tema", "Antal kommuner"]].set_index("Tema")
    return render.table(shown, caption)


def quotes_html(quotes: pd.DataFrame, audience: str, caption: str) -> str:
    """Quotes as block quotes (masked in public, attributed internally)."""
    from analysis.report import html as render

    texts = prepare_quotes(quotes, audience)
    if not texts:
        return ""
    return render.quotes(texts, caption=caption)


def theme_quotes_html(
    a: Analysis,
    theme_ids: Sequence[str],
    *,
    audience: str,
    questions: Sequence[str] | None = None,
    n: int = 2,
) -> str:
    """Up to *n* quotes for each theme in *theme_ids* (captioned with the theme label)."""
    from analysis.report import html as render

    parts = []
    used: set[str] = set()
    pool = a.sentences
    for tid in theme_ids:
        # a sentence quoted for one theme is not repeated for the next
        q = quotes_for_theme(pool[~pool["text"].isin(used)], tid, questions=questions, n=n)
        used.update(q["text"])
        parts.append(quotes_html(q, audience, f"Citat – {a.labels.get(tid, tid)}"))
    return render.join(*parts)


def section_html(
    a: Analysis,
    key: str,
    *,
    audience: str,
    lead: str,
    caption: str,
    top: int = 10,
    quote_themes: int = 3,
    exclude: Sequence[str] = tuple(INFRA_SUBAREAS),
    min_cell: int = 5,
) -> str:
    """A standard section: summary sentence, theme-count table and quotes for the top themes.

    *key* is a section ("5.4") or question ("q2"); quotes come from the same questions. The
    infrastructure sub-areas are left out by default (they have their own section, 5.3, and
    would repeat their parent themes). In ``public`` every count below *min_cell* is banded.
    """
    from analysis.report import html as render

    lim = band_limit(audience, min_cell)
    questions = SECTION_QUESTIONS.get(key, (key,))
    counts = a.counts(key, min_cell=lim)
    counts = counts[~counts["tema"].isin(list(exclude))].reset_index(drop=True)
    answered = int(a.answers[a.answers["question_id"].isin(list(questions))]["kommun"].nunique())
    return render.join(
        render.paragraph(
            upper_first(f"{count_phrase(answered, a.total, min_cell=lim)} har svarat. ")
            + summary_sentence(counts, lead, none="Inga av kodbokens teman förekommer i svaren.")
        ),
        counts_table_html(counts, caption, top=top),
        theme_quotes_html(
            a, counts["tema"].head(quote_themes).tolist(), audience=audience, questions=questions
        ),
    )


def count_bars(
    counts: pd.Series,
    total: int,
    *,
    title: str,
    xlabel: str = "Antal kommuner",
    min_cell: int | None = None,
):
    """Horizontal bars of municipality counts (label → count), first label on top.

    With *min_cell* (public) a count ``0 < n < min_cell`` is not drawn to its length: its bar
    is a hatched, light band over the whole interval 1 … min_cell − 1 labelled "<5", so that
    neither the bar nor its label reveals the count.
    """
    import textwrap

    import matplotlib

    from analysis.report.figures import PRIMARY, STYLE, new_figure

    s = pd.Series(counts)
    y = np.arange(len(s))[::-1]
    banded = np.array([is_banded(v, min_cell) for v in s.to_numpy()], dtype=bool)
    values = s.to_numpy(dtype=float)
    with matplotlib.rc_context(STYLE):
        fig = new_figure(8.0, 1.2 + 0.45 * max(len(s), 1))
        ax = fig.add_subplot()
        ax.barh(y[~banded], values[~banded], color=PRIMARY, height=0.6)
        if banded.any():
            ax.barh(
                y[banded],
                float(min_cell - 1),
                color="#deebf7",
                edgecolor=PRIMARY,
                hatch="//",
                height=0.6,
                label=f"{BAND_TEMPLATE.format(min_cell=min_cell).capitalize()} kommuner",
            )
            ax.legend(loc="lower right", frameon=False)
        for yi, v, b in zip(y, s.to_numpy(), banded, strict=True):
            label = BAND_SHORT.format(min_cell=min_cell) if b else f"{int(v)}"
            end = float(min_cell - 1) if b else float(v)
            ax.text(end + total * 0.01, yi, label, va="center", ha="left", fontsize=10)
        ax.set_xlim(0, total * 1.08)
        ax.set_yticks(y)
        ax.set_yticklabels([textwrap.fill(str(i), 38) for i in s.index])
        ax.set_xlabel(f"{xlabel} (av {total})")
        ax.set_title(title, loc="left")
    return fig


def infrastructure_html(a: Analysis, *, audience: str, min_cell: int = 5) -> str:
    """Section 5.3: the sub-area table and, per sub-area, opportunity and challenge quotes.

    The three columns are not additive (a municipality can describe both an opportunity and a
    challenge, or neither), so banding the small counts is enough in ``public``.
    """
    from analysis.report import html as render

    lim = band_limit(audience, min_cell)
    q4 = a.sentences[a.sentences["question_id"] == "q4"]
    table = infrastructure_table(q4, a.municipalities)
    shown = table.map(lambda n: count_phrase(n, a.total, min_cell=lim))
    parts = [
        render.table(
            shown,
            "Fråga 4: kommuner som nämner respektive delområde och som beskriver det som "
            "möjlighet respektive utmaning",
        )
    ]
    for tid, label in INFRA_SUBAREAS.items():
        row = table.loc[label]
        parts.append(render.heading(label, 3))
        parts.append(
            render.paragraph(
                upper_first(count_phrase(row["Nämner området"], a.total, min_cell=lim))
                + " tar upp området "
                f"i fråga 4; {count_phrase(row['Möjlighet'], a.total, min_cell=lim)} beskriver "
                f"möjligheter och {count_phrase(row['Utmaning'], a.total, min_cell=lim)} "
                "utmaningar."
            )
        )
        for pol, cap in (("möjlighet", "Möjligheter"), ("utmaning", "Utmaningar")):
            q = quotes_for_theme(q4, tid, polarity_filter=pol, n=2)
            parts.append(quotes_html(q, audience, f"Citat – {label}: {cap.lower()}"))
    return render.join(*parts)


def banded_heatmap(shown: pd.DataFrame, *, title: str, min_cell: int):
    """:func:`analysis.report.figures.heatmap` of a banded count table.

    *shown* comes from :func:`analysis.surveys.municipality.band_with_row_totals` or
    :func:`analysis.surveys.municipality.band_frame`.

    Exact counts are coloured and annotated as usual; banded cells ("färre än 5") and hidden
    cells ("–") are left out of the colour scale, drawn light grey and annotated "<5"
    respectively "–", so the figure shows no more than the table. The x-axis label explains
    the two signs.
    """
    from matplotlib.patches import Rectangle

    from analysis.report.figures import heatmap

    numeric = shown.map(lambda v: np.nan if isinstance(v, str) else float(v)).astype(float)
    fig = heatmap(numeric, title=title)
    ax = fig.axes[0]
    short = BAND_SHORT.format(min_cell=min_cell)
    signs = set()
    for i in range(shown.shape[0]):
        for j in range(shown.shape[1]):
            v = shown.iat[i, j]
            if not isinstance(v, str):
                continue
            label = SUPPRESSED if v == SUPPRESSED else short
            signs.add(label)
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor="#e6e6e6", edgecolor="white", lw=0.5))
            ax.text(j + 0.5, i + 0.5, label, ha="center", va="center", fontsize=10, color="#000000")
    notes = []
    if short in signs:
        notes.append(f"{short} = {BAND_TEMPLATE.format(min_cell=min_cell)}")
    if SUPPRESSED in signs:
        notes.append(f"{SUPPRESSED} = dolt, så att ett litet antal\ninte kan räknas fram")
    if notes:
        ax.set_xlabel("\n".join(notes), fontsize=9)
    return fig


def _stance_pattern(counts: pd.DataFrame, shown: pd.DataFrame) -> str:
    """Alt-text sentence: per actor the most common stance, only where the table shows it
    exactly and nothing in the row is hidden (so the sentence reveals nothing more)."""
    parts = []
    for actor in counts.index:
        row = shown.loc[actor]
        if any(v == SUPPRESSED for v in row.tolist()):
            continue
        exact = {c: int(v) for c, v in row.items() if not isinstance(v, str)}
        if not exact:
            continue
        top = max(exact.values())
        best = [c for c, v in exact.items() if v == top]
        if top > 0 and len(best) == 1:
            parts.append(f"{actor}: {lower_first(best[0])}")
    if not parts:
        return ""
    return " Vanligaste bedömning per aktör: " + "; ".join(parts) + "."


def actors_html(a: Analysis, *, audience: str, min_cell: int = 5) -> str:
    """Section 5.5: actor × stance heatmap and table, improvement areas, quotes per question.

    Every actor row adds up to the number of municipalities (each gets a stance, "ingen
    kontakt" included), so in ``public`` the table is banded with
    :func:`analysis.surveys.municipality.band_with_row_totals` (complementary "–" where a band could be
    recovered by subtraction) and the heatmap shows "<5" / "–" instead of those numbers.
    """
    from analysis.report import html as render
    from analysis.report.figures import heatmap

    lim = band_limit(audience, min_cell)
    counts = actor_stance_counts(a.stances)
    title = "Samverkan per aktör"
    alt = (
        "Värmekarta: antal kommuner per aktör och bedömning av samverkan (fungerar bra, "
        "blandat, behöver förbättras, ingen eller liten kontakt); mörkare ruta betyder fler "
        "kommuner."
    )
    if lim is None:
        shown = counts
        fig = heatmap(counts, title=title)
    else:
        shown = band_with_row_totals(counts, lim)
        fig = banded_heatmap(shown, title=title, min_cell=lim)
        alt += (
            f" Grå rutor märkta {BAND_SHORT.format(min_cell=lim)} betyder "
            f"{BAND_TEMPLATE.format(min_cell=lim)} kommuner; rutor märkta {SUPPRESSED} är dolda."
            + _stance_pattern(counts, shown)
        )
    _tilt_xlabels(fig, counts.columns, 20)
    parts = [
        render.figure(
            fig,
            alt,
            caption=f"Antal kommuner per aktör och bedömning (av {a.total} kommuner)",
            data=shown,
        )
    ]
    if lim is not None and (shown == SUPPRESSED).any().any():
        parts.append(
            render.paragraph(
                f"Varje rad summerar till {a.total} kommuner. Där ett antal under {lim} annars "
                f"skulle kunna räknas fram ur de övriga visas även ett större antal som {SUPPRESSED}."
            )
        )
    imp = improvement_counts(a.improvements, a.labels)
    if not imp.empty:
        order = {lab: i for i, lab in enumerate(ACTOR_LABELS.values())}
        imp = imp.assign(_a=imp["Aktör"].map(order), _k=band_sort_key(imp["antal"], lim))
        imp = imp.sort_values(
            ["_a", "_k", "Förbättringsområde"], ascending=[True, False, True], kind="mergesort"
        ).drop(columns=["_a", "_k"])
        imp = imp.assign(antal=imp["antal"].map(lambda n: count_phrase(n, a.total, min_cell=lim)))
        parts.append(
            render.table(
                imp.rename(columns={"antal": "Antal kommuner"}),
                "Förbättringsområden som flest kommuner nämner, per aktör",
                index=False,
            )
        )
    if audience == "internal":
        parts.append(
            render.table(
                actor_stance_by_municipality(a.stances, a.municipalities),
                "Bedömning per kommun och aktör (endast intern version)",
            )
        )
    for q, label in ACTOR_QUESTIONS.items():
        sents = a.sentences[a.sentences["question_id"] == q]
        parts.append(quotes_html(select_quotes(sents, n=2), audience, f"Citat – {label}"))
    return render.join(*parts)


def priorities_html(a: Analysis, *, audience: str, min_cell: int = 5) -> str:
    """Section 5.7: the ranking of the priority areas (Q14) as figure, table and quotes.

    In ``public`` the areas named by fewer than *min_cell* municipalities share one place, keep
    the report's order and are drawn as a band
    (:func:`analysis.surveys.municipality.priority_ranking`, :func:`count_bars`).
    """
    from analysis.report import html as render

    lim = band_limit(audience, min_cell)
    ranking = priority_ranking(
        a.question_matrices["q14"], a.labels, a.priority_ids, a.total, min_cell=lim
    )
    named = ranking[ranking["antal"] > 0]
    fig = count_bars(
        named.set_index("Prioriterat område")["antal"],
        a.total,
        title="Prioriterade områden (fråga 14)",
        min_cell=lim,
    )
    table = ranking.set_index("Plats")[["Prioriterat område", "Antal kommuner"]]
    others = a.counts("q14", min_cell=lim)
    others = others[~others["tema"].isin([*a.priority_ids, *INFRA_SUBAREAS])]
    parts = [
        render.paragraph(
            f"{count_phrase(len(named), len(ranking), 'prioriterade områden')} nämns av minst en "
            "kommun. "
            + summary_sentence(
                named.rename(columns={"Prioriterat område": "Tema"}),
                "Flest kommuner prioriterar",
                none="",
            )
        ),
        render.figure(
            fig,
            "Liggande staplar: antal kommuner som nämner respektive prioriterat område i fråga 14, "
            "flest överst."
            + (
                f" Områden som färre än {lim} kommuner nämner visas som ett streckat band "
                f"märkt {BAND_SHORT.format(min_cell=lim)}, i rapportens ordning."
                if lim is not None and named["antal"].map(lambda n: is_banded(n, lim)).any()
                else ""
            ),
            caption="Prioriterade områden, rangordnade",
            data=table,
        ),
        render.table(table, "Prioriterade områden (fråga 14), rangordnade efter antal kommuner"),
    ]
    if not others.empty:
        parts.append(counts_table_html(others, "Andra teman i svaren på fråga 14"))
    parts.append(
        theme_quotes_html(a, named["tema"].head(4).tolist(), audience=audience, questions=["q14"])
    )
    return render.join(*parts)


def crisis_html(
    a: Analysis, *, audience: str, theme_id: str = "civilt_forsvar", min_cell: int = 5
) -> str:
    """Section 5.2: how many municipalities raise crisis preparedness, in which questions."""
    from analysis.report import html as render

    lim = band_limit(audience, min_cell)
    n = int(a.matrix_all[theme_id].sum()) if theme_id in a.matrix_all else 0
    per_q = {q: int(m[theme_id].sum()) for q, m in a.question_matrices.items() if theme_id in m}
    where = [
        f"fråga {q[1:]} ({count_phrase(c, a.total, min_cell=lim)})" for q, c in per_q.items() if c
    ]
    text = upper_first(count_phrase(n, a.total, min_cell=lim))
    text += " tar upp krisberedskap eller civilt försvar i något svar"
    text += f", i {list_phrase(where)}." if where else "."
    parts = [render.paragraph(text)]
    if n:
        q = quotes_for_theme(a.sentences, theme_id, n=3)
        parts.append(quotes_html(q, audience, f"Citat – {a.labels.get(theme_id, theme_id)}"))
    return render.join(*parts)


def _tilt_xlabels(fig, labels: Sequence[str], rotation: int = 35) -> None:
    """Replace a heatmap's x tick labels by *labels* on one tilted line each (no overlap)."""
    ax = fig.axes[0]
    ax.set_xticklabels(
        [str(x) for x in labels], rotation=rotation, ha="right", rotation_mode="anchor"
    )


def cooccurrence_html(
    a: Analysis, *, min_count: int = 2, audience: str = "public", min_cell: int = 5
) -> str:
    """Heatmap of themes named together in the same answer (municipalities; sub-areas left out).

    In ``public`` only themes named by at least ``max(min_count, min_cell)`` municipalities are
    included and every pair count below *min_cell* is banded (table, heatmap and sentence). The
    cells are not additive (a municipality can name several pairs), so banding is enough.
    """
    from analysis.report import html as render
    from analysis.report.figures import heatmap

    lim = band_limit(audience, min_cell)
    if lim is not None:
        min_count = max(min_count, lim)
    main = [t for t in a.labels if t not in INFRA_SUBAREAS]
    co = cooccurrence(a.coded[main], groups=a.coded["kommun"], min_count=min_count)
    if co.empty:
        return render.paragraph("Inga teman förekommer hos tillräckligt många kommuner.")
    co.index = [a.labels[t] for t in co.index]
    co.columns = [a.labels[t] for t in co.columns]
    title = "Antal kommuner som nämner båda temana i samma svar"
    if lim is None:
        shown = co
        fig = heatmap(co, title=title)
    else:
        shown = band_frame(co, lim)
        fig = banded_heatmap(shown, title=title, min_cell=lim)
    _tilt_xlabels(fig, co.columns)
    pairs = [
        (co.index[i], co.columns[j], int(co.iat[i, j]))
        for i in range(len(co))
        for j in range(i + 1, len(co))
    ]
    key = band_sort_key(pd.Series([c for _, _, c in pairs], dtype="int64"), lim).tolist()
    pairs = [
        p for _, p in sorted(zip(key, pairs, strict=True), key=lambda t: (-t[0], t[1][0], t[1][1]))
    ]
    top = [
        f"\u201d{lower_first(x)}\u201d och \u201d{lower_first(y)}\u201d "
        f"({count_phrase(c, a.total, min_cell=lim)})"
        for x, y, c in pairs[:3]
        if c
    ]
    alt = (
        "Värmekarta över hur ofta två teman nämns i samma svar, räknat i kommuner; mörkare "
        "ruta betyder fler kommuner."
    )
    if lim is not None:
        alt += (
            f" Grå rutor märkta {BAND_SHORT.format(min_cell=lim)} betyder "
            f"{BAND_TEMPLATE.format(min_cell=lim)} kommuner."
        )
    return render.join(
        render.paragraph(
            "Diagonalen visar hur många kommuner som nämner temat alls; övriga rutor hur många "
            "kommuner som nämner båda temana i ett och samma svar. "
            + (f"Vanligast tillsammans: {list_phrase(top)}." if top else "")
        ),
        render.figure(
            fig,
            alt,
            caption=f"Teman som nämns av minst {min_count} kommuner",
            data=shown,
        ),
    )


def coverage_html(
    a: Analysis, wide: pd.DataFrame, *, audience: str = "public", min_cell: int = 5
) -> str:
    """Answer length and coverage per question (table; small answer counts banded in public)."""
    from analysis.report import html as render

    lim = band_limit(audience, min_cell)
    cov = answer_coverage(wide, total=a.total, min_cell=lim).set_index("Fråga")
    cov = cov.drop(columns=["antal"])
    full = int((answer_coverage(wide, total=a.total)["antal"] == a.total).sum())
    return render.join(
        render.paragraph(
            f"{count_phrase(full, len(cov), 'frågor')} har svar från samtliga "
            f"{a.total} kommuner. Längden räknas i ord per svar."
        ),
        render.table(
            cov,
            "Svar per fråga: antal kommuner som svarat och svarens längd i ord",
            number_format={"Median antal ord": "decimal1"},
        ),
    )


SECTION_GROUP_THEMES: dict[str, str] = {
    "5.2": "civilt_forsvar",
}
"""Sections whose group comparison is about one theme only (5.2 reads every answer for it)."""


def section_groups_html(
    a: Analysis,
    key: str,
    *,
    audience: str,
    min_cell: int,
    themes: Sequence[str] | None = None,
) -> str:
    """The municipality groups compared within one section (``"5.1"`` …) or question (``"q2"``).

    Same table as :func:`groups_html` (:func:`analysis.surveys.municipality.group_comparison`: public
    merges groups below *min_cell*, leaves out themes fewer than *min_cell* municipalities name
    and suppresses small cells with their complements), restricted to the section's answers and,
    optionally, to *themes*. The infrastructure sub-areas only appear for section 5.3 / Q4.

    >>> import pandas as pd
    >>> from analysis.surveys.municipality import Analysis
    >>> m = pd.DataFrame({"x": [1] * 6 + [0] * 4}, index=list("abcdefghij"))
    >>> g = pd.Series(["ovriga"] * 5 + ["umearegionen_ovriga"] * 5, index=m.index)
    >>> a = Analysis(list(m.index), 10, {"x": "X"}, [], *[pd.DataFrame()] * 3, m, {"5.8": m}, {},
    ...              g, pd.DataFrame(), pd.DataFrame())
    >>> "X" in section_groups_html(a, "5.8", audience="internal", min_cell=5)
    True
    """
    from analysis.data.reference import MUNICIPALITY_GROUPS
    from analysis.report import html as render

    matrix = a.section_matrices.get(key)
    if matrix is None:
        matrix = a.question_matrices[key]
    if themes is None and key in SECTION_GROUP_THEMES:
        themes = [SECTION_GROUP_THEMES[key]]
    if themes is None:
        subareas = key in ("5.3", "q4")
        themes = [t for t in matrix.columns if (t in INFRA_SUBAREAS) == subareas]
    cols = [t for t in themes if t in matrix.columns]
    table = group_comparison(
        matrix[cols],
        a.groups,
        a.labels,
        MUNICIPALITY_GROUPS,
        min_cell=min_cell,
        audience=audience,
    )
    heading = render.heading("Kommungrupperna jämförda", 3)
    if len(table) <= 1:  # only the group sizes: no theme is named often enough to compare
        return render.join(
            heading,
            render.paragraph(
                f"Inget tema i avsnittet nämns av minst {min_cell} kommuner, så ingen "
                "jämförelse mellan kommungrupperna visas i den publika versionen."
                if audience == "public"
                else "Inga teman att jämföra."
            ),
        )
    caption = "Antal kommuner per kommungrupp som tar upp respektive tema" + (
        " (teman som minst " + str(min_cell) + " kommuner tar upp)" if audience == "public" else ""
    )
    return render.join(heading, render.table(table, caption))


def groups_html(a: Analysis, *, audience: str, min_cell: int) -> str:
    """The group comparison (suppressed in public) with an explanation."""
    from analysis.data.reference import MUNICIPALITY_GROUPS
    from analysis.report import html as render

    table = group_comparison(
        a.matrix_all[[t for t in a.labels if t not in INFRA_SUBAREAS]],
        a.groups,
        a.labels,
        MUNICIPALITY_GROUPS,
        min_cell=min_cell,
        audience=audience,
    )
    sizes = a.groups.map(MUNICIPALITY_GROUPS).value_counts()
    lim = band_limit(audience, min_cell)
    size_text = list_phrase(
        [
            f"{lab}: {count_phrase(int(sizes.get(lab, 0)), a.total, min_cell=lim)}"
            for lab in MUNICIPALITY_GROUPS.values()
        ]
    )
    parts = [
        render.paragraph(f"Grupperna (från referenstabellen över länets kommuner) är {size_text}.")
    ]
    if audience == "public":
        parts.append(
            render.notice(
                f"I den publika versionen redovisas ingen grupp med färre än {min_cell} kommuner; "
                "mindre grupper slås ihop med närmaste grupp. Umeå är ensam i sin grupp och visas "
                f"därför aldrig separat. Antal under {min_cell} (och de antal som annars skulle "
                "kunna räknas fram ur totalerna) visas som –. Teman som färre än "
                f"{min_cell} kommuner nämner totalt ingår inte i jämförelsen."
            )
        )
    parts.append(
        render.table(
            table,
            "Antal kommuner per grupp som nämner respektive tema någon gång i fråga 2–15",
        )
    )
    return render.join(*parts)


def quality_html(
    a: Analysis, survey: str = SURVEY, *, audience: str = "public", min_cell: int = 5
) -> str:
    """Coding quality: agreement per theme, or how to create a verified coding.

    The numbers of answers per theme ("Förslag", "Verifierat") are banded in ``public``.
    """
    from analysis.report import html as render

    lim = band_limit(audience, min_cell)

    if not a.verified or a.agreement is None:
        return render.join(
            render.paragraph(
                "Det finns ännu ingen verifierad kodning av svaren, så kodningens kvalitet kan inte "
                "redovisas här. Alla antal i rapporten bygger på den automatiska kodningen."
            ),
            render.paragraph(
                "Så skapar du en verifierad kodning: kör "
                f"analysis code --survey {survey} --review granskning.xlsx, "
                "granska varje svar och skriv de teman som faktiskt förekommer i kolumnen "
                "verified_themes (tema-id åtskilda med semikolon, eller - om inget tema passar), "
                f"spara filen som data/raw/{survey}/verified_codes.xlsx och bygg rapporten igen "
                f"(analysis run {survey})."
            ),
        )
    ag = a.agreement
    n = int(ag["n"].max()) if len(ag) else 0
    shown = pd.DataFrame(
        {
            "Tema": ag["label"],
            "Förslag": ag["suggested_n"].astype("int64"),
            "Verifierat": ag["verified_n"].astype("int64"),
            "Överensstämmelse": ag["agreement_pct"] / 100.0,
            "Cohens kappa": ag["kappa"],
        }
    ).set_index("Tema")
    shown = band_frame(shown, lim, columns=["Förslag", "Verifierat"])
    return render.join(
        render.paragraph(
            f"{n} svar har granskats manuellt. Tabellen jämför de automatiska förslagen med de "
            "verifierade koderna per tema: antal svar med temat enligt förslaget respektive "
            "granskningen, andel svar där de är överens och Cohens kappa (överensstämmelse "
            "utöver slumpen; saknas när temat aldrig eller alltid valts av båda). I rapportens "
            "antal gäller de verifierade koderna där sådana finns."
        ),
        render.table(
            shown,
            "Överensstämmelse mellan föreslagna och verifierade koder per tema",
            number_format={"Överensstämmelse": "percent", "Cohens kappa": "decimal2"},
        ),
    )


def intro_html(a: Analysis, ds: Any, *, audience: str, min_cell: int = 5) -> str:
    """What the data is: who answered, how many answers, synthetic or not, which version."""
    from analysis.data.reference import load_municipalities
    from analysis.report import html as render

    county = len(load_municipalities())
    manifest = getattr(ds, "manifest", None) or {}
    synthetic = bool(getattr(ds, "synthetic", manifest.get("synthetic", False)))
    parts = [
        render.paragraph(
            "Enkäten skickades i april 2023 till kommunchefen eller kommundirektören i var och en "
            f"av länets {county} kommuner och innehöll 14 frågor med fritextsvar (fråga 2–15; "
            f"fråga 1 gäller vilken kommun som svarar). Underlaget omfattar svar från {a.total} "
            f"kommuner, sammanlagt {band_count(len(a.answers), band_limit(audience, min_cell))} "
            "ifyllda fritextsvar. Alla antal i rapporten anges som antal kommuner av de "
            f"{a.total} som svarat."
        )
    ]
    if synthetic:
        parts.append(
            render.notice(
                "Rapporten bygger på syntetiska demodata: svaren är skrivna för att efterlikna "
                "innehållet i 2023 års rapport och är inte verkliga enkätsvar."
            )
        )
    if audience == "public":
        parts.append(
            render.paragraph(
                "Detta är den publika versionen. Citaten är avidentifierade (namn på kommuner, "
                "orter, organisationer och personer är ersatta med [kommun], [organisation], "
                "[person] eller [namn]), citaten anges utan kommun och tabeller och figurer "
                "redovisar antal kommuner, aldrig enskilda kommuners svar. När alla kommuner "
                "(eller alla i en kommungrupp) tar upp ett tema framgår förstås att var och en "
                "gjort det."
            )
        )
    else:
        parts.append(
            render.notice(
                "Intern version: citat och tabeller visar vilken kommun som har svarat vad. "
                "Versionen får inte publiceras."
            )
        )
    return render.join(*parts)


def method_html(
    a: Analysis, ds: Any, themes: ThemeCodebook, *, audience: str, min_cell: int
) -> str:
    """The method and reservations section."""
    from analysis.report import html as render

    manifest = getattr(ds, "manifest", None) or {}
    synthetic = bool(getattr(ds, "synthetic", manifest.get("synthetic", False)))
    n_prio = len(a.priority_ids)
    data_text = (
        f"Data: {manifest.get('source_file', 'enkätexporten')} "
        f"({manifest.get('rows_out', len(getattr(ds, 'wide', [])))} svarande efter inläsning), "
        "inläst och kontrollerad med analysis ingest; e-postadresser, telefonnummer och "
        "personnummer i fritexten är maskerade redan vid inläsningen."
    )
    if synthetic:
        data_text += (
            " Svaren är syntetiska demodata (manifestet anger synthetic: true), genererade från "
            "en beskrivning av innehållet i 2023 års rapport. Resultaten visar hur rapporten "
            "fungerar, inte vad kommunerna faktiskt svarade."
        )
    paras = [
        data_text,
        f"Kodning: varje svar på fråga 2–15 kodas automatiskt med temakodboken (version "
        f"{themes.version}, {len(themes)} teman varav {n_prio} är rapportens prioriterade "
        "områden). Termerna matchas efter svensk normalisering som klarar böjningar och "
        "sammansättningar (t.ex. 'järnvägarna', 'bostadsbyggandet', 'elnätet') men inte falska "
        "träffar som 'kommunikation' för 'kommun'. "
        + (
            "Verifierade koder från en manuell granskning ersätter förslagen där de finns."
            if a.verified
            else "Ingen manuell granskning av koderna finns ännu (se Kodningens kvalitet)."
        ),
        "Räkning: en kommun räknas en gång per tema och avsnitt, oavsett hur många av dess svar "
        "som tar upp temat. Nämnaren är antalet kommuner som svarat på enkäten. Eftersom alla "
        "länets kommuner ingår är siffrorna en totalräkning, inte ett urval; osäkerheten ligger i "
        "kodningen, inte i urvalet.",
        "Möjlighet eller utmaning (avsnitt 5.3) och aktörsbedömningar (avsnitt 5.5) bygger på "
        "signalord i varje mening eller sats, med enkel hantering av negation ('inte "
        "tillräcklig'). Ironi, villkor och långa resonemang kan läsas fel; bedömningarna är "
        "därför en grov sammanfattning som bör läsas tillsammans med citaten.",
        "Citat: per tema väljs korta meningar (högst 220 tecken) som liknar de övriga meningarna "
        "om temat mest (ordöverlapp), högst ett citat per kommun; urvalet är deterministiskt. "
        + (
            "I den publika versionen maskeras namn på kommuner, orter, organisationer och "
            "personer. Innehållet i ett citat (t.ex. en känd etablering) kan ändå peka ut en "
            "kommun; läs därför citaten innan rapporten publiceras."
            if audience == "public"
            else "I den interna versionen visas kommunens namn efter varje citat."
        ),
        (
            f"Röjandekontroll: i den publika versionen visas inget antal mellan 1 och "
            f"{min_cell - 1} exakt. I tabeller, figurer och text anges sådana antal som "
            f"\u201d{BAND_TEMPLATE.format(min_cell=min_cell)}\u201d (i figurerna "
            f"\u201d{BAND_SHORT.format(min_cell=min_cell)}\u201d), till exempel "
            f"\u201d{count_phrase(1, a.total, min_cell=min_cell)}\u201d; noll och antal från "
            f"{min_cell} och uppåt visas exakt, och andelar av ett sådant antal redovisas inte. "
            "Teman och områden med så få kommuner står sist i sina tabeller i kodbokens ordning "
            "och delar placering i rangordningen, så att ordningen inte avslöjar antalet. Där ett "
            "litet antal annars skulle kunna räknas fram ur en känd summa (till exempel att varje "
            "aktörs rad summerar till alla svarande kommuner) döljs även ett större antal som –. "
            f"I gruppjämförelsen visas ingen grupp med färre än {min_cell} kommuner och antal "
            f"mellan 1 och {min_cell - 1}, och de antal som annars skulle kunna räknas fram ur "
            "totalerna, visas som – (sekundär röjandekontroll). Inga tabeller eller figurer "
            "redovisas per kommun."
            if audience == "public"
            else "Röjandekontroll tillämpas inte i den interna versionen: alla antal visas exakt."
        ),
        "Reservationer: originalrapportens avsnitt 5.2 byggde också på interna källor inom Region "
        "Västerbotten som inte finns i enkäten. Kodboken är skriven utifrån rapportens egna "
        "formuleringar, så teman som rapporten inte nämner fångas sämre. Antalen säger hur många "
        "kommuner som tar upp ett tema, inte hur viktigt temat är för dem.",
    ]
    return render.join(*[render.paragraph(p) for p in paras])


__all__ = [
    "actors_html",
    "banded_heatmap",
    "cooccurrence_html",
    "count_bars",
    "counts_table_html",
    "coverage_html",
    "crisis_html",
    "groups_html",
    "infrastructure_html",
    "intro_html",
    "list_phrase",
    "lower_first",
    "method_html",
    "priorities_html",
    "quality_html",
    "quotes_html",
    "section_html",
    "summary_sentence",
    "theme_quotes_html",
    "upper_first",
]
