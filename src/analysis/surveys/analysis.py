"""One analysis per survey: :func:`analyse` → :class:`SurveyAnalysis`.

Every report of a survey — the generic overview and the survey's own report — is drawn from one
:class:`SurveyAnalysis`: the processed data, one :class:`~analysis.disclosure.policy.DisclosurePolicy`
and the ordered :class:`~analysis.report.section.Section` objects. The same question therefore never
gets two different counts or two different disclosure decisions in two reports.

The analysis is cached beside the processed data (``<processed>/.analysis/<key>.pickle``), keyed by
the processed files' hashes, the codebook, the parameters and the package's source, so that a
second report of the same survey does not recompute it.

>>> import tempfile
>>> from analysis.data.ingest import ingest
>>> out = tempfile.mkdtemp()
>>> _ = ingest("partner_2021", out_dir=out)
>>> a = analyse("partner_2021", input=out, cache=False)
>>> a.policy.min_cell, len(a.sections) >= 6
(5, True)
>>> type(a.section("fraga-q3").tables["andelar"]["andel"].iloc[0]).__name__
'float64'
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.disclosure.policy import DisclosurePolicy, policy_for
from analysis.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from analysis.data.dataset import Dataset
    from analysis.report.section import Section

SURVEY_SECTIONS: dict[str, str] = {
    "partner_2021": "analysis.surveys.partner:sections",
    "municipality_2023": "analysis.surveys.municipality:sections",
}
"""Survey id → ``module:function`` building that survey's own report sections. A survey without
an entry has the generic overview only."""

CACHE_FORMAT = 1


@dataclass
class SurveyAnalysis:
    """The analysis of one survey: data, disclosure policy and report sections.

    Attributes
    ----------
    survey : str
    dataset : analysis.data.dataset.Dataset
        The processed data the analysis was computed from.
    policy : analysis.disclosure.policy.DisclosurePolicy
        The one disclosure decision every section obeys.
    params : dict
        The analysis parameters (``confidence``, ``themes`` …).
    sections : list of Section
        The survey's own report, in reading order (empty for a survey without one).
    overview : list of Section
        The generic overview (every question by its type).
    """

    survey: str
    dataset: Dataset
    policy: DisclosurePolicy
    params: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    overview: list[Section] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def synthetic(self) -> bool:
        """Whether the data are the synthetic demo data."""
        return bool(self.dataset.synthetic)

    def section(self, section_id: str, *, part: str | None = None) -> Section:
        """The section with id *section_id*.

        *part* is ``"report"`` (the survey's own report), ``"overview"`` (the generic overview)
        or ``None`` (the report first, then the overview). Ids are unique within a part, not
        across parts: the overview notebook asks for ``part="overview"``.
        """
        if part not in (None, "report", "overview"):
            raise ValueError("part must be 'report', 'overview' or None")
        pool = {
            None: [*self.sections, *self.overview],
            "report": self.sections,
            "overview": self.overview,
        }[part]
        for s in pool:
            if s.id == section_id:
                return s
        known = ", ".join(s.id for s in pool)
        raise KeyError(f"okänt avsnitt {section_id!r} (kända: {known})")

    def overview_questions(self) -> list[Section]:
        """The overview's "Frågorna en och en" section followed by one section per question."""
        return [s for s in self.overview if s.id == "fragorna" or s.id.startswith("fraga-")]

    def __getitem__(self, section_id: str) -> Section:
        return self.section(section_id)

    def tables(self) -> dict[tuple[str, str], Any]:
        """Every table of every section: ``(section id, table name) → DataFrame``."""
        return {(s.id, k): v for s in [*self.sections, *self.overview] for k, v in s.tables.items()}

    def _repr_html_(self) -> str:
        from analysis.report import html as render

        rows = "".join(
            f"<li><code>{render._esc(s.id)}</code> – {render._esc(s.title)} "
            f"({len(s.tables)} tabeller, {len(s.figures)} figurer)</li>"
            for s in [*self.sections, *self.overview]
        )
        demo = " (demodata)" if self.synthetic else ""
        return (
            f"<p><strong>{render._esc(self.survey)}</strong>{demo}: {self.dataset.n} svarande. "
            f"{render._esc(self.policy.describe())}</p><ul>{rows}</ul>"
        )


def _builder(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _cache_key(ds: Dataset, policy: DisclosurePolicy, params: dict[str, Any]) -> str:
    from analysis import __version__
    from analysis.sourcehash import package_source_hash

    h = hashlib.sha256()
    for part in (
        CACHE_FORMAT,
        __version__,
        package_source_hash(),
        ds.manifest.get("source_sha256"),
        ds.manifest.get("codebook_sha256"),
        ds.codebook.sha256,
        json.dumps(ds.manifest, sort_keys=True, default=str),
        repr(policy),
        json.dumps(params, sort_keys=True, default=str),
    ):
        h.update(str(part).encode())
        h.update(b"\0")
    for name in ("responses.parquet", "answers.parquet"):
        p = Path(ds.processed_dir) / name
        if p.is_file():
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:32]


def _read_cache(path: Path) -> SurveyAnalysis | None:
    try:
        with path.open("rb") as fh:
            obj = pickle.load(fh)  # noqa: S301 - our own cache, written by _write_cache
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        return None
    return obj if isinstance(obj, SurveyAnalysis) else None


def _write_cache(path: Path, analysis: SurveyAnalysis) -> None:
    from analysis.atomic import write_bytes

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a cache that cannot be written only costs time


def analyse(
    survey: str | Dataset,
    *,
    input: str | Path | None = None,
    audience: str = "public",
    min_cell: int | None = None,
    confidence: float = 0.95,
    themes: str | Path | None = None,
    cache: bool = True,
) -> SurveyAnalysis:
    """Analyse one survey: every section of its reports, under its disclosure policy.

    Parameters
    ----------
    survey : str or Dataset
        A survey id (its processed data are loaded with :func:`analysis.load`) or a loaded
        :class:`~analysis.data.dataset.Dataset`.
    input : str or Path, optional
        Folder with the processed data (default ``data/processed/<survey>``).
    audience : {"public", "internal"}
        ``public`` applies the survey's disclosure policy; ``internal`` shows exact counts.
    min_cell : int, optional
        Raise the public threshold above the codebook's policy (``None``/0: the policy's value).
    confidence : float
        Confidence level of intervals.
    themes : str or Path, optional
        Theme codebook for free-text coding (default: the survey's ``themes.yaml``).
    cache : bool
        Reuse (and store) the analysis beside the processed data.

    Returns
    -------
    SurveyAnalysis
    """
    from analysis.data.dataset import Dataset, load

    if isinstance(survey, Dataset):
        ds = survey
    else:
        ds = load(str(survey), processed=str(input) if input else None)
    if not 0 < float(confidence) < 1:
        raise ConfigError(f"Parametern confidence måste ligga mellan 0 och 1, inte {confidence!r}.")
    policy = policy_for(
        ds.codebook.disclosure,
        survey=ds.survey,
        audience=audience,
        min_cell=None if min_cell in (None, 0) else int(min_cell),
    )
    params = {"confidence": float(confidence), "themes": str(themes) if themes else ""}
    cache_path = None
    if cache:
        key = _cache_key(ds, policy, params)
        cache_path = Path(ds.processed_dir) / ".analysis" / f"{key}.pickle"
        cached = _read_cache(cache_path)
        if cached is not None:
            cached.dataset = ds
            return cached
    result = SurveyAnalysis(survey=ds.survey, dataset=ds, policy=policy, params=params)
    from analysis.surveys import overview

    result.overview = overview.sections(result)
    builder = SURVEY_SECTIONS.get(ds.survey)
    if builder:
        result.sections = _builder(builder)(result)
    if cache_path is not None:
        _write_cache(cache_path, result)
    return result


__all__ = ["SURVEY_SECTIONS", "SurveyAnalysis", "analyse"]
