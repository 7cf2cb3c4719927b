"""Seeded generator of the synthetic demo exports (the ``analysis demo`` command).

Two files are generated, byte-for-byte reproducibly, into ``data/raw/<survey>/``:

* ``partner_2021`` → ``demo_partner_2021_msforms.xlsx``: a Microsoft Forms export (columns
  ``ID, Start time, Completion time, Email, Name`` then one column per question headed by its bare
  question text; multi-select answers joined by ``;`` with MS Forms' trailing ``;``). The 14
  respondents and all their answers are designed by hand in
  ``src/analysis/data/demo_content/partner_2021.yaml``; the seeded random generator only draws the
  timestamps and the obviously fake names and e-mail addresses (``@example.org``).
* ``municipality_2023`` → ``demo_municipality_2023_googleforms.csv``: a Google Forms CSV export
  (``Tidstämpel``, ``E-postadress``, then the 15 questions headed by "text (tex …)"), one row per
  municipality, Q1 written in everyday spellings, Q2–Q15 taken from
  ``src/analysis/data/demo_content/municipality_2023_answers.yaml``.

Reproducibility: the random generator is ``numpy.random.default_rng(seed)``; the xlsx gets fixed
document properties and fixed zip timestamps, so two runs give identical SHA-256.

The demo marker
    Whether an export is synthetic is decided by something only this generator writes, never by
    the file name (:func:`written_by_generator`, used by ingest for the manifest's ``synthetic``):

    * the ``.xlsx`` carries a custom document property :data:`MARKER_PROPERTY` holding the
      sha256 of its cell values (:func:`xlsx_values_sha256`) — a copy is still synthetic, any
      edited cell makes it real data;
    * the ``.csv`` gets a sidecar ``<name>.demo.json`` holding the sha256 and size of the exact
      bytes written — synthetic iff the file's sha256 matches.

    :func:`generate` never replaces a file it did not write: an existing target that is not
    generator output (e.g. a real export saved under the demo file name) is refused with
    :class:`~analysis.errors.RefusedOverwriteError` (exit 2).

:func:`partner_headline` computes the partner survey's headline numbers directly from the design
(the ground truth in ``tests/ground_truth/partner_2021_demo_headline.csv``).

>>> design = load_partner_design()
>>> len(design["respondents"])
14
>>> h = partner_headline(design)
>>> h.loc[h["metric"] == "response_rate", ["numerator", "denominator"]].values.tolist()
[['14', '43']]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import importlib
import io
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.errors import ConfigError, RefusedOverwriteError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"
PARTNER_DESIGN = CONTENT_DIR / "partner_2021.yaml"
MUNICIPALITY_ANSWERS = CONTENT_DIR / "municipality_2023_answers.yaml"

DEFAULT_SEEDS = {"partner_2021": 2021, "municipality_2023": 2023, "partner_2025": 2025}
"""The fixed seeds the committed demo files are generated with (the surveys with a generator)."""

OTHER_GENERATORS = {"partner_2025": "analysis.data.demo_partner_2025"}
"""Surveys whose generator lives in its own module (``render(seed)``, ``generate(out_dir, seed)``)."""

MARKER_PROPERTY = "AnalysisDemoValuesSha256"
"""Custom document property of a demo ``.xlsx``: sha256 of its cell values."""
SIDECAR_SUFFIX = ".demo.json"
"""A demo ``.csv``'s sidecar: ``<name>.demo.json`` with the sha256 of the bytes written."""

FIXED_TIMESTAMP = dt.datetime(2024, 1, 1, 0, 0, 0)
"""Document created/modified time written into the xlsx (never the wall clock)."""

MS_FORMS_META = ["ID", "Start time", "Completion time", "Email", "Name"]
GOOGLE_FORMS_META = ["Tidstämpel", "E-postadress"]
POSITIVE_LIKERT = ("Instämmer delvis", "Instämmer helt")

# Obviously fake people: invented surnames that read as "example"/"test" in Swedish.
FAKE_FIRST = [
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Per", "Eva", "Olof",
    "Lena", "Nils", "Ingrid", "Mats", "Elin", "Jonas", "Frida", "Anders",
]  # fmt: skip
FAKE_LAST = [
    "Exempelsson", "Testberg", "Påhittad", "Demodotter", "Fiktivsson", "Provström",
    "Låtsasson", "Exempelström", "Testlund", "Demosson",
]  # fmt: skip

