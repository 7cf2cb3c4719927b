"""Extract the compact name lists in ``src/analysis/data/pii/resources/`` from ``names-dataset``.

Run once, by hand, with a Python that has ``names-dataset`` installed (it is *not* a dependency
of the package: its two pickles need ~1.9 GB of memory and ~12 s to load)::

    python -m venv /tmp/ndvenv && /tmp/ndvenv/bin/pip install names-dataset==3.3.1
    .venv/bin/python benchmarks/extract_pii_names.py \
        --source /tmp/ndvenv/lib/python3.11/site-packages/names_dataset/v3

The project's own Python is used (for ``simplemma``, a dependency of the package); only the
pickles are read from ``--source``. Written files (UTF-8 JSON arrays, one entry a line, sorted;
JSON so that the package-data globs in pyproject.toml ship them):

* ``first_names.json`` – every first name ranked for Sweden plus the most common first names of
  the countries most Swedish residents born abroad come from (and the Nordic neighbours);
* ``surnames.json`` – likewise for surnames;
* ``name_words.json`` – the names above whose lower-case form is an everyday Swedish word form
  according to simplemma's Swedish dictionary ("per", "bo", "mark", "stig"), or an English one
  according to its English dictionary ("meet", "future", "park") unless the name is among the
  most common names in Sweden (first names ranked ≤ 1500, surnames ≤ 3000 for Sweden: "Anna",
  "Lisa" stay names): such names need more evidence than a capital letter.

Entries are kept when written in Latin letters (hyphen and apostrophe allowed, no spaces), with
at least two letters (three for other countries than Sweden) and a vowel.
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "analysis" / "data" / "pii" / "resources"

# Countries with many residents of Sweden born there (SCB, largest groups with a names-dataset
# table; Somalia and Eritrea have none, their names appear in Sweden's own table) and the
# Nordic and other European neighbours.
OTHER_COUNTRIES = (
    "FI", "NO", "DK", "IS", "DE", "PL", "TR", "IR", "IQ", "SY", "AF", "RS", "HR", "ET",
    "GB", "US", "IT", "FR", "ES", "NL", "EE", "LT", "RU", "CL", "LB", "EG", "MA", "SD",
    "TH", "IN", "CN", "PH",
)  # fmt: skip
TOP_OTHER = 1000
VOWELS = set("aeiouyåäöæøéèêëáàâíìîïóòôõúùûüýÿœ")


def _latin(name: str) -> bool:
    letters = name.replace("-", "").replace("'", "")
    return bool(letters) and all(
        ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN") for ch in letters
    )


def _ok(name: str, min_len: int) -> bool:
    return (
        " " not in name
        and _latin(name)
        and len(name) >= min_len
        and not name.startswith(("-", "'"))
        and not name.endswith(("-", "'"))
        and bool(VOWELS & set(name.casefold()))
    )


def _ranked(table: dict, country: str) -> list[str]:
    pairs = [(v["rank"][country], k) for k, v in table.items() if v["rank"].get(country)]
    return [k for _, k in sorted(pairs)]


def _select(table: dict) -> set[str]:
    keep = {n for n in _ranked(table, "SE") if _ok(n, 2)}
    for country in OTHER_COUNTRIES:
        keep |= {n for n in _ranked(table, country)[:TOP_OTHER] if _ok(n, 3)}
    return keep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--source", type=Path, required=True, help="names_dataset/v3 folder")
    args = parser.parse_args()
    tables = {}
    for kind in ("first", "last"):
        with gzip.open(args.source / f"{kind}_names.pkl.gz", "rb") as fh:
            tables[kind] = pickle.load(fh)  # noqa: S301 - the package's own data file
    first = _select(tables["first"])
    last = _select(tables["last"])
    common = set(_ranked(tables["first"], "SE")[:1500]) | set(_ranked(tables["last"], "SE")[:3000])

    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    lexicon = DefaultDictionaryFactory().get_dictionary("sv")
    english = DefaultDictionaryFactory().get_dictionary("en")
    words = {n for n in first | last if n.casefold() in lexicon}
    words |= {n for n in first | last if n.casefold() in english and n not in common}

    OUT.mkdir(parents=True, exist_ok=True)
    for filename, names in (
        ("first_names.json", first),
        ("surnames.json", last),
        ("name_words.json", {n.casefold() for n in words}),
    ):
        text = json.dumps(sorted(names), ensure_ascii=False, indent=0)
        (OUT / filename).write_text(text + "\n", encoding="utf-8")
        print(f"{filename}: {len(names)}")


if __name__ == "__main__":
    main()
