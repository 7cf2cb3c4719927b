"""Vectorised theme coding of Swedish free text, review tables, verified overrides, agreement.

Public API (used by the municipality report notebook and ``analysis code``):

* :func:`code_texts` — texts → 0/1 table (one column per theme id); :func:`themes_found`
  → ``;``-joined ids per row; :func:`get_coder` ``.explain(text)`` → the words behind each theme.
* :func:`survey_codes` — every text answer of a processed survey with its final codes
  (verified codes override suggestions); :func:`survey_text_answers` — the wide text table;
  :func:`theme_counts` — "N av M kommuner" per theme.
* :func:`suggest_codes` (review table), :func:`read_verified`, :func:`apply_verified`,
  :func:`agreement_by_theme` (percentage agreement + Cohen's kappa per theme).
* :func:`evaluate` / :func:`evaluate_corpus` / :func:`load_gold_answers` — precision, recall, F1.

Design of :func:`code_texts` (fast: several hundred thousand answers per second):

1. the texts of a chunk are joined with a separator, normalised once and tokenised with one regex
   pass; tokens are factorised into ids of a vocabulary shared across chunks and calls;
2. theme membership is decided **once per unique token** with the Swedish matching rules of
   :mod:`analysis.text.normalise` (inflection, compound parts, prefixes, exclusions);
3. answers are mapped to themes by a sparse (answers × tokens) @ (tokens × themes) product;
   multi-word terms are found by a vectorised comparison of consecutive token positions, and
   multi-word exclusions mask the positions they cover.

>>> from analysis.text.themes import load_themes
>>> cb = load_themes()
>>> coded = code_texts(["Järnvägarna och elnätet behöver byggas ut.",
...                     "Bra kommunikation med kommunen."], cb)
>>> themes_found(coded).tolist()
['hallbar_omstallning;infra_energi;infra_transport;trafikinfrastruktur', '']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ConfigError, InputValidationError, Problem
from analysis.text.normalise import (
    IRREGULAR,
    TOKEN_RE,
    Term,
    _accept,
    tokenize,
    word_forms,
    word_matches,
)
from analysis.text.themes import ThemeCodebook, load_themes

_SEP = "\x01"
_SEP_ID = -2
_CHUNK_RE = re.compile(TOKEN_RE.pattern + "|" + _SEP)
_CHUNK = 50_000

#: Fixed columns of the review table produced by :func:`suggest_codes`.
REVIEW_COLUMNS = ("id", "question", "text", "suggested_themes")
#: Value a coder writes in ``verified_themes`` to say "reviewed: no theme applies".
NO_THEME = "-"


def _prep(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if "\u00ad" in text or "\u200b" in text:
        text = text.replace("\u00ad", "").replace("\u200b", "")
    return text.lower()


@dataclass
class _Slot:
    """Per-vocabulary boolean membership of one pattern (word, mode)."""

    word: str
    mode: str
    hits: list[bool] = field(default_factory=list)


class Coder:
    """A compiled theme codebook with a growing vocabulary cache.

    Use :func:`code_texts`; a :class:`Coder` is cached per codebook object.
    """

    def __init__(self, themes: ThemeCodebook):
        self.themes = themes
        self.ids = themes.ids
        self._slots: dict[tuple[str, str], int] = {}
        self._slot_list: list[_Slot] = []
        # single-word terms: slot -> [(theme_idx, is_exclude)]
        self._single: list[tuple[int, int, bool]] = []
        # phrases: (theme_idx, is_exclude, [slot ids])
        self._phrases: list[tuple[int, bool, list[int]]] = []
        for k, theme in enumerate(themes.themes):
            for is_exc, terms in ((False, theme.include), (True, theme.exclude)):
                for term in terms:
                    slots = [self._slot(w, term.slot_mode(i)) for i, w in enumerate(term.words)]
                    if term.is_phrase:
                        self._phrases.append((k, is_exc, slots))
                    else:
                        self._single.append((slots[0], k, is_exc))
        self.vocab: dict[str, int] = {_SEP: _SEP_ID}
        self.tokens: list[str] = []
        n_t = len(self.ids)
        self._inc = np.zeros((0, n_t), dtype=bool)
        self._exc = np.zeros((0, n_t), dtype=bool)
        self._slot_hits = np.zeros((0, len(self._slot_list)), dtype=bool)
        self._M = None  # sparse token -> theme (include and not exclude)
        self._B = None  # token -> theme bit mask
        self._SH = None  # sparse slot membership
        self._sh_rows: list[np.ndarray] = []
        self._sh_cols: list[np.ndarray] = []
        pos = {t: k for k, t in enumerate(self.ids)}
        self._implies = [
            (k, [pos[a] for a in themes.ancestors(t.id) if a in pos])
            for k, t in enumerate(themes.themes)
            if t.parent is not None
        ]
        self._scoped = [(k, t.questions) for k, t in enumerate(themes.themes) if t.questions]

    def _slot(self, word: str, mode: str) -> int:
        key = (word, mode)
        if key not in self._slots:
            self._slots[key] = len(self._slot_list)
            self._slot_list.append(_Slot(word, mode))
        return self._slots[key]

    # -- vocabulary -------------------------------------------------------------------------
    def _add_tokens(self, new: list[str]) -> None:
        """Decide slot membership for new unique tokens (one pass per pattern)."""
        if not new:
            return
        base = len(self.tokens)
        for t in new:
            self.vocab[t] = len(self.tokens)
            self.tokens.append(t)
        big = "\n" + "\n".join(new) + "\n"
        starts = np.cumsum([0] + [len(t) + 1 for t in new[:-1]]) + 1
        hits = np.zeros((len(new), len(self._slot_list)), dtype=bool)
        irregular = {i: IRREGULAR[t] for i, t in enumerate(new) if t in IRREGULAR}
        for s_id, slot in enumerate(self._slot_list):
            for form in word_forms(slot.word):
                pos = big.find(form)
                while pos != -1:
                    i = int(np.searchsorted(starts, pos, side="right")) - 1
                    tok = new[i]
                    if not hits[i, s_id] and _accept(
                        tok, form, pos - starts[i], slot.mode, form != slot.word
                    ):
                        hits[i, s_id] = True
                    pos = big.find(form, pos + 1)
            for i, b in irregular.items():
                if b == slot.word:
                    hits[i, s_id] = True
        n_t = len(self.ids)
        inc = np.zeros((len(new), n_t), dtype=bool)
        exc = np.zeros((len(new), n_t), dtype=bool)
        for s_id, k, is_exc in self._single:
            (exc if is_exc else inc)[:, k] |= hits[:, s_id]
        self._inc = np.vstack([self._inc, inc])
        self._exc = np.vstack([self._exc, exc])
        self._slot_hits = np.vstack([self._slot_hits, hits])
        r, c = np.nonzero(hits)
        self._sh_rows.append(r + base)
        self._sh_cols.append(c)
        self._SH = None
        self._B = None
        assert self._inc.shape[0] == base + len(new)
        self._M = None

    def _matrix(self):
        from scipy import sparse

        if self._M is None:
            self._M = sparse.csr_matrix((self._inc & ~self._exc).astype(np.int32))
        return self._M

    # -- coding -----------------------------------------------------------------------------
    def code(self, texts: Sequence[str], questions=None) -> np.ndarray:
        """0/1 matrix (len(texts) × themes) for a list of texts (``None`` → no theme).

        ``questions`` (question id per text, or one id for all) enables the themes' question
        scoping; ``None`` codes every theme everywhere.
        """
        out = np.zeros((len(texts), len(self.ids)), dtype=np.int8)
        for lo in range(0, len(texts), _CHUNK):
            out[lo : lo + _CHUNK] = self._code_chunk(texts[lo : lo + _CHUNK])
        return self.finish(out, questions)

    def finish(self, mat: np.ndarray, questions=None) -> np.ndarray:
        """Apply question scoping and parent implication to a raw 0/1 matrix (in place)."""
        if questions is not None and self._scoped:
            q = np.asarray(
                [questions] * len(mat) if isinstance(questions, str) else list(questions),
                dtype=object,
            )
            for k, allowed in self._scoped:
                mat[~np.isin(q, list(allowed)), k] = 0
        for k, anc in self._implies:
            for a in anc:
                mat[:, a] |= mat[:, k]
        return mat

    def _code_chunk(self, texts: Sequence[str]) -> np.ndarray:
        from scipy import sparse

        n = len(texts)
        joined = _prep(f" {_SEP} ".join(t if isinstance(t, str) else "" for t in texts))
        toks = _CHUNK_RE.findall(joined)
        if not toks:
            return np.zeros((n, len(self.ids)), dtype=np.int8)
        # known tokens map straight to their id (C-level dict lookups); the separator is -2
        codes = np.fromiter(map(self.vocab.get, toks, repeat(-1)), dtype=np.int64, count=len(toks))
        miss = np.flatnonzero(codes == -1)
        if len(miss) > len(toks) // 20:  # many unseen tokens (first chunk): factorise
            local, uniques = pd.factorize(np.array(toks, dtype=object), sort=False)
            self._add_tokens([u for u in uniques if u not in self.vocab])
            codes = np.array([self.vocab[u] for u in uniques], dtype=np.int64)[local]
        elif len(miss):
            self._add_tokens(list(dict.fromkeys(toks[i] for i in miss)))
            codes[miss] = [self.vocab[toks[i]] for i in miss]
        del toks
        is_sep = codes == _SEP_ID
        doc = np.cumsum(is_sep)
        if len(self.ids) <= 62:
            return self._code_bits(codes, doc, is_sep, n)
        keep = codes >= 0
        X = sparse.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.int32), (doc[keep], codes[keep])),
            shape=(n, len(self.tokens)),
        )
        counts = np.asarray((X @ self._matrix()).todense())
        if self._phrases:
            includes, masked = self._phrase_hits(codes)
            for k, starts in includes:
                np.add.at(counts[:, k], doc[starts], 1)
            single = self._inc & ~self._exc
            for k, pos in masked.items():
                pos = pos[single[codes[pos], k]]
                np.subtract.at(counts[:, k], doc[pos], 1)
        return (counts > 0).astype(np.int8)

    def _bits(self) -> np.ndarray:
        """Per vocabulary token: its themes as a bit mask (bit k = theme k)."""
        if self._B is None:
            eff = (self._inc & ~self._exc).astype(np.int64)
            self._B = eff @ (np.int64(1) << np.arange(eff.shape[1], dtype=np.int64))
        return self._B

    def _code_bits(
        self, codes: np.ndarray, doc: np.ndarray, is_sep: np.ndarray, n: int
    ) -> np.ndarray:
        """Fast path (≤ 62 themes): OR the token bit masks over each answer's token segment."""
        valid = codes >= 0
        tok = np.where(valid, self._bits()[np.where(valid, codes, 0)], 0)
        extra = np.zeros(n, dtype=np.int64)
        if self._phrases:
            includes, masked = self._phrase_hits(codes)
            for k, pos in masked.items():
                tok[pos] &= ~(np.int64(1) << k)
            for k, starts in includes:
                np.bitwise_or.at(extra, doc[starts], np.int64(1) << k)
        # answers are contiguous runs of positions; every answer after the first starts at its
        # separator (mask 0), so no segment is empty except possibly the first (then 0 as well)
        seg = np.concatenate([[0], np.flatnonzero(is_sep)])
        bits = np.bitwise_or.reduceat(tok, seg) | extra
        shifts = np.arange(len(self.ids), dtype=np.int64)
        return ((bits[:, None] >> shifts[None, :]) & 1).astype(np.int8)

    def _phrase_starts(
        self, codes: np.ndarray, slots: list[int], cand: np.ndarray | None = None
    ) -> np.ndarray:
        """Start positions of a phrase; ``cand`` = positions worth checking (default: all)."""
        m = len(slots)
        if cand is None:
            cand = np.arange(len(codes))
        cand = cand[cand <= len(codes) - m]
        for j, s in enumerate(slots):
            if not len(cand):
                break
            c = codes[cand + j]
            ok = c >= 0
            ok[ok] = self._slot_hits[c[ok], s]
            cand = cand[ok]
        return cand

    def _slot_sparse(self):
        """Sparse (tokens × slots) copy of the slot membership, built from stored nonzeros."""
        from scipy import sparse

        if self._SH is None:
            rows = np.concatenate(self._sh_rows) if self._sh_rows else np.zeros(0, np.int64)
            cols = np.concatenate(self._sh_cols) if self._sh_cols else np.zeros(0, np.int64)
            self._SH = sparse.csc_matrix(
                (np.ones(len(rows), dtype=np.float32), (rows, cols)),
                shape=self._slot_hits.shape,
            )
        return self._SH

    def _phrase_hits(self, codes: np.ndarray) -> tuple[list, dict[int, np.ndarray]]:
        """Phrase occurrences in a chunk: ``[(theme, start positions)]`` of include phrases and
        ``{theme: positions}`` covered by exclude phrases.

        Each phrase is anchored on its rarest word in this chunk, so only the few positions
        holding an anchor word are checked.
        """
        valid = codes >= 0
        safe = np.where(valid, codes, 0)
        sh = self._slot_sparse()
        freq = np.bincount(codes[valid], minlength=sh.shape[0]).astype(np.float32)
        slot_freq = np.asarray(sh.T @ freq).ravel()
        anchors = [int(np.argmin(slot_freq[slots])) for _, _, slots in self._phrases]
        anchor_slots = sorted(
            {slots[j] for (_, _, slots), j in zip(self._phrases, anchors, strict=True)}
        )
        anchor_any = np.asarray(sh[:, anchor_slots].sum(axis=1)).ravel() > 0
        cand = np.flatnonzero(anchor_any[safe] & valid)
        cand_codes = codes[cand]
        by_slot = {s_id: cand[self._slot_hits[cand_codes, s_id]] for s_id in anchor_slots}
        n = len(codes)
        includes: list[tuple[int, np.ndarray]] = []
        masked: dict[int, list[np.ndarray]] = {}
        for (k, is_exc, slots), j in zip(self._phrases, anchors, strict=True):
            m = len(slots)
            starts = by_slot[slots[j]] - j
            starts = starts[(starts >= 0) & (starts <= n - m)]
            for i, s_id in enumerate(slots):
                if i == j or not len(starts):
                    continue
                c = codes[starts + i]
                ok = c >= 0
                ok[ok] = self._slot_hits[c[ok], s_id]
                starts = starts[ok]
            if not len(starts):
                continue
            if is_exc:
                masked.setdefault(k, []).append((starts[:, None] + np.arange(m)[None, :]).ravel())
            else:
                includes.append((k, starts))
        return includes, {k: np.unique(np.concatenate(v)) for k, v in masked.items()}

    def explain(self, text: str) -> dict[str, list[str]]:
        """Theme id → the words of ``text`` that made it match (single-word terms and phrases).

        Themes present only because a sub-theme implies them list ``"(<sub-theme id>)"``.
        """
        toks = tokenize(text)
        self._add_tokens(list(dict.fromkeys(t for t in toks if t not in self.vocab)))
        codes = np.array([self.vocab[t] for t in toks], dtype=np.int64)
        out: dict[str, list[str]] = {}
        raw = self._code_chunk([text])[0]
        for k, tid in enumerate(self.ids):
            if not raw[k]:
                continue
            masked: set[int] = set()
            for kk, is_exc, slots in self._phrases:
                if kk == k and is_exc:
                    for st in self._phrase_starts(codes, slots):
                        masked.update(range(st, st + len(slots)))
            words = [
                t
                for i, (t, c) in enumerate(zip(toks, codes, strict=True))
                if self._inc[c, k] and not self._exc[c, k] and i not in masked
            ]
            for kk, is_exc, slots in self._phrases:
                if kk == k and not is_exc:
                    for st in self._phrase_starts(codes, slots):
                        words.append(" ".join(toks[st : st + len(slots)]))
            out[tid] = list(dict.fromkeys(words))
        for k, anc in self._implies:
            if raw[k]:
                for a in anc:
                    out.setdefault(self.ids[a], []).append(f"({self.ids[k]})")
        return out


