"""Review workflow: suggested codes for a human coder, verified-code overrides, survey helpers.

* :func:`suggest_codes` — long review table (one row per answer) with suggested themes and the
  evidence behind each (``theme: word@start-end``), and an empty ``verified_themes`` column;
* :func:`read_verified` / :func:`default_verified_path` / :func:`apply_verified` — a coder's
  verified codes override the suggestions;
* :func:`survey_text_answers`, :func:`survey_codes`, :func:`theme_counts` — the processed survey's
  text answers, their final codes and "N av M kommuner" per theme;
* :func:`read_text_csv` — any CSV/xlsx of text answers as strings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ConfigError, InputValidationError, Problem
from analysis.text.coder import (
    code_with_evidence,
    get_coder,
    split_labels,
    themes_found,
)
from analysis.text.themes import ThemeCodebook

#: Fixed columns of the review table produced by :func:`suggest_codes`.
REVIEW_COLUMNS = ("id", "question", "text", "suggested_themes")


def suggest_codes(
    df: pd.DataFrame,
    text_columns: Sequence[str],
    id_column: str | None = None,
    themes: ThemeCodebook | str | Path | None = None,
    evidence: bool = True,
) -> pd.DataFrame:
    """Long review table: one row per non-empty answer with the suggested themes.

    Columns: ``id`` (value of ``id_column``, else the 1-based row number), ``question`` (the
    text column's name), ``text``, ``suggested_themes`` (sorted ``;``-joined ids), ``evidence``
    (per theme the matched words and their character spans, ``theme: word@start-end; …``,
    when ``evidence``), one 0/1 column per theme, and an
    empty ``verified_themes`` column for the coder (write ids separated by ``;``, or ``-`` for
    "no theme"; leave empty if not reviewed).

    >>> df = pd.DataFrame({"rid": ["r1", "r2"], "q4": ["Bredband i glesbygd", ""]})
    >>> out = suggest_codes(df, ["q4"], "rid")
    >>> out[["id", "question", "suggested_themes", "verified_themes"]].to_dict("records")
    [{'id': 'r1', 'question': 'q4', 'suggested_themes': 'digitalisering;infra_digital', 'verified_themes': ''}]
    """
    coder = get_coder(themes)
    missing = [c for c in [*text_columns, *([id_column] if id_column else [])] if c not in df]
    if missing:
        raise ConfigError(
            f"kolumn(er) saknas: {', '.join(missing)}. Tillgängliga: {', '.join(map(str, df.columns))}."
        )
    ids = (
        df[id_column].astype(str).to_numpy() if id_column else np.arange(1, len(df) + 1).astype(str)
    )
    parts = []
    for col in text_columns:
        vals = df[col]
        mask = vals.map(lambda v: isinstance(v, str) and v.strip() != "").to_numpy(dtype=bool)
        parts.append(
            pd.DataFrame({"id": ids[mask], "question": col, "text": vals[mask].to_numpy()})
        )
    long = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["id", "question", "text"])
    )
    coded = code_with_evidence(
        long["text"].reset_index(drop=True), coder.themes, questions=long["question"].tolist()
    )
    ev = coded.pop("evidence")
    out = long.copy()
    out["suggested_themes"] = themes_found(coded).to_numpy()
    if evidence:
        out["evidence"] = ev.to_numpy()
    out = pd.concat([out, coded.reset_index(drop=True)], axis=1)
    out["verified_themes"] = ""
    return out


def default_verified_path(survey: str = "municipality_2023") -> Path | None:
    """The verified-codes file beside the raw data (``verified_codes.csv`` or ``.xlsx``), if any."""
    from analysis.paths import raw_dir

    for name in ("verified_codes.xlsx", "verified_codes.csv"):
        p = raw_dir(survey) / name
        if p.is_file():
            return p
    return None


def read_verified(path: str | Path) -> pd.DataFrame:
    """Read a coder's verified-codes file (``.csv`` any common delimiter/encoding, or ``.xlsx``).

    Needs the columns ``id``, ``question`` and ``verified_themes``; everything is read as text.
    Returns only the reviewed rows (non-empty ``verified_themes``).
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: filen med verifierade koder finns inte.")
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        df = pd.read_excel(p, dtype=str, keep_default_na=False)
    else:
        df = read_text_csv(p)
    need = ["id", "question", "verified_themes"]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise InputValidationError(
            [
                Problem(
                    file=str(p),
                    message=f"kolumnen {c!r} saknas",
                    hint=f"Tillgängliga kolumner: {', '.join(map(str, df.columns))}.",
                    kind="missing_column",
                )
                for c in miss
            ]
        )
    df = df.copy()
    for c in need:
        # strip the apostrophe added by formula-injection neutralisation (safe_export)
        df[c] = df[c].fillna("").astype(str).str.strip().str.replace(r"^'", "", regex=True)
    return df[df["verified_themes"] != ""].reset_index(drop=True)


def read_text_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV (or ``.xlsx``) of text answers as strings (empty cells → ``""``).

    Uses :func:`analysis.data.readers.read_export` (encoding and delimiter detection, mojibake
    refusal; nothing is evaluated). Falls back to a plain UTF-8/cp1252 reader with delimiter
    guessing if that module is unavailable.
    """
    p = Path(path)
    try:
        from analysis.data.readers import read_export
    except ImportError:  # pragma: no cover - only without the data layer
        return _read_text_csv_plain(p)
    t = read_export(p)
    _refuse_unnamed_values(p, t)
    width = len(t.headers)
    rows = [[("" if v is None else str(v)) for v in (r + [None] * width)[:width]] for r in t.rows]
    df = pd.DataFrame(rows, columns=[str(h) for h in t.headers], dtype=object)
    # where the reader removed NUL or bidirectional control characters: {kind: [(spreadsheet
    # row, column index)]}
    df.attrs["cleaned"] = {k: list(v) for k, v in t.findings.items() if k in ("nul", "bidi")}
    return df


def _refuse_unnamed_values(p: Path, t) -> None:
    """A value in a column without a header is part of an answer split at an unquoted comma
    (or a stray cell): coding the rest of the row would silently lose it."""
    from analysis.data.readers import column_letters

    for j, (name, col) in enumerate(zip(t.headers, t.columns, strict=False)):
        if str(name).strip() or col.null_count == len(col):
            continue
        i = next(k for k, v in enumerate(col.to_pylist()) if v not in (None, ""))
        value = str(col[i].as_py())
        short = value if len(value) <= 40 else value[:37] + "…"
        raise ConfigError(
            f"{p.name}: rad {t.header_row + 1 + i}, kolumn {column_letters(j + 1)} (utan "
            f"rubrik): värdet {short!r} ligger utanför tabellen — raden har fler fält än "
            "rubrikraden, troligen ett kommatecken i en text utan citattecken. Sätt texten inom "
            'citattecken ("…") eller spara filen som CSV UTF-8 från Excel och kör igen.'
        )


def _read_text_csv_plain(p: Path) -> pd.DataFrame:
    import io

    raw = p.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ConfigError(f"{p}: okänd teckenkodning; spara filen som UTF-8.")
    try:
        return pd.read_csv(
            io.StringIO(text), sep=_guess_sep(text), dtype=str, keep_default_na=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError(f"{p}: kunde inte läsa CSV-filen ({exc}).") from None


def _guess_sep(text: str) -> str:
    """Delimiter of a CSV text: the candidate most frequent in the header line (outside quotes).

    >>> _guess_sep('id;svar\\nk1;"a, b; c"'), _guess_sep("a,b\\n1,2"), _guess_sep("text\\nx")
    (';', ',', ',')
    """
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    header = re.sub(r'"[^"]*"', "", header)
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def apply_verified(
    suggested: pd.DataFrame,
    verified_path: str | Path | pd.DataFrame | None = None,
    themes: ThemeCodebook | str | Path | None = None,
) -> pd.DataFrame:
    """Final codes: verified codes override suggestions per answer (matched on id + question).

    ``verified_path`` ``None`` uses :func:`default_verified_path` (no file → suggestions kept).
    The result has the theme columns (final 0/1), ``final_themes`` and ``source``
    (``"verifierad"`` or ``"förslag"``). Unknown theme ids or answers that are not in the
    suggestion table raise :class:`~analysis.errors.InputValidationError` naming the row.
    """
    coder = get_coder(themes)
    ids = [t for t in coder.ids if t in suggested.columns]
    out = suggested.copy()
    out["id"] = out["id"].astype(str)
    out["source"] = "förslag"
    if verified_path is None:
        verified_path = default_verified_path()
    if verified_path is None or isinstance(verified_path, _NoFile):
        out["final_themes"] = themes_found(out[ids])
        return out
    if isinstance(verified_path, pd.DataFrame):
        ver, fname = verified_path.copy(), "<verifierade koder>"
        ver["id"] = ver["id"].astype(str)
        ver = ver[ver["verified_themes"].fillna("").astype(str).str.strip() != ""]
    else:
        ver, fname = read_verified(verified_path), str(verified_path)
    key = pd.MultiIndex.from_frame(out[["id", "question"]])
    pos = {k: i for i, k in enumerate(key)}
    problems: list[Problem] = []
    valid = set(ids)
    for n, row in enumerate(ver.itertuples(index=False), start=2):
        k = (str(row.id), str(row.question))
        labels = split_labels(row.verified_themes)
        bad = [t for t in labels if t not in valid]
        if bad:
            problems.append(
                Problem(
                    fname,
                    "okänt tema-id",
                    f"Tillåtna: {', '.join(ids)} eller '-'.",
                    n,
                    "verified_themes",
                    ";".join(bad),
                    kind="unknown_theme",
                )
            )
            continue
        if k not in pos:
            problems.append(
                Problem(
                    fname,
                    "svaret finns inte bland förslagen",
                    "Kontrollera id och question.",
                    n,
                    "id",
                    f"{k[0]} / {k[1]}",
                    kind="unknown_answer",
                )
            )
            continue
        i = pos[k]
        vals = np.zeros(len(ids), dtype=np.int8)
        for t in labels:
            vals[ids.index(t)] = 1
        out.iloc[i, [out.columns.get_loc(c) for c in ids]] = vals
        out.iloc[i, out.columns.get_loc("source")] = "verifierad"
    if problems:
        raise InputValidationError(problems)
    out["final_themes"] = themes_found(out[ids])
    if "verified_themes" in out:
        vmap = {
            (str(r.id), str(r.question)): r.verified_themes for r in ver.itertuples(index=False)
        }
        out["verified_themes"] = [vmap.get(k, "") for k in key]
    return out


# -- processed survey helpers (for the report notebook and the review export) -------------------
def survey_text_answers(
    survey: str = "municipality_2023", processed: str | Path | None = None
) -> pd.DataFrame:
    """The processed survey's text answers, wide: ``respondent_id``, ``kommun`` (if known) and
    one column per text question (``q2`` …), in question order.

    Reads ``answers.parquet`` (and ``responses.parquet`` for the municipality, column ``q1``) of
    ``processed`` (default ``data/processed/<survey>``).
    """
    from analysis.errors import AnalysisError
    from analysis.paths import processed_dir

    folder = Path(processed) if processed else processed_dir(survey)
    answers_file = folder / "answers.parquet"
    if not answers_file.is_file():
        raise AnalysisError(
            f"{answers_file}: bearbetade svar saknas. Kör först 'analysis ingest {survey}'."
        )
    answers = pd.read_parquet(answers_file)
    need = {"respondent_id", "question_id", "question_type", "value"}
    if not need <= set(answers.columns):
        raise AnalysisError(
            f"{answers_file}: kolumner saknas: {', '.join(sorted(need - set(answers.columns)))}."
        )
    text = answers[answers["question_type"].astype(str) == "text"]
    if text.empty:
        raise AnalysisError(f"{answers_file}: inga fritextsvar att koda.")
    wide = text.pivot_table(
        index="respondent_id", columns="question_id", values="value", aggfunc="first"
    )
    wide.columns = [str(c) for c in wide.columns]
    qids = sorted(wide.columns, key=_qkey)
    wide = wide[qids].reset_index()
    wide["respondent_id"] = wide["respondent_id"].astype(str)
    resp = folder / "responses.parquet"
    if resp.is_file():
        r = pd.read_parquet(resp)
        if "q1" in r.columns and "respondent_id" in r.columns:
            names = dict(zip(r["respondent_id"].astype(str), r["q1"].astype(str), strict=True))
            wide.insert(1, "kommun", wide["respondent_id"].map(names))
    return wide


def _qkey(q: str):
    m = re.match(r"([a-z]*)(\d+)$", str(q))
    return (m.group(1), int(m.group(2))) if m else (str(q), 0)


def survey_codes(
    survey: str = "municipality_2023",
    processed: str | Path | None = None,
    themes: ThemeCodebook | str | Path | None = None,
    verified: str | Path | pd.DataFrame | None = None,
    use_verified: bool = True,
) -> pd.DataFrame:
    """Final theme codes of every text answer of a processed survey (for the report).

    One row per non-empty answer: ``id`` (respondent id), ``kommun`` (when known), ``question``,
    ``text``, ``suggested_themes``, ``evidence``, one final 0/1 column per theme,
    ``final_themes``, ``source`` (``verifierad``/``förslag``) and ``verified_themes``.
    The verified-codes file beside the raw data (``verified_codes.csv``/``.xlsx``) overrides the
    suggestions when present (``use_verified=False`` ignores it); pass ``verified`` to use
    another file. For agreement statistics compare :func:`suggest_codes` output with
    :func:`read_verified` via :func:`agreement_by_theme`.
    """
    wide = survey_text_answers(survey, processed)
    qids = [c for c in wide.columns if c not in ("respondent_id", "kommun")]
    sug = suggest_codes(wide, qids, "respondent_id", themes)
    if "kommun" in wide.columns:
        sug.insert(
            1,
            "kommun",
            sug["id"].map(dict(zip(wide["respondent_id"], wide["kommun"], strict=True))),
        )
    if not use_verified:
        out = sug.copy()
        out["source"] = "förslag"
        ids = [t for t in get_coder(themes).ids if t in out.columns]
        out["final_themes"] = themes_found(out[ids])
        return out
    if verified is None:
        verified = default_verified_path(survey)
    return (
        apply_verified(sug, verified, themes)
        if verified is not None
        else apply_verified(sug, _NoFile(), themes)
    )


class _NoFile:
    """Sentinel: no verified-codes file (keeps :func:`apply_verified` from looking one up)."""


def theme_counts(
    codes: pd.DataFrame,
    questions: Sequence[str] | str | None = None,
    by: str = "kommun",
    themes: ThemeCodebook | str | Path | None = None,
) -> pd.DataFrame:
    """How many units (municipalities by default) and answers mention each theme.

    ``codes`` is a table like :func:`survey_codes` returns (``question``, ``by`` and the 0/1
    theme columns); ``questions`` restricts to some questions (e.g. ``["q2", "q3"]``).
    Returns, indexed by theme id in codebook order: ``label``, ``n_units`` (distinct ``by``
    values with the theme), ``n_answers`` and ``units_total`` (distinct ``by`` values that
    answered any of the questions) — i.e. "``n_units`` av ``units_total`` kommuner".

    >>> c = pd.DataFrame({"kommun": ["A", "A", "B"], "question": ["q2", "q3", "q2"],
    ...                   "digitalisering": [1, 1, 0], "bostader": [0, 0, 1]})
    >>> theme_counts(c, themes=_tiny()).to_dict("index")["digitalisering"]
    {'label': 'Digitalisering', 'n_units': 1, 'n_answers': 2, 'units_total': 2}
    """
    coder = get_coder(themes)
    ids = [t for t in coder.ids if t in codes.columns]
    sel = codes
    if questions is not None:
        qs = [questions] if isinstance(questions, str) else list(questions)
        sel = codes[codes["question"].isin(qs)]
    if by not in sel.columns:
        raise ConfigError(
            f"kolumnen {by!r} saknas; tillgängliga: {', '.join(map(str, sel.columns))}."
        )
    total = int(sel[by].nunique())
    rows = []
    for t in ids:
        hit = sel[sel[t].astype(int) > 0]
        rows.append(
            {
                "theme": t,
                "label": coder.themes[t].label,
                "n_units": int(hit[by].nunique()),
                "n_answers": len(hit),
                "units_total": total,
            }
        )
    return pd.DataFrame(rows).set_index("theme")


def _tiny() -> ThemeCodebook:  # doctest helper
    from analysis.text.themes import parse_themes

    return parse_themes(
        {
            "version": "1",
            "themes": [
                {"id": "digitalisering", "label": "Digitalisering", "include": ["bredband"]},
                {"id": "bostader", "label": "Bostäder", "include": ["bostad"]},
            ],
        }
    )
