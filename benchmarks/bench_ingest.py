"""Ingest throughput on large synthetic exports: ``python benchmarks/bench_ingest.py [--quick]``.

A seeded generator writes exports shaped like the partner_2021 Microsoft Forms export
(``data/raw/partner_2021/demo_partner_2021_msforms.xlsx``: ``ID, Start time, Completion time,
Email, Name`` then the question texts as headers). Every closed-question column is resampled
independently from the demo's own column (so the answer mix and the share of empty cells match
the demo); free-text answers are built from the sentences of the demo's and the municipality
survey's free text (1–5 sentences each, some with a line break, ~1 % with a phone number or an
e-mail address, ~0.5 % naming the respondent), so they have realistic lengths and are almost all
distinct. Names come from pools of invented first and last names.

Each size is ingested by :func:`analysis.data.ingest.ingest` in a fresh subprocess, which
reports the ingest wall time and its peak resident set size (``ru_maxrss``); the parent prints
rows per second and the targets (printed, never asserted):

* 10⁶ rows from CSV in ≤ 30 s and ≤ 3 GB peak RSS; 10⁵ rows from CSV in ≤ 4 s; cost linear in
  rows (the seconds per 10⁵ rows are printed for every size);
* 10⁵ rows from xlsx in ≤ 15 s;
* the overview report (``analysis run overview_partner_2021 -p input <processed>``, a fresh
  process) on the largest CSV ingest in ≤ 30 s at 10⁶ rows (``--no-report`` skips it).

The time covers the whole ``ingest()`` call including the first import of pandas and pyarrow (as
``analysis ingest`` pays it); CPU time (all threads, plus the free-text masking workers of
:mod:`analysis.data.pii.parallel`) is printed beside it because wall time on a shared machine
says little, and the workers' peak RSS beside the ingest's own.

``--quick`` runs 10⁴ rows from CSV and 10⁴ from xlsx only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SURVEY = "partner_2021"
SEED = 20210

FIRST = [
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Per", "Eva", "Olof", "Lena",
    "Nils", "Ingrid", "Mats", "Elin", "Jonas", "Frida", "Anders", "Sofia", "Henrik", "Emma",
    "Gustav", "Linnea", "Magnus", "Ida", "Oskar", "Maja", "Fredrik", "Hanna", "Viktor",
]  # fmt: skip
LAST = [
    "Exempelsson", "Testberg", "Påhittad", "Demodotter", "Fiktivsson", "Provström",
    "Låtsasson", "Exempelström", "Testlund", "Demosson", "Provberg", "Fiktivlund",
    "Testström", "Exempeldal", "Demoqvist", "Påhittsson", "Provmark", "Låtsasberg",
]  # fmt: skip
PII_SNIPPETS = [
    "Ring mig gärna på 070-123 45 67.",
    "Kontakta oss via kontakt@example.org.",
    "Vår handläggare nås på 090-16 10 00.",
    "Mejla gärna mig, {first}.{last}@example.org, om ni vill veta mer.",
]


# ----------------------------------------------------------------------------- generator
def _demo_columns() -> tuple[list[str], list[list]]:
    """Headers and column values of the partner demo export (as the reader returns them)."""
    from analysis.data.demo import partner_table

    headers, rows = partner_table()
    columns = [[r[j] for r in rows] for j in range(len(headers))]
    return headers, columns


def _sentences() -> list[str]:
    """Sentences of the demo free text (partner and municipality surveys)."""
    import re

    from analysis.data.demo import load_municipality_answers, load_partner_design

    texts: list[str] = []
    for r in load_partner_design()["respondents"]:
        for key in ("q9", "q11", "q15"):
            if isinstance(r.get(key), dict):
                texts.append(str(r[key]["text"]))
    for answers in load_municipality_answers().values():
        texts += [str(v) for v in answers.values() if isinstance(v, str)]
    out = []
    for t in texts:
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", t) if len(s.strip()) > 15]
    return sorted(set(out))


def generate_columns(n: int, seed: int = SEED) -> tuple[list[str], list[list[str | None]]]:
    """``n`` synthetic respondents in the demo export's shape: (headers, columns of text).

    >>> headers, cols = generate_columns(5, seed=1)
    >>> headers[:5], len(cols) == len(headers), len(cols[0])
    (['ID', 'Start time', 'Completion time', 'Email', 'Name'], True, 5)
    """
    import datetime as dt

    import numpy as np

    from analysis.data.codebook import load_codebook

    rng = np.random.default_rng(seed)
    headers, demo = _demo_columns()
    cb = load_codebook(SURVEY)
    text_headers = {q.text for q in cb.questions if q.type == "text"}
    sentences = _sentences()
    first = rng.integers(len(FIRST), size=n)
    last = rng.integers(len(LAST), size=n)
    start = dt.datetime(2021, 6, 7, 8, 0, 0)
    offsets = np.sort(rng.integers(0, 17 * 24 * 3600, size=n))
    durations = rng.integers(4 * 60, 25 * 60, size=n)
    columns: list[list[str | None]] = [
        [str(i + 1) for i in range(n)],
        [str(start + dt.timedelta(seconds=int(s))) for s in offsets],
        [
            str(start + dt.timedelta(seconds=int(s + d)))
            for s, d in zip(offsets, durations, strict=True)
        ],
        [
            f"{FIRST[a]}.{LAST[b]}".lower().translate(str.maketrans("åäö", "aao")) + "@example.org"
            for a, b in zip(first, last, strict=True)
        ],
        [f"{FIRST[a]} {LAST[b]}" for a, b in zip(first, last, strict=True)],
    ]
    for j in range(5, len(headers)):
        values = demo[j]
        if headers[j] in text_headers:
            filled = rng.random(n) < (sum(v is not None for v in values) / len(values))
            k = rng.integers(1, 6, size=n)
            picks = rng.integers(len(sentences), size=(n, 5))
            extra = rng.random(n)
            col: list[str | None] = []
            for i in range(n):
                if not filled[i]:
                    col.append(None)
                    continue
                parts = [sentences[p] for p in picks[i, : k[i]]]
                if extra[i] < 0.01:
                    snippet = PII_SNIPPETS[int(picks[i, 0]) % len(PII_SNIPPETS)]
                    parts.append(snippet.format(first=FIRST[first[i]], last=LAST[last[i]]))
                elif extra[i] < 0.015:
                    parts.insert(0, f"Jag, {FIRST[first[i]]}, tycker så här.")
                sep = "\n" if extra[i] > 0.9 else " "
                col.append(sep.join(parts))
            columns.append(col)
        else:
            idx = rng.integers(len(values), size=n)
            columns.append([None if values[i] is None else str(values[i]) for i in idx])
    return headers, columns


def write_csv(path: Path, n: int, seed: int = SEED, chunk: int = 100_000) -> None:
    """Write an ``n``-row export as a ``,``-delimited UTF-8 CSV (generated in chunks)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        done = 0
        while done < n:
            size = min(chunk, n - done)
            headers, cols = generate_columns(size, seed + done)
            if done == 0:
                w.writerow(headers)
            ids = [str(done + i + 1) for i in range(size)]
            cols[0] = ids
            w.writerows(zip(*cols, strict=True))
            done += size


