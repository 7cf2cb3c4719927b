"""Plain Swedish for the municipality report: counts, enumerations and theme names in sentences.

>>> count_phrase(9, 15), count_phrase(15, 15), count_phrase(0, 15)
('9 av 15 kommuner', 'alla 15 kommuner', 'ingen av de 15 kommunerna')
>>> list_phrase(["bostäder", "energi", "vatten"])
'bostäder, energi och vatten'
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["count_phrase", "list_phrase", "lower_first", "sentence", "upper_first"]


def count_phrase(n: int, total: int, unit: str = "kommuner", definite: str = "kommunerna") -> str:
    """A count of municipalities as the report writes it: "9 av 15 kommuner".

    All of them is "alla 15 kommuner", none "ingen av de 15 kommunerna".

    >>> count_phrase(1, 15), count_phrase(3, 14, "frågor", "frågorna")
    ('1 av 15 kommuner', '3 av 14 frågor')
    """
    n, total = int(n), int(total)
    if total and n == total:
        return f"alla {total} {unit}"
    if n == 0:
        return f"ingen av de {total} {definite}"
    return f"{n} av {total} {unit}"


def list_phrase(items: Sequence[str]) -> str:
    """Swedish enumeration: "a", "a och b", "a, b och c".

    >>> list_phrase(["A"]), list_phrase(["A", "B"]), list_phrase([])
    ('A', 'A och B', '')
    """
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


def lower_first(label: str) -> str:
    """Lower-case a label's first letter for use inside a sentence (acronyms kept).

    >>> lower_first("Kompetensförsörjning"), lower_first("EU-medel"), lower_first("")
    ('kompetensförsörjning', 'EU-medel', '')
    """
    label = str(label)
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def upper_first(text: str) -> str:
    """Capitalise a sentence's first letter.

    >>> upper_first("alla 15 kommuner svarade.")
    'Alla 15 kommuner svarade.'
    """
    text = str(text)
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """Capitalise and end with a full stop (unless it already ends a sentence).

    >>> sentence("alla 15 kommuner svarade")
    'Alla 15 kommuner svarade.'
    """
    text = upper_first(str(text).strip())
    return text if text.endswith((".", "!", "?", "”")) else text + "."
