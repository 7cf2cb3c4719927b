"""Tolerant access to datasets and codebooks (dataclasses, namespaces or plain dicts)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.errors import ConfigError
from analysis.report import html as render

SUPPRESSED = render.SUPPRESSED
COLUMN_LABELS = {"antal": "Antal", "andel": "Andel", "ki": "95 % konfidensintervall"}


# --------------------------------------------------------------------------------------------
# Access helpers (tolerant of dataclasses, namespaces and plain dicts)
# --------------------------------------------------------------------------------------------
def _get(obj, name: str, default=None):
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _wide(ds) -> pd.DataFrame:
    for name in ("wide", "responses"):
        value = _get(ds, name)
        if isinstance(value, pd.DataFrame):
            return value
    raise TypeError("the dataset has no wide responses table (.wide / .responses)")


def _codebook(ds):
    return _get(ds, "codebook")


def _questions(ds) -> list:
    return list(_get(_codebook(ds), "questions", []) or [])


def _labels(q) -> list[str]:
    return [str(_get(o, "label")) for o in (_get(q, "options") or [])]


def _non_substantive(q) -> list[str]:
    return [str(x) for x in (_get(q, "non_substantive") or [])]


def _check_min_cell(min_cell: int) -> int:
    if int(min_cell) < 1:
        raise ConfigError(f"Parametern min_cell måste vara minst 1, inte {min_cell!r}.")
    return int(min_cell)


def frame_size(codebook) -> int | None:
    """Size of the sample frame from ``codebook.frame`` (``None`` without a frame).

    >>> frame_size({"frame": {"file": "x.csv", "size": 43}}), frame_size({"frame": None})
    (43, None)
    """
    frame = _get(codebook, "frame")
    if frame is None:
        return None
    size = _get(frame, "size")
    return int(size) if size else None


def _question_label(q) -> str:
    number = _get(q, "number")
    text = str(_get(q, "text", "")).strip()
    return f"Fråga {number}. {text}" if number is not None else text
