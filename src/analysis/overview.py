"""The generic survey overview (``notebooks/survey_overview.ipynb``): every question by its type.

The notebook only calls :func:`title_html`, :func:`respondents_html`, :func:`metadata_html`,
:func:`questions_html` and :func:`method_html`; each returns an HTML fragment built with
:mod:`analysis.render` (everything escaped).

* ``single`` / ``org_type`` — counts and shares of the substantive answers with Wilson intervals,
  finite-population corrected when the codebook has a sample frame (``frame.size``);
  non-substantive answers ("Vet ej") are counted but not part of the shares.
* ``multi`` — per option: how many of those who answered the question ticked it.
* ``likert`` — a diverging stacked bar centred on the neutral category plus the table.
* ``text`` — the number of answers; for ``audience="internal"`` also the answers as quotes.
* ``municipality`` — the distribution of municipalities and municipality groups.

With ``audience="public"`` every count ``0 < x < min_cell`` is suppressed together with its
complements (:mod:`analysis.suppression`); shares and intervals of suppressed rows are hidden as
well, questions answered by fewer than ``min_cell`` are not broken down, and free-text answers
are never shown.

>>> import pandas as pd
>>> from types import SimpleNamespace as NS
>>> q = NS(id="q2", number=2, text="Samarbetar ni?", type="single", role="question",
...        options=[NS(code="ja", label="Ja"), NS(code="nej", label="Nej")], non_substantive=[])
>>> cb = NS(title="Testenkät", questions=[q], frame=None)
>>> wide = pd.DataFrame({"q2": pd.Categorical(["Ja"] * 8 + ["Nej"] * 2, categories=["Ja", "Nej"])})
>>> ds = NS(wide=wide, codebook=cb, manifest={})
>>> single_table(ds, q, audience="internal")[["Antal", "Andel"]].to_dict("list")
{'Antal': ['8', '2'], 'Andel': ['80 %', '20 %']}
>>> single_table(ds, q, audience="public", min_cell=5)[["Antal", "Andel"]].to_dict("list")
{'Antal': ['–', '–'], 'Andel': ['–', '–']}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from analysis import render
from analysis.audience import AUDIENCES, check_audience
from analysis.errors import ConfigError

__all__ = [
    "AUDIENCES",
    "check_audience",
    "frame_size",
    "likert_counts",
    "method_html",
    "metadata_html",
    "multi_table",
    "question_html",
    "questions_html",
    "respondents_html",
    "single_table",
    "text_answers",
    "title_html",
]

SUPPRESSED = render.SUPPRESSED
COLUMN_LABELS = {"antal": "Antal", "andel": "Andel", "ki": "95 % konfidensintervall"}


# --------------------------------------------------------------------------------------------
# Access helpers (tolerant of dataclasses, namespaces and plain dicts)
# --------------------------------------------------------------------------------------------
def _get(obj, name: str, default=None):
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _wide(ds) -> pd.DataFrame:
    for name in ("wide", "responses"):
        value = _get(ds, name)
        if isinstance(value, pd.DataFrame):
            return value
    raise TypeError("the dataset has no wide responses table (.wide / .responses)")


def _codebook(ds):
    return _get(ds, "codebook")


def _questions(ds) -> list:
    return list(_get(_codebook(ds), "questions", []) or [])


def _labels(q) -> list[str]:
    return [str(_get(o, "label")) for o in (_get(q, "options") or [])]


def _non_substantive(q) -> list[str]:
    return [str(x) for x in (_get(q, "non_substantive") or [])]


def _check_min_cell(min_cell: int) -> int:
    if int(min_cell) < 1:
        raise ConfigError(f"Parametern min_cell måste vara minst 1, inte {min_cell!r}.")
    return int(min_cell)


def frame_size(codebook) -> int | None:
    """Size of the sample frame from ``codebook.frame`` (``None`` without a frame).

    >>> frame_size({"frame": {"file": "x.csv", "size": 43}}), frame_size({"frame": None})
    (43, None)
    """
    frame = _get(codebook, "frame")
    if frame is None:
        return None
    size = _get(frame, "size")
    return int(size) if size else None


def _question_label(q) -> str:
    number = _get(q, "number")
    text = str(_get(q, "text", "")).strip()
    return f"Fråga {number}. {text}" if number is not None else text


# --------------------------------------------------------------------------------------------
# Tables per question type
# --------------------------------------------------------------------------------------------
def _category_counts(series: pd.Series, labels: Sequence[str]) -> pd.Series:
    values = series.dropna().astype(str)
    counts = values.value_counts()
    order = list(labels) + sorted(c for c in counts.index if c not in labels)
    return counts.reindex(order, fill_value=0).astype("int64")


def _mask(counts: pd.Series, min_cell: int, total: int) -> pd.Series:
    from analysis.suppression import series_mask

    return series_mask(counts, min_cell, total=total)


def _share_rows(counts: pd.Series, n: int, population: int | None) -> pd.DataFrame:
    from analysis.stats import share_table

    pop = population if population is not None and population >= n else None
    return share_table(counts, n, population=pop)


def _format_rows(table: pd.DataFrame, hidden: pd.Series | None) -> pd.DataFrame:
    """Share table → display frame (Antal, Andel, 95 % KI) with hidden rows as "–"."""
    out = pd.DataFrame(index=table.index)
    out.index.name = "Svar"
    out["Antal"] = [render.fmt_number(v) for v in table["antal"]]
    out["Andel"] = [render.percent(v) for v in table["andel"]]
    out["95 % konfidensintervall"] = [
        render.fmt_ci(lo, hi) for lo, hi in zip(table["ki_lag"], table["ki_hog"], strict=True)
    ]
    if hidden is not None:
        for idx in hidden.index[hidden.to_numpy()]:
            out.loc[idx, :] = SUPPRESSED
    return out


def single_shares(
    ds, q, *, audience: str = "public", min_cell: int = 5
) -> tuple[pd.DataFrame, pd.Series]:
    """Numeric share table (``antal, andel, ki_lag, ki_hog``) and the mask of hidden rows.

    Substantive answers get a share of the substantive answers with a Wilson interval (FPC when
    the frame size is known); non-substantive answers ("Vet ej") get a count only. The mask is
    all False for ``internal``.

    In public, a share of the substantive answers reveals their total, so the substantive cells
    are protected against that total. When a non-substantive count would itself be suppressed,
    that total must stay hidden too: the shares are then taken of *all* answers (the table's
    ``attrs["base"]`` says ``"alla"`` instead of ``"ställningstagande"``) and every row is
    protected against the number of answers.

    >>> from types import SimpleNamespace as NS
    >>> q = NS(id="q", options=[NS(label="Nej"), NS(label="Ja"), NS(label="Vet ej")], non_substantive=["Vet ej"])
    >>> wide = pd.DataFrame({"q": ["Ja"] * 9 + ["Nej"] * 6 + ["Vet ej"] * 2})
    >>> ds = NS(wide=wide, codebook=NS(frame=None))
    >>> t, hidden = single_shares(ds, q, audience="public", min_cell=5)
    >>> t.attrs["base"], t["antal"].tolist(), hidden.tolist()
    ('alla', [6, 9, 2], [True, False, True])
    >>> t, hidden = single_shares(ds, q, audience="internal")
    >>> t.attrs["base"], [round(x, 2) for x in t["andel"][:2]]
    ('ställningstagande', [0.4, 0.6])
    """
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    wide = _wide(ds)
    ns = _non_substantive(q)
    counts = _category_counts(wide[_get(q, "id")], _labels(q))
    n_total = int(counts.sum())
    population = frame_size(_codebook(ds))
    ns_labels = [c for c in counts.index if c in ns]
    sub_labels = [c for c in counts.index if c not in ns]
    small_ns = any(0 < int(counts[c]) < min_cell for c in ns_labels)
    if audience == "public" and small_ns:
        table = _share_rows(counts, n_total, population)
        table.attrs["base"] = "alla"
        return table, _mask(table["antal"], min_cell, n_total)
    substantive = counts[sub_labels]
    table = _share_rows(substantive, int(substantive.sum()), population)
    for label in ns_labels:
        table.loc[label] = [int(counts[label]), float("nan"), float("nan"), float("nan")]
    table["antal"] = table["antal"].astype("int64")
    table.attrs["base"] = "ställningstagande"
    hidden = pd.Series(False, index=table.index)
    if audience == "public":
        sub_mask = _mask(substantive, min_cell, int(substantive.sum()))
        hidden.loc[sub_mask.index] = sub_mask.to_numpy()
    return table, hidden


def _base_phrase(table: pd.DataFrame, ns: Sequence[str]) -> str:
    if table.attrs.get("base") == "alla":
        return (
            "Andelarna räknas på alla svar"
            + (f" (inklusive {', '.join(ns)})" if ns else "")
            + ", eftersom antalet som inte tog ställning är för litet för att redovisas."
        )
    return "Andelarna räknas på dem som tog ställning" + (
        f" (utan {', '.join(ns)})." if ns else "."
    )


def single_table(ds, q, *, audience: str = "public", min_cell: int = 5) -> pd.DataFrame:
    """Display table (Antal, Andel, 95 % konfidensintervall) for ``single`` / ``org_type`` / ``likert``."""
    table, hidden = single_shares(ds, q, audience=audience, min_cell=min_cell)
    return _format_rows(table, hidden)


def _multi_columns(wide: pd.DataFrame, q) -> dict[str, str]:
    qid = _get(q, "id")
    out = {}
    for o in _get(q, "options") or []:
        col = f"{qid}__{_get(o, 'code')}"
        if col in wide.columns:
            out[str(_get(o, "label"))] = col
    return out


def multi_shares(
    ds, q, *, audience: str = "public", min_cell: int = 5
) -> tuple[pd.DataFrame, pd.Series, int]:
    """Numeric share table per option, the mask of hidden rows and *n* (who ticked anything).

    In public, an option is hidden when either the number who ticked it or the number who did
    not is ``0 < x < min_cell`` (each option is its own yes/no table).
    """
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    wide = _wide(ds)
    cols = _multi_columns(wide, q)
    ticks = pd.DataFrame(
        {label: wide[col].fillna(False).astype(bool) for label, col in cols.items()},
        index=wide.index,
    )
    answered = ticks.any(axis=1)
    n = int(answered.sum())
    counts = ticks[answered].sum(axis=0).astype("int64")
    table = _share_rows(counts, n, frame_size(_codebook(ds)))
    flags = [
        audience == "public" and bool(0 < k < min_cell or 0 < n - k < min_cell)
        for k in counts.to_numpy()
    ]
    return table, pd.Series(flags, index=counts.index, dtype=bool), n


def multi_table(ds, q, *, audience: str = "public", min_cell: int = 5) -> tuple[pd.DataFrame, int]:
    """Display table for a multiple-choice question and *n* (respondents who ticked anything)."""
    table, hidden, n = multi_shares(ds, q, audience=audience, min_cell=min_cell)
    out = _format_rows(table, hidden)
    out.index.name = "Alternativ"
    return out, n


def likert_counts(ds, q) -> pd.Series:
    """Counts per scale label (low → high, then non-substantive) for a Likert question."""
    return _category_counts(_wide(ds)[_get(q, "id")], _labels(q))


def _collapse_likert(counts: pd.Series, order: Sequence[str]) -> tuple[pd.Series, list[str]]:
    """Collapse a scale to disagree / neutral / agree (non-substantive kept)."""
    k = len(order)
    low, high = order[: k // 2], order[(k + 1) // 2 :]
    mid = [order[k // 2]] if k % 2 == 1 else []
    groups = {"Instämmer inte (" + ", ".join(low) + ")": low}
    if mid:
        groups[mid[0]] = mid
    groups["Instämmer (" + ", ".join(high) + ")"] = high
    collapsed = {g: int(counts[list(members)].sum()) for g, members in groups.items()}
    for c in counts.index:
        if c not in order:
            collapsed[c] = int(counts[c])
    return pd.Series(collapsed, dtype="int64"), list(groups)


def text_answers(ds, q) -> list[str]:
    """Non-empty free-text answers of a question, in respondent order."""
    s = _wide(ds)[_get(q, "id")]
    return [str(v).strip() for v in s.dropna().astype(str) if str(v).strip()]


# --------------------------------------------------------------------------------------------
# HTML per question
# --------------------------------------------------------------------------------------------
def _n_phrase(n: int) -> str:
    return f"{n} svar" if n != 1 else "1 svar"


def _too_few(n: int, min_cell: int) -> str:
    return render.notice(
        f"Färre än {min_cell} svarande besvarade frågan; svaren redovisas inte i den publika versionen."
        if n > 0
        else "Ingen besvarade frågan."
    )


def _plot_frame(table: pd.DataFrame, hidden: pd.Series, drop: Sequence[str] = ()) -> pd.DataFrame:
    """Numeric shares for a bar chart: hidden rows become NaN (drawn as "visas ej")."""
    t = table.loc[[i for i in table.index if i not in drop], ["andel", "ki_lag", "ki_hog"]].copy()
    t.loc[hidden.reindex(t.index, fill_value=False).to_numpy(), :] = float("nan")
    return t


def _bars_html(
    label: str, table: pd.DataFrame, hidden: pd.Series, display: pd.DataFrame, what: str, drop=()
) -> str:
    from analysis.figures import bar_with_ci

    numeric = _plot_frame(table, hidden, drop)
    if not numeric["andel"].notna().any():
        return render.join(
            render.table(display, label),
            render.notice("Alla andelar är undertryckta eftersom grupperna är för små."),
        )
    top = numeric["andel"].idxmax()
    alt = (
        f"Liggande stapeldiagram för {label}: {what} med 95 % konfidensintervall. "
        f"Störst andel: {top} ({render.percent(numeric.loc[top, 'andel'])})."
    )
    if hidden.any():
        alt += " Några värden visas inte eftersom grupperna är för små."
    fig = bar_with_ci(numeric, title=label)
    return render.figure(fig, alt, caption=f"{label} – {what}.", data=display, data_caption=label)


def _single_html(ds, q, audience: str, min_cell: int) -> str:
    label = _question_label(q)
    table, hidden = single_shares(ds, q, audience=audience, min_cell=min_cell)
    n_total = int(table["antal"].sum())
    if audience == "public" and n_total < min_cell:
        return _too_few(n_total, min_cell)
    ns = _non_substantive(q)
    lead = f"{_n_phrase(n_total)}. Andelarna räknas på dem som tog ställning" + (
        f" (utan {', '.join(ns)})." if ns else "."
    )
    return render.join(
        render.paragraph(lead),
        _bars_html(
            label, table, hidden, _format_rows(table, hidden), "andel per svarsalternativ", drop=ns
        ),
    )


def _multi_html(ds, q, audience: str, min_cell: int) -> str:
    label = _question_label(q)
    table, hidden, n = multi_shares(ds, q, audience=audience, min_cell=min_cell)
    if audience == "public" and n < min_cell:
        return _too_few(n, min_cell)
    display = _format_rows(table, hidden)
    display.index.name = "Alternativ"
    lead = f"{n} svarande markerade minst ett alternativ; flera alternativ kunde väljas. Andelarna räknas på dessa {n}."
    return render.join(
        render.paragraph(lead),
        _bars_html(label, table, hidden, display, "andel som valde alternativet"),
    )


def _likert_html(ds, q, audience: str, min_cell: int) -> str:
    from analysis.figures import likert_diverging

    label = _question_label(q)
    counts = likert_counts(ds, q)
    n = int(counts.sum())
    if audience == "public" and n < min_cell:
        return _too_few(n, min_cell)
    ns = _non_substantive(q)
    order = [c for c in _labels(q) if c not in ns]
    table, hidden = single_shares(ds, q, audience=audience, min_cell=min_cell)
    display = _format_rows(table, hidden)
    parts = [render.paragraph(f"{_n_phrase(n)}. {_base_phrase(table, ns)}")]
    plot_counts, plot_order, note = counts, order, None
    if audience == "public" and _mask(counts, min_cell, n).any():
        collapsed, groups = _collapse_likert(counts, order)
        if _mask(collapsed, min_cell, n).any():
            plot_counts = None
            note = (
                f"Diagrammet visas inte: minst en svarsgrupp är mindre än {min_cell}, även när "
                "skalan slås ihop till tre steg."
            )
        else:
            plot_counts, plot_order = collapsed, groups
            note = f"Skalan är sammanslagen till tre steg i diagrammet eftersom någon svarsgrupp är mindre än {min_cell}."
    if plot_counts is not None:
        frame = pd.DataFrame(
            [plot_counts.to_numpy()],
            index=[f"Fråga {_get(q, 'number')}"],
            columns=list(plot_counts.index),
        )
        sub = plot_counts[plot_order]
        agree = sum(int(sub[c]) for c in plot_order[(len(plot_order) + 1) // 2 :])
        disagree = sum(int(sub[c]) for c in plot_order[: len(plot_order) // 2])
        total_sub = int(sub.sum())
        summary = (
            f"{render.percent(agree / total_sub)} instämmer och {render.percent(disagree / total_sub)} instämmer inte"
            if total_sub
            else "ingen tog ställning"
        )
        alt = f"Divergerande stapeldiagram för {label}: fördelningen över svarsskalan centrerad på mitten; {summary}."
        fig = likert_diverging(frame, plot_order, title=label)
        parts.append(
            render.figure(
                fig,
                alt,
                caption=f"{label} – fördelning över skalan.",
                data=display,
                data_caption=label,
            )
        )
    else:
        parts.append(render.table(display, label))
    if note:
        parts.append(render.notice(note))
    return render.join(*parts)


def _text_html(ds, q, audience: str, min_cell: int) -> str:
    answers = text_answers(ds, q)
    n = len(answers)
    if audience == "internal":
        return render.join(
            render.paragraph(f"{_n_phrase(n)} i fritext."),
            render.quotes(
                answers,
                caption=f"Svaren på fråga {_get(q, 'number')} (intern version, ordagrant efter maskning av personuppgifter)",
            ),
        )
    shown = f"färre än {min_cell}" if 0 < n < min_cell else str(n)
    return render.paragraph(
        f"{shown} svar i fritext. Fritextsvaren visas bara i den interna versionen av rapporten."
    )


def _distribution_html(
    ds,
    column: str,
    caption: str,
    row_label: str,
    audience: str,
    min_cell: int,
    labels: Sequence[str] = (),
) -> str:
    wide = _wide(ds)
    if column not in wide.columns:
        return ""
    counts = _category_counts(wide[column], list(labels))
    counts = counts[counts > 0] if not labels else counts
    n = int(counts.sum())
    table = pd.DataFrame({"Antal": counts, "Andel": counts / n if n else float("nan")})
    table.index.name = row_label
    display = pd.DataFrame(
        {
            "Antal": [render.fmt_number(v) for v in table["Antal"]],
            "Andel": [render.percent(v) for v in table["Andel"]],
        },
        index=table.index,
    )
    if audience == "public":
        hidden = _mask(counts, min_cell, n)
        for idx in hidden.index[hidden.to_numpy()]:
            display.loc[idx, :] = SUPPRESSED
    return render.table(display, caption)


def question_html(ds, q, *, audience: str = "public", min_cell: int = 5, level: int = 3) -> str:
    """Heading plus the type-specific content for one question."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    qtype = str(_get(q, "type"))
    head = render.heading(_question_label(q), level)
    if qtype in ("single", "org_type"):
        body = _single_html(ds, q, audience, min_cell)
    elif qtype == "multi":
        body = _multi_html(ds, q, audience, min_cell)
    elif qtype == "likert":
        body = _likert_html(ds, q, audience, min_cell)
    elif qtype == "text":
        body = _text_html(ds, q, audience, min_cell)
    elif qtype == "municipality":
        qid = _get(q, "id")
        body = render.join(
            _distribution_html(
                ds, qid, f"{_question_label(q)}: svar per kommun", "Kommun", audience, min_cell
            ),
            _distribution_html(
                ds, "kommungrupp", "Svar per kommungrupp", "Kommungrupp", audience, min_cell
            ),
        )
    else:
        body = render.notice(f"Frågetypen {qtype!r} redovisas inte i översikten.")
    return render.join(head, body)


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------
def title_html(ds, *, audience: str = "public") -> str:
    """The page's H1 (the survey's title) and a short introduction."""
    audience = check_audience(audience)
    cb = _codebook(ds)
    title = str(_get(cb, "title") or _get(cb, "survey") or "Enkäten")
    version = (
        "intern version – innehåller fritextsvar, får inte publiceras"
        if audience == "internal"
        else "publik version"
    )
    parts = [
        render.heading(f"Översikt: {title}", 1),
        render.paragraph(
            f"Alla frågor i enkäten, en i taget, redovisade efter frågetyp ({version}). "
            "Andelar anges med 95 % konfidensintervall."
        ),
    ]
    if audience == "internal":
        parts.append(
            render.notice(
                "Intern version: fritextsvar visas ordagrant (efter maskning av personuppgifter) och små grupper undertrycks inte."
            )
        )
    return render.join(*parts)