def write_xlsx(path: Path, n: int, seed: int = SEED) -> None:
    """Write an ``n``-row export as an Microsoft Forms-like .xlsx (openpyxl, write-only)."""
    import datetime as dt

    from openpyxl import Workbook

    headers, cols = generate_columns(n, seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(headers)
    for i, row in enumerate(zip(*cols, strict=True)):
        row = list(row)
        row[0] = i + 1
        row[1] = dt.datetime.fromisoformat(row[1])
        row[2] = dt.datetime.fromisoformat(row[2])
        ws.append(row)
    wb.save(path)


# ----------------------------------------------------------------------------- measuring
CHILD = """
import json, resource, sys, time
t, c = time.perf_counter(), time.process_time()
from analysis.data.ingest import ingest
m = ingest({survey!r}, input_path={src!r}, out_dir={out!r})
wall, cpu = time.perf_counter() - t, time.process_time() - c
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the masking workers, ended and reaped
print(json.dumps({{"wall": wall, "cpu": cpu + kids.ru_utime + kids.ru_stime, "rss_kb": rss,
                  "worker_rss_kb": kids.ru_maxrss, "rows_out": m["rows_out"]}}))
"""


def measure(src: Path, out: Path) -> dict:
    """Ingest *src* in a fresh subprocess; its wall time, peak RSS and rows written."""
    code = CHILD.format(survey=SURVEY, src=str(src), out=str(out))
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy()
    )
    total = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"ingest av {src.name} misslyckades:\n{proc.stderr[-2000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process"] = total
    return result


