"""What every section builder needs: the coded survey, the disclosure policy and quote blocks.

:class:`Context` bundles the :class:`~analysis.surveys.municipality.model.Analysis`, the survey's
:class:`~analysis.disclosure.policy.DisclosurePolicy` and the dataset, and offers the three
operations every section uses in the same way:

* :meth:`Context.hide` — disclosure control of a count table (shared suppression);
* :meth:`Context.phrase` — "9 av 15 kommuner" for a count that is shown (``None`` when hidden);
* :meth:`Context.add_quotes` — quotes chosen by :func:`analysis.text.quotes.select_quotes`,
  masked for the public (never the names the questions are about) or attributed internally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.surveys.municipality.counts import hide_small
from analysis.surveys.municipality.wording import count_phrase

if TYPE_CHECKING:  # pragma: no cover
    from analysis.disclosure.policy import DisclosurePolicy
    from analysis.report.section import Section
    from analysis.surveys.municipality.model import Analysis
    from analysis.text.quotes import Quote

__all__ = ["Context"]


@dataclass
class Context:
    """The coded survey plus the one disclosure decision, for the section builders.

    Attributes
    ----------
    a : Analysis
    policy : DisclosurePolicy
    dataset : Dataset or None
        The processed data (manifest, wide table); ``None`` in small tests.
    themes : ThemeCodebook or None
    """

    a: Analysis
    policy: DisclosurePolicy
    dataset: Any = None
    themes: Any = None

    @property
    def total(self) -> int:
        return self.a.total

    @property
    def public(self) -> bool:
        return self.policy.public

    @property
    def synthetic(self) -> bool:
        ds = self.dataset
        if ds is None:
            return False
        manifest = getattr(ds, "manifest", None) or {}
        return bool(getattr(ds, "synthetic", manifest.get("synthetic", False)))

    # ---------------------------------------------------------------- disclosure
    def hide(self, table: pd.DataFrame | pd.Series, *, totals_known: bool = False):
        """*table* as floats with the counts the policy hides set to ``NaN`` (see
        :func:`analysis.surveys.municipality.counts.hide_small`)."""
        return hide_small(table, self.policy.min_cell, totals_known=totals_known)

    def phrase(self, n: float | None, total: int | None = None, **kw: str) -> str | None:
        """ "9 av 15 kommuner" — or ``None`` when the count is hidden (``NaN``) by the policy."""
        if n is None or pd.isna(n) or self.policy.hidden(float(n)):
            return None
        return count_phrase(int(n), self.total if total is None else total, **kw)

    # ---------------------------------------------------------------- quotes
    def keep_names(self, about: str | Sequence[str] | None = None) -> list[str]:
        """The names never masked: the policy's ``keep_names`` plus *about*."""
        extra = [about] if isinstance(about, str) else list(about or [])
        return [*self.policy.keep_names, *extra]

    def quote_texts(self, quotes: Sequence[Quote], sources: Sequence[str], about=None) -> list[str]:
        """Quotes as published: masked and unattributed in public, attributed internally."""
        from analysis.text.quotes import mask_quote

        keep = self.keep_names(about)
        out = []
        for q in quotes:
            if self.policy.mask_respondent_names:
                text = mask_quote(q.text, keep=keep, themes=self.themes)
            else:
                text = q.text
            if self.policy.quotes_attributed:
                text = f"{text} — {sources[q.source]}"
            out.append(text)
        return out

    def choose_quotes(
        self, rows: pd.DataFrame, *, k: int = 3, about: str | None = None
    ) -> tuple[list[Quote], list[str]]:
        """Quotes among the answers in *rows* (columns ``kommun``, ``text``) and their sources."""
        from analysis.text.quotes import select_quotes

        texts = rows["text"].astype(str).tolist()
        sources = rows["kommun"].astype(str).tolist()
        return select_quotes(texts, k=k, keep=self.keep_names(about), about=about), sources

    def add_quotes(
        self,
        section: Section,
        rows: pd.DataFrame,
        caption: str,
        *,
        k: int = 3,
        about: str | None = None,
    ) -> int:
        """Add up to *k* quotes from *rows* to *section*; returns how many were added."""
        quotes, sources = self.choose_quotes(rows, k=k, about=about)
        if quotes:
            section.quotes(self.quote_texts(quotes, sources, about), caption=caption)
        return len(quotes)
