"""The parameters of a report notebook: read, cast and validate them before anything executes.

Every report notebook has exactly one cell tagged ``parameters`` with typed, commented defaults.
:func:`notebook_parameters` reads it (JSON + :mod:`ast`, without importing papermill, so that a
no-op rerun stays fast); :func:`resolve_parameters` merges defaults ← registry parameters ←
overrides (``analysis run -p KEY VALUE``) and checks them: unknown names, values that cannot be
cast to the declared type (:func:`coerce_value`), values outside the known enumerations
(:data:`ENUMERATIONS`: ``survey``, ``audience``; a report registered with ``surveys:`` accepts
only those), values outside their range (:data:`RANGES`: ``min_cell`` ≥ 0 (0 = the survey's disclosure policy), 0 < ``confidence`` < 1),
text that is too long or holds control characters (:data:`MAX_TEXT_LENGTH`), and path parameters
(:data:`PATH_PARAMETERS`: ``input`` a folder, ``themes`` a file) that are too long for the file
system or do not exist raise :class:`analysis.errors.ConfigError` — before anything executes.

>>> decl = ParameterDecl("min_cell", "int", 5, "smallest group shown")
>>> coerce_value(decl, "3")
3
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths
from analysis.data.surveys import Enumerations, discover
from analysis.disclosure.audience import AUDIENCES
from analysis.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from analysis.pipeline.registry import ReportSpec

__all__ = [
    "ENUMERATIONS",
    "MAX_TEXT_LENGTH",
    "PATH_PARAMETERS",
    "RANGES",
    "ParameterDecl",
    "coerce_value",
    "notebook_parameters",
    "parameters_cells",
    "read_notebook_json",
    "resolve_parameters",
]

ENUMERATIONS: Mapping[str, tuple[str, ...]] = Enumerations(
    {"audience": AUDIENCES}, survey=discover, baseline=discover
)
"""Parameters whose value must be one of a known set (checked by :func:`resolve_parameters`);
the surveys (``survey``, ``baseline``: an earlier round) are discovered when a value is checked."""

SURVEY_PARAMETERS = ("survey", "baseline")
"""Parameters naming a survey: its codebook is loaded (validated) before anything executes."""


def _not_negative(value: object) -> str | None:
    return None if value >= 0 else "ska vara 0 (enkätens röjandepolicy) eller större"


def _open_unit_interval(value: object) -> str | None:
    return None if 0 < value < 1 else "ska ligga mellan 0 och 1 (t.ex. 0.95 för 95 %)"


RANGES = {"min_cell": _not_negative, "confidence": _open_unit_interval}
"""Parameters with a valid range: name → check returning the problem (``None`` when fine)."""

PATH_PARAMETERS: dict[str, str] = {"input": "dir", "baseline_input": "dir", "themes": "file"}
"""Parameters naming a path (``""`` means the default): ``dir`` must be an existing folder,
``file`` an existing file. Relative paths are relative to the project root."""

MAX_TEXT_LENGTH = 1000
"""Longest accepted text parameter (characters); paths are limited by :data:`MAX_PATH_BYTES`."""
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255


def _shown(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


def check_text(name: str, value: str) -> str | None:
    """The problem with a text parameter's value (``None`` when fine).

    >>> check_text("greeting", "Hej"), check_text("greeting", "a" * 5000)[:40]
    (None, "parametern 'greeting' är för lång (5000 ")
    """
    if name in PATH_PARAMETERS:
        return check_path(name, value)
    if len(value) > MAX_TEXT_LENGTH:
        return f"parametern {name!r} är för lång ({len(value)} tecken; högst {MAX_TEXT_LENGTH})"
    if any(not c.isprintable() for c in value):
        return f"parametern {name!r} innehåller styrtecken eller radbrytningar ({_shown(value)})"
    return None


def check_path(name: str, value: str) -> str | None:
    """The problem with a path parameter's value (``None`` when fine or empty).

    Checks length (whole path and each part, in bytes, as the file system counts), control
    characters, and that the path exists as the kind :data:`PATH_PARAMETERS` declares.

    >>> check_path("input", "")
    >>> check_path("input", "/finns/inte")
    "parametern 'input': mappen '/finns/inte' finns inte. Ange en mapp med bearbetade data (t.ex. data/processed/<enkät>) eller utelämna parametern"
    """
    if value == "":
        return None
    kind = PATH_PARAMETERS.get(name, "file")
    encoded = value.encode("utf-8", "surrogateescape")
    if len(encoded) > MAX_PATH_BYTES:
        return (
            f"parametern {name!r} är för lång för en sökväg ({len(value)} tecken; högst "
            f"{MAX_PATH_BYTES} byte)"
        )
    longest = max(len(part.encode("utf-8", "surrogateescape")) for part in value.split("/"))
    if longest > MAX_NAME_BYTES:
        return (
            f"parametern {name!r}: en del av sökvägen är längre än {MAX_NAME_BYTES} byte "
            f"({_shown(value)})"
        )
    if "\0" in value or any(not c.isprintable() for c in value):
        return f"parametern {name!r} innehåller styrtecken ({_shown(value)})"
    p = Path(value)
    if not p.is_absolute():
        p = paths.project_root() / p
    try:
        exists = p.is_dir() if kind == "dir" else p.is_file()
        other = not exists and p.exists()
    except OSError as exc:
        return f"parametern {name!r}: sökvägen {_shown(value)} kan inte läsas ({exc.strerror})"
    if other:
        wanted = "en mapp" if kind == "dir" else "en fil"
        return f"parametern {name!r}: {_shown(value)} är inte {wanted}; ange {wanted}"
    if not exists:
        if kind == "dir":
            return (
                f"parametern {name!r}: mappen {_shown(value)} finns inte. Ange en mapp med "
                "bearbetade data (t.ex. data/processed/<enkät>) eller utelämna parametern"
            )
        return f"parametern {name!r}: filen {_shown(value)} finns inte; ange en befintlig fil"
    return None


@dataclass(frozen=True)
class ParameterDecl:
    """A parameter declared in a notebook's ``parameters`` cell.

    ``type_name`` and ``default`` follow :func:`papermill.inspect_notebook` (``inferred_type_name``,
    ``default``), except that ``default`` is the evaluated literal rather than its source text.
    """

    name: str
    type_name: str
    default: object
    help: str = ""

    def describe(self, allowed: tuple[str, ...] | None = None) -> str:
        """``name (type, standard default): allowed values or help`` for messages."""
        text = f"{self.name} ({self.type_name}, standard {self.default!r})"
        if allowed:
            text += ": " + " | ".join(allowed)
        elif self.name in ENUMERATIONS:
            text += ": " + " | ".join(ENUMERATIONS[self.name])
        elif self.help:
            text += f": {self.help}"
        return text


def read_notebook_json(path: Path) -> dict:
    """The notebook file as JSON (no nbformat import); unreadable → :class:`ConfigError`."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: kan inte läsa notebooken ({exc}).") from exc


