"""The matching engine of the theme coder: :class:`Coder` (vectorised over unique tokens)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from itertools import repeat

import numpy as np
import pandas as pd

from analysis.text.fuzzy import TypoIndex, fold, may_be_folded
from analysis.text.normalise import IRREGULAR, TOKEN_RE, Term, _accept, word_forms
from analysis.text.themes import ThemeCodebook, load_themes

_SEP = "\x01"
_SEP_ID = -2
_PUNCT = ".!?;:\n•·"
_CHUNK_RE = re.compile(TOKEN_RE.pattern + "|[" + re.escape(_PUNCT) + "]|" + _SEP)
_CHUNK = 50_000
_W = 62  # label bits per int64 word

#: Value a coder writes in ``verified_themes`` to say "reviewed: no theme applies".
NO_THEME = "-"


def _prep(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if "\u00ad" in text or "\u200b" in text:
        text = text.replace("\u00ad", "").replace("\u200b", "")
    return text.lower()


class Coder:
    """A compiled theme codebook with a growing vocabulary cache (see module docstring).

    Use :func:`code_texts` / :func:`get_coder`; a coder is cached per codebook object.
    """

    def __init__(self, themes: ThemeCodebook):
        self.themes = themes
        self.ids = themes.ids
        self._slots: dict[tuple[str, str], int] = {}
        self._slot_words: list[tuple[str, str]] = []
        self.labels: list[str] = []
        self._single: list[tuple[int, int, bool]] = []  # (slot, label, is_exclude)
        self._phrases: list[tuple[int, bool, list[int], str]] = []  # label, exc, slots, text
        self._terms: dict[int, list[Term]] = {}  # label -> include terms (for evidence)
        self._expansion: dict[str, str] = {}
        n_t = len(self.ids)
        self.labels = [f"T:{t}" for t in self.ids]
        lex: dict[str, list] = {t: [] for t in self.ids}
        for e in themes.lexicon:
            for t in e.themes:
                lex[t].append(e.term)
            self._expansion[e.term.text] = e.expansion
        self._weak: list[tuple[int, int]] = []  # (theme idx, weak label)
        self._rules: list[tuple[int, int, int | None, int | None, str]] = []
        for k, th in enumerate(themes.themes):
            for term in (*th.include, *lex[th.id]):
                self._add_term(k, term, False)
            exc = list(th.exclude)
            if th.weak:
                w = self._new_label(f"W:{th.id}")
                self._weak.append((k, w))
                for term in th.weak:
                    self._add_term(w, term, False)
                for term in exc:
                    self._add_term(w, term, True)
            for r_no, rule in enumerate(th.senses):
                r = self._new_label(f"R:{th.id}:{r_no}")
                for term in rule.terms:
                    self._add_term(r, term, False)
                for term in exc:
                    self._add_term(r, term, True)
                un = self._new_label(f"U:{th.id}:{r_no}") if rule.unless else None
                rq = self._new_label(f"Q:{th.id}:{r_no}") if rule.requires else None
                for lab, terms in ((un, rule.unless), (rq, rule.requires)):
                    for term in terms:
                        self._add_term(lab, term, False)
                self._rules.append((k, r, un, rq, rule.scope))
                self._terms.setdefault(k, []).extend(rule.terms)
            for term in exc:
                self._add_term(k, term, True)
        sc = themes.scope
        self._dismiss = self._new_label("C:dismiss") if sc.dismiss else None
        self._need = self._new_label("C:need") if sc.need else None
        for term in sc.dismiss:
            self._add_term(self._dismiss, term, False)
            if self._need is not None and term.is_phrase:
                self._add_term(self._need, term, True)  # "inget behov" is no need
        for term in sc.need:
            self._add_term(self._need, term, False)
        self._contrast = frozenset(sc.contrast)
        self.n_labels = len(self.labels)
        self.K = max(1, -(-self.n_labels // _W))
        # theme bits that dismissal clears (theme labels and weak labels)
        self._theme_mask = np.zeros(self.K, dtype=np.int64)
        for lab in [*range(n_t), *(w for _, w in self._weak)]:
            self._theme_mask[lab // _W] |= np.int64(1) << (lab % _W)
        self._typo = TypoIndex(w for w, _ in self._slot_words)
        self._typo_slots: dict[str, list[int]] = {}
        for s_id, (w, _) in enumerate(self._slot_words):
            self._typo_slots.setdefault(w, []).append(s_id)
        # vocabulary
        self.vocab: dict[str, int] = {_SEP: _SEP_ID}
        self.tokens: list[str] = []
        self._packed = np.zeros((0, self.K), dtype=np.int64)
        self._kind = np.zeros(0, dtype=np.int8)  # 0 word, 1 punctuation, 2 contrast word
        self._slot_hits = np.zeros((0, len(self._slot_words)), dtype=bool)
        self._SH = None
        pos = {t: k for k, t in enumerate(self.ids)}
        self._implies = [
            (k, [pos[a] for a in themes.ancestors(t.id) if a in pos])
            for k, t in enumerate(themes.themes)
            if t.parent is not None
        ]
        self._scoped = [(k, t.questions) for k, t in enumerate(themes.themes) if t.questions]

    # -- compilation ------------------------------------------------------------------------
    def _new_label(self, name: str) -> int:
        self.labels.append(name)
        return len(self.labels) - 1

    def _slot(self, word: str, mode: str) -> int:
        key = (word, mode)
        if key not in self._slots:
            self._slots[key] = len(self._slot_words)
            self._slot_words.append(key)
        return self._slots[key]

    def _add_term(self, label: int, term: Term, is_exc: bool) -> None:
        slots = [self._slot(w, term.slot_mode(i)) for i, w in enumerate(term.words)]
        if term.is_phrase:
            self._phrases.append((label, is_exc, slots, term.text))
        else:
            self._single.append((slots[0], label, is_exc))
        if not is_exc:
            self._terms.setdefault(label, []).append(term)

    # -- vocabulary -------------------------------------------------------------------------
    def _match_new(self, new: list[str]) -> np.ndarray:
        """Slot membership of new unique tokens: exact rules, folded diacritics, typos."""
        hits = np.zeros((len(new), len(self._slot_words)), dtype=bool)
        if not self._slot_words:
            return hits
        self._scan(new, new, hits, folded=False)
        foldable = [i for i, t in enumerate(new) if may_be_folded(t)]
        if foldable:
            sub = [new[i] for i in foldable]
            sub_hits = np.zeros((len(sub), len(self._slot_words)), dtype=bool)
            self._scan(sub, sub, sub_hits, folded=True)
            hits[foldable] |= sub_hits
        if self._typo:
            for i, t in enumerate(new):
                if len(t) >= 8 and t[0].isalpha():
                    for w in self._typo.lookup(t):
                        hits[i, self._typo_slots[w]] = True
        for i, t in enumerate(new):
            base = IRREGULAR.get(t)
            if base is not None:
                for s_id, (w, _) in enumerate(self._slot_words):
                    if w == base:
                        hits[i, s_id] = True
        return hits

    def _scan(self, toks: list[str], orig: list[str], hits: np.ndarray, folded: bool) -> None:
        big = "\n" + "\n".join(toks) + "\n"
        starts = np.cumsum([0] + [len(t) + 1 for t in toks[:-1]]) + 1
        for s_id, (word, mode) in enumerate(self._slot_words):
            forms = word_forms(word)
            if folded:
                forms = tuple(dict.fromkeys(fold(f) for f in forms if fold(f) != f))
                if not forms:
                    continue
            base_form = fold(word) if folded else word
            for form in forms:
                p = big.find(form)
                while p != -1:
                    i = int(np.searchsorted(starts, p, side="right")) - 1
                    if not hits[i, s_id] and _accept(
                        toks[i], form, p - starts[i], mode, form != base_form
                    ):
                        hits[i, s_id] = True
                    p = big.find(form, p + 1)

    def _add_tokens(self, new: list[str]) -> None:
        if not new:
            return
        for t in new:
            self.vocab[t] = len(self.tokens)
            self.tokens.append(t)
        hits = self._match_new(new)
        inc = np.zeros((len(new), self.n_labels), dtype=bool)
        exc = np.zeros((len(new), self.n_labels), dtype=bool)
        for s_id, lab, is_exc in self._single:
            (exc if is_exc else inc)[:, lab] |= hits[:, s_id]
        eff = inc & ~exc
        packed = np.zeros((len(new), self.K), dtype=np.int64)
        for w in range(self.K):
            blk = eff[:, w * _W : (w + 1) * _W].astype(np.int64)
            packed[:, w] = blk @ (np.int64(1) << np.arange(blk.shape[1], dtype=np.int64))
        kind = np.array(
            [1 if t in _PUNCT else 2 if t in self._contrast else 0 for t in new], dtype=np.int8
        )
        self._packed = np.vstack([self._packed, packed])
        self._kind = np.concatenate([self._kind, kind])
        self._slot_hits = np.vstack([self._slot_hits, hits])

    # -- coding -----------------------------------------------------------------------------
    def code(self, texts: Sequence[str], questions=None) -> np.ndarray:
        """0/1 matrix (len(texts) × themes); ``questions`` enables question scoping."""
        out = np.zeros((len(texts), len(self.ids)), dtype=np.int8)
        for lo in range(0, len(texts), _CHUNK):
            out[lo : lo + _CHUNK] = self._run(texts[lo : lo + _CHUNK])[0]
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

    def _encode(self, toks: list[str]) -> np.ndarray:
        codes = np.fromiter(map(self.vocab.get, toks, repeat(-1)), dtype=np.int64, count=len(toks))
        miss = np.flatnonzero(codes == -1)
        if len(miss) > len(toks) // 20:
            local, uniques = pd.factorize(np.array(toks, dtype=object), sort=False)
            self._add_tokens([u for u in uniques if u not in self.vocab])
            codes = np.array([self.vocab[u] for u in uniques], dtype=np.int64)[local]
        elif len(miss):
            self._add_tokens(list(dict.fromkeys(toks[i] for i in miss)))
            codes[miss] = [self.vocab[toks[i]] for i in miss]
        return codes

    def _bit(self, arr: np.ndarray, label: int) -> np.ndarray:
        return ((arr[:, label // _W] >> (label % _W)) & 1).astype(bool)

    def _run(self, texts: Sequence[str], spans: bool = False):
        """Code one chunk. Returns (0/1 matrix, position info or None)."""
        n = len(texts)
        vals = [t if isinstance(t, str) else "" for t in texts]
        joined = _prep(f" {_SEP} ".join(vals))
        if spans:
            ms = list(_CHUNK_RE.finditer(joined))
            toks = [m.group() for m in ms]
        else:
            toks = _CHUNK_RE.findall(joined)
        n_t = len(self.ids)
        if not toks:
            return np.zeros((n, n_t), dtype=np.int8), None
        codes = self._encode(toks)
        valid = codes >= 0
        safe = np.where(valid, codes, 0)
        P = self._packed[safe]
        P[~valid] = 0
        phr_spans: dict[tuple[int, int], int] = {}
        if self._phrases:
            includes, masked = self._phrase_hits(codes)
            for lab, pos in masked.items():
                P[pos, lab // _W] &= ~(np.int64(1) << (lab % _W))
            for lab, starts, m in includes:
                P[starts, lab // _W] |= np.int64(1) << (lab % _W)
                if spans:
                    for s in starts.tolist():
                        phr_spans[(s, lab)] = max(phr_spans.get((s, lab), 1), m)
        is_sep = codes == _SEP_ID
        kind = np.where(valid, self._kind[safe], 0)
        bound = is_sep | (kind > 0)
        cl_start = np.r_[True, bound[1:]]
        cstarts = np.flatnonzero(cl_start)
        clause = np.cumsum(cl_start) - 1
        ans_starts = np.concatenate([[0], np.flatnonzero(is_sep)])
        if self._rules:
            C = np.bitwise_or.reduceat(P, cstarts, axis=0)
            A = (
                np.bitwise_or.reduceat(P, ans_starts, axis=0)
                if any(r[4] == "answer" for r in self._rules)
                else None
            )
            answer = np.cumsum(is_sep) if A is not None else None
            for k, r, un, rq, scope in self._rules:
                trig = self._bit(P, r)
                if not trig.any():
                    continue
                ctx, idx = (C, clause) if scope == "clause" else (A, answer)
                ok = trig
                if un is not None:
                    ok = ok & ~self._bit(ctx, un)[idx]
                if rq is not None:
                    ok = ok & self._bit(ctx, rq)[idx]
                P[ok, k // _W] |= np.int64(1) << (k % _W)
        if self._dismiss is not None:
            C = np.bitwise_or.reduceat(P, cstarts, axis=0)
            dis = self._bit(C, self._dismiss)
            need = self._bit(C, self._need) if self._need is not None else np.zeros_like(dis)
            supp = dis & ~need
            if supp.any():
                has_theme = (C & self._theme_mask[None, :]).any(axis=1)
                contrast_next = np.zeros_like(supp)
                contrast_next[:-1] = kind[cstarts[1:]] == 2
                # the clause after "men" wins (G3): its need revives a dismissed clause, its
                # dismissal cancels the clause before — when it names no theme of its own
                nxt_need = np.r_[need[1:], False]
                nxt_supp = np.r_[supp[1:], False]
                nxt_theme = np.r_[has_theme[1:], False]
                carry = contrast_next & nxt_need & ~nxt_theme
                back = contrast_next & nxt_supp & ~nxt_theme & has_theme
                supp = (supp & ~carry) | back
                P[supp[clause]] &= ~self._theme_mask[None, :]
        A = np.bitwise_or.reduceat(P, ans_starts, axis=0)
        out = np.zeros((n, n_t), dtype=np.int8)
        for k in range(n_t):
            out[:, k] = self._bit(A, k)
        if self._weak:
            ev = self.themes.evidence
            words = np.add.reduceat((kind == 0) & valid, ans_starts).astype(np.int64)
            for k, w in self._weak:
                cnt = np.add.reduceat(self._bit(P, w).astype(np.int64), ans_starts)
                ok = (cnt >= max(1, ev.weak_min_hits)) | (
                    (cnt >= 1) & (words <= ev.short_answer_tokens)
                )
                out[:, k] |= ok.astype(np.int8)
        if not spans:
            return out, None
        return out, (P, codes, ms, ans_starts, phr_spans)

    def _phrase_hits(self, codes: np.ndarray):
        """Phrase occurrences: ``[(label, start positions, length)]`` of include phrases and
        ``{label: positions}`` covered by exclude phrases (anchored on the phrase's rarest
        word in the chunk, so only positions holding it are checked)."""
        valid = codes >= 0
        freq = np.bincount(codes[valid], minlength=len(self.tokens)).astype(np.float64)
        slot_freq = np.asarray(self._slot_sparse().T @ freq).ravel()
        n = len(codes)
        includes, masked = [], {}
        anchors = [int(np.argmin(slot_freq[slots])) for _, _, slots, _ in self._phrases]
        anchor_slots = sorted(
            {slots[j] for (_, _, slots, _), j in zip(self._phrases, anchors, strict=True)}
        )
        sh = self._slot_sparse()
        is_anchor = np.asarray(sh[:, anchor_slots].sum(axis=1)).ravel() > 0
        cand = np.flatnonzero(valid & is_anchor[np.where(valid, codes, 0)])
        cand_codes = codes[cand]
        by_slot: dict[int, np.ndarray] = {}
        for (lab, is_exc, slots, _), j in zip(self._phrases, anchors, strict=True):
            m = len(slots)
            if slot_freq[slots[j]] == 0:
                continue
            a = slots[j]
            if a not in by_slot:
                by_slot[a] = cand[self._slot_hits[cand_codes, a]]
            starts = by_slot[a] - j
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
                masked.setdefault(lab, []).append((starts[:, None] + np.arange(m)).ravel())
            else:
                includes.append((lab, starts, m))
        return includes, {k: np.unique(np.concatenate(v)) for k, v in masked.items()}

    def _slot_sparse(self):
        """Sparse (tokens × slots) copy of the slot membership (rebuilt when the vocabulary grows)."""
        from scipy import sparse

        if self._SH is None or self._SH.shape[0] != len(self.tokens):
            r, c = np.nonzero(self._slot_hits)
            self._SH = sparse.csr_matrix(
                (np.ones(len(r)), (r, c)), shape=self._slot_hits.shape, dtype=np.float64
            )
        return self._SH

    # -- evidence ---------------------------------------------------------------------------
    def evidence(self, texts: Sequence[str], questions=None) -> tuple[np.ndarray, list[list]]:
        """Codes plus, per answer, ``[(theme, surface text, start, end), …]`` in text order.

        Offsets are character positions in the answer (after NFC normalisation). A theme present
        only through a sub-theme lists ``(theme, "(sub-theme)", -1, -1)``.
        """
        vals = [t if isinstance(t, str) else "" for t in texts]
        mats, evs = [], []
        for lo in range(0, len(vals), _CHUNK):
            chunk = vals[lo : lo + _CHUNK]
            raw, info = self._run(chunk, spans=True)
            mats.append(raw)
            evs.extend(self._collect(chunk, raw, info))
        mat = np.vstack(mats) if mats else np.zeros((0, len(self.ids)), np.int8)
        before = mat.copy()
        mat = self.finish(mat, questions)
        for i in range(len(evs)):
            dropped = {self.ids[k] for k in np.flatnonzero(before[i] & ~mat[i])}
            evs[i] = [e for e in evs[i] if e[0] not in dropped]
            for k, anc in self._implies:
                if mat[i, k]:
                    for a in anc:
                        if not before[i, a]:
                            evs[i].append((self.ids[a], f"({self.ids[k]})", -1, -1))
        return mat, evs

    def _collect(self, chunk, raw, info) -> list[list]:
        out: list[list] = [[] for _ in chunk]
        if info is None:
            return out
        P, codes, ms, ans_starts, phr = info
        offsets = np.cumsum([0] + [len(_prep(t)) + 3 for t in chunk[:-1]])
        doc = np.cumsum(codes == _SEP_ID)
        weak = dict(self._weak)
        for k in range(len(self.ids)):
            rows = np.flatnonzero(raw[:, k])
            if not len(rows):
                continue
            labs = [k] + ([weak[k]] if k in weak else [])
            for lab in labs:
                for p in np.flatnonzero(self._bit(P, lab) & np.isin(doc, rows)).tolist():
                    m = phr.get((p, lab), 1)
                    d = int(doc[p])
                    s, e = ms[p].start() - offsets[d], ms[p + m - 1].end() - offsets[d]
                    out[d].append((self.ids[k], chunk[d][s:e], int(s), int(e)))
        for ev in out:
            ev.sort(key=lambda x: (x[2], x[0]))
        return out


_CODERS: dict[int, tuple[ThemeCodebook, Coder]] = {}
_LOADED: dict[str | None, ThemeCodebook] = {}


def _load_cached(path: str | None) -> ThemeCodebook:
    if path not in _LOADED:
        _LOADED[path] = load_themes(path)
    return _LOADED[path]
