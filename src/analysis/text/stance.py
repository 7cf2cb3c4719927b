"""Stance coding of one question's answers (the codebook's ``stances`` section).

Q13 asks how Region Västerbotten's task of promoting inter-municipal cooperation works. Answers
are coded by stance, not topic: ``storre_roll`` (wants a larger regional role), ``oklar_roll``
(the role is unclear) or ``fungerar_tillrackligt`` (works well enough). The stances are checked
in codebook order and the first with a cue in the answer wins, so "Det fungerar, men regionen
borde samordna mer" is a wish for a larger role.

>>> code_stance(["Regionen borde ta ett större grepp och samordna.",
...              "Vi vet inte vad regionen gör, rollen är oklar.",
...              "Samverkan fungerar tillräckligt bra.", "-"]).tolist()
['storre_roll', 'oklar_roll', 'fungerar_tillrackligt', '']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.errors import ConfigError
from analysis.text.themes import StanceCodebook, ThemeCodebook, parse_themes


def stance_codebook(
    themes: ThemeCodebook | str | Path | None = None, question: str = "q13"
) -> StanceCodebook:
    """The stance section of the theme codebook for ``question``."""
    from analysis.text.coder import get_coder

    cb = get_coder(themes).themes
    for s in cb.stances:
        if s.question == question:
            return s
    raise ConfigError(f"temakodboken har ingen hållningskodbok för {question}.")


def _as_codebook(st: StanceCodebook) -> ThemeCodebook:
    """The stances as a tiny theme codebook, so the ordinary coder (with its clause reading and
    spelling tolerance) finds their cues."""
    return parse_themes(
        {
            "version": "stance",
            "themes": [
                {"id": lab.id, "label": lab.label, "include": [t.text for t in lab.include]}
                for lab in st.labels
            ],
        },
        file=f"<stances {st.question}>",
    )


_COMPILED: dict[int, tuple[StanceCodebook, ThemeCodebook]] = {}


def code_stance(
    texts: Sequence[str] | pd.Series,
    themes: ThemeCodebook | str | Path | None = None,
    question: str = "q13",
) -> pd.Series:
    """Stance id per answer (``""`` when no stance cue is found).

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        The answers to ``question`` (missing values → ``""``).
    themes : ThemeCodebook, path or None
        The theme codebook holding the ``stances`` section (default ``themes.yaml``).
    question : str
        Which stance codebook to use.

    Returns
    -------
    pandas.Series
        Stance ids, index aligned to ``texts``.
    """
    from analysis.text.coder import code_texts

    st = stance_codebook(themes, question)
    hit = _COMPILED.get(id(st))
    if hit is None or hit[0] is not st:
        hit = (st, _as_codebook(st))
        _COMPILED[id(st)] = hit
    coded = code_texts(texts, hit[1])
    order = [lab.id for lab in st.labels]
    out = [next((s for s in order if row[s]), st.default) for row in coded.to_dict("records")]
    return pd.Series(out, index=coded.index, dtype=object)


def stance_labels(themes: ThemeCodebook | str | Path | None = None, question: str = "q13"):
    """Stance id → Swedish label, in codebook order."""
    return {lab.id: lab.label for lab in stance_codebook(themes, question).labels}
