"""Benchmark of the theme coder: ``python -m analysis.bench_coding [--sizes 100000 1000000]``.

Builds seeded synthetic answers (sentences sampled from the theme codebook's examples, common
Swedish filler words and a pool of pseudo-words so the vocabulary keeps growing like real text),
then prints answers per second for

* the vectorised coder :func:`analysis.text.coding.code_texts` on every size, and
* the naive per-answer loop :func:`analysis.text.coding.code_texts_naive` (same semantics) on a
  subsample, extrapolated (the output says so), and a cruder naive loop of one precompiled regex
  per theme (:func:`regex_loop`, approximate semantics) on a larger subsample,

the ratio between them, whether both agree on the subsample, and the peak RSS. Each size is
timed cold (fresh vocabulary cache: matching every unique token is part of the time) and warm (a
second call on the same answers).

Before the throughput lines it prints the coding quality (``--no-quality`` skips it), per priority
area and micro/macro: the coder against the human labels on the challenge corpus's ``tune`` split
(``tests/fixtures/coding_challenge``, labels A and — when present — B), on the development corpus
(``tests/fixtures/coding_dev``, written for tuning), on the blind corpus written without reading
the codebook (``tests/fixtures/coding_blind``: its ``tune`` split and its ``test`` split, which is
scored in aggregate only and never inspected), on the frozen holdout
(``tests/fixtures/coding_holdout``), and the human-vs-human agreement (labels A vs B: Cohen's κ
per theme and Krippendorff's α). Only aggregates are printed, never an answer. The challenge
``test`` split is deliberately **not** scored here: it has a budget of three runs in total and
is scored only by ``benchmarks/eval_challenge_test.py``. Prints, never asserts.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numpy as np

FILLER = [
    "och",
    "att",
    "det",
    "som",
    "en",
    "på",
    "är",
    "av",
    "för",
    "med",
    "till",
    "den",
    "har",
    "de",
    "inte",
    "om",
    "ett",
    "men",
    "vi",
    "kan",
    "så",
    "man",
    "också",
    "finns",
    "behöver",
    "mer",
    "många",
    "bra",
    "kommunen",
    "kommunerna",
    "region",
    "västerbotten",
    "samverkan",
    "dialog",
    "viktigt",
    "svårt",
    "stor",
    "stora",
    "små",
    "liten",
    "utveckling",
    "arbete",
    "fungerar",
    "ofta",
    "ibland",
    "alltid",
    "tillsammans",
    "länet",
    "framtiden",
    "idag",
    "behov",
    "möjligheter",
    "utmaningar",
    "genom",
    "inom",
    "mellan",
    "under",
    "efter",
    "över",
    "utan",
    "eftersom",
    "därför",
    "även",
    "redan",
    "fortfarande",
    "tyvärr",
    "gärna",
    "exempel",
    "område",
    "områden",
    "frågor",
    "fråga",
    "del",
    "delar",
    "år",
    "tid",
    "nivå",
    "lokal",
    "lokala",
    "regional",
    "regionala",
    "nationell",
    "statliga",
    "andra",
    "flera",
    "några",
    "alla",
    "vår",
    "våra",
    "deras",
    "hela",
    "nya",
    "gamla",
    "god",
    "goda",
    "bättre",
    "sämre",
    "mycket",
    "lite",
    "mindre",
    "större",
]


def synthetic_answers(n: int, seed: int = 2023, themes=None) -> list[str]:
    """``n`` seeded synthetic answers built from the codebook's examples and filler words.

    >>> a = synthetic_answers(3, seed=1)
    >>> len(a), a == synthetic_answers(3, seed=1)
    (3, True)
    """
    from analysis.text.themes import load_themes

    cb = themes or load_themes()
    rng = np.random.default_rng(seed)
    sentences = [ex for t in cb.themes for ex in t.examples]
    letters = np.array(list("abdefghijklmnoprstuvyåäö"))
    n_pool = int(min(20_000, max(500, n // 5)))
    pool = ["".join(rng.choice(letters, size=int(k))) for k in rng.integers(4, 11, size=n_pool)]
    filler = np.array(FILLER + pool, dtype=object)
    n_sent = rng.integers(0, 3, size=n)
    n_fill = rng.integers(3, 25, size=n)
    sent_idx = rng.integers(0, len(sentences), size=int(n_sent.sum()))
    fill_w = np.where(
        rng.random(int(n_fill.sum())) < 0.8,
        rng.integers(0, len(FILLER), size=int(n_fill.sum())),
        rng.integers(0, len(filler), size=int(n_fill.sum())),
    )
    out = []
    si = fi = 0
    for i in range(n):
        parts = [sentences[j] for j in sent_idx[si : si + n_sent[i]]]
        si += n_sent[i]
        words = filler[fill_w[fi : fi + n_fill[i]]]
        fi += n_fill[i]
        parts.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(parts))
    return out


def regex_loop(texts: list[str], themes) -> np.ndarray:
    """A second naive baseline: per answer, per theme, one precompiled regex of the theme's
    include terms (term → ``\\bterm\\w*``; approximate: no exclusions, no compound checks)."""
    import re

    pats = []
    for t in themes.themes:
        alts = [r"\s+".join(re.escape(w) for w in term.words) + r"\w*" for term in t.include]
        pats.append(re.compile(r"\b(?:" + "|".join(alts) + ")", re.IGNORECASE))
    out = np.zeros((len(texts), len(pats)), dtype=np.int8)
    for i, text in enumerate(texts):
        for k, pat in enumerate(pats):
            if pat.search(text):
                out[i, k] = 1
    return out


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _prf_line(name: str, res) -> str:
    m, M = res.loc["micro"], res.loc["macro"]
    return (
        f"{name}: micro P {m.precision:.3f} R {m.recall:.3f} F1 {m.f1:.3f}; "
        f"macro P {M.precision:.3f} R {M.recall:.3f} F1 {M.f1:.3f}"
    )


def quality(cb) -> None:
    """Print coder-vs-human and human-vs-human figures (aggregates only)."""
    from pathlib import Path

    import pandas as pd

    from analysis.text.agreement import evaluate, human_agreement, load_gold_answers
    from analysis.text.coding import code_texts, labels_to_frame
    from analysis.text.themes import PRIORITY_AREAS

    root = Path(__file__).resolve().parents[1]
    ids = list(PRIORITY_AREAS)
    ch = root / "tests/fixtures/coding_challenge"
    tables = {}
    if (ch / "answers.csv").is_file():
        a = pd.read_csv(ch / "answers.csv", dtype=str, keep_default_na=False)
        tune = a[a["split"] == "tune"].reset_index(drop=True)
        coded = code_texts(tune["text"], cb, questions=tune["question"].tolist())
        for tag in ("a", "b"):
            f = ch / f"labels_{tag}.csv"
            if f.is_file():
                lab = pd.read_csv(f, dtype=str, keep_default_na=False)
                m = dict(zip(lab["id"], lab["labels"], strict=True))
                gold = labels_to_frame([m[i] for i in tune["id"]], ids)
                tables[f"utmaning tune mot {tag.upper()}"] = evaluate(coded[ids], gold, ids)
    dev = root / "tests/fixtures/coding_dev/answers.csv"
    if dev.is_file():
        d = pd.read_csv(dev, dtype=str, keep_default_na=False)
        coded = code_texts(d["text"], cb, questions=d["question"].tolist())
        gold = labels_to_frame(d["labels"].tolist(), ids)
        tables["utvecklingskorpus"] = evaluate(coded[ids], gold, ids)
    blind = root / "tests/fixtures/coding_blind/answers.csv"
    if blind.is_file():
        b = pd.read_csv(blind, dtype=str, keep_default_na=False)
        for split in ("tune", "test"):
            part = b[b["split"] == split].reset_index(drop=True)
            coded = code_texts(part["text"], cb)  # no question column, as `analysis code` runs
            gold = labels_to_frame(part["labels"].tolist(), ids)
            tables[f"blind {split}"] = evaluate(coded[ids], gold, ids)
    ho = root / "tests/fixtures/coding_holdout"
    if ho.is_dir():
        g = load_gold_answers(ho)
        g = g[g["text"].map(lambda t: isinstance(t, str) and t.strip() != "")]
        g = g.reset_index(drop=True)
        coded = code_texts(g["text"], cb, questions=g["question"].tolist())
        gold = labels_to_frame(g["themes"].tolist(), cb.ids)
        tables["holdout"] = evaluate(coded[ids], gold[ids], ids)
    print("Kodningskvalitet, nio prioriterade områden (kodare mot människa):")
    for name, res in tables.items():
        print("  " + _prf_line(name, res))
    if tables:
        cols = list(tables)
        head = "  " + f"{'tema':<22}" + "".join(f"{c[:20]:>22}" for c in cols)
        print(head)
        for t in ids:
            print("  " + f"{t:<22}" + "".join(f"{tables[c].loc[t, 'f1']:>22.3f}" for c in cols))
    if (ch / "labels_a.csv").is_file() and (ch / "labels_b.csv").is_file():
        la = pd.read_csv(ch / "labels_a.csv", dtype=str, keep_default_na=False)
        lb = pd.read_csv(ch / "labels_b.csv", dtype=str, keep_default_na=False)
        mb = dict(zip(lb["id"], lb["labels"], strict=True))
        both = la[la["id"].isin(mb)]
        h = human_agreement(both["labels"].tolist(), [mb[i] for i in both["id"]], ids)
        print(f"Människa mot människa (A mot B, {len(both)} svar, båda delarna av korpusen):")
        for t in [*ids, "micro"]:
            r = h.loc[t]
            print(
                f"  {t:<22} överens {r.agreement_pct:5.1f} %  κ {r.kappa:6.3f}  α {r.alpha:6.3f}"
                f"  (A {r.a_n}, B {r.b_n})"
            )
        print(f"  samma etikettmängd: {h.loc['micro', 'exact_set_pct']:.1f} % av svaren")


def main(argv: list[str] | None = None) -> int:
    from analysis.text.coding import Coder, code_texts, code_texts_naive
    from analysis.text.themes import load_themes

    ap = argparse.ArgumentParser(prog="python benchmarks/bench_coding.py", description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--naive-sample", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--no-quality", action="store_true", help="bara genomströmning")
    args = ap.parse_args(argv)

    cb = load_themes()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Maskin: {os.cpu_count()} kärnor, belastning (1 min) {load:.1f} vid start")
    print(
        f"Temakodbok: {len(cb)} teman, "
        f"{sum(len(t.include) + len(t.exclude) for t in cb.themes)} termer (version {cb.version})"
    )
    if not args.no_quality:
        quality(cb)
    sample = synthetic_answers(args.naive_sample, seed=args.seed + 1, themes=cb)
    t0 = time.perf_counter()
    naive = code_texts_naive(sample, cb)
    naive_rate = len(sample) / (time.perf_counter() - t0)
    fast_sample = code_texts(sample, cb)
    same = bool((naive.to_numpy() == fast_sample.to_numpy()).all())
    print(
        f"naiv loop per svar (samma regler): {naive_rate:,.0f} svar/s (uppmätt på "
        f"{len(sample):,} svar, extrapolerad nedan); samma resultat som vektoriserad: {same}"
    )
    big_sample = synthetic_answers(args.naive_sample * 10, seed=args.seed + 2, themes=cb)
    t0 = time.perf_counter()
    regex_loop(big_sample, cb)
    regex_rate = len(big_sample) / (time.perf_counter() - t0)
    print(
        f"naiv regex-loop per svar och tema (ungefärliga regler): {regex_rate:,.0f} svar/s "
        f"(uppmätt på {len(big_sample):,} svar, extrapolerad nedan)"
    )
    from analysis.text import coder

    for n in args.sizes:
        texts = synthetic_answers(n, seed=args.seed, themes=cb)
        # fresh coder: vocabulary matching is part of the measured time
        coder._CODERS[id(cb)] = (cb, Coder(cb))
        t0, c0 = time.perf_counter(), time.process_time()
        coded = code_texts(texts, cb)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        rate = n / dt
        print(
            f"n={n:>9,}: vektoriserad {rate:>10,.0f} svar/s ({dt:.2f} s vägg, "
            f"{n / cpu:,.0f} svar per CPU-sekund; {int(coded.to_numpy().any(axis=1).sum()):,} "
            f"svar med tema); naiv loop (extrapolerad) {n / naive_rate:,.0f} s, kvot "
            f"{rate / naive_rate:,.0f}x; regex-loop (extrapolerad) {n / regex_rate:,.0f} s, kvot "
            f"{rate / regex_rate:,.1f}x; toppminne (RSS) {_peak_rss_mb():,.0f} MB"
        )
        t0 = time.perf_counter()
        code_texts(texts, cb)
        warm = time.perf_counter() - t0
        print(
            f"{'':13}samma svar igen med ordförrådet redan matchat (varm cache): "
            f"{n / warm:,.0f} svar/s ({warm:.2f} s)"
        )
        del texts, coded
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
