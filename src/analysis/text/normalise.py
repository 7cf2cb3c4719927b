"""Swedish text normalisation and term matching that survives inflection and compounds.

Swedish writes compounds as one word (``bostadsbyggandet``, ``kompetensförsörjningen``,
``elnätet``) and inflects with endings (``järnvägarna``). A theme term therefore has to match
inside tokens — but only at plausible boundaries, so that ``kommun`` does not match
``kommunikation`` or ``kommunala``.

Term syntax (used in ``themes.yaml``)
-------------------------------------
``ord``
    *compound part* (default): the word on its own with an inflection ending, or as a part of a
    compound. Before it: nothing or a known word (optionally with a linking ``s``); after it:
    nothing, an inflection ending, or (after an optional linking letter) a known word of at least
    four letters or a curated short part (``nät``, ``väg`` …).
``=ord``
    *exact*: the word on its own with an inflection ending, never inside a compound.
``ord*``
    *prefix*: any token that starts with the word (at token start or after a known compound
    modifier).
``*ord``
    *head*: any token that ends with the word plus an inflection ending (``*nät`` matches
    ``elnätet`` and ``stadsnät``).
``ord1 ord2``
    *phrase*: consecutive tokens; every word but the last matches exactly (inflected), the last
    one follows its own marker.

"Known word" means known to simplemma's Swedish dictionary or in :data:`KNOWN_PARTS`.

>>> tokenize("Järnvägarna och E4:an – bostadsbyggandet!")
['järnvägarna', 'och', 'e4', 'an', 'bostadsbyggandet']
>>> word_matches("järnvägarna", "järnväg", "compound")
True
>>> word_matches("kommunikation", "kommun", "compound")
False
>>> word_matches("bostadsbyggandet", "bostad", "compound")
True
>>> word_matches("elnätet", "nät", "head")
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Token pattern: runs of letters (incl. Swedish and a few loan-letters) and digits.
TOKEN_RE = re.compile(r"[0-9a-zåäöéèüáàæøçñ]+")

#: Inflection endings accepted after a term (nouns, adjectives, verbs; genitive ``s``).
INFLECTIONS: frozenset[str] = frozenset(
    [
        "",
        "s",
        "n",
        "t",
        "a",
        "e",
        "r",
        "en",
        "et",
        "na",
        "ns",
        "ts",
        "ar",
        "er",
        "or",
        "ande",
        "arna",
        "erna",
        "orna",
        "arnas",
        "ernas",
        "ornas",
        "ens",
        "ets",
        "nas",
        "as",
        "es",
        "are",
        "ast",
        "aste",
        "ade",
        "at",
        "ad",
        "ads",
        "ades",
        "de",
        "te",
        "des",
        "ren",
        "rna",
        "rnas",
        "ing",
        "ingen",
        "ingar",
        "ingarna",
    ]
)

#: Letters that may link the parts of a compound (``bostad-s-byggande``, ``skol-a`` dropped …).
LINKING = ("", "s", "e", "a", "u", "o")

#: Curated short compound parts (fewer than four letters) that may follow a modifier.
SHORT_PARTS: frozenset[str] = frozenset(
    [
        "nät",
        "näten",
        "nätet",
        "väg",
        "vägar",
        "vägen",
        "tåg",
        "bil",
        "bud",
        "hus",
        "ort",
        "orter",
        "lag",
        "fond",
        "råd",
        "tid",
        "mål",
        "plan",
        "gas",
        "bro",
        "ved",
        "arv",
        "kö",
        "köer",
        "zon",
        "zoner",
        "fall",
        "lån",
        "län",
        "nod",
        "noder",
        "ras",
        "hamn",
    ]
)

#: Curated words treated as known even if simplemma does not list them (domain vocabulary).
KNOWN_PARTS: frozenset[str] = frozenset(
    [
        "el",
        "elnät",
        "nät",
        "väg",
        "tåg",
        "buss",
        "flyg",
        "hamn",
        "bredband",
        "fiber",
        "stadsnät",
        "vätgas",
        "laddinfrastruktur",
        "laddstolpe",
        "laddning",
        "kompetens",
        "försörjning",
        "bostad",
        "bygg",
        "byggande",
        "byggnad",
        "plan",
        "planering",
        "detaljplan",
        "översiktsplan",
        "vatten",
        "avlopp",
        "va",
        "reningsverk",
        "kraft",
        "vindkraft",
        "vattenkraft",
        "energi",
        "trafik",
        "kollektivtrafik",
        "skolskjuts",
        "järnväg",
        "godstrafik",
        "logistik",
        "industri",
        "etablering",
        "näringsliv",
        "företag",
        "tillstånd",
        "process",
        "kultur",
        "fritid",
        "turism",
        "besök",
        "beredskap",
        "försvar",
        "kris",
        "region",
        "kommun",
        "samverkan",
        "projekt",
        "finansiering",
        "utbildning",
        "lärcentra",
        "universitet",
        "mobiltäckning",
        "täckning",
        "e-tjänst",
        "digital",
    ]
)

# Irregular inflections the ending rules cannot produce: form -> base.
IRREGULAR: dict[str, str] = {
    "bostäder": "bostad",
    "bostäderna": "bostad",
    "städer": "stad",
    "städerna": "stad",
    "länder": "land",
    "länderna": "land",
    "vattnet": "vatten",
    "vattnets": "vatten",
    "behov": "behov",
    "möjligheter": "möjlighet",
    "orter": "ort",
    "tätorter": "tätort",
    "män": "man",
    "kvinnor": "kvinna",
    "större": "stor",
    "störst": "stor",
    "bättre": "bra",
    "bäst": "bra",
    "sämre": "dålig",
    "sämst": "dålig",
}

MODES = ("compound", "exact", "prefix", "head")
_MIN_PART = 4  # a following compound part must have this many letters unless curated


def normalize(text: object) -> str:
    """Lowercase, NFC-normalise and clean one text (``None``/NaN → ``""``).

    Soft hyphens and zero-width characters are removed; typographic apostrophes and dashes
    are unified.

    >>> normalize("  A\\u0308r JÄRNVÄG\\u00adEN ")
    'är järnvägen'
    >>> normalize(None)
    ''
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        try:
            if text != text:  # NaN
                return ""
        except (TypeError, ValueError):  # pragma: no cover
            pass
        text = str(text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00ad", "").replace("\u200b", "").replace("\ufeff", "")
    text = text.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.lower().split())


