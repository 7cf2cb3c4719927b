"""Prompted themes: codes that merely echo the question's own "(tex …)" examples.

Questions 2–12 of the survey list examples in parentheses ("(tex digitalisering, starka företag,
…)"). A theme that appears in an answer to such a question may only repeat the prompt, so the
codebook flags those themes ``prompted: true`` with ``prompted_questions``, and reports show
them separately. :func:`derived_prompted` recomputes the flags by coding each question's
examples (from the survey codebook) so a test keeps ``themes.yaml`` in step with Bilaga 1.

>>> c = pd.DataFrame({"question": ["q2", "q14", "q2"], "kommun": ["A", "A", "B"],
...                   "digitalisering": [1, 1, 0]})
>>> prompted_report(c, themes=None).loc["digitalisering", ["prompted_n", "unprompted_n"]].tolist()
[1, 1]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.text.themes import ThemeCodebook


def derived_prompted(
    themes: ThemeCodebook | str | Path | None = None, survey: str = "municipality_2023"
) -> dict[str, set[str]]:
    """Theme id → the questions whose "(tex …)" examples code it (priority areas and new
    themes only; infrastructure sub-areas and implied parents are left out)."""
    from analysis.data.codebook import load_codebook
    from analysis.text.coder import code_texts, get_coder

    cb = get_coder(themes).themes
    book = load_codebook(survey)
    out: dict[str, set[str]] = {}
    for q in book.questions:
        if not q.examples:
            continue
        coded = code_texts([q.examples.replace(",", ".")], cb).iloc[0]
        for t in cb.ids:
            if coded[t] and not t.startswith("infra_"):
                out.setdefault(t, set()).add(q.id)
    return out


def prompted_report(
    codes: pd.DataFrame,
    themes: ThemeCodebook | str | Path | None = None,
    by: str = "kommun",
) -> pd.DataFrame:
    """Per theme: how many coded answers (and units) come from questions that prompted it.

    Parameters
    ----------
    codes : pandas.DataFrame
        ``question`` column and 0/1 theme columns (e.g. :func:`analysis.text.review.survey_codes`).
    themes : ThemeCodebook, path or None
        The codebook with the ``prompted`` flags.
    by : str
        Unit column (counted when present).

    Returns
    -------
    pandas.DataFrame
        Indexed by theme id (prompted themes only): ``label``, ``prompted_questions``,
        ``prompted_n`` / ``unprompted_n`` (answers) and, when ``by`` exists,
        ``prompted_units`` / ``unprompted_units``.
    """
    from analysis.text.coder import get_coder

    cb = get_coder(themes).themes
    rows = []
    for t in cb.themes:
        if not t.prompted or t.id not in codes.columns:
            continue
        hit = codes[codes[t.id].astype(int) > 0]
        inq = hit["question"].isin(t.prompted_questions)
        row = {
            "theme": t.id,
            "label": t.label,
            "prompted_questions": ", ".join(t.prompted_questions),
            "prompted_n": int(inq.sum()),
            "unprompted_n": int((~inq).sum()),
        }
        if by in codes.columns:
            row["prompted_units"] = int(hit.loc[inq, by].nunique())
            row["unprompted_units"] = int(hit.loc[~inq, by].nunique())
        rows.append(row)
    return pd.DataFrame(rows).set_index("theme") if rows else pd.DataFrame()
