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
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ConfigError
from analysis.text.fuzzy import DIACRITICS, MIN_FOLD_LEN, TypoIndex, fold, may_be_folded
from analysis.text.normalise import INFLECTIONS, IRREGULAR, TOKEN_RE, Term, _accept, word_forms
from analysis.text.themes import ThemeCodebook, load_themes

_SEP = "\x01"
_SEP_ID = 0  # the answer separator is vocabulary entry 0 (no label bits, its own kind)
_PUNCT = ".!?;:\n•·"
#: Commas and dashes: clause boundaries only between two clauses with a verb each (see Scope).
_COMMA = ",–—-"
_CHUNK_RE = re.compile(TOKEN_RE.pattern + "|[" + re.escape(_PUNCT + ",–—") + "]|" + _SEP)
#: Irregular forms read as their base word by the coder. "bättre"/"bäst" are not read as "bra":
#: "bättre vägar" is a wish, never the dismissal "är bra".
READ_AS: dict[str, str] = {t: b for t, b in IRREGULAR.items() if b != "bra"}
# token kinds
_WORD, _STOP, _CONTRAST, _COMMA_K, _CORRECTIVE, _SEP_K, _COLON = 0, 1, 2, 3, 4, 5, 6
_CHUNK = 50_000
_W = 62  # label bits per int64 word

#: Value a coder writes in ``verified_themes`` to say "reviewed: no theme applies".
NO_THEME = "-"


