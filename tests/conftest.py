"""Shared fixtures: the demo surveys ingested once per test session into a temporary folder.

Tests that need processed data use ``processed_demo("partner_2021")`` and pass the returned folder
as the notebooks' ``input`` parameter or to ``analysis.data.dataset.load(..., processed=...)``; nothing
is written into the repository's ``data/processed``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def processed_demo(tmp_path_factory):
    """Return a function ``survey -> Path`` giving that demo survey's processed folder."""
    from analysis.data.ingest import ingest

    base = tmp_path_factory.mktemp("processed_demo")
    cache: dict[str, Path] = {}

    def _get(survey: str) -> Path:
        if survey not in cache:
            out = base / survey
            ingest(survey, out_dir=out)
            cache[survey] = out
        return cache[survey]

    return _get
