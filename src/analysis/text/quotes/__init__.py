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

from analysis.text.quotes.candidates import (
    LSH_BANDS,
    LSH_REPRESENTATIVES,
    MAX_CANDIDATES,
    MAX_PER_SOURCE,
    MIN_CHARS,  # noqa: F401 - re-exported
    MIN_WORDS,  # noqa: F401 - re-exported
    NEAR_DUPLICATE,  # noqa: F401 - re-exported
    NUM_PERM,  # noqa: F401 - re-exported
    candidate_sentences,
    near_duplicate_clusters,
)
from analysis.text.quotes.cues import (
    CONTRAST,  # noqa: F401 - re-exported
    CRITICAL_EXACT,  # noqa: F401 - re-exported
    CRITICAL_STEMS,  # noqa: F401 - re-exported
    NEGATIONS,  # noqa: F401 - re-exported
    POLARITIES,
    POSITIVE_EXACT,  # noqa: F401 - re-exported
    POSITIVE_STEMS,  # noqa: F401 - re-exported
    cue_counts,
    is_concrete,
    polarity,
)
from analysis.text.quotes.masking import (
    NAME_PLACEHOLDER,  # noqa: F401 - re-exported
    PLACE_NAME_ENDINGS,  # noqa: F401 - re-exported
    mask_quote,
    mask_unlisted_names,
)
from analysis.text.quotes.selection import (
    DISTINCT_WORDS,  # noqa: F401 - re-exported
    Quote,
    most_critical,
    select_quotes,
)
from analysis.text.quotes.sentences import (
    ABBREVIATIONS,  # noqa: F401 - re-exported
    split_sentences,
)

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