def tokenize(text: object) -> list[str]:
    """Split a text into normalised word tokens.

    >>> tokenize("Elnätet, VA-frågor och 5G-täckning")
    ['elnätet', 'va', 'frågor', 'och', '5g', 'täckning']
    """
    return TOKEN_RE.findall(normalize(text))


@lru_cache(maxsize=200_000)
def is_known_word(s: str) -> bool:
    """True if ``s`` (any inflection) is a Swedish word per simplemma or :data:`KNOWN_PARTS`.

    >>> is_known_word("byggandet"), is_known_word("ikation")
    (True, False)
    """
    if not s:
        return False
    if s in KNOWN_PARTS or s in IRREGULAR:
        return True
    from analysis.text.lexicon import lexicon

    # simplemma's answer, from the cached index of its keys (analysis.text.lexicon: read in
    # milliseconds instead of simplemma's 0.3 s per process; same answers)
    return lexicon().is_known(s)


@lru_cache(maxsize=200_000)
def is_wordlike(s: str, depth: int = 1) -> bool:
    """True if ``s`` is a known word, or (``depth`` levels deep) a compound of known words.

    >>> is_wordlike("bostadsbyggnadsprojekt")
    True
    >>> is_wordlike("ikationer")
    False
    """
    if is_known_word(s):
        return True
    if depth <= 0:
        return False
    for i in range(2, len(s) - 2):
        left, right = s[:i], s[i:]
        left_ok = is_known_word(left) or (
            left[-1] in "seaou" and len(left) > 2 and is_known_word(left[:-1])
        )
        if left_ok and len(right) >= 3 and is_wordlike(right, depth - 1):
            return True
    return False


def _is_modifier_prefix(prefix: str) -> bool:
    """Can ``prefix`` stand before a compound head (``detalj``, ``bredbands``, ``el``)?"""
    if not prefix:
        return True
    if len(prefix) < 2:
        return False
    if is_wordlike(prefix):
        return True
    return prefix[-1] == "s" and len(prefix) > 2 and is_wordlike(prefix[:-1])


def _is_following(rest: str) -> bool:
    """Can ``rest`` follow a word inside one token (inflection or a further compound part)?"""
    if rest in INFLECTIONS:
        return True
    for link in LINKING:
        if not rest.startswith(link):
            continue
        part = rest[len(link) :]
        if part in SHORT_PARTS:
            return True
        if len(part) >= _MIN_PART and is_wordlike(part):
            return True
    return False


def word_forms(word: str) -> tuple[str, ...]:
    """The stems under which ``word`` is searched (stem-changing variants included).

    ``vatten`` → ``vattn`` (vattnet), ``skola`` → ``skol`` (skolor, skolskjuts),
    ``samhälle`` → ``samhäll`` (samhällsbyggnad).

    >>> word_forms("vatten")
    ('vatten', 'vattn')
    >>> word_forms("skola")
    ('skola', 'skol')
    """
    forms = [word]
    if len(word) >= 5 and word[-2:] in ("el", "en", "er") and word[-3] not in "aeiouyåäö":
        forms.append(word[:-2] + word[-1])
    if len(word) >= 5 and word[-1] in "ae":
        forms.append(word[:-1])
    return tuple(dict.fromkeys(forms))


