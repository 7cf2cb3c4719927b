"""The coder's term vocabulary: codebook terms compiled into slots, unique tokens matched once.

Part of the theme coder (:mod:`analysis.text.coder` is the public API, :mod:`analysis.text.engine`
reads answers clause by clause); this module turns the codebook into a vocabulary of slots and
matches every distinct token against it once (exact forms, inflections, compounds, folded
diacritics and one typo in long words), caching the result across calls.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import repeat

import numpy as np

from analysis.text.fuzzy import (
    DIACRITICS,
    MIN_FOLD_LEN,
    SHORT_FOLDED,
    TypoIndex,
    fold,
    may_be_folded,
)
from analysis.text.normalise import INFLECTIONS, IRREGULAR, TOKEN_RE, Term, _accept, word_forms
from analysis.text.themes import ThemeCodebook

_SEP = "\x01"
_SEP_ID = 0  # the answer separator is vocabulary entry 0 (no label bits, its own kind)
_PUNCT = ".!?;:\n•·"
#: Commas and dashes: clause boundaries only between two clauses with a verb each (see Scope).
_COMMA = ",–—-"
_CHUNK_RE = re.compile(TOKEN_RE.pattern + "|[" + re.escape(_PUNCT + ",–—") + "]|" + _SEP)
#: Irregular forms read as their base word by the coder. "bättre"/"bäst" are not read as "bra":
#: "bättre vägar" is a wish, never the dismissal "är bra".
#: Short words typed without diacritics are read as their diacritic word (SHORT_FOLDED).
READ_AS: dict[str, str] = {
    **{t: b for t, b in IRREGULAR.items() if b != "bra"},
    **SHORT_FOLDED,
}
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


class Vocabulary:
    """A compiled theme codebook with a growing vocabulary cache (base of :class:`~analysis.text.engine.Coder`)."""

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
        self._dismiss = self._new_label("C:dismiss") if sc.dismiss or sc.praise else None
        self._need = self._new_label("C:need") if sc.need else None
        for term in (*sc.dismiss, *sc.praise):
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
        self._negated = None  # (need word, need verb, negator, praise) labels, see Scope
        if sc.need_negators and self._need is not None and self._dismiss is not None:
            self._negated = tuple(self._new_label(f"C:{x}") for x in ("nn", "nv", "neg", "pr"))
            for lab, terms in zip(
                self._negated,
                (sc.need_negated, sc.need_negated_verbs, sc.need_negators, sc.praise),
                strict=True,
            ):
                for term in terms:
                    self._add_term(lab, term, False)
            for term in sc.negation_exclude:  # "inte minst", "inte bara" negate nothing
                self._add_term(self._negated[2], term, True)
        self._workplace = self._new_label("C:workplace") if sc.workplace_links else None
        for term in sc.workplace if self._workplace is not None else ():
            self._add_term(self._workplace, term, False)
        self._location = None
        if sc.location and sc.location_names:
            self._location = (self._new_label("C:location"), self._new_label("C:location_name"))
            for lab, terms in zip(self._location, (sc.location, sc.location_names), strict=True):
                for term in terms:
                    self._add_term(lab, term, False)
            for term in sc.location_exclude:  # "läget vid E12" is an asset, not a place
                self._add_term(self._location[0], term, True)
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
        # "names an area of its own" (the clause after "men", a comma or a colon): the priority
        # areas and their sub-themes when the codebook marks priority areas, else every theme
        prio = {t.id for t in themes.themes if t.priority_area}
        area = [
            k
            for k, t in enumerate(themes.themes)
            if not prio or t.id in prio or prio & set(themes.ancestors(t.id))
        ]
        self._area_mask = self._mask(
            [
                *area,
                *(w for k, w in self._weak if k in area),
                *(g for k, g in self._tele if k in area),
            ]
        )
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
        links = [w for w in sc.workplace_links if w not in self.vocab]
        self._add_tokens(links)
        self._link_ids = np.array([self.vocab[w] for w in sc.workplace_links], dtype=np.int64)
        self._add_tokens([w for w in sc.location_links if w not in self.vocab])
        self._loc_link_ids = np.array([self.vocab[w] for w in sc.location_links], dtype=np.int64)

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
