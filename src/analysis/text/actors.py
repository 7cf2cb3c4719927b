"""Actor assessments for Q6–Q10: per municipality and actor a stance plus improvement areas.

Each answer is split into sentences and contrastive clauses (``men``, ``dock``, ``medan`` …).
A clause belongs to the actor it names; a clause without an actor name belongs to the actor named
earlier in the same sentence, else to the question's *main* actor (Q7: Trafikverket, Q9: Polisen).
Clauses are scored with positive, negative and no-contact cue lexicons (with simple negation:
"inte bra" is negative, "inga problem" positive). Per actor:

* no clause, or only no-contact cues → ``ingen_kontakt``
* positive cues only → ``fungerar_bra``; negative only → ``behover_forbattras``; both → ``blandat``
* a clause without any cue counts as neither (an actor with only such clauses → ``blandat``).

Improvement areas are the themes (see :mod:`analysis.text.coding`) found in the actor's negative
clauses.

>>> r = stance_for_actor("Samverkan fungerar bra men ledtiderna är för långa.", "lansstyrelsen")
>>> r.stance, r.improvement_areas
('blandat', ['ledtider', 'tillstand'])
>>> stance_for_actor("Vi har ingen kontakt med Luftfartsverket. Trafikverket är lyhörda.",
...                  "luftfartsverket").stance
'ingen_kontakt'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.text.normalise import (
    IRREGULAR,
    normalize,
    split_sentences,
    tokenize,
    word_matches,
)

STANCES: dict[str, str] = {
    "fungerar_bra": "Fungerar bra",
    "blandat": "Blandat",
    "behover_forbattras": "Behöver förbättras",
    "ingen_kontakt": "Ingen kontakt",
}
"""Stance id → Swedish label, in the order used by reports."""


@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    question: str
    main: bool
    names: tuple[str, ...]  # terms in analysis.text.normalise syntax


ACTORS: dict[str, Actor] = {
    a.id: a
    for a in (
        Actor(
            "lansstyrelsen",
            "Länsstyrelsen",
            "q6",
            True,
            ("länsstyrelse", "=lst", "landshövding*", "länsråd*"),
        ),
        Actor("trafikverket", "Trafikverket", "q7", True, ("trafikverk", "=trv")),
        Actor(
            "luftfartsverket", "Luftfartsverket", "q7", False, ("luftfartsverk", "=lfv", "swedavia")
        ),
        Actor("arbetsformedlingen", "Arbetsförmedlingen", "q8", True, ("arbetsförmedling", "=af")),
        Actor("polisen", "Polisen", "q9", True, ("polis", "kommunpolis", "lokalpolis")),
        Actor(
            "ekobrottsmyndigheten",
            "Ekobrottsmyndigheten",
            "q9",
            False,
            ("ekobrottsmyndighet", "=ebm", "ekobrott*"),
        ),
        Actor(
            "universiteten",
            "Universiteten",
            "q10",
            True,
            ("universitet", "=umu", "=ltu", "=slu", "högskola", "akademi norr"),
        ),
    )
}
"""The actors of Q6–Q10 (``main`` = gets clauses that name no actor)."""

# fmt: off
POSITIVE = (
    "bra", "god", "gott", "goda", "väl", "positiv*", "nöjd*", "utmärkt*", "givande", "lyhörd*",
    "smidig*", "konstruktiv*", "uppskat*", "förbättrats", "jättebra", "utvecklats", "lätt*",
    "tillfredsställande", "okej", "ok", "fint", "fungerar", "fungerat", "fungerade",
    "hjälpsam*", "engagerad*", "tillgänglig*", "förtroende*", "värdefull*", "effektiv*",
    "stöttande", "blivit bättre", "aktiv*", "framgångsrik*", "enkelt", "användbar*", "synlig*",
)
"""Positive cue words (bare words match only themselves inflected; ``*`` = prefix)."""
NEGATIVE = (
    "förbättra", "förbättras", "förbättring*", "brist*", "saknar", "saknas", "svår*", "svårt",
    "långsam*", "lång", "långa", "långt", "långdragen", "långdragna", "problem*", "dålig*",
    "sämre", "otydlig*", "byråkrati*", "byråkratisk*", "ansträngt", "ansträngd*", "frånvarande",
    "önskvärt", "önskar", "önskas", "önskat", "behöver", "behov", "borde", "tyvärr", "oro*",
    "tappat", "minskat", "försämrats", "försvunnit", "stelbent*", "fyrkantig*", "hinder*",
    "kritik*", "bortprioriter*", "glida", "glidit", "sällan", "begränsad*", "otillräcklig*",
    "ojämn*", "varierar", "varierande", "personberoende", "utmaning*", "svag*",
    "ingen förståelse", "osäker*", "svårnavigerad*", "efterfrågar", "efterfrågas", "utökad",
    "kortare", "bli bättre", "kunna bli", "tydligare", "mer närvaro", "tungt", "resurskrävande",
    "tar mycket tid", "tar lång tid", "kontrollfunktion", "vill gärna", "vill ha",
    "skulle vilja", "skulle behöva", "måste bli", "ingen lokal närvaro", "inte på plats",
    "finns inte",
)
"""Negative cue words and phrases (needs, wishes, problems)."""
NO_CONTACT = (
    "ingen kontakt", "inga kontakter", "ingen direkt kontakt", "ingen samverkan",
    "ingen direkt samverkan", "inget samarbete", "ingen erfarenhet", "inte haft kontakt",
    "inte haft någon kontakt", "har inte haft", "liten kontakt", "begränsad kontakt",
    "sällan kontakt", "ej aktuellt", "inte aktuellt", "ingen relation", "vet ej",
    "inga ärenden", "inte haft något samarbete", "ingen samverkan alls", "inte någon kontakt",
    "förekommer inte", "mycket liten kontakt", "ingen egentlig kontakt", "ingen kontakt alls",
    "ingen större samverkan", "ingen större kontakt",
)
"""Cues that the municipality has (almost) no contact with the actor."""
# fmt: on
NEGATORS = frozenset({"inte", "ej", "inga", "ingen", "inget", "aldrig", "knappast", "utan"})
_INTENSIFIERS = frozenset(
    [
        "så",
        "särskilt",
        "speciellt",
        "helt",
        "riktigt",
        "alltid",
        "direkt",
        "har",
        "är",
        "varit",
        "fungerar",
        "blir",
        "blivit",
    ]
)
_CONTRAST_RE = re.compile(
    r",?\s+(?:men|medan|dock|däremot|samtidigt som|även om|fast)\s+", flags=re.IGNORECASE
)


@lru_cache(maxsize=256)
def _compile(terms: tuple[str, ...], exact: bool = False):
    """Parse terms; with ``exact`` a bare word matches only itself inflected (no compounds)."""
    from analysis.text.normalise import parse_term

    return tuple(
        parse_term("=" + t if exact and not t.startswith(("=", "*")) and not t.endswith("*") else t)
        for t in terms
    )


@lru_cache(maxsize=256)
def _by_first_word(terms) -> tuple:
    """*terms* grouped by their first word and its mode: ``((word, mode), stem, ((k, m, rest),
    …))`` with the word's :func:`_stem`, the term's index *k*, its length *m* and the
    ``(j, word, mode)`` of its other words."""
    groups: dict[tuple[str, str], list] = {}
    for k, term in enumerate(terms):
        rest = tuple((j, w, term.slot_mode(j)) for j, w in enumerate(term.words) if j)
        groups.setdefault((term.words[0], term.slot_mode(0)), []).append((k, len(term.words), rest))
    return tuple((key, _stem(key[0]), tuple(members)) for key, members in groups.items())


def _stem(word: str) -> str:
    """A part every form of *word* contains (:func:`~analysis.text.normalise.word_forms` drops
    at most the last two letters of a word of five or more): a token without it can only
    match *word* as an irregular form."""
    return word[:-2] if len(word) >= 5 else word


_POS = _compile(POSITIVE, exact=True)
_NEG = _compile(NEGATIVE, exact=True)
_NOC = _compile(NO_CONTACT, exact=True)


def _phrase_positions(toks: list[str], terms) -> list[tuple[int, int]]:
    """``(start, end)`` of every occurrence of every term in *toks*, term by term.

    Each distinct first word is tried once per token (terms share them), the rest of a phrase
    only where its first word matched.
    """
    found: list[tuple[int, int, int]] = []
    n = len(toks)
    for (first, mode), stem, members in _by_first_word(terms):
        for i in range(n):
            tok = toks[i]
            if stem not in tok and IRREGULAR.get(tok) != first:
                continue  # cannot match (see _stem): spares the call
            if not word_matches(tok, first, mode):
                continue
            for k, m, rest in members:
                if i + m <= n and all(word_matches(toks[i + j], w, md) for j, w, md in rest):
                    found.append((k, i, i + m))
    found.sort()
    return [(a, b) for _, a, b in found]


def score_clause(text: str) -> tuple[int, int, bool]:
    """(positive cues, negative cues, no-contact cue present) for one clause.

    >>> score_clause("Det fungerar inte bra")
    (0, 2, False)
    >>> score_clause("Inga problem, bra dialog")
    (2, 0, False)
    >>> score_clause("Vi har ingen kontakt med dem")
    (0, 0, True)
    """
    toks = tokenize(text)
    noc = _phrase_positions(toks, _NOC)
    covered = {i for a, b in noc for i in range(a, b)}
    pos = neg = 0
    for polarity, terms in ((1, _POS), (-1, _NEG)):
        for a, _b in _phrase_positions(toks, terms):
            if a in covered:
                continue
            negated = (
                (a >= 1 and toks[a - 1] in NEGATORS)
                or (a >= 2 and toks[a - 2] in NEGATORS and toks[a - 1] in _INTENSIFIERS)
                or (a + 1 < len(toks) and toks[a + 1] in ("inte", "ej"))
            )
            if (polarity > 0) != negated:
                pos += 1
            else:
                neg += 1
    return pos, neg, bool(noc)


def split_clauses(text: str) -> list[list[str]]:
    """Sentences, each split into contrastive clauses.

    >>> split_clauses("Bra dialog men långa ledtider. Ingen kontakt med LFV.")
    [['Bra dialog', 'långa ledtider.'], ['Ingen kontakt med LFV.']]
    """
    return [[c for c in _CONTRAST_RE.split(s) if c.strip()] for s in split_sentences(text)]


def _mentions(text: str, actor: Actor) -> bool:
    toks = tokenize(text)
    return bool(_phrase_positions(toks, _compile(tuple(actor.names))))


@dataclass
class StanceResult:
    """The stance of one answer towards one actor."""

    actor: str
    stance: str
    positive: int = 0
    negative: int = 0
    mentioned: bool = False
    clauses: list[str] = field(default_factory=list)
    negative_clauses: list[str] = field(default_factory=list)
    improvement_areas: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STANCES[self.stance]


def stance_for_actor(
    text: object, actor: str, themes=None, *, improvement_areas: bool = True
) -> StanceResult:
    """Derive the stance of one answer (to the actor's question) towards ``actor``.

    ``improvement_areas=False`` leaves the themes of the negative clauses uncoded (a caller
    coding many answers codes them in one batch, as :func:`actor_stances` does)."""
    a = ACTORS[actor]
    others = [o for o in ACTORS.values() if o.question == a.question and o.id != a.id]
    clean = normalize(text)
    mine: list[str] = []
    for sentence in split_clauses(str(text) if isinstance(text, str) else ""):
        current = None
        for clause in sentence:
            if _mentions(clause, a):
                current = a.id
            elif any(_mentions(clause, o) for o in others):
                current = "other"
            owner = current or (a.id if a.main else None)
            if owner == a.id:
                mine.append(clause)
    mentioned = _mentions(clean, a)
    res = StanceResult(actor=actor, stance="ingen_kontakt", mentioned=mentioned, clauses=mine)
    if not mine:
        return res
    any_noc = False
    for clause in mine:
        p, n, noc = score_clause(clause)
        any_noc |= noc
        res.positive += p
        res.negative += n
        if n > p:
            res.negative_clauses.append(clause)
    if res.positive and res.negative:
        res.stance = "blandat"
    elif res.positive:
        res.stance = "fungerar_bra"
    elif res.negative:
        res.stance = "behover_forbattras"
    elif any_noc:
        res.stance = "ingen_kontakt"
    else:
        res.stance = "blandat"
    if any_noc and res.positive == 0 and res.negative <= 1 and not res.negative_clauses[1:]:
        res.stance = "ingen_kontakt"
    if res.negative_clauses and improvement_areas:
        _code_improvement_areas([res], themes)
    return res


def _code_improvement_areas(results: list[StanceResult], themes=None) -> None:
    """Set ``improvement_areas`` of every result with negative clauses (one coder call)."""
    todo = [r for r in results if r.negative_clauses]
    if not todo:
        return
    from analysis.text.coding import code_texts, themes_found

    found = themes_found(code_texts([" ".join(r.negative_clauses) for r in todo], themes))
    for r, f in zip(todo, found.tolist(), strict=True):
        r.improvement_areas = f.split(";") if f else []


def actor_stances(df: pd.DataFrame, id_column: str = "q1", themes=None) -> pd.DataFrame:
    """Long table of stances: one row per respondent (e.g. municipality) and actor.

    ``df`` is wide with the id column and the text columns ``q6``–``q10`` (missing columns or
    empty answers give ``stance`` = ``NaN``, i.e. not answered). Columns: ``id``, ``actor``,
    ``actor_label``, ``question``, ``stance``, ``stance_label``, ``positive``, ``negative``,
    ``improvement_areas`` (``;``-joined theme ids).

    >>> df = pd.DataFrame({"q1": ["Vindeln"], "q9": ["Polisen fungerar bra. Ekobrottsmyndigheten har vi ingen kontakt med."]})
    >>> actor_stances(df).query("question == 'q9'")[["actor", "stance"]].to_dict("records")
    [{'actor': 'polisen', 'stance': 'fungerar_bra'}, {'actor': 'ekobrottsmyndigheten', 'stance': 'ingen_kontakt'}]
    """
    cells = []
    for _, r in df.iterrows():
        for a in ACTORS.values():
            text = r.get(a.question) if a.question in df.columns else None
            answered = isinstance(text, str) and text.strip() != ""
            res = (
                stance_for_actor(text, a.id, themes, improvement_areas=False) if answered else None
            )
            cells.append((r, a, res))
    _code_improvement_areas([res for _, _, res in cells if res is not None], themes)
    rows = []
    for r, a, res in cells:
        rows.append(
            {
                "id": r[id_column],
                "actor": a.id,
                "actor_label": a.label,
                "question": a.question,
                "stance": res.stance if res else None,
                "stance_label": res.label if res else None,
                "positive": res.positive if res else 0,
                "negative": res.negative if res else 0,
                "improvement_areas": ";".join(res.improvement_areas) if res else "",
            }
        )
    out = pd.DataFrame(rows)
    out["stance"] = pd.Categorical(out["stance"], categories=list(STANCES))
    out["stance_label"] = pd.Categorical(out["stance_label"], categories=list(STANCES.values()))
    return out


def stance_accuracy(predicted: pd.DataFrame, gold: dict[str, dict[str, str]]) -> pd.DataFrame:
    """Per actor and overall accuracy of ``predicted`` (from :func:`actor_stances`) vs gold
    ``{id: {actor: stance}}``. Returns columns ``n``, ``correct``, ``accuracy``.
    """
    rows = []
    for r in predicted.itertuples(index=False):
        g = (gold.get(str(r.id)) or {}).get(r.actor)
        if g is None:
            continue
        rows.append({"actor": r.actor, "gold": g, "pred": r.stance, "ok": str(r.stance) == g})
    t = pd.DataFrame(rows, columns=["actor", "gold", "pred", "ok"])
    per = t.groupby("actor", sort=False)["ok"].agg(n="size", correct="sum")
    per.loc["totalt"] = [len(t), int(t["ok"].sum())]
    per["accuracy"] = per["correct"] / per["n"]
    return per


def load_gold_actors(path: str | Path) -> dict[str, dict[str, str]]:
    """Gold stances ``{municipality: {actor: stance}}`` from a demo-content YAML.

    Reads ``municipalities: {<name>: {q6: {text: …, actors: {lansstyrelsen: blandat}}, …}}``
    (an ``actors:`` mapping directly under the municipality is accepted as well).
    """
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out: dict[str, dict[str, str]] = {}
    for name, entry in (data.get("municipalities") or {}).items():
        if not isinstance(entry, dict):
            continue
        found: dict[str, str] = {}
        blocks = [entry.get("actors")] + [
            v.get("actors") for v in entry.values() if isinstance(v, dict)
        ]
        for acts in blocks:
            if isinstance(acts, dict):
                for k, v in acts.items():
                    found[str(k)] = v.get("stance") if isinstance(v, dict) else str(v)
        if found:
            out[str(name)] = found
    return out