_CODERS: dict[int, tuple[ThemeCodebook, Coder]] = {}


def get_coder(themes: ThemeCodebook | str | Path | None = None) -> Coder:
    """The cached :class:`Coder` of a codebook (``None`` → the default ``themes.yaml``)."""
    if not isinstance(themes, ThemeCodebook):
        themes = _load_cached(str(themes) if themes is not None else None)
    hit = _CODERS.get(id(themes))
    if hit is None or hit[0] is not themes:
        if len(_CODERS) > 8:
            _CODERS.clear()
        hit = (themes, Coder(themes))
        _CODERS[id(themes)] = hit
    return hit[1]


_LOADED: dict[str | None, ThemeCodebook] = {}


def _load_cached(path: str | None) -> ThemeCodebook:
    if path not in _LOADED:
        _LOADED[path] = load_themes(path)
    return _LOADED[path]


def code_texts(
    texts: Sequence[str] | pd.Series | Iterable[str],
    themes: ThemeCodebook | str | Path | None = None,
    questions: Sequence[str] | str | None = None,
) -> pd.DataFrame:
    """Code texts into themes: one 0/1 (int8) column per theme id, index aligned to ``texts``.

    Missing values and empty texts get no theme. ``themes`` is a :class:`ThemeCodebook`, a path
    to a theme YAML or ``None`` for the municipality survey's codebook. A theme implies its
    ``parent`` (e.g. ``infra_energi`` → ``hallbar_omstallning``). ``questions`` (the question id
    of each text, or one id for all) restricts themes that declare ``questions:`` in the
    codebook (the infrastructure sub-areas belong to q4); without it every theme is coded.

    >>> s = pd.Series({"a": "Bostadsbristen och bostadsbyggandet", "b": None})
    >>> # bostader implies its parent samhallsplanering
    >>> code_texts(s)[["bostader", "samhallsplanering"]]
       bostader  samhallsplanering
    a         1                  1
    b         0                  0
    """
    coder = get_coder(themes)
    if isinstance(texts, pd.Series):
        index = texts.index
        values = [v if isinstance(v, str) else "" for v in texts.tolist()]
    else:
        values = [v if isinstance(v, str) else "" for v in texts]
        index = pd.RangeIndex(len(values))
    if isinstance(questions, pd.Series):
        questions = questions.tolist()
    mat = coder.code(values, questions)
    return pd.DataFrame(mat, index=index, columns=list(coder.ids))


