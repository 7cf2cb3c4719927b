"""Identity in a QDA-XML document: GUIDs (normalised, unique) and element names in Swedish."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

_KIND_SV = {
    "TextSource": "källan",
    "PlainTextSelection": "urvalet",
    "Coding": "kodningen",
    "Code": "koden",
    "User": "användaren",
    "Variable": "variabeln",
    "Case": "fallet",
    "Note": "anteckningen",
    "Set": "mängden",
}


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _norm_guid(guid: str) -> str:
    """A GUID as compared: no braces, lower case (``{ABC-…}`` and ``abc-…`` are one GUID)."""
    return guid.strip().strip("{}").lower()


def _describe(el: ET.Element) -> str:
    kind = _split_tag(el.tag)[1]
    name = el.get("name")
    return f"{_KIND_SV.get(kind, kind)} {name!r}" if name else f"{_KIND_SV.get(kind, kind)}"


def duplicate_guids(root: ET.Element) -> Iterator[str]:
    """One Swedish phrase per element whose ``guid`` an earlier element already has.

    The REFI-QDA schema types every ``guid`` as a GUID and the specification requires each to be
    unique in the project, across element kinds (a selection may not reuse a code's GUID).

    >>> root = ET.fromstring('<P><Code guid="{AB}" name="x"/><User guid="ab" name="y"/></P>')
    >>> list(duplicate_guids(root))
    ["GUID ab används av två element (koden 'x' och användaren 'y'); varje GUID måste vara unik"]
    """
    seen: dict[str, ET.Element] = {}
    for el in root.iter():
        guid = el.get("guid")
        if guid is None:
            continue
        first = seen.setdefault(_norm_guid(guid), el)
        if first is not el:
            yield (
                f"GUID {guid.strip()} används av två element ({_describe(first)} och "
                f"{_describe(el)}); varje GUID måste vara unik"
            )
