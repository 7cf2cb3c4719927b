"""Privacy audit of a published HTML report: what a reader of a ``public`` report can see.

The audit reads the report's *published text* — every text node outside ``<script>``, ``<style>``
and ``<template>``, plus the ``alt``, ``title`` and ``aria-label`` attributes that assistive
technology reads out — and returns one :class:`Finding` per problem:

``email``
    an e-mail address;
``phone``
    a Swedish phone number (``070-123 45 67``, ``+46 90 16 10 00``);
``personnummer``
    a personal identity or co-ordination number with a valid check digit (or one the text calls
    "personnummer" / "pnr"); any dash look-alike counts as a hyphen;
``name``
    one of the demo data's fake people (full name, fake surname or e-mail, see
    :func:`demo_person_names`) or a name passed in ``names``;
``quoted_place``
    a municipality or organisation name inside a quote (``<blockquote>``, ``<q>`` or an element
    whose class is ``quote``/``citat``) — quotes must be masked in public reports;
``small_cell``
    a table cell in a count column ("Antal", "n", "Antal svar", …) or count row holding a count
    ``0 < x < min_cell`` — small cells must be suppressed. Percentages, years and other columns
    are not counts and are never flagged.

The module is pure Python (standard-library HTML parser); it never fetches anything.

>>> page = '''<main><p>Skriv till anna.exempelsson@example.org eller ring 070-123 45 67.</p>
... <blockquote>Vi i Umeå kommun saknar stöd.</blockquote>
... <table><tr><th>Svar</th><th>Antal</th><th>Andel (%)</th></tr>
... <tr><td>Ja</td><td>3</td><td>2</td></tr><tr><td>Nej</td><td>12</td><td>80</td></tr></table></main>'''
>>> [f.kind for f in audit_html(page, names=[])]
['email', 'phone', 'quoted_place', 'small_cell']
>>> audit_html("<p>Andelen var 45 % (n = 120) år 2023.</p>", names=[])
[]
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.data import pii
from analysis.disclosure.html_text import _collect, _Table, published_text  # noqa: F401

__all__ = [
    "Finding",
    "audit_file",
    "audit_html",
    "count_columns",
    "demo_person_names",
    "find_emails",
    "find_personnummer",
    "find_phones",
    "protected_names",
    "published_text",
]

KINDS = ("email", "phone", "personnummer", "name", "quoted_place", "small_cell")

# Elements whose content a reader never sees as text.
EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)

COUNT_HEADER_RE = re.compile(
    r"^\s*(?:antal(?:\s+\w+)*|n|frekvens|count|svarande|totalt|summa|alla|svar från"
    r"|svar\s*\(antal\)|antal\s*\(n\))\s*$",
    re.IGNORECASE,
)
NOT_COUNT_RE = re.compile(
    r"%|andel|procent|år\b|medel|median|kod|nummer|nr\b|plats|rang|ord\b|ord totalt|kortaste"
    r"|längsta|längd|skillnad|intervall|\bki|urval",
    re.IGNORECASE,
)
_NUM = r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)"
# "12", "1 234", "3 (20 %)", "2 av 15 kommuner"
_CELL_INT_RE = re.compile(rf"^\s*{_NUM}\s*(?:\(.*\)|av\s+\d+(?:\s+\w+)*)?\s*$")
_PLAIN_INT_RE = re.compile(rf"^\s*(?:{_NUM}|–|-)\s*$")


@dataclass(frozen=True)
class Finding:
    """One privacy problem in a published report.

    Attributes
    ----------
    kind : str
        One of ``email``, ``phone``, ``personnummer``, ``name``, ``quoted_place``, ``small_cell``.
    text : str
        The offending text as published.
    context : str
        Up to 80 characters around it (or the table location for ``small_cell``).
    """

    kind: str
    text: str
    context: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.text!r} ({self.context})"


# ----------------------------------------------------------------------------- detectors


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    return " ".join(text[max(0, start - width) : end + width].split())


def find_emails(text: str) -> list[tuple[str, int, int]]:
    """E-mail addresses in ``text`` as ``(match, start, end)``.

    >>> [m for m, _, _ in find_emails("Kontakt: per.testberg@example.org, [e-post] borttagen.")]
    ['per.testberg@example.org']
    """
    return pii.find_emails(text)


def find_phones(text: str) -> list[tuple[str, int, int]]:
    """Swedish phone numbers in ``text`` (not years, counts, amounts, times, dates or decimals).

    The same detector that masks free text on ingest (:func:`analysis.data.pii.find_phones`): any
    dash look-alike, dots, ``/`` after the area code and ``(090)`` are recognised.

    >>> [m for m, _, _ in find_phones("Ring 070-123 45 67 eller +46 90 16 10 00.")]
    ['070-123 45 67', '+46 90 16 10 00']
    >>> find_phones("År 2021 svarade 0 av 43 (0,5 %); 12 345 kronor.")
    []
    """
    return pii.find_phones(text)


def find_personnummer(text: str) -> list[tuple[str, int, int]]:
    """Personnummer / samordningsnummer with a valid check digit (or called "personnummer" /
    "pnr" in the text), as :func:`analysis.data.pii.find_personnummer`.

    >>> [m for m, _, _ in find_personnummer("Nr 811218-9876 och 19811218-9876; ej 811218-9875.")]
    ['811218-9876', '19811218-9876']
    """
    return pii.find_personnummer(text)


def _word_pattern(names: Iterable[str], *, ignore_case: bool) -> re.Pattern | None:
    uniq = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if not uniq:
        return None
    alt = "|".join(re.escape(n) for n in uniq)
    # The name itself or its genitive / definite forms ("Umeås", "Umeå:s").
    return re.compile(rf"(?<!\w)(?:{alt})(?::?s)?(?!\w)", re.IGNORECASE if ignore_case else 0)


# ----------------------------------------------------------------------------- name lists


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _export_people(path: Path) -> list[str]:
    """Values of the name / e-mail columns of a Microsoft Forms xlsx or Google Forms csv export."""
    wanted = {"name", "namn", "email", "e-post", "e-postadress", "email address", "e-mail"}
    values: list[str] = []
    if path.suffix.lower() == ".csv":
        for row in _csv_rows(path):
            for key, val in row.items():
                if key and key.strip().lower() in wanted and val:
                    values.append(val.strip())
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            rows = ws.iter_rows(values_only=True)
            header = next(rows, ())
            cols = [i for i, h in enumerate(header) if str(h or "").strip().lower() in wanted]
            for row in rows:
                for i in cols:
                    if i < len(row) and row[i]:
                        values.append(str(row[i]).strip())
        finally:
            wb.close()
    return values


def demo_person_names(raw: str | Path | None = None) -> list[str]:
    """The demo data's fake people: full names and e-mail addresses from every ``demo_*`` export
    in ``data/raw/*/``, plus the distinctive fake surnames and every first+last combination of
    :mod:`analysis.data.demo`'s generator (so names of a re-seeded demo are covered too).

    >>> names = demo_person_names()
    >>> "Exempelsson" in names and "Anna Exempelsson" in names
    True
    """
    from analysis import paths

    base = Path(raw) if raw is not None else paths.raw_dir()
    out: set[str] = set()
    for export in sorted(base.glob("*/demo_*")):
        if export.suffix.lower() in (".csv", ".xlsx", ".xlsm"):
            out.update(_export_people(export))
    try:
        from analysis.data import demo
    except ImportError:  # pragma: no cover - demo module always ships
        demo = None
    first = list(getattr(demo, "FAKE_FIRST", []))
    last = list(getattr(demo, "FAKE_LAST", []))
    out.update(last)
    out.update(f"{f} {s}" for f in first for s in last)
    return sorted(out)


