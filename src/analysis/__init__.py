"""Survey analysis for Region Västerbotten: any survey described by a codebook in ``data/raw/``.

The researcher's entry points::

    from analysis import load, analyse, SURVEYS
    ds = load("partner_2021")          # processed data: .wide, .long, .manifest, .codebook
    a = analyse("partner_2021")        # every report section: a.sections, a.overview
    a.section("rus").tables            # the numbers (DataFrames), a.section("rus").figures

and the building blocks for ad-hoc work: :func:`analysis.stats.proportion_ci`,
:func:`analysis.stats.share_table`, :func:`analysis.stats.crosstab`,
:func:`analysis.text.code_texts`.

Importing the package has no side effects and imports no heavy library; the names below are
loaded on first use; ``SURVEYS`` is the tuple of surveys found in ``data/raw/`` when it is read
(:func:`analysis.data.surveys.discover`). See :mod:`analysis.paths` for locations and :mod:`analysis.cli` for the
``analysis`` command.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

_LAZY = {
    "load": ("analysis.data.dataset", "load"),
    "Dataset": ("analysis.data.dataset", "Dataset"),
    "analyse": ("analysis.surveys.analysis", "analyse"),
    "SurveyAnalysis": ("analysis.surveys.analysis", "SurveyAnalysis"),
    "Section": ("analysis.report.section", "Section"),
}


def __getattr__(name: str):
    if name == "SURVEYS":  # the surveys are data: folders of data/raw with a codebook.yaml
        from analysis.data.surveys import discover

        return discover()  # computed on every access, never at import time
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY, "SURVEYS"])


__all__ = ["SURVEYS", "Dataset", "Section", "SurveyAnalysis", "__version__", "analyse", "load"]
