"""Validate REFI-QDA files against the QDA-XML schemas and the rules the schema cannot express."""

from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from functools import lru_cache
from typing import Any

from analysis.text.qda.archive import (
    _looks_like_xml,
    _Members,
    _open_zip,
    _parse_xml,
    _project_member,
    _project_xml,
    _read_source_bytes,
    _read_text,
)
from analysis.text.qda.integrity import _norm_guid, _split_tag, duplicate_guids
from analysis.text.qda.model import _CODEBOOK_XSD, CODEBOOK_NS, PROJECT_NS, SCHEMA_PATH, QdaError  # noqa: F401
from analysis.text.qda.reader import _Reader

# ----------------------------------------------------------------------------------- validate


@lru_cache(maxsize=2)
def _schema(which: str) -> Any:
    try:
        import xmlschema
    except ImportError:  # pragma: no cover - xmlschema is a declared dependency
        raise ImportError("validate() behöver paketet xmlschema (pip install xmlschema)") from None
    if which == "project":
        return xmlschema.XMLSchema(str(SCHEMA_PATH))
    return xmlschema.XMLSchema(_CODEBOOK_XSD)


def _rule_problems(root: ET.Element, zf: zipfile.ZipFile | None) -> list[str]:
    """Rules of the spec that the schema cannot express, plus referential integrity."""
    reader = _Reader("", root)
    members = _Members(zf) if zf is not None else None
    problems: list[str] = []
    problems += list(duplicate_guids(root))
    code_guids = {_norm_guid(c.get("guid", "")) for c in root.iter(reader.q("Code"))}
    for ref in root.iter(reader.q("CodeRef")):
        target = ref.get("targetGUID", "")
        if _norm_guid(target) not in code_guids:
            problems.append(f"CodeRef targetGUID={target!r} pekar inte på någon kod i kodboken")
    for src in root.iter(reader.q("TextSource")):
        name = src.get("name") or src.get("guid")
        inline = reader.child(src, "PlainTextContent")
        path_attr = src.get("plainTextPath")
        if inline is not None and path_attr:
            problems.append(f"källan {name!r} har både PlainTextContent och plainTextPath")
        if inline is None and not path_attr:
            problems.append(f"källan {name!r} har varken PlainTextContent eller plainTextPath")
        text = inline.text or "" if inline is not None else None
        if text is None and path_attr and members is not None:
            try:
                text = _read_text("", members, path_attr, name)
            except QdaError as err:
                problems.append(str(err).removeprefix(": "))
                continue
        if text is None:
            continue
        for sel in reader.children(src, "PlainTextSelection"):
            try:
                start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
            except ValueError:
                continue  # the schema reports it
            if start > end >= 0:
                problems.append(f"källan {name!r}: urvalet {start}–{end} är omvänt")
            elif not 0 <= start <= end <= len(text):
                problems.append(
                    f"källan {name!r}: urvalet {start}–{end} ligger utanför textens "
                    f"{len(text)} kodpunkter"
                )
    return problems


_NS = r"(?:\{[^}]*\})?"
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"missing required attribute '([^']+)'"),
        "det obligatoriska attributet '{0}' saknas",
    ),
    (
        re.compile(r"'([^']+)' attribute not allowed for element"),
        "attributet '{0}' är inte tillåtet här",
    ),
    (
        re.compile(rf"Unexpected child with tag '{_NS}([^']+)' at position (\d+)\.?"),
        "elementet '{0}' hör inte hemma här (barn nummer {1})",
    ),
    (
        re.compile(
            rf"The content of element '{_NS}([^']+)' is not complete\. Tag '{_NS}([^']+)' expected\.?"
        ),
        "elementet '{0}' är ofullständigt: '{1}' saknas",
    ),
    (
        re.compile(r"attribute (\w*(?:[Gg][Uu][Ii][Dd]|User))='([^']*)': value doesn't match .*"),
        "attributet {0}='{1}' har fel form (väntat t.ex. en GUID som 01234567-89ab-cdef-0123-456789abcdef)",
    ),
    (
        re.compile(r"attribute (\w+)='([^']*)': value doesn't match any pattern of .*"),
        "attributet {0}='{1}' har fel form enligt schemat",
    ),
    (
        re.compile(r"attribute (\w+)='([^']*)': Invalid datetime string .*"),
        "attributet {0}='{1}' är ingen tidpunkt (väntat t.ex. 2026-11-28T09:00:00Z)",
    ),
    (
        re.compile(r"attribute (\w+)='([^']*)': .*"),
        "attributet {0}='{1}' har ett otillåtet värde",
    ),
    (
        re.compile(r"character data between child elements not allowed"),
        "text mellan elementen är inte tillåten",
    ),
]