def parameters_cells(nb: dict) -> list[int]:
    """Indices of the cells tagged ``parameters``."""
    return [
        i
        for i, cell in enumerate(nb.get("cells", []))
        if "parameters" in (cell.get("metadata", {}).get("tags") or [])
    ]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_parameters(path: Path | str) -> dict[str, ParameterDecl]:
    """The parameters declared in the notebook's single ``parameters`` cell.

    This reads the notebook as JSON and parses the cell with :mod:`ast` — the same information
    as :func:`papermill.inspect_notebook` (name, type, default, help comment) without importing
    papermill, so that a no-op rerun stays fast. ``tests/pipeline`` checks that the two agree.

    Raises
    ------
    ConfigError
        No or several cells tagged ``parameters``, or the cell is not valid Python.
    """
    path = Path(path)
    nb = read_notebook_json(path)
    cells = parameters_cells(nb)
    if len(cells) != 1:
        raise ConfigError(
            f"{path}: notebooken ska ha exakt en cell taggad 'parameters' (hittade {len(cells)})."
        )
    source = _source(nb["cells"][cells[0]])
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ConfigError(
            f"{path}: parametercellen är inte giltig Python ({exc.msg}, rad {exc.lineno})."
        ) from exc
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except tokenize.TokenError:  # pragma: no cover - ast.parse already accepted it
        pass
    out: dict[str, ParameterDecl] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, type_name, value = node.target.id, ast.unparse(node.annotation), node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, type_name, value = node.targets[0].id, None, node.value
        else:
            continue
        try:
            default = ast.literal_eval(value) if value is not None else None
        except ValueError:
            default = ast.unparse(value)
        if type_name is None:
            type_name = type(default).__name__ if default is not None else "None"
        out[name] = ParameterDecl(name, type_name, default, comments.get(node.lineno, ""))
    return out


