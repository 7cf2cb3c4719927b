"""Ingest racing report runs: every load, and every report, sees exactly one data version.

Before versioned data, ``analysis ingest`` replaced ``responses.parquet``, ``answers.parquet`` and
``manifest.json`` one at a time while ``analysis run`` read the manifest first and the Parquet
files later: real data was published under the demo banner with the demo file's sha256. These
tests race the two at three levels:

1. **function level, deterministic** — a concurrent ingest (1–3 publishes with the most
   aggressive clean-up, ``keep=1``) is injected at every step of :func:`analysis.data.dataset.load`
   (before it, after resolving, after pinning, after the manifest, between the two Parquet files,
   after them), hundreds of rounds each: thousands of interleavings;
2. **function level, free-running** — a publisher *process* publishes hundreds of versions while
   reader threads load continuously, and the runner's pin (:func:`runner._pin_data`) is held
   while further versions are published and cleaned up;
3. **command line** — real ``analysis ingest`` processes publish new versions (demo ↔ real)
   while ``analysis run`` is executing its notebook; the report's footer (data file, sha256,
   version), banner and numbers must all describe the one version the run pinned.

No assertion depends on timing: hand-shakes (READY/GO files) order the CLI races.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from analysis import atomic
from analysis.data import dataset, store
from analysis.pipeline import runner
from analysis.pipeline.registry import ReportSpec

from .conftest import DEMO_BANNER, FIXTURES, cli, make_project, write_real_partner_export

ROUNDS = 60  # per injection point and number of publishes → 6 × 3 × 60 = 1080 interleavings


def _version_files(tag: str, n: int) -> dict[str, bytes]:
    """A tiny but real processed version: *n* rows tagged *tag* in both tables."""
    import pandas as pd

    def parquet(df) -> bytes:
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue()

    manifest = {
        "survey": "partner_2021",
        "source_file": f"{tag}.xlsx",
        "source_sha256": (tag * 64)[:64],
        "synthetic": tag.startswith("demo"),
        "rows_out": n,
        "tag": tag,
    }
    return {
        "responses.parquet": parquet(pd.DataFrame({"respondent_id": range(n), "tag": tag})),
        "answers.parquet": parquet(pd.DataFrame({"respondent_id": range(n), "tag": tag})),
        "manifest.json": (json.dumps(manifest) + "\n").encode(),
    }


def _check(ds) -> str:
    """Every part of one load comes from one version; returns its tag."""
    tag = ds.manifest["tag"]
    assert set(ds.wide["tag"]) == {tag} and set(ds.long["tag"]) == {tag}, ds.version
    assert len(ds.wide) == ds.manifest["rows_out"] == len(ds.long)
    assert ds.synthetic is tag.startswith("demo")
    assert ds.processed_dir.name == ds.version
    return tag


@pytest.fixture
def fast_store(monkeypatch):
    """Skip fsync (durability is not what these tests measure) and reuse one codebook."""
    cb = dataset.load_codebook("partner_2021")
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: None)
    monkeypatch.setattr(dataset, "load_codebook", lambda survey: cb)


def test_load_never_mixes_versions_whatever_the_interleaving(tmp_path, monkeypatch, fast_store):
    import pandas as pd

    root = tmp_path / "partner_2021"
    variants = [("demo", 14), ("real", 12), ("demo", 13), ("real", 11)]
    contents = [_version_files(f"{t}{i}", n) for i, (t, n) in enumerate(variants)]
    state = {"next": 1, "point": None, "publishes": 0, "parquet_calls": 0}
    store.publish(root, contents[0])

    def ingest_now() -> None:  # a concurrent ingest: new content each time, keep only one
        for _ in range(state["publishes"]):
            store.publish(root, contents[state["next"] % len(contents)], keep=1)
            state["next"] += 1

    real_resolve, real_pin, real_read = store.resolve, store.pin, pd.read_parquet

    def resolve(folder):
        v = real_resolve(folder)
        if state["point"] == 1:
            state["point"] = None
            ingest_now()
        return v

    def pin(folder, **kw):
        p = real_pin(folder, **kw)
        if state["point"] == 2:
            state["point"] = None
            ingest_now()
        return p

    def read_parquet(path, *a, **kw):
        state["parquet_calls"] += 1
        if state["point"] == 3 and state["parquet_calls"] == 1:
            ingest_now()  # after the manifest, before the first Parquet file
        if state["point"] == 4 and state["parquet_calls"] == 2:
            ingest_now()  # between the two Parquet files
        out = real_read(path, *a, **kw)
        if state["point"] == 5 and state["parquet_calls"] == 2:
            ingest_now()  # after everything was read, before the load returns
        return out

    monkeypatch.setattr(store, "resolve", resolve)
    monkeypatch.setattr(store, "pin", pin)
    monkeypatch.setattr(pd, "read_parquet", read_parquet)
    interleavings = 0
    seen: set[str] = set()
    for _ in range(ROUNDS):
        for point in range(6):
            for publishes in (1, 2, 3):
                state.update(point=point, publishes=publishes, parquet_calls=0)
                if point == 0:
                    ingest_now()
                seen.add(_check(dataset.load("partner_2021", processed=root)))
                interleavings += 1
    assert interleavings == ROUNDS * 18
    assert seen == {"demo0", "real1", "demo2", "real3"}
    print(f"\nrace: {interleavings} injected load/publish interleavings, all consistent")


PUBLISHER = r"""
import io, json, sys
from pathlib import Path
import pandas as pd
from analysis import atomic
from analysis.data import store
atomic.os.fsync = lambda fd: None
root, count = Path(sys.argv[1]), int(sys.argv[2])
def parquet(df):
    buf = io.BytesIO(); df.to_parquet(buf, index=False); return buf.getvalue()
