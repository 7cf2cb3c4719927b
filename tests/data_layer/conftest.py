"""Fixtures for the data-layer tests: the export corpus (built once per session) and helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
if str(HERE) not in sys.path:  # the corpus builder lives beside the tests
    sys.path.insert(0, str(HERE))


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    from export_corpus import build_corpus

    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def tiny_codebook_path() -> Path:
    return FIXTURES / "tiny_codebook.yaml"