_TRUE = {"true", "1", "ja", "yes", "sant"}
_FALSE = {"false", "0", "nej", "no", "falskt"}


def coerce_value(decl: ParameterDecl, value: object) -> object:
    """Cast *value* (a string from ``-p`` or a YAML value) to the declared type.

    >>> d = ParameterDecl("min_cell", "int", 5)
    >>> coerce_value(d, "7"), coerce_value(d, 7)
    (7, 7)
    >>> coerce_value(d, "abc")
    Traceback (most recent call last):
    ...
    ValueError: 'abc' är inte ett heltal
    >>> coerce_value(ParameterDecl("fail", "bool", False), "true")
    True
    >>> coerce_value(ParameterDecl("survey", "str", "partner_2021"), "municipality_2023")
    'municipality_2023'
    """
    t = decl.type_name
    if t == "int":
        if isinstance(value, bool):
            raise ValueError(f"{value!r} är inte ett heltal")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ValueError(f"{value!r} är inte ett heltal")
    if t == "float":
        if isinstance(value, bool):
            raise ValueError(f"{value!r} är inte ett tal")
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip().replace(",", "."))
            except ValueError:
                pass
        raise ValueError(f"{value!r} är inte ett tal")
    if t == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError(f"{value!r} är inte ett sanningsvärde (true/false)")
    if t == "str":
        if isinstance(value, str):
            return value
        if value is None:
            return ""
        raise ValueError(f"{value!r} är inte en text")
    return value  # untyped / other annotations: passed through unchanged


def resolve_parameters(
    spec: ReportSpec,
    overrides: Mapping[str, object] | None = None,
    declared: Mapping[str, ParameterDecl] | None = None,
) -> dict:
    """Defaults ← registry parameters ← *overrides*, validated and cast to the declared types.

    Raises
    ------
    ConfigError
        Unknown parameter, a value of the wrong type, a value outside its enumeration (or the
        report's registered ``surveys``) or range, text that is too long, or a path parameter that
        does not exist; the message lists the notebook's valid parameters.
    """
    if declared is None:
        declared = notebook_parameters(spec.notebook)
    given = {**spec.parameters, **dict(overrides or {})}
    problems: list[str] = []
    resolved: dict = {}
    for key, value in given.items():
        decl = declared.get(key)
        if decl is None:
            problems.append(f"okänd parameter {key!r}")
            continue
        try:
            cast = coerce_value(decl, value)
        except ValueError as exc:
            problems.append(f"parametern {key!r} ska vara {decl.type_name}: {exc}")
            continue
        if isinstance(cast, str):
            problem = check_text(key, cast)
            if problem:
                problems.append(problem)
                continue
        allowed = ENUMERATIONS.get(key)
        if key == "survey" and getattr(spec, "surveys", None):
            allowed = tuple(spec.surveys)
        if allowed is not None and cast not in allowed:
            problems.append(
                f"parametern {key!r} har värdet {cast!r}; tillåtna värden: {', '.join(allowed)}"
            )
            continue
        if key in SURVEY_PARAMETERS:
            from analysis.data.codebook import load_codebook

            load_codebook(cast)  # a broken codebook: one line naming file and key, exit 2
        check = RANGES.get(key)
        problem = check(cast) if check is not None else None
        if problem:
            problems.append(f"parametern {key!r} {problem}, inte {cast!r}")
            continue
        resolved[key] = cast
    if problems:
        surveys = tuple(getattr(spec, "surveys", None) or ())
        valid = "; ".join(
            d.describe(surveys if d.name == "survey" else None) for d in declared.values()
        )
        raise ConfigError(
            f"rapporten {spec.name!r} ({spec.notebook_label}): "
            + "; ".join(problems)
            + f". Giltiga parametrar: {valid or '(inga)'}."
        )
    full = {name: decl.default for name, decl in declared.items()}
    full.update(resolved)
    for key in ("input", "baseline_input"):  # baseline_input: the trend report's earlier round
        inp = full.get(key)
        if isinstance(inp, str) and inp.strip() and not Path(inp).is_absolute():
            # the kernel's working directory is not the project root: pass an absolute path
            full[key] = str(paths.project_root() / inp)
    return full