def respondents_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """Number of respondents and the response rate against the sample frame (when known)."""
    check_audience(audience)
    n = len(_wide(ds))
    size = frame_size(_codebook(ds))
    if size:
        rate = n / size
        text = (
            f"{n} av {size} tillfrågade svarade på enkäten, en svarsfrekvens på {render.percent(rate)}. "
            "Intervallen för andelarna är korrigerade för att urvalsramen är ändlig."
        )
        table = pd.DataFrame(
            {
                "Antal": [
                    render.fmt_number(size),
                    render.fmt_number(n),
                    render.fmt_number(size - n),
                ],
                "Andel av urvalet": ["100 %", render.percent(rate), render.percent(1 - rate)],
            },
            index=pd.Index(["Tillfrågade (urvalsram)", "Svarande", "Svarade inte"], name="Grupp"),
        )
        return render.join(
            render.paragraph(text), render.table(table, "Svarande och svarsfrekvens")
        )
    return render.paragraph(
        f"{n} svarande. Kodboken anger ingen urvalsram, så någon svarsfrekvens kan inte beräknas."
    )


def metadata_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """The metadata questions (who answered: municipality, organisation type, sector)."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    parts = []
    for q in _questions(ds):
        if _get(q, "role") == "metadata":
            parts.append(question_html(ds, q, audience=audience, min_cell=min_cell))
    if "sektor" in _wide(ds).columns:
        parts.append(render.heading("Sektor", 3))
        parts.append(render.paragraph("Sektorn härleds ur organisationstypen."))
        parts.append(
            _distribution_html(ds, "sektor", "Svarande per sektor", "Sektor", audience, min_cell)
        )
    return render.join(*parts) if parts else render.paragraph("Enkäten har inga bakgrundsfrågor.")


def questions_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """Every non-metadata question in codebook order."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    return render.join(
        *[
            question_html(ds, q, audience=audience, min_cell=min_cell)
            for q in _questions(ds)
            if _get(q, "role") != "metadata"
        ]
    )


def method_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """How the numbers were computed (intervals, suppression, data provenance)."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    size = frame_size(_codebook(ds))
    parts = [
        render.paragraph(
            "Konfidensintervallen är Wilsonintervall (95 %), som fungerar bra även när antalet svar är litet"
            + (
                f"; de är korrigerade för ändlig population eftersom urvalsramen omfattar {size} enheter."
                if size
                else "."
            )
            + " Intervallen beskriver bara slumpmässig osäkerhet, inte snedvridning på grund av bortfall."
        ),
    ]
    if audience == "public":
        parts.append(
            render.paragraph(
                f"Antal mellan 1 och {min_cell - 1} visas inte (”–”), och inte heller de värden som annars skulle "
                "göra det möjligt att räkna fram dem (kompletterande undertryckning). Fritextsvar visas inte."
            )
        )
    manifest = _get(ds, "manifest") or {}
    if manifest.get("synthetic"):
        parts.append(
            render.notice(
                "Rapporten bygger på syntetiska demodata, inte på enkätens verkliga svar."
            )
        )
    return render.join(*parts)
