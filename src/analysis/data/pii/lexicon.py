"""Name resources and token classification for the person-name detector."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from itertools import accumulate

from analysis.data.pii.contact import _STOP, RESOURCES, _words  # noqa: F401

# --------------------------------------------------------------------------- names

"""Function words, everyday words and the adjectives that begin the names of organisations and
places ("Svenska kyrkan", "Norra Västerbotten"): never a name (in Swedish and English)."""

_ROLES = frozenset(
    _words(
        """
        kommunchef kommundirektör förvaltningschef enhetschef avdelningschef verksamhetschef
        sektionschef skolchef socialchef ekonomichef personalchef hr-chef it-chef kulturchef
        näringslivschef planeringschef chef chefen vd ordförande ordföranden vice rektor rektorn
        biträdande handläggare handläggaren handläggarna samordnare samordnaren projektledare
        projektledaren projektledarna koordinator koordinatorn sekreterare sekreteraren
        kommunalråd kommunalrådet regionråd regionrådet oppositionsråd oppositionsrådet
        politiker politikern näringslivsutvecklare utvecklingsledare utvecklare strateg
        strategen tjänsteperson tjänstepersonen tjänsteman tjänstemannen kontaktperson
        kontaktpersonen kollega kollegan kollegor kollegorna medarbetare medarbetaren handledare
        handledaren lärare läraren doktor dr professor prof docent fru herr hr mr mrs ms ombud
        ombudsman ledamot ledamoten landshövding landshövdingen länsråd generaldirektör gd
        ansvarig ansvarige sjuksköterska läkare läkaren socialsekreterare boendestödjare ekonom
        controller assistent assistenten receptionist vaktmästare konsult konsulten expert
        experten utredare utredaren planerare arkitekt ingenjör registrator direktör direktören
        grundare grundaren ägare ägaren föreståndare talesperson pressekreterare kanslichef
        stabschef utvecklingschef kommunikatör kommunikatören coach mentor mentorn kontakt
        rådgivare rådgivaren företagare
        """
    )
)
"""Roles and titles before (or, after a comma, behind) a person's name."""

_CONTACT = frozenset(
    _words(
        """
        kontakta kontaktade kontaktat kontaktar ring ringa ringde ringt ringer mejla mejlade
        mejlat mejlar maila mailade mailat mailar sms:a smsa fråga frågade frågat frågar träffa
        träffade träffat träffar prata pratade pratat pratar tala talade talat talar tacka
        tackar tackade hälsa hälsar hälsningar hälsning mvh vh heter hette kallas skriv skrev
        skriver
        """
    )
)
"""Verbs and closings after which a capitalised word is taken to be a name."""

