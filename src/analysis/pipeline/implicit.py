"""Reports every survey has without a line in ``reports.yaml``: the overview.

The generic overview (``notebooks/survey_overview.ipynb``) works for any valid codebook. For every
survey found in ``data/raw/`` (:func:`analysis.data.surveys.discover`) that the registry does not
already list as ``overview_<survey>``, :func:`with_survey_overviews` adds that entry, so

.. code-block:: bash

    analysis ingest my_survey_2026
    analysis run overview_my_survey_2026

builds the overview of a new survey with no code change and no edit of ``reports.yaml``. An
entry written in ``reports.yaml`` wins (to give it another title or parameters).

>>> from analysis.pipeline.registry import ReportSpec
>>> reg = with_survey_overviews({})
>>> reg["overview_partner_2021"].parameters
{'survey': 'partner_2021'}
>>> reg["overview_partner_2021"].title
'Översikt – Region Västerbotten som samarbetspartner – enkät till utvalda samarbetspartner 2021'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from analysis import paths

__all__ = ["OVERVIEW_NOTEBOOK", "overview_name", "with_survey_overviews"]

OVERVIEW_NOTEBOOK = "notebooks/survey_overview.ipynb"
"""The generic overview notebook, relative to the project root."""


def overview_name(survey: str) -> str:
    """The report name of a survey's overview.

    >>> overview_name("partner_2025")
    'overview_partner_2025'
    """
    return f"overview_{survey}"


def _title(survey: str) -> str:
    """ "Översikt – <codebook title>" (the survey id when the codebook cannot be read: the broken
    codebook is then reported, as one line, when the report's parameters are checked)."""
    from analysis.data.codebook import Codebook
    from analysis.errors import ConfigError

    try:
        title = Codebook.load(paths.codebook_path(survey)).title
    except ConfigError:
        title = ""
    return f"Översikt – {title or survey}"


def with_survey_overviews(registry: Mapping, base: Path | None = None) -> dict:
    """*registry* plus an ``overview_<survey>`` entry for each discovered survey lacking one.

    Parameters
    ----------
    registry : mapping of str to ReportSpec
        The registry read from ``reports.yaml`` (not modified).
    base : Path, optional
        The folder notebook paths are relative to (default: the project root).

    Returns
    -------
    dict
        A new registry: the given entries in their order, then the implicit overviews sorted by
        survey. Nothing is added when the overview notebook does not exist.
    """
    from analysis.data.surveys import discover
    from analysis.pipeline.registry import ReportSpec

    out = dict(registry)
    notebook = (Path(base) if base is not None else paths.project_root()) / OVERVIEW_NOTEBOOK
    if not notebook.is_file():
        return out
    for survey in discover():
        name = overview_name(survey)
        if name not in out:
            out[name] = ReportSpec(
                name,
                notebook,
                _title(survey),
                {"survey": survey},
                description="Alla frågor i enkäten, en i taget, med antal och andelar.",
            )
    return out
