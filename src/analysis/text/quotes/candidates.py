"""Candidate quotes and near-duplicates: the quotable whole sentences of the answers,
deduplicated and capped deterministically (:func:`candidate_sentences`), and near-duplicate
clusters by MinHash signatures bucketed with locality-sensitive hashing
(:func:`near_duplicate_clusters`), both near-linear in the number of sentences."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from analysis.text.normalise import tokenize
from analysis.text.quotes.sentences import split_sentences

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
