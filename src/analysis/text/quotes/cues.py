"""What a sentence says: its polarity by the cues of its main clause (:func:`polarity`,
:func:`cue_counts`; the clause after "men" decides) and whether it is concrete (a number, a
name or an example: :func:`is_concrete`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from analysis.text.normalise import tokenize, word_matches
from analysis.text.quotes.sentences import _words_of

POLARITIES: tuple[str, ...] = ("positiv", "kritisk", "neutral")
"""The three polarities of a quote."""

_words = _words_of

POSITIVE_EXACT: frozenset[str] = _words(
    """bra god goda gott stark starka starkt fin fina fint positiv positivt positiva gynnsam
    gynnsamt gynnsamma växande välfungerande attraktiv attraktivt attraktiva framkant utbyggt
    utbyggd utbyggda väl nöjd nöjda tillräcklig tillräckligt tillräckliga räcker fungerar
    funkar fungerat lyhörd lyhörda lyhört smidig smidigt smidiga konstruktiv konstruktivt
    konstruktiva uppskattad uppskattat uppskattade utmärkt givande engagerad engagerade
    tillgänglig tillgängliga värdefull värdefullt värdefulla effektiv effektivt effektiva
    rikt rik rika trygg tryggt trygga ok okej klar klart klara nöjd"""
)
"""Positive cues matched as whole tokens."""

POSITIVE_STEMS: tuple[str, ...] = (
    "möjlighet",
    "styrka",
    "fördel",
    "potential",
    "överskott",
    "tillgång",
    "förutsättning",
    "chans",
)
"""Positive cues matched as words or compound parts (``möjligheterna``, ``energiöverskott``)."""

CRITICAL_EXACT: frozenset[str] = _words(
    """svårt svår svåra svårare saknas saknar saknade låg låga lågt otillräcklig otillräckligt
    otillräckliga bristfällig bristfälligt bristfälliga föråldrat föråldrad föråldrade
    eftersatt eftersatta kostsam kostsamt kostsamma dyr dyrt dyra långsam långsamt långsamma
    långa långdragna oro risk risker hindrar hindra begränsar begränsad begränsade begränsat
    ansträngt ansträngd akut akuta sårbar sårbart kostar dyrare behov behöver dålig dåligt
    dåliga sämre otydlig otydligt otydliga byråkratisk byråkratiskt tyvärr försämrats
    minskat tappat frånvarande svag svagt svaga måste gammal gammalt gamla sliter avbrott"""
)
"""Critical cues matched as whole tokens."""

CRITICAL_STEMS: tuple[str, ...] = (
    "utmaning",
    "brist",
    "problem",
    "svårighet",
    "hinder",
    "underhållsskuld",
    "flaskhals",
    "kapacitetsbrist",
)
"""Critical cues matched as words or compound parts (``utmaningarna``, ``kompetensbrist``)."""

NEGATIONS: frozenset[str] = frozenset({"inte", "ej", "ingen", "inget", "inga", "aldrig"})
"""A negation up to two tokens before a cue (or right after a verb cue: "räcker inte") turns it
around: "inte tillräcklig" and "ingen möjlighet" are critical, "inga problem" positive."""

CONTRAST = frozenset({"men"})
"""A sentence with one of these words is judged by the clause after the last of them."""


@lru_cache(maxsize=1 << 16)
def _token_cue(token: str) -> tuple[bool, bool]:
    pos = token in POSITIVE_EXACT or any(word_matches(token, s) for s in POSITIVE_STEMS)
    neg = token in CRITICAL_EXACT or any(word_matches(token, s) for s in CRITICAL_STEMS)
    return pos and not neg, neg


def _negated(tokens: Sequence[str], i: int) -> bool:
    before = tokens[max(0, i - 2) : i]
    after = tokens[i + 1 : i + 3]
    negated_after = (
        bool(after) and after[0] in NEGATIONS and after[1:2] not in (["minst"], ["bara"])
    )
    return negated_after or any(w in NEGATIONS for w in before)


def _clause_cues(tokens: Sequence[str]) -> tuple[int, int]:
    pos = neg = 0
    for i, tok in enumerate(tokens):
        is_pos, is_neg = _token_cue(tok)
        if not (is_pos or is_neg):
            continue
        flipped = _negated(tokens, i)
        if is_pos:
            neg, pos = (neg + 1, pos) if flipped else (neg, pos + 1)
        elif is_neg:
            # "inga problem" is positive; "behöver inte" / "inte svårt" likewise
            pos, neg = (
                (pos + 1, neg) if flipped and tok not in ("saknas", "saknar") else (pos, neg + 1)
            )
    return pos, neg


def cue_counts(sentence: object) -> tuple[int, int]:
    """Positive and critical cues of a sentence's *main clause*.

    The main clause is the part after the last "men" when that part has any cue; otherwise the
    whole sentence counts.

    >>> cue_counts("Det finns gott om el men nätet räcker inte till.")
    (0, 1)
    >>> cue_counts("Vägarna är dåliga, men vi har en dialog.")
    (0, 1)
    >>> cue_counts("Inga problem med Polisen.")
    (1, 0)
    """
    tokens = tokenize(sentence)
    cut = max((i for i, t in enumerate(tokens) if t in CONTRAST and i > 0), default=None)
    if cut is not None:
        main = _clause_cues(tokens[cut + 1 :])
        if any(main):
            return main
    return _clause_cues(tokens)


def polarity(sentence: object) -> str:
    """``"positiv"``, ``"kritisk"`` or ``"neutral"`` by the cues of the main clause.

    More positive than critical cues is positive, more critical is critical, a tie (including
    no cue at all) is neutral. A sentence with "men" is judged by its clause after "men".

    >>> polarity("Vi har god tillgång till el från vattenkraft.")
    'positiv'
    >>> polarity("Elnätet är föråldrat och har för låg kapacitet.")
    'kritisk'
    >>> polarity("Det finns gott om el men nätet räcker inte till.")
    'kritisk'
    >>> polarity("Vägarna är eftersatta men samarbetet med Trafikverket fungerar bra.")
    'positiv'
    >>> polarity("Det finns ingen möjlighet att ansluta fler hushåll.")
    'kritisk'
    >>> polarity("Vi deltar i nätverket.")
    'neutral'
    """
    pos, neg = cue_counts(sentence)
    if pos > neg:
        return "positiv"
    if neg > pos:
        return "kritisk"
    return "neutral"


_EXAMPLE_MARKERS = ("till exempel", "exempelvis", "t.ex", "tex ", "bland annat", "bl.a", "såsom")
_NAME_INSIDE = re.compile(r"(?<=[\w,;:)] )[A-ZÅÄÖÉ][\wåäöé-]+")


def is_concrete(sentence: str) -> bool:
    """Whether a sentence is concrete: a number, a name inside the sentence or an example.

    >>> is_concrete("Elnätet behöver förstärkas med 400 kV.")
    True
    >>> is_concrete("Vi ser Norrbotniabanan som en möjlighet.")
    True
    >>> is_concrete("Samverkan fungerar bra.")
    False
    """
    text = str(sentence)
    low = text.lower()
    return (
        any(ch.isdigit() for ch in text)
        or bool(_NAME_INSIDE.search(text))
        or any(m in low for m in _EXAMPLE_MARKERS)
    )
