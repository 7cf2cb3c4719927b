"""Spelling tolerance for theme terms: missing diacritics and one-letter typos.

Officials type fast: ``kompetensforsorjning``, ``socialtjanst``, ``vagar``, ``klimatanpasning``.
Two rules make such tokens match the codebook's terms, both decided **once per unique token**
(the coder caches the result in its vocabulary, so the cost does not grow with the number of
answers):

* **folding** — a token without any of ``å ä ö é`` that is not itself a Swedish word (simplemma's
  dictionary) is compared with the term *folded* (``å``/``ä`` → ``a``, ``ö`` → ``o``,
  ``é`` → ``e``). ``vag`` (vague), ``tag`` and ``far`` are real words and therefore never read as
  ``väg``, ``tåg`` or ``får``;
* **one edit on long words** — a token of at least :data:`MIN_TYPO_LEN` letters that is not a
  Swedish word, minus an inflection ending, within Damerau–Levenshtein distance 1 of a (folded)
  term word of at least :data:`MIN_TYPO_LEN` letters. Candidates come from a deletion index
  (every word with one letter deleted), then the distance is verified.

>>> fold("Kompetensförsörjning på väg")
'Kompetensforsorjning pa vag'
>>> damerau1("klimatanpasning", "klimatanpassning"), damerau1("planering", "planerare")
(True, False)
>>> idx = TypoIndex(["klimatanpassning", "socialtjänst"])
>>> idx.lookup("klimatanpasningen"), idx.lookup("socialtjnst")
(['klimatanpassning'], ['socialtjänst'])
>>> idx.lookup("kommunerna")
[]
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from analysis.text.normalise import INFLECTIONS, KNOWN_PARTS, is_known_word

#: Letters folded away when a text is typed without Swedish diacritics.
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "á": "a"})
#: Letters whose absence marks a token as possibly folded.
DIACRITICS = frozenset("åäöé")
#: Minimum length (letters) of both a term word and a token for typo tolerance.
MIN_TYPO_LEN = 8
#: Minimum length of a folded token (shorter ones are too ambiguous: vag, mal, lan).
MIN_FOLD_LEN = 5
#: Short function words typed without diacritics, read as the word they nearly always stand for
#: in survey answers, so that phrases match ("ar pa plats" = "är på plats"). Ambiguous ones (vag,
#: mal, lan, sa, har) are left out.
SHORT_FOLDED: dict[str, str] = {
    "ar": "är",
    "pa": "på",
    "nar": "när",
    "ga": "gå",
    "gar": "går",
    "fa": "få",
    "far": "får",
    "tva": "två",
    "da": "då",
    "dar": "där",
    "fran": "från",
    "aven": "även",
    "annu": "ännu",
    "sma": "små",
    "for": "för",
}

_ENDINGS = sorted(INFLECTIONS, key=len, reverse=True)
_ENDING_LENGTHS = sorted({len(e) for e in INFLECTIONS}, reverse=True)


def fold(text: str) -> str:
    """Remove Swedish diacritics (``å``/``ä`` → ``a``, ``ö`` → ``o``, ``é`` → ``e``).

    >>> fold("Västerbottens läns förnybara energi")
    'Vasterbottens lans fornybara energi'
    """
    return text.translate(_FOLD)


@lru_cache(maxsize=200_000)
def is_real_word(token: str) -> bool:
    """True if ``token`` is a Swedish word as written (then it is never "corrected").

    >>> is_real_word("vag"), is_real_word("vagar"), is_real_word("socialtjanst")
    (True, False, False)
    """
    return token in KNOWN_PARTS or is_known_word(token)


def may_be_folded(token: str) -> bool:
    """Could ``token`` be a Swedish word typed without diacritics?

    >>> may_be_folded("vagarna"), may_be_folded("vägarna"), may_be_folded("tagen")
    (True, False, False)
    """
    return (
        len(token) >= MIN_FOLD_LEN
        and not (DIACRITICS & set(token))
        and not token.isdigit()
        and not is_real_word(token)
    )


def damerau1(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or
    swap of two neighbouring letters.

    >>> damerau1("digitaliserng", "digitalisering"), damerau1("abcd", "abdc"), damerau1("ab", "ba")
    (True, True, True)
    >>> damerau1("abxd", "abdy")
    False
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def _deletes(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class TypoIndex:
    """Deletion index over long term words (folded) for one-edit lookups.

    ``lookup(token)`` returns the indexed words (as given) that the token may be a misspelt
    (or folded), possibly inflected form of. Tokens that are real Swedish words or shorter than
    ``MIN_TYPO_LEN - 1`` never match (a token of ``MIN_TYPO_LEN - 1`` letters only as a deletion
    typo of a longer term word).
    """

    def __init__(self, words: Iterable[str]):
        self.words: dict[str, list[str]] = {}
        self._index: dict[str, set[str]] = {}
        for w in dict.fromkeys(words):
            f = fold(w)
            if len(f) < MIN_TYPO_LEN:
                continue
            self.words.setdefault(f, []).append(w)
            for d in _deletes(f):
                self._index.setdefault(d, set()).add(f)
        # one edit in a word of >= 8 letters leaves its first four or its last three letters
        # intact: a cheap, exact pre-filter before the dictionary and deletion look-ups
        self._heads = {f[:4] for f in self.words}
        self._tails = {f[-3:] for f in self.words}

    def __bool__(self) -> bool:
        return bool(self.words)

    def lookup(self, token: str) -> list[str]:
        """Indexed words within one edit of ``token`` minus an inflection ending."""
        # a token one letter shorter than a long term ("bredban") can only be a deletion typo
        if len(token) < MIN_TYPO_LEN - 1 or not self.words:
            return []
        ft = fold(token)
        stems = []
        for k in _ENDING_LENGTHS:
            if k >= len(ft) or ft[len(ft) - k :] not in INFLECTIONS:
                continue
            stem = ft[: len(ft) - k]
            if len(stem) >= MIN_TYPO_LEN - 1 and (
                stem[:4] in self._heads or stem[-3:] in self._tails
            ):
                stems.append(stem)
        if not stems or is_real_word(token):
            return []
        found: dict[str, None] = {}
        for stem in stems:
            cands: set[str] = set()
            for d in _deletes(stem):
                cands |= self._index.get(d, set())
            for c in cands:
                if damerau1(stem, c):
                    for w in self.words[c]:
                        found[w] = None
        return list(found)
