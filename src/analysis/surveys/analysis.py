"""One analysis per survey: :func:`analyse` → :class:`SurveyAnalysis`.

Every report of a survey — the generic overview and the survey's own report — is drawn from one
:class:`SurveyAnalysis`: the processed data, one :class:`~analysis.disclosure.policy.DisclosurePolicy`
and the ordered :class:`~analysis.report.section.Section` objects. The same question therefore never
gets two different counts or two different disclosure decisions in two reports.

The two parts — the survey's own report (:attr:`SurveyAnalysis.sections`) and the generic
overview (:attr:`SurveyAnalysis.overview`) — are built when first used, so the overview notebook
never builds the report's sections. The analysis is cached beside the processed data
(:mod:`analysis.surveys.cache`: ``<processed>/.analysis/<key>.pickle``, keyed by the processed
files' hashes, the codebook, the policy, the parameters and the package's source) with every
part built so far; ``analysis run`` computes each survey's analysis once before the report
kernels start, and every report of that survey only loads it.

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

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.disclosure.policy import DisclosurePolicy, policy_for
from analysis.errors import ConfigError
from analysis.lazystate import LazyFields
from analysis.surveys import cache as _cache

if TYPE_CHECKING:  # pragma: no cover
    from analysis.data.dataset import Dataset
    from analysis.report.section import Section

SURVEY_SECTIONS: dict[str, str] = {
    "partner_2021": "analysis.surveys.partner:sections",
    "municipality_2023": "analysis.surveys.municipality:sections",
}
"""Survey id → ``module:function`` building that survey's own report sections. A survey without
an entry has the generic overview only."""

PARTS = ("overview", "report")
"""The parts of an analysis: the generic overview and the survey's own report."""

_PART_ATTR = {"overview": "overview", "report": "sections"}


@dataclass(init=False, repr=False, eq=False)  # a dataclass for dataclasses.replace(); parts lazy
class SurveyAnalysis(LazyFields):
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
        The survey's own report, in reading order (empty for a survey without one); built on
        first use.
    overview : list of Section
        The generic overview (every question by its type); built on first use.
    """

    survey: str
    dataset: Dataset
    policy: DisclosurePolicy
    params: dict[str, Any]
    extras: dict[str, Any]

    _lazy_fields = ("extras",)
    cache_format = _cache.CACHE_FORMAT

    def __init__(
        self,
        survey: str,
        dataset: Dataset,
        policy: DisclosurePolicy,
        params: dict[str, Any] | None = None,
        sections: list[Section] | None = None,
        overview: list[Section] | None = None,
        extras: dict[str, Any] | None = None,
    ) -> None:
        self.survey = survey
        self.dataset = dataset
        self.policy = policy
        self.params = dict(params or {})
        self.extras = dict(extras or {})
        if sections is not None:
            self.sections = list(sections)
        if overview is not None:
            self.overview = list(overview)

    def __repr__(self) -> str:
        return (
            f"SurveyAnalysis(survey={self.survey!r}, policy={self.policy!r}, "
            f"params={self.params!r}, parts={self.built_parts()!r})"
        )

    def __getattr__(self, name: str) -> Any:
        for part, attr in _PART_ATTR.items():
            if name == attr:
                self.build(part)
                return self.__dict__[attr]
        return super().__getattr__(name)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        for private in ("_cache_file", "_building"):
            state.pop(private, None)
        return state

    # ------------------------------------------------------------------ parts
    def built_parts(self) -> tuple[str, ...]:
        """The parts built so far (``"overview"``, ``"report"``)."""
        return tuple(p for p in PARTS if _PART_ATTR[p] in self.__dict__)

    def build(self, *parts: str) -> SurveyAnalysis:
        """Build *parts* (default: both) unless built; the cache is updated once afterwards.

        An analysis loaded from (or stored in) the cache first takes the analysis's lock and
        reads the cache again: when another process stored the parts meanwhile, they are
        loaded instead of computed (:mod:`analysis.surveys.cache`).
        """
        for part in parts or PARTS:
            if part not in PARTS:
                raise ValueError(f"part must be one of {PARTS}, not {part!r}")
        missing = [p for p in parts or PARTS if _PART_ATTR[p] not in self.__dict__]
        path = self.__dict__.get("_cache_file")
        if not missing:
            return self
        if path is None or self.__dict__.get("_building", 0):
            return self._build(missing, path)
        with _cache.acquire(path):
            fresh = _cache.read(path, SurveyAnalysis)
            if fresh is not None and {*self.built_parts(), *missing} <= {*fresh.built_parts()}:
                self._adopt(fresh)
                return self
            return self._build(missing, path)

    def _build(self, missing: list[str], path: Path | None) -> SurveyAnalysis:
        depth = self.__dict__.get("_building", 0)
        self.__dict__["_building"] = depth + 1  # nested builds neither lock nor store
        built = False
        try:
            for part in missing:
                attr = _PART_ATTR[part]
                if attr in self.__dict__:  # built on the way (the report builds the overview)
                    continue
                built = True
                if part == "overview":
                    from analysis.surveys.overview.page import sections as overview

                    value = overview(self)
                else:
                    builder = SURVEY_SECTIONS.get(self.survey)
                    value = _builder(builder)(self) if builder else []
                self.__dict__[attr] = value
        finally:
            self.__dict__["_building"] = depth
        if built and depth == 0 and path is not None:
            _cache.write(path, self)
        return self

    def _adopt(self, other: SurveyAnalysis) -> None:
        """Take *other*'s parts and extras (the same analysis, stored by another process)."""
        for name in (*self._lazy_fields, *_PART_ATTR.values(), "_lazy_blob"):
            self.__dict__.pop(name, None)
        keep = {"dataset", "_cache_file", "_building"}
        self.__dict__.update({k: v for k, v in other.__dict__.items() if k not in keep})

    # ------------------------------------------------------------------ access
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
        searched: list[Section] = []
        for name in ("report", "overview") if part is None else (part,):
            pool = self.sections if name == "report" else self.overview
            for s in pool:
                if s.id == section_id:
                    return s
            searched.extend(pool)
        known = ", ".join(s.id for s in searched)
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


