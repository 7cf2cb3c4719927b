"""Reference data: the 15 municipalities of Västerbotten and the 2021 partner-survey sample frame.

Both tables are committed real facts in ``data/raw/reference/`` (see ``data/raw/README.md`` for
their provenance). This module reads them and normalises the everyday spellings respondents type
for their municipality ("Umeå kommun", "umeå", "Umea", "Umeås kommun") to the canonical name.

Normalisation is an *exact* lookup after folding case, whitespace (including non-breaking
spaces), Unicode composition, trailing punctuation and the Swedish letters å/ä/ö to a/a/o. It
never guesses: a misspelling such as "Umeaa" or a name outside the county gives ``None``.

>>> normalise_municipality("Umeå kommun")
'Umeå'
>>> normalise_municipality("umea")
'Umeå'
>>> normalise_municipality("Umeaa") is None
True
>>> municipality_code("Skellefteå kommun")
'2482'
>>> municipality_group("Vännäs")
'umearegionen_ovriga'
>>> sector_for_org_type("Näringslivsorganisation")
'Näringsliv'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MUNICIPALITIES_FILE = "municipalities.csv"
SAMPLE_FRAME_FILE = "partner_2021_sample_frame.csv"

MUNICIPALITY_GROUPS: dict[str, str] = {
    "storsta": "Största kommunen (Umeå)",
    "umearegionen_ovriga": "Övriga Umeåregionen",
    "ovriga": "Övriga kommuner",
}
"""Comparison groups (the idea of seed 004's K1/K2/K3), id → Swedish label, in display order."""

ORG_TYPE_SECTOR: dict[str, str] = {
    "Kommun": "Offentlig sektor",
    "Region": "Offentlig sektor",
    "Statlig myndighet": "Offentlig sektor",
    "Annan offentlig organisation": "Offentlig sektor",
    "Företag": "Näringsliv",
    "Näringslivsorganisation": "Näringsliv",
    "Akademi/forskning": "Akademi",
    "Idéburen organisation": "Idéburen sektor",
}
"""Organisation type (partner_2021 q1 labels) → pentahelix sector. The classification rule is
written down in ``data/raw/README.md``."""

SECTORS: tuple[str, ...] = (
    "Offentlig sektor",
    "Näringsliv",
    "Akademi",
    "Idéburen sektor",
    "Medborgare/civilsamhälle",
)
"""The five pentahelix sectors in display order (the 2021 frame holds no individual citizens, so
the last one is empty there)."""

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "\u00a0": " ", "\u202f": " "})
_SPACE = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s.,;:!?]+$")


def _fold(text: str) -> str:
    """Fold a municipality spelling to its lookup key.

    >>> _fold("  Umeå\\u00a0Kommun. ")
    'umea kommun'
    """
    s = unicodedata.normalize("NFC", str(text)).casefold().translate(_FOLD)
    s = _SPACE.sub(" ", s).strip()
    return _TRAILING.sub("", s)


def _reference_path(name: str, path: str | Path | None) -> Path:
    return Path(path) if path is not None else paths.reference_dir() / name


@lru_cache(maxsize=8)
def _municipalities_cached(path: str) -> pd.DataFrame:
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    df["umearegionen"] = df["umearegionen"].map({"true": True, "false": False}).astype(bool)
    return df


def load_municipalities(path: str | Path | None = None) -> pd.DataFrame:
    """The 15 municipalities of Västerbotten County, ordered by SCB code.

    Columns: ``kommunkod`` (str, SCB code), ``kommun`` (canonical name), ``officiellt_namn``,
    ``umearegionen`` (bool), ``kommungrupp`` (id), ``kommungrupp_label`` (Swedish),
    ``alternativa_stavningar`` (";"-joined everyday spellings). A fresh copy is returned.

    >>> m = load_municipalities()
    >>> len(m), m["kommunkod"].is_unique
    (15, True)
    >>> m.loc[m["kommun"] == "Umeå", "kommunkod"].item()
    '2480'
    """
    p = _reference_path(MUNICIPALITIES_FILE, path)
    return _municipalities_cached(str(p.resolve())).copy()


