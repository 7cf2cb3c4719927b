"""REFI-QDA data model: constants, errors, codes, imported projects and shared helpers."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_SCHEMA_LOCATION = {
    PROJECT_NS: "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd",
    CODEBOOK_NS: "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd",
}
_XSI = "http://www.w3.org/2001/XMLSchema-instance"

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "Project-mrt2019.xsd"
"""The QDA-XML 1.0 project schema (REFI, MIT licence; copyright notice inside the file)."""

RESPONDENT_COLUMN = "respondent"
"""The answers column whose values become ``Case`` elements (one Case per respondent)."""

SOURCE_LEVEL_COLUMNS = ("question",)
"""Answer columns always exported as per-answer (source) variables, never as case variables."""

_ID_NOTE_NAME = "analysis: code ids"
_ID_NOTE_FORMAT = "analysis.text.qda/1"
_FIXED_TIME = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the ZIP epoch
_LAST_ZIP_TIME = dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.UTC)
_RGB = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_VALUE_TAGS = {
    "Text": "TextValue",
    "Boolean": "BooleanValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Date": "DateValue",
    "DateTime": "DateTimeValue",
}
_CODING_COLUMNS = [
    "answer_id",
    "code_id",
    "code_name",
    "coder",
    "start",
    "end",
    "text",
    "coder_guid",
]
_SOURCE_COLUMNS = ["source_guid", "name", "text"]
_ATTRIBUTE_COLUMNS = ["answer_id", "variable", "value"]
_SNIPPET = 60
_MAX_INTERNAL_FILE = 2**31 - 1  # REFI-QDA 1.5, section 8.5

# The codebook schema of REFI-QDA 1.5, section 5.2 (QDA-XML 1.0, 18 March 2019), transcribed from
# the specification. Copyright 2019 REFI www.qdasoftware.org, licensed under the MIT licence (the
# notice is in schemas/Project-mrt2019.xsd).
_CODEBOOK_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
 targetNamespace="urn:QDA-XML:codebook:1.0" elementFormDefault="qualified"
 attributeFormDefault="unqualified" version="1.0">
 <xsd:element name="CodeBook" type="CodeBookType"/>
 <xsd:complexType name="CodeBookType">
  <xsd:sequence>
   <xsd:element name="Codes" type="CodesType"/>
   <xsd:element name="Sets" type="SetsType" minOccurs="0"/>
  </xsd:sequence>
  <xsd:attribute name="origin" type="xsd:string"/>
 </xsd:complexType>
 <xsd:complexType name="CodesType">
  <xsd:sequence>
   <xsd:element name="Code" type="CodeType" maxOccurs="unbounded"/>
  </xsd:sequence>
 </xsd:complexType>
 <xsd:complexType name="SetsType">
  <xsd:sequence>
   <xsd:element name="Set" type="SetType" maxOccurs="unbounded"/>
  </xsd:sequence>
 </xsd:complexType>
 <xsd:complexType name="CodeType">
  <xsd:sequence>
   <xsd:element name="Description" type="xsd:string" minOccurs="0"/>
   <xsd:element name="Code" type="CodeType" minOccurs="0" maxOccurs="unbounded"/>
  </xsd:sequence>
  <xsd:attribute name="guid" type="GUIDType" use="required"/>
  <xsd:attribute name="name" type="xsd:string" use="required"/>
  <xsd:attribute name="isCodable" type="xsd:boolean" use="required"/>
  <xsd:attribute name="color" type="RGBType"/>
 </xsd:complexType>
 <xsd:complexType name="SetType">
  <xsd:sequence>
   <xsd:element name="Description" type="xsd:string" minOccurs="0"/>
   <xsd:element name="MemberCode" type="MemberCodeType" minOccurs="0" maxOccurs="unbounded"/>
  </xsd:sequence>
  <xsd:attribute name="guid" type="GUIDType" use="required"/>
  <xsd:attribute name="name" type="xsd:string" use="required"/>
 </xsd:complexType>
 <xsd:complexType name="MemberCodeType">
  <xsd:attribute name="guid" type="GUIDType" use="required"/>
 </xsd:complexType>
 <xsd:simpleType name="GUIDType">
  <xsd:restriction base="xsd:token">
   <xsd:pattern value="([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})|(\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\})"/>
  </xsd:restriction>
 </xsd:simpleType>
 <xsd:simpleType name="RGBType">
  <xsd:restriction base="xsd:token">
   <xsd:pattern value="#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})"/>
  </xsd:restriction>
 </xsd:simpleType>
</xsd:schema>
"""


