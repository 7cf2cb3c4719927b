"""Scaffold a codebook from a form-tool export: ``analysis codebook draft EXPORT --survey NAME``.

The draft is a starting point for a human, never a finished codebook: every inferred field is
marked ``# check``. From the export (read by :func:`analysis.data.readers.read_export`, so MS Forms
``.xlsx``, Google Forms ``.csv`` and Swedish Excel ``.csv`` all work) it takes:

* the question texts from the headers, with a leading number ("3. …") moved to ``number``, a
  "(tex …)" / "(t.ex. …)" part to ``examples`` and a trailing "Läs om … här https://…" to
  ``link`` — the parts the header matcher (:mod:`analysis.data.headers`) accepts with or without;
* the question types from the answers: a known Swedish Likert scale → ``likert`` (options low →
  high, "Vet ej" as non-substantive); ``;``-separated choices as Microsoft Forms writes them →
  ``multi``; municipality names → ``municipality``; the organisation types of the reference data
  → ``org_type``; an organisation-code header → ``org_id``; a few distinct short answers →
  ``single``; anything else → ``text``;
* personal-data columns (name, e-mail, phone, personnummer) and form bookkeeping (MS Forms' ``ID``,
  ``Start time``, ``Completion time``; Google's ``Tidstämpel``) are left out with a comment — the
  ingest drops or ignores them anyway;
* a ``disclosure:`` block with the strictest defaults (private persons, counts below 5 hidden).

The draft ingests the export it came from (tests check this on both demo exports).

>>> import pandas as pd
>>> split_header("3. Beskriv utmaningarna (tex digitalisering, kultur) Läs om RUS här https://x.se/rus")
(3, 'Beskriv utmaningarna', '(tex digitalisering, kultur)', 'Läs om RUS här https://x.se/rus')
>>> infer(["Instämmer helt", "Vet ej", "Instämmer delvis"]).type
'likert'
>>> infer(["A;B;", "B;"]).labels
['A', 'B']
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import ConfigError

__all__ = ["LIKERT_SCALES", "Inferred", "draft_codebook", "infer", "split_header", "write_draft"]

LIKERT_SCALES: tuple[tuple[str, ...], ...] = (
    ("Instämmer inte alls", "Instämmer delvis inte", "Varken eller", "Instämmer delvis",
     "Instämmer helt"),
    ("Instämmer inte alls", "Instämmer i låg grad", "Instämmer delvis", "Instämmer i hög grad",
     "Instämmer helt"),
    ("Instämmer inte alls", "Instämmer till viss del", "Instämmer till stor del",
     "Instämmer helt"),
    ("Stämmer inte alls", "Stämmer ganska dåligt", "Stämmer ganska bra", "Stämmer helt"),
    ("Stämmer inte alls", "Stämmer delvis", "Stämmer helt"),
    ("Mycket missnöjd", "Ganska missnöjd", "Varken nöjd eller missnöjd", "Ganska nöjd",
     "Mycket nöjd"),
    ("Mycket dåligt", "Ganska dåligt", "Varken bra eller dåligt", "Ganska bra", "Mycket bra"),
    ("Mycket liten utsträckning", "Liten utsträckning", "Viss utsträckning", "Stor utsträckning",
     "Mycket stor utsträckning"),
)  # fmt: skip
"""Known Swedish answer scales, low → high (the first one is the partner survey's)."""

NON_SUBSTANTIVE = ("Vet ej", "Vet inte", "Ingen åsikt", "Ej aktuellt")
"""Answers that take no position; they get ``non_substantive`` and are placed last."""

ORG_ID_HEADER = re.compile(r"(?i)\b(organisations?kod|org[_ -]?id|organisations-?id)\b")
SINGLE_MAX_DISTINCT = 10
SINGLE_MAX_LENGTH = 60
SINGLE_ALWAYS_LENGTH = 25
"""Answers this short are choices even when each occurs once (a handful of respondents)."""
MUNICIPALITY_SHARE = 0.8

_EXAMPLES = re.compile(
    r"\s*(\((?:t\.?\s?ex\.?|till exempel|exempelvis|t\.?\s?ex:)[^()]*\))\s*", re.IGNORECASE
)
_LINK = re.compile(r"\s*((?:Läs|Läs mer|Se)\b[^\n]*?https?://\S+)\s*$", re.IGNORECASE)


def _key(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(text)).casefold() if ch.isalnum())


