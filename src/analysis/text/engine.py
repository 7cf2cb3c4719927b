"""The matching engine of the theme coder: :class:`Coder` reads answers clause by clause.

See :mod:`analysis.text.coder` for the reading rules and the public API; the vocabulary of terms
lives in :mod:`analysis.text.vocabulary`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.text.themes import ThemeCodebook
from analysis.text.vocabulary import (  # noqa: F401
    _CHUNK,
    _CHUNK_RE,
    _COLON,
    _COMMA,
    _COMMA_K,
    _CONTRAST,
    _CORRECTIVE,
    _PUNCT,
    _SEP,
    _SEP_ID,
    _SEP_K,
    _STOP,
    _W,
    _WORD,
    NO_THEME,
    READ_AS,
    Vocabulary,
    _prep,
)


class Coder(Vocabulary):
    """A compiled theme codebook with a growing vocabulary cache (see module docstring).

    Use :func:`code_texts` / :func:`get_coder`; a coder is cached per codebook object.
    """

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
        if self._negated is not None:
            self._negate_needs(P, clause)
        if self._workplace is not None and len(self._link_ids) and len(codes) > 2:
            # "sjuksköterskor i hemsjukvården": the area after staff + preposition is a workplace
            noun = self._bit(P, self._workplace)
            if noun.any():
                at = np.flatnonzero(noun[:-2] & np.isin(codes[1:-1], self._link_ids)) + 2
                # … and the area word right before a profession ("VA-tekniker", "IT-personal")
                before = np.flatnonzero(noun[1:] & ~noun[:-1])
                P[np.r_[at, before]] &= ~self._theme_mask[None, :]
        if self._location is not None and len(codes) > 1:
            # "längs E4 och Botniabanan", "vid E45": a road or railway after a location
            # preposition (other names and "och" between) is where something is, not a need
            prep_lab, name_lab = self._location
            name = self._bit(P, name_lab)
            if name.any():
                link = np.isin(codes, self._loc_link_ids)
                step = np.r_[False, self._bit(P, prep_lab)[:-1]]
                at = np.zeros(len(codes), dtype=bool)
                while step.any():
                    cur = step & (name | link)
                    at |= cur & name
                    step = np.r_[False, cur[:-1]]
                P[at] &= ~self._theme_mask[None, :]
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
                # dismissal cancels the clause before — when it names no theme of its own; a
                # need after a comma revives too ("bra läge, en styrka vi vill bygga vidare på")
                nxt_need = np.r_[need[1:], False]
                nxt_supp = np.r_[supp[1:], False]
                nxt_theme = np.r_[has_theme[1:], False]
                # a dismissal carried back only needs the next clause to name no *area* of its
                # own ("… har däremot fungerat bra och sparat pengar")
                nxt_area = np.r_[(C & self._area_mask[None, :]).any(axis=1)[1:], False]
                comma_next = np.r_[kind[cstarts[1:]] == _COMMA_K, False]
                carry = (contrast_next | comma_next) & nxt_need & ~nxt_theme
                back = contrast_next & nxt_supp & ~nxt_area & has_theme
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
                # "El: vi har gott om el, inga problem.": after a colon even when it names a theme
                nxt_colon = np.r_[(start_kind == _COLON)[1:], False]
                nxt_free = ~nxt_theme | nxt_colon
                nxt_supp = np.r_[supp[1:], False]  # after "men"/comma revivals
                supp = supp | (nxt_link & nxt_supp & nxt_free & has_theme & ~need)
                # "Bra: krisberedskap, fiber.": a dismissive header without a theme of its own,
                # opening an answer or a sentence (not "men okej:"), dismisses the list after its
                # colon (and below the list's comma continuations)
                opens = ~np.isin(start_kind, (_CONTRAST, _CORRECTIVE, _COMMA_K, _COLON))
                header = np.r_[False, (supp & ~has_theme & opens)[:-1]]
                supp = supp | (header & (start_kind == _COLON) & ~need)
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

    def _negate_needs(self, P: np.ndarray, clause: np.ndarray) -> None:
        """Negations that turn a cue around, in place (see Scope). A need word with a negator up
        to three words before it and no finite verb between (a need verb: also up to two words
        after it) is a dismissal ("inga akuta behov", "behöver regionen inte"); a praise word
        with a negator likewise before it is a need ("inte i gott skick", "inte nöjda")."""
        nn_lab, nv_lab, neg_lab, pr_lab = self._negated
        neg = self._bit(P, neg_lab)
        if not neg.any():
            return
        n = len(P)
        need_w, need_b = self._need // _W, np.int64(1) << (self._need % _W)
        dis_w, dis_b = self._dismiss // _W, np.int64(1) << (self._dismiss % _W)

        def distance(cand: np.ndarray, step: int, window: int, block) -> np.ndarray:
            """Words to the nearest negator (0: none) in the clause, not across ``block``."""
            dist = np.zeros(len(cand), dtype=np.int64)
            open_ = np.ones(len(cand), dtype=bool)
            for d in range(1, window + 1):
                j = cand + step * d
                jj = np.clip(j, 0, n - 1)
                same = (j >= 0) & (j < n) & (clause[jj] == clause[cand])
                found = open_ & same & neg[jj]
                dist[found] = d
                open_ &= same & ~neg[jj]
                if block is not None:
                    open_ &= ~block[jj]
            return dist

        nv = self._bit(P, nv_lab)
        cand = np.flatnonzero(self._bit(P, nn_lab) | nv)
        verb = self._bit(P, self._verb) if self._verb is not None else None
        if len(cand):
            before = distance(cand, -1, 3, verb)
            after = np.where(nv[cand], distance(cand, 1, 2, None), 0)
            for k in range(5):
                # the words between the negator and the need word are negated too, and so are
                # the negator and the word before it ("har inte längre något behov")
                at = cand[(before > 0) & (before + 1 >= k)] - k
                P[at[at >= 0], need_w] &= ~need_b
            for k in range(2):
                P[cand[after > k] + k, need_w] &= ~need_b
            P[cand[(before > 0) | (after > 0)], dis_w] |= dis_b
        cand = np.flatnonzero(self._bit(P, pr_lab))
        if len(cand):
            at = cand[distance(cand, -1, 3, verb) > 0]
            P[at, dis_w] &= ~dis_b
            P[at, need_w] |= need_b

    def _comma_bounds(self, P, hard, comma, stop) -> np.ndarray:
        """Commas/dashes that end a clause: a verb earlier in the clause (since the last hard
        boundary) and a verb between the comma and the next comma or full stop — or no verb in
        the whole clause (a telegraphic list, one item per clause)."""
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
        # a list without any verb ("Höjd beredskap, NIS2, VA, LSS"): every comma ends an item
        k = np.searchsorted(hard_pos, c, side="right")
        next_hard = np.where(k < len(hard_pos), hard_pos[np.minimum(k, len(hard_pos) - 1)], n)
        whole = cv[next_hard - 1] - np.where(last_hard > 0, cv[last_hard - 1], 0)
        out = np.zeros(n, dtype=bool)
        out[c[(((before > 0) & (after > 0)) | (whole == 0)) & ~followed_by_hard]] = True
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

    def evidence(self, texts: Sequence[str], questions=None) -> tuple[np.ndarray, list[list]]:
        """Codes plus, per answer, ``[(theme, surface text, start, end), …]`` in text order.

        Offsets are character positions in the answer as given (also when it holds decomposed
        letters or soft hyphens, which the coder normalises). A theme present only through a
        sub-theme lists ``(theme, "(sub-theme)", -1, -1)``.
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
        maps: dict[int, list[int] | None] = {}
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
                    if d not in maps:
                        maps[d] = _original_positions(chunk[d])
                    if maps[d] is not None:
                        s, e = maps[d][s], maps[d][e]
                    out[d].append((self.ids[k], chunk[d][s:e], int(s), int(e)))
        for i, ev in enumerate(out):
            out[i] = sorted(set(ev), key=lambda x: (x[2], x[0], x[3], x[1]))
        return out


def _original_positions(text: str) -> list[int] | None:
    """For each position of ``_prep(text)`` (and its end) the position in ``text``, or ``None``
    when both have the same length (positions then agree).

    >>> _original_positions("bosta\u0308der")  # "ä" typed as "a" + combining diaeresis
    [0, 1, 2, 3, 4, 6, 7, 8, 9]
    """
    import unicodedata

    prepped = _prep(text)
    if len(prepped) == len(text):
        return None
    pos: list[int] = []
    parts: list[str] = []
    i, n = 0, len(text)
    while i < n:  # one base character with its combining marks at a time
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        seg = unicodedata.normalize("NFC", text[i:j]).replace("\u00ad", "").replace("\u200b", "")
        seg = seg.lower()
        parts.append(seg)
        pos.extend([i] * len(seg))
        i = j
    if "".join(parts).replace(" - ", " – ") != prepped:
        return None  # pragma: no cover - a normalisation across segments: keep prepped offsets
    pos.append(n)
    return pos


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
