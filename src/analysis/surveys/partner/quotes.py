"""Quotes chosen for readers: whole sentences, varied in tone, masked per the disclosure policy.

The free-text answers (questions 9, 11 and 15) are grouped by a light keyword theme
(:data:`THEMES`); per theme at most three quotes are chosen — one positive, one critical and
one concrete where the answers allow — by ``select_quotes`` (:mod:`analysis.text.quotes` when
the installed package has it, otherwise the equivalent :func:`select_quotes` below, same
signature). A quote is one or two *whole* sentences; near-duplicates are dropped; the tone is
read sentence by sentence, and in a sentence with "men" the clause after "men" decides ("…
finns men problemet kvarstår" is critical).

In the public version names of municipalities, organisations and people are masked first
(:func:`analysis.disclosure.masking.mask_entities`); the names in the policy's ``keep_names``
("Region Västerbotten") are never masked.

>>> polarity("Operativ samverkan finns men problemet att implementera kvarstår.")
'kritisk'
>>> polarity("Vi har ett mycket bra samarbete med regionen.")
'positiv'
>>> split_sentences("Bra samarbete, t ex i projekt. Men det tar tid!")
['Bra samarbete, t ex i projekt.', 'Men det tar tid!']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "Quote",
    "THEMES",
    "concreteness",
    "most_critical",
    "polarity",
    "polarity_score",
    "quotes_by_theme",
    "select_quotes",
    "split_sentences",
    "theme_of",
]


@dataclass(frozen=True)
class Quote:
    """A chosen quote: its text (whole sentences), tone and the index of the answer it is from."""

    text: str
    polarity: str
    source: int


THEMES: dict[str, tuple[str, ...]] = {
    "Regionens intresse för kommunerna och länet": (
        "intresse",
        "agenda",
        "kommun",
        "transparens",
        "utvecklingsmedel",
        "synlig",
        "länet",
        "egna organisation",
        "kontaktad",
        "tillgodo",
    ),
    "Kompetens, lärande och förståelse": (
        "kompetens",
        "lär",
        "förstå",
        "förstår",
        "helhetsbild",
        "kunskap",
        "medarbetare",
        "digitalis",
        "innovation",
        "implementera",
        "vikten",
    ),
    "Samarbetets former och gemensamma mål": (
        "projekt",
        "styrgrupp",
        "gemensam",
        "målbild",
        "tillsammans",
        "dynamik",
        "förtroende",
        "givande",
        "samverkan",
        "samarbete",
        "näringsliv",
    ),
}
"""A light keyword coding of the short answers: the theme with most keyword hits (a keyword
starts a word) wins, ties go to the theme listed first, no hit to "Övrigt"."""

OTHER_THEME = "Övrigt"

POSITIVE = (
    "bra",
    "god",
    "goda",
    "gott",
    "välfungerande",
    "stärker",
    "dynamik",
    "förtroende",
    "hjälpt",
    "möjlighet",
    "utvecklar",
    "lärt",
    "förstår",
    "helhetsbild",
    "givande",
    "nöjd",
    "positiv",
    "uppskatta",
    "tillsammans",
    "höja",
)
NEGATIVE = (
    "inget större intresse",
    "egen agenda",
    "krokar inte arm",
    "brist",
    "skadar",
    "utmaning",
    "mindre goda",
    "måste",
    "problem",
    "kvarstår",
    "inte nog",
    "svårt",
    "saknas",
    "föda den egna",
    "inte haft",
    "mycket att lära",
    "varierande",
)
NEGATIONS = ("inte", "inget", "ingen", "aldrig")
CONCRETE = (
    "projekt",
    "styrgrupp",
    "digitalis",
    "kompetens",
    "medarbetare",
    "design",
    "kultur",
    "utvecklingsmedel",
    "transparens",
    "process",
    "implementera",
    "innovationspartnerskap",
    "tjänstemän",
    "livsmiljö",
    "näringsliv",
    "uppdrag",
)

_ABBREVIATIONS = ("t.ex.", "bl.a.", "m.m.", "osv.", "dvs.", "t ex.", "s.k.", "ca.")


def _hits(text: str, words: Iterable[str]) -> int:
    low = text.lower()
    return sum(len(re.findall(r"(?<!\w)" + re.escape(w), low)) for w in words)


def theme_of(text: str, themes: Mapping[str, Sequence[str]] = THEMES) -> str:
    """The theme with most keyword hits; "Övrigt" when none.

    >>> theme_of("Regionen har lärt sig saker och det ger en bra helhetsbild.")
    'Kompetens, lärande och förståelse'
    >>> theme_of("Jag tycker att det bör ha gjort det.")
    'Övrigt'
    """
    best, best_hits = OTHER_THEME, 0
    for theme, keywords in themes.items():
        hits = _hits(text, keywords)
        if hits > best_hits:
            best, best_hits = theme, hits
    return best


def split_sentences(text: str) -> list[str]:
    """Whole sentences of an answer (abbreviations such as "t.ex." do not end a sentence).

    >>> split_sentences("Det ger en dynamik. Vi gör mycket tillsammans")
    ['Det ger en dynamik.', 'Vi gör mycket tillsammans']
    """
    protected = str(text)
    for i, abbr in enumerate(_ABBREVIATIONS):
        protected = protected.replace(abbr, f"\x00{i}\x00")
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ\[\"”])", protected.strip())
    out = []
    for part in parts:
        for i, abbr in enumerate(_ABBREVIATIONS):
            part = part.replace(f"\x00{i}\x00", abbr)
        part = " ".join(part.split())
        if part:
            out.append(part)
    return out


def _clause_score(clause: str) -> float:
    low = clause.lower()
    pos = 0.0
    for w in POSITIVE:
        for m in re.finditer(r"(?<!\w)" + re.escape(w), low):
            before = low[max(0, m.start() - 25) : m.start()].split()[-3:]
            pos += -1.0 if any(n in before for n in NEGATIONS) else 1.0
    return pos - _hits(clause, NEGATIVE)


def polarity_score(sentence: str) -> float:
    """Positive minus critical cues; after a contrastive "men" the later clause counts one and a
    half times and the earlier one half ("men" + a critical ending makes a challenge).

    >>> polarity_score("Det finns inget större intresse från regionen.") < 0
    True
    """
    parts = re.split(r",?\s+men\s+", sentence, maxsplit=1, flags=re.IGNORECASE)
    if len(parts) == 2:
        return 0.5 * _clause_score(parts[0]) + 1.5 * _clause_score(parts[1])
    return _clause_score(sentence)


def polarity(sentence: str) -> str:
    """ "positiv", "kritisk" or "neutral" by :func:`polarity_score`."""
    score = polarity_score(sentence)
    return "positiv" if score > 0 else "kritisk" if score < 0 else "neutral"


def concreteness(sentence: str) -> float:
    """How concrete a sentence is: named activities and things, and its length.

    >>> concreteness("Genom medverkan i projekt och styrgrupper.") > concreteness("Det är bra.")
    True
    """
    words = re.findall(r"\w+", sentence)
    return _hits(sentence, CONCRETE) + 0.05 * min(len(words), 30)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 2}


def _near_duplicate(a: str, b: str, threshold: float = 0.5) -> bool:
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= threshold


_REFERS_BACK = re.compile(
    r"^(?:det|detta|dessa|de|den|där|så|men)\b|^\w+(?:\s+\w+)?\s+(?:också|även)\b",
    re.IGNORECASE,
)
"""A sentence that leans on the one before it ("Det ger …", "Vi har också …") is quoted
together with it."""


def _units(text: str) -> list[str]:
    """An answer's quotable units: whole sentences, a sentence that refers back joined to the
    one before, a very short sentence joined to the next.

    >>> _units("RISE har ett bra partnerskap. Vi har också bra samarbeten kring design.")
    ['RISE har ett bra partnerskap. Vi har också bra samarbeten kring design.']
    """
    units: list[str] = []
    for sentence in split_sentences(text):
        if units and (_REFERS_BACK.search(sentence) or len(units[-1].split()) < 6):
            units[-1] = f"{units[-1]} {sentence}"
        else:
            units.append(sentence)
    return units


def _says_something(unit: str) -> bool:
    """A unit worth quoting has a tone or names something concrete ("Jag tycker att det bör
    ha gjort det." has neither: it only makes sense next to the question)."""
    return polarity_score(unit) != 0 or _hits(unit, CONCRETE) > 0


def _candidates(texts: Sequence[object]) -> list[tuple[str, int]]:
    """Quotable units (:func:`_units`) of at least five words that say something, with their
    answer index."""
    out = []
    for i, t in enumerate(texts):
        if t is None or (isinstance(t, float) and t != t) or not str(t).strip():
            continue
        out.extend((u, i) for u in _units(str(t)) if len(u.split()) >= 5 and _says_something(u))
    return out


def select_quotes(texts: Iterable[object], *, k: int = 3, keep: Sequence[str] = ()) -> list[Quote]:
    """Up to *k* varied quotes from *texts*: the most positive, the most critical and the most
    concrete of the rest, then further ones by concreteness; whole sentences only, at most one
    quote per answer while other answers remain, near-duplicates dropped.

    *keep* is accepted for compatibility with :mod:`analysis.text.quotes` (names that are never
    masked); this fallback does not mask — the caller masks before.

    >>> qs = select_quotes(["Vi har ett mycket bra samarbete med regionen.",
    ...                     "Det finns inget större intresse från regionen för oss.",
    ...                     "Genom medverkan i projekt och styrgrupper utvecklas våra mål."])
    >>> [q.polarity for q in qs]
    ['positiv', 'kritisk', 'neutral']
    """
    pool = _candidates(list(texts))
    chosen: list[tuple[str, int]] = []

    def fresh() -> list[tuple[str, int]]:
        used = {i for _, i in chosen}
        ok = [c for c in pool if c not in chosen]
        ok = [c for c in ok if not any(_near_duplicate(c[0], x) for x, _ in chosen)]
        return [c for c in ok if c[1] not in used] or ok

    positive = [c for c in fresh() if polarity_score(c[0]) > 0]
    if positive and k > 0:
        chosen.append(max(positive, key=lambda c: (polarity_score(c[0]), concreteness(c[0]))))
    critical = [c for c in fresh() if polarity_score(c[0]) < 0]
    if critical and len(chosen) < k:
        chosen.append(min(critical, key=lambda c: (polarity_score(c[0]), -concreteness(c[0]))))
    while len(chosen) < k and fresh():
        chosen.append(max(fresh(), key=lambda c: concreteness(c[0])))
    return [Quote(text, polarity(text), source) for text, source in chosen[:k]]


def _select(texts: list[str], k: int, keep: Sequence[str]) -> list[Quote]:
    try:
        from analysis.text.quotes import select_quotes as chosen_by
    except ImportError:
        chosen_by = select_quotes
    return list(chosen_by(texts, k=k, keep=keep))


def _mask(text: str, keep: Sequence[str]) -> str:
    from analysis.disclosure.masking import mask_entities

    masked = mask_entities(text)
    return masked if masked is not None else text


def quotes_by_theme(
    texts: Iterable[object], *, public: bool, keep: Sequence[str] = (), k: int = 3
) -> dict[str, list[Quote]]:
    """Per theme (in :data:`THEMES` order, "Övrigt" last) up to *k* chosen quotes.

    In the public version every answer is masked before it is themed and quoted. A quote's
    ``source`` is the index of its answer in *texts*.

    >>> out = quotes_by_theme(["Vi har ett bra samarbete i projekt och styrgrupper.", None],
    ...                       public=False)
    >>> list(out), out["Samarbetets former och gemensamma mål"][0].source
    (['Samarbetets former och gemensamma mål'], 0)
    """
    answers = {
        i: str(t).strip()
        for i, t in enumerate(texts)
        if t is not None and not pd.isna(t) and str(t).strip()
    }
    if public:
        answers = {i: _mask(a, keep) for i, a in answers.items()}
    groups: dict[str, list[int]] = {t: [] for t in [*THEMES, OTHER_THEME]}
    for i, a in answers.items():
        groups[theme_of(a)].append(i)
    out = {}
    for theme, members in groups.items():
        chosen = _select([answers[i] for i in members], k, keep)
        if chosen:
            out[theme] = [Quote(q.text, q.polarity, members[q.source]) for q in chosen]
    return out


REGION = re.compile(r"(?<!\w)(region(en|ens)?|region västerbotten)(?!\w)", re.IGNORECASE)


def _criticism(sentence: str) -> float:
    """Lower is more critical: the tone, one step lower when the criticism names the region."""
    score = polarity_score(sentence)
    return score - 1.0 if score < 0 and REGION.search(sentence) else score


def most_critical(texts: Iterable[object], *, public: bool, keep: Sequence[str] = ()):
    """The most critical single sentence in all the answers (None when nothing is critical).

    A sentence that leans on the one before it ("Men det …") is quoted together with that one,
    so that it is understood on its own. Criticism that names the region counts as sharper.

    >>> most_critical(["Bra samarbete med regionen i projekten.",
    ...                "Det finns inget större intresse från regionen för kommunerna."],
    ...               public=False).text
    'Det finns inget större intresse från regionen för kommunerna.'
    """
    answers = [str(t) for t in texts if t is not None and not pd.isna(t) and str(t).strip()]
    if public:
        answers = [_mask(a, keep) for a in answers]
    pool = []  # (scored sentence, quoted text, answer index)
    for i, a in enumerate(answers):
        sentences = split_sentences(a)
        for j, sentence in enumerate(sentences):
            if len(sentence.split()) < 5:
                continue
            leans = j > 0 and _REFERS_BACK.search(sentence)
            pool.append((sentence, f"{sentences[j - 1]} {sentence}" if leans else sentence, i))
    if not pool:
        return None
    scored, text, source = min(pool, key=lambda c: (_criticism(c[0]), -len(c[0])))
    if polarity_score(scored) >= 0:
        return None
    return Quote(text, "kritisk", source)