# How each municipality writes its name in the demo CSV (everyday spellings; all must normalise).
MUNICIPALITY_SPELLINGS: dict[str, str] = {
    "Nordmaling": "Nordmalings kommun",
    "Bjurholm": "Bjurholm",
    "Vindeln": "Vindelns kommun\u00a0",
    "Robertsfors": "Robertsfors kommun",
    "Norsjö": "Norsjö",
    "Malå": "Malå kommun",
    "Storuman": "Storumans kommun",
    "Sorsele": "sorsele",
    "Dorotea": "Dorotea kommun",
    "Vännäs": "Vännäs kommun",
    "Vilhelmina": "Vilhelmina",
    "Åsele": "Åsele kommun",
    "Umeå": "Umeå kommun",
    "Lycksele": "Lycksele Kommun",
    "Skellefteå": "Skellefteå kommun",
}


# ----------------------------------------------------------------------------- inputs


def _read_yaml(path: Path) -> Any:
    from analysis.yamlload import load_file

    return load_file(path)


def _codebook(survey: str) -> dict:
    return _read_yaml(paths.codebook_path(survey))


def demo_filename(survey: str) -> str:
    """The demo export's file name as declared in the survey codebook's ``demo`` section.

    >>> demo_filename("partner_2021")
    'demo_partner_2021_msforms.xlsx'
    """
    cb = _codebook(survey)
    try:
        return str(cb["demo"]["file"])
    except (KeyError, TypeError):
        raise ConfigError(
            f"{paths.codebook_path(survey)}: avsnittet 'demo: {{file: …}}' saknas."
        ) from None


def load_partner_design(path: str | Path | None = None) -> dict:
    """Read and check the hand-made respondent design for partner_2021.

    Every answer must be a valid option of the codebook, every organisation must be in the
    sample frame with the same organisation type as ``q1``, and no organisation may answer twice.
    Raises :class:`analysis.errors.ConfigError` listing every problem found.
    """
    from analysis.data.reference import load_sample_frame

    p = Path(path) if path is not None else PARTNER_DESIGN
    design = _read_yaml(p)
    cb = _codebook("partner_2021")
    questions = {q["id"]: q for q in cb["questions"]}
    frame = load_sample_frame()
    org_type = dict(zip(frame["organisation"], frame["org_type"], strict=True))
    problems: list[str] = []
    seen: set[str] = set()
    for r in design.get("respondents") or []:
        key = r.get("key", "?")
        org = r.get("organisation")
        if org not in org_type:
            problems.append(f"{key}: organisationen {org!r} finns inte i urvalsramen")
        elif r.get("q1") != org_type[org]:
            problems.append(f"{key}: q1={r.get('q1')!r} men urvalsramen säger {org_type[org]!r}")
        if org in seen:
            problems.append(f"{key}: {org!r} svarar två gånger")
        seen.add(org)
        for qid, value in r.items():
            if qid in ("key", "organisation"):
                continue
            q = questions.get(qid)
            if q is None:
                problems.append(f"{key}: okänd fråga {qid!r}")
                continue
            labels = [o["label"] for o in q.get("options") or []]
            codes = [o["code"] for o in q.get("options") or []]
            if q["type"] == "multi":
                bad = [v for v in value or [] if v not in codes]
                if bad or len(set(value or [])) != len(value or []):
                    problems.append(f"{key}.{qid}: ogiltiga eller dubblerade koder {value!r}")
            elif q["type"] == "text":
                if not isinstance(value, dict) or not str(value.get("text", "")).strip():
                    problems.append(f"{key}.{qid}: fritext ska anges som {{text: …, seed_ref: …}}")
            elif value not in labels:
                problems.append(f"{key}.{qid}: {value!r} är inget svarsalternativ")
        for q in cb["questions"]:
            if q.get("required") and q["id"] not in r:
                problems.append(f"{key}: obligatorisk fråga {q['id']} saknas")
    if problems:
        raise ConfigError(f"{p}: designen är inkonsekvent:\n  " + "\n  ".join(problems))
    return design


