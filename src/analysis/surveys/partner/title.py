"""What the partner report's notebook needs before and beside its analysis: the survey it is
written for (:func:`require_survey`) and the page title (:func:`title_html`).

Kept free of pandas and the statistics so that a report kernel that loads its analysis from the
cache imports neither.
"""

from __future__ import annotations

from analysis.errors import ConfigError
from analysis.report import html as render

SURVEY = "partner_2021"


def require_survey(survey: str) -> str:
    """Refuse any survey but ``partner_2021`` (before anything is loaded).

    >>> require_survey("partner_2021")
    'partner_2021'
    >>> require_survey("municipality_2023")
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: Den här rapporten gäller partner_2021, inte 'municipality_2023'.
    """
    if survey != SURVEY:
        raise ConfigError(f"Den här rapporten gäller {SURVEY}, inte {survey!r}.")
    return survey


def title_html(analysis) -> str:
    """The page's H1 and one line saying how the report is built."""
    frame = (analysis.dataset.codebook.frame or {}).get("size") if analysis.dataset else None
    asked = f" till {frame} utvalda samarbetspartner" if frame else ""
    return render.join(
        render.heading("Region Västerbotten som samarbetspartner – enkäten 2021", 1),
        render.paragraph(
            f"Enkäten{asked} 2021, analyserad på nytt. Först kommer det viktigaste; hur "
            "siffrorna har tagits fram står i bilagan sist."
        ),
    )


__all__ = ["SURVEY", "require_survey", "title_html"]
