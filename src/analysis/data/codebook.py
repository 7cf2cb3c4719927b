"""Load and validate a survey codebook (``data/raw/<survey>/codebook.yaml``).

The YAML schema is described in ``docs/ARCHITECTURE.md``. Loading checks everything the ingest
relies on and raises :class:`analysis.errors.ConfigError` naming the file and the question when
something is wrong (unknown type, duplicate id, missing options …).

>>> cb = load_codebook("municipality_2023")
>>> cb.survey, len(cb.questions), cb.question("q1").type
('municipality_2023', 15, 'municipality')
>>> [q.id for q in load_codebook("partner_2021").questions_of_type("likert")]
['q4', 'q5', 'q6']
>>> load_codebook("partner_2021").frame_size
43
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.errors import ConfigError

QUESTION_TYPES: tuple[str, ...] = (
    "single", "multi", "likert", "text", "municipality", "org_type", "org_id",
)  # fmt: skip
"""The question types a codebook may use (``org_id``: an organisation's code from the sample
frame, kept as text so that rounds can be paired — an organisation, never a person)."""

CHOICE_TYPES: tuple[str, ...] = ("single", "multi", "likert", "org_type")
"""Types whose answers come from the question's ``options``."""

CATEGORICAL_TYPES: tuple[str, ...] = ("single", "likert", "org_type")
"""Types stored as one ordered Categorical column in the wide table."""

ROLES: tuple[str, ...] = ("metadata", "question")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


_LOADED: dict[tuple, Codebook] = {}
"""Codebooks parsed in this process, by (class, path, sha256 of the bytes)."""


@dataclass(frozen=True)
class Option:
    """One answer option: a stable ``code`` and the Swedish ``label`` shown to respondents."""

    code: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question of a codebook (see ``docs/ARCHITECTURE.md`` for the fields)."""

    id: str
    number: int | None
    text: str
    examples: str | None = None
    link: str | None = None
    type: str = "text"
    role: str = "question"
    required: bool = False
    reconstructed: bool = False
    options: tuple[Option, ...] = ()
    non_substantive: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    concept: str | None = None
    """Stable id of what the question measures, shared by the rounds of a series."""
    wording_changed_from: str | None = None
    """The earlier round's wording when the question text changed (comparisons say so)."""
    new: bool = False
    """True for a question asked for the first time in this round."""
    indicator: tuple[str, ...] = ()
    """Option labels counted as the concept's indicator in comparisons between rounds."""

    @property
    def labels(self) -> list[str]:
        """Option labels in category order: substantive first (codebook order), then the
        non-substantive ones (e.g. "Vet ej").

        >>> q = Question("q", 1, "T", type="likert", options=(Option("x", "Vet ej"),
        ...              Option("1", "Nej"), Option("2", "Ja")), non_substantive=("Vet ej",))
        >>> q.labels
        ['Nej', 'Ja', 'Vet ej']
        """
        subst = [o.label for o in self.options if o.label not in self.non_substantive]
        return subst + [o.label for o in self.options if o.label in self.non_substantive]

    @property
    def substantive_labels(self) -> list[str]:
        """Labels that count in shares (all labels except the non-substantive ones)."""
        return [o.label for o in self.options if o.label not in self.non_substantive]

    def option_by_label(self, label: str) -> Option | None:
        for o in self.options:
            if o.label == label:
                return o
        return None


