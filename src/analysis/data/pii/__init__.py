"""Personal data in survey exports and text — one package, one list of detectors.

Used by ingest (columns dropped by header, free text masked), by quote masking in the reports
and by the privacy audit of published HTML. Four kinds (:data:`KINDS`): e-mail addresses,
phone numbers, personnummer/samordningsnummer and people's names; every detector works on
Unicode-normalised text (full-width characters, zero-width characters, ``%40``, dash
look-alikes) and reports offsets into the original text.

>>> mask("Ring 070\u2013111 22 33 eller mejla lisa.lind @ example.org. /Sigbritt Ohlsson")
('Ring [telefon] eller mejla [e-post]. /[namn]', {'email': 1, 'phone': 1, 'personnummer': 0, 'name': 1})
>>> header_kind("Ditt namn (frivilligt)"), is_pii_header("Vilken kommun representerar du?")
('name', False)
"""

from analysis.data.pii.bulk import (
    mask_column,
    mask_people,
    mask_person,
    mask_series,
    person_pattern,
)
from analysis.data.pii.contact import DETECTORS, KINDS, MASKS, Hit, luhn_ok
from analysis.data.pii.detect import contains, find, mask
from analysis.data.pii.headers import header_kind, is_pii_header

_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")
)


def normalise_dashes(text: str) -> str:
    """Dash look-alikes (en dash, non-breaking hyphen, minus …) as ``-``; same length."""
    return text.translate(_DASHES)


def mask_text(text: str) -> tuple[str, dict[str, int]]:
    """:func:`mask` with every detector (the name the ingest and the labels use).

    >>> mask_text("pnr 850709-9805")
    ('pnr [personnummer]', {'email': 0, 'phone': 0, 'personnummer': 1, 'name': 0})
    """
    return mask(text)


def pii_header_kind(header: str) -> str | None:
    """The personal-data kind of a column header, or ``None`` (see :func:`header_kind`)."""
    return header_kind(header)


def find_phones(text: str) -> list[tuple[str, int, int]]:
    """Phone numbers in *text* as ``(value, start, end)``."""
    return [(text[h.start : h.end], h.start, h.end) for h in find(text, kinds=("phone",))]


def find_personnummer(text: str) -> list[tuple[str, int, int]]:
    """Personnummer / samordningsnummer in *text* as ``(value, start, end)``."""
    return [(text[h.start : h.end], h.start, h.end) for h in find(text, kinds=("personnummer",))]


def find_emails(text: str) -> list[tuple[str, int, int]]:
    """E-mail addresses in *text* (every written form) as ``(value, start, end)``."""
    return [(text[h.start : h.end], h.start, h.end) for h in find(text, kinds=("email",))]


__all__ = [
    "DETECTORS",
    "KINDS",
    "MASKS",
    "Hit",
    "contains",
    "find",
    "find_emails",
    "find_personnummer",
    "find_phones",
    "header_kind",
    "is_pii_header",
    "luhn_ok",
    "mask",
    "mask_column",
    "mask_people",
    "mask_person",
    "mask_series",
    "mask_text",
    "normalise_dashes",
    "person_pattern",
    "pii_header_kind",
]
