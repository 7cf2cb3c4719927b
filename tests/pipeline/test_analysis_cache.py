"""The analysis cache and the runner's once-per-run analyses (issue 13, "rebuilds near the floor").

Child processes (report kernels, the runner's analysis workers, concurrent ``analyse`` calls) are
observed through a ``sitecustomize`` module put on their ``PYTHONPATH``: it logs every part of an
analysis that is *computed* (not loaded) with the process id, so the tests can count them.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analysis.surveys.analysis import analyse

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

SITECUSTOMIZE = textwrap.dedent(
    """
    import os

    if os.environ.get("ANALYSIS_TEST_BUILD_LOG"):
        import analysis.surveys.analysis as _m

        _orig = _m.SurveyAnalysis._build

        def _build(self, missing, path):
            outer = not self.__dict__.get("_building", 0)
            before = set(self.built_parts())
            result = _orig(self, missing, path)
            if outer:
                with open(os.environ["ANALYSIS_TEST_BUILD_LOG"], "a", encoding="utf-8") as fh:
                    for part in sorted(set(self.built_parts()) - before):
                        fh.write(f"{self.survey} {part} {os.getpid()}\\n")
            return result

        _m.SurveyAnalysis._build = _build
    """
)


@pytest.fixture
def build_log(tmp_path, monkeypatch):
    """A file every child process appends ``survey part pid`` to when it computes a part."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "builds.log"
    log.touch()
    path = os.pathsep.join([str(hook), *filter(None, [os.environ.get("PYTHONPATH")])])
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.setenv("ANALYSIS_TEST_BUILD_LOG", str(log))

    def lines() -> list[tuple[str, str, int]]:
        rows = [line.split() for line in log.read_text(encoding="utf-8").splitlines() if line]
        return [(s, p, int(pid)) for s, p, pid in rows]

    return lines


@pytest.fixture
def fresh_partner(tmp_path):
    """partner_2021's demo data ingested into a folder of its own (an empty analysis cache)."""
    from analysis.data.ingest import ingest

    out = tmp_path / "processed" / "partner_2021"
    ingest("partner_2021", out_dir=out)
    return out


def _pickles(folder: Path) -> list[Path]:
    return sorted(folder.glob("**/.analysis/*.pickle"))


# --------------------------------------------------------------------------------------------
# the runner
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_runner_computes_each_analysis_once_for_two_reports_of_a_survey(
    fresh_partner, build_log, tmp_path, monkeypatch
):
    from analysis.pipeline.registry import ReportSpec
    from analysis.pipeline.runner import run_reports

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    params = {"survey": "partner_2021", "input": str(fresh_partner)}
    registry = {
        "overview": ReportSpec("overview", NOTEBOOKS / "survey_overview.ipynb", "Ö", params),
        "report": ReportSpec("report", NOTEBOOKS / "partner_survey_2021.ipynb", "R", params),
    }
    results = run_reports(registry=registry, output_dir=tmp_path / "out", quiet=True, jobs=2)
    assert [r.status for r in results] == ["built", "built"], [r.line() for r in results]

    builds = build_log()
    parts = sorted((survey, part) for survey, part, _ in builds)
    assert parts == [("partner_2021", "overview"), ("partner_2021", "report")], builds
    assert len({pid for *_, pid in builds}) == 1  # one worker computed both parts
    assert os.getpid() not in {pid for *_, pid in builds}  # … not the runner process
    assert len(_pickles(fresh_partner)) == 1

    # a second forced run finds the analysis in the cache: nothing is computed again
    before = len(build_log())
    results = run_reports(
        registry=registry, output_dir=tmp_path / "out", quiet=True, jobs=2, force=True
    )
    assert [r.status for r in results] == ["built", "built"]
    assert len(build_log()) == before


def test_runner_requests_one_analysis_for_overview_and_report(fresh_partner):
    """The overview notebook declares no ``confidence``; the report does (0.95): one key."""
    from analysis.pipeline.execute import _Job
    from analysis.pipeline.precompute import request_for
    from analysis.pipeline.registry import ReportSpec

    def job(notebook, **params):
        spec = ReportSpec(notebook, NOTEBOOKS / notebook, "t", {})
        full = {"survey": "partner_2021", "audience": "public", "min_cell": 0, **params}
        return _Job(spec, full, "fp", {}, processed=fresh_partner)

    overview = request_for(job("survey_overview.ipynb"))
    report = request_for(job("partner_survey_2021.ipynb", confidence=0.95))
    trend = request_for(job("partner_trend.ipynb", baseline="partner_2021"))
    assert overview[0] == report[0]
    assert (overview[1], report[1]) == ("overview", "report")
    assert trend[0][0] == "trend" and trend[1] == "trend"  # analyse_trend(...), not analyse(...)
    hello = request_for(job("../tests/pipeline/fixtures/hello.ipynb"))
    assert hello is None  # a notebook without an analysis needs none
    internal = request_for(job("survey_overview.ipynb", audience="internal"))
    assert internal[0] != overview[0]


