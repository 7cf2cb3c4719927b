"""End to end through the runner with a tiny fixture notebook: HTML quality, determinism,
incremental skips, honest failures."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.pipeline import runner

from .conftest import EPOCH, make_processed, make_registry, parse
from .test_parameters import _cli

pytestmark = pytest.mark.slow

BANNER = "Demodata – syntetiska svar, inte undersökningens resultat"


def _build(registry, out, **kw):
    return runner.run_reports(
        ["hello"], registry=registry, output_dir=out, quiet=True, jobs=1, **kw
    )


@pytest.fixture(scope="module", autouse=True)
def _epoch():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """One build shared by the read-only tests (registry, data and output in a temp folder)."""
    base = tmp_path_factory.mktemp("pipeline")
    reg = make_registry(base, make_processed(base))
    runner.package_source_hash(refresh=True)  # other work may have touched the package meanwhile
    out = base / "reports"
    (res,) = _build(reg, out, force=True)
    assert res.status == "built", res.line()
    return reg, out


@pytest.fixture
def built(built_once, tmp_path):
    """A private copy of the shared build for tests that change it."""
    reg, out = built_once
    copy = tmp_path / "reports"
    shutil.copytree(out, copy)
    return reg, copy


def test_html_is_clean_accessible_and_self_contained(built_once):
    _, out = built_once
    html = (out / "hello.html").read_text(encoding="utf-8")
    page = parse(html)
    # no code, prompts, tracebacks, stderr or removed output
    assert "jp-InputArea-editor" not in html and "highlight" not in html
    assert "In&nbsp;[" not in html and "Out[" not in html
    assert "Traceback" not in html and "ValueError" not in html
    assert "en varning som inte ska synas" not in html
    assert "den här utskriften tas bort" not in html
    assert "import warnings" not in html and "greeting: str" not in html
    # nothing loaded from the internet, no scripts at all
    assert page.all("script") == []
    for tag, attr in (("link", "href"), ("img", "src"), ("script", "src"), ("iframe", "src")):
        for attrs in page.all(tag):
            assert not re.match(r"(?i)\s*(https?:)?//", attrs.get(attr) or ""), (tag, attrs)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", html), "CSS must not load web resources"
    assert "require.js" not in html and "mathjax" not in html.lower() and "mermaid.min" not in html
    # language, title, banner, landmarks, headings in order
    assert '<html lang="sv">' in html
    assert "<title>Testrapport &lt;hej&gt; &amp; co</title>" in html
    assert BANNER in page.plain
    assert any(a.get("role") == "note" for a in page.all("div"))
    assert len(page.all("main")) == 1 and page.all("a")[0]["href"] == "#innehall"
    assert page.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    # images embedded with alt text; figure data as a table
    imgs = page.all("img")
    assert imgs and all(i["src"].startswith("data:image/svg+xml;base64,") for i in imgs)
    assert all((i.get("alt") or "").strip() for i in imgs)
    assert "Visa siffrorna i tabellform" in page.plain
    # hostile text inert
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # provenance footer and print stylesheet
    assert "@media print" in html
    footer = html[html.index("<footer") :]
    for needed in (
        "demo_partner_2021_msforms.xlsx",
        "ab" * 32,
        "min_cell = 5",
        "2023-11-14T22:13:20Z",
        "analysis ",
    ):
        assert needed in footer
    # the executed notebook is kept
    assert (out / "executed" / "hello.ipynb").is_file()


def test_index_lists_every_report_with_status(built_once):
    _, out = built_once
    index = (out / "index.html").read_text(encoding="utf-8")
    page = parse(index)
    assert '<html lang="sv">' in index and BANNER in page.plain
    assert 'href="hello.html"' in index
    assert "ab" * 32 in index and "2023-11-14T22:13:20Z" in index
    statuses = {a["data-status"] for a in page.all("span") if "data-status" in a}
    assert "built" in statuses


def test_forced_builds_are_byte_identical(built):
    reg, out = built
    first = (out / "hello.html").read_bytes()
    (res,) = _build(reg, out, force=True)
    assert res.status == "built"
    assert (out / "hello.html").read_bytes() == first


def test_rerun_without_changes_skips_everything_without_heavy_imports(built):
    """The whole registry: the built report is skipped, the missing notebook reported, nothing
    heavy imported."""
    reg, out = built
    code = (
        "import sys, json\n"
        "from analysis.pipeline.runner import run_reports\n"
        f"r = run_reports(registry={str(reg)!r}, output_dir={str(out)!r}, quiet=True)\n"
        "heavy = sorted(m for m in ('papermill', 'nbconvert', 'matplotlib', 'nbclient') if m in sys.modules)\n"
        "print(json.dumps({'status': {x.name: x.status for x in r}, 'heavy': heavy}))\n"
    )
    env = {**__import__("os").environ, "SOURCE_DATE_EPOCH": EPOCH}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["status"] == {"hello": "skipped", "missing": "not available"}
    assert result["heavy"] == []
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "inte tillgänglig" in index and "does_not_exist.ipynb" in index
    # named explicitly, a missing notebook is an error (exit 1)
    assert _cli(["missing", "--registry", str(reg), "--output-dir", str(out), "--quiet"]) == 1


def test_changed_parameters_rebuild_and_one_line_per_report(built):
    reg, out = built
    lines: list[str] = []
    (res,) = runner.run_reports(
        ["hello"],
        registry=reg,
        output_dir=out,
        overrides={"greeting": "Hallå"},
        echo=lines.append,
        jobs=2,
    )
    assert res.status == "built"
    assert len(lines) == 1 and re.fullmatch(r"built hello \(\d+\.\d s\)", lines[0])
    assert "Hallå" in (out / "hello.html").read_text(encoding="utf-8")


def test_internal_builds_carry_a_do_not_publish_banner(built):
    reg, out = built
    public = (out / "hello.html").read_text(encoding="utf-8")
    assert "Får inte publiceras" not in public
    (res,) = runner.run_reports(
        ["hello"], registry=reg, output_dir=out, overrides={"audience": "internal"}, quiet=True
    )
    assert res.status == "built"
    page = parse((out / "hello.html").read_text(encoding="utf-8"))
    assert "Intern version" in page.plain and "Får inte publiceras" in page.plain


def test_failing_notebook_keeps_previous_html(built, capsys):
    reg, out = built
    before = (out / "hello.html").read_bytes()
    state_before = json.loads((out / ".build" / "hello.json").read_text(encoding="utf-8"))
    code = _cli(["hello", "-p", "fail", "true", "--registry", str(reg), "--output-dir", str(out)])
    assert code == 1
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("failed")]
    assert len(lines) == 1
    assert lines[0].startswith("failed hello (")
    assert "ValueError: avsiktligt fel i testnotebooken (cell 7" in lines[0]
    assert (out / "hello.html").read_bytes() == before
    failed = out / "failed" / "hello.ipynb"
    assert failed.is_file()
    nb = json.loads(failed.read_text(encoding="utf-8"))
    assert any(o.get("ename") == "ValueError" for c in nb["cells"] for o in c.get("outputs", []))
    state = json.loads((out / ".build" / "hello.json").read_text(encoding="utf-8"))
    assert state["status"] == "failed" and state["success"] == state_before["success"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "misslyckades" in index and "failed/hello.ipynb" in index
    # the unchanged inputs of the last good build are still up to date → skipped, failure cleared
    (res,) = _build(reg, out)
    assert res.status == "skipped"
    assert (
        hashlib.sha256((out / "hello.html").read_bytes()).hexdigest()
        == state["success"]["html_sha256"]
    )


def test_cell_timeout_is_a_failure_too(built):
    reg, out = built
    before = (out / "hello.html").read_bytes()
    (res,) = _build(reg, out, overrides={"sleep": "30"}, cell_timeout=1)
    assert res.status == "failed" and "--cell-timeout" in res.line() and res.seconds < 20
    assert (out / "failed" / "hello.ipynb").is_file()
    assert (out / "hello.html").read_bytes() == before


def test_output_dir_has_nothing_of_the_repository(built_once):
    _, out = built_once
    assert Path(out).is_dir()
    assert not (Path(__file__).resolve().parents[2] / "reports" / "hello.html").exists()