OVERVIEW = f"overview_{SURVEY}"


def overview_report(processed: Path, out: Path) -> float:
    """Wall seconds of ``analysis run overview_<survey>`` on the processed data in *processed*
    (a fresh process, as a user runs it: kernel start, analysis, figures, HTML export)."""
    cmd = [sys.executable, "-m", "analysis", "run", OVERVIEW, "-p", "input", str(processed),
           "--output-dir", str(out), "--force", "--quiet", "--jobs", "1"]  # fmt: skip
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    secs = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{OVERVIEW} misslyckades:\n{(proc.stderr or proc.stdout)[-2000:]}")
    return secs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python benchmarks/bench_ingest.py", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="10^4 rows (CSV and xlsx) only")
    ap.add_argument("--sizes", type=int, nargs="*", help="CSV sizes (default 10^4 10^5 10^6)")
    ap.add_argument("--xlsx-sizes", type=int, nargs="*", help="xlsx sizes (default 10^5)")
    ap.add_argument("--keep", metavar="DIR", help="keep the generated exports in DIR")
    ap.add_argument("--no-report", action="store_true", help="skip the overview report timing")
    args = ap.parse_args(argv)
    csv_sizes = args.sizes or ([10_000] if args.quick else [10_000, 100_000, 1_000_000])
    xlsx_sizes = args.xlsx_sizes or ([10_000] if args.quick else [100_000])
    targets = {("csv", 1_000_000): 30.0, ("csv", 100_000): 4.0, ("xlsx", 100_000): 15.0}

    print(f"Ingest benchmark ({SURVEY}, MS Forms-shaped synthetic exports, seed {SEED})")
    print(f"{'format':6} {'rows':>9} {'MB':>7} {'ingest s':>9} {'cpu s':>7} {'rows/s':>10} "
          f"{'s/1e5 rows':>10} {'peak RSS':>9} {'workers':>9}  target")  # fmt: skip
    largest = None
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for fmt, sizes in (("csv", csv_sizes), ("xlsx", xlsx_sizes)):
            for n in sizes:
                src = folder / f"bench_{n}.{fmt}"
                if not src.exists():
                    (write_csv if fmt == "csv" else write_xlsx)(src, n)
                r = measure(src, Path(tmp) / f"out_{fmt}_{n}")
                gb = r["rss_kb"] / 1024 / 1024
                worker_gb = r.get("worker_rss_kb", 0) / 1024 / 1024
                goal = targets.get((fmt, n))
                note = ""
                if goal is not None:
                    ok = r["wall"] <= goal and (n < 1_000_000 or gb + worker_gb <= 3.0)
                    limit = f"≤ {goal:.0f} s" + (", ≤ 3 GB" if n >= 1_000_000 else "")
                    note = f"{limit}: {'met' if ok else 'MISSED'}"
                print(
                    f"{fmt:6} {n:>9,} {src.stat().st_size / 1e6:>7.1f} {r['wall']:>9.2f} "
                    f"{r['cpu']:>7.2f} "
                    f"{n / r['wall']:>10,.0f} {r['wall'] / n * 1e5:>10.2f} {gb:>7.2f} GB "
                    f"{worker_gb:>7.2f} GB  {note}",
                    flush=True,
                )
                if fmt == "csv" and n == max(csv_sizes):
                    largest = (n, Path(tmp) / f"out_{fmt}_{n}")
        if largest is not None and not args.no_report:
            n, processed = largest
            secs = overview_report(processed, Path(tmp) / "reports")
            goal = "≤ 30 s: " + ("met" if secs <= 30 else "MISSED") if n >= 1_000_000 else ""
            print(f"overview report ({OVERVIEW}) on the {n:,}-row ingest: {secs:.2f} s  {goal}")
    print(
        "Figures are printed, never asserted; linear cost = a flat 's/1e5 rows' column. The ingest\n"
        "time includes importing pandas/pyarrow; 'cpu s' is the CPU time of the ingest process (all\n"
        "threads) and of its masking workers; 'workers' is the largest worker's peak RSS (the\n"
        "3 GB target counts it on top of the ingest's own peak); 'cpu s' is\n"
        f"the check when the machine is shared (load average now {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs)."
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