@dataclass(frozen=True)
class Codebook:
    """A loaded, validated codebook. ``sha256`` is the hash of the YAML file's bytes."""

    survey: str
    version: str
    title: str
    source: str
    frame: dict | None
    questions: tuple[Question, ...]
    path: Path | None = None
    sha256: str = ""
    demo: dict | None = field(default=None, compare=False)
    disclosure: dict | None = field(default=None, compare=False)
    series: str | None = None
    """The series this survey is a round of (e.g. ``partner``), or ``None``."""
    round: int | None = None
    """The round (a year) within :attr:`series`."""

    # ------------------------------------------------------------------ lookup helpers
    def question(self, qid: str) -> Question:
        """The question with id *qid*; :class:`ConfigError` if there is none."""
        for q in self.questions:
            if q.id == qid:
                return q
        known = ", ".join(q.id for q in self.questions)
        raise ConfigError(f"{self.path or self.survey}: okänd fråga {qid!r} (kända: {known}).")

    def questions_of_type(self, *types: str) -> list[Question]:
        """Questions whose type is one of *types*, in codebook order."""
        return [q for q in self.questions if q.type in types]

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]

    @property
    def frame_size(self) -> int | None:
        """Size of the sample frame (``frame.size``) or ``None`` when there is no frame."""
        if not self.frame:
            return None
        size = self.frame.get("size")
        return int(size) if size is not None else None

    @property
    def demo_file(self) -> str | None:
        """The demo export's file name declared in the ``demo`` section, if any."""
        if self.demo and self.demo.get("file"):
            return str(self.demo["file"])
        return None

    @property
    def demo_synthetic(self) -> bool:
        return bool(self.demo and self.demo.get("synthetic"))

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path) -> Codebook:
        """Read and validate a codebook YAML file.

        The file is read every time; parsing and validating it (~12 ms) only when its bytes
        changed (each caller gets its own copy).
        """
        import yaml

        from analysis import yamlload as strict_yaml

        p = Path(path)
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"{p}: kodboken saknas.") from None
        except OSError as exc:
            raise ConfigError(f"{p}: kodboken kunde inte läsas ({exc.strerror}).") from None
        sha256 = hashlib.sha256(raw).hexdigest()
        key = (cls, str(p), sha256)
        if key in _LOADED:  # the same bytes at the same path: parsed and validated before
            return copy.deepcopy(_LOADED[key])
        try:
            data = strict_yaml.load(raw.decode("utf-8"), source=p)
        except UnicodeDecodeError:
            raise ConfigError(f"{p}: kodboken är inte sparad som UTF-8.") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{p}: ogiltig YAML ({_one_line(exc)}).") from None
        codebook = cls.from_dict(data, path=p, sha256=sha256)
        if len(_LOADED) >= 64:
            _LOADED.clear()
        _LOADED[key] = copy.deepcopy(codebook)
        return codebook

    @classmethod
    def from_dict(cls, data: Any, path: Path | None = None, sha256: str = "") -> Codebook:
        """Build a codebook from already parsed YAML (validated the same way as :meth:`load`)."""
        where = str(path) if path is not None else "kodbok"
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: kodboken måste vara en YAML-mappning.")
        for key in ("survey", "version", "questions"):
            if key not in data:
                raise ConfigError(f"{where}: nyckeln {key!r} saknas.")
        frame = data.get("frame")
        if frame is not None and not isinstance(frame, dict):
            raise ConfigError(f"{where}: 'frame' måste vara null eller en mappning.")
        demo = data.get("demo")
        if demo is not None and not isinstance(demo, dict):
            raise ConfigError(f"{where}: 'demo' måste vara en mappning.")
        disclosure = data.get("disclosure")
        if disclosure is not None and not isinstance(disclosure, dict):
            raise ConfigError(f"{where}: 'disclosure' måste vara en mappning.")
        if disclosure is not None:
            from analysis.disclosure.policy import policy_for

            try:
                policy_for(disclosure, survey=str(data["survey"]))
            except ConfigError as exc:
                raise ConfigError(f"{where}: {exc}") from None
        series, round_ = _series(data, where)
        items = data["questions"]
        if not isinstance(items, list) or not items:
            raise ConfigError(f"{where}: 'questions' måste vara en icke-tom lista.")
        questions: list[Question] = []
        seen: set[str] = set()
        for i, item in enumerate(items, start=1):
            q = _question(item, where, i)
            if q.id in seen:
                raise ConfigError(f"{where}: fråge-id {q.id!r} förekommer mer än en gång.")
            seen.add(q.id)
            questions.append(q)
        concepts = [q.concept for q in questions if q.concept]
        dupes = sorted({c for c in concepts if concepts.count(c) > 1})
        if dupes:
            raise ConfigError(
                f"{where}: begreppet (concept) {', '.join(map(repr, dupes))} används av flera "
                "frågor; ge varje fråga ett eget begrepp."
            )
        return cls(
            survey=str(data["survey"]),
            version=str(data["version"]),
            title=str(data.get("title") or ""),
            source=str(data.get("source") or ""),
            frame=dict(frame) if frame else None,
            questions=tuple(questions),
            path=path,
            sha256=sha256,
            demo=dict(demo) if demo else None,
            disclosure=dict(disclosure) if disclosure else None,
            series=series,
            round=round_,
        )


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _series(data: dict, where: str) -> tuple[str | None, int | None]:
    """The optional ``series`` (an id) and ``round`` (a year), declared together."""
    series, round_ = data.get("series"), data.get("round")
    if series is None and round_ is None:
        return None, None
    if series is None or round_ is None:
        missing = "round" if round_ is None else "series"
        raise ConfigError(
            f"{where}: nyckeln {missing!r} saknas; 'series' och 'round' anges tillsammans "
            "(t.ex. series: partner, round: 2025)."
        )
    if not isinstance(series, str) or not _ID.match(series):
        raise ConfigError(
            f"{where}: 'series' ska vara ett id (små bokstäver, siffror och _), inte {series!r}."
        )
    if isinstance(round_, bool) or not isinstance(round_, int) or not 1900 <= round_ <= 2100:
        raise ConfigError(f"{where}: 'round' ska vara ett årtal (t.ex. 2025), inte {round_!r}.")
    return series, round_


