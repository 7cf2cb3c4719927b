"""The column-at-a-time ingest: every reading path gives the same table, the vectorised steps
agree with their row-by-row definitions, and nothing the caller passes in is changed.

No test here measures time; ``benchmarks/bench_ingest.py`` prints the figures.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data import ingest as ing
from analysis.data import readers
from analysis.data.codebook import load_codebook
from analysis.data.pii import mask_people, mask_person, mask_series, person_pattern
from analysis.data.reference import normalise_municipality
from analysis.data.validation import build_schema, validate_answers
from analysis.errors import InputValidationError

ROOT = Path(__file__).resolve().parents[2]


def _read_all(corpus) -> dict:
    out = {}
    for name, case in sorted(corpus.items()):
        try:
            t = readers.read_export(case.path)
            out[name] = (t.format, t.headers, t.rows, t.encoding, t.delimiter, t.header_row)
        except InputValidationError as exc:
            out[name] = [str(p) for p in exc.problems]
    return out


def test_every_csv_path_reads_the_corpus_identically(corpus, monkeypatch):
    """csv module (small files), pyarrow from memory, pyarrow streamed from disk."""
    small = _read_all(corpus)
    monkeypatch.setattr(readers, "SAMPLE_BYTES", 3000)
    assert _read_all(corpus) == small
    monkeypatch.setattr(readers, "STREAM_BYTES", 1000)
    assert _read_all(corpus) == small


def _outputs(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.suffix == ".parquet"
    }


@pytest.fixture(scope="module")
def large_csv(tmp_path_factory) -> Path:
    """A 3 000-respondent synthetic export (≈ 2.8 MB) from the benchmark's generator."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_ingest
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    path = tmp_path_factory.mktemp("large") / "export.csv"
    bench_ingest.write_csv(path, 3000, seed=7, chunk=1000)
    return path


def test_large_csv_same_outputs_on_every_path(large_csv, tmp_path, monkeypatch):
    assert large_csv.stat().st_size > readers.SAMPLE_BYTES
    m = ing.ingest("partner_2021", input_path=large_csv, out_dir=tmp_path / "arrow")
    assert m["rows_out"] == 3000 and m["masked_counts"]["phone"] > 0
    monkeypatch.setattr(readers, "STREAM_BYTES", 1000)
    ing.ingest("partner_2021", input_path=large_csv, out_dir=tmp_path / "stream")
    monkeypatch.setattr(readers, "SAMPLE_BYTES", 1 << 30)
    ing.ingest("partner_2021", input_path=large_csv, out_dir=tmp_path / "csvmodule")
    assert _outputs(tmp_path / "arrow") == _outputs(tmp_path / "stream")
    assert _outputs(tmp_path / "arrow") == _outputs(tmp_path / "csvmodule")


def test_ragged_rows_fall_back_to_the_csv_module(large_csv, tmp_path, monkeypatch):
    text = large_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(text) if line.startswith("2500,2021-"))
    text.insert(at, ",".join(["4000"] + [""] * 25 + ["överskott"]) + "\r\n")  # 27 fields
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("".join(text), encoding="utf-8")
    calls = []
    real = readers._python_columns
    monkeypatch.setattr(readers, "_python_columns", lambda *a: calls.append(1) or real(*a))
    t = readers.read_export(ragged)
    assert calls and len(t.headers) == 27 and t.headers[20:] == [""] * 7  # header has 20
    monkeypatch.setattr(readers, "SAMPLE_BYTES", 1 << 30)
    assert readers.read_export(ragged).rows == t.rows


def test_long_table_written_in_row_groups_reads_back_the_same(tmp_path, monkeypatch):
    ing.ingest("partner_2021", out_dir=tmp_path / "one")
    monkeypatch.setattr(ing, "ROW_GROUP_ROWS", 7)
    ing.ingest("partner_2021", out_dir=tmp_path / "many")
    one = pd.read_parquet(tmp_path / "one" / "answers.parquet")
    many = pd.read_parquet(tmp_path / "many" / "answers.parquet")
    pd.testing.assert_frame_equal(one, many)
    prepared = ing._prepare(load_codebook("partner_2021"), ing.find_input("partner_2021"))
    _, long, _ = ing.build_tables(prepared)
    pd.testing.assert_frame_equal(long.to_pandas(), one)


