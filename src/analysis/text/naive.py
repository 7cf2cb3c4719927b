"""Reference implementation of the theme coder: a plain loop per answer, clause and term.

Same reading rules as :mod:`analysis.text.coder` (clauses, dismiss/need cues, sense rules, weak
terms, lexicon, spelling tolerance), written as directly as possible and slow. The tests and the
benchmark use it to cross-check the vectorised coder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.text.coder import _CHUNK_RE, _COMMA, _PUNCT, READ_AS, _prep
from analysis.text.fuzzy import MIN_TYPO_LEN, damerau1, fold, is_real_word, may_be_folded
from analysis.text.normalise import INFLECTIONS, Term, _accept, word_forms
from analysis.text.themes import ThemeCodebook, load_themes


def token_matches(token: str, word: str, mode: str) -> bool:
    """Does ``token`` match the term word ``word`` (inflection, compounds, diacritics, typos)?

    >>> token_matches("vagarna", "väg", "compound"), token_matches("vag", "väg", "compound")
    (True, False)
    >>> token_matches("klimatanpasningen", "klimatanpassning", "compound")
    True
    """
    if READ_AS.get(token) == word:
        return True
    for f in word_forms(word):
        start = token.find(f)
        while start != -1:
            if _accept(token, f, start, mode, f != word):
                return True
            start = token.find(f, start + 1)
    if may_be_folded(token):
        base = fold(word)
        for f in dict.fromkeys(fold(x) for x in word_forms(word) if fold(x) != x):
            start = token.find(f)
            while start != -1:
                if _accept(token, f, start, mode, f != base):
                    return True
                start = token.find(f, start + 1)
    fw = fold(word)
    if len(token) >= MIN_TYPO_LEN and len(fw) >= MIN_TYPO_LEN and not is_real_word(token):
        ft = fold(token)
        for end in INFLECTIONS:
            if ft.endswith(end):
                stem = ft[: len(ft) - len(end)] if end else ft
                if len(stem) >= MIN_TYPO_LEN - 1 and damerau1(stem, fw):
                    return True
    return False


def _term_at(toks: list[str], i: int, term: Term) -> bool:
    m = len(term.words)
    if i + m > len(toks):
        return False
    return all(token_matches(toks[i + j], w, term.slot_mode(j)) for j, w in enumerate(term.words))


def _hits(toks, include, exclude) -> list[bool]:
    """Per position: does an include term start here (single words minus excludes)?"""
    masked: set[int] = set()
    for t in exclude:
        if t.is_phrase:
            for i in range(len(toks)):
                if _term_at(toks, i, t):
                    masked.update(range(i, i + len(t.words)))
    out = []
    for i in range(len(toks)):
        single = (
            i not in masked
            and any(_term_at(toks, i, t) for t in include if not t.is_phrase)
            and not any(_term_at(toks, i, t) for t in exclude if not t.is_phrase)
        )
        phrase = any(
            _term_at(toks, i, t) and not set(range(i, i + len(t.words))) <= masked
            for t in include
            if t.is_phrase
        )
        out.append(single or phrase)
    return out


def _code_one(text: str, cb: ThemeCodebook) -> dict[str, bool]:
    toks = _CHUNK_RE.findall(_prep(text))
    sc = cb.scope
    bound = [t in _PUNCT or t in sc.contrast for t in toks]
    if sc.verbs:
        verb = _hits(toks, sc.verbs, ())
        hard = list(bound)
        for i, t in enumerate(toks):
            if t not in _COMMA:
                continue
            j = i - 1  # a verb earlier in the clause (back to the last hard boundary)
            before = False
            while j >= 0:
                before |= verb[j]
                if hard[j]:
                    break
                j -= 1
            j, after = i + 1, False  # a verb before the next comma or full stop
            while j < len(toks) and toks[j] not in _PUNCT and toks[j] not in _COMMA:
                after |= verb[j]
                j += 1
            j, whole = i, before  # no verb anywhere in the clause: a list, one item each
            while j < len(toks) and not (j > i and hard[j]):
                whole |= verb[j]
                j += 1
            next_hard = i + 1 >= len(toks) or hard[i + 1]
            bound[i] = ((before and after) or not whole) and not next_hard
    clause, c = [], -1
    for i, b in enumerate(bound):
        c += 1 if (i == 0 or b) else 0
        clause.append(c)
    n_cl = c + 1
    lex = {t.id: [e.term for e in cb.lexicon if t.id in e.themes] for t in cb.themes}
    theme_pos: dict[str, list[bool]] = {}
    weak_pos: dict[str, list[bool]] = {}
    tele_pos: dict[str, list[bool]] = {}
    for th in cb.themes:
        hit = _hits(toks, [*th.include, *lex[th.id]], cb.exclusions(th.id))
        for rule in th.senses:
            trig = _hits(toks, rule.terms, cb.exclusions(th.id))
            for i, h in enumerate(trig):
                if not h:
                    continue
                span = (
                    [j for j in range(len(toks)) if clause[j] == clause[i]]
                    if rule.scope == "clause"
                    else range(len(toks))
                )
                sub = [toks[j] for j in span]
                ok = True
                if rule.unless:
                    ok &= not any(_hits(sub, rule.unless, ()))
                if rule.requires:
                    ok &= any(_hits(sub, rule.requires, ()))
                hit[i] = hit[i] or ok
        theme_pos[th.id] = hit
        if th.weak:
            weak_pos[th.id] = _hits(toks, th.weak, cb.exclusions(th.id))
        if th.telegraphic:
            tele_pos[th.id] = _hits(toks, th.telegraphic, cb.exclusions(th.id))
    if sc.workplace_links:
        staff = _hits(toks, sc.workplace, ())
        clear = [
            i
            for i in range(len(toks))
            if (i >= 2 and staff[i - 2] and toks[i - 1] in sc.workplace_links)
            or (i + 1 < len(toks) and staff[i + 1] and not staff[i])  # "VA-tekniker"
        ]
        for i in clear:
            for flags in [*theme_pos.values(), *weak_pos.values(), *tele_pos.values()]:
                flags[i] = False
    if sc.location and sc.location_names:
        # "längs E4 och Botniabanan": names after a location preposition are places
        prep = _hits(toks, sc.location, sc.location_exclude)
        name = _hits(toks, sc.location_names, ())
        for i in range(1, len(toks)):
            if not name[i]:
                continue
            j = i - 1
            while j >= 0 and not prep[j] and (name[j] or toks[j] in sc.location_links):
                j -= 1
            if j >= 0 and prep[j]:
                for flags in [*theme_pos.values(), *weak_pos.values(), *tele_pos.values()]:
                    flags[i] = False
    if sc.dismiss or sc.praise:
        dis = _hits(toks, (*sc.dismiss, *sc.praise), ())
        need = _hits(toks, sc.need, [t for t in (*sc.dismiss, *sc.praise) if t.is_phrase])
        if sc.need_negators:  # "inga akuta behov", "behöver regionen inte": a dismissal
            nn = _hits(toks, sc.need_negated, ())
            nv = _hits(toks, sc.need_negated_verbs, ())
            ng = _hits(toks, sc.need_negators, sc.negation_exclude)
            pr = _hits(toks, sc.praise, ())
            vb = _hits(toks, sc.verbs, ()) if sc.verbs else [False] * len(toks)

            def nearest(i, step, window, block):
                for d in range(1, window + 1):
                    j = i + step * d
                    if not (0 <= j < len(toks)) or clause[j] != clause[i]:
                        return 0
                    if ng[j]:
                        return d
                    if block and vb[j]:
                        return 0
                return 0

            flips = []
            for i in range(len(toks)):
                if nn[i] or nv[i]:
                    before = nearest(i, -1, 3, True)
                    after = nearest(i, 1, 2, False) if nv[i] else 0
                    for k in range(before + 2 if before else 0):
                        if i - k >= 0:  # "har inte längre något behov": the words between too
                            need[i - k] = False
                    for k in range(after):
                        need[i + k] = False
                    if before or after:
                        dis[i] = True
                if pr[i] and nearest(i, -1, 3, True):
                    flips.append(i)  # "inte i gott skick": a need
            for i in flips:
                dis[i], need[i] = False, True
        has = lambda flags, k: any(f for f, cc in zip(flags, clause, strict=True) if cc == k)  # noqa: E731
        base = [has(dis, k) and not has(need, k) for k in range(n_cl)]
        if sc.negation and sc.corrective:
            neg = _hits(toks, sc.negation, sc.negation_exclude)
            for k in range(n_cl - 1):
                if toks[clause.index(k + 1)] in sc.corrective and has(neg, k) and not has(need, k):
                    base[k] = True
        all_pos = [*theme_pos.values(), *weak_pos.values(), *tele_pos.values()]
        # "an area of its own": priority areas and their sub-themes (every theme if none marked)
        prio = {t.id for t in cb.themes if t.priority_area}
        area_ids = [
            t.id for t in cb.themes if not prio or t.id in prio or prio & set(cb.ancestors(t.id))
        ]
        area_pos = [pos[t] for pos in (theme_pos, weak_pos, tele_pos) for t in area_ids if t in pos]
        supp = []
        for k in range(n_cl):
            s = base[k]
            nxt = toks[clause.index(k + 1)] if k + 1 < n_cl else None
            if nxt is not None and (nxt in sc.contrast or nxt in _COMMA):
                own_next = any(has(v, k + 1) for v in all_pos)
                area_next = any(has(v, k + 1) for v in area_pos)
                own = any(
                    has(v, k) for v in [*theme_pos.values(), *weak_pos.values(), *tele_pos.values()]
                )
                # a need after "men" or after a comma ("…, en styrka vi vill bygga vidare på")
                # revives the clause before; only "men" carries a dismissal back
                if s and has(need, k + 1) and not own_next:
                    s = False
                elif nxt in sc.contrast and base[k + 1] and not area_next and own:
                    s = True
            supp.append(s)
        neg_k = [has(neg, k) for k in range(n_cl)] if sc.negation and sc.corrective else None
        supp0 = list(supp)
        for k in range(n_cl - 1):
            # "X, det har blivit bättre": a dismissive continuation without a theme of its own
            # "El: vi har gott om el, inga problem.": after a colon even when it names a theme
            colon = toks[clause.index(k + 1)] == ":"
            if (
                (toks[clause.index(k + 1)] in _COMMA or colon)
                and supp0[k + 1]
                and (colon or not any(has(v, k + 1) for v in all_pos))
                and any(has(v, k) for v in all_pos)
                and not has(need, k)
            ):
                supp[k] = True
        # "Bra: krisberedskap, fiber.": a dismissive header without a theme of its own,
        # opening an answer or a sentence (not "men okej:"), dismisses the list after its colon
        opener = (*sc.contrast, *sc.corrective, *_COMMA, ":")
        header = [
            supp[k] and not any(has(v, k) for v in all_pos) and toks[clause.index(k)] not in opener
            for k in range(n_cl)
        ]
        for k in range(n_cl - 1):
            if header[k] and toks[clause.index(k + 1)] == ":" and not has(need, k + 1):
                supp[k + 1] = True
        for k in range(1, n_cl):
            # an asyndetic continuation of a dismissed clause is dismissed too
            quiet = not has(need, k) and not (neg_k and neg_k[k])
            if toks[clause.index(k)] in _COMMA and quiet and supp[k - 1]:
                supp[k] = True
        for v in [*theme_pos.values(), *weak_pos.values(), *tele_pos.values()]:
            for i in range(len(v)):
                if supp[clause[i]]:
                    v[i] = False
    n_words = sum(1 for t in toks if t not in _PUNCT + _COMMA and t not in sc.contrast)
    ev = cb.evidence
    out = {}
    for th in cb.themes:
        coded = any(theme_pos[th.id])
        if th.id in weak_pos:
            w = sum(weak_pos[th.id])
            coded |= w >= max(1, ev.weak_min_hits) or (w >= 1 and n_words <= ev.short_answer_tokens)
        if th.id in tele_pos:
            verb = _hits(toks, sc.verbs, ()) if sc.verbs else [False] * len(toks)
            for i, hit in enumerate(tele_pos[th.id]):
                # a telegraphic term counts in a short clause without a verb (a list item)
                if not hit:
                    continue
                span = [j for j in range(len(toks)) if clause[j] == clause[i]]
                n_cl_words = sum(
                    1 for j in span if toks[j] not in _PUNCT + _COMMA and toks[j] not in sc.contrast
                )
                if n_cl_words <= ev.short_answer_tokens and not any(verb[j] for j in span):
                    coded = True
        out[th.id] = coded
    return out


def code_texts_naive(
    texts: Sequence[str] | pd.Series,
    themes: ThemeCodebook | str | Path | None = None,
    questions: Sequence[str] | str | None = None,
) -> pd.DataFrame:
    """Reference implementation of :func:`analysis.text.coder.code_texts` (same result, slow).

    >>> code_texts_naive(["Kulturen fungerar bra.", "Vi saknar kultur."])["attraktion"].tolist()
    [0, 1]
    """
    cb = themes if isinstance(themes, ThemeCodebook) else load_themes(themes)
    index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
    texts = list(texts)
    if questions is None or isinstance(questions, str):
        questions = [questions] * len(texts)
    rows = []
    for text, q in zip(texts, list(questions), strict=True):
        row = _code_one(text if isinstance(text, str) else "", cb)
        for theme in cb.themes:
            if q is not None and theme.questions and q not in theme.questions:
                row[theme.id] = False
        for theme in cb.themes:
            if row[theme.id]:
                for a in cb.ancestors(theme.id):
                    row[a] = True
        rows.append([int(row[t]) for t in cb.ids])
    return pd.DataFrame(
        np.array(rows, dtype=np.int8).reshape(len(rows), len(cb)), index=index, columns=cb.ids
    )
