"""The person-name detector (capitalised pairs, cues, roles, lists, lower-case names) and own names."""

from __future__ import annotations

import functools
import re
import unicodedata

from analysis.data.pii.contact import _words  # noqa: F401
from analysis.data.pii.lexicon import (  # noqa: F401
    _BLOCK,
    _CAP,
    _COMPANY,
    _CONNECT,
    _CONT,
    _DETECTOR_RANK,
    _FN,
    _FOREIGN_LETTER,
    _FOREIGN_NAME,
    _HKEEP,
    _INIT,
    _LIST_WORDS,
    _NAME_SUFFIX_HINT,
    _NOUN_ENDINGS,
    _PART,
    _ROLE,
    _SKEEP,
    _SN,
    _STOP,
    _UPPER,
    _WORD,
    _names,
    _tokens,
)


def _eligible(t: list) -> bool:
    """A capitalised word that may be part of a name."""
    f = t[4]
    if f & _BLOCK or len(t[2]) < 2:
        return False
    return bool(f & (_CAP | _UPPER))


def _strong(f: int) -> bool:
    return bool(f & (_FN | _SN)) and not f & (_WORD | _SKEEP)


def _space_gap(n: str, a: list, b: list) -> bool:
    gap = n[a[1] : b[0]]
    return gap != "" and gap.isspace() and "\n" not in gap