def split_header(header: str) -> tuple[int | None, str, str | None, str | None]:
    """``(number, text, examples, link)`` of an export header.

    >>> split_header("Fråga 2: Hur länge har ni samarbetat?")
    (2, 'Hur länge har ni samarbetat?', None, None)
    >>> split_header("Organisationskod (står i inbjudan, t.ex. P07)")
    (None, 'Organisationskod', '(står i inbjudan, t.ex. P07)', None)
    """
    from analysis.data.headers import _LEADING_NUMBER, leading_number

    text = " ".join(str(header).replace("\u00a0", " ").split())
    number = leading_number(text)
    if number is not None:
        text = text[_LEADING_NUMBER.match(text).end() :]
    link = None
    m = _LINK.search(text)
    if m and m.start() > 0:
        link, text = m.group(1).strip(), text[: m.start()].rstrip()
    examples = None
    m = _EXAMPLES.search(text)
    if m is None:  # "(står i inbjudan, t.ex. P07)": a parenthesis ending a header, with an example
        m = re.search(r"\s*(\([^()]*\bt\.?\s?ex\.?[^()]*\))\s*$", text, re.IGNORECASE)
    if m and m.start() > 0:
        examples = m.group(1).strip()
        text = (text[: m.start()] + " " + text[m.end() :]).strip()
    return number, text.strip(), examples, link


@dataclass
class Inferred:
    """A column's inferred question type, options and the reason (for the ``# check`` note)."""

    type: str
    labels: list[str] = field(default_factory=list)
    non_substantive: list[str] = field(default_factory=list)
    role: str = "question"
    why: str = ""


