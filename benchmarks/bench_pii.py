"""Benchmark of ``analysis.data.pii`` on the labelled PII corpus. Prints, never asserts.

Usage::

    .venv/bin/python benchmarks/bench_pii.py            # test.jsonl and dev.jsonl + throughput
    .venv/bin/python benchmarks/bench_pii.py --misses   # also list dev.jsonl's misses / FPs

Scoring (per file):

* **recall per kind** – a planted value counts as found when hits *of the same kind* cover at
  least 80 % of its characters;
* **precision** – over all hits: a hit that overlaps no planted value of any kind, or that
  overlaps a ``bait`` occurrence (outside the planted values), is a false positive. Reported
  per kind of hit, per detector and over all hits;
* F1 per kind from the two;
* **throughput** – 100 000 answers resampled (with replacement, seeded) from the corpus:
  ``find`` called on every answer (no caching), and ``mask_series`` on the same 100 000
  answers as a pandas Series (which masks each distinct value once).

The held-out ``test.jsonl`` is only ever scored here: misses are listed for ``dev.jsonl`` only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis.data.pii import KINDS, find, mask_series  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "pii_corpus"
COVER = 0.8


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def _bait_spans(rec: dict) -> list[tuple[int, int, str]]:
    text = rec["text"]
    planted = [(s["start"], s["end"]) for s in rec["spans"]]
    out = []
    for bait in rec.get("bait", []):
        if not bait:
            continue
        pos = text.find(bait)
        while pos >= 0:
            end = pos + len(bait)
            if not any(_overlap(pos, end, s, e) for s, e in planted):
                out.append((pos, end, bait))
            pos = text.find(bait, pos + 1)
    return out


def score(records: list[dict], *, show: bool = False) -> dict:
    found = Counter()
    planted = Counter()
    hits_by_kind = Counter()
    tp_by_kind = Counter()
    hits_by_detector = Counter()
    tp_by_detector = Counter()
    fp_clean = 0
    clean = 0
    bait_hit = 0
    bait_total = 0
    misses: list[str] = []
    fps: list[str] = []
    for rec in records:
        text = rec["text"]
        hits = find(text)
        baits = _bait_spans(rec)
        bait_total += len(baits)
        bait_hit += sum(any(_overlap(h.start, h.end, b0, b1) for h in hits) for b0, b1, _ in baits)
        if not rec["spans"]:
            clean += 1
            fp_clean += bool(hits)
        for span in rec["spans"]:
            kind, s, e = span["kind"], span["start"], span["end"]
            planted[kind] += 1
            covered = set()
            for h in hits:
                if h.kind == kind:
                    covered.update(range(max(s, h.start), min(e, h.end)))
            if len(covered) >= COVER * (e - s):
                found[kind] += 1
            elif show:
                got = [
                    (h.kind, text[h.start : h.end]) for h in hits if _overlap(h.start, h.end, s, e)
                ]
                misses.append(f"  {rec['id']} {kind:12} {text[s:e]!r} got {got}  | {text!r}")
        for h in hits:
            hits_by_kind[h.kind] += 1
            hits_by_detector[h.detector] += 1
            on_planted = any(
                _overlap(h.start, h.end, sp["start"], sp["end"]) for sp in rec["spans"]
            )
            on_bait = any(_overlap(h.start, h.end, b0, b1) for b0, b1, _ in baits)
            if on_planted and not on_bait:
                tp_by_kind[h.kind] += 1
                tp_by_detector[h.detector] += 1
            elif show:
                why = "bait" if on_bait else "unplanted"
                fps.append(
                    f"  {rec['id']} {h.kind:12} {text[h.start : h.end]!r} ({why}, {h.detector})  | {text!r}"
                )
    return {
        "found": found,
        "planted": planted,
        "hits_by_kind": hits_by_kind,
        "tp_by_kind": tp_by_kind,
        "hits_by_detector": hits_by_detector,
        "tp_by_detector": tp_by_detector,
        "clean": clean,
        "fp_clean": fp_clean,
        "bait_total": bait_total,
        "bait_hit": bait_hit,
        "misses": misses,
        "fps": fps,
    }


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def report(name: str, r: dict) -> None:
    print(
        f"\n== {name}: {sum(r['planted'].values())} planted values, "
        f"{sum(r['hits_by_kind'].values())} hits =="
    )
    print(f"{'kind':14}{'recall':>8}{'precision':>11}{'F1':>8}   found/planted  tp/hits")
    for kind in KINDS:
        rec = _ratio(r["found"][kind], r["planted"][kind])
        prec = _ratio(r["tp_by_kind"][kind], r["hits_by_kind"][kind])
        f1 = 2 * rec * prec / (rec + prec) if rec + prec else float("nan")
        print(
            f"{kind:14}{rec:8.3f}{prec:11.3f}{f1:8.3f}   "
            f"{r['found'][kind]:>5}/{r['planted'][kind]:<7} {r['tp_by_kind'][kind]:>4}/{r['hits_by_kind'][kind]}"
        )
    all_tp, all_hits = sum(r["tp_by_kind"].values()), sum(r["hits_by_kind"].values())
    all_found, all_planted = sum(r["found"].values()), sum(r["planted"].values())
    print(f"{'all':14}{_ratio(all_found, all_planted):8.3f}{_ratio(all_tp, all_hits):11.3f}")
    print(
        "precision per detector: "
        + ", ".join(
            f"{d} {r['tp_by_detector'][d]}/{n}" for d, n in sorted(r["hits_by_detector"].items())
        )
    )
    print(
        f"clean answers with any hit: {r['fp_clean']}/{r['clean']}; "
        f"bait occurrences hit: {r['bait_hit']}/{r['bait_total']}"
    )


def throughput(records: list[dict], n: int = 100_000) -> None:
    import pandas as pd

    rng = random.Random(20231)
    texts = [rng.choice(records)["text"] for _ in range(n)]
    find("warm-up: Anna Svensson, 070-111 22 33")  # loads the name lists
    t0, c0 = time.perf_counter(), time.process_time()
    for t in texts:
        find(t)
    t_find, c_find = time.perf_counter() - t0, time.process_time() - c0
    series = pd.Series(texts, dtype=object)
    t0 = time.perf_counter()
    mask_series(series)
    t_series = time.perf_counter() - t0
    print(
        f"\n== throughput on {n:,} answers resampled from {len(records)} "
        f"({len(set(texts))} distinct, mean {sum(map(len, texts)) / n:.0f} characters) =="
    )
    print(
        f"find() on every answer:        {n / t_find:10,.0f} answers/s ({t_find:.2f} s wall); "
        f"{n / c_find:,.0f} answers per CPU-second"
    )
    print(f"mask_series() (distinct once): {n / t_series:10,.0f} answers/s ({t_series:.2f} s)")
    short = [t for t in texts if len(t) <= 80]
    if short:
        t0, c0 = time.perf_counter(), time.process_time()
        for t in short:
            find(t)
        t_short, c_short = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"find() on the {len(short):,} answers of at most 80 characters: "
            f"{len(short) / t_short:,.0f} answers/s wall; "
            f"{len(short) / c_short:,.0f} answers per CPU-second"
        )
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load:
        print(f"(load average {load[0]:.1f} on {os.cpu_count()} CPUs while measuring)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--misses", action="store_true", help="list dev.jsonl misses and FPs")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--dev-only", action="store_true", help="skip test.jsonl (development)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    find("Anna")
    print(f"name lists loaded in {time.perf_counter() - t0:.2f} s")
    corpus: list[dict] = []
    for name in ("dev.jsonl",) if args.dev_only else ("test.jsonl", "dev.jsonl"):
        path = CORPUS / name
        if not path.exists():
            print(f"\n== {name}: missing ==")
            continue
        records = load(path)
        corpus += records
        r = score(records, show=args.misses and name == "dev.jsonl")
        report(name, r)
        if r["misses"] or r["fps"]:
            print("misses:\n" + "\n".join(r["misses"]))
            print("false positives:\n" + "\n".join(r["fps"]))
    if corpus and not args.no_throughput:
        throughput(corpus)


if __name__ == "__main__":
    main()