def test_validation_matches_the_pandera_schema_and_leaves_the_frame_alone(corpus):
    checked = 0
    for case in corpus.values():
        if case.ok or case.kind not in {
            "required", "out_of_scale", "unknown_option", "unknown_municipality",
            "duplicate_municipality", "duplicate_id",
        }:  # fmt: skip
            continue
        cb = load_codebook(case.survey)
        prepared = ing._prepare(cb, case.path)
        frame = prepared.frame
        before = frame.copy()
        problems = validate_answers(frame, cb, prepared.headers, case.path.name,
                                    normalise_municipality)  # fmt: skip
        pd.testing.assert_frame_equal(frame, before)
        df = frame.astype(object).where(frame.notna(), None)
        for q in cb.questions_of_type("municipality"):
            if q.id in df.columns:
                df[f"{q.id}__kommun"] = df[q.id].map(
                    lambda v: normalise_municipality(v) if v is not None else None
                )
        import pandera.pandas as pa

        schema = build_schema(cb, list(df.columns), normalise_municipality)
        with pytest.raises(pa.errors.SchemaErrors) as exc:
            schema.validate(df, lazy=True)
        flagged = {int(i) for i in exc.value.failure_cases["index"].dropna()}
        assert flagged == {p.row for p in problems}, case.path.name
        checked += 1
    assert checked >= 7


def test_mask_series_does_not_change_its_input_and_counts_per_occurrence():
    s = pd.Series(["Ring 070-123 45 67", None, "Ring 070-123 45 67", "Hej"], dtype="string")
    before = s.copy()
    out, counts = mask_series(s)
    pd.testing.assert_series_equal(s, before)
    assert out.tolist()[0] == "Ring [telefon]" and counts["phone"] == 2
    assert str(out.dtype) == str(s.dtype)


NAMES = ["Per Exempelsson", "Lına Berg", "İda Ek", "Anna-Karin Testlund", "Anonym", None]
WORDS = ["per år", "Per", "LINA", "lina", "İDA", "ida", "Berg", "berg", "Anna-Karin", "karin",
         "Testlunds", "exempelsson:s", "hej", "ſiffra", "Iſak", "per.exempelsson", "Pers",
         "per's", "PER:S", "_per", "xper", "per_", "@per", "per@x", "per.", ".per", "(Per)",
         "Per-Erik", "lina2", "2lina", "bergs'"]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(NAMES),
            st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_mask_people_equals_the_row_by_row_definition(rows):
    names = [n for n, _, _ in rows]
    emails = [
        (n.split()[0].lower() + "@example.org") if n and has_mail else None
        for n, _, has_mail in rows
    ]
    texts = pd.Series([t or None for _, t, _ in rows], dtype=object)
    out, n = mask_people(texts, [names], [emails])
    expected, total = [], 0
    for text, name, email in zip(texts, names, emails, strict=True):
        if text is None or (name is None and email is None):
            expected.append(text)
            continue
        pattern = person_pattern([name] if name else [], [email] if email else [])
        masked, c = mask_person(text, pattern)
        expected.append(masked)
        total += c
    assert out.tolist() == expected and n == total


def test_progress_bar_only_on_a_terminal(monkeypatch):
    import io

    items = [1, 2, 3]
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert ing._progress(items, "x") is items

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    bar = ing._progress(items, "x")
    assert bar is not items and list(bar) == items and bar.delay == 2.0


