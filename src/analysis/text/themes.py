"""The theme codebook for free-text coding: load and validate ``themes.yaml``.

File layout::

    version: "1.0"
    language: sv
    themes:
      - id: kompetensforsorjning        # stable id, [a-z0-9_]
        label: "Kompetensförsörjning"   # Swedish, shown in reports
        definition: "…"                 # what belongs here (and what does not)
        parent: null                    # optional: id of a broader theme (implied by this one)
        questions: [q4]                 # optional: only code answers to these questions
        priority_area: true             # true for the nine priority areas of report section 5.7
        include: ["kompetensförsörjning", "rekryter*", "arbetskraft"]
        exclude: []                     # terms that never count for this theme
        examples: ["Svårt att rekrytera sjuksköterskor."]

Terms use the syntax of :mod:`analysis.text.normalise` (``ord``, ``=ord``, ``ord*``, ``*ord``,
phrases). Every problem is a :class:`analysis.errors.ConfigError` naming the file and the theme.

>>> cb = load_themes()
>>> "kompetensforsorjning" in cb.ids
True
>>> sum(t.priority_area for t in cb.themes)
9
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import ConfigError
from analysis.text.normalise import Term, parse_term

PRIORITY_AREAS: tuple[str, ...] = (
    "kompetensforsorjning",
    "samhallsplanering",
    "trafikinfrastruktur",
    "paverkansarbete",
    "digitalisering",
    "hallbar_omstallning",
    "attraktion",
    "socialtjanst",
    "civilt_forsvar",
)
"""The nine priority areas of report section 5.7, in the report's order."""

