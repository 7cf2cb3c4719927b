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

from analysis.pipeline.registry import (  # noqa: F401 - the implicit overviews live in the registry
    OVERVIEW_NOTEBOOK,
    overview_name,
    with_survey_overviews,
)
