"""Quotes chosen for readers — one implementation for every report.

:func:`select_quotes` picks, from the free-text answers about one theme, up to ``k`` quotes that
a reader can take in at a glance:

* **whole sentences only** — an answer is split into sentences (abbreviations such as "t.ex."
  do not end a sentence); list items, the line introducing a list ("Prioriterat är:"), sentences
  without a closing full stop and sentences longer than ``max_chars`` are never quoted. A quote
  is never shortened, so it cannot be cut in the middle of a list;
* **varied** — one positive, one critical and one concrete sentence (a number, a name or an
  example) where the answers have them, then the most representative of the rest; at most one
  quote per answer;
* **no near-duplicates** — exact duplicates (after normalisation) are removed first, then
  near-duplicates by MinHash signatures of hashed word shingles bucketed with locality-sensitive
  hashing (:func:`near_duplicate_clusters`). The work is near-linear: every candidate is compared
  with at most :data:`LSH_REPRESENTATIVES` earlier candidates per LSH band, and the candidates are
  capped deterministically (:data:`MAX_PER_SOURCE` per answer, :data:`MAX_CANDIDATES` in all), so
  a single huge answer or thousands of repeated sentences cannot slow a report down or crowd out
  the other respondents;
* **polarity by the main clause** — :func:`polarity` reads a sentence with "men" by the clause
  after "men": "Det finns gott om el men nätet räcker inte till" is critical.
* **the actor stays named** — *keep* (and *about*) list the names a report must never mask, e.g.
  the authority a section is about; :func:`mask_quote` masks everything else for a public report
  and :func:`select_quotes` prefers sentences that mention *about*.

The result is deterministic: the same answers give the same quotes in the same order, whatever
the order of equal-scoring candidates in the input.

>>> answers = [
...     "Vi har god tillgång till el från vattenkraft. Det ger företagen en stark position.",
...     "Det finns gott om el men nätet räcker inte till för nya etableringar.",
...     "Elnätet mellan Storuman och kusten behöver förstärkas med 400 kV till 2030.",
... ]
>>> [(q.source, q.polarity) for q in select_quotes(answers)]
[(0, 'positiv'), (1, 'kritisk'), (2, 'kritisk')]
>>> polarity("Det finns gott om el men nätet räcker inte till.")
'kritisk'
>>> mask_quote("Länsstyrelsen i Umeå svarar snabbt.", keep=["Länsstyrelsen"])
'Länsstyrelsen i [kommun] svarar snabbt.'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analysis.text.normalise import normalize, tokenize, word_matches

__all__ = [
    "LSH_BANDS",
    "LSH_REPRESENTATIVES",
    "MAX_CANDIDATES",
    "MAX_PER_SOURCE",
    "POLARITIES",
    "Quote",
    "candidate_sentences",
    "cue_counts",
    "is_concrete",
    "mask_quote",
    "mask_unlisted_names",
    "most_critical",
    "near_duplicate_clusters",
    "polarity",
    "select_quotes",
    "split_sentences",
]

POLARITIES: tuple[str, ...] = ("positiv", "kritisk", "neutral")
"""The three polarities of a quote."""

MAX_PER_SOURCE = 40
"""At most this many candidate sentences per answer (a deterministic sample when there are more)."""

MAX_CANDIDATES = 400
"""At most this many candidate sentences in all (taken round-robin over the answers)."""

MIN_WORDS = 5
"""A quote has at least this many words."""

MIN_CHARS = 30
"""A quote has at least this many characters."""

NUM_PERM = 64
LSH_BANDS = 16
"""MinHash signatures have :data:`NUM_PERM` values, bucketed in this many bands of
``NUM_PERM // LSH_BANDS`` rows (two sentences with shingle Jaccard similarity 0.6 share a bucket
with probability ≈ 0.9, with 0.8 ≈ 1)."""

LSH_REPRESENTATIVES = 3
"""A candidate is compared with at most this many earlier clusters per LSH bucket."""

NEAR_DUPLICATE = 0.6
"""Estimated Jaccard similarity of word shingles at which two sentences are near-duplicates."""

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


# --------------------------------------------------------------------------------------------
# Whole sentences
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Polarity (main-clause rule)
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Candidates, near-duplicates
# --------------------------------------------------------------------------------------------
def _norm_key(sentence: str) -> str:
    return " ".join(tokenize(sentence))


def _stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def candidate_sentences(
    texts: Sequence[object],
    *,
    max_chars: int = 320,
    max_per_source: int = MAX_PER_SOURCE,
    max_candidates: int = MAX_CANDIDATES,
) -> list[tuple[int, str]]:
    """The quotable sentences of *texts* as ``(source, sentence)``, deduplicated and capped.

    Whole sentences (:func:`split_sentences`) of :data:`MIN_CHARS` to *max_chars* characters and
    at least :data:`MIN_WORDS` words; a sentence that occurs again (after normalisation) is kept
    once, at its first occurrence. Each answer contributes at most *max_per_source* sentences —
    when it has more, a deterministic sample (the smallest hashes of the normalised text) — and
    at most *max_candidates* are returned, taken round-robin over the answers so that one long
    answer cannot crowd out the others.

    >>> candidate_sentences(["Samverkan fungerar bra med alla parter.", "Samverkan fungerar bra med alla parter!", "Kort."])
    [(0, 'Samverkan fungerar bra med alla parter.')]
    >>> len(candidate_sentences(["Samma mening upprepas om och om igen. " * 3000]))
    1
    """
    seen: set[str] = set()
    per_source: list[list[tuple[int, int, str]]] = []
    for source, text in enumerate(texts):
        found: list[tuple[int, int, str]] = []
        for order, (sent, whole) in enumerate(split_sentences(text)):
            if not whole or not MIN_CHARS <= len(sent) <= max_chars:
                continue
            key = _norm_key(sent)
            if key in seen or len(key.split()) < MIN_WORDS:
                continue
            seen.add(key)
            found.append((_stable_hash(key), order, sent))
        if len(found) > max_per_source:
            found = sorted(found)[:max_per_source]
            found.sort(key=lambda t: t[1])
        per_source.append([(source, order, sent) for _, order, sent in found])
    out: list[tuple[int, str]] = []
    depth = 0
    while len(out) < max_candidates and any(depth < len(s) for s in per_source):
        for items in per_source:
            if depth < len(items) and len(out) < max_candidates:
                source, _, sent = items[depth]
                out.append((source, sent))
        depth += 1
    return sorted(out, key=lambda t: t[0])


_SEEDS = np.random.default_rng(20230426).integers(0, 1 << 63, size=NUM_PERM, dtype=np.uint64)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a well-mixed 64-bit hash per value (wrapping arithmetic)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _shingles(sentence: str) -> np.ndarray:
    toks = tokenize(sentence) or [""]
    grams = {" ".join(toks[i : i + 2]) for i in range(max(len(toks) - 1, 1))}
    return np.array(sorted(_stable_hash(g) for g in grams), dtype=np.uint64)


def _signature(sentence: str) -> np.ndarray:
    h = _shingles(sentence)
    with np.errstate(over="ignore"):
        return _mix(_SEEDS[:, None] ^ h[None, :]).min(axis=1)


def near_duplicate_clusters(
    sentences: Sequence[str], *, threshold: float = NEAR_DUPLICATE
) -> tuple[list[int], int]:
    """Cluster near-duplicate sentences in near-linear time (MinHash + LSH).

    Every sentence gets a MinHash signature of its hashed word 2-shingles; the signature is cut
    into :data:`LSH_BANDS` bands and every band is a bucket key. A sentence is compared (by the
    share of equal signature values, an estimate of the Jaccard similarity) only with the first
    members of at most :data:`LSH_REPRESENTATIVES` clusters already in each of its buckets, so
    the number of comparisons is at most ``LSH_BANDS * LSH_REPRESENTATIVES`` per sentence.

    Returns
    -------
    labels : list of int
        Cluster label per sentence (the position of the cluster's first sentence).
    comparisons : int
        The number of pairwise comparisons made (for tests of linear behaviour).

    >>> labels, n = near_duplicate_clusters([
    ...     "Elnätet behöver byggas ut i hela kommunen för att klara industrin.",
    ...     "Elnätet behöver byggas ut i hela kommunen för att klara industrierna.",
    ...     "Kulturlivet är rikt med många aktiva föreningar i hela kommunen.",
    ... ])
    >>> labels
    [0, 0, 2]
    """
    n = len(sentences)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = NUM_PERM // LSH_BANDS
    sigs = [_signature(s) for s in sentences]
    buckets: dict[tuple[int, bytes], list[int]] = {}
    comparisons = 0
    for i, sig in enumerate(sigs):
        for band in range(LSH_BANDS):
            key = (band, sig[band * rows : (band + 1) * rows].tobytes())
            reps = buckets.setdefault(key, [])
            matched = False
            for j in reps:
                comparisons += 1
                if float(np.mean(sigs[j] == sig)) >= threshold:
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
                    matched = True
                    break
            if not matched and len(reps) < LSH_REPRESENTATIVES:
                reps.append(i)
    return [find(i) for i in range(n)], comparisons


# --------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Masking for public reports
# --------------------------------------------------------------------------------------------
def _keep_pattern(names: Sequence[str]) -> re.Pattern | None:
    names = sorted({n.strip() for n in names if n and n.strip()}, key=lambda n: (-len(n), n))
    if not names:
        return None
    alts = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    return re.compile(rf"(?<![\w\[])(?:{alts})(?::s|s|ens|en|et)?(?![\w\]])", re.IGNORECASE)


def mask_quote(
    text: str,
    *,
    keep: Iterable[str] = (),
    about: str | None = None,
    themes=None,
    unknown_names: bool = True,
) -> str:
    """Mask a quote for a public report, never touching the names in *keep* and *about*.

    Municipality, organisation and person names are replaced by
    :func:`analysis.disclosure.masking.mask_entities`; with *unknown_names* capitalised words
    that are neither Swedish words nor theme terms are replaced by ``[namn]``
    (:func:`mask_unlisted_names`). The kept names — the authorities a question is about, such
    as Länsstyrelsen — are protected before masking and restored afterwards, including their
    genitive and definite forms ("Länsstyrelsens", "länsstyrelsen").

    >>> mask_quote("Länsstyrelsens handläggare och Umeå kommun har god dialog.")
    '[organisation] handläggare och [kommun] har god dialog.'
    >>> mask_quote("Länsstyrelsens handläggare och Umeå kommun har god dialog.",
    ...            about="Länsstyrelsen")
    'Länsstyrelsens handläggare och [kommun] har god dialog.'
    """
    from analysis.disclosure.masking import mask_entities

    names = [*keep, *([about] if about else [])]
    pattern = _keep_pattern(names)
    kept: list[str] = []

    def protect(m: re.Match) -> str:
        kept.append(m.group(0))
        return f"\ue000{chr(0xE100 + len(kept) - 1)}\ue001"

    work = pattern.sub(protect, str(text)) if pattern is not None else str(text)
    work = str(mask_entities(work))
    if unknown_names:
        work = mask_unlisted_names(work, themes)
    for idx, original in enumerate(kept):
        work = work.replace(f"\ue000{chr(0xE100 + idx)}\ue001", original)
    return work


_CAPITALISED = re.compile(
    r"(?<![\w\[\ue000-\ue1ff])([A-ZÅÄÖÉÜ][a-zåäöéü]+(?:-[A-ZÅÄÖa-zåäö][a-zåäöéü]+)*)(?![\w\]])"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n•·]\s*|^\s*[-–*]\s*)$")
NAME_PLACEHOLDER = "[namn]"

PLACE_NAME_ENDINGS: tuple[str, ...] = tuple(
    sorted(
        _words(
            """fjäll fjället älv älven sjö sjön berg berget by byn vik viken näs näset träsk
            träsket ån holm holmen ön dal dalen heden fors forsen bäcken myren liden lid
            stranden udden vattnet sund sundet"""
        )
    )
)
"""Endings of Swedish place names (mountains, rivers, lakes, villages …): an unknown capitalised
word with one of them is masked even when it looks like a compound."""


def mask_unlisted_names(text: str, themes=None) -> str:
    """Second safety net after :func:`analysis.disclosure.masking.mask_entities` for public quotes.

    A capitalised word inside a sentence that is neither an ordinary Swedish word (simplemma's
    dictionary, not a compound guess) nor a term of the theme codebook is taken to be a proper
    name the masking lists do not know — typically a village, lake, mountain or project
    ("logistiknoden på Dåva", "närheten till Borgafjäll") — and replaced by ``[namn]``. Compounds
    ending like a place name (:data:`PLACE_NAME_ENDINGS`) are masked even when they could be
    read as ordinary compounds. Words at the start of a sentence are left alone.

    >>> mask_unlisted_names("Vi har logistiknoden på Dåva och närhet till Västerbotten.")
    'Vi har logistiknoden på [namn] och närhet till Västerbotten.'
    >>> mask_unlisted_names("Prioriterat: Kompetensförsörjning och Påverkansarbete.")
    'Prioriterat: Kompetensförsörjning och Påverkansarbete.'
    """
    from analysis.text.coding import code_texts
    from analysis.text.normalise import is_known_word, is_wordlike

    def replace(m: re.Match) -> str:
        word = m.group(1)
        if _SENTENCE_START.search(text[: m.start()]):
            return word
        low = word.lower()
        if all(is_known_word(p) for p in low.split("-")):
            return word
        if low.endswith(PLACE_NAME_ENDINGS):
            return NAME_PLACEHOLDER
        if is_wordlike(low) or int(code_texts([low], themes).to_numpy().sum()) > 0:
            return word
        return NAME_PLACEHOLDER

    return _CAPITALISED.sub(replace, text)