def load_municipality_answers(path: str | Path | None = None) -> dict[str, dict]:
    """Read the synthetic free-text answers for municipality_2023 (one entry per municipality).

    Expected format: ``municipalities: {<canonical name>: {q2: {text: …, themes: […]}, …}}``.
    All 15 municipalities must be present under their canonical names.
    """
    from analysis.data.reference import load_municipalities

    p = Path(path) if path is not None else MUNICIPALITY_ANSWERS
    if not p.is_file():
        raise ConfigError(
            f"{p}: innehållsfilen med de syntetiska kommunsvaren saknas; "
            "demodata för municipality_2023 kan inte genereras utan den."
        )
    data = _read_yaml(p) or {}
    answers = data.get("municipalities") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        raise ConfigError(f"{p}: nyckeln 'municipalities' saknas eller är inte en mappning.")
    names = set(load_municipalities()["kommun"])
    unknown = sorted(set(answers) - names)
    missing = sorted(names - set(answers))
    if unknown or missing:
        raise ConfigError(
            f"{p}: kommunerna stämmer inte med referenstabellen "
            f"(okända: {', '.join(unknown) or '–'}; saknas: {', '.join(missing) or '–'})."
        )
    return answers


# ----------------------------------------------------------------------------- helpers


def _fake_people(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """``n`` distinct (name, e-mail) pairs of obviously fake people."""
    pairs = [(f, last) for f in FAKE_FIRST for last in FAKE_LAST]
    idx = rng.choice(len(pairs), size=n, replace=False)
    fold = str.maketrans("åäöÅÄÖ", "aaoAAO")
    out = []
    for i in idx:
        first, last = pairs[int(i)]
        out.append((f"{first} {last}", f"{first}.{last}".lower().translate(fold) + "@example.org"))
    return out


def _timestamps(
    rng: np.random.Generator, n: int, start: dt.date, end: dt.date
) -> list[tuple[dt.datetime, dt.datetime]]:
    """``n`` (start, completion) pairs on weekdays between ``start`` and ``end``, sorted."""
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    out = []
    for _ in range(n):
        day = days[int(rng.integers(len(days)))]
        seconds = int(rng.integers(8 * 3600, 16 * 3600 + 1800))
        begin = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
        duration = dt.timedelta(seconds=int(rng.integers(4 * 60, 25 * 60)))
        out.append((begin, begin + duration))
    return sorted(out, key=lambda p: p[1])


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite an xlsx (zip) with fixed member timestamps and document dates."""
    import re

    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: m.group(1) + stamp.encode() + m.group(2),
                    payload,
                )
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, payload)
    return buf.getvalue()


def _write_bytes(path: Path, data: bytes) -> None:
    """Write atomically (temp file in the same folder + rename)."""
    from analysis import atomic

    atomic.write_bytes(path, data)


# ----------------------------------------------------------------------------- partner_2021


def partner_table(design: dict | None = None, seed: int | None = None) -> tuple[list, list]:
    """The partner demo export as ``(headers, rows)`` in Microsoft Forms shape.

    >>> headers, rows = partner_table()
    >>> headers[:6]
    ['ID', 'Start time', 'Completion time', 'Email', 'Name', 'Vilken typ av organisation representerar du?']
    >>> len(rows), rows[0][0]
    (14, 1)
    """
    import numpy as np

    design = design if design is not None else load_partner_design()
    seed = DEFAULT_SEEDS["partner_2021"] if seed is None else seed
    cb = _codebook("partner_2021")
    questions = cb["questions"]
    respondents = design["respondents"]
    rng = np.random.default_rng(seed)
    fielded = design.get("fielded") or {}
    times = _timestamps(
        rng,
        len(respondents),
        dt.date.fromisoformat(str(fielded.get("start", "2021-06-07"))),
        dt.date.fromisoformat(str(fielded.get("end", "2021-06-24"))),
    )
    people = _fake_people(rng, len(respondents))
    order = rng.permutation(len(respondents))  # completion order is not the design order

    headers = MS_FORMS_META + [q["text"] for q in questions]
    rows = []
    for rank, idx in enumerate(order):
        r = respondents[int(idx)]
        begin, done = times[rank]
        name, email = people[rank]
        row: list[Any] = [rank + 1, begin, done, email, name]
        for q in questions:
            value = r.get(q["id"])
            if value is None:
                row.append(None)
            elif q["type"] == "multi":
                labels = [o["label"] for o in q["options"] if o["code"] in value]
                row.append("".join(label + ";" for label in labels) or None)
            elif q["type"] == "text":
                row.append(str(value["text"]))
            else:
                row.append(str(value))
        rows.append(row)
    return headers, rows


def _partner_xlsx(headers: list, rows: list) -> bytes:
    from openpyxl.packaging.custom import StringProperty

    wb = _partner_workbook(headers, rows)
    buf = io.BytesIO()
    wb.save(buf)
    marker = xlsx_values_sha256(buf.getvalue())
    wb = _partner_workbook(headers, rows)
    wb.custom_doc_props.append(StringProperty(name=MARKER_PROPERTY, value=marker))
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue())


def _partner_workbook(headers: list, rows: list):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "m/d/yy h:mm:ss"
    wb.properties.creator = "Microsoft Forms (syntetisk demo)"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    return wb


def partner_headline(design: dict | None = None, frame_size: int | None = None) -> pd.DataFrame:
    """Headline numbers of the partner demo data computed directly from the design.

    Rows (``metric, numerator, denominator`` as strings; empty denominator for plain counts):
    ``n_respondents``, ``frame_size``, ``response_rate``, ``rus_<code>`` (respondents ticking that
    RUS part / respondents answering q3), ``q4_positive`` … ``q6_positive`` ("Instämmer delvis" or
    "Instämmer helt" / substantive answers, i.e. without "Vet ej"), ``q8_q10_agreement``
    (identical answers / respondents with substantive answers to both).

    >>> h = partner_headline()
    >>> h.loc[h["metric"] == "frame_size", "numerator"].item()
    '43'
    """
    import pandas as pd

    design = design if design is not None else load_partner_design()
    cb = _codebook("partner_2021")
    q = {x["id"]: x for x in cb["questions"]}
    resp = design["respondents"]
    n = len(resp)
    size = int(frame_size if frame_size is not None else cb["frame"]["size"])
    rows: list[tuple[str, int, int | None]] = [
        ("n_respondents", n, None),
        ("frame_size", size, None),
        ("response_rate", n, size),
    ]
    answered_q3 = [r for r in resp if r.get("q3")]
    for opt in q["q3"]["options"]:
        count = sum(opt["code"] in r["q3"] for r in answered_q3)
        rows.append((f"rus_{opt['code']}", count, len(answered_q3)))
    for qid in ("q4", "q5", "q6"):
        non = set(q[qid].get("non_substantive") or [])
        subst = [r[qid] for r in resp if r.get(qid) is not None and r[qid] not in non]
        rows.append((f"{qid}_positive", sum(v in POSITIVE_LIKERT for v in subst), len(subst)))
    non8 = set(q["q8"].get("non_substantive") or [])
    non10 = set(q["q10"].get("non_substantive") or [])
    pairs = [
        (r["q8"], r["q10"])
        for r in resp
        if r.get("q8") and r.get("q10") and r["q8"] not in non8 and r["q10"] not in non10
    ]
    rows.append(("q8_q10_agreement", sum(a == b for a, b in pairs), len(pairs)))
    return pd.DataFrame(
        [(m, str(num), "" if den is None else str(den)) for m, num, den in rows],
        columns=["metric", "numerator", "denominator"],
    )


def headline_csv_bytes(design: dict | None = None) -> bytes:
    """:func:`partner_headline` as the bytes of the committed ground-truth CSV."""
    buf = io.StringIO()
    partner_headline(design).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


# ----------------------------------------------------------------------------- municipality_2023


def municipality_table(
    answers: dict | None = None, seed: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """The municipality demo export as ``(headers, rows)`` in Google Forms CSV shape.

    ``answers`` defaults to the committed content file (see :func:`load_municipality_answers`).
    """
    import numpy as np

    from analysis.data.reference import load_municipalities

    answers = answers if answers is not None else load_municipality_answers()
    seed = DEFAULT_SEEDS["municipality_2023"] if seed is None else seed
    cb = _codebook("municipality_2023")
    questions = cb["questions"]
    names = list(load_municipalities()["kommun"])
    rng = np.random.default_rng(seed)
    times = _timestamps(rng, len(names), dt.date(2023, 4, 26), dt.date(2023, 6, 9))
    people = _fake_people(rng, len(names))
    order = rng.permutation(len(names))

    headers = GOOGLE_FORMS_META + [
        q["text"] + (" " + q["examples"] if q.get("examples") else "") for q in questions
    ]
    rows = []
    for rank, idx in enumerate(order):
        name = names[int(idx)]
        entry = answers.get(name) or {}
        _, done = times[rank]
        row = [done.strftime("%Y-%m-%d %H:%M:%S"), people[rank][1]]
        for q in questions:
            if q["type"] == "municipality":
                row.append(MUNICIPALITY_SPELLINGS.get(name, name))
                continue
            value = entry.get(q["id"])
            text = value.get("text") if isinstance(value, dict) else value
            row.append("" if text is None else str(text).strip())
        rows.append(row)
    return headers, rows


def _csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


# ----------------------------------------------------------------------------- the demo marker


def xlsx_values_sha256(data: bytes) -> str:
    """sha256 of the cell values of a workbook's first sheet (as openpyxl reads them).

    The same values give the same hash however the file was re-saved; any edited cell changes it.
    """
    import json

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        h = hashlib.sha256()
        for row in ws.iter_rows(values_only=True):
            h.update(json.dumps(list(row), default=str, ensure_ascii=False).encode("utf-8"))
            h.update(b"\n")
        return h.hexdigest()
    finally:
        wb.close()


def xlsx_marker(data: bytes | str | Path) -> str | None:
    """The value of the :data:`MARKER_PROPERTY` custom property of an ``.xlsx`` (or ``None``).

    *data* is the file's bytes or its path (then only the zip directory and the small
    ``docProps/custom.xml`` part are read).
    """
    import xml.etree.ElementTree as ET

    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        with zipfile.ZipFile(source) as zf:
            if "docProps/custom.xml" not in zf.namelist():
                return None
            root = ET.fromstring(zf.read("docProps/custom.xml"))
    except (zipfile.BadZipFile, ET.ParseError, KeyError, OSError, ValueError):
        return None
    for prop in root:
        if prop.get("name") == MARKER_PROPERTY:
            text = "".join(prop.itertext()).strip()
            return text or None
    return None


def sidecar_path(path: str | Path) -> Path:
    """``<name>.demo.json`` beside *path*."""
    p = Path(path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def _sidecar_sha256(path: Path) -> str | None:
    import json

    try:
        data = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sha = data.get("sha256") if isinstance(data, dict) else None
    return sha if isinstance(sha, str) else None


def written_by_generator(path: str | Path, data: bytes | None = None) -> bool:
    """Whether *path* is exactly what this generator wrote (then its data is synthetic).

    True when the sidecar ``<name>.demo.json`` holds the sha256 of the file's bytes, or when the
    file is an ``.xlsx`` whose :data:`MARKER_PROPERTY` equals the sha256 of its cell values.
    The file name plays no part. *data* may pass the file's bytes when already read.

    >>> written_by_generator(paths.raw_dir("partner_2021") / "demo_partner_2021_msforms.xlsx")
    True
    """
    p = Path(path)
    recorded = _sidecar_sha256(p)
    if recorded is not None:
        try:
            digest = hashlib.sha256(data if data is not None else p.read_bytes()).hexdigest()
        except OSError:
            return False
        if digest == recorded:
            return True
    marker = xlsx_marker(data if data is not None else p)  # reads only the zip directory
    if not marker:
        return False
    try:
        return marker == xlsx_values_sha256(data if data is not None else p.read_bytes())
    except Exception:  # not a readable workbook: not ours
        return False


def _sidecar_bytes(survey: str, seed: int | None, name: str, data: bytes) -> bytes:
    import json

    record = {
        "generator": f"analysis demo {survey}",
        "seed": DEFAULT_SEEDS[survey] if seed is None else seed,
        "file": name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "synthetic": True,
    }
    return (json.dumps(record, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _check_overwrite(target: Path, data: bytes) -> None:
    """Refuse to replace *target* unless this generator wrote it (or it already holds *data*)."""
    try:
        existing = target.read_bytes()
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise RefusedOverwriteError(
            f"{target}: är en mapp; demoexporten skrivs inte. Flytta mappen eller använd --out."
        ) from None
    if existing == data or written_by_generator(target, existing):
        return
    raise RefusedOverwriteError(
        f"{target}: filen skrevs inte av analysis demo (sha256 "
        f"{hashlib.sha256(existing).hexdigest()[:12]} saknar demomarkering) och kan vara en riktig "
        "export – den skrivs inte över. Döp om eller flytta filen och kör kommandot igen, "
        "eller skriv demodata till en annan mapp med --out."
    )


# ----------------------------------------------------------------------------- API + CLI


def render(survey: str, seed: int | None = None, *, answers: dict | None = None) -> bytes:
    """The demo export of ``survey`` as bytes (nothing is written)."""
    if survey in OTHER_GENERATORS:
        return importlib.import_module(OTHER_GENERATORS[survey]).render(seed)
    if survey == "partner_2021":
        return _partner_xlsx(*partner_table(seed=seed))
    if survey == "municipality_2023":
        return _csv_bytes(*municipality_table(answers=answers, seed=seed))
    raise ConfigError(f"Okänd enkät {survey!r}; välj partner_2021 eller municipality_2023.")


def generate(
    survey: str,
    out_dir: str | Path | None = None,
    seed: int | None = None,
    *,
    answers: dict | None = None,
) -> Path:
    """Generate the demo export of ``survey`` and return its path.

    Parameters
    ----------
    survey : str
        A survey with a generator (:data:`DEFAULT_SEEDS`).
    out_dir : folder to write into; default ``data/raw/<survey>/`` (the committed files).
    seed : random seed; default :data:`DEFAULT_SEEDS` (the committed files use it).
    answers : municipality_2023 only: the ``municipalities`` mapping to use instead of the
        committed content file (tests use a small placeholder).

    Raises
    ------
    RefusedOverwriteError
        The target exists and was not written by this generator (see :func:`written_by_generator`).
    OutputError
        The folder cannot be written.
    """
    if survey in OTHER_GENERATORS:  # writes its export and any companion file itself
        return importlib.import_module(OTHER_GENERATORS[survey]).generate(out_dir, seed)
    data = render(survey, seed, answers=answers)
    folder = Path(out_dir) if out_dir is not None else paths.raw_dir(survey)
    target = folder / demo_filename(survey)
    _check_overwrite(target, data)
    try:
        _write_bytes(target, data)
        if target.suffix.lower() != ".xlsx":  # the xlsx carries its marker inside
            _write_bytes(sidecar_path(target), _sidecar_bytes(survey, seed, target.name, data))
    except OSError as exc:
        from analysis.errors import OutputError

        raise OutputError(
            f"{target}: demoexporten kunde inte skrivas ({exc.strerror or exc}). "
            "Kontrollera att mappen är skrivbar och att disken inte är full."
        ) from None
    return target


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "surveys",
        nargs="*",
        metavar="SURVEY",
        help="enkäter med demogenerator: " + ", ".join(DEFAULT_SEEDS) + " (standard: alla)",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="skriv till DIR i stället för data/raw/<survey>/"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="generera i en temporär mapp och jämför SHA-256 med de incheckade filerna (exit 1 vid skillnad)",
    )


def run(args: argparse.Namespace) -> int:
    from analysis.data.surveys import discover

    generated = [s for s in discover() if s in DEFAULT_SEEDS]  # discovered now, not at import
    surveys = list(args.surveys or generated)
    unknown = [s for s in surveys if s not in generated]
    if unknown:
        raise ConfigError(
            f"Okänd enkät eller enkät utan demogenerator: {', '.join(unknown)}. "
            f"Välj bland {', '.join(generated)}."
        )
    if args.check:
        differ = 0
        with tempfile.TemporaryDirectory() as tmp:
            for survey in surveys:
                fresh = generate(survey, out_dir=tmp)
                committed = paths.raw_dir(survey) / fresh.name
                side = sidecar_path(fresh)
                if not committed.is_file():
                    print(f"{survey}: {committed} saknas")
                    differ += 1
                elif sha256(fresh) != sha256(committed):
                    print(f"{survey}: {committed.name} AVVIKER från den genererade filen")
                    differ += 1
                elif side.is_file() and (
                    not sidecar_path(committed).is_file()
                    or sha256(side) != sha256(sidecar_path(committed))
                ):
                    print(f"{survey}: {sidecar_path(committed).name} saknas eller AVVIKER")
                    differ += 1
                else:
                    print(f"{survey}: {committed.name} OK ({sha256(committed)[:12]})")
        return 1 if differ else 0
    for survey in surveys:
        path = generate(survey, out_dir=args.out)
        print(f"{survey}: skrev {path} ({sha256(path)[:12]})")
    return 0
