"""Project locations, resolved from the package's own location — never from the working directory.

The project root is the directory holding ``pyproject.toml`` above ``src/analysis``. It can be
overridden with the environment variable ``ANALYSIS_PROJECT_ROOT`` (used by tests that build
into a temporary copy).

>>> project_root().joinpath("pyproject.toml").is_file()
True
>>> raw_dir("partner_2021").name
'partner_2021'
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The repository root (``ANALYSIS_PROJECT_ROOT`` overrides)."""
    env = os.environ.get("ANALYSIS_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    for parent in PACKAGE_DIR.parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    raise RuntimeError("Cannot locate the project root above " + str(PACKAGE_DIR))


def data_dir() -> Path:
    return project_root() / "data"


def raw_dir(survey: str | None = None) -> Path:
    """``data/raw`` or ``data/raw/<survey>`` (immutable inputs: codebooks, demo exports, real exports)."""
    base = data_dir() / "raw"
    return base / survey if survey else base


def reference_dir() -> Path:
    """``data/raw/reference``: committed real facts (municipalities, the 2021 sample frame)."""
    return raw_dir() / "reference"


def processed_dir(survey: str | None = None) -> Path:
    """``data/processed`` or ``data/processed/<survey>`` (validated, PII-free outputs of ingest)."""
    base = data_dir() / "processed"
    return base / survey if survey else base


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def reports_dir() -> Path:
    return project_root() / "reports"


def codebook_path(survey: str) -> Path:
    """The versioned codebook beside the survey's raw data."""
    return raw_dir(survey) / "codebook.yaml"


def themes_path(survey: str = "municipality_2023") -> Path:
    """The theme codebook for free-text coding."""
    return raw_dir(survey) / "themes.yaml"


def template_dir() -> Path:
    """The nbconvert template shipped inside the package."""
    return PACKAGE_DIR / "report" / "templates"


def user_cache_dir() -> Path:
    """The user's cache folder for derived, rebuildable files (the Swedish word index, the
    analysis-cache signing key): ``$ANALYSIS_CACHE_DIR``, else ``$XDG_CACHE_HOME/analysis``
    (when absolute, as the XDG spec says), else ``~/.cache/analysis``."""
    explicit = os.environ.get("ANALYSIS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else None
    if base is None or not base.is_absolute():
        base = Path.home() / ".cache"
    return base / "analysis"
