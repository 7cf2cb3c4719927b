"""Vectorised theme coder that reads clause by clause, like a careful human coder.

:func:`code_texts` turns answers into one 0/1 column per theme; :func:`code_with_evidence` also
returns, per answer, the evidence behind every code (``"theme: word@start-end; …"``).

How an answer is read (all rules are data in the theme codebook, ``themes.yaml``):

1. **Terms** match inflected forms and compound parts (:mod:`analysis.text.normalise`), and also
   tokens typed without diacritics or with one typo in a long word (:mod:`analysis.text.fuzzy`);
   abbreviations and proper names (``ÅVS``, ``IFO``, ``E12``, ``Norrbotniabanan``) come from the
   codebook's ``abbreviations`` / ``proper_names`` lexicon.
2. **Clauses**: the answer is split at ``. ! ? ; :``, line breaks and contrastive words
   (``men``, ``dock`` …). A clause with a *dismiss* cue ("fungerar bra", "inget vi behöver
   prioritera", "god tillgång") and no *need* cue ("räcker inte", "inte tillräckligt", "brist")
   codes nothing — unless a following ``men``-clause states a need without naming a theme of its
   own ("gott om el men nätet räcker inte").
3. **Senses**: a theme's ``senses`` rules make some terms count only when the clause (or answer)
   lacks ``unless`` words or has ``requires`` words ("kompetens" as expertise, "beredskap" in
   "planberedskap", "omställning" to "nära vård").
4. **Evidence**: ``weak`` terms code a theme only with a second weak hit or in a short
   (telegraphic) answer, so a long answer that mentions "natur" in passing is not coded.
5. Question scoping and parent implication as declared in the codebook.

Speed: the texts of a chunk are joined and tokenised by one regex pass; every unique token is
matched against the vocabulary of terms **once** (cached across calls); per-position label bit
masks (int64 words) are combined with ``reduceat`` over clause and answer segments — no Python
loop over answers.

>>> from analysis.text.themes import load_themes
>>> coded = code_texts(["Järnvägarna och elnätet behöver byggas ut.",
...                     "Kulturen och fritiden fungerar bra."], load_themes())
>>> themes_found(coded).tolist()
['hallbar_omstallning;infra_energi;infra_transport;trafikinfrastruktur', '']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ConfigError
from analysis.text.engine import _CODERS, Coder
from analysis.text.themes import ThemeCodebook, load_themes
from analysis.text.vocabulary import _CHUNK_RE, _COMMA, _PUNCT, NO_THEME, READ_AS, _prep  # noqa: F401


def get_coder(themes: ThemeCodebook | str | Path | None = None) -> Coder:
    """The cached :class:`Coder` of a codebook (``None`` → the default ``themes.yaml``)."""
    if not isinstance(themes, ThemeCodebook):
        themes = load_themes(themes)
    hit = _CODERS.get(id(themes))
    if hit is None or hit[0] is not themes:
        if len(_CODERS) > 8:
            _CODERS.clear()
        hit = (themes, Coder(themes))
        _CODERS[id(themes)] = hit
    return hit[1]


def _values(texts) -> tuple[list[str], pd.Index]:
    if isinstance(texts, pd.Series):
        return [v if isinstance(v, str) else "" for v in texts.tolist()], texts.index
    values = [v if isinstance(v, str) else "" for v in texts]
    return values, pd.RangeIndex(len(values))


def code_texts(
    texts: Sequence[str] | pd.Series | Iterable[str],
    themes: ThemeCodebook | str | Path | None = None,
    questions: Sequence[str] | str | None = None,
) -> pd.DataFrame:
    """Code texts into themes: one 0/1 (int8) column per theme id, index aligned to ``texts``.

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        The answers; missing values and empty texts get no theme.
    themes : ThemeCodebook, path or None
        The codebook (``None``: the municipality survey's ``themes.yaml``).
    questions : sequence of str, str or None
        Question id per text (or one for all) for themes that declare ``questions:``.

    Returns
    -------
    pandas.DataFrame
        One int8 column per theme id (codebook order). A theme implies its ``parent``.

    >>> s = pd.Series({"a": "Bostadsbristen och bostadsbyggandet", "b": None})
    >>> code_texts(s)[["bostader", "samhallsplanering"]]
       bostader  samhallsplanering
    a         1                  1
    b         0                  0
    """
    coder = get_coder(themes)
    values, index = _values(texts)
    if isinstance(questions, pd.Series):
        questions = questions.tolist()
    return pd.DataFrame(coder.code(values, questions), index=index, columns=list(coder.ids))


def format_evidence(items: Sequence[tuple[str, str, int, int]]) -> str:
    """``"theme: word@start-end; …"`` (implied parents as ``"theme: (sub-theme)"``).

    >>> format_evidence([("digitalisering", "bredband", 0, 8), ("a", "(b)", -1, -1)])
    'digitalisering: bredband@0-8; a: (b)'
    """
    return "; ".join(f"{t}: {w}" if s < 0 else f"{t}: {w}@{s}-{e}" for t, w, s, e in items)


def code_with_evidence(
    texts: Sequence[str] | pd.Series,
    themes: ThemeCodebook | str | Path | None = None,
    questions: Sequence[str] | str | None = None,
) -> pd.DataFrame:
    """:func:`code_texts` plus an ``evidence`` column (see :func:`format_evidence`).

    >>> code_with_evidence(["Vi saknar undersköterskor."])["evidence"].iloc[0]
    'kompetensforsorjning: undersköterskor@10-25'
    """
    coder = get_coder(themes)
    values, index = _values(texts)
    if isinstance(questions, pd.Series):
        questions = questions.tolist()
    mat, evs = coder.evidence(values, questions)
    out = pd.DataFrame(mat, index=index, columns=list(coder.ids))
    out["evidence"] = [format_evidence(e) for e in evs]
    return out


def themes_found(coded: pd.DataFrame) -> pd.Series:
    """Sorted, ``;``-joined theme ids per row of a 0/1 table (``""`` if none).

    Non-numeric columns (such as ``evidence``) are ignored.

    >>> themes_found(pd.DataFrame({"b": [1, 0], "a": [1, 0]})).tolist()
    ['a;b', '']
    """
    cols = sorted(c for c in coded.columns if pd.api.types.is_numeric_dtype(coded[c]))
    arr = coded[cols].to_numpy() > 0
    names = np.array(cols, dtype=object)
    return pd.Series([";".join(names[r]) for r in arr], index=coded.index, dtype=object)


def split_labels(lab) -> list[str]:
    """Theme ids of one label cell (list, ``;``/``,``-joined string, ``-`` or empty).

    >>> split_labels("a; b"), split_labels("-"), split_labels(None)
    (['a', 'b'], [], [])
    """
    if lab is None or (isinstance(lab, float) and np.isnan(lab)):
        return []
    if isinstance(lab, str):
        s = lab.strip()
        if s in ("", NO_THEME):
            return []
        return [p.strip() for p in re.split(r"[;,]", s) if p.strip()]
    return [str(x).strip() for x in lab if str(x).strip()]


def labels_to_frame(
    labels: Iterable[Iterable[str] | str | None], theme_ids: Sequence[str], index=None
) -> pd.DataFrame:
    """Turn per-answer theme lists (or ``;``-joined strings) into a 0/1 table.

    Unknown ids raise :class:`~analysis.errors.ConfigError`.

    >>> labels_to_frame([["b"], "a;b", None], ["a", "b"]).to_numpy().tolist()
    [[0, 1], [1, 1], [0, 0]]
    """
    ids = list(theme_ids)
    pos = {t: i for i, t in enumerate(ids)}
    rows = []
    for n, lab in enumerate(labels):
        row = np.zeros(len(ids), dtype=np.int8)
        for t in split_labels(lab):
            if t not in pos:
                raise ConfigError(f"rad {n + 1}: okänt tema-id {t!r}. Tillåtna: {', '.join(ids)}.")
            row[pos[t]] = 1
        rows.append(row)
    mat = np.array(rows, dtype=np.int8).reshape(len(rows), len(ids))
    return pd.DataFrame(mat, columns=ids, index=index)