class QdaError(ValueError):
    """A REFI-QDA file or an export input that cannot be used; the message is one line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


@dataclass(frozen=True)
class QdaCode:
    """One code of a codebook.

    Parameters
    ----------
    id : str
        The application's stable code id (e.g. a theme id such as ``"kompetensforsorjning"``).
    name : str
        The label shown in QDA software.
    description : str
        Free-text definition (``Description`` element); ``""`` for none.
    color : str or None
        ``#RRGGBB`` or ``#RGB``.
    parent : str or None
        The ``id`` of the parent code (codes nest in QDA-XML).

    Examples
    --------
    >>> QdaCode("infra", "Infrastruktur", parent=None).name
    'Infrastruktur'
    """

    id: str
    name: str
    description: str = ""
    color: str | None = None
    parent: str | None = None


@dataclass(frozen=True, eq=False)
class ImportedProject:
    """What :func:`import_project` read from a ``.qdpx``.

    Attributes
    ----------
    name, origin : str, str or None
        The project's name and the program that wrote it.
    codes : list of QdaCode
        Every code, depth first in codebook order; ``parent`` is the parent's id.
    codings : pandas.DataFrame
        ``answer_id, code_id, code_name, coder, start, end, text, coder_guid``: one row per
        coding of a text source. ``start``/``end`` are code-point offsets (end exclusive), always
        filled: a coding of a whole answer comes back as ``0, len(text)``; ``text`` is
        ``source_text[start:end]``. ``coder`` is the user's name (missing when the coding names
        no user, a user the project does not list, or a user without a name); ``coder_guid`` the
        user's GUID as written by the coding (lower case, no braces), or missing.
    sources : pandas.DataFrame
        ``source_guid, name, text``: one row per text source, in document order.
    attributes : pandas.DataFrame
        ``answer_id, variable, value``: the variables of each source, long format. The Case a
        source belongs to is reported as variable ``respondent`` (the export writes one Case per
        respondent), followed by the case's variables and the source's own variables.
    messages : tuple of str
        Plain-language notes about the import (Swedish), e.g. that the project has no sources.
    users : dict
        GUID (lower case, no braces) → name (``None`` for a user without a name) of every
        ``User``.
    machine_guid : str or None
        The GUID of the automatic coder as recorded by :func:`export_project` in its code-id
        note; ``None`` for projects without the note.
    skipped_sources : tuple of (str, str, int or None, int)
        With ``skip_changed``: ``(source name, "ändrat" | "borttaget", first differing
        character counted from 0 or None, number of codings left out)`` per source left out.
    """

    name: str
    origin: str | None
    codes: list[QdaCode]
    codings: pd.DataFrame
    sources: pd.DataFrame
    attributes: pd.DataFrame
    messages: tuple[str, ...] = field(default=())
    users: dict[str, str | None] = field(default_factory=dict)
    machine_guid: str | None = None
    skipped_sources: tuple[tuple[str, str, int | None, int], ...] = field(default=())

    @property
    def has_sources(self) -> bool:
        """Whether the project holds at least one text source."""
        return len(self.sources) > 0

    @property
    def has_codings(self) -> bool:
        """Whether the project holds at least one coding of a text source."""
        return len(self.codings) > 0

    @property
    def message(self) -> str:
        """All :attr:`messages` as one line (``""`` when there is nothing to report)."""
        return " ".join(self.messages)


# --------------------------------------------------------------------------------------- helpers


def _project_namespace(project_name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, "urn:analysis:qda:project:" + project_name)


def _guid(namespace: uuid.UUID, kind: str, *parts: object) -> str:
    return str(uuid.uuid5(namespace, "\x1f".join([kind, *(str(p) for p in parts)])))


def _export_time() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` (clamped to what a zip can store), else 1980-01-01T00:00:00Z."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return _FIXED_TIME
    try:
        when = dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise QdaError(
            f"SOURCE_DATE_EPOCH måste vara ett heltal sekunder sedan 1970, inte {raw!r}; rätta "
            "eller ta bort variabeln."
        ) from None
    return min(max(when, _FIXED_TIME), _LAST_ZIP_TIME)


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _id_str(value: Any) -> str:
    """An answer/respondent id as the text used in the XML (``3`` and ``3.0`` both → ``"3"``)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _id_str(value.item())
    return str(value)


def _xml_safe(value: str, what: str) -> str:
    bad = _XML_INVALID.search(value)
    if bad:
        raise QdaError(
            f"{what} innehåller tecknet U+{ord(bad.group()):04X}, som XML inte kan lagra; ta "
            "bort det före exporten"
        )
    return value


def codings(n: int) -> str:
    """``n`` with the right form of "kodning" (messages name counts in Swedish).

    >>> codings(1), codings(3)
    ('1 kodning', '3 kodningar')
    """
    return f"{n} kodning" if n == 1 else f"{n} kodningar"


def _snippet(text: str) -> str:
    flat = " ".join(_XML_INVALID.sub("\ufffd", text).split())
    return flat if len(flat) <= _SNIPPET else flat[: _SNIPPET - 1] + "…"


def _check_target(path: str | os.PathLike[str], suffix: str) -> Path:
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise QdaError(
            f"REFI-QDA kräver filändelsen {suffix} för den här filen (QDA-verktygen känner "
            f"igen filtypen på den); byt namn på utfilen"
        )
    return target


def _atomic_write(target: Path, data: bytes) -> None:
    """Write *data* to *target* via a temporary file in the same folder and ``os.replace``.

    The temporary file is created with mode 0o666 minus the umask (like a plain ``open``), so
    the result has the usual permissions without touching the process-wide umask.
    """
    from analysis.atomic import refuse_special

    refuse_special(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _root(tag: str, namespace: str, **attrs: str) -> ET.Element:
    # Plain tag names plus a literal xmlns attribute: no global ET.register_namespace needed.
    root = ET.Element(tag)
    root.set("xmlns", namespace)
    root.set("xmlns:xsi", _XSI)
    root.set("xsi:schemaLocation", f"{namespace} {_SCHEMA_LOCATION[namespace]}")
    for key, value in attrs.items():
        root.set(key, value)
    return root
