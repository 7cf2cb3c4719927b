"""Pickled objects whose heavy attributes are unpickled only when they are used.

The analysis cache (:mod:`analysis.surveys.cache`) stores a whole
:class:`~analysis.surveys.analysis.SurveyAnalysis`: the processed data, every section's tables
and matplotlib figures. A report notebook only *displays* the sections (their HTML is rendered
when the cache is written), so unpickling the DataFrames and figures — and importing pandas and
matplotlib to do it — would be wasted in the kernel. A class that mixes in :class:`LazyFields`
pickles the attributes named in ``_lazy_fields`` as one separate blob; after unpickling they
are restored on first access (any access, read or write), all at once.

>>> class Box(LazyFields):
...     _lazy_fields = ("heavy",)
...     def __init__(self):
...         self.name, self.heavy = "box", [1, 2, 3]
>>> b = Box.__new__(Box)
>>> b.__setstate__(Box().__getstate__())        # what pickle.loads(pickle.dumps(...)) does
>>> b.is_packed(), b.name, b.is_packed()
(True, 'box', True)
>>> b.heavy, b.is_packed()
([1, 2, 3], False)
"""

from __future__ import annotations

import pickle
from typing import Any

__all__ = ["LazyFields"]

_BLOB = "_lazy_blob"


class LazyFields:
    """Mixin: the attributes in ``_lazy_fields`` are pickled apart and unpickled on demand."""

    _lazy_fields: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if _BLOB not in state:  # live object: pack its heavy attributes into one blob
            heavy = {name: state.pop(name) for name in self._lazy_fields if name in state}
            state[_BLOB] = pickle.dumps(heavy, protocol=pickle.HIGHEST_PROTOCOL)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        # only called when the normal lookup fails: a lazy attribute not unpacked yet
        if name in type(self)._lazy_fields and _BLOB in self.__dict__:
            self._unpack()
            if name in self.__dict__:
                return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def is_packed(self) -> bool:
        """Whether the lazy attributes are still a pickled blob (never accessed since loading)."""
        return _BLOB in self.__dict__

    def _unpack(self) -> None:
        blob = self.__dict__.pop(_BLOB)
        for name, value in pickle.loads(blob).items():  # noqa: S301 - written by __getstate__
            self.__dict__.setdefault(name, value)  # a value assigned since loading wins
        self._unpacked()

    def _unpacked(self) -> None:
        """Hook: called once the lazy attributes are back (e.g. to drop a pre-rendered view)."""