_TOP_KEYS = {
    "version",
    "language",
    "description",
    "themes",
    "scope",
    "evidence",
    "abbreviations",
    "proper_names",
    "stances",
}
_THEME_KEYS = {
    "id",
    "label",
    "definition",
    "parent",
    "priority_area",
    "include",
    "exclude",
    "weak",
    "senses",
    "examples",
    "counterexamples",
    "questions",
    "prompted",
    "prompted_questions",
}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


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

    A clause (split at ``. ! ? ; :``, line breaks and the ``contrast`` words) that contains a
    ``dismiss`` cue and no ``need`` cue codes no theme. A dismissed clause followed by a
    contrastive clause (``men …``) with a need but no theme of its own keeps its themes
    ("gott om el men nätet räcker inte").
    """

    contrast: tuple[str, ...] = ()
    dismiss: tuple[Term, ...] = ()
    need: tuple[Term, ...] = ()


@dataclass(frozen=True)
class EvidenceRule:
    """Weak terms code a theme only with corroboration: at least ``weak_min_hits`` weak hits, or
    an answer of at most ``short_answer_tokens`` words (a telegraphic list)."""

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


@dataclass(frozen=True)
class Theme:
    """One theme of the codebook."""

    id: str
    label: str
    definition: str
    include: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()
    examples: tuple[str, ...] = ()
    parent: str | None = None
    priority_area: bool = False
    questions: tuple[str, ...] = ()
    weak: tuple[Term, ...] = ()
    senses: tuple[SenseRule, ...] = ()
    counterexamples: tuple[str, ...] = ()
    prompted: bool = False
    prompted_questions: tuple[str, ...] = ()

    def all_terms(self) -> tuple[Term, ...]:
        """Include, weak and sense-rule terms (everything that can code the theme)."""
        return self.include + self.weak + tuple(t for r in self.senses for t in r.terms)


@dataclass(frozen=True)
class ThemeCodebook:
    """A validated theme codebook (``themes`` in file order)."""

    version: str
    language: str
    themes: tuple[Theme, ...]
    source: str = ""
    scope: Scope = field(default_factory=Scope)
    evidence: EvidenceRule = field(default_factory=EvidenceRule)
    lexicon: tuple[LexiconEntry, ...] = ()
    stances: tuple[StanceCodebook, ...] = ()
    description: str = ""
    _by_id: dict[str, Theme] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({t.id: t for t in self.themes})

    @property
    def ids(self) -> list[str]:
        """Theme ids in file order (the column order of coded tables)."""
        return [t.id for t in self.themes]

    @property
    def labels(self) -> dict[str, str]:
        """Theme id → Swedish label."""
        return {t.id: t.label for t in self.themes}

    def __getitem__(self, theme_id: str) -> Theme:
        return self._by_id[theme_id]

    def __len__(self) -> int:
        return len(self.themes)

    def children(self, theme_id: str) -> list[str]:
        """Ids of the themes whose ``parent`` is ``theme_id``."""
        return [t.id for t in self.themes if t.parent == theme_id]

    def ancestors(self, theme_id: str) -> list[str]:
        """Parent, grandparent, … of a theme (a theme implies all of them)."""
        out, cur = [], self[theme_id].parent
        while cur is not None:
            out.append(cur)
            cur = self[cur].parent
        return out

    def subset(self, ids: list[str]) -> ThemeCodebook:
        """A codebook with only the given themes (in the given order)."""
        keep = set(ids)
        lex = tuple(
            LexiconEntry(
                e.name, e.term, e.expansion, tuple(t for t in e.themes if t in keep), e.kind
            )
            for e in self.lexicon
        )
        return ThemeCodebook(
            self.version,
            self.language,
            tuple(self[i] for i in ids),
            self.source,
            self.scope,
            self.evidence,
            lex,
            self.stances,
            self.description,
        )

    def prompted_ids(self, question: str | None = None) -> list[str]:
        """Themes flagged ``prompted`` (echo a question's "(tex …)" examples); with ``question``
        only those prompted by that question."""
        return [
            t.id
            for t in self.themes
            if t.prompted and (question is None or question in t.prompted_questions)
        ]


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


def parse_themes(data: object, file: str = "<themes>") -> ThemeCodebook:
    """Validate an already-parsed YAML document and build a :class:`ThemeCodebook`.

    >>> parse_themes({"version": "1", "language": "sv", "themes": [
    ...     {"id": "a", "label": "A", "definition": "d", "include": ["x"], "colour": "red"}]},
    ...     file="t.yaml")
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: t.yaml: tema 'a': okända nycklar: colour. Tillåtna: counterexamples, definition, examples, exclude, id, include, label, parent, priority_area, prompted, prompted_questions, questions, senses, weak.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{file}: filen måste vara en YAML-mappning med 'version' och 'themes'.")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(
            f"{file}: okända nycklar på toppnivå: {', '.join(map(str, unknown))}. "
            f"Tillåtna: {', '.join(sorted(_TOP_KEYS))}."
        )
    for key in ("version", "themes"):
        if key not in data:
            raise ConfigError(f"{file}: nyckeln '{key}' saknas.")
    raw_themes = data["themes"]
    if not isinstance(raw_themes, list) or not raw_themes:
        raise ConfigError(f"{file}: 'themes' måste vara en icke-tom lista.")
    themes: list[Theme] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_themes, start=1):
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{file}: tema nr {n} är inte en mappning.")
        tid = raw.get("id")
        if not isinstance(tid, str) or not _ID_RE.match(tid):
            raise ConfigError(
                f"{file}: tema nr {n}: 'id' saknas eller är ogiltigt ({tid!r}); "
                "använd små bokstäver a–z, siffror och '_'."
            )
        unknown = sorted(set(raw) - _THEME_KEYS)
        if unknown:
            raise ConfigError(
                f"{file}: tema {tid!r}: okända nycklar: {', '.join(map(str, unknown))}. "
                f"Tillåtna: {', '.join(sorted(_THEME_KEYS))}."
            )
        if tid in seen:
            raise ConfigError(f"{file}: tema {tid!r} förekommer mer än en gång (dubblett-id).")
        seen.add(tid)
        label = raw.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(f"{file}: tema {tid!r}: 'label' (svensk etikett) saknas.")
        definition = raw.get("definition") or ""
        if not isinstance(definition, str):
            raise ConfigError(f"{file}: tema {tid!r}: 'definition' måste vara text.")
        include = _terms(raw.get("include"), file, tid, "include")
        if not include:
            raise ConfigError(f"{file}: tema {tid!r}: 'include' saknar termer.")
        exclude = _terms(raw.get("exclude"), file, tid, "exclude")
        examples = raw.get("examples") or []
        if not isinstance(examples, list) or not all(isinstance(x, str) for x in examples):
            raise ConfigError(f"{file}: tema {tid!r}: 'examples' måste vara en lista med texter.")
        prio = raw.get("priority_area", False)
        if not isinstance(prio, bool):
            raise ConfigError(f"{file}: tema {tid!r}: 'priority_area' måste vara true/false.")
        questions = raw.get("questions") or []
        if not isinstance(questions, list) or not all(isinstance(x, str) for x in questions):
            raise ConfigError(
                f"{file}: tema {tid!r}: 'questions' måste vara en lista med fråge-id."
            )
        parent = raw.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise ConfigError(f"{file}: tema {tid!r}: 'parent' måste vara ett tema-id.")
        counter = _strings(raw.get("counterexamples"), file, tid, "counterexamples")
        prompted = raw.get("prompted", False)
        if not isinstance(prompted, bool):
            raise ConfigError(f"{file}: tema {tid!r}: 'prompted' måste vara true/false.")
        pq = _strings(raw.get("prompted_questions"), file, tid, "prompted_questions")
        if pq and not prompted:
            raise ConfigError(
                f"{file}: tema {tid!r}: 'prompted_questions' kräver 'prompted: true'."
            )
        themes.append(
            Theme(
                id=tid,
                label=label.strip(),
                definition=definition.strip(),
                include=include,
                exclude=exclude,
                examples=tuple(examples),
                parent=parent,
                priority_area=prio,
                questions=tuple(questions),
                weak=_terms(raw.get("weak"), file, tid, "weak"),
                senses=_senses(raw.get("senses"), file, tid),
                counterexamples=counter,
                prompted=prompted,
                prompted_questions=pq,
            )
        )
    for t in themes:
        if t.parent is not None and (t.parent not in seen or t.parent == t.id):
            raise ConfigError(
                f"{file}: tema {t.id!r}: 'parent' {t.parent!r} är inte ett annat tema i filen."
            )
    parents = {t.id: t.parent for t in themes}
    for t in themes:
        chain, cur = [t.id], t.parent
        while cur is not None:
            if cur in chain:
                raise ConfigError(
                    f"{file}: tema {t.id!r}: 'parent' bildar en cirkel ({' → '.join(chain + [cur])})."
                )
            chain.append(cur)
            cur = parents.get(cur)
    lexicon = _lexicon(data, file, seen)
    return ThemeCodebook(
        version=str(data["version"]),
        language=str(data.get("language", "sv")),
        themes=tuple(themes),
        source=file,
        scope=_scope(data.get("scope"), file),
        evidence=_evidence(data.get("evidence"), file),
        lexicon=lexicon,
        stances=_stances(data.get("stances"), file),
        description=str(data.get("description") or ""),
    )


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


def _scope(raw: object, file: str) -> Scope:
    if raw is None:
        return Scope()
    if not isinstance(raw, Mapping) or set(raw) - {"contrast", "dismiss", "need"}:
        raise ConfigError(f"{file}: 'scope' har nycklarna contrast, dismiss och need.")
    contrast = _strings(raw.get("contrast"), file, "scope", "contrast")
    return Scope(
        contrast=tuple(c.lower() for c in contrast),
        dismiss=_terms(raw.get("dismiss"), file, "scope", "dismiss"),
        need=_terms(raw.get("need"), file, "scope", "need"),
    )


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


def load_themes(path: str | Path | None = None) -> ThemeCodebook:
    """Load and validate a theme codebook (default: the municipality survey's ``themes.yaml``)."""
    import yaml

    from analysis import yamlload as strict_yaml
    from analysis.paths import themes_path

    p = Path(path) if path is not None else themes_path()
    if not p.is_file():
        raise ConfigError(f"{p}: temakodboken finns inte. Ange en befintlig fil med --themes.")
    try:
        with p.open(encoding="utf-8") as fh:
            data = strict_yaml.load(fh, source=p)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: ogiltig YAML ({exc}).") from None
    return parse_themes(data, file=str(p))