def _runs(n: str, toks: list[list]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of capitalised words separated by spaces only."""
    runs = []
    i = 0
    m = len(toks)
    while i < m:
        if not _eligible(toks[i]):
            i += 1
            continue
        j = i + 1
        while j < m and _space_gap(n, toks[j - 1], toks[j]):
            if _eligible(toks[j]):
                j += 1
            elif (
                toks[j][4] & _PART
                and (not toks[j][4] & (_CAP | _UPPER) or toks[j][3] in ("von", "af", "van"))
                and j + 1 < m
                and _space_gap(n, toks[j], toks[j + 1])
                and (
                    _eligible(toks[j + 1])
                    or (
                        toks[j + 1][4] & _PART
                        and j + 2 < m
                        and _eligible(toks[j + 2])
                        and _space_gap(n, toks[j + 1], toks[j + 2])
                    )
                )
            ):
                j += 2 if _eligible(toks[j + 1]) else 3  # "Kalle von Essen", "Jean de la Fontaine"
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def _before_keep(n: str, toks: list[list], k: int) -> bool:
    """Whether word *k* is followed by a capitalised place or organisation ("Visit Umeå")."""
    if k + 1 >= len(toks):
        return False
    nxt = toks[k + 1]
    return bool(nxt[4] & _HKEEP and nxt[4] & (_CAP | _UPPER)) and _space_gap(n, toks[k], nxt)


def _after_keep(n: str, toks: list[list], k: int) -> bool:
    """Whether word *k* follows a capitalised place or organisation ("Google Meet")."""
    if k == 0:
        return False
    prev = toks[k - 1]
    return bool(prev[4] & _HKEEP and prev[4] & (_CAP | _UPPER)) and _space_gap(n, prev, toks[k])


def _after_cue(n: str, toks: list[list], k: int) -> tuple[int, int] | None:
    """The name right after cue word *k* ("ring Sigbritt", "rektor Ohlsson"): index range."""
    i = k + 1
    while i < len(toks) and i <= k + 2 and toks[i][3] in _CONNECT and not toks[i][4] & _CAP:
        i += 1
    if i >= len(toks):
        return None
    gap = n[toks[i - 1][1] : toks[i][0]]
    if len(gap) > 4 or any(c not in " \t\n:,-" for c in gap):
        return None
    t = toks[i]
    f = t[4]
    if _eligible(t) and not f & _SKEEP:
        if f & _UPPER:
            return None
        if not _strong(f) and _before_keep(n, toks, i):
            return None  # "kontakta Visit Umeå"
        if not f & (_FN | _SN) and t[3].endswith(_NOUN_ENDINGS):
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is None or not (_eligible(nxt) and _space_gap(n, t, nxt)):
                return None  # "Ring Kundtjänst", "kontakta Växeln"
        j = i + 1
        while (
            j < len(toks)
            and j < i + 3
            and _eligible(toks[j])
            and _space_gap(n, toks[j - 1], toks[j])
        ):
            j += 1
        return i, j
    if not f & (_CAP | _UPPER | _BLOCK | _WORD) and f & _FN and len(t[2]) > 2:
        j = i + 1
        if (
            j < len(toks)
            and _space_gap(n, t, toks[j])
            and _strong(toks[j][4])
            and not toks[j][4] & _BLOCK
        ):
            j += 1
        return i, j
    return None


def _before_role(n: str, toks: list[list], k: int) -> tuple[int, int] | None:
    """The name right before a role after a comma or parenthesis: "Nowak, handläggare"."""
    if k == 0:
        return None
    gap = n[toks[k - 1][1] : toks[k][0]]
    if gap.strip() not in (",", "(", "-", ", som", "som är") and gap.strip() != "":
        return None
    if gap.strip() == "":
        return None
    j = k
    i = j - 1
    if not _eligible(toks[i]) or toks[i][4] & _SKEEP:
        return None
    while (
        i - 1 >= 0 and i > j - 3 and _eligible(toks[i - 1]) and _space_gap(n, toks[i - 1], toks[i])
    ):
        i -= 1
    if i == j - 1 and toks[i][4] & _INIT and not toks[i][4] & (_FN | _SN):
        return None  # "Bra, rektor …"
    return i, j


def _names_in(n: str, keep: tuple[str, ...]) -> list[tuple[int, int, str]]:
    toks = _tokens(n, keep)
    if not toks:
        return []
    found: list[tuple[int, int, str]] = []  # token index ranges and detector

    # capitalised runs: "Sigbritt Ohlsson", "Anna-Karin Berg", "Wojciech Nowak" after a cue
    runs = _runs(n, toks)
    for i, j in runs:
        if j < len(toks) and toks[j][3] in _COMPANY and _space_gap(n, toks[j - 1], toks[j]):
            continue  # "Balder Nilsson AB": a company, not a person
        if toks[j - 1][3] in _COMPANY:
            continue
        fl = [t[4] for t in toks[i:j] if not t[4] & _PART or t[4] & (_CAP | _UPPER)]
        if len(fl) >= 2:
            if len(fl) > 4:
                continue  # a title-cased heading
            strong = sum(_strong(f) for f in fl)
            known = sum(bool(f & (_FN | _SN)) for f in fl)
            particle = any(t[3] in ("von", "af", "van") for t in toks[i:j])
            if strong >= 1 or known >= 2 or (particle and known):
                if fl[0] & _INIT and not fl[0] & (_FN | _SN) and fl[1] & _FN and len(fl) == 2:
                    i += 1  # "Igår Anna": only the name
                    found.append((i, j, "name-single"))
                    continue
                if all(f & _SKEEP or not f & (_FN | _SN) for f in fl) or (
                    strong == 0 and all(f & _SKEEP for f in fl if f & (_FN | _SN))
                ):
                    continue
                found.append((i, j, "name-pair"))
                continue
            if known == 0 and not fl[0] & _INIT and len(fl) <= 3:
                words = [t[3] for t in toks[i:j] if not t[4] & _PART]
                if any(_FOREIGN_NAME.search(w) for w in words):
                    found.append((i, j, "name-pair"))  # "… och Zbyszek Wróblewski"
                    continue
        # one word (or a run without a known name)
        for k in range(i, j):
            f = toks[k][4]
            if f & _SKEEP or not f & _FN and not f & _SN:
                continue
            if f & _UPPER:
                continue
            if not _strong(f) and (
                j - i > 1 or _before_keep(n, toks, k) or _after_keep(n, toks, k)
            ):
                continue  # "Science Park", "Smart Region Västerbotten", "Google Meet"
            if f & _FN and not f & _WORD:
                found.append((k, k + 1, "name-single"))
            elif not f & _INIT:
                found.append((k, k + 1, "name-single"))  # capitalised inside a sentence
            elif f & _SN and not f & _WORD and _NAME_SUFFIX_HINT.search(toks[k][3]):
                found.append((k, k + 1, "name-single"))

    m = len(toks)
    for k, t in enumerate(toks):
        f = t[4]
        if not f & (_ROLE | _CONT | _FN | _SN) and (k + 1 >= m or not toks[k + 1][4] & (_FN | _SN)):
            continue  # no rule below can start here
        # after a role or a contact verb: "kontakta Wojciech Szczęsny", "ring sigbritt"
        if f & (_ROLE | _CONT):
            span = _after_cue(n, toks, k)
            if span:
                found.append((*span, "name-cue"))
        # before a role: "Wojciech Nowak, handläggare"
        if f & _ROLE and not f & _CAP:
            span = _before_role(n, toks, k)
            if span:
                found.append((*span, "name-role"))
        # "Ohlsson, Sigbritt"
        if (
            f & _SN
            and f & _CAP
            and not f & (_BLOCK | _SKEEP)
            and k + 1 < len(toks)
            and n[t[1] : toks[k + 1][0]].strip() == ","
            and toks[k + 1][4] & _FN
            and toks[k + 1][4] & _CAP
            and not toks[k + 1][4] & (_BLOCK | _SKEEP)
        ):
            nxt = toks[k + 2] if k + 2 < len(toks) else None
            gap = n[toks[k + 1][1] : nxt[0]] if nxt else ""
            listing = nxt is not None and (
                gap.strip() == "," or nxt[3] in _LIST_WORDS or gap.strip() == "&"
            )
            if not listing:
                found.append((k, k + 2, "name-surname-first"))
        # lower-case names when both words are known: "sigbritt ohlsson", "svensson anna"
        if (
            not f & (_BLOCK | _SKEEP | _UPPER)
            and f & (_FN | _SN)
            and k + 1 < len(toks)
            and not f & _CAP
            and not toks[k + 1][4] & _CAP
            and _space_gap(n, t, toks[k + 1])
            and len(t[2]) > 2
        ):
            nxt = toks[k + 1]
            g = nxt[4]
            if (
                g & _PART
                and f & _FN
                and not f & _WORD
                and nxt[3] in ("von", "af", "van")
                and k + 2 < len(toks)
                and _space_gap(n, nxt, toks[k + 2])
                and not toks[k + 2][4] & (_BLOCK | _SKEEP)
            ):
                found.append((k, k + 3, "name-lower"))  # "kerstin von döbeln"
            elif (
                not g & (_BLOCK | _SKEEP | _UPPER)
                and ((f & _FN and g & _SN) or (f & _SN and g & _FN))
                and len(nxt[2]) > 2
                and (
                    not (f | g) & _WORD
                    or (not g & _WORD and f & _FN and _NAME_SUFFIX_HINT.search(nxt[3]))
                    or (not f & _WORD and f & _SN and _NAME_SUFFIX_HINT.search(t[3]))
                )
            ):
                j = k + 2
                if (
                    j < len(toks)
                    and _space_gap(n, toks[j - 1], toks[j])
                    and toks[j][4] & _SN
                    and not toks[j][4] & (_BLOCK | _WORD | _SKEEP | _UPPER)
                ):
                    j += 1
                found.append((k, j, "name-lower"))
            elif (
                not g & (_BLOCK | _SKEEP | _UPPER | _WORD | _FN | _SN)
                and len(nxt[2]) > 3
                and f & _FN
                and not f & _WORD
                and _NAME_SUFFIX_HINT.search(nxt[3])
            ):
                found.append((k, k + 2, "name-lower"))  # "sigrid tjärnström"
        # lower-case pair with letters of another language: "ánte kuhmunen", "máret sunna"
        if (
            not f & (_BLOCK | _SKEEP | _UPPER | _CAP)
            and k + 1 < len(toks)
            and not toks[k + 1][4] & (_BLOCK | _SKEEP | _UPPER | _CAP)
            and _space_gap(n, t, toks[k + 1])
            and min(len(t[2]), len(toks[k + 1][2])) > 2
            and (f | toks[k + 1][4]) & (_FN | _SN)
            and _FOREIGN_LETTER.search(t[3] + toks[k + 1][3])
        ):
            found.append((k, k + 2, "name-lower"))

    # lists of first names: "Per, Lena och Ahmed"
    found.extend(_lists(n, toks, runs))

    # index ranges → character spans, overlapping ones merged
    spans = sorted((toks[i][0], toks[j - 1][5], d) for i, j, d in found if j > i)
    merged: list[tuple[int, int, str]] = []
    for s, e, d in spans:
        if merged and s < merged[-1][1]:
            ps, pe, pd = merged[-1]
            merged[-1] = (ps, max(pe, e), min(pd, d, key=_DETECTOR_RANK.__getitem__))
        else:
            merged.append((s, e, d))
    return merged


def _lists(n: str, toks: list[list], runs: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    out = []
    if len(runs) < 2:
        return out
    chain: list[tuple[int, int]] = [runs[0]]

    def flush():
        fns = sum(any(toks[k][4] & _FN for k in range(i, j)) for i, j in chain)
        if len(chain) >= 2 and fns >= 2:
            for i, j in chain:
                named = any(toks[k][4] & _FN for k in range(i, j)) or not toks[i][4] & _INIT
                if named and not all(toks[k][4] & _SKEEP for k in range(i, j)):
                    out.append((i, j, "name-list"))

    for prev, cur in zip(runs, runs[1:], strict=False):
        between = toks[prev[1] : cur[0]]
        gap_text = n[toks[prev[1] - 1][1] : toks[cur[0]][0]]
        joined = (not between and gap_text.strip() in (",", "&", "/")) or (
            len(between) == 1
            and between[0][3] in _LIST_WORDS
            and n[toks[prev[1] - 1][1] : between[0][0]].strip() in ("", ",")
        )
        if joined and "\n" not in gap_text:
            chain.append(cur)
        else:
            flush()
            chain = [cur]
    flush()
    return out


# --------------------------------------------------------------------------- own names

_NOT_NAMES = frozenset(
    _words(
        """
        anonym anonymous anon ej nej ingen inget vill uppge okänd unknown namn name none null na
        test person respondent info kontakt kansli registrator
        """
    )
)


@functools.lru_cache(maxsize=4096)
def _own_pattern(own: tuple[str, ...]) -> re.Pattern | None:
    """Pattern for a respondent's own name and e-mail local part (see :func:`mask`)."""
    res = _names()
    loose: set[str] = set()
    capital: set[str] = set()

    def add(token: str) -> None:
        token = token.strip(".-'")
        if len(token) < 2 or not token.replace("-", "").isalpha():
            return
        cf = token.casefold()
        if cf in _NOT_NAMES:
            return
        if cf in res.words or cf in _STOP:
            capital.add(token[0].upper() + token[1:].lower())
        else:
            loose.add(re.escape(token))

    for value in own:
        if not isinstance(value, str) or not value.strip():
            continue
        value = unicodedata.normalize("NFKC", value).strip()
        if "@" in value:
            value = value.split("@", 1)[0]
            if len(value) >= 3 and value.casefold() not in _NOT_NAMES:
                loose.add(re.escape(value))
            value = re.sub(r"[._+\d]+", " ", value)
        words = [w.strip(".-'") for w in re.split(r"[\s,;()/]+", value) if w.strip(".-'")]
        for word in words:
            add(word)
            for part in word.split("-") if "-" in word else ():
                add(part)
        whole = [re.escape(w) for w in words if w.casefold() not in _NOT_NAMES]
        if len(whole) >= 2:
            loose.add(r"\s+".join(whole))
            loose.add(r"\s+".join(whole[::-1]))
    alts = []
    if loose:
        alts.append("(?i:" + "|".join(sorted(loose, key=len, reverse=True)) + ")")
    if capital:
        alts.append("|".join(sorted(map(re.escape, capital), key=len, reverse=True)))
    if not alts:
        return None
    return re.compile(rf"(?<![\w@.])(?:{'|'.join(alts)})(?::?s|')?(?![\w@])")