_COMPANY = frozenset(
    _words("ab hb kb oy oyj as asa aps gmbh ltd inc llc plc bv sa srl spa co corp")
)
"""Company-form words after a name that make it a company's name ("Balder Nilsson AB")."""
_CONNECT = frozenset(
    _words(
        """
        till med på åt hos och från via
        """
    )
)
_LIST_WORDS = frozenset(
    _words(
        """
        och samt eller and or
        """
    )
)
_ORG_SUFFIXES = (
    "verket", "myndigheten", "styrelsen", "kassan", "inspektionen", "nämnden", "rådet",
    "förbundet", "institutet", "fonden", "universitet", "universitetet", "högskolan",
    "akademien", "byrån", "banken", "bolaget", "gruppen", "huset", "centret", "centrum",
    "kommun", "kommunen", "regionen", "landstinget", "skolan", "gymnasiet", "kyrkan",
    "föreningen", "stiftelsen", "museet", "museum", "teatern", "biblioteket", "sjukhuset",
    "kliniken", "energi", "bostäder", "fastigheter", "hamn", "hamnen", "trafik", "tjänst",
    "tjänsten", "partiet", "kammaren", "departementet", "kansliet", "kontoret", "enheten",
    "avdelningen", "förvaltningen", "projektet", "nätverket", "länet", "staden", "byn",
)  # fmt: skip
_NOUN_ENDINGS = (
    "en", "et", "na", "ning", "het", "else", "skap", "ande", "ende", "tion", "ism", "tjänst",
    "jour", "central", "akut", "portal", "kontor", "support", "service", "info", "desk",
)  # fmt: skip
"""Endings of Swedish nouns (definite forms, abstract nouns): an unknown capitalised word with
one of them after "ring"/"kontakta" is a service, not a person."""
_FOREIGN_LETTER = re.compile(r"[łęąśćżźńőűčšžğşıățøæñřůđŋŧá]")
_FOREIGN_NAME = re.compile(
    r"[łęąśćżźńőűčšžğşıățøæñřůđŋŧá]|(?:ski|ska|cki|wicz|nen|ić|ovi[cć]|oglu|oğlu|zadeh|pour|"
    r"yan|ian|ova|ová|sson|poulos|escu|enko|chuk|shvili)(?:\s|$)"
)
"""Letters and endings typical of people's names from other languages ("Wróblewski",
"Kuhmunen", "Hadžić"): two unknown capitalised words inside a sentence with one of them are a
name."""
_NAME_SUFFIX_HINT = re.compile(
    r"(?:s?son|sen|berg|ström|qvist|kvist|gren|lund|strand|holm|dahl|din|lin|ander|ius|blad|"
    r"stedt|ell|ér|én|ić|ic|ski|ska|nen|la|lä|oglu|zadeh|pour|ian|yan|ova|ov|ev|eva)$"
)
_TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*(?::s(?![^\W\d_]))?")
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")

# token flags
_CAP, _UPPER, _FN, _SN, _WORD, _STOPF, _HKEEP, _SKEEP, _ROLE, _CONT, _ORG, _INIT, _PART, _INERT = (
    1 << i for i in range(14)
)
_PARTICLES = frozenset(
    _words("von af van de der den da di du la le del della dos das al el bin ibn ben zu ter ten")
)
"""Lower-case particles inside a name ("Ulla-Britt von Post", "Anna de Souza")."""
_ROLE_SUFFIXES = tuple(
    r for r in _ROLES if len(r) >= 5 and r not in {"kontakt", "expert", "experten", "ägare"}
)


@dataclass(frozen=True)
class _Names:
    first: frozenset[str]
    sur: frozenset[str]
    words: frozenset[str]
    keep_tokens: frozenset[str]
    soft_keep: frozenset[str]
    keep_phrases: tuple[str, ...]
    phrase_words: frozenset[str]


_ASCII_FOLD = str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE")


@functools.lru_cache(maxsize=1)
def _names() -> _Names:
    """The name lists and the default keep list, loaded once."""

    def load(name: str):
        with (RESOURCES / name).open(encoding="utf-8") as fh:
            return json.load(fh)

    first = frozenset(n.casefold() for n in load("first_names.json"))
    sur = frozenset(n.casefold() for n in load("surnames.json"))
    words = frozenset(load("name_words.json"))
    keep = load("keep_sv.json")
    tokens: set[str] = set()
    phrases: list[str] = []
    soft: set[str] = set()
    for group, entries in keep.items():
        if group.startswith("_"):
            continue
        for entry in entries:
            spellings = {entry}
            if group in ("municipalities", "places"):
                spellings.add(entry.translate(_ASCII_FOLD))  # "Umea", "Skelleftea"
            for spelling in spellings:
                cf = spelling.casefold()
                if " " in cf:
                    phrases.append(spelling)
                    continue
                tokens.add(cf)
                if group in ("municipalities", "places") and (cf in first or cf in sur):
                    soft.add(cf)
    return _Names(
        first=first,
        sur=sur,
        words=words,
        keep_tokens=frozenset(tokens),
        soft_keep=frozenset(soft - {"sverige", "stockholm", "göteborg", "malmö", "europa"}),
        keep_phrases=tuple(phrases),
        phrase_words=frozenset(w.casefold() for p in phrases for w in _TOKEN.findall(p)),
    )


