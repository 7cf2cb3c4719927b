"""Read REFI-QDA projects (.qdpx / .qde) back into codes and codings."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from typing import Any

import pandas as pd

from analysis.text.qda.archive import (
    _Members,
    _open_project_zip,
    _parse_xml,
    _project_member,
    _project_xml,
    _read_text,
)
from analysis.text.qda.export import _require_columns
from analysis.text.qda.integrity import _norm_guid, _split_tag, duplicate_guids
from analysis.text.qda.model import (  # noqa: F401
    _ATTRIBUTE_COLUMNS,
    _CODING_COLUMNS,
    _ID_NOTE_FORMAT,
    _ID_NOTE_NAME,
    _SOURCE_COLUMNS,
    _VALUE_TAGS,
    PROJECT_NS,
    RESPONDENT_COLUMN,
    ImportedProject,
    QdaCode,
    QdaError,
    _id_str,
    _is_missing,
    codings,
)

_A_KIND_SV = {
    "TextSource": "en källa",
    "PlainTextSelection": "ett urval",
    "Coding": "en kodning",
    "Code": "en kod",
    "User": "en användare",
    "Variable": "en variabel",
}
_FIX = "rätta projektet i QDA-verktyget och exportera det igen"


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
            what = _A_KIND_SV.get(tag, f"ett {tag}-element")
            raise QdaError(f"{self.label}: {what}{where} saknar attributet {attr}; {_FIX}.")
        return value.strip()

    def position(self, el: ET.Element, attr: str, where: str = "") -> int:
        raw = self.req(el, attr, where)
        try:
            return int(raw)
        except ValueError:
            tag = _split_tag(el.tag)[1]
            raise QdaError(
                f"{self.label}: {_A_KIND_SV.get(tag, f'ett {tag}-element')}{where} har "
                f"{attr}={raw!r}, som inte är ett heltal; {_FIX}."
            ) from None


def _unique_guids(label: str, root: ET.Element) -> None:
    """Refuse a project in which two elements share a GUID (REFI-QDA: GUIDs are unique)."""
    for problem in duplicate_guids(root):
        raise QdaError(f"{label}: {problem}; {_FIX}.")


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
            guid = reader.req(el, "guid", " i kodboken")
            name = el.get("name")
            if name is None:
                raise QdaError(f"{reader.label}: koden {guid} saknar namn; {_FIX}.")
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


def _id_note(reader: _Reader, root: ET.Element, messages: list[str]) -> dict[str, Any]:
    """The payload of the export's ``analysis: code ids`` note (``{}`` when absent/unreadable)."""
    for note in reader.children(reader.child(root, "Notes"), "Note"):
        if note.get("name") != _ID_NOTE_NAME:
            continue
        try:
            payload = json.loads(reader.text(note, "PlainTextContent") or "")
            if payload.get("format") != _ID_NOTE_FORMAT or not isinstance(payload["codes"], dict):
                raise ValueError
            return payload
        except (ValueError, KeyError, TypeError, AttributeError):
            messages.append(
                f"Anteckningen {_ID_NOTE_NAME!r} går inte att läsa, så kodernas id är deras GUID."
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
            raise QdaError(f"answers: svars-id {key!r} förekommer mer än en gång")
        lookup[key] = (answer_id, text)
    return lookup


def _first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def import_project(
    path: str | os.PathLike[str],
    *,
    answers: pd.DataFrame | None = None,
    skip_changed: bool = False,
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
    skip_changed : bool
        With *answers*: leave out sources whose answer changed (or was removed) since the
        project was exported, with their codings, instead of refusing the project. What was
        left out is listed in :attr:`ImportedProject.skipped_sources` and in the messages.

    Returns
    -------
    ImportedProject
        A project without sources (e.g. a codebook-only ATLAS.ti export) imports its codes; its
        ``messages`` say that it has no sources and no codings.

    Raises
    ------
    QdaError
        (a ``ValueError``, one Swedish line starting with the file) when the file is not a zip,
        has no ``project.qde``, holds malformed XML or a member larger than the caps of
        :mod:`analysis.text.qda.archive`, two elements with one GUID, refers to missing source
        files or to unknown codes, has a selection outside its source's text or reversed, or —
        with *answers* — belongs to another survey, or (without *skip_changed*) has sources
        whose answer changed since the export.

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
    ...     print(str(err).split(": ", 1)[1])  # doctest: +ELLIPSIS
    projektet hör inte till den här enkäten: ingen av dess 1 textkällor stämmer med ...
    >>> tmp.cleanup()
    """
    label, zf = _open_project_zip(path)
    with zf:
        member = _project_member(label, zf)
        xml = _project_xml(label, zf, member)
        root = _parse_xml(f"{label}: {member}", xml)
        ns, local = _split_tag(root.tag)
        if local != "Project" or not ns.startswith("urn:QDA-XML:project:"):
            raise QdaError(
                f"{label}: är inte ett REFI-QDA-projekt, rotelementet i {member} är {local!r} "
                f"i namnrymden {ns or 'ingen'!r}, inte Project i {PROJECT_NS!r}; exportera ett "
                "projekt (.qdpx), inte en kodbok."
            )
        _unique_guids(label, root)
        state = _ImportState(
            reader=_Reader(label, root),
            members=_Members(zf, label, used=len(xml)),
            lookup=_answer_lookup(answers) if answers is not None else None,
            skip_changed=skip_changed,
        )
        state.read(root)
        state.check_changed()

    codings = pd.DataFrame(state.coding_rows, columns=_CODING_COLUMNS)
    codings["start"] = codings["start"].astype("Int64")
    codings["end"] = codings["end"].astype("Int64")
    sources = pd.DataFrame(state.source_rows, columns=_SOURCE_COLUMNS)
    attributes = pd.DataFrame(state.attribute_rows(), columns=_ATTRIBUTE_COLUMNS)
    project_name = root.get("name") or ""
    messages = state.messages
    if not state.source_rows and not state.changed:
        messages.insert(
            0,
            f"Projektet {project_name!r} har inga textkällor och därför inga kodningar: bara "
            f"dess {len(state.codes)} koder lästes.",
        )
    elif not state.coding_rows and not state.changed:
        messages.insert(0, f"Projektet {project_name!r} har textkällor men inga kodningar.")
    if state.skipped:
        listed = ", ".join(f"{n} {k}" for k, n in sorted(state.skipped.items()))
        messages.append(f"Hoppade över källor som importen inte läser: {listed}.")
    if state.changed:
        messages.append(state.changed_summary())
    return ImportedProject(
        name=project_name,
        origin=root.get("origin"),
        codes=state.codes,
        codings=codings,
        sources=sources,
        attributes=attributes,
        messages=tuple(messages),
        users=dict(state.users),
        machine_guid=state.machine_guid,
        skipped_sources=tuple(state.changed),
    )


class _ImportState:
    """Accumulates what :func:`import_project` reads from one ``project.qde``."""

    def __init__(
        self,
        reader: _Reader,
        members: _Members,
        lookup: dict[str, tuple[Any, str]] | None,
        skip_changed: bool = False,
    ):
        self.reader = reader
        self.members = members
        self.lookup = lookup
        self.skip_changed = skip_changed
        self.messages: list[str] = []
        self.codes: list[QdaCode] = []
        self.code_by_guid: dict[str, QdaCode] = {}
        self.users: dict[str, str | None] = {}
        self.machine_guid: str | None = None
        self.variables: dict[str, tuple[str, str | None]] = {}
        self.source_rows: list[dict[str, Any]] = []
        self.coding_rows: list[dict[str, Any]] = []
        self.source_attrs: dict[str, list[tuple[str, Any]]] = {}
        self.case_attrs: dict[str, list[tuple[str, Any]]] = {}
        self.answer_of: dict[str, Any] = {}
        self.skipped: dict[str, int] = {}
        self.changed: list[tuple[str, str, int | None, int]] = []
        self.matched = 0

    def read(self, root: ET.Element) -> None:
        r = self.reader
        note = _id_note(r, root, self.messages)
        id_map = {_norm_guid(str(k)): str(v) for k, v in note.get("codes", {}).items()}
        machine = note.get("machine_user")
        self.machine_guid = _norm_guid(machine) if isinstance(machine, str) else None
        self.codes, self.code_by_guid = _import_codes(r, root, id_map)
        for u in r.children(r.child(root, "Users"), "User"):
            name = (u.get("name") or u.get("id") or "").strip()
            self.users[_norm_guid(r.req(u, "guid", " i Users"))] = name or None
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
        guid = r.req(el, "guid", " i Sources")
        name = el.get("name") or guid
        text = r.text(el, "PlainTextContent")
        path_attr = el.get("plainTextPath")
        if text is None and path_attr:
            text = _read_text(r.label, self.members, path_attr, name)
        if text is None:
            key = "TextSource utanför zip-filen"
            self.skipped[key] = self.skipped.get(key, 0) + 1
            return
        answer_id: Any = name[:-4] if name.lower().endswith(".txt") else name
        if self.lookup is not None:
            answer_id = self.belongs(el, name, answer_id, text)
            if answer_id is _CHANGED:
                return
        self.source_rows.append({"source_guid": guid, "name": name, "text": text})
        self.answer_of[_norm_guid(guid)] = answer_id
        self.source_attrs[_norm_guid(guid)] = _variable_values(r, el, self.variables)
        for sel in r.children(el, "PlainTextSelection"):
            where = f" i källan {name!r}"
            start = r.position(sel, "startPosition", where)
            end = r.position(sel, "endPosition", where)
            if start > end >= 0:
                raise QdaError(
                    f"{r.label}: urvalet {start}–{end} i källan {name!r} är omvänt (början efter "
                    f"slutet); {_FIX}."
                )
            if not 0 <= start <= end <= len(text):
                raise QdaError(
                    f"{r.label}: urvalet {start}–{end} i källan {name!r} ligger utanför textens "
                    f"{len(text)} tecken (positioner räknas i Unicode-kodpunkter, programmet som "
                    f"exporterade kan räkna annorlunda); {_FIX}."
                )
            owner = sel.get("creatingUser") or sel.get("modifyingUser")
            self.codings(sel, name, answer_id, text, start, end, owner)
        # a Coding directly on the source codes the whole text
        self.codings(el, name, answer_id, text, 0, len(text), el.get("creatingUser"))

    def belongs(self, el: ET.Element, name: str, answer_id: str, text: str) -> Any:
        """The answer's original id; :data:`_CHANGED` for a source whose answer changed."""
        assert self.lookup is not None
        key = name if name in self.lookup else answer_id
        n_codings = len(el.findall(".//" + self.reader.q("Coding")))
        if key not in self.lookup:
            self.changed.append((name, "borttaget", None, n_codings))
            return _CHANGED
        original_id, expected = self.lookup[key]
        if text != expected:
            at = _first_difference(text, expected if isinstance(expected, str) else "")
            self.changed.append((name, "ändrat", at, n_codings))
            return _CHANGED
        self.matched += 1
        return original_id

    def check_changed(self) -> None:
        """Refuse a project of another survey, and (unless skipping) one with changed answers."""
        if not self.changed:
            return
        label = self.reader.label
        if not self.matched:
            removed = sum(c[1] == "borttaget" for c in self.changed)
            raise QdaError(
                f"{label}: projektet hör inte till den här enkäten: ingen av dess "
                f"{len(self.changed)} textkällor stämmer med enkätens svar ({removed} saknas bland "
                f"enkätens {len(self.lookup or ())} svar, {len(self.changed) - removed} har en "
                f"annan text, t.ex. {self.changed[0][0]!r}); välj rätt enkät, dataversion eller "
                "projektfil."
            )
        if self.skip_changed:
            return
        name, kind, at, _ = self.changed[0]
        what = (
            f"svaret {name!r} har ändrats sedan projektet exporterades (texten skiljer sig från "
            f"tecken {at + 1})"
            if kind == "ändrat"
            else f"svaret {name!r} finns inte längre i enkätens data (borttaget sedan exporten)"
        )
        others = len(self.changed) - 1
        more = f"; {others} svar till har ändrats eller tagits bort" if others else ""
        raise QdaError(
            f"{label}: {what}{more}. Exportera projektet igen från nuvarande data och för över "
            "eller gör om kodningarna, eller återställ den tidigare dataversionen; vill du "
            "importera kodningarna av de oförändrade svaren, ange --skip-changed."
        )

    def changed_summary(self) -> str:
        n = sum(c[3] for c in self.changed)
        listed = ", ".join(
            f"{name!r} ({kind}{f' från tecken {at + 1}' if at is not None else ''}, {codings(k)})"
            for name, kind, at, k in self.changed
        )
        return (
            f"Hoppade över {len(self.changed)} svar som ändrats eller tagits bort sedan "
            f"exporten och deras {codings(n)}: {listed}."
        )

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
                raise QdaError(f"{r.label}: en kodning i källan {name!r} saknar CodeRef; {_FIX}.")
            code = self.code_by_guid.get(_norm_guid(target))
            if code is None:
                raise QdaError(
                    f"{r.label}: en kodning i källan {name!r} pekar på koden {target}, som inte "
                    f"finns i projektets kodbok; {_FIX}."
                )
            coder_guid = coding.get("creatingUser") or owner
            key = _norm_guid(coder_guid) if coder_guid else None
            self.coding_rows.append(
                {
                    "answer_id": answer_id,
                    "code_id": code.id,
                    "code_name": code.name,
                    "coder": self.users.get(key) if key else None,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "coder_guid": key,
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


_CHANGED = object()
