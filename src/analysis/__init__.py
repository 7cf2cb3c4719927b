"""Survey analysis for Region Västerbotten: the 2021 partner survey and the 2023 municipality survey.

The researcher's entry points::

    from analysis import load, analyse, SURVEYS
    ds = load("partner_2021")          # processed data: .wide, .long, .manifest, .codebook
    a = analyse("partner_2021")        # every report section: a.sections, a.overview
    a.section("rus").tables            # the numbers (DataFrames), a.section("rus").figures

and the building blocks for ad-hoc work: :func:`analysis.stats.proportion_ci`,
:func:`analysis.stats.share_table`, :func:`analysis.stats.crosstab`,
:func:`analysis.text.code_texts`.

Importing the package has no side effects and imports no heavy library; the names below are
loaded on first use. See :mod:`analysis.paths` for locations and :mod:`analysis.cli` for the
``analysis`` command.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

SURVEYS = ("partner_2021", "municipality_2023")
"""The two surveys, named the same everywhere (CLI, folders, parameters)."""

_LAZY = {
    "load": ("analysis.data.dataset", "load"),
    "Dataset": ("analysis.data.dataset", "Dataset"),
    "analyse": ("analysis.surveys.analysis", "analyse"),
    "SurveyAnalysis": ("analysis.surveys.analysis", "SurveyAnalysis"),
    "Section": ("analysis.report.section", "Section"),
}


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = ["SURVEYS", "Dataset", "Section", "SurveyAnalysis", "__version__", "analyse", "load"]
