"""Two rounds of a series compared: :func:`analyse_trend`.

The result is cached like a survey's analysis (:mod:`analysis.surveys.cache`), beside the later
round's data (``.analysis/trend-<key>.pickle``, the key covering both rounds' data, codebooks,
the policy, the parameters and the package source); the statistics are imported only when the
analysis is computed.
"""

from __future__ import annotations

import contextlib
import hashlib
import warnings
from pathlib import Path

from analysis.errors import ConfigError
from analysis.surveys import cache as _cache
from analysis.surveys.trend.model import Round, TrendAnalysis, _policy

__all__ = ["analyse_trend", "trend_cache_file"]


def analyse_trend(
    survey: str = "partner_2025",
    *,
    baseline: str = "partner_2021",
    input: str | Path | None = "",
    baseline_input: str | Path | None = "",
    audience: str = "public",
    min_cell: int | None = 0,
    confidence: float = 0.95,
    cache: bool = True,
) -> TrendAnalysis:
    """Compare the rounds *baseline* (earlier) and *survey* (later) of one series.

    Parameters
    ----------
    survey, baseline : str
        Survey ids of the later and the earlier round; both codebooks must declare the same
        ``series`` and ``baseline``'s ``round`` must be the earlier.
    input, baseline_input : str or Path, optional
        Folders with the processed data (empty: ``data/processed/<survey>``).
    audience : {"public", "internal"}
    min_cell : int, optional
        0 or ``None``: the codebooks' policy; may raise, never lower it in public.
    confidence : float
        Confidence level of the intervals.
    cache : bool
        Reuse (and store) the analysis beside the later round's data.

    Returns
    -------
    TrendAnalysis

    Raises
    ------
    ConfigError
        Rounds of different series, in the wrong order, or a codebook without series/round.
    """
    from analysis.disclosure.audience import check_audience

    audience = check_audience(audience)
    if not 0 < float(confidence) < 1:
        raise ConfigError(f"Parametern confidence måste ligga mellan 0 och 1, inte {confidence!r}.")
    args = (survey, baseline, input, baseline_input, audience, min_cell, float(confidence))
    with contextlib.ExitStack() as pins:
        path, rounds = _locate(*args, pins=pins)
        if not cache:
            return _compute(*rounds, audience, min_cell, float(confidence))
        found = _cache.read(path, TrendAnalysis)
        if found is None:
            with _cache.acquire(path):  # another process computing it: wait, then load
                found = _cache.read(path, TrendAnalysis)
                if found is None:
                    result = _compute(*rounds, audience, min_cell, float(confidence))
                    _cache.write(path, result)
                    return result
        for cached, (folder, version, _) in zip((found.a, found.b), rounds, strict=True):
            cached.dataset.processed_dir, cached.dataset.version = folder, version
        return found


def trend_cache_file(
    survey: str = "partner_2025",
    *,
    baseline: str = "partner_2021",
    input: str | Path | None = "",
    baseline_input: str | Path | None = "",
    audience: str = "public",
    min_cell: int | None = 0,
    confidence: float = 0.95,
) -> Path:
    """Where :func:`analyse_trend` with these arguments stores its analysis (no data read)."""
    args = (survey, baseline, input, baseline_input, audience, min_cell, float(confidence))
    with contextlib.ExitStack() as pins:
        return _locate(*args, pins=pins)[0]


def _locate(survey, baseline, input, baseline_input, audience, min_cell, confidence, *, pins):
    """The cache file and, per round (earlier first), ``(version folder, version id, codebook)``;
    checks the rounds as :func:`analyse_trend` documents. The versions stay pinned in *pins*."""
    from analysis.data.codebook import load_codebook
    from analysis.data.dataset import read_manifest, warn_if_codebook_changed

    rounds, parts = [], []
    for name, given in ((baseline, baseline_input), (survey, input)):
        pinned = pins.enter_context(_pin(name, given))
        folder = pinned.version.path
        manifest = read_manifest(name, folder)
        codebook = load_codebook(name)
        warn_if_codebook_changed(name, manifest, codebook, stacklevel=4)
        if codebook.series is None or codebook.round is None:
            raise ConfigError(
                f"{codebook.path or name}: kodboken anger ingen 'series' och 'round'; bara "
                "omgångar av en serie kan jämföras (se README, 'Adding a round')."
            )
        rounds.append((folder, pinned.version.id, codebook))
        parts.append((folder, manifest, codebook))
    (_, _, ca), (_, _, cb) = rounds
    if ca.series != cb.series:
        raise ConfigError(
            f"{baseline} hör till serien {ca.series!r} och {survey} till {cb.series!r}; bara "
            "omgångar av samma serie kan jämföras."
        )
    if int(ca.round) >= int(cb.round):
        raise ConfigError(
            f"baseline ({baseline}, {int(ca.round)}) ska vara en tidigare omgång än survey "
            f"({survey}, {int(cb.round)})."
        )
    policy = _policy(ca, cb, audience, min_cell)
    params = {"trend": baseline, "confidence": confidence}
    h = hashlib.sha256()
    for folder, manifest, codebook in parts:
        h.update(_cache.cache_key(folder, manifest, codebook.sha256, policy, params).encode())
    path = Path(rounds[1][0]) / _cache.CACHE_DIR / f"trend-{h.hexdigest()[:32]}.pickle"
    return path, rounds


def _pin(survey: str, processed: str | Path | None):
    from analysis import paths
    from analysis.data import store

    folder = paths.processed_dir(survey)
    if processed:
        folder = Path(processed)
        if not folder.is_absolute():
            folder = paths.project_root() / folder
    return store.pin(folder)


def _compute(round_a, round_b, audience, min_cell, confidence) -> TrendAnalysis:
    """The analysis itself, from the two pinned version folders."""
    from analysis.data.dataset import load
    from analysis.data.rounds import pair, shared_concepts
    from analysis.surveys.trend.indicators import indicators_for
    from analysis.surveys.trend.labels import GROUP_ORDER
    from analysis.surveys.trend.sections import sections
    from analysis.surveys.trend.tables import (
        _indicator_table,
        _paired_rows,
        _published,
        _published_paired,
    )

    loaded = []
    for folder, _, codebook in (round_a, round_b):
        with warnings.catch_warnings():  # a changed codebook was reported by _locate already
            warnings.simplefilter("ignore", UserWarning)
            ds = load(codebook.survey, processed=folder)
        loaded.append(Round(codebook.survey, int(codebook.round), ds, codebook.frame_size))
    a, b = loaded
    ca, cb = a.dataset.codebook, b.dataset.codebook
    policy = _policy(ca, cb, audience, min_cell)
    concepts = shared_concepts(ca, cb)
    items = [i for c in concepts for i in indicators_for(c, a.dataset, b.dataset)]
    rank = {g: i for i, g in enumerate(GROUP_ORDER)}
    items = sorted(items, key=lambda i: rank.get(i.group, len(rank)))  # stable within a group
    table, used = _indicator_table(items, a, b, policy, confidence)
    pairing = pair(a.dataset, b.dataset)
    paired = _published_paired(_paired_rows(items, used, pairing, policy), policy)
    result = TrendAnalysis(
        a, b, policy, confidence, concepts, pairing, table,
        _published(table, policy), paired, {i.id: i for i in items},
    )  # fmt: skip
    result.sections = sections(result)
    return result