def code_texts_naive(
    texts: Sequence[str] | pd.Series,
    themes: ThemeCodebook | str | Path | None = None,
    questions: Sequence[str] | str | None = None,
) -> pd.DataFrame:
    """Reference implementation: a plain loop over answers × themes × terms (slow).

    Same semantics as :func:`code_texts`; used by the benchmark and to cross-check it.
    """
    cb = (
        themes
        if isinstance(themes, ThemeCodebook)
        else _load_cached(str(themes) if themes is not None else None)
    )
    index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
    texts = list(texts)
    if questions is None or isinstance(questions, str):
        questions = [questions] * len(texts)
    rows = []
    for text, q in zip(texts, list(questions), strict=True):
        toks = tokenize(text if isinstance(text, str) else "")
        row = {}
        for theme in cb.themes:
            in_scope = q is None or not theme.questions or q in theme.questions
            row[theme.id] = in_scope and _naive_theme(toks, theme.include, theme.exclude)
        for theme in cb.themes:
            if row[theme.id]:
                for a in cb.ancestors(theme.id):
                    if a in row:
                        row[a] = True
        rows.append([int(row[t]) for t in cb.ids])
    return pd.DataFrame(
        np.array(rows, dtype=np.int8).reshape(len(rows), len(cb)), index=index, columns=cb.ids
    )


