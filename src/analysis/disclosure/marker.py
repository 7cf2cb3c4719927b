"""The one marker shown in place of a hidden (suppressed) or missing value: an en dash.

Kept apart from :mod:`analysis.disclosure.suppression` (which needs pandas) so that rendering
code can use it without importing pandas.
"""

SUPPRESSED = "–"
"""Shown in place of a suppressed or missing value (an en dash)."""

__all__ = ["SUPPRESSED"]
