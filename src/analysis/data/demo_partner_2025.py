"""Seeded generator of the synthetic ``partner_2025`` demo export (``analysis demo partner_2025``).

The 2025 round is a constructed follow-up of the 2021 partner survey (see
``data/raw/partner_2025/codebook.yaml``). Its demo export is written in the same Microsoft Forms
shape as the 2021 one (``ID, Start time, Completion time, Email, Name`` then one column per
question, headed by the question text and its "(t.ex. …)" examples) by the same xlsx writer
(:func:`analysis.data.demo._partner_xlsx`), so it carries the same synthetic-data marking.

The answers are drawn by ``numpy.random.default_rng(seed)`` from the design
``src/analysis/data/demo_content/partner_2025.yaml``:

* organisations that also answered in 2021 (``from_2021``) start from their 2021 answers —
  matched question by question through the codebooks' ``concept`` ids — and move one step up or
  down with the design's ``drift`` probabilities;
* the other organisations are drawn from a ``profile`` (positive, mixed, critical);
* the new indicators depend on the organisation's step on the engagement ladder.

Because the 2021 survey asked for no organisation code, the pairing key of the 2021 demo export
(spreadsheet row → organisation code) is written beside it as
``data/raw/partner_2021/demo_org_links.yaml`` (:func:`org_links_2021`). With real data an analyst
writes ``org_links.yaml`` from the invitation list (see README, "Adding a round").

>>> rows = answers()
>>> len(rows), sum(1 for r in rows if r["paired"])
(16, 8)
>>> headers, table_rows = table()
>>> headers[5]
'Organisationskod (står i inbjudan, t.ex. P07)'
>>> render() == render()
True
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.errors import ConfigError

__all__ = [
    "DESIGN",
    "SURVEY",
    "answers",
    "generate",
    "load_design",
    "org_links_2021",
    "render",
    "table",
]

SURVEY = "partner_2025"
BASELINE = "partner_2021"
DEFAULT_SEED = 2025
DESIGN = Path(__file__).resolve().parent / "demo_content" / "partner_2025.yaml"
LINKS_FILE = "demo_org_links.yaml"
"""The 2021 demo export's pairing key (written into ``data/raw/partner_2021/``)."""

_TEXT_POOLS = {"own_development_how": "own_how", "region_development_how": "region_how",
               "anything_else": "anything_else"}  # fmt: skip
_DRIFT = {"inclusive": "likert", "attractive": "likert", "innovative": "likert",
          "own_development": "development", "region_development": "development",
          "engagement_ladder": "ladder"}  # fmt: skip
_BY_LADDER = {"clear_mandate": "mandate", "risk_balance": "risk", "joint_projects": "projects",
              "written_agreement": "agreement", "contact_frequency": "contact"}  # fmt: skip
_LENGTH_AFTER_4_YEARS = {"Mindre än 1 år": "4–10 år", "1–3 år": "4–10 år"}


def _codebook(survey: str) -> dict:
    from analysis.data.demo.common import _codebook as read

    return read(survey)


def _frame(cb: dict):
    from analysis.data.reference import load_sample_frame

    return load_sample_frame(paths.raw_dir() / cb["frame"]["file"])


