"""Rule sections of the theme codebook: sense rules, clause scope, evidence, lexicon, stances.

Parsed and validated here (every problem a :class:`analysis.errors.ConfigError` naming the file
and the rule); :mod:`analysis.text.themes` assembles them into a :class:`ThemeCodebook`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analysis.errors import ConfigError
from analysis.text.normalise import Term, parse_term


@dataclass(frozen=True)
class SenseRule:
    """Terms that code a theme only in the right context (word-sense disambiguation).

    A hit on one of ``terms`` counts when the clause (``scope: clause``, default) or the whole
    answer (``scope: answer``) contains none of ``unless`` and — if ``requires`` is given — at
    least one of ``requires``.
    """

    terms: tuple[Term, ...]
    unless: tuple[Term, ...] = ()
    requires: tuple[Term, ...] = ()
    scope: str = "clause"
    note: str = ""


@dataclass(frozen=True)
class LexiconEntry:
    """An abbreviation or proper name: ``term`` (matching syntax), what it stands for and the
    themes it signals (empty: an actor or framework that signals no theme by itself)."""

    name: str
    term: Term
    expansion: str
    themes: tuple[str, ...] = ()
    kind: str = "abbreviation"


@dataclass(frozen=True)
class Scope:
    """Clause-level reading: which cues say "works fine / not needed" and which say "need".

    A clause (split at ``. ! ? ; :``, line breaks, the ``contrast`` words and — see ``verbs`` —
    some commas and dashes) that contains a ``dismiss`` cue and no ``need`` cue codes no theme.
    A dismissed clause followed by a contrastive clause (``men …``) with a need but no theme of
    its own keeps its themes ("gott om el men nätet räcker inte").

    ``verbs`` (finite verbs such as ``är``, ``har``, ``fungerar``) decide which commas and dashes
    end a clause: one with a verb earlier in its clause and a verb before the next comma
    ("Inflyttningen går bra, det är bostäderna som är problemet"), never one inside a list
    ("Kultur, fritid och idrott fungerar bra").

    ``corrective`` words (``utan``) correct a negated clause: a clause with a ``negation`` word
    (minus ``negation_exclude`` phrases such as "inte minst") and no need cue, followed by a
    clause that starts with a corrective word, codes nothing ("Inte digitalisering utan
    kompetensförsörjning är vår största fråga").

    ``workplace`` nouns (professions, staff) followed by one of the ``workplace_links``
    (prepositions such as ``i``, ``på``, ``till``) name where people are missing: the area term
    right after them is the workplace, not a need of that area ("sjuksköterskor i
    hemsjukvården", "personal till äldreomsorgen" – guideline G5).

    A ``need_negated`` word (``behov``, ``problem``) with one of the ``need_negators`` (``inga``,
    ``inte``, ``utan``) at most three words before it in its clause (no finite verb between) – or a ``need_negated_verbs``
    verb (``behöver``) with one at most two words after it – is a dismissal, not a need ("inga
    akuta behov", "utan större problem", "behöver regionen inte göra något").

    ``praise`` words (``bra``, ``stabil``, ``nöjda``, ``klar``) dismiss like ``dismiss`` cues, but
    with a negator up to three words before them and no finite verb between they state a need
    ("vägarna är inte i gott skick", "vi är inte nöjda").

    ``location`` prepositions (``längs``, ``vid``, ``utmed``) followed by ``location_names``
    (roads and railways such as ``E4``, ``väg``, ``Botniabanan``) – directly, or with other names
    and ``location_links`` (``och``) between – say where something is: those names code no area
    ("etableringar längs E4 och Botniabanan", "en vätgasstation vid E45"). A need word before
    the preposition still codes ("trafiksäkerheten vid E4"), and a preposition inside a
    ``location_exclude`` phrase starts no location ("bra läge längs E4" is an asset to build on).
    """

    contrast: tuple[str, ...] = ()
    dismiss: tuple[Term, ...] = ()
    need: tuple[Term, ...] = ()
    verbs: tuple[Term, ...] = ()
    negation: tuple[Term, ...] = ()
    negation_exclude: tuple[Term, ...] = ()
    corrective: tuple[str, ...] = ()
    workplace: tuple[Term, ...] = ()
    workplace_links: tuple[str, ...] = ()
    need_negated: tuple[Term, ...] = ()
    need_negated_verbs: tuple[Term, ...] = ()
    need_negators: tuple[Term, ...] = ()
    praise: tuple[Term, ...] = ()
    location: tuple[Term, ...] = ()
    location_names: tuple[Term, ...] = ()
    location_links: tuple[str, ...] = ()
    location_exclude: tuple[Term, ...] = ()


@dataclass(frozen=True)
class EvidenceRule:
    """Weak terms code a theme only with corroboration: at least ``weak_min_hits`` weak hits, or
    an answer of at most ``short_answer_tokens`` words (a telegraphic list). A theme's
    ``telegraphic`` terms code it only in a telegraphic answer: at most ``short_answer_tokens``
    words and no finite verb (``scope.verbs``), e.g. "Undersköterskor och lärare." (G11)."""

    short_answer_tokens: int = 12
    weak_min_hits: int = 2


@dataclass(frozen=True)
class StanceLabel:
    """One stance of a stance codebook (e.g. Q13: the region's role)."""

    id: str
    label: str
    definition: str
    include: tuple[Term, ...]


@dataclass(frozen=True)
class StanceCodebook:
    """Stances for one question, checked in order (the first stance with a cue wins)."""

    question: str
    labels: tuple[StanceLabel, ...]
    default: str = ""


def _terms(raw: object, file: str, tid: str, key: str) -> tuple[Term, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ConfigError(f"{file}: tema {tid!r}: '{key}' måste vara en lista med textsträngar.")
    out = []
    for text in raw:
        try:
            out.append(parse_term(text))
        except ValueError as exc:
            raise ConfigError(
                f"{file}: tema {tid!r}: ogiltig term {text!r} i '{key}' ({exc})."
            ) from None
    return tuple(out)


def _strings(raw: object, file: str, tid: str, key: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ConfigError(f"{file}: {tid!r}: '{key}' måste vara en lista med textsträngar.")
    return tuple(raw)


_SENSE_KEYS = {"terms", "unless", "requires", "scope", "note"}


def _senses(raw: object, file: str, tid: str) -> tuple[SenseRule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{file}: tema {tid!r}: 'senses' måste vara en lista med regler.")
    out = []
    for n, r in enumerate(raw, start=1):
        where = f"{tid}, senses nr {n}"
        if not isinstance(r, Mapping) or set(r) - _SENSE_KEYS:
            raise ConfigError(
                f"{file}: tema {where}: en regel har nycklarna {', '.join(sorted(_SENSE_KEYS))}."
            )
        terms = _terms(r.get("terms"), file, where, "terms")
        unless = _terms(r.get("unless"), file, where, "unless")
        requires = _terms(r.get("requires"), file, where, "requires")
        scope = r.get("scope", "clause")
        if not terms or not (unless or requires) or scope not in ("clause", "answer"):
            raise ConfigError(
                f"{file}: tema {where}: 'terms' och 'unless' eller 'requires' krävs; "
                "'scope' är clause eller answer."
            )
        out.append(SenseRule(terms, unless, requires, scope, str(r.get("note") or "")))
    return tuple(out)


_SCOPE_KEYS = (
    "contrast",
    "dismiss",
    "need",
    "verbs",
    "negation",
    "negation_exclude",
    "corrective",
    "workplace",
    "workplace_links",
    "need_negated",
    "need_negated_verbs",
    "need_negators",
    "praise",
    "location",
    "location_names",
    "location_links",
    "location_exclude",
)


def _scope(raw: object, file: str) -> Scope:
    if raw is None:
        return Scope()
    if not isinstance(raw, Mapping) or set(raw) - set(_SCOPE_KEYS):
        raise ConfigError(f"{file}: 'scope' har nycklarna {', '.join(_SCOPE_KEYS)}.")
    contrast = tuple(c.lower() for c in _strings(raw.get("contrast"), file, "scope", "contrast"))
    corrective = tuple(
        c.lower() for c in _strings(raw.get("corrective"), file, "scope", "corrective")
    )
    if set(corrective) - set(contrast):
        raise ConfigError(f"{file}: scope: varje ord i 'corrective' måste också stå i 'contrast'.")
    return Scope(
        contrast=contrast,
        dismiss=_terms(raw.get("dismiss"), file, "scope", "dismiss"),
        need=_terms(raw.get("need"), file, "scope", "need"),
        verbs=_terms(raw.get("verbs"), file, "scope", "verbs"),
        negation=_terms(raw.get("negation"), file, "scope", "negation"),
        negation_exclude=_terms(raw.get("negation_exclude"), file, "scope", "negation_exclude"),
        corrective=corrective,
        workplace=_terms(raw.get("workplace"), file, "scope", "workplace"),
        need_negated=_terms(raw.get("need_negated"), file, "scope", "need_negated"),
        need_negated_verbs=_terms(
            raw.get("need_negated_verbs"), file, "scope", "need_negated_verbs"
        ),
        need_negators=_terms(raw.get("need_negators"), file, "scope", "need_negators"),
        praise=_terms(raw.get("praise"), file, "scope", "praise"),
        workplace_links=tuple(
            w.lower()
            for w in _strings(raw.get("workplace_links"), file, "scope", "workplace_links")
        ),
        location=_terms(raw.get("location"), file, "scope", "location"),
        location_names=_terms(raw.get("location_names"), file, "scope", "location_names"),
        location_exclude=_terms(raw.get("location_exclude"), file, "scope", "location_exclude"),
        location_links=tuple(
            w.lower() for w in _strings(raw.get("location_links"), file, "scope", "location_links")
        ),
    )


def _expand_cues(data: Mapping, file: str) -> Mapping:
    """Replace ``"@name"`` items of term lists by the terms of the top-level ``cues: {name:
    [...]}`` (shared cue vocabularies such as shortage or residence words).

    >>> _expand_cues({"cues": {"brist": ["saknar", "brist*"]},
    ...               "themes": [{"include": ["x", "@brist"]}]}, "t.yaml")["themes"]
    [{'include': ['x', 'saknar', 'brist*']}]
    """
    cues = data.get("cues")
    if cues is None:
        return data
    if not isinstance(cues, Mapping) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in cues.values()
    ):
        raise ConfigError(f"{file}: 'cues' måste vara en mappning namn → lista med termer.")

    def walk(obj):
        if isinstance(obj, list):
            out = []
            for x in obj:
                if isinstance(x, str) and x.startswith("@"):
                    if x[1:] not in cues:
                        raise ConfigError(
                            f"{file}: okänd ordlista {x!r} (finns: {', '.join(cues)})."
                        )
                    out.extend(cues[x[1:]])
                else:
                    out.append(walk(x))
            return out
        if isinstance(obj, Mapping):
            return {k: walk(v) for k, v in obj.items()}
        return obj

    return {k: (v if k == "cues" else walk(v)) for k, v in data.items()}


def _evidence(raw: object, file: str) -> EvidenceRule:
    if raw is None:
        return EvidenceRule()
    keys = {"short_answer_tokens", "weak_min_hits"}
    if not isinstance(raw, Mapping) or set(raw) - keys:
        raise ConfigError(f"{file}: 'evidence' har nycklarna {', '.join(sorted(keys))}.")
    vals = {k: raw[k] for k in keys if k in raw}
    if not all(isinstance(v, int) and v >= 0 for v in vals.values()):
        raise ConfigError(f"{file}: 'evidence': värdena måste vara heltal ≥ 0.")
    return EvidenceRule(**vals)


def _lexicon(data: Mapping, file: str, ids: set[str]) -> tuple[LexiconEntry, ...]:
    out = []
    for key, kind in (("abbreviations", "abbreviation"), ("proper_names", "name")):
        raw = data.get(key) or []
        if not isinstance(raw, list):
            raise ConfigError(f"{file}: '{key}' måste vara en lista.")
        for n, e in enumerate(raw, start=1):
            ok = isinstance(e, Mapping) and not set(e) - {"name", "term", "expansion", "themes"}
            if not ok or not isinstance(e.get("name"), str) or not isinstance(e.get("term"), str):
                raise ConfigError(
                    f"{file}: {key} nr {n}: ange name, term, expansion och themes (lista)."
                )
            themes = _strings(e.get("themes"), file, e["name"], "themes")
            bad = [t for t in themes if t not in ids]
            if bad:
                raise ConfigError(f"{file}: {key} {e['name']!r}: okända tema-id: {', '.join(bad)}.")
            (term,) = _terms([e["term"]], file, e["name"], "term")
            out.append(LexiconEntry(e["name"], term, str(e.get("expansion") or ""), themes, kind))
    return tuple(out)


def _stances(raw: object, file: str) -> tuple[StanceCodebook, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{file}: 'stances' måste vara en lista (en post per fråga).")
    out = []
    for n, s in enumerate(raw, start=1):
        if not isinstance(s, Mapping) or not isinstance(s.get("question"), str):
            raise ConfigError(f"{file}: stances nr {n}: 'question' saknas.")
        labels = []
        for lab in s.get("labels") or []:
            if not isinstance(lab, Mapping) or not isinstance(lab.get("id"), str):
                raise ConfigError(f"{file}: stances {s['question']}: varje hållning behöver 'id'.")
            inc = _terms(lab.get("include"), file, lab["id"], "include")
            if not inc:
                raise ConfigError(f"{file}: hållning {lab['id']!r}: 'include' saknar termer.")
            labels.append(
                StanceLabel(
                    lab["id"],
                    str(lab.get("label") or lab["id"]),
                    str(lab.get("definition") or ""),
                    inc,
                )
            )
        if not labels:
            raise ConfigError(f"{file}: stances {s['question']}: 'labels' saknas.")
        out.append(StanceCodebook(s["question"], tuple(labels), str(s.get("default") or "")))
    return tuple(out)