def analyse(
    survey: str | Dataset,
    *,
    input: str | Path | None = None,
    audience: str = "public",
    min_cell: int | None = None,
    confidence: float = 0.95,
    themes: str | Path | None = None,
    cache: bool = True,
    parts: Iterable[str] = (),
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
        Reuse (and store) the analysis beside the processed data (:mod:`analysis.surveys.cache`).
    parts : iterable of str
        Parts to build now (``"overview"``, ``"report"``); the others are built on first use.

    Returns
    -------
    SurveyAnalysis
    """
    from analysis.data import store
    from analysis.data.dataset import Dataset, load

    if not 0 < float(confidence) < 1:
        raise ConfigError(f"Parametern confidence måste ligga mellan 0 och 1, inte {confidence!r}.")
    params = {"confidence": float(confidence), "themes": str(themes) if themes else ""}
    if isinstance(survey, Dataset):
        result = _new(survey, audience, min_cell, params)
        if cache:
            key = _cache.cache_key(
                survey.processed_dir,
                survey.manifest,
                survey.codebook.sha256,
                result.policy,
                params,
            )
            result = _cached(result, _cache.cache_path(survey.processed_dir, key))
        return result.build(*parts)
    from analysis import paths

    root = Path(input) if input else paths.processed_dir(str(survey))
    if not cache:
        return _new(load(str(survey), processed=root), audience, min_cell, params).build(*parts)
    with store.pin(root) as pinned:  # one version for the key, the cache and the data
        folder, version = pinned.version.path, pinned.version.id
        path = _locate(str(survey), folder, audience, min_cell, params, warn=True)
        wanted = set(parts)
        found = _cache.read(path, SurveyAnalysis)
        if found is None or not wanted <= set(found.built_parts()):
            with _cache.acquire(path):  # another process computing it: wait, then load
                found = _cache.read(path, SurveyAnalysis)
                if found is None or not wanted <= set(found.built_parts()):
                    result = _new(load(str(survey), processed=folder), audience, min_cell, params)
                    result = _cached(result, path, found)
                    # under the lock already: build (and store) without taking it again
                    return result._build([p for p in parts if p not in result.built_parts()], path)
        found.dataset.processed_dir, found.dataset.version = folder, version
        found.__dict__["_cache_file"] = path
        return found


def cache_file(
    survey: str,
    *,
    input: str | Path,
    audience: str = "public",
    min_cell: int | None = None,
    confidence: float = 0.95,
    themes: str | Path | None = None,
) -> Path:
    """Where :func:`analyse` with these arguments stores its analysis; *input* is one concrete
    folder of processed data (a version folder). Reads the manifest and the codebook only."""
    params = {"confidence": float(confidence), "themes": str(themes) if themes else ""}
    return _locate(survey, Path(input), audience, min_cell, params)


def _locate(survey: str, folder: Path, audience, min_cell, params, *, warn=False) -> Path:
    from analysis.data.codebook import load_codebook
    from analysis.data.dataset import read_manifest, warn_if_codebook_changed

    manifest = read_manifest(survey, folder)
    codebook = load_codebook(survey)
    if warn:
        warn_if_codebook_changed(survey, manifest, codebook, stacklevel=4)
    policy = _policy(codebook, survey, audience, min_cell)
    key = _cache.cache_key(folder, manifest, codebook.sha256, policy, params)
    return _cache.cache_path(folder, key)


def _policy(codebook, survey: str, audience: str, min_cell: int | None) -> DisclosurePolicy:
    return policy_for(
        codebook.disclosure,
        survey=survey,
        audience=audience,
        min_cell=None if min_cell in (None, 0) else int(min_cell),
    )


def _new(ds: Dataset, audience: str, min_cell, params: dict) -> SurveyAnalysis:
    policy = _policy(ds.codebook, ds.survey, audience, min_cell)
    return SurveyAnalysis(survey=ds.survey, dataset=ds, policy=policy, params=params)


def _cached(
    result: SurveyAnalysis, path: Path, found: SurveyAnalysis | None = None
) -> SurveyAnalysis:
    """*result* attached to its cache file (or the cached analysis there, when readable)."""
    if found is None:
        found = _cache.read(path, SurveyAnalysis)
    if found is not None:
        found.dataset = result.dataset
        result = found
    result.__dict__["_cache_file"] = path
    return result


__all__ = ["PARTS", "SURVEY_SECTIONS", "SurveyAnalysis", "analyse", "cache_file"]