def protected_names() -> tuple[list[str], list[str]]:
    """``(municipalities, organisations)`` that must not appear inside a quote of a public report.

    Municipalities: canonical name, official name and every listed alternative spelling from
    ``data/raw/reference/municipalities.csv``. Organisations: the 2021 sample frame
    (``partner_2021_sample_frame.csv``), minus Region Västerbotten, the survey's own subject.

    >>> munis, orgs = protected_names()
    >>> "Umeå" in munis and "Umeå kommun" in munis and "RISE" in orgs
    True
    """
    from analysis import paths

    ref = paths.reference_dir()
    munis: set[str] = set()
    for row in _csv_rows(ref / "municipalities.csv"):
        munis.add(row.get("kommun", ""))
        munis.add(row.get("officiellt_namn", ""))
        munis.update((row.get("alternativa_stavningar") or "").split(";"))
    orgs: set[str] = set()
    frame = ref / "partner_2021_sample_frame.csv"
    if frame.is_file():
        for row in _csv_rows(frame):
            orgs.add(row.get("organisation", ""))
    orgs.discard("Region Västerbotten")
    return sorted(n for n in munis if n.strip()), sorted(n for n in orgs if n.strip())


# ----------------------------------------------------------------------------- tables


def _expand(row: Sequence[tuple[str, str, int]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for tag, text, span in row:
        out.extend([(tag, text)] * span)
    return out


def _is_count_label(label: str) -> bool:
    return bool(COUNT_HEADER_RE.match(label)) and not NOT_COUNT_RE.search(label)


def count_columns(header_rows: Sequence[Sequence[tuple[str, str, int]]]) -> set[int]:
    """Indices (after ``colspan`` expansion) of the count columns named in the header rows.

    >>> count_columns([[("th", "Svar", 1), ("th", "Antal", 1), ("th", "Andel (%)", 1)]])
    {1}
    >>> count_columns([[("th", "Kommungrupp", 1), ("th", "Antal svar", 1), ("th", "År", 1)]])
    {1}
    """
    cols: set[int] = set()
    for row in header_rows:
        for i, (_, text) in enumerate(_expand(row)):
            if _is_count_label(text):
                cols.add(i)
    return cols


def _parse_count(text: str) -> int | None:
    m = _CELL_INT_RE.match(text)
    if not m:
        return None
    return int(re.sub(r"\D", "", m.group(1)))


def _excluded_columns(header_rows: Sequence[Sequence[tuple[str, str, int]]]) -> set[int]:
    cols: set[int] = set()
    for row in header_rows:
        for i, (_, text) in enumerate(_expand(row)):
            if NOT_COUNT_RE.search(text):
                cols.add(i)
    return cols


def _small_cells(table: _Table, min_cell: int, index: int) -> list[Finding]:
    """Counts ``0 < x < min_cell`` in a table's count cells.

    Count cells: the columns / rows labelled as counts ("Antal", "Svarande", "Totalt", …); every
    column of a table whose caption speaks of "antal"; and every cell of a cross-tabulation (a
    table whose data cells are all integers or "–"). Columns labelled as shares, percentages,
    years, ranks, lengths or sample sizes are never counts.
    """
    rows = [r for r in table.rows if r]
    if not rows:
        return []
    n_head = table.head_rows
    if n_head == 0:
        # No <thead>: leading rows made only of <th> are the header.
        while n_head < len(rows) and all(tag == "th" for tag, _, _ in rows[n_head]):
            n_head += 1
    cols = count_columns(rows[:n_head])
    excluded = _excluded_columns(rows[:n_head])
    body = [_expand(row) for row in rows[n_head:]]
    data = [text for cells in body for tag, text in cells if tag == "td"]
    whole_table = bool(re.search(r"\bantal\b", table.caption, re.IGNORECASE)) or (
        bool(data) and all(_PLAIN_INT_RE.match(t) for t in data)
    )
    findings = []
    for r, cells in enumerate(body, start=1):
        row_is_count = bool(cells) and cells[0][0] == "th" and _is_count_label(cells[0][1])
        for c, (tag, text) in enumerate(cells):
            if tag != "td" or c in excluded or not (c in cols or row_is_count or whole_table):
                continue
            value = _parse_count(text)
            if value is not None and 0 < value < min_cell:
                where = f"tabell {index}" + (f" ”{table.caption[:60]}”" if table.caption else "")
                findings.append(Finding("small_cell", text, f"{where}, rad {r}, kolumn {c + 1}"))
    return findings


# ----------------------------------------------------------------------------- audit


def audit_html(
    html: str,
    *,
    min_cell: int = 5,
    names: Iterable[str] | None = None,
    municipalities: Iterable[str] | None = None,
    organisations: Iterable[str] | None = None,
    keep: Iterable[str] = (),
) -> list[Finding]:
    """Audit one published report's HTML; an empty list means nothing was found.

    Parameters
    ----------
    html : str
        The report as published.
    min_cell : int
        The report's suppression threshold: counts ``0 < x < min_cell`` in count columns are
        findings.
    names : iterable of str, optional
        People's names / e-mails that must not appear anywhere; default
        :func:`demo_person_names`.
    municipalities, organisations : iterable of str, optional
        Names that must not appear inside a quote; default :func:`protected_names`.
    keep : iterable of str
        Names a public quote may keep: the authorities the survey's questions are about (its
        codebook's ``disclosure.keep_names``). A protected name inside one of them ("Umeå" in
        "Umeå universitet") is not a finding.

    Returns
    -------
    list of Finding

    Examples
    --------
    >>> audit_html('<blockquote>Bra samarbete med [organisation] i [kommun].</blockquote>', names=[])
    []
    >>> audit_html('<blockquote>Bra med Umeå universitet.</blockquote>', names=[],
    ...            keep=["Umeå universitet"])
    []
    >>> audit_html('<p>Svar från Anna Exempelsson.</p>')[0].kind
    'name'
    >>> [f.text for f in audit_html('<q>Skellefteås politiker</q>', names=[])]
    ['Skellefteås']
    """
    collected = _collect(html)
    text = "".join(collected.text)
    findings: list[Finding] = []
    for kind, finder in (
        ("email", find_emails),
        ("phone", find_phones),
        ("personnummer", find_personnummer),
    ):
        for match, start, end in finder(text):
            findings.append(Finding(kind, match, _context(text, start, end)))

    if names is None:
        names = demo_person_names()
    name_re = _word_pattern(names, ignore_case=False)
    if name_re is not None:
        for m in name_re.finditer(text):
            findings.append(Finding("name", m.group(0), _context(text, m.start(), m.end())))

    if municipalities is None or organisations is None:
        default_m, default_o = protected_names()
        municipalities = default_m if municipalities is None else municipalities
        organisations = default_o if organisations is None else organisations
    muni_re = _word_pattern(municipalities, ignore_case=True)
    org_re = _word_pattern(organisations, ignore_case=False)
    keep_re = _word_pattern([k for k in keep if k], ignore_case=True)
    for quote in collected.quotes:
        qtext = "".join(quote)
        spans: list[tuple[int, int]] = []
        if keep_re is not None:  # kept names are never findings, nor the names inside them
            spans.extend((m.start(), m.end()) for m in keep_re.finditer(qtext))
        for pattern in (org_re, muni_re):
            if pattern is None:
                continue
            for m in pattern.finditer(qtext):
                if any(s <= m.start() < e for s, e in spans):
                    continue  # "Umeå" inside an already reported "Umeå Energi"
                spans.append((m.start(), m.end()))
                findings.append(
                    Finding("quoted_place", m.group(0), _context(qtext, m.start(), m.end()))
                )

    for i, table in enumerate(collected.tables, start=1):
        findings.extend(_small_cells(table, min_cell, i))
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(findings, key=lambda f: order.get(f.kind, 99))


def audit_file(path: str | Path, **kwargs) -> list[Finding]:
    """:func:`audit_html` on a file (UTF-8).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "r.html")
    ...     _ = p.write_text("<p>Ring 090-16 10 00</p>", encoding="utf-8")
    ...     [f.kind for f in audit_file(p, names=[])]
    ['phone']
    """
    return audit_html(Path(path).read_text(encoding="utf-8"), **kwargs)
