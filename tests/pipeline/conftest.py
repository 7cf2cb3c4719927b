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
