"""Survey analysis for Region Västerbotten: the 2021 partner survey and the 2023 municipality survey.

Importing the package has no side effects; see :mod:`analysis.paths` for locations and
:mod:`analysis.cli` for the ``analysis`` command.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

SURVEYS = ("partner_2021", "municipality_2023")
"""The two surveys, named the same everywhere (CLI, folders, parameters)."""

__all__ = ["SURVEYS", "__version__"]