def load_design(path: str | Path | None = None) -> dict:
    """Read and check the 2025 design: organisations in the frame, 2021 keys that exist and are
    the same organisation, weights that fit the codebook's options.

    Raises
    ------
    ConfigError
        Listing every inconsistency found.
    """
    from analysis.data.demo import load_partner_design
    from analysis.data.demo.common import _read_yaml

    p = Path(path) if path is not None else DESIGN
    design = _read_yaml(p) or {}
    cb = _codebook(SURVEY)
    frame = _frame(cb)
    names = dict(zip(frame["org_id"], frame["organisation"], strict=True))
    earlier = {r["key"]: r for r in load_partner_design()["respondents"]}
    problems: list[str] = []
    seen: set[str] = set()
    for r in design.get("respondents") or []:
        org = r.get("org_id")
        if org not in names:
            problems.append(f"{org!r} finns inte i 2025 års urvalsram")
            continue
        if org in seen:
            problems.append(f"{org} svarar två gånger")
        seen.add(org)
        key = r.get("from_2021")
        if key is not None:
            if key not in earlier:
                problems.append(f"{org}: from_2021={key!r} finns inte i 2021 års design")
            elif earlier[key]["organisation"] != names[org]:
                problems.append(
                    f"{org} är {names[org]!r} men {key} är {earlier[key]['organisation']!r}"
                )
        elif r.get("profile") not in (design.get("profiles") or {}):
            problems.append(f"{org}: okänd profil {r.get('profile')!r}")
    q = {x.get("concept"): x for x in cb["questions"] if x.get("concept")}
    sizes = {
        "likert": len(q["inclusive"]["options"]),
        "development": len(q["own_development"]["options"]),
        "ladder": len(q["engagement_ladder"]["options"]),
    }
    for name, prof in (design.get("profiles") or {}).items():
        for kind, n in sizes.items():
            if len(prof.get(kind) or []) != n:
                problems.append(f"profiles.{name}.{kind}: {n} vikter behövs")
    for level, weights in (design.get("by_ladder") or {}).items():
        for concept, kind in _BY_LADDER.items():
            if len(weights.get(kind) or []) != len(q[concept]["options"]):
                problems.append(f"by_ladder.{level}.{kind}: {len(q[concept]['options'])} vikter")
    if problems:
        raise ConfigError(f"{p}: designen är inkonsekvent: " + "; ".join(problems) + ".")
    return design


# ----------------------------------------------------------------------------- answers
def _pick(rng, labels: list[str], weights: list[float]) -> str:
    import numpy as np

    w = np.asarray(weights, dtype=float)
    return labels[int(rng.choice(len(labels), p=w / w.sum()))]


def _move(rng, value: str, order: list[str], up: float, down: float) -> str:
    """One step up or down an ordered scale (a value off the scale, e.g. "Vet ej", stays)."""
    if value not in order:
        return value
    u = float(rng.random())
    i = order.index(value)
    if u < up:
        i = min(i + 1, len(order) - 1)
    elif u < up + down:
        i = max(i - 1, 0)
    return order[i]


def _labels(q: dict, substantive: bool = False) -> list[str]:
    non = set(q.get("non_substantive") or [])
    return [o["label"] for o in q["options"] if not (substantive and o["label"] in non)]