@pytest.mark.slow
@pytest.mark.parametrize("fork", [True, False], ids=["forked-children", "one-worker-per-slot"])
def test_precompute_stores_each_analysis_and_reports_a_failure(
    fresh_partner, build_log, tmp_path, monkeypatch, fork
):
    """Both worker modes: every analysis is computed once outside the runner and stored; one
    that fails settles its future with the error (the kernel then computes and shows it)."""
    from analysis.pipeline import precompute
    from analysis.pipeline.execute import _Job
    from analysis.pipeline.registry import ReportSpec

    monkeypatch.setattr(precompute, "FORK", fork)

    def job(name, notebook, processed, **params):
        spec = ReportSpec(name, NOTEBOOKS / notebook, "t", {})
        full = {"survey": "partner_2021", "audience": "public", "min_cell": 0, **params}
        return _Job(spec, full, "fp", {}, processed=processed)

    (version,) = (fresh_partner / "versions").iterdir()  # the runner passes the pinned version
    jobs = [
        job("overview", "survey_overview.ipynb", version),
        job("internal", "survey_overview.ipynb", version, audience="internal"),
        job("report", "partner_survey_2021.ipynb", tmp_path / "saknas", confidence=0.95),
    ]
    with precompute.Precompute(jobs, workers=2) as analyses:
        futures = [analyses.ready(j) for j in jobs]
        assert len(analyses.requests) == 3
        assert futures[0].result(timeout=120) == ["overview"]
        assert futures[1].result(timeout=120) == ["overview"]
        assert futures[2].exception(timeout=120) is not None
    builds = build_log()
    assert sorted(part for _, part, _ in builds) == ["overview", "overview"], builds
    assert os.getpid() not in {pid for *_, pid in builds}
    assert len(_pickles(fresh_partner)) == 2

    # stored now: a second run's analyses are settled at once, without starting a worker
    with precompute.Precompute(jobs[:2], workers=2) as again:
        assert all(f.done() and f.result() == ["overview"] for f in again.requests.values())
        assert again._procs == []


# --------------------------------------------------------------------------------------------
# the cache
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # a partial file
        lambda data: b"",  # empty
        lambda data: b"not a pickle at all" * 100,  # garbage
        lambda data: pickle.dumps({"not": "an analysis"}),  # another object
    ],
    ids=["truncated", "empty", "garbage", "other-object"],
)
def test_a_damaged_cache_file_is_recomputed_not_crashed_on(fresh_partner, damage):
    first = analyse("partner_2021", input=fresh_partner, parts=("overview",))
    expected = [s.to_html() for s in first.overview]
    (path,) = _pickles(fresh_partner)
    path.write_bytes(damage(path.read_bytes()))

    again = analyse("partner_2021", input=fresh_partner, parts=("overview",))
    assert [s.to_html() for s in again.overview] == expected
    from analysis.surveys import cache
    from analysis.surveys.analysis import SurveyAnalysis

    loaded = cache.read(path, SurveyAnalysis)  # the damaged file was replaced by a whole one
    assert loaded.built_parts() == ("overview",)


def test_overview_does_not_build_the_report_sections(fresh_partner):
    a = analyse("partner_2021", input=fresh_partner, parts=("overview",))
    assert a.built_parts() == ("overview",)
    a.section("svarande", part="overview")
    a.overview_questions()
    assert a.built_parts() == ("overview",)
    assert a.section("rus").id == "rus"  # asking for the report builds it then
    assert a.built_parts() == ("overview", "report")


def test_a_cached_section_shows_its_html_and_turns_live_when_touched(fresh_partner):
    live = analyse("partner_2021", input=fresh_partner, parts=("report",))
    loaded = analyse("partner_2021", input=fresh_partner)
    assert loaded is not live and loaded.built_parts() == ("overview", "report")
    for fresh, cached in zip(live.sections, loaded.sections, strict=True):
        assert cached.is_packed()
        assert cached._repr_html_() == fresh._repr_html_()
        assert repr(cached) == repr(fresh)
        assert cached.is_packed()  # neither display nor repr unpickled tables and figures
    section = next(s for s in loaded.sections if s.figures)
    assert not section.is_packed()
    name, fig = next(iter(section.figures.items()))
    fig.axes[0].set_title("Omgjord")
    section.figures[name] = fig
    assert section._repr_html_() != next(s for s in live.sections if s.id == section.id).to_html()


