"""Fixtures shared by the text-coding tests."""

import pytest


@pytest.fixture(scope="session")
def themes():
    """The municipality survey's theme codebook (data/raw/municipality_2023/themes.yaml)."""
    from analysis.text.themes import load_themes

    return load_themes()