def swedish_reason(reason: str) -> str:
    """The schema library's English reason in Swedish (unknown reasons are kept as they are).

    >>> swedish_reason("missing required attribute 'name'")
    "det obligatoriska attributet 'name' saknas"
    >>> swedish_reason("Unexpected child with tag '{urn:QDA-XML:project:1.0}Bogus' at position 1.")
    "elementet 'Bogus' hör inte hemma här (barn nummer 1)"
    """
    for pattern, text in _REASONS:
        m = pattern.fullmatch(reason)
        if m:
            return text.format(*m.groups())
    return reason


def validate(path_or_bytes: str | os.PathLike[str] | bytes) -> list[str]:
    """Check a REFI-QDA file against the QDA-XML 1.0 schema and some rules of the spec.

    Parameters
    ----------
    path_or_bytes : path-like or bytes
        A ``.qdpx`` project (zip), a bare ``project.qde``, or a ``.qdc`` codebook; a path or the
        file's bytes. Projects are checked against ``schemas/Project-mrt2019.xsd`` (shipped with
        the package), codebooks against the codebook schema of the spec (section 5.2).

    Returns
    -------
    list of str
        One Swedish line per problem; empty when the file is valid. Schema violations read
        ``<path>: bryter mot schemat: <reason>``, the reason translated by
        :func:`swedish_reason` (the schema library's English for a reason it does not know).
        Besides the schema, it checks that every GUID is unique, that every ``CodeRef`` points
        to a code, that a ``TextSource`` has either inline text or a ``plainTextPath`` (not
        both), that internal source files exist and are UTF-8, and that selections lie inside
        their text and are not reversed.

    Raises
    ------
    QdaError
        When the input cannot be read as QDA-XML at all (not a zip nor XML, no ``project.qde``,
        malformed XML).

    Notes
    -----
    Needs the ``xmlschema`` package (pure Python, imported on the first call). It takes about
    one second per thousand answers; :func:`import_project` does not call it.

    Examples
    --------
    >>> validate(b'<Project xmlns="urn:QDA-XML:project:1.0" name="tom"/>')
    []
    >>> validate(b'<Project xmlns="urn:QDA-XML:project:1.0"/>')
    ["/Project: bryter mot schemat: det obligatoriska attributet 'name' saknas"]
    """
    label, data = _read_source_bytes(path_or_bytes)
    zf: zipfile.ZipFile | None = None
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        zf = _open_zip(label, data)
    try:
        if zf is not None:
            member = _project_member(label, zf)
            xml = _project_xml(label, zf, member)
            label = f"{label}: {member}"
        else:
            xml = data
        if zf is None and not _looks_like_xml(data):
            raise QdaError(
                f"{label}: varken ett REFI-QDA-projekt (.qdpx, zip) eller en XML-fil; ange en "
                ".qdpx-, .qde- eller .qdc-fil."
            )
        root = _parse_xml(label, xml)
        ns, local = _split_tag(root.tag)
        if ns == CODEBOOK_NS and local == "CodeBook" and zf is None:
            which = "codebook"
        elif ns == PROJECT_NS and local == "Project":
            which = "project"
        else:
            expected = f"Project i {PROJECT_NS!r}"
            if zf is None:
                expected += f" eller CodeBook i {CODEBOOK_NS!r}"
            return [f"/: rotelementet är {local!r} i namnrymden {ns or 'ingen'!r}, inte {expected}"]
        problems = []
        for err in _schema(which).iter_errors(io.BytesIO(xml)):
            reason = " ".join(str(err.reason or err.message).split())
            problems.append(f"{err.path or '/'}: bryter mot schemat: {swedish_reason(reason)}")
        if which == "project":
            problems += _rule_problems(root, zf)
        return problems
    finally:
        if zf is not None:
            zf.close()
