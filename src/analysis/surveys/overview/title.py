"""The overview page's title (:func:`title_html`), kept free of pandas so that a report kernel
that loads its analysis from the cache does not import it."""

from __future__ import annotations

from collections.abc import Mapping

from analysis.disclosure.audience import check_audience
from analysis.report import html as render


def _get(obj, name: str, default=None):
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def title_html(ds, *, audience: str = "public") -> str:
    """The page's H1 (the survey's title) and a short introduction."""
    audience = check_audience(audience)
    cb = _get(ds, "codebook")
    title = str(_get(cb, "title") or _get(cb, "survey") or "Enkäten")
    version = (
        "intern version – innehåller fritextsvar, får inte publiceras"
        if audience == "internal"
        else "publik version"
    )
    parts = [
        render.heading(f"Översikt: {title}", 1),
        render.paragraph(
            f"Alla frågor i enkäten, en i taget, redovisade efter frågetyp ({version}). "
            "Andelar anges med 95 % konfidensintervall."
        ),
    ]
    if audience == "internal":
        parts.append(
            render.notice(
                "Intern version: fritextsvar visas ordagrant (efter maskning av personuppgifter) och små grupper undertrycks inte."
            )
        )
    return render.join(*parts)


__all__ = ["title_html"]
