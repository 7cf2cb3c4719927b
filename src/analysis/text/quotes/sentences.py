"""Whole sentences: an answer split into sentences (abbreviations such as "t.ex." do not end
one), each marked whether it may be quoted — list items, bullets, the line introducing a list
and sentences without a capital start or a closing full stop may not."""

from __future__ import annotations

import re


def _words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


ABBREVIATIONS: frozenset[str] = frozenset(
    _words_of(
        """t.ex tex bl.a bla m.m mm s.k sk d.v.s dvs o.s.v osv etc ca resp m.fl mfl t.o.m fr.o.m
        jfr jmf nr kap st ex inkl exkl milj mkr kr p.g.a pga f.d fd o.dyl dyl ang enl"""
    )
)
"""Abbreviations after which a full stop does not end a sentence ("t.ex. Norrbotniabanan")."""

_LIST_ITEM = re.compile(r"^\s*(?:[-–—*•·▪●►]|\d{1,2}[.)]|[a-zA-Z][)])\s+")
_INLINE_BULLET = re.compile(r"\s*[•·▪●►]\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”»’)]*\s+(?=[\"“”«(]?[A-ZÅÄÖÉÜ0-9])")
_CLOSED = re.compile(r"[.!?][\"”»’)]*$")
_OPENS = re.compile(r"^[\"“”«(]?[A-ZÅÄÖÉÜ0-9]")


def _ends_with_abbreviation(piece: str) -> bool:
    last = piece.rsplit(None, 1)[-1].lower().rstrip(".")
    return last in ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _split_line(line: str) -> list[str]:
    parts = _SENTENCE_END.split(line.strip())
    out: list[str] = []
    for part in parts:
        if out and _ends_with_abbreviation(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return [p.strip() for p in out if p.strip()]


def split_sentences(text: object) -> list[tuple[str, bool]]:
    """Split an answer into sentences, each with whether it is a *whole* sentence.

    A whole sentence stands in running text (not a list item or a bullet), starts with a capital
    letter, a digit or a quotation mark and ends with ".", "!" or "?". List items and the line
    that introduces a list are returned with ``False``.

    >>> split_sentences("Vi ser t.ex. Norrbotniabanan som en möjlighet. Prioriterat är:\\n- vägar\\n- el")
    [('Vi ser t.ex. Norrbotniabanan som en möjlighet.', True), ('Prioriterat är:', False), ('- vägar', False), ('- el', False)]
    >>> split_sentences("Bra dialog • snabba svar")
    [('Bra dialog', False), ('snabba svar', False)]
    """
    if text is None or (not isinstance(text, str) and text != text):
        return []
    lines = [ln for ln in str(text).replace("\r", "\n").split("\n") if ln.strip()]
    out: list[tuple[str, bool]] = []
    for i, line in enumerate(lines):
        if _LIST_ITEM.match(line):
            out.append((line.strip(), False))
            continue
        items = [p for p in _INLINE_BULLET.split(line) if p.strip()]
        if len(items) > 1:
            out.extend((p.strip(), False) for p in items)
            continue
        before_list = i + 1 < len(lines) and bool(_LIST_ITEM.match(lines[i + 1]))
        for sent in _split_line(line):
            whole = bool(_CLOSED.search(sent)) and bool(_OPENS.match(sent))
            whole &= not (before_list and sent.rstrip().endswith(":"))
            out.append((sent, whole))
    return out
