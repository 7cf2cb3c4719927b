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
from analysis.text.normalise import Term
from analysis.text.theme_rules import (  # noqa: F401 (re-exported)
    EvidenceRule,
    LexiconEntry,
    Scope,
    SenseRule,
    StanceCodebook,
    StanceLabel,
    _evidence,
    _expand_cues,
    _lexicon,
    _scope,
    _senses,
    _stances,
    _strings,
    _terms,
)

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
    "cues",
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
    "telegraphic",
    "senses",
    "examples",
    "counterexamples",
    "questions",
    "prompted",
    "prompted_questions",
}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


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
    telegraphic: tuple[Term, ...] = ()
    counterexamples: tuple[str, ...] = ()
    prompted: bool = False
    prompted_questions: tuple[str, ...] = ()

    def all_terms(self) -> tuple[Term, ...]:
        """Include, weak, telegraphic and sense-rule terms (everything that can code the theme)."""
        return (
            self.include
            + self.weak
            + self.telegraphic
            + tuple(t for r in self.senses for t in r.terms)
        )


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

    def exclusions(self, theme_id: str) -> tuple[Term, ...]:
        """A theme's exclude terms plus those of its ancestors: a sub-theme never codes what
        its parent rules out ("vägskäl" is neither a road nor transport infrastructure)."""
        out = dict.fromkeys(self[theme_id].exclude)
        for a in self.ancestors(theme_id):
            out.update(dict.fromkeys(self[a].exclude))
        return tuple(out)

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


def parse_themes(data: object, file: str = "<themes>") -> ThemeCodebook:
    """Validate an already-parsed YAML document and build a :class:`ThemeCodebook`.

    >>> parse_themes({"version": "1", "language": "sv", "themes": [
    ...     {"id": "a", "label": "A", "definition": "d", "include": ["x"], "colour": "red"}]},
    ...     file="t.yaml")
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: t.yaml: tema 'a': okända nycklar: colour. Tillåtna: counterexamples, definition, examples, exclude, id, include, label, parent, priority_area, prompted, prompted_questions, questions, senses, telegraphic, weak.
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
    data = _expand_cues(data, file)
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
                telegraphic=_terms(raw.get("telegraphic"), file, tid, "telegraphic"),
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


_LOADED: dict[tuple[str, int, int], ThemeCodebook] = {}


def load_themes(path: str | Path | None = None) -> ThemeCodebook:
    """Load and validate a theme codebook (default: the municipality survey's ``themes.yaml``).

    The parsed codebook is kept per file version (path, modification time, size), so loading an
    unchanged file again returns the same (immutable) object — and with it the compiled coder
    of :func:`analysis.text.coder.get_coder`.
    """
    import yaml

    from analysis import yamlload as strict_yaml
    from analysis.paths import themes_path

    p = Path(path) if path is not None else themes_path()
    if not p.is_file():
        raise ConfigError(f"{p}: temakodboken finns inte. Ange en befintlig fil med --themes.")
    st = p.stat()
    key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    if key in _LOADED:
        return _LOADED[key]
    try:
        with p.open(encoding="utf-8") as fh:
            data = strict_yaml.load(fh, source=p)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: ogiltig YAML ({exc}).") from None
    cb = parse_themes(data, file=str(p))
    if len(_LOADED) > 8:
        _LOADED.clear()
    _LOADED[key] = cb
    return cb
