"""Fixtures for the report pipeline: tiny notebooks, a fixture processed-data folder, an HTML parser."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HELLO = FIXTURES / "hello.ipynb"
EPOCH = "1700000000"


class Page(HTMLParser):
    """Collects what the HTML assertions need: tags with attributes, text, headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    return p


def make_processed(base: Path) -> Path:
    """A processed-data folder with a synthetic manifest and a tiny parquet file."""
    import pandas as pd

    folder = base / "processed" / "partner_2021"
    folder.mkdir(parents=True)
    pd.DataFrame({"respondent_id": ["r1", "r2"], "q2": ["Ja", "Nej"]}).to_parquet(
        folder / "responses.parquet"
    )
    manifest = {
        "survey": "partner_2021",
        "source_file": "demo_partner_2021_msforms.xlsx",
        "source_sha256": "ab" * 32,
        "synthetic": True,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def make_registry(base: Path, processed_fixture: Path) -> Path:
    """A registry with the fixture notebook (reading the fixture data) and one missing notebook."""
    reg = base / "reports.yaml"
    reg.write_text(
        f"hello:\n"
        f"  notebook: {HELLO.as_posix()}\n"
        f'  title: "Testrapport <hej> & co"\n'
        f"  parameters:\n"
        f"    survey: partner_2021\n"
        f"    input: {processed_fixture.as_posix()}\n"
        f"missing:\n"
        f"  notebook: {(FIXTURES / 'does_not_exist.ipynb').as_posix()}\n"
        f'  title: "Saknas"\n',
        encoding="utf-8",
    )
    return reg


@pytest.fixture
def processed_fixture(tmp_path) -> Path:
    return make_processed(tmp_path)


@pytest.fixture
def hello_registry(tmp_path, processed_fixture) -> Path:
    return make_registry(tmp_path, processed_fixture)


# --------------------------------------------------------------------------------------------
# Throw-away project copies (ANALYSIS_PROJECT_ROOT) for the integrity tests
# --------------------------------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[2]
DEMO_BANNER = "Demodata – syntetiska svar, inte undersökningens resultat"


def make_project(base: Path, *, notebooks: bool = True) -> Path:
    """A copy of the project's inputs under *base*/proj: data/raw (codebooks, demo exports with
    their markers, reference data), and optionally the notebooks and reports.yaml. The package
    itself is the installed one; point ``ANALYSIS_PROJECT_ROOT`` at the returned folder."""
    import shutil

    root = base / "proj"
    (root / "data" / "processed").mkdir(parents=True)
    raw = REPO / "data" / "raw"
    shutil.copytree(raw / "reference", root / "data" / "raw" / "reference")
    for survey_dir in (p for p in raw.iterdir() if p.is_dir() and p.name != "reference"):
        target = root / "data" / "raw" / survey_dir.name
        target.mkdir(parents=True)
        for f in survey_dir.iterdir():  # only what git tracks: no real exports, no verified codes
            if f.name in ("codebook.yaml", "themes.yaml") or f.name.startswith("demo_"):
                shutil.copy2(f, target / f.name)
    if notebooks:
        shutil.copytree(REPO / "notebooks", root / "notebooks")
        shutil.copy(REPO / "reports.yaml", root / "reports.yaml")
    (root / "reports").mkdir()
    return root


def write_real_partner_export(path: Path, *, drop: int = 2, email_header: str | None = None):
    """A realistic *real* partner_2021 export (Microsoft Forms .xlsx shape, no demo marker):
    the demo respondents without the first *drop* ones; optionally one extra unknown column
    whose header is *email_header*. Returns the number of respondents."""
    from openpyxl import Workbook

    from analysis.data import demo

    headers, rows = demo.partner_table()
    rows = rows[drop:]
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(headers + ([email_header] if email_header else []))
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row[1:]] + (["x"] if email_header else []))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return len(rows)


def cli(root: Path, *args: str, env: dict | None = None, timeout: float = 600, **kw):
    """Run ``python -m analysis ARGS`` in a fresh process for the project copy *root*."""
    import os
    import subprocess
    import sys

    full_env = {**os.environ, "ANALYSIS_PROJECT_ROOT": str(root), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )


class ProjectPath(type(Path())):  # type: ignore[misc]
    """A project root that also carries the test's ``capsys`` (and ``monkeypatch``)."""


class Result:
    """What :func:`run_main` returns: exit code and captured output, like ``subprocess.run``."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_main(capsys, *args: str) -> Result:
    """``analysis ARGS`` in this process (faster than :func:`cli`; set the environment with
    ``monkeypatch`` first, e.g. ``ANALYSIS_PROJECT_ROOT``)."""
    from analysis.cli import main

    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return Result(rc, out.out, out.err)


def read_only_prefix(folder: Path) -> list[str] | None:
    """A command prefix that runs a process with *folder* mounted read-only, or ``None``.

    As root, permissions do not stop writes, so a private mount namespace with a read-only bind
    mount is used (``unshare``); as another user ``chmod`` suffices and the prefix is empty.
    """
    import os
    import shutil
    import subprocess

    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", f"mount --bind -o ro '{folder}' '{folder}'"],
        capture_output=True,
    )
    if probe.returncode != 0:
        return None
    script = f"mount --bind -o ro '{folder}' '{folder}' && exec \"$@\""
    return [unshare, "-rm", "sh", "-c", script, "sh"]


def tree_snapshot(folder: Path) -> dict[str, str]:
    """relative path → sha256 (files) or link target (symbolic links) of everything below."""
    import hashlib
    import os

    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