def answers(design: dict | None = None, seed: int | None = None) -> list[dict[str, Any]]:
    """The respondents' answers, in design order: ``{"org_id", "paired", <qid>: value}``.

    Single/Likert answers are option labels, multi-choice answers lists of option codes, free
    text strings; unanswered questions are left out.
    """
    import numpy as np

    from analysis.data.demo import load_partner_design

    design = design if design is not None else load_design()
    rng = np.random.default_rng(DEFAULT_SEED if seed is None else seed)
    cb, cb21 = _codebook(SURVEY), _codebook(BASELINE)
    frame = _frame(cb)
    org_type = dict(zip(frame["org_id"], frame["org_type"], strict=True))
    earlier = {r["key"]: r for r in load_partner_design()["respondents"]}
    by_concept21 = {q["concept"]: q["id"] for q in cb21["questions"] if q.get("concept")}
    questions = cb["questions"]
    by_concept = {q["concept"]: q for q in questions if q.get("concept")}
    drift, profiles = design["drift"], design["profiles"]
    background, by_ladder = design["background"], design["by_ladder"]
    out: list[dict[str, Any]] = []
    for r in design["respondents"]:
        org = r["org_id"]
        before = earlier.get(r.get("from_2021")) if r.get("from_2021") else None
        a: dict[str, Any] = {"org_id": org, "paired": before is not None}
        for q in questions:
            concept, qid = q.get("concept"), q["id"]
            if q["type"] == "org_id":
                a[qid] = org
            elif concept == "org_type":
                a[qid] = org_type[org]
            elif (
                concept in _BY_LADDER
                or concept == "engagement_ladder_goal"
                or (q["type"] == "text")
            ):
                continue  # drawn below, once the ladder step is known
            elif before is not None and by_concept21.get(concept) in before:
                old = before[by_concept21[concept]]
                if q["type"] == "multi":
                    flips = rng.random(len(q["options"])) < drift["multi_flip"]
                    new = [o["code"] for o, f in zip(q["options"], flips, strict=True)
                           if (o["code"] in old) != bool(f)]  # fmt: skip
                    a[qid] = new or list(old)
                elif concept in _DRIFT:
                    d = drift[_DRIFT[concept]]
                    a[qid] = _move(rng, old, _labels(q, True), d["up"], d["down"])
                elif concept == "collaboration_length":
                    a[qid] = _LENGTH_AFTER_4_YEARS.get(old, old)
                    if a[qid] == "4–10 år" and old == "4–10 år" and rng.random() < 0.5:
                        a[qid] = "Mer än 10 år"
                else:
                    a[qid] = old
            elif before is not None:
                continue  # unanswered in 2021: unanswered again
            else:
                prof = profiles[r["profile"]]
                if concept in _DRIFT:
                    a[qid] = _pick(rng, _labels(q), prof[_DRIFT[concept]])
                elif concept == "collaboration_area":
                    a[qid] = _pick(rng, _labels(q), background["area"])
                elif concept == "collaboration_length":
                    a[qid] = _pick(rng, _labels(q), background["length"])
                elif q["type"] == "multi":
                    p = background[concept]
                    ticked = [o["code"] for o in q["options"] if rng.random() < p[o["code"]]]
                    if ticked or concept == "rus_parts":
                        a[qid] = ticked or [max(p, key=p.get)]
        ladder_q = by_concept["engagement_ladder"]
        steps = _labels(ladder_q)
        step = steps.index(a[ladder_q["id"]]) if ladder_q["id"] in a else 0
        level = by_ladder["high" if step >= 3 else "low"]
        for concept, kind in _BY_LADDER.items():
            q = by_concept[concept]
            a[q["id"]] = _pick(rng, _labels(q), level[kind])
        goal = by_concept["engagement_ladder_goal"]
        up = int(rng.choice(3, p=np.asarray(level["goal_steps"]) / sum(level["goal_steps"])))
        a[goal["id"]] = steps[min(step + up, len(steps) - 1)]
        out.append(a)
    # free text: each pool answer is used at most once
    for concept, pool_name in _TEXT_POOLS.items():
        q = by_concept[concept]
        spec = design["texts"][pool_name]
        pool = list(spec["pool"])
        for a in out:
            if pool and rng.random() < float(spec["probability"]):
                a[q["id"]] = pool.pop(int(rng.integers(len(pool))))
    return out


# ----------------------------------------------------------------------------- the export
def table(design: dict | None = None, seed: int | None = None) -> tuple[list, list]:
    """The 2025 demo export as ``(headers, rows)`` in Microsoft Forms shape."""
    import numpy as np

    from analysis.data.demo import MS_FORMS_META
    from analysis.data.demo.common import _fake_people, _timestamps

    design = design if design is not None else load_design()
    seed = DEFAULT_SEED if seed is None else seed
    given = answers(design, seed)
    rng = np.random.default_rng(seed + 1)
    fielded = design.get("fielded") or {}
    times = _timestamps(
        rng,
        len(given),
        dt.date.fromisoformat(str(fielded.get("start", "2025-09-01"))),
        dt.date.fromisoformat(str(fielded.get("end", "2025-09-26"))),
    )
    people = _fake_people(rng, len(given))
    order = rng.permutation(len(given))
    questions = _codebook(SURVEY)["questions"]
    headers = MS_FORMS_META + [
        q["text"] + (" " + q["examples"] if q.get("examples") else "") for q in questions
    ]
    rows = []
    for rank, idx in enumerate(order):
        a = given[int(idx)]
        begin, done = times[rank]
        name, email = people[rank]
        row: list[Any] = [rank + 1, begin, done, email, name]
        for q in questions:
            value = a.get(q["id"])
            if value is None:
                row.append(None)
            elif q["type"] == "multi":
                labels = [o["label"] for o in q["options"] if o["code"] in value]
                row.append("".join(label + ";" for label in labels) or None)
            else:
                row.append(str(value))
        rows.append(row)
    return headers, rows


def render(seed: int | None = None) -> bytes:
    """The 2025 demo export (``.xlsx`` bytes, reproducible byte for byte)."""
    from analysis.data.demo import _partner_xlsx

    return _partner_xlsx(*table(seed=seed))


