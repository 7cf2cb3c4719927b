"""Choosing the quotes: :func:`select_quotes` (varied, representative, one per answer, no
near-duplicates) and :func:`most_critical`, each returning :class:`Quote` objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis.text.normalise import normalize, tokenize, word_matches
from analysis.text.quotes.candidates import (
    _norm_key,
    _stable_hash,
    candidate_sentences,
    near_duplicate_clusters,
)
from analysis.text.quotes.cues import cue_counts, is_concrete, polarity
from analysis.text.quotes.masking import mask_quote
from analysis.text.quotes.sentences import _words_of as _words

DISTINCT_WORDS = 0.35
"""Two quotes shown together share less than this Jaccard similarity of content words (so that
"Vi behöver kunskap om hur man leder en omställning …" and "… hur man driver omställning …" are
not both chosen). Checked only against the at most *k* quotes already chosen."""


@dataclass(frozen=True)
class Quote:
    """One quotable sentence.

    Attributes
    ----------
    text : str
        The sentence exactly as written (not masked; see :func:`mask_quote`).
    source : int
        Position in the ``texts`` given to :func:`select_quotes` of the answer it comes from.
    polarity : str
        ``"positiv"``, ``"kritisk"`` or ``"neutral"`` (:func:`polarity`).
    """

    text: str
    source: int
    polarity: str  # "positiv" | "kritisk" | "neutral"


_STOP = _words(
    """och att det som med för inte till från eller även också inom över under efter mellan
    samt alla andra flera många finns har hade blir varit vara kommer kunna skulle måste
    behöver vill kan ska där här detta dessa denna vilket vilka genom utan mycket mer mest
    samma sina sitt sin våra vårt vår kommunen kommunens kommuner kommunerna"""
)


def _content(sentence: str) -> set[str]:
    return {t for t in tokenize(sentence) if len(t) >= 4 and t not in _STOP}


def _mentions(sentence: str, name: str) -> bool:
    words = tokenize(name)
    toks = tokenize(sentence)
    if not words:
        return False
    if len(words) == 1:
        return any(word_matches(t, words[0]) for t in toks)
    return normalize(name) in normalize(sentence)


def select_quotes(
    texts: Sequence[str],
    *,
    k: int = 3,
    keep: Iterable[str] = (),
    about: str | None = None,
    max_chars: int = 320,
) -> list[Quote]:
    """Up to *k* varied, representative, whole-sentence quotes from *texts* (deterministic).

    Parameters
    ----------
    texts : sequence of str
        The answers (one per respondent and question, usually all coded with one theme).
        Missing values are skipped.
    k : int
        How many quotes at most.
    keep : iterable of str
        Names that a report never masks (:func:`mask_quote`); a candidate whose masked form would
        contain placeholders is ranked lower, and these names do not count as such.
    about : str, optional
        The actor or theme the quotes are about, e.g. ``"Länsstyrelsen"``: sentences that
        mention it are preferred, and it is never masked.
    max_chars : int
        Longest quote in characters; longer sentences are left out, never shortened.

    Returns
    -------
    list of Quote
        First a positive, a critical and a concrete sentence where the answers have them, then
        the most representative of the rest; at most one per answer, no two near-duplicates.

    Notes
    -----
    *Representative* is measured in linear time: a candidate's score is the mean, over its
    content words, of the share of answers that use the word, so a sentence that says what
    many say ranks high. Shorter-than-40 and longer-than-240-character sentences, sentences
    whose masked form would hold placeholders and sentences not mentioning *about* lose points.

    >>> qs = select_quotes(["Samverkan med Länsstyrelsen fungerar bra och handläggarna är lyhörda.",
    ...                     "Handläggningstiderna hos Länsstyrelsen är alldeles för långa.",
    ...                     "Vi har regelbundna möten."], about="Länsstyrelsen", k=2)
    >>> [(q.source, q.polarity) for q in qs]
    [(0, 'positiv'), (1, 'kritisk')]
    >>> select_quotes([None, "", "- punkt ett"])
    []
    """
    if k <= 0:
        return []
    clean = [t if isinstance(t, str) else "" for t in texts]
    cands = candidate_sentences(clean, max_chars=max_chars)
    if not cands:
        return []
    sentences = [s for _, s in cands]
    labels, _ = near_duplicate_clusters(sentences)
    content = [_content(s) for s in sentences]
    sources_using: dict[str, set[int]] = {}
    for (source, _), words in zip(cands, content, strict=True):
        for w in words:
            sources_using.setdefault(w, set()).add(source)
    n_sources = max(len({src for src, _ in cands}), 1)
    protect = [*keep, *([about] if about else [])]
    scored = []
    for i, ((source, sent), words) in enumerate(zip(cands, content, strict=True)):
        central = (
            sum(len(sources_using[w]) for w in words) / (len(words) * n_sources) if words else 0.0
        )
        score = central
        if about:
            score += 0.0 if _mentions(sent, about) else -0.5
        if not 40 <= len(sent) <= 240:
            score -= 0.15
        scored.append((round(score, 9), i, source, sent))
    # masking is costly: only for the candidates that can still be chosen
    scored.sort(key=lambda t: (-t[0], _stable_hash(_norm_key(t[3])), t[1]))
    top = scored[: max(8 * k, 24)]
    rescored = []
    for score, i, source, sent in top:
        placeholders = mask_quote(sent, keep=protect).count("[") - sent.count("[")
        rescored.append((round(score - 0.1 * placeholders, 9), i, source, sent))
    rescored.sort(key=lambda t: (-t[0], _stable_hash(_norm_key(t[3])), t[1]))
    pols = {i: polarity(sent) for _, i, _, sent in rescored}
    slots = ["positiv", "kritisk", "konkret"] + ["valfri"] * max(k - 3, 0)
    chosen: list[tuple[int, int, str]] = []
    used_sources: set[int] = set()
    used_clusters: set[int] = set()

    def fits(slot: str, i: int, sent: str) -> bool:
        if slot in ("positiv", "kritisk"):
            return pols[i] == slot
        if slot == "konkret":
            return is_concrete(sent)
        return True

    def similar(i: int) -> bool:
        # chosen quotes also differ in their words, not only in their shingles
        words = content[i]
        for j, _, _ in chosen:
            union = words | content[j]
            if union and len(words & content[j]) / len(union) >= DISTINCT_WORDS:
                return True
        return False

    def take(slot: str) -> bool:
        for _, i, source, sent in rescored:
            if source in used_sources or labels[i] in used_clusters or not fits(slot, i, sent):
                continue
            if similar(i):
                continue
            chosen.append((i, source, sent))
            used_sources.add(source)
            used_clusters.add(labels[i])
            return True
        return False

    for slot in slots[:k]:
        take(slot)
    while len(chosen) < k and take("valfri"):
        pass
    return [Quote(text=sent, source=source, polarity=pols[i]) for i, source, sent in chosen]


def most_critical(texts: Sequence[str], *, max_chars: int = 320) -> Quote | None:
    """The most critical whole sentence in *texts*: the most critical cues net of positive ones
    in its main clause (:func:`cue_counts`), ties broken by length (shorter first) and a stable
    hash. ``None`` when no sentence is critical.

    >>> most_critical(["Samverkan fungerar bra med alla parter.",
    ...                "Processerna är långsamma och det saknas tydliga besked från staten."])
    Quote(text='Processerna är långsamma och det saknas tydliga besked från staten.', source=1, polarity='kritisk')
    """
    clean = [t if isinstance(t, str) else "" for t in texts]
    best: tuple | None = None
    for source, sent in candidate_sentences(clean, max_chars=max_chars):
        pos, neg = cue_counts(sent)
        if neg <= pos:
            continue
        key = (-(neg - pos), len(sent), _stable_hash(_norm_key(sent)))
        if best is None or key < best[0]:
            best = (key, source, sent)
    if best is None:
        return None
    return Quote(text=best[2], source=best[1], polarity="kritisk")