@functools.lru_cache(maxsize=64)
def _keep_matcher(
    keep: tuple[str, ...],
) -> tuple[dict[str, tuple[tuple[str, ...], ...]], frozenset[str], frozenset[str]]:
    """(multi-word keep phrases as casefolded words, by first word; casefolded single keep words;
    every casefolded word of the caller's keep) for a keep tuple."""
    res = _names()
    user_tokens = {k.casefold() for k in keep if len(_TOKEN.findall(k)) == 1}
    by_head: dict[str, set[tuple[str, ...]]] = {}
    for phrase in (*res.keep_phrases, *keep):
        words = tuple(w.casefold() for w in _TOKEN.findall(phrase))
        if len(words) > 1:
            by_head.setdefault(words[0], set()).add(words)
    phrases = {head: tuple(sorted(group, key=len, reverse=True)) for head, group in by_head.items()}
    user_words = {w.casefold() for k in keep for w in _TOKEN.findall(k)}
    return phrases, frozenset(user_tokens), frozenset(user_words)


def _base(cf: str, known: frozenset[str], known2: frozenset[str]) -> str:
    """The casefolded token without a genitive ending ("ohlssons" → "ohlsson")."""
    if cf.endswith((":s", "'s")):
        return cf[:-2]
    if cf.endswith("s") and cf not in known and cf not in known2:
        stem = cf[:-1]
        if stem in known or stem in known2:
            return stem
    return cf


def _in(cf: str, names: frozenset[str]) -> bool:
    if cf in names:
        return True
    if "-" in cf:
        parts = cf.split("-")
        return all(p in names for p in parts if p)
    return False


def _initial(gap: str, first: bool) -> bool:
    """Whether a capitalised word after *gap* (the text since the previous word) begins a
    sentence."""
    stripped = gap.strip(" \t\r\n\"'«»()[]*•·->–—")
    if stripped:
        return stripped[-1] in ".!?"
    return first or "\n" in gap


_WORD_CACHE: dict[str, tuple[str, str, int, int]] = {}
_SKIP: set[str] = set()
"""Words whose flags are :data:`_INERT` (a subset of :data:`_WORD_CACHE`'s keys): left out of
:func:`_tokens`' list without a look-up of their flags."""


def _classify(tok: str) -> tuple[str, str, int, int]:
    """(casefolded, base, flags that do not depend on the context, genitive length) of a word."""
    hit = _WORD_CACHE.get(tok)
    if hit is not None:
        return hit
    res = _names()
    first, sur, words = res.first, res.sur, res.words
    cf = tok.casefold()
    base = _base(cf, first, sur)
    flags = 0
    c0 = tok[0]
    if c0.isupper():
        flags |= _UPPER if (len(tok) > 1 and tok.isupper()) else _CAP
    if _in(base, first):
        flags |= _FN
    elif "-" in tok and c0.isupper():
        head = base.split("-", 1)[0]
        rest = tok.split("-")[1:]
        if head in first and head not in words and all(r[:1].isupper() for r in rest):
            flags |= _FN  # "Nils-Ánte": a known first name joined to another name
    if _in(base, sur):
        flags |= _SN
    if base in words or cf in words:
        flags |= _WORD
    if cf in _STOP or base in _STOP:
        flags |= _STOPF
    if cf in _ROLES or base in _ROLES:
        flags |= _ROLE
    elif not flags & (_FN | _SN) and len(cf) > 6 and cf.endswith(_ROLE_SUFFIXES):
        flags |= _ROLE  # "projektsamordnaren", "näringslivschefen"
    if cf in _CONTACT:
        flags |= _CONT
    if cf in res.keep_tokens:
        keep_cf = cf
    elif base in res.keep_tokens:
        keep_cf = base
    elif cf.endswith("s") and cf[:-1] in res.keep_tokens:
        keep_cf = cf[:-1]
    else:
        keep_cf = None
    if keep_cf is not None:
        flags |= _SKEEP if keep_cf in res.soft_keep else _HKEEP
    if not flags & (_FN | _SN) and cf.endswith(_ORG_SUFFIXES):
        flags |= _ORG
    if cf in _PARTICLES:
        flags |= _PART
    if (
        not flags & (_CAP | _UPPER | _FN | _SN | _ROLE | _CONT | _PART | _HKEEP | _SKEEP)
        and cf not in _LIST_WORDS
        and cf not in _CONNECT
        and cf not in res.phrase_words
        and not _FOREIGN_LETTER.search(cf)
        and not _NAME_SUFFIX_HINT.search(cf)
    ):
        flags |= _INERT  # a lower-case word no rule looks at: left out of the token list
    gen = len(cf) - len(base) if cf.startswith(base) else 0
    if len(_WORD_CACHE) > 500_000:
        _WORD_CACHE.clear()
        _SKIP.clear()
    _WORD_CACHE[tok] = out = (cf, base, flags, gen)
    if flags & _INERT:
        _SKIP.add(tok)
    return out


