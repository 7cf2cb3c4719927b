"""Read REFI-QDA projects (.qdpx / .qde) back into codes and codings."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from analysis.text.qda.export import _require_columns  # noqa: F401
from analysis.text.qda.model import (  # noqa: F401
    _ATTRIBUTE_COLUMNS,
    _CODING_COLUMNS,
    _ID_NOTE_FORMAT,
    _ID_NOTE_NAME,
    _MAX_INTERNAL_FILE,
    _SOURCE_COLUMNS,
    _VALUE_TAGS,
    PROJECT_NS,
    RESPONDENT_COLUMN,
    ImportedProject,
    QdaCode,
    QdaError,
    _id_str,
    _is_missing,
)

# ------------------------------------------------------------------------------------- reading


def _read_source_bytes(source: str | os.PathLike[str] | bytes) -> tuple[str, bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        return "<bytes>", bytes(source)
    path = Path(source)
    try:
        return path.name, path.read_bytes()
    except FileNotFoundError:
        raise QdaError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise QdaError(f"{path}: is a folder, not a .qdpx file") from None
    except OSError as err:
        raise QdaError(f"{path}: cannot be read ({err.strerror or err})") from None


def _looks_like_xml(data: bytes) -> bool:
    return data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


def _open_zip(label: str, data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        hint = (
            " (it looks like XML: a .qdc codebook or a bare project.qde?)"
            if _looks_like_xml(data)
            else ""
        )
        raise QdaError(f"{label}: not a REFI-QDA project: not a zip (.qdpx) file{hint}") from None


def _zip_member(label: str, zf: zipfile.ZipFile, name: str) -> bytes:
    if zf.getinfo(name).file_size > _MAX_INTERNAL_FILE:
        raise QdaError(
            f"{label}: the zip entry {name!r} is larger than REFI-QDA's 2 GiB limit for an "
            "internal file"
        )
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, RuntimeError) as err:
        raise QdaError(
            f"{label}: the zip entry {name!r} is damaged or unreadable ({err})"
        ) from None


def _project_member(label: str, zf: zipfile.ZipFile) -> str:
    names = [n for n in zf.namelist() if not n.endswith("/")]
    exact = [n for n in names if n.lower() == "project.qde"]
    if exact:
        return exact[0]
    qde = [n for n in names if "/" not in n and n.lower().endswith(".qde")]
    if len(qde) == 1:
        return qde[0]
    raise QdaError(f"{label}: not a REFI-QDA project: the zip has no project.qde")


def _parse_xml(label: str, data: bytes) -> ET.Element:
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise QdaError(f"{label}: DOCTYPE/ENTITY declarations are not allowed in QDA-XML")
    try:
        return ET.fromstring(data)
    except ET.ParseError as err:
        raise QdaError(f"{label}: not well-formed XML ({err})") from None


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


class _Reader:
    """Namespace-aware child lookup for one QDA-XML document."""

    def __init__(self, label: str, root: ET.Element):
        self.label = label
        self.ns, _ = _split_tag(root.tag)

    def q(self, local: str) -> str:
        return f"{{{self.ns}}}{local}" if self.ns else local

    def children(self, el: ET.Element | None, local: str) -> list[ET.Element]:
        return [] if el is None else el.findall(self.q(local))

    def child(self, el: ET.Element | None, local: str) -> ET.Element | None:
        return None if el is None else el.find(self.q(local))

    def text(self, el: ET.Element | None, local: str) -> str | None:
        found = self.child(el, local)
        return None if found is None else (found.text or "")

    def req(self, el: ET.Element, attr: str, where: str = "") -> str:
        value = el.get(attr)
        if value is None or not value.strip():
            tag = _split_tag(el.tag)[1]
            raise QdaError(f"{self.label}: a {tag} element{where} has no {attr} attribute")
        return value.strip()

    def position(self, el: ET.Element, attr: str, where: str = "") -> int:
        raw = self.req(el, attr, where)
        try:
            return int(raw)
        except ValueError:
            tag = _split_tag(el.tag)[1]
            raise QdaError(
                f"{self.label}: a {tag} element{where} has {attr}={raw!r}, not a whole number"
            ) from None


def _norm_guid(guid: str) -> str:
    return guid.strip().strip("{}").lower()


class _Members:
    """Case-insensitive lookup of the files in a ``.qdpx`` (the spec's example itself writes
    ``Sources/…TXT`` in the zip and ``internal://….txt`` in the XML)."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.by_path: dict[str, str] = {}
        by_base: dict[str, list[str]] = {}
        for n in zf.namelist():
            if n.endswith("/"):
                continue
            self.by_path.setdefault(n.lower(), n)
            by_base.setdefault(PurePosixPath(n).name.lower(), []).append(n)
        self.by_base = {k: v[0] for k, v in by_base.items() if len(v) == 1}

    def find(self, internal: str) -> str | None:
        wanted = PurePosixPath(internal.lstrip("/")).name.lower()
        return self.by_path.get(f"sources/{wanted}") or self.by_base.get(wanted)


def _read_text(label: str, members: _Members, path_attr: str, source_name: str) -> str | None:
    """The text behind ``plainTextPath``; ``None`` for external (non-internal) paths."""
    scheme, sep, rest = path_attr.partition("://")
    if not sep or scheme.lower() != "internal":
        return None
    zf = members.zf
    name = members.find(rest)
    if name is None:
        raise QdaError(
            f"{label}: source {source_name!r} refers to {path_attr}, which is not in the zip"
        )
    raw = _zip_member(label, zf, name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise QdaError(
            f"{label}: source {source_name!r} ({name}) is not UTF-8 text (byte {err.start})"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _typed_value(kind: str | None, raw: str) -> Any:
    text = raw.strip()
    try:
        if kind == "Boolean":
            return text.lower() in ("true", "1")
        if kind == "Integer":
            return int(text)
        if kind == "Float":
            return float(text)
    except ValueError:
        return raw
    return raw


def _variable_values(
    reader: _Reader, el: ET.Element, variables: dict[str, tuple[str, str | None]]
) -> list[tuple[str, Any]]:
    out = []
    for vv in reader.children(el, "VariableValue"):
        ref = reader.child(vv, "VariableRef")
        if ref is None or ref.get("targetGUID") is None:
            continue
        name, kind = variables.get(_norm_guid(ref.get("targetGUID")), (None, None))
        if name is None:
            continue
        for tag in _VALUE_TAGS.values():
            value_el = reader.child(vv, tag)
            if value_el is not None and value_el.text is not None:
                out.append((name, _typed_value(kind, value_el.text)))
                break
    return out


def _import_codes(
    reader: _Reader, root: ET.Element, id_map: dict[str, str]
) -> tuple[list[QdaCode], dict[str, QdaCode]]:
    codes: list[QdaCode] = []
    by_guid: dict[str, QdaCode] = {}

    def walk(parent_el: ET.Element | None, parent_id: str | None) -> None:
        for el in reader.children(parent_el, "Code"):
            guid = reader.req(el, "guid", "Code")
            name = el.get("name")
            if name is None:
                raise QdaError(f"{reader.label}: the Code {guid} has no name attribute")
            color = el.get("color")
            code = QdaCode(
                id=id_map.get(_norm_guid(guid), guid),
                name=name,
                description=reader.text(el, "Description") or "",
                color=color.strip() if color else None,
                parent=parent_id,
            )
            codes.append(code)
            by_guid[_norm_guid(guid)] = code
            walk(el, code.id)

    walk(reader.child(reader.child(root, "CodeBook"), "Codes"), None)
    return codes, by_guid


def _code_id_map(reader: _Reader, root: ET.Element, messages: list[str]) -> dict[str, str]:
    for note in reader.children(reader.child(root, "Notes"), "Note"):
        if note.get("name") != _ID_NOTE_NAME:
            continue
        try:
            payload = json.loads(reader.text(note, "PlainTextContent") or "")
            mapping = payload["codes"]
            if payload.get("format") != _ID_NOTE_FORMAT or not isinstance(mapping, dict):
                raise ValueError
            return {_norm_guid(str(k)): str(v) for k, v in mapping.items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            messages.append(
                f"The note {_ID_NOTE_NAME!r} is unreadable, so code ids are the codes' GUIDs."
            )
            return {}
    return {}


def _answer_lookup(answers: pd.DataFrame) -> dict[str, tuple[Any, str]]:
    _require_columns(answers, ["answer_id", "text"], "answers")
    lookup: dict[str, tuple[Any, str]] = {}
    for answer_id, text in zip(answers["answer_id"], answers["text"], strict=True):
        if _is_missing(answer_id):
            continue
        key = _id_str(answer_id)
        if key in lookup:
            raise QdaError(f"answers: answer_id {key!r} occurs more than once")
        lookup[key] = (answer_id, text)
    return lookup


def _first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def import_project(
    path: str | os.PathLike[str], *, answers: pd.DataFrame | None = None
) -> ImportedProject:
    """Read a REFI-QDA project (``.qdpx``): its codes, text sources and their codings.

    Parameters
    ----------
    path : path-like
        The ``.qdpx`` file (from this module or from ATLAS.ti, NVivo, MAXQDA, QualCoder …).
    answers : pandas.DataFrame, optional
        ``answer_id, text`` of the survey the project should belong to. Every text source must
        then be named by a known ``answer_id`` (a trailing ``.txt`` is ignored) and hold exactly
        that answer's text; ``codings.answer_id`` then has the original ids (and dtype).

    Returns
    -------
    ImportedProject
        A project without sources (e.g. a codebook-only ATLAS.ti export) imports its codes; its
        ``messages`` say that it has no sources and no codings.

    Raises
    ------
    QdaError
        (a ``ValueError``, one line) when the file is not a zip, has no ``project.qde``, holds
        malformed XML, refers to missing source files or to unknown codes, has a selection
        outside its source's text, or — with *answers* — belongs to another survey.

    Notes
    -----
    Offsets are code points, end exclusive (see the module docs). A leading UTF-8 byte-order
    mark in a source file is dropped before counting. Non-text sources (pictures, PDF, audio,
    video) and sources stored outside the zip are skipped with a message. Codings directly on a
    ``TextSource`` (no selection) are reported as covering the whole text. The import does not
    check the schema (vendors' exports often deviate slightly); use :func:`validate` for that.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from pathlib import Path
    >>> from analysis.text.qda import export_project
    >>> answers = pd.DataFrame({"answer_id": ["x"], "text": ["Hej"]})
    >>> tmp = tempfile.TemporaryDirectory()
    >>> out = export_project(Path(tmp.name) / "p.qdpx", project_name="demo",
    ...     codes=[QdaCode("h", "Hälsning")], answers=answers,
    ...     codings=pd.DataFrame({"answer_id": ["x"], "code_id": ["h"], "coder": ["eva"]}))
    >>> p = import_project(out)
    >>> p.has_sources, p.codings.loc[0, "text"], p.codes[0].id
    (True, 'Hej', 'h')
    >>> try:
    ...     import_project(out, answers=pd.DataFrame({"answer_id": ["x"], "text": ["Hejsan"]}))
    ... except ValueError as err:
    ...     print(err)
    the project does not belong to this survey: source 'x' has a different text than answer 'x' (first difference at character 3)
    >>> tmp.cleanup()
    """
    label, data = _read_source_bytes(path)
    zf = _open_zip(label, data)
    with zf:
        member = _project_member(label, zf)
        root = _parse_xml(f"{label}: {member}", _zip_member(label, zf, member))
        ns, local = _split_tag(root.tag)
        if local != "Project" or not ns.startswith("urn:QDA-XML:project:"):
            raise QdaError(
                f"{label}: not a REFI-QDA project: the root element of {member} is {local!r} "
                f"in namespace {ns or 'none'!r}, not Project in {PROJECT_NS!r}"
            )
        state = _ImportState(
            reader=_Reader(f"{label}: {member}", root),
            members=_Members(zf),
            lookup=_answer_lookup(answers) if answers is not None else None,
        )
        state.read(root)

    codings = pd.DataFrame(state.coding_rows, columns=_CODING_COLUMNS)
    codings["start"] = codings["start"].astype("Int64")
    codings["end"] = codings["end"].astype("Int64")
    sources = pd.DataFrame(state.source_rows, columns=_SOURCE_COLUMNS)
    attributes = pd.DataFrame(state.attribute_rows(), columns=_ATTRIBUTE_COLUMNS)
    project_name = root.get("name") or ""
    messages = state.messages
    if not state.source_rows:
        messages.insert(
            0,
            f"Project {project_name!r} has no text sources and therefore no codings: only its "
            f"{len(state.codes)} code(s) were imported.",
        )
    elif not state.coding_rows:
        messages.insert(0, f"Project {project_name!r} has text sources but no codings.")
    if state.skipped:
        listed = ", ".join(f"{n} {k}" for k, n in sorted(state.skipped.items()))
        messages.append(f"Skipped sources this import does not read: {listed}.")
    return ImportedProject(
        name=project_name,
        origin=root.get("origin"),
        codes=state.codes,
        codings=codings,
        sources=sources,
        attributes=attributes,
        messages=tuple(messages),
    )


class _ImportState:
    """Accumulates what :func:`import_project` reads from one ``project.qde``."""

    def __init__(
        self, reader: _Reader, members: _Members, lookup: dict[str, tuple[Any, str]] | None
    ):
        self.reader = reader
        self.members = members
        self.lookup = lookup
        self.messages: list[str] = []
        self.codes: list[QdaCode] = []
        self.code_by_guid: dict[str, QdaCode] = {}
        self.users: dict[str, str | None] = {}
        self.variables: dict[str, tuple[str, str | None]] = {}
        self.source_rows: list[dict[str, Any]] = []
        self.coding_rows: list[dict[str, Any]] = []
        self.source_attrs: dict[str, list[tuple[str, Any]]] = {}
        self.case_attrs: dict[str, list[tuple[str, Any]]] = {}
        self.answer_of: dict[str, Any] = {}
        self.skipped: dict[str, int] = {}

    def read(self, root: ET.Element) -> None:
        r = self.reader
        id_map = _code_id_map(r, root, self.messages)
        self.codes, self.code_by_guid = _import_codes(r, root, id_map)
        self.users = {
            _norm_guid(u.get("guid", "")): u.get("name") or u.get("id") or u.get("guid")
            for u in r.children(r.child(root, "Users"), "User")
        }
        self.variables = {
            _norm_guid(r.req(v, "guid")): (v.get("name") or "", v.get("typeOfVariable"))
            for v in r.children(r.child(root, "Variables"), "Variable")
        }
        sources_el = r.child(root, "Sources")
        for el in [] if sources_el is None else list(sources_el):
            kind = _split_tag(el.tag)[1]
            if kind == "TextSource":
                self.text_source(el)
            else:
                self.skipped[kind] = self.skipped.get(kind, 0) + 1
        for case in r.children(r.child(root, "Cases"), "Case"):
            values = _variable_values(r, case, self.variables)
            case_name = case.get("name")
            pairs = [(RESPONDENT_COLUMN, case_name)] if case_name is not None else []
            for ref in r.children(case, "SourceRef"):
                target = _norm_guid(ref.get("targetGUID", ""))
                if target in self.answer_of:
                    self.case_attrs.setdefault(target, []).extend(pairs + values)

    def text_source(self, el: ET.Element) -> None:
        r = self.reader
        guid = r.req(el, "guid")
        name = el.get("name") or guid
        text = r.text(el, "PlainTextContent")
        path_attr = el.get("plainTextPath")
        if text is None and path_attr:
            text = _read_text(r.label, self.members, path_attr, name)
        if text is None:
            key = "TextSource outside the zip"
            self.skipped[key] = self.skipped.get(key, 0) + 1
            return
        answer_id: Any = name[:-4] if name.lower().endswith(".txt") else name
        if self.lookup is not None:
            answer_id = self.check_belongs(name, answer_id, text)
        self.source_rows.append({"source_guid": guid, "name": name, "text": text})
        self.answer_of[_norm_guid(guid)] = answer_id
        self.source_attrs[_norm_guid(guid)] = _variable_values(r, el, self.variables)
        where = f" in source {name!r}"
        for sel in r.children(el, "PlainTextSelection"):
            start = r.position(sel, "startPosition", where)
            end = r.position(sel, "endPosition", where)
            if not 0 <= start <= end <= len(text):
                raise QdaError(
                    f"{r.label}: a selection in source {name!r} spans {start}–{end}, outside its "
                    f"{len(text)} characters (positions count Unicode code points; the exporting "
                    "program may count differently)"
                )
            owner = sel.get("creatingUser") or sel.get("modifyingUser")
            self.codings(sel, name, answer_id, text, start, end, owner)
        # a Coding directly on the source codes the whole text
        self.codings(el, name, answer_id, text, 0, len(text), el.get("creatingUser"))

    def check_belongs(self, name: str, answer_id: str, text: str) -> Any:
        assert self.lookup is not None
        key = name if name in self.lookup else answer_id
        if key not in self.lookup:
            raise QdaError(
                f"the project does not belong to this survey: source {name!r} has no answer "
                f"with that answer_id among the {len(self.lookup)} answers given"
            )
        original_id, expected = self.lookup[key]
        if text != expected:
            at = _first_difference(text, expected if isinstance(expected, str) else "")
            raise QdaError(
                f"the project does not belong to this survey: source {name!r} has a different "
                f"text than answer {key!r} (first difference at character {at})"
            )
        return original_id

    def codings(
        self,
        container: ET.Element,
        name: str,
        answer_id: Any,
        text: str,
        start: int,
        end: int,
        owner: str | None,
    ) -> None:
        r = self.reader
        for coding in r.children(container, "Coding"):
            ref = r.child(coding, "CodeRef")
            target = None if ref is None else ref.get("targetGUID")
            if target is None:
                raise QdaError(f"{r.label}: a Coding in source {name!r} has no CodeRef")
            code = self.code_by_guid.get(_norm_guid(target))
            if code is None:
                raise QdaError(
                    f"{r.label}: a Coding in source {name!r} refers to code {target}, which is "
                    "not in the codebook"
                )
            coder_guid = coding.get("creatingUser") or owner
            self.coding_rows.append(
                {
                    "answer_id": answer_id,
                    "code_id": code.id,
                    "code_name": code.name,
                    "coder": self.users.get(_norm_guid(coder_guid)) if coder_guid else None,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                }
            )

    def attribute_rows(self) -> list[dict[str, Any]]:
        rows = []
        for source in self.source_rows:
            key = _norm_guid(source["source_guid"])
            for variable, value in self.case_attrs.get(key, []) + self.source_attrs.get(key, []):
                rows.append(
                    {"answer_id": self.answer_of[key], "variable": variable, "value": value}
                )
        return rows
