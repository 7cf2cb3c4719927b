"""The coded municipality survey: :func:`analyse` → :class:`Analysis` (numbers only, no HTML).

:func:`analyse` codes every free-text answer of Q2–Q15 with the theme codebook, applies a
reviewer's verified codes when present, splits the answers into sentences (for section 5.3 and
the quotes), builds the municipality × theme matrices per section and per question, derives the
actor stances of Q6–Q10 and attaches every municipality's category K1/K2/K3 from the reference
table. :mod:`analysis.surveys.municipality.sections` turns the result into report sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.surveys.municipality.actors import actor_assessments
from analysis.surveys.municipality.data import (
    SECTION_QUESTIONS,
    TEXT_QUESTIONS,
    answers_table,
    code_frame,
    responding_municipalities,
    sentences_table,
    theme_matrix,
    truncated_answers,
)

if TYPE_CHECKING:  # pragma: no cover
    from analysis.text.themes import ThemeCodebook

__all__ = ["Analysis", "analyse", "apply_verification", "commuting_categories"]


@dataclass
class Analysis:
    """The coded survey: every table the report sections draw on.

    Attributes
    ----------
    municipalities : list of str
        The responding municipalities (canonical names).
    total : int
        Their number — the denominator of every "N av 15 kommuner".
    labels : dict
        Theme id → Swedish label.
    priority_ids : list of str
        The nine priority areas of section 5.7.
    answers, coded, sentences : pandas.DataFrame
        One row per answer (``coded`` adds a 0/1 column per theme) and per sentence (coded).
    matrix_all, section_matrices, question_matrices
        Municipality × theme (0/1) over every answer, per report section ("5.1") and per
        question ("q2").
    groups : pandas.Series
        Municipality → ``K1`` / ``K2`` / ``K3``.
    stances, improvements : pandas.DataFrame
        Actor stances and improvement areas (long tables, see
        :func:`analysis.surveys.municipality.actors.actor_assessments`).
    verified : bool
        Whether verified codes replaced the suggestions.
    agreement : pandas.DataFrame or None
        Agreement per theme between suggested and verified codes.
    coders : pandas.DataFrame or None
        With two or more human coders (a ``coder`` column in the verified codes): per theme
        Krippendorff's α between them and Cohen's κ between the machine and each coder
        (:func:`analysis.text.agreement.coders_agreement`); the verified codes are then their
        consensus (:func:`analysis.text.agreement.consensus_codes`).
    truncated : int
        Answers longer than the analysed maximum (cut, see :mod:`~analysis.surveys.municipality.data`).
    """

    municipalities: list[str]
    total: int
    labels: dict[str, str]
    priority_ids: list[str]
    answers: pd.DataFrame
    coded: pd.DataFrame
    sentences: pd.DataFrame
    matrix_all: pd.DataFrame
    section_matrices: dict[str, pd.DataFrame]
    question_matrices: dict[str, pd.DataFrame]
    groups: pd.Series
    stances: pd.DataFrame
    improvements: pd.DataFrame
    verified: bool = False
    agreement: pd.DataFrame | None = None
    truncated: int = 0
    coders: pd.DataFrame | None = None

    def matrix(self, key: str) -> pd.DataFrame:
        """The municipality × theme matrix of a section (``"5.1"``) or a question (``"q2"``)."""
        m = self.section_matrices.get(key)
        return m if m is not None else self.question_matrices[key]


def commuting_categories(municipalities: list[str]) -> pd.Series:
    """Municipality → K1/K2/K3 from ``data/raw/reference/municipalities.csv``.

    >>> commuting_categories(["Umeå", "Vännäs", "Sorsele"]).tolist()
    ['K1', 'K2', 'K3']
    """
    from analysis.data.reference import load_municipalities

    ref = load_municipalities().set_index("kommun")["pendlingskategori"]
    return pd.Series(
        [ref.get(m, "") for m in municipalities],
        index=pd.Index(municipalities, name="kommun"),
        name="pendlingskategori",
        dtype=object,
    )


def analyse(
    wide: pd.DataFrame,
    themes: ThemeCodebook,
    *,
    verified_path: str | Path | None = None,
) -> Analysis:
    """Code and count the whole survey from the wide table of :func:`analysis.data.dataset.load`.

    Parameters
    ----------
    wide : pandas.DataFrame
        One row per respondent, ``q1`` the municipality, ``q2`` … ``q15`` free text.
    themes : ThemeCodebook
        The theme codebook (:func:`analysis.text.themes.load_themes`).
    verified_path : str or Path, optional
        A reviewer's verified codes; ignored when the file does not exist.

    Returns
    -------
    Analysis
    """
    municipalities = responding_municipalities(wide)
    answers = answers_table(wide)
    coded = code_frame(answers.drop(columns="chars"), themes)
    verified = False
    agreement = coders = None
    if verified_path is not None and Path(verified_path).is_file():
        coded, agreement, coders = apply_verification(coded, themes, verified_path)
        verified = True
    sentences = code_frame(sentences_table(answers), themes)
    ids = themes.ids
    stances, improvements = actor_assessments(wide, themes)
    return Analysis(
        municipalities=municipalities,
        total=len(municipalities),
        labels=dict(themes.labels),
        priority_ids=[t.id for t in themes.themes if t.priority_area],
        answers=answers,
        coded=coded,
        sentences=sentences,
        matrix_all=theme_matrix(coded, ids, municipalities),
        section_matrices={
            k: theme_matrix(coded, ids, municipalities, qs) for k, qs in SECTION_QUESTIONS.items()
        },
        question_matrices={
            q: theme_matrix(coded, ids, municipalities, [q]) for q in TEXT_QUESTIONS
        },
        groups=commuting_categories(municipalities),
        stances=stances,
        improvements=improvements,
        verified=verified,
        agreement=agreement,
        truncated=truncated_answers(answers),
        coders=coders,
    )


def apply_verification(
    coded: pd.DataFrame, themes: ThemeCodebook, verified_path: str | Path
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Override suggested codes with a verified-codes file; return (codes, agreement per theme,
    agreement between coders or ``None``).

    Answers are matched on ``id`` (respondent id) and ``question`` (``q2`` …). The agreement
    table is :func:`analysis.text.coding.agreement_by_theme` on the reviewed answers. When the
    file names two or more coders (column ``coder``), the verified codes are their consensus and
    the third table compares them (:func:`analysis.text.agreement.coders_agreement`). *coded* is
    not modified.
    """
    from analysis.text.coding import NO_THEME, agreement_by_theme, apply_verified, read_verified

    ids = [t for t in themes.ids if t in coded.columns]
    suggested = coded.rename(columns={"respondent_id": "id", "question_id": "question"})
    verified = read_verified(verified_path)
    keys = set(zip(suggested["id"].astype(str), suggested["question"].astype(str), strict=True))
    known = pd.Series(
        [
            (str(i), str(q)) in keys
            for i, q in zip(verified["id"], verified["question"], strict=True)
        ],
        index=verified.index,
        dtype=bool,
    )
    # answers without content ("-") are not coded here; a reviewer's "-" for them is fine
    verified = verified[known | (verified["verified_themes"].str.strip() != NO_THEME)]
    coders = None
    if "coder" in verified.columns and verified["coder"].astype(str).str.strip().nunique() >= 2:
        from analysis.text.agreement import coders_agreement, consensus_codes

        mine = verified[known.reindex(verified.index)]
        coders = coders_agreement(suggested, mine, ids)
        known_ids = set(zip(mine["id"].astype(str), mine["question"].astype(str), strict=True))
        verified = consensus_codes(suggested, verified, ids)
        known = pd.Series(
            [
                (str(i), str(q)) in known_ids
                for i, q in zip(verified["id"], verified["question"], strict=True)
            ],
            index=verified.index,
            dtype=bool,
        )
    final = apply_verified(suggested, verified, themes)
    agreement = agreement_by_theme(suggested, verified[known.reindex(verified.index)], themes)
    out = coded.copy()
    out[ids] = final[ids].astype("int64").to_numpy()
    out["source"] = final["source"].to_numpy()
    return out, agreement, coders