def _prep(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if "\u00ad" in text or "\u200b" in text:
        text = text.replace("\u00ad", "").replace("\u200b", "")
    # a free-standing hyphen is a dash (same length, so evidence offsets stay valid)
    return text.lower().replace(" - ", " – ")


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
        self._tele: list[tuple[int, int]] = []  # (theme idx, telegraphic label)
        self._rules: list[tuple[int, int, int | None, int | None, str]] = []
        for k, th in enumerate(themes.themes):
            for term in (*th.include, *lex[th.id]):
                self._add_term(k, term, False)
            exc = list(themes.exclusions(th.id))
            if th.weak:
                w = self._new_label(f"W:{th.id}")
                self._weak.append((k, w))
                for term in th.weak:
                    self._add_term(w, term, False)
                for term in exc:
                    self._add_term(w, term, True)
            if th.telegraphic:
                g = self._new_label(f"G:{th.id}")
                self._tele.append((k, g))
                for term in th.telegraphic:
                    self._add_term(g, term, False)
                for term in exc:
                    self._add_term(g, term, True)
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
        self._verb = self._new_label("C:verb") if sc.verbs else None
        for term in sc.verbs:
            self._add_term(self._verb, term, False)
        self._neg = self._new_label("C:negation") if sc.negation and sc.corrective else None
        if self._neg is not None:
            for term in sc.negation:
                self._add_term(self._neg, term, False)
            for term in sc.negation_exclude:
                self._add_term(self._neg, term, True)
        self._contrast = frozenset(sc.contrast)
        self._corrective = frozenset(sc.corrective)
        self.n_labels = len(self.labels)
        self.K = max(1, -(-self.n_labels // _W))
        self._rule_mask = self._mask(r for _, r, _, _, _ in self._rules)
        self._wt_mask = self._mask(lab for _, lab in (*self._weak, *self._tele))
        # theme bits that dismissal clears (theme, weak and telegraphic labels)
        self._theme_mask = np.zeros(self.K, dtype=np.int64)
        for lab in [*range(n_t), *(w for _, w in self._weak), *(g for _, g in self._tele)]:
            self._theme_mask[lab // _W] |= np.int64(1) << (lab % _W)
        self._index = (self._build_index(folded=False), self._build_index(folded=True))
        self._proj = None  # built on first use (see _add_tokens)
        self._typo = TypoIndex(w for w, _ in self._slot_words)
        self._typo_slots: dict[str, list[int]] = {}
        for s_id, (w, _) in enumerate(self._slot_words):
            self._typo_slots.setdefault(w, []).append(s_id)
        # vocabulary
        self.vocab: dict[str, int] = {}
        self.tokens: list[str] = []
        self._packed = np.zeros((0, self.K), dtype=np.int64)
        self._kind = np.zeros(0, dtype=np.int8)  # _WORD, _STOP, _CONTRAST, … (see _token_kind)
        # token × slot membership, kept as its non-zeros: sorted keys token * n_slots + slot
        # (membership look-ups for phrases) and the blocks for the sparse copy (_slot_sparse)
        self._sh_keys = np.zeros(0, dtype=np.int64)
        self._sh_nz: list[tuple[np.ndarray, np.ndarray]] = []
        self._SH = None
        pos = {t: k for k, t in enumerate(self.ids)}
        self._implies = [
            (k, [pos[a] for a in themes.ancestors(t.id) if a in pos])
            for k, t in enumerate(themes.themes)
            if t.parent is not None
        ]
        self._scoped = [(k, t.questions) for k, t in enumerate(themes.themes) if t.questions]
        self._add_tokens([_SEP])  # vocabulary entry 0 (_SEP_ID): the answer separator

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
    def _match_new(self, new: list[str]) -> set[tuple[int, int]]:
        """Slot membership of new unique tokens (``{(token, slot)}``): exact rules, folded
        diacritics, typos."""
        hits: set[tuple[int, int]] = set()
        if not self._slot_words:
            return hits
        plain, folded = self._index
        self._scan(new, hits, plain)
        # folded forms: only tokens that may be typed without diacritics; the (dictionary)
        # check that the token is not itself a Swedish word runs only on tokens that hit
        cand = [
            i
            for i, t in enumerate(new)
            if len(t) >= MIN_FOLD_LEN and not (DIACRITICS & set(t)) and not t.isdigit()
        ]
        if cand:
            sub_hits: set[tuple[int, int]] = set()
            self._scan([new[i] for i in cand], sub_hits, folded)
            ok: dict[int, bool] = {}
            for j, s_id in sub_hits:
                if j not in ok:
                    ok[j] = may_be_folded(new[cand[j]])
                if ok[j]:
                    hits.add((cand[j], s_id))
        if self._typo:
            for i, t in enumerate(new):
                if len(t) >= 8 and t[0].isalpha():
                    for w in self._typo.lookup(t):
                        hits.update((i, s_id) for s_id in self._typo_slots[w])
        for i, t in enumerate(new):
            base = READ_AS.get(t)
            if base is not None:
                hits.update((i, s_id) for s_id in self._typo_slots.get(base, ()))
        return hits

    def _build_index(self, folded: bool):
        """Where to look for every slot's forms: exact-mode forms by dictionary lookup of the
        token minus an inflection ending; other modes by substring search, one pass per form."""
        exact: dict[str, set[int]] = {}  # every inflected full token -> slots
        search: dict[str, list[tuple[int, str, bool]]] = {}
        for s_id, (word, mode) in enumerate(self._slot_words):
            forms = word_forms(word)
            if folded:
                forms = tuple(dict.fromkeys(fold(f) for f in forms if fold(f) != f))
            base_form = fold(word) if folded else word
            for form in forms:
                if mode == "exact":
                    for end in INFLECTIONS:
                        if _accept(form + end, form, 0, "exact", form != base_form):
                            exact.setdefault(form + end, set()).add(s_id)
                else:
                    search.setdefault(form, []).append((s_id, mode, form != base_form))
        return exact, list(search.items())

    def _scan(self, toks: list[str], hits: set[tuple[int, int]], index) -> None:
        exact, search = index
        for i, t in enumerate(toks):
            for s_id in exact.get(t, ()):
                hits.add((i, s_id))
        if not search:
            return
        big = "\n" + "\n".join(toks) + "\n"
        starts = np.cumsum([0] + [len(t) + 1 for t in toks[:-1]]) + 1
        for form, slots in search:
            pos = []
            p = big.find(form)
            while p != -1:
                pos.append(p)
                p = big.find(form, p + 1)
            if not pos:
                continue
            tok_idx = (np.searchsorted(starts, pos, side="right") - 1).tolist()
            for p, i in zip(pos, tok_idx, strict=True):
                off = p - int(starts[i])
                for s_id, mode, variant in slots:
                    if (i, s_id) not in hits and _accept(toks[i], form, off, mode, variant):
                        hits.add((i, s_id))

    def _add_tokens(self, new: list[str]) -> None:
        from scipy import sparse

        if not new:
            return
        n0 = len(self.tokens)
        for t in new:
            self.vocab[t] = len(self.tokens)
            self.tokens.append(t)
        pairs = self._match_new(new)
        r = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
        c = np.fromiter((j for _, j in pairs), dtype=np.int64, count=len(pairs))
        if self._proj is None:  # slot -> label projections of single-word include/exclude terms
            self._proj = tuple(
                sparse.csr_matrix(
                    (
                        np.ones(sum(e == flag for _, _, e in self._single)),
                        (
                            [s_ for s_, _, e in self._single if e == flag],
                            [lab for _, lab, e in self._single if e == flag],
                        ),
                    ),
                    shape=(len(self._slot_words), self.n_labels),
                )
                for flag in (False, True)
            )
        H = sparse.csr_matrix(
            (np.ones(len(r)), (r, c)), shape=(len(new), len(self._slot_words)), dtype=np.float64
        )
        inc = (H @ self._proj[0]).toarray() > 0
        exc = (H @ self._proj[1]).toarray() > 0
        eff = inc & ~exc
        packed = np.zeros((len(new), self.K), dtype=np.int64)
        for w in range(self.K):
            blk = eff[:, w * _W : (w + 1) * _W].astype(np.int64)
            packed[:, w] = blk @ (np.int64(1) << np.arange(blk.shape[1], dtype=np.int64))
        kind = np.array([self._token_kind(t) for t in new], dtype=np.int8)
        self._packed = np.vstack([self._packed, packed])
        self._kind = np.concatenate([self._kind, kind])
        self._sh_nz.append((r + n0, c))
        keys = np.sort((r + n0) * len(self._slot_words) + c)  # all above the existing keys
        self._sh_keys = np.concatenate([self._sh_keys, keys])

    def _slot_has(self, tokens: np.ndarray, slot: int) -> np.ndarray:
        """Do vocabulary ``tokens`` (ids) hit ``slot``?"""
        if not len(self._sh_keys):
            return np.zeros(len(tokens), dtype=bool)
        keys = tokens.astype(np.int64) * len(self._slot_words) + slot
        i = np.searchsorted(self._sh_keys, keys)
        return (i < len(self._sh_keys)) & (
            self._sh_keys[np.minimum(i, len(self._sh_keys) - 1)] == keys
        )

    def _token_kind(self, t: str) -> int:
        if t == _SEP:
            return _SEP_K
        if t == ":":
            return _COLON
        if t in _PUNCT:
            return _STOP
        if t in _COMMA:
            return _COMMA_K
        if t in self._corrective:
            return _CORRECTIVE
        return _CONTRAST if t in self._contrast else _WORD

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
        sample = toks[:: max(1, len(toks) // 2000)]
        if sum(t not in self.vocab for t in sample) > len(sample) // 20:
            miss = toks  # a cold vocabulary: factorise the chunk once
        else:
            codes = np.fromiter(
                map(self.vocab.get, toks, repeat(-1)), dtype=np.int64, count=len(toks)
            )
            miss = np.flatnonzero(codes == -1)
        if len(miss) > len(toks) // 20:
            vocab = self.vocab
            self._add_tokens([u for u in dict.fromkeys(toks) if u not in vocab])
            codes = np.fromiter(map(vocab.__getitem__, toks), dtype=np.int64, count=len(toks))
        elif len(miss):
            self._add_tokens(list(dict.fromkeys(toks[i] for i in miss)))
            codes[miss] = [self.vocab[toks[i]] for i in miss]
        return codes

    def _bit(self, arr: np.ndarray, label: int) -> np.ndarray:
        return (arr[:, label // _W] & (np.int64(1) << (label % _W))) != 0

    def _mask(self, labels) -> np.ndarray:
        m = np.zeros(self.K, dtype=np.int64)
        for lab in labels:
            m[lab // _W] |= np.int64(1) << (lab % _W)
        return m

    def _positions(self, P: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Positions whose bits intersect ``mask`` (one pass per int64 word)."""
        hit = np.zeros(len(P), dtype=bool)
        for w in np.flatnonzero(mask):
            hit |= (P[:, w] & mask[w]) != 0
        return np.flatnonzero(hit)

    def _run(self, texts: Sequence[str], spans: bool = False):
        """Code one chunk. Returns (0/1 matrix, position info or None)."""
        n = len(texts)
        vals = [t if isinstance(t, str) else "" for t in texts]
        # "\x02" (no token, no space) keeps a " - " from being read across two answers
        joined = _prep(f"\x02{_SEP}\x02".join(vals))
        if spans:
            ms = list(_CHUNK_RE.finditer(joined))
            toks = [m.group() for m in ms]
        else:
            toks = _CHUNK_RE.findall(joined)
        n_t = len(self.ids)
        if not toks:
            return np.zeros((n, n_t), dtype=np.int8), None
        codes = self._encode(toks)
        P = self._packed[codes]
        phr_spans: dict[tuple[int, int], int] = {}
        if self._phrases:
            includes, masked = self._phrase_hits(codes)
            for lab, pos in masked.items():
                P[pos, lab // _W] &= ~(np.int64(1) << (lab % _W))
            for lab, starts, m in includes:
                if lab in masked:  # a phrase wholly inside an exclude phrase does not count
                    inside = np.ones(len(starts), dtype=bool)
                    for j in range(m):
                        inside &= np.isin(starts + j, masked[lab])
                    starts = starts[~inside]
                P[starts, lab // _W] |= np.int64(1) << (lab % _W)
                if spans:
                    for s in starts.tolist():
                        phr_spans[(s, lab)] = max(phr_spans.get((s, lab), 1), m)
        kind = self._kind[codes]
        is_sep = kind == _SEP_K
        bound = is_sep | ((kind > 0) & (kind != _COMMA_K))
        comma = kind == _COMMA_K
        if self._verb is not None and comma.any():
            bound |= self._comma_bounds(
                P, bound, comma, is_sep | (kind == _STOP) | (kind == _COLON)
            )
        cl_start = np.r_[True, bound[1:]]
        cstarts = np.flatnonzero(cl_start)
        clause = np.cumsum(cl_start) - 1
        ans_starts = np.concatenate([[0], np.flatnonzero(is_sep)])
        answer = np.cumsum(is_sep)
        if self._rules:
            # sense rules only look at the (few) positions holding one of their trigger terms
            pos = self._positions(P, self._rule_mask)
            if len(pos):
                C = np.bitwise_or.reduceat(P, cstarts, axis=0)
                A = (
                    np.bitwise_or.reduceat(P, ans_starts, axis=0)
                    if any(r[4] == "answer" for r in self._rules)
                    else None
                )
                Psub, cl_sub, an_sub = P[pos], clause[pos], answer[pos]
                for k, r, un, rq, scope in self._rules:
                    ok = self._bit(Psub, r)
                    if not ok.any():
                        continue
                    ctx, idx = (C, cl_sub) if scope == "clause" else (A, an_sub)
                    if un is not None:
                        ok &= ~self._bit(ctx, un)[idx]
                    if rq is not None:
                        ok &= self._bit(ctx, rq)[idx]
                    P[pos[ok], k // _W] |= np.int64(1) << (k % _W)
        if self._dismiss is not None:
            C = np.bitwise_or.reduceat(P, cstarts, axis=0)
            dis = self._bit(C, self._dismiss)
            need = self._bit(C, self._need) if self._need is not None else np.zeros_like(dis)
            supp = dis & ~need
            nxt_kind = np.r_[kind[cstarts[1:]], _WORD]
            if self._neg is not None:
                # "inte X utan Y": the negated clause before a corrective word codes nothing
                supp |= self._bit(C, self._neg) & ~need & (nxt_kind == _CORRECTIVE)
            if supp.any():
                has_theme = (C & self._theme_mask[None, :]).any(axis=1)
                contrast_next = (nxt_kind == _CONTRAST) | (nxt_kind == _CORRECTIVE)
                # the clause after "men" wins (G3): its need revives a dismissed clause, its
                # dismissal cancels the clause before — when it names no theme of its own
                nxt_need = np.r_[need[1:], False]
                nxt_supp = np.r_[supp[1:], False]
                nxt_theme = np.r_[has_theme[1:], False]
                carry = contrast_next & nxt_need & ~nxt_theme
                back = contrast_next & nxt_supp & ~nxt_theme & has_theme
                supp = (supp & ~carry) | back
                # an asyndetic continuation ("…, vi har inflyttning") of a dismissed clause is
                # dismissed too unless it states a need or a negation of its own
                quiet = ~need
                if self._neg is not None:
                    quiet &= ~self._bit(C, self._neg)
                start_kind = kind[cstarts]
                comma_start = start_kind == _COMMA_K
                # "X, det har blivit bättre", "Kollektivtrafik: fungerar.": a dismissive
                # continuation without a theme of its own dismisses the clause before it,
                # unless that clause states a need
                nxt_link = np.r_[(comma_start | (start_kind == _COLON))[1:], False]
                supp = supp | (nxt_link & nxt_supp & ~nxt_theme & has_theme & ~need)
                supp = _inherit(supp, comma_start & quiet)
                P[supp[clause]] &= ~self._theme_mask[None, :]
        A = np.bitwise_or.reduceat(P, ans_starts, axis=0)
        out = np.zeros((n, n_t), dtype=np.int8)
        for k in range(n_t):
            out[:, k] = self._bit(A, k)
        if self._weak or self._tele:
            ev = self.themes.evidence
            words = np.add.reduceat(kind == 0, ans_starts).astype(np.int64)
            short = words <= ev.short_answer_tokens
            pos = self._positions(P, self._wt_mask)
            Psub, an_sub = P[pos], answer[pos]
            for k, w in self._weak:
                cnt = np.bincount(an_sub[self._bit(Psub, w)], minlength=n)
                ok = (cnt >= max(1, ev.weak_min_hits)) | ((cnt >= 1) & short)
                out[:, k] |= ok.astype(np.int8)
            if self._tele:
                # telegraphic terms count in a short clause without a verb (a list item)
                cl_words = np.add.reduceat(kind == 0, cstarts)
                verbless = cl_words <= ev.short_answer_tokens
                if self._verb is not None:
                    verbless &= np.add.reduceat(self._bit(P, self._verb), cstarts) == 0
                tele_ok = verbless[clause[pos]]
                for k, g in self._tele:
                    hit = self._bit(Psub, g) & tele_ok
                    out[:, k] |= (np.bincount(an_sub[hit], minlength=n) > 0).astype(np.int8)
        if not spans:
            return out, None
        return out, (P, codes, ms, ans_starts, phr_spans)

    def _comma_bounds(self, P, hard, comma, stop) -> np.ndarray:
        """Commas/dashes that end a clause: a verb earlier in the clause (since the last hard
        boundary) and a verb between the comma and the next comma or full stop."""
        n = len(hard)
        cv = np.cumsum(self._bit(P, self._verb))
        c = np.flatnonzero(comma)
        hard_pos = np.flatnonzero(hard)
        i = np.searchsorted(hard_pos, c, side="right") - 1
        last_hard = np.where(i >= 0, hard_pos[np.maximum(i, 0)], 0)
        stops = np.flatnonzero(comma | stop)
        j = np.searchsorted(stops, c, side="right")
        nxt_after = np.where(j < len(stops), stops[np.minimum(j, len(stops) - 1)], n)
        before = cv[c] - np.where(last_hard > 0, cv[last_hard - 1], 0)
        after = cv[nxt_after - 1] - cv[c]
        followed_by_hard = np.r_[hard[1:], True][c]  # ", men …": the contrast word splits
        out = np.zeros(n, dtype=bool)
        out[c[(before > 0) & (after > 0) & ~followed_by_hard]] = True
        return out

    def _phrase_hits(self, codes: np.ndarray):
        """Phrase occurrences: ``[(label, start positions, length)]`` of include phrases and
        ``{label: positions}`` covered by exclude phrases (anchored on the phrase's rarest
        word in the chunk, so only positions holding it are checked)."""
        freq = np.bincount(codes, minlength=len(self.tokens)).astype(np.float64)
        slot_freq = np.asarray(self._slot_sparse().T @ freq).ravel()
        n = len(codes)
        includes, masked = [], {}
        anchors = [int(np.argmin(slot_freq[slots])) for _, _, slots, _ in self._phrases]
        anchor_slots = sorted(
            {slots[j] for (_, _, slots, _), j in zip(self._phrases, anchors, strict=True)}
        )
        sh = self._slot_sparse()
        is_anchor = np.asarray(sh[:, anchor_slots].sum(axis=1)).ravel() > 0
        cand = np.flatnonzero(is_anchor[codes])
        # group the candidate positions by token once, then collect each anchor slot's
        # positions from the (few) vocabulary tokens that hit it
        u, inv = np.unique(codes[cand], return_inverse=True)
        order = np.argsort(inv, kind="stable")
        bounds = np.searchsorted(inv[order], np.arange(len(u) + 1))

        by_slot: dict[int, np.ndarray] = {}
        for (lab, is_exc, slots, _), j in zip(self._phrases, anchors, strict=True):
            m = len(slots)
            if slot_freq[slots[j]] == 0:
                continue
            a = slots[j]
            if a not in by_slot:
                rows = np.flatnonzero(self._slot_has(u, a)).tolist()
                by_slot[a] = np.sort(
                    cand[np.concatenate([order[bounds[r] : bounds[r + 1]] for r in rows])]
                    if rows
                    else cand[:0]
                )
            starts = by_slot[a] - j
            starts = starts[(starts >= 0) & (starts <= n - m)]
            for i, s_id in enumerate(slots):
                if i == j or not len(starts):
                    continue
                c = codes[starts + i]
                ok = c >= 0
                ok[ok] = self._slot_has(c[ok], s_id)
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
            r = np.concatenate([x for x, _ in self._sh_nz]) if self._sh_nz else np.zeros(0, int)
            c = np.concatenate([y for _, y in self._sh_nz]) if self._sh_nz else np.zeros(0, int)
            self._SH = sparse.csr_matrix(
                (np.ones(len(r)), (r, c)),
                shape=(len(self.tokens), len(self._slot_words)),
                dtype=np.float64,
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
        extra: dict[int, list[int]] = {}
        for k, lab in (*self._weak, *self._tele):
            extra.setdefault(k, []).append(lab)
        for k in range(len(self.ids)):
            rows = np.flatnonzero(raw[:, k])
            if not len(rows):
                continue
            labs = [k, *extra.get(k, [])]
            for lab in labs:
                for p in np.flatnonzero(self._bit(P, lab) & np.isin(doc, rows)).tolist():
                    m = phr.get((p, lab), 1)
                    d = int(doc[p])
                    s, e = ms[p].start() - offsets[d], ms[p + m - 1].end() - offsets[d]
                    out[d].append((self.ids[k], chunk[d][s:e], int(s), int(e)))
        for i, ev in enumerate(out):
            out[i] = sorted(set(ev), key=lambda x: (x[2], x[0], x[3], x[1]))
        return out


def _inherit(a: np.ndarray, link: np.ndarray) -> np.ndarray:
    """``x[k] = a[k] or (link[k] and x[k-1])`` without a Python loop.

    >>> _inherit(np.array([1, 0, 0, 0, 1, 0], bool), np.array([0, 1, 1, 0, 0, 1], bool)).tolist()
    [True, True, True, False, True, True]
    """
    n = len(a)
    pos = np.arange(n)
    link = link.copy()
    link[:1] = False
    last_a = np.maximum.accumulate(np.where(a, pos, -1))
    last_break = np.maximum.accumulate(np.where(link, -1, pos))
    return last_a >= last_break


_CODERS: dict[int, tuple[ThemeCodebook, Coder]] = {}
_LOADED: dict[str | None, ThemeCodebook] = {}


def _load_cached(path: str | None) -> ThemeCodebook:
    if path not in _LOADED:
        _LOADED[path] = load_themes(path)
    return _LOADED[path]


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