def _tokens(n: str, keep: tuple[str, ...]) -> list[list]:
    """[start, end, token, base, flags, end without genitive, casefolded] for every word.

    Inert words (see :func:`_classify`) are left out, except right after a particle or when
    the caller's *keep* names them. The text is split once (words and the gaps between them,
    in C); only the words that are not known to be inert are looked at one by one.
    """
    phrases, user_tokens, user_words = _keep_matcher(keep)
    parts = _TOKEN_SPLIT.split(n)  # gap, word, gap, word, …, gap
    words = parts[1::2]
    if not words:
        return []
    if user_words:
        cand = list(range(len(words)))
    else:
        skip = _SKIP
        cand = [i for i, w in enumerate(words) if w not in skip]
        if not cand:
            return []
    offsets = list(accumulate(map(len, parts)))  # end of each part
    toks = []
    heads = []
    cache_get = _WORD_CACHE.get
    forced = -1  # the word right after a particle is kept even when inert
    x = 0
    while x < len(cand):
        i = cand[x]
        x += 1
        tok = words[i]
        cf, base, flags, gen = cache_get(tok) or _classify(tok)
        if flags & _INERT and i != forced and cf not in user_words:
            continue
        if flags & _PART:
            forced = i + 1
            if forced < len(words) and (x >= len(cand) or cand[x] != forced):
                cand.insert(x, forced)
        s, e = offsets[2 * i], offsets[2 * i + 1]
        if flags & (_CAP | _UPPER) and _initial(parts[2 * i], i == 0):
            flags |= _INIT
        if user_tokens and (cf in user_tokens or base in user_tokens):
            flags |= _HKEEP
        if cf in phrases:
            heads.append(len(toks))
        toks.append([s, e, tok, base, flags, e - gen, cf])
    for i in heads:
        for words in phrases[toks[i][6]]:
            j = i + len(words)
            if j > len(toks):
                continue
            last = toks[j - 1][6]
            if all(toks[i + k][6] == w for k, w in enumerate(words[:-1])) and (
                last == words[-1] or last in (words[-1] + "s", words[-1] + ":s")
            ):
                for t in toks[i:j]:
                    t[4] |= _HKEEP
                break
    return toks


_DETECTOR_RANK = {
    d: i
    for i, d in enumerate(
        (
            "name-pair",
            "name-surname-first",
            "name-lower",
            "name-list",
            "name-cue",
            "name-role",
            "name-single",
        )
    )
}
_BLOCK = _STOPF | _HKEEP | _ROLE | _CONT | _ORG