def _present(values: Sequence[object]) -> list[str]:
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _first_seen(items: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for x in items:
        seen.setdefault(_key(x), x)
    return list(seen.values())


def _ns_last(labels: list[str]) -> tuple[list[str], list[str]]:
    ns = [x for x in labels if _key(x) in {_key(n) for n in NON_SUBSTANTIVE}]
    return [x for x in labels if x not in ns] + ns, ns


def infer(values: Sequence[object], header: str = "") -> Inferred:
    """The question type of an export column from its header and answers.

    >>> infer(["Umeå kommun", "sorsele", "Lycksele"]).type
    'municipality'
    >>> infer(["Ja", "Nej", "Ja", "Vet ej"]).labels, infer(["Ja", "Nej", "Vet ej"]).non_substantive
    (['Ja', 'Nej', 'Vet ej'], ['Vet ej'])
    >>> infer(["Ett långt svar " * 8, "Ett annat långt svar " * 6]).type
    'text'
    """
    from analysis.data.reference import ORG_TYPE_SECTOR, normalise_municipality

    answers = _present(values)
    if ORG_ID_HEADER.search(header):
        return Inferred("org_id", role="metadata", why="rubriken ser ut som en organisationskod")
    if not answers:
        return Inferred("text", why="inga svar i exporten – typen kan inte bestämmas")
    if any(";" in a for a in answers):
        parts = [p.strip() for a in answers for p in a.split(";") if p.strip()]
        labels, ns = _ns_last(_first_seen(parts))
        return Inferred("multi", labels, ns, why="svar avgränsade med ';' (flerval)")
    keys = {_key(a) for a in answers}
    for scale in LIKERT_SCALES:
        scale_keys = {_key(x) for x in scale} | {_key(x) for x in NON_SUBSTANTIVE}
        if keys <= scale_keys and keys & {_key(x) for x in scale}:
            used_ns = _first_seen([a for a in answers if _key(a) not in {_key(x) for x in scale}])
            return Inferred(
                "likert", [*scale, *used_ns], used_ns, why=f"känd skala ({scale[0]} … {scale[-1]})"
            )
    hits = sum(normalise_municipality(a) is not None for a in answers)
    if hits >= MUNICIPALITY_SHARE * len(answers):
        return Inferred("municipality", role="metadata", why="svaren är kommunnamn")
    if keys <= {_key(x) for x in ORG_TYPE_SECTOR}:
        labels = [x for x in ORG_TYPE_SECTOR if _key(x) in keys]
        return Inferred("org_type", labels, role="metadata", why="svaren är organisationstyper")
    distinct = _first_seen(answers)
    longest = max(len(a) for a in answers)
    if (
        len(distinct) <= SINGLE_MAX_DISTINCT
        and longest <= SINGLE_MAX_LENGTH
        and (len(distinct) < len(answers) or longest <= SINGLE_ALWAYS_LENGTH)
    ):
        labels, ns = _ns_last(distinct)
        return Inferred(
            "single", labels, ns, why=f"{len(distinct)} olika korta svar – ordna dem låg → hög"
        )
    return Inferred("text", why="fritext (många olika eller långa svar)")


def _code(label: str, used: set[str]) -> str:
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")[:30].strip("_") or "alt"
    code, i = base, 2
    while code in used:
        code, i = f"{base}_{i}", i + 1
    used.add(code)
    return code


def _q(text: object) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML).

    >>> _q('Säg "hej"')
    '"Säg \\\\"hej\\\\""'
    """
    return "null" if text is None else json.dumps(str(text), ensure_ascii=False)


_ID_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def draft_codebook(export: str | Path, survey: str) -> str:
    """The draft codebook of *export* as YAML text (with ``# check`` comments).

    Parameters
    ----------
    export : str or Path
        An MS Forms ``.xlsx``, Google Forms ``.csv`` or Swedish Excel ``.csv`` export.
    survey : str
        The new survey's id (the folder name under ``data/raw/``).

    Raises
    ------
    ConfigError
        A survey id that is not lower-case letters, digits and ``_``.
    InputValidationError
        An export that cannot be read (empty, wrong encoding …).
    """
    from analysis.data.headers import ID_HEADERS, METADATA_HEADERS, header_key
    from analysis.data.pii import pii_header_kind
    from analysis.data.readers import read_export

    if not _ID_NAME.match(survey or ""):
        raise ConfigError(
            f"ogiltigt enkät-id {survey!r}: använd små bokstäver, siffror och _ (t.ex. "
            "partner_2029), börja med en bokstav."
        )
    table = read_export(export)
    lines = [
        f"# DRAFT codebook for {survey}, written by `analysis codebook draft` from",
        f"# {table.path.name} ({len(table.rows)} rows). Every line marked `# check` is a guess:",
        "# read it, correct it, then remove the mark. In particular: order the options of",
        '# single-choice questions low -> high, mark non-substantive answers ("Vet ej"), and set',
        "# `required`. Run `analysis validate` on the export afterwards.",
        f"survey: {survey}",
        'version: "0.1"',
        f"title: {_q(survey)}  # check: the survey's title as readers should see it",
        f"source: {_q('Utkast ur exporten ' + table.path.name)}  # check",
        "# frame: {file: reference/<survey>_sample_frame.csv, size: N}  # the invited, if known",
        "frame: null  # check",
        "# Disclosure policy: the STRICTEST defaults (private persons, counts below 5 hidden).",
        "# Loosen only with a reason written here (e.g. public bodies answering in a census).",
        "disclosure:",
        "  respondent_kind: person  # check: public_body | organisation | person",
        "  min_cell: 5",
        "  quotes_attributed: false",
        "  mask_respondent_names: true",
        "  keep_names: []",
        "questions:",
    ]
    n = 0
    for j, header in enumerate(table.headers):
        head = header.strip()
        kind = pii_header_kind(head)
        key = header_key(head, strip_number=False)
        if not head:
            lines.append(f"  # column {j + 1} has no header: left out")
            continue
        if kind is not None:
            lines.append(f"  # {_q(head)}: personal data ({kind}) – left out, ingest drops it")
            continue
        if key in ID_HEADERS:
            lines.append(f"  # {_q(head)}: the form tool's response id – left out")
            continue
        if key in METADATA_HEADERS:
            lines.append(f"  # {_q(head)}: form bookkeeping (time stamp) – left out")
            continue
        n += 1
        number, text, examples, link = split_header(head)
        values = [row[j] if j < len(row) else None for row in table.rows]
        guess = infer(values, text)
        lines += [
            f"  - id: q{n}",
            f"    number: {number if number is not None else n}"
            + ("" if number is not None else "  # check: position in the export"),
            f"    text: {_q(text)}",
            f"    examples: {_q(examples)}",
            f"    link: {_q(link)}",
            f"    type: {guess.type}  # check: {guess.why}",
            f"    role: {guess.role}" + ("  # check" if guess.role == "metadata" else ""),
            "    required: false  # check",
            "    reconstructed: false",
        ]
        if guess.labels and guess.type != "municipality":
            used: set[str] = set()
            lines.append(
                "    options:  # check: order low -> high"
                if guess.type == "single"
                else "    options:"
            )
            for label in guess.labels:
                lines.append(f"      - {{code: {_q(_code(label, used))}, label: {_q(label)}}}")
        else:
            lines.append("    options: []")
        ns = ", ".join(_q(x) for x in guess.non_substantive)
        lines.append(f"    non_substantive: [{ns}]")
        lines.append("    aliases: []")
    if n == 0:
        raise ConfigError(f"{table.path.name}: exporten har inga frågekolumner.")
    return "\n".join(lines) + "\n"


def write_draft(
    export: str | Path, survey: str, out: str | Path | None = None, *, force: bool = False
) -> Path:
    """Write :func:`draft_codebook` to *out* (default ``data/raw/<survey>/codebook.yaml``).

    Refuses (:class:`ConfigError`) to overwrite an existing file unless *force*; checks that the
    draft is a valid codebook before writing.
    """
    import yaml

    from analysis import atomic, paths
    from analysis.data.codebook import Codebook

    text = draft_codebook(export, survey)
    target = Path(out) if out is not None else paths.codebook_path(survey)
    if target.exists() and not force:
        raise ConfigError(
            f"{target} finns redan; ange en annan fil med --out eller skriv över med --force."
        )
    Codebook.from_dict(yaml.safe_load(text), path=target)  # the draft itself must be valid
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(target, text.encode("utf-8"))
    return target