def word_matches(token: str, word: str, mode: str = "compound") -> bool:
    """Does ``token`` contain ``word`` according to ``mode`` (see module docstring)?

    >>> word_matches("kompetensförsörjningen", "kompetensförsörjning")
    True
    >>> word_matches("kommunala", "kommun")
    False
    >>> word_matches("kommunernas", "kommun", "exact")
    True
    >>> word_matches("stadsnätet", "nät", "compound")
    True
    >>> word_matches("vägledning", "väg")  # väg + ledning: a real compound split, hence
    True
    >>> # themes.yaml lists "vägled*" under exclude for the road themes
    >>> word_matches("planet", "plan", "exact")
    False
    """
    return _word_matches(token, word, mode)


@lru_cache(maxsize=1 << 18)
def _word_matches(token: str, word: str, mode: str) -> bool:
    # Pure in its arguments (the lexicons are constants), so memoised: the actor-stance scorer
    # asks the same (token, cue) pairs hundreds of thousands of times per report.
    base = IRREGULAR.get(token)
    if base is not None and base == word:
        return True
    for form in word_forms(word):
        start = token.find(form)
        while start != -1:
            if _accept(token, form, start, mode, is_variant=form != word):
                return True
            start = token.find(form, start + 1)
    return False


_EXACT_BLOCK: dict[str, frozenset[str]] = {
    # endings that turn a word into a different word ("planet" is the airplane / the level)
    "plan": frozenset({"et", "ets"}),
    # "va" (vatten och avlopp) is only the bare abbreviation: "vana", "var", "vad" are other words
    "va": INFLECTIONS - {""},
    # "e" (as in "e tjänst", "e-tjänst") is only the bare letter: "en tjänst" is no e-service
    "e": INFLECTIONS - {""},
}


def _accept(token: str, form: str, start: int, mode: str, is_variant: bool) -> bool:
    prefix = token[:start]
    rest = token[start + len(form) :]
    if is_variant and rest in ("", "s"):
        # a stem variant ("vattn", "skol") never stands alone
        return False
    if mode == "prefix":
        return _is_modifier_prefix(prefix)
    if mode == "exact":
        return not prefix and rest in INFLECTIONS and rest not in _EXACT_BLOCK.get(form, ())
    if mode == "head":
        return rest in INFLECTIONS
    # compound part
    if not _is_modifier_prefix(prefix):
        return False
    if not prefix and rest in _EXACT_BLOCK.get(form, ()):
        return False
    return _is_following(rest)


@dataclass(frozen=True)
class Term:
    """One parsed term: ``words`` (normalised) and the matching ``mode`` of the last word."""

    text: str
    words: tuple[str, ...]
    mode: str

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def slot_mode(self, i: int) -> str:
        """Matching mode of word ``i`` (phrase words before the last match exactly)."""
        return self.mode if i == len(self.words) - 1 else "exact"

    def matches_token(self, token: str) -> bool:
        """Single-word terms only: does the token match?"""
        return len(self.words) == 1 and word_matches(token, self.words[0], self.mode)


def parse_term(text: str) -> Term:
    """Parse the term syntax of the module docstring.

    >>> parse_term("=Kommun")
    Term(text='=Kommun', words=('kommun',), mode='exact')
    >>> parse_term("vatten och avlopp*").words
    ('vatten', 'och', 'avlopp')
    >>> parse_term("*nät").mode
    'head'
    """
    raw = normalize(text)
    mode = "compound"
    if raw.startswith("="):
        mode, raw = "exact", raw[1:]
    elif raw.startswith("*"):
        mode, raw = "head", raw[1:]
    if raw.endswith("*"):
        if mode != "compound":
            raise ValueError(
                f"term {text!r}: combine at most one of '=', leading '*', trailing '*'"
            )
        mode, raw = "prefix", raw[:-1]
    words = tuple(TOKEN_RE.findall(raw))
    if not words:
        raise ValueError(f"term {text!r} has no letters")
    return Term(text=text, words=words, mode=mode)


def split_sentences(text: object) -> list[str]:
    """Split an answer into sentences / clauses (on . ! ? ; newline and bullet marks).

    >>> split_sentences("Bra dialog. Men långa ledtider!  Ingen kontakt med LFV")
    ['Bra dialog.', 'Men långa ledtider!', 'Ingen kontakt med LFV']
    """
    if text is None or (not isinstance(text, str) and text != text):
        return []
    parts = re.split(r"(?<=[.!?;])\s+|\n+|\s*[•·]\s*", str(text).strip())
    return [p.strip() for p in parts if p and p.strip()]