def _phrase_hits(toks: list[str], term: Term) -> list[int]:
    m = len(term.words)
    return [
        i
        for i in range(len(toks) - m + 1)
        if all(word_matches(toks[i + j], w, term.slot_mode(j)) for j, w in enumerate(term.words))
    ]


def _naive_theme(toks: list[str], include: tuple[Term, ...], exclude: tuple[Term, ...]) -> bool:
    masked: set[int] = set()
    for term in exclude:
        if term.is_phrase:
            for i in _phrase_hits(toks, term):
                masked.update(range(i, i + len(term.words)))
    for i, tok in enumerate(toks):
        if i in masked:
            continue
        if any(t.matches_token(tok) for t in include) and not any(
            t.matches_token(tok) for t in exclude
        ):
            return True
    return any(_phrase_hits(toks, t) for t in include if t.is_phrase)


def themes_found(coded: pd.DataFrame) -> pd.Series:
    """Sorted, ``;``-joined theme ids per row of a 0/1 table (``""`` if none).

    >>> themes_found(pd.DataFrame({"b": [1, 0], "a": [1, 0]})).tolist()
    ['a;b', '']
    """
    cols = sorted(coded.columns)
    arr = coded[cols].to_numpy() > 0
    names = np.array(cols, dtype=object)
    return pd.Series([";".join(names[r]) for r in arr], index=coded.index, dtype=object)


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
        for t in _split_labels(lab):
            if t not in pos:
                raise ConfigError(f"rad {n + 1}: okänt tema-id {t!r}. Tillåtna: {', '.join(ids)}.")
            row[pos[t]] = 1
        rows.append(row)
    mat = np.array(rows, dtype=np.int8).reshape(len(rows), len(ids))
    return pd.DataFrame(mat, columns=ids, index=index)