for i in range(count):
    tag, n = ("demo%d" % i, 14) if i % 2 == 0 else ("real%d" % i, 12)
    frame = pd.DataFrame({"respondent_id": range(n), "tag": tag})
    manifest = {"survey": "partner_2021", "source_file": tag + ".xlsx",
                "source_sha256": (tag * 64)[:64], "synthetic": tag.startswith("demo"),
                "rows_out": n, "tag": tag}
    store.publish(root, {"responses.parquet": parquet(frame), "answers.parquet": parquet(frame),
                         "manifest.json": (json.dumps(manifest) + "\n").encode()}, keep=1)
"""


def test_loads_race_a_publishing_process(tmp_path, fast_store):
    root = tmp_path / "partner_2021"
    store.publish(root, _version_files("demo-start", 14))
    errors: list[BaseException] = []
    stats = {"loads": 0, "changes": 0}
    versions: set[str] = set()
    stop = threading.Event()
    lock = threading.Lock()

    def reader() -> None:
        last = None
        while not stop.is_set():
            try:
                ds = dataset.load("partner_2021", processed=root)
                _check(ds)
            except BaseException as exc:  # noqa: BLE001 - collected and re-raised below
                errors.append(exc)
                return
            with lock:
                stats["loads"] += 1
                versions.add(ds.version)
                if last is not None and ds.version != last:
                    stats["changes"] += 1
            last = ds.version

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    proc = subprocess.run(
        [sys.executable, "-c", PUBLISHER, str(root), "300"], capture_output=True, text=True
    )
    stop.set()
    for t in threads:
        t.join()
    assert proc.returncode == 0, proc.stderr
    assert not errors, errors[0]
    assert stats["loads"] > 0
    store.publish(root, _version_files("demo-end", 14), keep=1)  # no reader left: all go
    assert len(store.list_versions(root)) == 1
    print(
        f"\nrace: {stats['loads']} loads while 300 versions were published; "
        f"{len(versions)} distinct versions seen, {stats['changes']} version changes between "
        "consecutive loads, all consistent"
    )


def test_a_pinned_report_input_survives_new_versions_and_clean_up(tmp_path, fast_store):
    """What ``analysis run`` does: pin before executing, pass the version folder as ``input``;
    the notebook's load and the runner's provenance then agree, whatever was published."""
    root = tmp_path / "partner_2021"
    spec = ReportSpec("race", FIXTURES / "race.ipynb", "Race")
    store.publish(root, _version_files("demo-0", 14))
    for i in range(60):
        params = {"survey": "partner_2021", "input": str(root)}
        with contextlib.ExitStack() as pins:
            folder, version = runner._pin_data(spec, params, pins)
            manifest = runner.read_manifest(params, folder)
            parts = runner.fingerprint_parts(spec, params, folder)
            for k in range(3):  # ingests while the notebook would be running
                tag = f"{'real' if (i + k) % 2 else 'demo'}-{i}-{k}"
                store.publish(root, _version_files(tag, 12 if "real" in tag else 14), keep=1)
            ds = dataset.load("partner_2021", processed=str(folder))  # the notebook's load
            assert ds.version == version and ds.manifest == manifest
            assert _check(ds) == manifest["tag"]
            assert runner.fingerprint_parts(spec, params, folder) == parts
            assert folder.is_dir() and len(store.list_versions(root)) == 2  # pinned + current
        store.publish(root, _version_files(f"demo-next-{i}", 14), keep=1)
        assert not folder.exists() and len(store.list_versions(root)) == 1  # released → gone


# ------------------------------------------------------------------------ command line
def _registry(root: Path) -> Path:
    reg = root / "race_reports.yaml"
    reg.write_text(
        "race:\n"
        f"  notebook: {(FIXTURES / 'race.ipynb').as_posix()}\n"
        '  title: "Kapplöpning"\n'
        "  parameters:\n"
        "    survey: partner_2021\n",
        encoding="utf-8",
    )
    return reg


def _footer(html: str) -> dict[str, str]:
    footer = html[html.index("<footer") :]
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>(?:<code[^>]*>)?([^<]*)", footer))


def _expected(root: Path, sha: str) -> dict:
    """What a report built from the export with this sha256 must show."""
    for manifest_file in (root / "data" / "processed" / "partner_2021" / "versions").glob(
        "*/manifest.json"
    ):
        m = json.loads(manifest_file.read_text(encoding="utf-8"))
        if m["source_sha256"] == sha:
            return m
    raise AssertionError(f"no version with source sha256 {sha}")


@pytest.mark.slow
def test_cli_ingest_races_cli_run(tmp_path):
    """Two hand-shaken races: the run pins version X, then several ingests publish other
    versions (enough for clean-up to remove X if it were not pinned), then the notebook reads."""
    root = make_project(tmp_path)
    raw = root / "data" / "raw" / "partner_2021"
    sources = {
        "demo": raw / "demo_partner_2021_msforms.xlsx",
        "real": tmp_path / "exports" / "svar_2021.xlsx",
        "real2": tmp_path / "exports" / "svar_2021_komplettering.xlsx",
    }
    rows = {
        "demo": 14,
        "real": write_real_partner_export(sources["real"], drop=2),
        "real2": write_real_partner_export(sources["real2"], drop=3),
    }
    reg = _registry(root)
    for i, (first, then) in enumerate([("demo", "real"), ("real2", "demo")]):
        assert cli(root, "ingest", "partner_2021", "--input", str(sources[first])).returncode == 0
        pinned = store.current_id(root / "data" / "processed" / "partner_2021")
        sync = tmp_path / f"sync{i}"
        sync.mkdir()
        env = {**os.environ, "ANALYSIS_PROJECT_ROOT": str(root)}
        run = subprocess.Popen(
            [sys.executable, "-m", "analysis", "run", "race", "--registry", str(reg),
             "--force", "--quiet", "--cell-timeout", "300", "-p", "sync", str(sync)],
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            while not (sync / "READY").exists():
                assert run.poll() is None, run.communicate()
                threading.Event().wait(0.05)
            # the run has pinned `pinned` and its kernel waits: four ingests publish four new
            # versions (other data, then the same data again as a new version), so clean-up
            # (keeps three) would remove the pinned one if the pin did not protect it
            for src in (then, first, then, first):
                res = cli(root, "ingest", "partner_2021", "--input", str(sources[src]), "--quiet")
                assert res.returncode == 0, res.stderr
            assert store.current_id(root / "data" / "processed" / "partner_2021") != pinned
            (sync / "GO").write_text("1", encoding="utf-8")
            out, err = run.communicate(timeout=600)
        finally:
            if run.poll() is None:
                run.kill()
        assert run.returncode == 0, err
        html = (root / "reports" / "race.html").read_text(encoding="utf-8")
        foot = _footer(html)
        m = _expected(root, foot["SHA-256 för datafilen"])
        body = html[html.index("<main") : html.index("<footer")]
        assert foot["Dataversion"] == pinned, (foot, pinned)
        assert f"Version: {pinned}." in body
        assert f"Källa: {m['source_sha256']}." in body
        assert f"Svarande: {m['rows_out']}." in body
        assert foot["Datafil"] == m["source_file"]
        synthetic = m["synthetic"]
        assert (DEMO_BANNER in html) is synthetic
        assert ("Syntetiska: ja." in body) is synthetic
        assert m["rows_out"] == rows[first]
        index = (root / "reports" / "index.html").read_text(encoding="utf-8")
        assert m["source_sha256"] in index and pinned in index


@pytest.mark.slow
def test_cli_free_running_race_with_the_real_reports(tmp_path):
    """The real notebooks: ingests alternate demo ↔ real export for as long as the run lasts."""
    root = make_project(tmp_path)
    demo_file = root / "data" / "raw" / "partner_2021" / "demo_partner_2021_msforms.xlsx"
    real_file = tmp_path / "exports" / "svar_2021.xlsx"
    n_real = write_real_partner_export(real_file)
    assert cli(root, "ingest", "partner_2021", "--input", str(demo_file)).returncode == 0
    env = {**os.environ, "ANALYSIS_PROJECT_ROOT": str(root)}
    run = subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", "overview_partner_2021", "partner_2021",
         "--force", "--quiet", "--jobs", "2"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    ingests = 0
    try:
        while run.poll() is None:
            src = real_file if ingests % 2 == 0 else demo_file
            res = cli(root, "ingest", "partner_2021", "--input", str(src), "--quiet")
            assert res.returncode == 0, res.stderr
            ingests += 1
        out, err = run.communicate()
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    print(f"\nrace: {ingests} CLI ingests during one CLI run of two reports")
    for name in ("overview_partner_2021", "partner_2021"):
        html = (root / "reports" / f"{name}.html").read_text(encoding="utf-8")
        foot = _footer(html)
        m = _expected(root, foot["SHA-256 för datafilen"])
        n = int(re.search(r"(\d+) av 43 tillfrågade", html).group(1))
        assert n == m["rows_out"] == (14 if m["synthetic"] else n_real), (name, foot)
        assert (DEMO_BANNER in html) is m["synthetic"], name
        assert foot["Datafil"] == m["source_file"]
