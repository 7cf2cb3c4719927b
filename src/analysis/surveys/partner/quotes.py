"""Quotes chosen for readers: per theme up to three, varied, whole sentences, masked per policy.

The free-text answers (questions 9, 11 and 15) are grouped by a light keyword theme
(:data:`THEMES`). Per theme, :func:`analysis.text.quotes.select_quotes` — the one quote
selection shared by every report — picks up to three quotes: one positive, one critical and one
concrete where the answers have them, whole sentences only, near-duplicates removed, the tone
read by the main clause ("… finns men problemet kvarstår" is critical). Two editorial rules of
this report come first: a sentence that leans on the one before it ("Det ger …", "Vi har också
…") and a sentence too vague to stand alone ("Jag tycker att det bör ha gjort det.") are not
offered, because a reader sees the quote without its answer. In the public version every chosen
quote is masked with :func:`analysis.text.quotes.mask_quote`: names of municipalities,
organisations and people are replaced, the policy's ``keep_names`` ("Region Västerbotten") never.

>>> standalone("RISE har ett partnerskap med regionen. Vi har också bra samarbeten kring design.")
'RISE har ett partnerskap med regionen.'
>>> theme_of("Regionen har lärt sig saker och det ger en bra helhetsbild.")
'Kompetens, lärande och förståelse'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from analysis.text.quotes import Quote, mask_quote, most_critical, select_quotes, split_sentences

__all__ = ["THEMES", "Quote", "critical_sentence", "quotes_by_theme", "standalone", "theme_of"]

THEMES: dict[str, tuple[str, ...]] = {
    "Regionens intresse för kommunerna och länet": (
        "större intresse", "intressera", "agenda", "kommun", "transparens", "utvecklingsmedel",
        "synlig", "länet", "egna organisation", "kontaktad", "tillgodo",
    ),
    "Kompetens, lärande och förståelse": (
        "kompetens", "lär", "förstå", "förstår", "helhetsbild", "kunskap", "medarbetare",
        "digitalis", "innovation", "implementera", "vikten",
    ),
    "Samarbetets former och gemensamma mål": (
        "projekt", "styrgrupp", "gemensam", "målbild", "tillsammans", "dynamik", "förtroende",
        "givande", "samverkan", "samarbete", "näringsliv",
    ),
}  # fmt: skip
"""A light keyword coding of the short answers: the theme with most keyword hits (a keyword
starts a word) wins, ties go to the theme listed first, no hit to "Övrigt"."""

OTHER_THEME = "Övrigt"

_REFERS_BACK = re.compile(
    r"^(?:det|detta|dessa|de|den|där|så|men)\b|^\w+(?:\s+\w+)?\s+(?:också|även)\b",
    re.IGNORECASE,
)
"""A sentence that leans on the one before it: "Det ger …", "Vi har också …", "Men …"."""


def _hits(text: str, words: Iterable[str]) -> int:
    low = text.lower()
    return sum(len(re.findall(r"(?<!\w)" + re.escape(w), low)) for w in words)


def theme_of(text: str, themes: Mapping[str, Sequence[str]] = THEMES) -> str:
    """The theme with most keyword hits; "Övrigt" when none.

    >>> theme_of("Jag tycker att det bör ha gjort det.")
    'Övrigt'
    """
    best, best_hits = OTHER_THEME, 0
    for theme, keywords in themes.items():
        hits = _hits(text, keywords)
        if hits > best_hits:
            best, best_hits = theme, hits
    return best


def _vague(sentence: str) -> bool:
    """A short sentence ending on a pronoun whose referent is in the question, not the answer.

    >>> _vague("Jag tycker att det bör ha gjort det."), _vague("De förstår vikten av vårt arbete.")
    (True, False)
    >>> _vague("RISE har ett partnerskap med regionen.")
    False
    """
    words = re.findall(r"\w+", sentence)
    long_words = [w for w in words if len(w) >= 5]
    return bool(words) and words[-1].lower() in _PRONOUNS and len(long_words) < 3


_PRONOUNS = frozenset({"det", "detta", "dem", "den", "så", "dit", "där"})


def standalone(text: str) -> str:
    """The sentences of an answer that a reader understands on their own, verbatim (a sentence
    leaning on the one before it, or too vague without the question, is left out).

    >>> standalone("Jag tycker att det bör ha gjort det.")
    ''
    """
    kept = [
        sentence
        for j, (sentence, _) in enumerate(split_sentences(text))
        if not (j and _REFERS_BACK.search(sentence)) and not _vague(sentence)
    ]
    return " ".join(kept)


def _answers(texts: Iterable[object]) -> dict[int, str]:
    return {
        i: str(t).strip()
        for i, t in enumerate(texts)
        if t is not None and not pd.isna(t) and str(t).strip()
    }


def quotes_by_theme(
    texts: Iterable[object], *, public: bool, keep: Sequence[str] = (), k: int = 3
) -> dict[str, list[Quote]]:
    """Per theme (in :data:`THEMES` order, "Övrigt" last) up to *k* chosen quotes.

    A quote's ``source`` is the index of its answer in *texts*; in the public version its text
    is masked (names in *keep* are never masked).

    >>> out = quotes_by_theme(["Vi har ett bra samarbete med Umeå kommun i flera projekt.", None],
    ...                       public=True)
    >>> [(theme, q.text, q.source) for theme, qs in out.items() for q in qs]
    [('Samarbetets former och gemensamma mål', 'Vi har ett bra samarbete med [kommun] i flera projekt.', 0)]
    """
    answers = _answers(texts)
    groups: dict[str, list[int]] = {t: [] for t in [*THEMES, OTHER_THEME]}
    for i, a in answers.items():
        groups[theme_of(a)].append(i)
    out = {}
    for theme, members in groups.items():
        chosen = select_quotes([standalone(answers[i]) for i in members], k=k, keep=keep)
        if chosen:
            out[theme] = [
                Quote(
                    text=mask_quote(q.text, keep=keep) if public else q.text,
                    source=members[q.source],
                    polarity=q.polarity,
                )
                for q in chosen
            ]
    return out


def critical_sentence(
    texts: Iterable[object], *, public: bool, keep: Sequence[str] = ()
) -> Quote | None:
    """The most critical whole sentence in all the answers
    (:func:`analysis.text.quotes.most_critical`), masked in the public version.

    >>> critical_sentence(["Bra samarbete med regionen.",
    ...                    "Handläggningen i Skellefteå kommun är alldeles för långsam."],
    ...                   public=True).text
    'Handläggningen i [kommun] är alldeles för långsam.'
    """
    answers = _answers(texts)
    order = list(answers)
    quote = most_critical([standalone(answers[i]) for i in order])
    if quote is None:
        return None
    text = mask_quote(quote.text, keep=keep) if public else quote.text
    return Quote(text=text, source=order[quote.source], polarity=quote.polarity)
