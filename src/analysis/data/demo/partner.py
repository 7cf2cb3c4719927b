"""The partner_2021 demo: the hand-made respondent design (checked against the codebook and the
sample frame), the Microsoft Forms ``.xlsx`` written from it (byte-for-byte reproducible, with
the demo marker inside) and the headline numbers computed directly from the design."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.data.demo.common import (
    DEFAULT_SEEDS,
    PARTNER_DESIGN,
    _codebook,
    _fake_people,
    _read_yaml,
    _timestamps,
)
from analysis.data.demo.marker import MARKER_PROPERTY, xlsx_values_sha256
from analysis.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


FIXED_TIMESTAMP = dt.datetime(2024, 1, 1, 0, 0, 0)
"""Document created/modified time written into the xlsx (never the wall clock)."""

MS_FORMS_META = ["ID", "Start time", "Completion time", "Email", "Name"]


POSITIVE_LIKERT = ("Instämmer delvis", "Instämmer helt")


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
