"""Opportunity / challenge polarity of a sentence (report section 5.3), main clause first.

:func:`sentence_polarity` classifies one sentence as ``"möjlighet"``, ``"utmaning"``, ``"båda"``
or ``""`` (no cue). Mixed-polarity sentences are read by their **main clause**: the clause after
a contrastive ``men`` / ``dock`` / ``däremot`` / ``samtidigt`` wins ("gott om el men nätet
räcker inte" is a challenge), and a clause opened by ``trots`` / ``även om`` / ``fast`` is
subordinate (the other clause wins). Only when no such structure decides — both kinds of cue in
one clause, or clauses joined by a symmetric ``medan`` — is the sentence ``"båda"``.

Cues: a small Swedish lexicon matched with the compound-aware matcher of
:mod:`analysis.text.normalise`; a negation just before an opportunity cue (``inte tillräckligt``,
``ingen möjlighet``) or right after it (``räcker inte``) turns it into a challenge.

>>> sentence_polarity("Det finns gott om el men nätet räcker inte till.")
'utmaning'
>>> sentence_polarity("Vägarna är dåliga, men vi har en stor möjlighet i Norrbotniabanan.")
'möjlighet'
>>> sentence_polarity("Även om det är brist på bostäder, är intresset från företagen stort.")
'möjlighet'
>>> sentence_polarity("Elnätet är både en möjlighet och en utmaning.")
'båda'
>>> sentence_polarity("Vi deltar i nätverket.")
''
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.text.normalise import tokenize, word_matches


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


OPPORTUNITY_EXACT: frozenset[str] = _words(
    """bra god goda gott stark starka starkt fin fina positiv positivt positiva gynnsam
    gynnsamt gynnsamma växande välfungerande attraktiv attraktivt attraktiva framkant
    utbyggt utbyggd utbyggda väl nöjd nöjda tillräcklig tillräckligt tillräckliga räcker
    fungerar funkar stort stora intresse"""
)
"""Opportunity cues matched as whole tokens."""

OPPORTUNITY_STEMS: tuple[str, ...] = (
    "möjlighet",
    "styrka",
    "fördel",
    "potential",
    "överskott",
    "tillgång",
    "förutsättning",
    "chans",
)
"""Opportunity cues matched as words or compound parts (``möjligheterna``, ``energiöverskott``)."""

CHALLENGE_EXACT: frozenset[str] = _words(
    """svårt svår svåra svårare saknas saknar saknade låg låga lågt otillräcklig
    otillräckligt otillräckliga bristfällig bristfälligt bristfälliga föråldrat föråldrad
    föråldrade eftersatt eftersatta kostsam kostsamt kostsamma dyr dyrt dyra långsam
    långsamt långsamma långa långdragna oro risk risker hindrar hindra begränsar
    begränsad begränsade begränsat ansträngt ansträngd akut akuta sårbar sårbart kostar
    dyrare behov behöver dålig dåligt dåliga sämre usel usla"""
)
"""Challenge cues matched as whole tokens."""

CHALLENGE_STEMS: tuple[str, ...] = (
    "utmaning",
    "brist",
    "problem",
    "svårighet",
    "hinder",
    "underhållsskuld",
    "flaskhals",
    "kapacitetsbrist",
)
"""Challenge cues matched as words or compound parts (``utmaningarna``, ``kompetensbrist``)."""

NEGATIONS: frozenset[str] = frozenset({"inte", "ej", "ingen", "inget", "inga", "aldrig", "för"})
"""A negation up to two tokens before an opportunity cue (or right after it) makes it a
challenge cue: "inte tillräckligt bra", "ingen möjlighet", "räcker inte"."""

_MAIN_AFTER = re.compile(r"(?:,\s*|\s+)(?:men|dock|däremot|samtidigt som|samtidigt)\s+", re.I)
_SUBORDINATE = re.compile(r"^\s*(?:trots|även om|fast|fastän|trots att)\b", re.I)
_SYMMETRIC = re.compile(r",?\s+medan\s+", re.I)


def cue_counts(tokens: Sequence[str]) -> tuple[int, int]:
    """Number of opportunity and challenge cues among ``tokens`` (negation-aware).

    >>> cue_counts(["ingen", "möjlighet"]), cue_counts(["god", "tillgång"])
    ((0, 1), (2, 0))
    """
    opp = chal = 0
    for i, tok in enumerate(tokens):
        is_opp = tok in OPPORTUNITY_EXACT or any(word_matches(tok, s) for s in OPPORTUNITY_STEMS)
        is_chal = tok in CHALLENGE_EXACT or any(word_matches(tok, s) for s in CHALLENGE_STEMS)
        if is_opp and not is_chal:
            before = tokens[max(0, i - 2) : i]
            after = tokens[i + 1 : i + 3]
            negated_after = bool(after) and after[0] in NEGATIONS and after[0] != "för"
            negated_after &= after[1:2] not in (["minst"], ["bara"])
            if negated_after or any(w in NEGATIONS and w != "för" for w in before):
                chal += 1
            else:
                opp += 1
        elif is_chal:
            chal += 1
    return opp, chal


def _label(opp: int, chal: int) -> str:
    if opp and chal:
        return "båda"
    return "möjlighet" if opp else "utmaning" if chal else ""


def clause_polarity(clause: object) -> str:
    """Polarity of one clause from its cues alone (no main-clause logic).

    >>> clause_polarity("gott om el"), clause_polarity("nätet räcker inte till")
    ('möjlighet', 'utmaning')
    """
    return _label(*cue_counts(tokenize(clause)))


def sentence_polarity(text: object) -> str:
    """``"möjlighet"``, ``"utmaning"``, ``"båda"`` or ``""`` for one sentence.

    Parameters
    ----------
    text : str
        One sentence (split answers first, e.g. with
        :func:`analysis.text.normalise.split_sentences`).

    Returns
    -------
    str
        The polarity of the main clause: the last clause after a contrastive conjunction
        (``men``, ``dock``, ``däremot``, ``samtidigt``) that has a cue; a clause opened by
        ``trots``/``även om``/``fast`` never decides when another clause has a cue; clauses
        joined by ``medan`` with opposite cues give ``"båda"``.

    >>> sentence_polarity("Bredbandet är bra i tätorten men svårt att bygga ut på landsbygden.")
    'utmaning'
    >>> sentence_polarity("Bra i tätorten medan landsbygden saknar fiber.")
    'båda'
    >>> sentence_polarity("Det finns ingen möjlighet att ansluta fler hushåll.")
    'utmaning'
    """
    if text is None or not isinstance(text, str) or not text.strip():
        return ""
    parts = _SYMMETRIC.split(text)
    if len(parts) > 1:
        labels = {sentence_polarity(p) for p in parts} - {""}
        if labels == {"möjlighet", "utmaning"} or "båda" in labels:
            return "båda"
        return labels.pop() if labels else ""
    clauses = [c for c in _MAIN_AFTER.split(text) if c.strip()]
    # a leading subordinate clause ("Trots X, Y") hands over to the clause after its comma
    if clauses and _SUBORDINATE.match(clauses[0]) and "," in clauses[0]:
        head, _, rest = clauses[0].partition(",")
        clauses = [head, rest, *clauses[1:]]
    main = [c for c in clauses if not _SUBORDINATE.match(c)] or clauses
    for c in reversed(main):
        lab = clause_polarity(c)
        if lab:
            return lab
    for c in clauses:
        lab = clause_polarity(c)
        if lab:
            return lab
    return ""