def org_links_2021() -> bytes:
    """The pairing key of the 2021 demo export: spreadsheet row → organisation code (YAML).

    The 2021 rows are matched to the 2021 design's respondents by their answers, and the
    organisations to the 2021 sample frame by name.
    """
    from analysis.data.demo import DEFAULT_SEEDS, load_partner_design, partner_table
    from analysis.data.reference import load_sample_frame

    cb = _codebook(BASELINE)
    headers, rows = partner_table(seed=DEFAULT_SEEDS[BASELINE])
    frame = load_sample_frame(paths.raw_dir() / cb["frame"]["file"])
    code = dict(zip(frame["organisation"], frame["org_id"], strict=True))
    start = len(headers) - len(cb["questions"])

    def signature(values: list) -> tuple:
        return tuple("" if v is None else str(v) for v in values)

    wanted: dict[tuple, str] = {}
    for r in load_partner_design()["respondents"]:
        values = []
        for q in cb["questions"]:
            v = r.get(q["id"])
            if v is None:
                values.append(None)
            elif q["type"] == "multi":
                values.append("".join(o["label"] + ";" for o in q["options"] if o["code"] in v))
            elif q["type"] == "text":
                values.append(str(v["text"]))
            else:
                values.append(str(v))
        wanted[signature(values)] = code[r["organisation"]]
    lines = [
        "# Pairing key of the SYNTHETIC 2021 demo export: spreadsheet row -> organisation code",
        "# (org_id in data/raw/reference/partner_2021_sample_frame.csv). Written by",
        "# `analysis demo partner_2025`; the trend report pairs the rounds with it. For a real",
        "# export, write org_links.yaml the same way (it names who answered: never commit it).",
        f"source_file: {_codebook(BASELINE)['demo']['file']}",
        "synthetic: true",
        "rows:",
    ]
    for i, row in enumerate(rows):
        sig = signature(row[start:])
        if sig not in wanted:  # pragma: no cover - the 2021 generator changed its format
            raise ConfigError("2021 års demoexport stämmer inte med designen; kör om demo.")
        lines.append(f"  {i + 2}: {wanted[sig]}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def generate(out_dir: str | Path | None = None, seed: int | None = None) -> Path:
    """Write the 2025 demo export and the 2021 pairing key; return the export's path.

    The export carries the demo marker of :func:`analysis.data.demo._partner_xlsx` (so ingest
    flags it as synthetic), and, like every demo file, neither file replaces one this generator
    did not write.

    Parameters
    ----------
    out_dir : str or Path, optional
        Write both files into this folder; default: ``data/raw/partner_2025/`` and
        ``data/raw/partner_2021/``.
    seed : int, optional
        The random seed (default 2025, which the committed file uses).

    Raises
    ------
    RefusedOverwriteError
        A target exists and was not written by the generator.
    OutputError
        The folder cannot be written.
    """
    from analysis.data.demo import _check_overwrite, _write_bytes, demo_filename
    from analysis.errors import OutputError

    export_dir = Path(out_dir) if out_dir is not None else paths.raw_dir(SURVEY)
    links_dir = Path(out_dir) if out_dir is not None else paths.raw_dir(BASELINE)
    target, links = export_dir / demo_filename(SURVEY), links_dir / LINKS_FILE
    data, key = render(seed), org_links_2021()
    _check_overwrite(target, data)
    _check_links_overwrite(links, key)
    try:
        _write_bytes(target, data)
        _write_bytes(links, key)
    except OSError as exc:
        raise OutputError(
            f"{target}: demoexporten kunde inte skrivas ({exc.strerror or exc}). "
            "Kontrollera att mappen är skrivbar och att disken inte är full."
        ) from None
    return target


def _check_links_overwrite(target: Path, data: bytes) -> None:
    """The pairing key is replaced only when it is the generator's own (its first line)."""
    from analysis.errors import RefusedOverwriteError

    try:
        existing = target.read_bytes()
    except FileNotFoundError:
        return
    first = data.split(b"\n", 1)[0]
    if existing == data or existing.split(b"\n", 1)[0] == first:
        return
    raise RefusedOverwriteError(
        f"{target}: filen skrevs inte av analysis demo och kan vara en riktig parningsnyckel – "
        "den skrivs inte över. Flytta den eller skriv demodata till en annan mapp med --out."
    )
