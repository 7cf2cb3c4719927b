"""Rounds of a survey series: shared concepts, wording changes and organisations to pair.

A series is a set of surveys whose codebooks declare the same ``series`` and their own ``round``
(``partner_2021``, ``partner_2025``). Questions are compared by their ``concept`` id, never by
question number:

* :func:`shared_concepts` — the concepts two rounds share, with their questions and whether the
  wording changed (``wording_changed_from`` in the later codebook, or simply different texts);
* :func:`org_ids` — which organisation (frame ``org_id``) each respondent of a round is: from the
  round's ``org_id`` question, or — for a round that asked for no code, like 2021 — from the
  pairing key ``org_links.yaml`` beside the export (``demo_org_links.yaml`` for the demo data);
* :func:`pair` — the organisations that answered both rounds (each exactly once).

The pairing key is a small YAML file::

    source_file: svar_2021.xlsx       # the export it belongs to (must be the ingested one)
    rows:                             # spreadsheet row (as in Excel) -> organisation code
      2: P28
      3: P03

It says who answered, so a real one is never committed (``.gitignore`` keeps it local like the
export). Organisation codes identify organisations of the published frame, never persons.

>>> import tempfile
>>> from analysis.data.dataset import load
>>> from analysis.data.ingest import ingest
>>> a_dir, b_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
>>> _ = ingest("partner_2021", out_dir=a_dir); _ = ingest("partner_2025", out_dir=b_dir)
>>> a, b = load("partner_2021", processed=a_dir), load("partner_2025", processed=b_dir)
>>> [c.concept for c in shared_concepts(a.codebook, b.codebook)][:4]
['org_type', 'collaboration_area', 'rus_parts', 'inclusive']
>>> [c.concept for c in shared_concepts(a.codebook, b.codebook) if c.wording_changed]
['inclusive', 'engagement_ladder']
>>> p = pair(a, b)
>>> len(p.pairs), p.source_a, p.source_b
(8, 'demo_org_links.yaml', 'fråga 1 (Organisationskod)')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths
from analysis.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from analysis.data.codebook import Codebook, Question
    from analysis.data.dataset import Dataset

__all__ = [
    "LINKS_FILE",
    "DEMO_LINKS_FILE",
    "Pairing",
    "SharedConcept",
    "org_ids",
    "pair",
    "shared_concepts",
]

LINKS_FILE = "org_links.yaml"
"""Pairing key of a real export (local only, like the export)."""
DEMO_LINKS_FILE = "demo_org_links.yaml"
"""Pairing key of the synthetic demo export (written by the demo generator)."""


@dataclass(frozen=True)
class SharedConcept:
    """A concept asked in two rounds: the earlier question *a* and the later question *b*."""

    concept: str
    a: Question
    b: Question

    @property
    def wording_changed(self) -> bool:
        """True when the later codebook records a change or the texts differ."""
        return bool(self.b.wording_changed_from) or self.a.text != self.b.text

    @property
    def options_changed(self) -> bool:
        """True when the answer options (labels, in order) differ between the rounds."""
        return [o.label for o in self.a.options] != [o.label for o in self.b.options]


def shared_concepts(a: Codebook, b: Codebook) -> list[SharedConcept]:
    """The concepts of codebook *a* that codebook *b* asks again, in *b*'s order.

    Raises
    ------
    ConfigError
        When a concept has different question types in the two rounds.
    """
    earlier = {q.concept: q for q in a.questions if q.concept}
    out = []
    for q in b.questions:
        if q.concept and q.concept in earlier:
            old = earlier[q.concept]
            if old.type != q.type:
                raise ConfigError(
                    f"{b.path or b.survey}: begreppet {q.concept!r} är {old.type!r} i "
                    f"{a.survey} men {q.type!r} i {b.survey}; ett begrepp ska ha samma frågetyp "
                    "i alla omgångar (ge frågan ett nytt begrepp annars)."
                )
            out.append(SharedConcept(q.concept, old, q))
    return out


def _links(ds: Dataset) -> tuple[dict[int, str], str] | None:
    """The pairing key beside the round's export: ``({row: org_id}, file name)`` or ``None``."""
    import yaml

    folder = paths.raw_dir(ds.survey)
    name = DEMO_LINKS_FILE if ds.synthetic else LINKS_FILE
    path = folder / name
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: parningsnyckeln kan inte läsas ({exc}).") from None
    rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(rows, dict):
        raise ConfigError(f"{path}: nyckeln 'rows' (rad: organisationskod) saknas.")
    source = data.get("source_file")
    if source and source != ds.manifest.get("source_file"):
        raise ConfigError(
            f"{path}: parningsnyckeln gäller {source!r} men data kommer från "
            f"{ds.manifest.get('source_file')!r}; skriv en nyckel för den inlästa exporten."
        )
    try:
        return {int(r): str(o).strip() for r, o in rows.items()}, name
    except (TypeError, ValueError):
        raise ConfigError(f"{path}: 'rows' ska ange radnummer: organisationskod.") from None