def _split_labels(lab) -> list[str]:
    if lab is None or (isinstance(lab, float) and np.isnan(lab)):
        return []
    if isinstance(lab, str):
        s = lab.strip()
        if s in ("", NO_THEME):
            return []
        return [p.strip() for p in re.split(r"[;,]", s) if p.strip()]
    return [str(x).strip() for x in lab if str(x).strip()]


# -- review table + verified codes ---------------------------------------------------------------
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
    (the words that triggered each theme, when ``evidence``), one 0/1 column per theme, and an
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
    coded = code_texts(
        long["text"].reset_index(drop=True), coder.themes, questions=long["question"].tolist()
    )
    out = long.copy()
    out["suggested_themes"] = themes_found(coded).to_numpy()
    if evidence:
        out["evidence"] = [
            "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(coder.explain(t).items()))
            for t in out["text"]
        ]
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
    width = len(t.headers)
    rows = [[("" if v is None else str(v)) for v in (r + [None] * width)[:width]] for r in t.rows]
    return pd.DataFrame(rows, columns=[str(h) for h in t.headers], dtype=object)


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
        labels = _split_labels(row.verified_themes)
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


# -- agreement and evaluation --------------------------------------------------------------------
def cohens_kappa_binary(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two 0/1 raters; ``nan`` when chance agreement is 1 (both constant).

    >>> round(cohens_kappa_binary([1, 1, 0, 0, 1], [1, 0, 0, 0, 1]), 4)
    0.6154
    """
    x = np.asarray(a, dtype=bool)
    y = np.asarray(b, dtype=bool)
    n = len(x)
    if n == 0:
        return float("nan")
    po = float(np.mean(x == y))
    px, py = x.mean(), y.mean()
    pe = float(px * py + (1 - px) * (1 - py))
    if pe >= 1.0:
        return float("nan")
    return (po - pe) / (1 - pe)


def agreement_by_theme(
    suggested: pd.DataFrame,
    verified: pd.DataFrame,
    themes: ThemeCodebook | str | Path | None = None,
) -> pd.DataFrame:
    """Per theme: agreement between suggested and verified presence on the reviewed answers.

    Both tables carry ``id``, ``question`` and one 0/1 column per theme, or ``verified`` may be a
    verified-codes table with a ``verified_themes`` column (as read by :func:`read_verified`).
    Only answers present in both are compared. Returns, indexed by theme id: ``label``, ``n``,
    ``suggested_n``, ``verified_n``, ``both_n``, ``agreement_pct`` (percent) and ``kappa``
    (Cohen's kappa; ``nan`` when both coders never / always chose the theme).

    >>> s = pd.DataFrame({"id": ["1", "2", "3", "4"], "question": "q2", "a": [1, 1, 0, 0]})
    >>> v = pd.DataFrame({"id": ["1", "2", "3", "4"], "question": "q2", "verified_themes": ["a", "-", "-", "a"]})
    >>> from analysis.text.themes import parse_themes
    >>> cb = parse_themes({"version": 1, "themes": [{"id": "a", "label": "A", "include": ["x"]}]})
    >>> agreement_by_theme(s, v, cb)[["n", "agreement_pct", "kappa"]].to_dict("records")
    [{'n': 4, 'agreement_pct': 50.0, 'kappa': 0.0}]
    """
    coder = get_coder(themes)
    ids = [t for t in coder.ids if t in suggested.columns]
    s = suggested[["id", "question", *ids]].copy()
    s["id"] = s["id"].astype(str)
    if "verified_themes" in verified.columns and not set(ids) <= set(verified.columns):
        v = verified[["id", "question"]].copy()
        v = pd.concat(
            [v.reset_index(drop=True), labels_to_frame(verified["verified_themes"].tolist(), ids)],
            axis=1,
        )
    else:
        v = verified[["id", "question", *ids]].copy()
    v["id"] = v["id"].astype(str)
    m = s.merge(v, on=["id", "question"], suffixes=("_s", "_v"), how="inner")
    rows = []
    for t in ids:
        a = m[f"{t}_s"].to_numpy(dtype=int)
        b = m[f"{t}_v"].to_numpy(dtype=int)
        rows.append(
            {
                "theme": t,
                "label": coder.themes[t].label,
                "n": len(m),
                "suggested_n": int(a.sum()),
                "verified_n": int(b.sum()),
                "both_n": int((a & b).sum()),
                "agreement_pct": float(100.0 * np.mean(a == b)) if len(m) else float("nan"),
                "kappa": cohens_kappa_binary(a, b),
            }
        )
    return pd.DataFrame(rows).set_index("theme")


def evaluate(
    coded: pd.DataFrame,
    gold: pd.DataFrame | Sequence[Iterable[str] | str],
    themes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Precision, recall and F1 per theme plus ``micro`` and ``macro`` rows.

    ``coded`` and ``gold`` are 0/1 tables with theme columns and the same row order (``gold``
    may also be a list of per-answer theme lists). ``themes`` restricts the evaluated themes
    (default: the columns of ``coded``). The macro average is over themes with gold support > 0.

    >>> c = pd.DataFrame({"a": [1, 1, 0], "b": [0, 1, 0]})
    >>> res = evaluate(c, [["a"], ["b"], ["a"]])
    >>> res.loc[["a", "b", "micro", "macro"], "f1"].round(3).tolist()
    [0.5, 1.0, 0.667, 0.75]
    """
    ids = list(themes) if themes is not None else list(coded.columns)
    if not isinstance(gold, pd.DataFrame):
        gold = labels_to_frame(list(gold), ids)
    if len(gold) != len(coded):
        raise ValueError(f"coded has {len(coded)} rows but gold has {len(gold)}")
    rows = []
    for t in ids:
        p = coded[t].to_numpy(dtype=bool) if t in coded else np.zeros(len(coded), bool)
        g = gold[t].to_numpy(dtype=bool) if t in gold else np.zeros(len(gold), bool)
        tp, fp, fn = int((p & g).sum()), int((p & ~g).sum()), int((~p & g).sum())
        rows.append(
            {"theme": t, "tp": tp, "fp": fp, "fn": fn, "support": tp + fn, **_prf(tp, fp, fn)}
        )
    res = pd.DataFrame(rows).set_index("theme")
    tp, fp, fn = (int(res[c].sum()) for c in ("tp", "fp", "fn"))
    res.loc["micro"] = {"tp": tp, "fp": fp, "fn": fn, "support": tp + fn, **_prf(tp, fp, fn)}
    sup = res.loc[ids][res.loc[ids, "support"] > 0]
    res.loc["macro"] = {
        "tp": int(sup["tp"].sum()),
        "fp": int(sup["fp"].sum()),
        "fn": int(sup["fn"].sum()),
        "support": int(sup["support"].sum()),
        "precision": float(sup["precision"].mean()),
        "recall": float(sup["recall"].mean()),
        "f1": float(sup["f1"].mean()),
    }
    for c in ("tp", "fp", "fn", "support"):
        res[c] = res[c].astype(int)
    return res


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1}


# -- gold-labelled corpora (tuning set, holdout) ---------------------------------------------------
def load_gold_answers(path: str | Path) -> pd.DataFrame:
    """Read answers with gold theme labels: ``id``, ``question``, ``text``, ``themes`` (list).

    Accepted layouts:

    * YAML ``municipalities: {<name>: {q2: {text: …, themes: […]}, …}}`` (the demo content);
    * YAML ``answers: [{id: …, question: …, text: …, themes: […]}, …]`` (or a bare list);
    * CSV with columns ``text`` and ``themes`` (``;``-joined), optional ``id``/``question``
      (aliases: ``answer``/``svar``, ``gold_themes``/``labels``, ``question_id``, ``answer_id``);
    * a folder: every ``*.yaml``/``*.yml``/``*.csv`` file in it, concatenated.
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() in (".yaml", ".yml", ".csv"))
        if not files:
            raise ConfigError(f"{p}: inga .yaml- eller .csv-filer med guldkodade svar.")
        return pd.concat([load_gold_answers(f) for f in files], ignore_index=True)
    if not p.is_file():
        raise ConfigError(f"{p}: filen med guldkodade svar finns inte.")
    rows: list[dict] = []
    if p.suffix.lower() == ".csv":
        df = read_text_csv(p)
        cols = {c.strip().lower(): c for c in df.columns}

        def pick(*names):
            return next((cols[n] for n in names if n in cols), None)

        text_c = pick("text", "answer", "svar", "value")
        themes_c = pick("themes", "gold_themes", "gold", "labels", "teman")
        q_c = pick("question", "question_id", "fraga", "fråga")
        id_c = pick("id", "answer_id", "respondent_id", "kommun", "municipality")
        if text_c is None or themes_c is None:
            raise ConfigError(
                f"{p}: kolumnerna 'text' och 'themes' krävs. "
                f"Tillgängliga: {', '.join(map(str, df.columns))}."
            )
        for i, r in df.iterrows():
            rows.append(
                {
                    "id": str(r[id_c]) if id_c else str(i + 1),
                    "question": str(r[q_c]) if q_c else "",
                    "text": r[text_c],
                    "themes": _split_labels(r[themes_c]),
                }
            )
        return pd.DataFrame(rows, columns=["id", "question", "text", "themes"])
    import yaml

    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("municipalities"), dict):
        for name, entry in data["municipalities"].items():
            for q, v in (entry or {}).items():
                if isinstance(v, dict) and "text" in v:
                    rows.append(
                        {
                            "id": str(name),
                            "question": str(q),
                            "text": v.get("text") or "",
                            "themes": _split_labels(v.get("themes") or []),
                        }
                    )
    else:
        items = data.get("answers") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ConfigError(f"{p}: okänt format för guldkodade svar.")
        for i, v in enumerate(items, start=1):
            if not isinstance(v, dict) or "text" not in v:
                raise ConfigError(f"{p}: post {i} saknar 'text'.")
            rows.append(
                {
                    "id": str(v.get("id", i)),
                    "question": str(v.get("question", "")),
                    "text": v.get("text") or "",
                    "themes": _split_labels(v.get("themes") or []),
                }
            )
    return pd.DataFrame(rows, columns=["id", "question", "text", "themes"])


def evaluate_corpus(
    path: str | Path, themes: ThemeCodebook | str | Path | None = None, nonempty: bool = True
) -> pd.DataFrame:
    """Code a gold-labelled corpus (see :func:`load_gold_answers`) and :func:`evaluate` it.

    Gold labels that are not in the codebook raise :class:`~analysis.errors.ConfigError`.
    ``nonempty`` drops answers with an empty text.
    """
    coder = get_coder(themes)
    gold = load_gold_answers(path)
    if nonempty:
        gold = gold[gold["text"].map(lambda t: isinstance(t, str) and t.strip() != "")]
    gold = gold.reset_index(drop=True)
    coded = code_texts(gold["text"], coder.themes, questions=gold["question"].tolist())
    return evaluate(coded, labels_to_frame(gold["themes"].tolist(), coder.ids), coder.ids)


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
