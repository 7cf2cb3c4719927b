"""Theme coding of Swedish free text — façade over the modules that do the work.

Kept so existing imports (``from analysis.text.coding import code_texts``) keep working:

* :mod:`analysis.text.coder` — the vectorised, clause-aware coder (:func:`code_texts`,
  :func:`code_with_evidence`, :func:`get_coder`, :func:`themes_found`, :func:`labels_to_frame`);
* :mod:`analysis.text.naive` — the slow reference loop (:func:`code_texts_naive`);
* :mod:`analysis.text.review` — review table, verified codes, survey helpers;
* :mod:`analysis.text.agreement` — kappa, per-theme agreement, evaluation on gold corpora.
"""

from __future__ import annotations

from analysis.text.agreement import (
    agreement_by_theme,
    cohens_kappa_binary,
    evaluate,
    evaluate_corpus,
    load_gold_answers,
)
from analysis.text.coder import (
    NO_THEME,
    Coder,
    code_texts,
    code_with_evidence,
    format_evidence,
    get_coder,
    labels_to_frame,
    split_labels,
    themes_found,
)
from analysis.text.naive import code_texts_naive
from analysis.text.review import (
    REVIEW_COLUMNS,
    apply_verified,
    default_verified_path,
    read_text_csv,
    read_verified,
    suggest_codes,
    survey_codes,
    survey_text_answers,
    theme_counts,
)

__all__ = [
    "NO_THEME",
    "REVIEW_COLUMNS",
    "Coder",
    "agreement_by_theme",
    "apply_verified",
    "code_texts",
    "code_texts_naive",
    "code_with_evidence",
    "cohens_kappa_binary",
    "default_verified_path",
    "evaluate",
    "evaluate_corpus",
    "format_evidence",
    "get_coder",
    "labels_to_frame",
    "load_gold_answers",
    "read_text_csv",
    "read_verified",
    "split_labels",
    "suggest_codes",
    "survey_codes",
    "survey_text_answers",
    "theme_counts",
    "themes_found",
]