def test_benchmark_quick_run_prints_every_figure(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_ingest
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    assert bench_ingest.main(["--sizes", "300", "--xlsx-sizes", "200"]) == 0
    out = capsys.readouterr().out
    assert "csv" in out and "xlsx" in out and "rows/s" in out and "peak RSS" in out


def _corpus_texts() -> list[str]:
    import json

    lines = (ROOT / "tests/fixtures/pii_corpus/dev.jsonl").read_text(encoding="utf-8")
    texts = [json.loads(line)["text"] for line in lines.splitlines() if line.strip()]
    return texts * 3 + ["Bra!", "", "Ring 070-111 22 33", "Hälsningar Sigbritt Ohlsson"]


def test_mask_all_with_workers_equals_mask_text_by_text(monkeypatch):
    from analysis.data.pii import mask, parallel

    texts = _corpus_texts()
    expected = {}
    for j, t in enumerate(texts):
        new, c = mask(t)
        if any(c.values()):
            expected[j] = (new, c)
    assert expected and len(expected) < len(texts)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 10)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    with parallel.workers(2):
        assert parallel.mask_all(texts) == expected
        assert len(parallel._workers) == 2  # started at the first long list, kept for the next
        # a worker answers a chunk exactly as this process would
        assert parallel._ask(parallel._workers[0], texts[:20], ("name",), ()) == parallel._masked(
            texts[:20], ("name",), ()
        )
        # workers that died: their chunks are masked here, nothing is lost
        for w in parallel._workers:
            w.kill()
            w.wait()
        assert parallel.mask_all(texts) == expected
        workers = list(parallel._workers)
    assert parallel._workers == [] and all(w.poll() is not None for w in workers)
    with parallel.workers(0):
        assert parallel.mask_all(texts) == expected and parallel._workers == []


def test_prefetched_texts_are_used_and_the_rest_masked_as_usual(monkeypatch):
    """mask_all takes what a prefetch masked (found by exact string), masks the texts the
    prefetch did not hold, and loses nothing when a worker dies holding prefetched chunks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from analysis.data.pii import mask, parallel

    texts = list(dict.fromkeys(_corpus_texts()))
    expected = {}
    for j, t in enumerate(texts):
        new, c = mask(t)
        if any(c.values()):
            expected[j] = (new, c)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 10)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    half = pa.array(texts[: len(texts) // 2][::-1], pa.large_string())  # another order
    arr = pa.array(texts, pa.large_string())

    def lookup(pool):
        return pc.fill_null(pc.index_in(arr, value_set=pool), -1).to_numpy(zero_copy_only=False)

    assert not parallel.prefetch(lambda: [half])  # outside a workers() block: nothing
    with parallel.workers(1, start=True):
        assert parallel.prefetch(lambda: [half])
        assert parallel.mask_all(texts, lookup=lookup) == expected
        assert parallel._jobs == []
        assert parallel.prefetch(lambda: [half])
        parallel.settle()
        for w in parallel._workers:
            w.kill()
            w.wait()
        assert parallel.mask_all(texts, lookup=lookup) == expected
    assert parallel._workers == [] and parallel._jobs == []


def test_ingest_with_workers_writes_the_same_files(large_csv, tmp_path, monkeypatch):
    """Masking shared with worker processes, and the ingest's own Arrow memory pool, change no
    byte of the output; the caller's default pool is restored."""
    import pyarrow as pa

    from analysis.data.pii import parallel

    before = pa.default_memory_pool().backend_name
    monkeypatch.setenv(parallel.WORKERS_ENV, "0")
    ing.ingest("partner_2021", input_path=large_csv, out_dir=tmp_path / "one")
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    monkeypatch.setattr(ing, "PARALLEL_BYTES", 1000)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 100)
    monkeypatch.setattr(parallel, "CHUNK", 50)
    pools = []
    real_build = ing.build_tables
    monkeypatch.setattr(
        ing, "build_tables", lambda p: pools.append(pa.default_memory_pool()) or real_build(p)
    )
    ing.ingest("partner_2021", input_path=large_csv, out_dir=tmp_path / "two")
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")
    assert pools[0].backend_name in ("jemalloc", "system")
    assert pa.default_memory_pool().backend_name == before
    assert parallel._workers == []
