"""Who a report is written for — the ``audience`` parameter every report notebook takes.

``public`` (the default) is publishable: small groups suppressed, names in quotes masked, no
attribution. ``internal`` shows attributed answers and exact counts and must not be published.

>>> check_audience(" Public ")
'public'
>>> check_audience("alla")
Traceback (most recent call last):
...
analysis.errors.ConfigError: Parametern audience måste vara 'public' eller 'internal', inte 'alla'.
"""

from __future__ import annotations

from analysis.errors import ConfigError

AUDIENCES = ("public", "internal")


def check_audience(audience: str) -> str:
    """Return the normalised audience (case and surrounding spaces ignored) or raise ConfigError."""
    a = str(audience).strip().lower()
    if a not in AUDIENCES:
        raise ConfigError(
            f"Parametern audience måste vara 'public' eller 'internal', inte {audience!r}."
        )
    return a