def org_ids(ds: Dataset) -> tuple[pd.Series, str | None]:
    """Organisation code per respondent (index ``respondent_id``; ``<NA>`` when unknown).

    Returns
    -------
    (pandas.Series, str or None)
        The codes (string dtype) and where they come from (the question, or the pairing key's
        file name); ``None`` when the round has neither.
    """
    import pandas as pd

    wide = ds.wide
    index = pd.Index(wide["respondent_id"].astype(str), name="respondent_id")
    for q in ds.codebook.questions_of_type("org_id"):
        if q.id in wide.columns:
            codes = wide[q.id].astype("string").str.strip().str.upper()
            label = f"fråga {q.number} ({q.text})" if q.number is not None else q.text
            return pd.Series(codes.to_numpy(), index=index, dtype="string"), label
    found = _links(ds)
    if found is None:
        return pd.Series(pd.NA, index=index, dtype="string"), None
    rows, name = found
    codes = [rows.get(int(r)) for r in wide["source_row"]]
    return pd.Series(codes, index=index, dtype="string"), name


@dataclass
class Pairing:
    """The organisations that answered both rounds.

    Attributes
    ----------
    pairs : pandas.DataFrame
        Index ``org_id``; columns ``a`` and ``b``: the respondent ids in each round.
    source_a, source_b : str or None
        Where each round's organisation codes come from.
    duplicates : int
        Organisations left out because they answered one round more than once.
    unknown : int
        Codes given that are not in the later round's sample frame (left out).
    """

    pairs: pd.DataFrame
    source_a: str | None
    source_b: str | None
    duplicates: int = 0
    unknown: int = 0
    notes: list[str] = field(default_factory=list)


def _frame_ids(ds: Dataset) -> set[str] | None:
    from analysis.data.reference import load_sample_frame

    frame = ds.codebook.frame or {}
    if not frame.get("file"):
        return None
    path = Path(paths.raw_dir()) / str(frame["file"])
    if not path.is_file():
        return None
    return set(load_sample_frame(path)["org_id"])


def pair(a: Dataset, b: Dataset) -> Pairing:
    """Pair the respondents of rounds *a* and *b* by organisation code.

    An organisation is paired when it has exactly one response in each round; codes not in the
    later frame are ignored (reported in :attr:`Pairing.unknown`).
    """
    import pandas as pd

    ids_a, src_a = org_ids(a)
    ids_b, src_b = org_ids(b)
    known = _frame_ids(b)
    unknown = 0
    if known is not None:
        bad = ids_b.notna() & ~ids_b.isin(known)
        unknown = int(bad.sum())
        ids_b = ids_b.mask(bad)
    counts_a = ids_a.dropna().value_counts()
    counts_b = ids_b.dropna().value_counts()
    once_a = set(counts_a.index[counts_a == 1])
    once_b = set(counts_b.index[counts_b == 1])
    duplicates = int((counts_a > 1).sum() + (counts_b > 1).sum())
    both = sorted(once_a & once_b)
    rid_a = pd.Series(ids_a.index, index=ids_a.to_numpy()).loc[both] if both else []
    rid_b = pd.Series(ids_b.index, index=ids_b.to_numpy()).loc[both] if both else []
    pairs = pd.DataFrame(
        {"a": list(rid_a), "b": list(rid_b)}, index=pd.Index(both, name="org_id"), dtype="string"
    )
    notes = []
    if src_a is None or src_b is None:
        missing = a.survey if src_a is None else b.survey
        notes.append(
            f"{missing} har inga organisationskoder (ingen org_id-fråga och ingen "
            f"{LINKS_FILE}); svaren kan inte paras."
        )
    if duplicates:
        notes.append(
            f"{duplicates} organisationer svarade mer än en gång i en omgång och paras inte."
        )
    if unknown:
        notes.append(f"{unknown} svar hade en organisationskod som inte finns i urvalsramen.")
    return Pairing(pairs, src_a, src_b, duplicates, unknown, notes)


def series_rounds(series: str) -> list[tuple[int, str]]:
    """``(round, survey)`` of every discovered survey whose codebook declares ``series``.

    >>> [r for r, _ in series_rounds("partner")][:2]
    [2021, 2025]

    Sorted by round, oldest first. Codebooks are loaded (and validated) on the way, so a broken
    codebook in the series raises its :class:`ConfigError`.
    """
    from analysis.data.codebook import load_codebook
    from analysis.data.surveys import discover

    found: list[tuple[int, str]] = []
    for survey in discover():
        cb = load_codebook(survey)
        if cb.series == series and cb.round is not None:
            found.append((int(cb.round), survey))
    rounds = [r for r, _ in found]
    dupes = sorted({r for r in rounds if rounds.count(r) > 1})
    if dupes:
        raise ConfigError(
            f"serien {series!r} har flera enkäter för samma omgång ({', '.join(map(str, dupes))}); "
            "ge varje omgång ett eget 'round' i kodboken."
        )
    return sorted(found)