@lru_cache(maxsize=8)
def _lookup(path: str) -> dict[str, str]:
    df = _municipalities_cached(path)
    table: dict[str, str] = {}
    for row in df.itertuples(index=False):
        name = row.kommun
        spellings = [name, f"{name} kommun", row.officiellt_namn]
        if not name.endswith("s"):
            spellings.append(f"{name}s kommun")  # genitive: "Umeås kommun"
        spellings += [s for s in row.alternativa_stavningar.split(";") if s.strip()]
        for spelling in spellings:
            key = _fold(spelling)
            other = table.get(key)
            if other is not None and other != name:  # pragma: no cover - guards the data file
                raise ValueError(f"Stavningen {spelling!r} passar både {other} och {name}")
            table[key] = name
    return table


def normalise_municipality(text: object, path: str | Path | None = None) -> str | None:
    """Return the canonical municipality name for an everyday spelling, or ``None``.

    Accepted: the name with or without "kommun" (any case), the genitive ("Umeås kommun",
    "Vindelns kommun"), without å/ä/ö ("Umea", "Mala"), with surrounding or non-breaking spaces
    and trailing punctuation. Anything else — typos, other counties, empty values — gives
    ``None``; there is no fuzzy matching.

    >>> [normalise_municipality(s) for s in ["Umeå Kommun ", "Umeå\\u00a0kommun", "Umeås kommun"]]
    ['Umeå', 'Umeå', 'Umeå']
    >>> normalise_municipality("Dorotea kommun"), normalise_municipality("Mala")
    ('Dorotea', 'Malå')
    >>> normalise_municipality("Luleå") is None, normalise_municipality(None) is None
    (True, True)
    """
    if text is None or (isinstance(text, float) and text != text):  # None or NaN
        return None
    key = _fold(str(text))
    if not key:
        return None
    p = _reference_path(MUNICIPALITIES_FILE, path)
    return _lookup(str(p.resolve())).get(key)


def _row(name: str, path: str | Path | None):
    canonical = normalise_municipality(name, path)
    if canonical is None:
        raise KeyError(f"Okänd kommun: {name!r}")
    df = _municipalities_cached(str(_reference_path(MUNICIPALITIES_FILE, path).resolve()))
    return df.loc[df["kommun"] == canonical].iloc[0]


def municipality_code(name: str, path: str | Path | None = None) -> str:
    """The SCB municipality code for a municipality (any accepted spelling).

    Raises ``KeyError`` for an unknown name.

    >>> municipality_code("Umea"), municipality_code("Åsele kommun")
    ('2480', '2463')
    """
    return str(_row(name, path)["kommunkod"])


def municipality_group(name: str, path: str | Path | None = None) -> str:
    """The comparison group id (``storsta`` / ``umearegionen_ovriga`` / ``ovriga``).

    Raises ``KeyError`` for an unknown name; :data:`MUNICIPALITY_GROUPS` gives the labels.

    >>> municipality_group("Umeå"), municipality_group("Bjurholm"), municipality_group("Malå")
    ('storsta', 'umearegionen_ovriga', 'ovriga')
    """
    return str(_row(name, path)["kommungrupp"])


@lru_cache(maxsize=4)
def _frame_cached(path: str) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def load_sample_frame(path: str | Path | None = None) -> pd.DataFrame:
    """The 43 organisations invited to the 2021 partner survey (seed 000, Bilaga 1).

    Columns: ``org_id``, ``organisation``, ``org_type``, ``sektor``, ``kommunkod`` (empty string
    for non-municipalities), ``classification_note``. A fresh copy is returned.

    >>> f = load_sample_frame()
    >>> len(f), int((f["org_type"] == "Kommun").sum())
    (43, 15)
    """
    p = _reference_path(SAMPLE_FRAME_FILE, path)
    return _frame_cached(str(p.resolve())).copy()


def sector_for_org_type(org_type: str) -> str:
    """The pentahelix sector of an organisation type (the labels of partner_2021 q1).

    Raises ``KeyError`` for an unknown type.

    >>> sector_for_org_type("Kommun"), sector_for_org_type("Akademi/forskning")
    ('Offentlig sektor', 'Akademi')
    """
    try:
        return ORG_TYPE_SECTOR[str(org_type).strip()]
    except KeyError:
        raise KeyError(f"Okänd organisationstyp: {org_type!r}") from None


__all__ = [
    "MUNICIPALITY_GROUPS",
    "ORG_TYPE_SECTOR",
    "SECTORS",
    "load_municipalities",
    "load_sample_frame",
    "municipality_code",
    "municipality_group",
    "normalise_municipality",
    "sector_for_org_type",
]