def _question(item: Any, where: str, position: int) -> Question:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: fråga nr {position} i listan är inte en mappning.")
    qid = item.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise ConfigError(
            f"{where}: fråga nr {position} har ogiltigt id {qid!r} "
            "(små bokstäver, siffror och _, börjar med en bokstav)."
        )
    at = f"{where}: fråga {qid}"
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{at}: frågetext ('text') saknas.")
    qtype = item.get("type")
    if qtype not in QUESTION_TYPES:
        raise ConfigError(f"{at}: okänd typ {qtype!r} (tillåtna: {', '.join(QUESTION_TYPES)}).")
    role = item.get("role", "question")
    if role not in ROLES:
        raise ConfigError(f"{at}: okänd roll {role!r} (tillåtna: {', '.join(ROLES)}).")
    number = item.get("number")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
        raise ConfigError(f"{at}: 'number' måste vara ett heltal eller null.")
    raw_options = item.get("options") or []
    if not isinstance(raw_options, list):
        raise ConfigError(f"{at}: 'options' måste vara en lista.")
    options: list[Option] = []
    for opt in raw_options:
        if not isinstance(opt, dict) or "code" not in opt or "label" not in opt:
            raise ConfigError(f"{at}: varje svarsalternativ behöver 'code' och 'label'.")
        code, label = str(opt["code"]).strip(), str(opt["label"]).strip()
        if not code or not label:
            raise ConfigError(f"{at}: tom 'code' eller 'label' i svarsalternativen.")
        options.append(Option(code, label))
    if qtype in CHOICE_TYPES and not options:
        raise ConfigError(f"{at}: typen {qtype!r} kräver svarsalternativ ('options').")
    if qtype not in CHOICE_TYPES and options:
        raise ConfigError(f"{at}: typen {qtype!r} ska inte ha svarsalternativ.")
    for attr in ("code", "label"):
        values = [getattr(o, attr) for o in options]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise ConfigError(f"{at}: svarsalternativens {attr} förekommer flera gånger: {dupes}.")
    non_sub = tuple(str(s) for s in (item.get("non_substantive") or []))
    labels = {o.label for o in options}
    unknown = [s for s in non_sub if s not in labels]
    if unknown:
        raise ConfigError(f"{at}: 'non_substantive' nämner okända alternativ {unknown}.")
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list):
        raise ConfigError(f"{at}: 'aliases' måste vara en lista.")
    concept, changed, new, indicator = _round_fields(item, at, labels, qtype)
    return Question(
        id=qid,
        number=number,
        text=text.strip(),
        examples=_opt_str(item.get("examples")),
        link=_opt_str(item.get("link")),
        type=qtype,
        role=role,
        required=bool(item.get("required", False)),
        reconstructed=bool(item.get("reconstructed", False)),
        options=tuple(options),
        non_substantive=non_sub,
        aliases=tuple(str(a) for a in aliases),
        concept=concept,
        wording_changed_from=changed,
        new=new,
        indicator=indicator,
    )


def _round_fields(
    item: dict, at: str, labels: set[str], qtype: str
) -> tuple[str | None, str | None, bool, tuple[str, ...]]:
    """The optional fields that tie a question to the other rounds of its series."""
    concept = item.get("concept")
    if concept is not None and (not isinstance(concept, str) or not _ID.match(concept)):
        raise ConfigError(
            f"{at}: 'concept' ska vara ett id (små bokstäver, siffror och _), inte {concept!r}."
        )
    changed = _opt_str(item.get("wording_changed_from"))
    new = item.get("new", False)
    if not isinstance(new, bool):
        raise ConfigError(f"{at}: 'new' ska vara true eller false, inte {new!r}.")
    if changed and not concept:
        raise ConfigError(
            f"{at}: 'wording_changed_from' kräver ett 'concept' som binder frågan till den "
            "tidigare omgången."
        )
    if changed and new:
        raise ConfigError(
            f"{at}: en ny fråga ('new: true') kan inte ha 'wording_changed_from'; ta bort en av dem."
        )
    raw = item.get("indicator") or []
    if not isinstance(raw, list):
        raise ConfigError(f"{at}: 'indicator' ska vara en lista med svarsalternativ.")
    indicator = tuple(str(x) for x in raw)
    if indicator and qtype not in ("single", "likert"):
        raise ConfigError(f"{at}: 'indicator' gäller bara frågor av typen single eller likert.")
    unknown = [x for x in indicator if x not in labels]
    if unknown:
        raise ConfigError(f"{at}: 'indicator' nämner okända alternativ {unknown}.")
    return (concept or None), changed, new, indicator


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def load_codebook(survey: str) -> Codebook:
    """Load the codebook of *survey* from ``data/raw/<survey>/codebook.yaml``.

    The survey must be a folder of ``data/raw`` (:func:`analysis.data.surveys.check_survey`) and
    the codebook's ``survey`` must be the folder's name.
    """
    from analysis.data.surveys import check_survey

    check_survey(survey)
    path = paths.codebook_path(survey)
    cb = Codebook.load(path)
    if cb.survey != survey:
        raise ConfigError(
            f"{path}: 'survey' är {cb.survey!r} men mappen heter {survey!r}; "
            f"skriv 'survey: {survey}' i kodboken (eller döp om mappen)."
        )
    return cb


__all__ = [
    "CATEGORICAL_TYPES",
    "CHOICE_TYPES",
    "QUESTION_TYPES",
    "Codebook",
    "Option",
    "Question",
    "load_codebook",
]