def test_a_kernel_that_loads_the_trend_imports_neither_pandas_nor_scipy(fresh_partner, tmp_path):
    from analysis.data.ingest import ingest
    from analysis.surveys.trend import analyse_trend

    later = tmp_path / "processed" / "partner_2025"
    ingest("partner_2025", out_dir=later)
    args = {"baseline": "partner_2021", "input": str(later), "baseline_input": str(fresh_partner)}
    computed = analyse_trend("partner_2025", **args)
    code = textwrap.dedent(
        f"""
        import sys
        from analysis.surveys.trend import analyse_trend
        t = analyse_trend("partner_2025", **{args!r})
        html = "".join(repr(s) + s._repr_html_() for s in t.sections)
        heavy = [m for m in ("pandas", "matplotlib", "scipy", "pyarrow") if m in sys.modules]
        print(heavy)
        print(html)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    heavy, _, html = out.partition("\n")
    assert heavy == "[]", heavy
    assert html.rstrip("\n") == "".join(repr(s) + s._repr_html_() for s in computed.sections)


def test_a_kernel_that_loads_its_analysis_imports_neither_pandas_nor_matplotlib(fresh_partner):
    analyse("partner_2021", input=fresh_partner, parts=("overview", "report"))
    code = textwrap.dedent(
        f"""
        import sys
        from analysis import analyse
        from analysis.report.section import show
        from analysis.surveys import overview, partner
        partner.require_survey("partner_2021")
        a = analyse("partner_2021", input={str(fresh_partner)!r})
        html = partner.title_html(a) + overview.title_html(a.dataset, audience="public")
        html += "".join(repr(s) + s._repr_html_() for s in [*a.sections, *a.overview])
        heavy = [m for m in ("pandas", "matplotlib", "scipy", "pyarrow") if m in sys.modules]
        print(len(html) > 10000, heavy)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "True []", out


@pytest.mark.slow
def test_concurrent_analyses_compute_once_and_agree(fresh_partner, build_log, tmp_path):
    """Three processes ask for the same analysis at once: one computes, the others load it."""
    code = textwrap.dedent(
        f"""
        import hashlib, sys
        from analysis import analyse
        a = analyse("partner_2021", input={str(fresh_partner)!r})
        html = "".join(s._repr_html_() for s in [*a.sections, *a.overview])
        print(hashlib.sha256(html.encode()).hexdigest())
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    digests = {p.communicate(timeout=600)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(digests) == 1
    parts = sorted((s, p) for s, p, _ in build_log())
    assert parts == [("partner_2021", "overview"), ("partner_2021", "report")], build_log()
    reference = analyse("partner_2021", input=fresh_partner, cache=False)
    html = "".join(s._repr_html_() for s in [*reference.sections, *reference.overview])
    import hashlib

    assert digests == {hashlib.sha256(html.encode()).hexdigest()}


def test_pick_starts_stored_analyses_first_then_one_kernel_per_analysis_in_sending_order():
    from concurrent.futures import Future
    from types import SimpleNamespace

    from analysis.pipeline.precompute import Precompute

    def job(name):
        return SimpleNamespace(spec=SimpleNamespace(name=name))

    pc = Precompute.__new__(Precompute)
    a, b = ("survey", "a"), ("survey", "b")
    pc._futures = {a: Future(), b: Future()}
    pc._job_request = {"ov_a": a, "rep_a": a, "ov_b": b, "rep_b": b}
    pc._job_part = {"ov_a": "overview", "rep_a": "report", "ov_b": "overview", "rep_b": "report"}
    pc._rank, pc._waiting = {b: 0, a: 1}, {}
    jobs = [job("ov_a"), job("rep_a"), job("ov_b"), job("rep_b"), job("no_analysis")]
    assert jobs[pc.pick(jobs)].spec.name == "no_analysis"  # needs nothing: at once
    jobs.pop()
    assert (
        jobs[pc.pick(jobs)].spec.name == "rep_b"
    )  # b is sent first; its report before its overview
    jobs = [j for j in jobs if j.spec.name != "rep_b"]
    assert jobs[pc.pick(jobs)].spec.name == "rep_a"  # nobody waits for a yet
    jobs = [j for j in jobs if j.spec.name != "rep_a"]
    pc._futures[a].set_result(["overview", "report"])
    assert jobs[pc.pick(jobs)].spec.name == "ov_a"  # stored beats waiting


def test_a_planted_or_unsigned_pickle_is_never_unpickled(fresh_partner, tmp_path):
    """Unpickling runs code: a cache file not signed with this user's key is recomputed over,
    whatever it contains."""
    import pickle

    from analysis.surveys import cache

    analyse("partner_2021", input=fresh_partner, parts=("overview",))
    (path,) = _pickles(fresh_partner)
    marker = tmp_path / "pwned"

    class Planted:
        def __reduce__(self):
            return (marker.write_text, ("x",))

    planted = pickle.dumps(Planted())
    for raw in (planted, cache._SIGNED + bytes(32) + planted, path.read_bytes()[:-1] + b"!"):
        path.write_bytes(raw)
        again = analyse("partner_2021", input=fresh_partner, parts=("overview",))
        assert not marker.exists()
        assert again.built_parts() == ("overview",)
        assert path.read_bytes().startswith(cache._SIGNED)  # replaced by a signed file
