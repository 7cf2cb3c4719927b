"""Load a survey's processed data for the notebooks: ``load(survey) -> Dataset``.

The processed folder is a versioned store (:mod:`analysis.data.store`): :func:`load` resolves the
published version **once** and reads every file (manifest and both Parquet files) from that one
version folder, holding a shared pin so that a concurrent ingest's clean-up cannot remove it
meanwhile. A concurrent ingest publishing a new version therefore never mixes two versions in
one :class:`Dataset`. ``Dataset.version`` is the version id (``None`` for an unversioned folder).

>>> import tempfile
>>> from analysis.data.ingest import ingest
>>> out = tempfile.mkdtemp()
>>> _ = ingest("partner_2021", out_dir=out)
>>> ds = load("partner_2021", processed=out)
>>> ds.n, ds.synthetic, ds.wide["q4"].cat.ordered
(14, True, True)
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.data.codebook import Codebook, Question, load_codebook
from analysis.errors import AnalysisError
from analysis.lazystate import LazyFields

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FILES = ("responses.parquet", "answers.parquet", "manifest.json")


#: Above this many respondents a pickled :class:`Dataset` (the analysis cache) keeps a reference
#: to its Parquet files instead of the tables: a cached analysis of 10^6 respondents would
#: otherwise write gigabytes it never needs (the report kernels only show the sections).
REFERENCE_ROWS = 100_000

_REF = "_parquet_ref"


def _stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time of *path* (``None`` when it cannot be read)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


@dataclass
class Dataset(LazyFields):
    """A survey's processed data: the wide and long tables, manifest and codebook.

    Pickled (in the analysis cache) the two tables are unpickled only when first used; a
    dataset of more than :data:`REFERENCE_ROWS` respondents read from Parquet files pickles a
    reference to the files (with their sizes and modification times) instead, and reads them
    again on first use — refusing, with one line, files that changed or vanished meanwhile.
    """

    survey: str
    wide: pd.DataFrame
    long: pd.DataFrame
    manifest: dict[str, Any]
    codebook: Codebook
    synthetic: bool
    processed_dir: Path
    """The concrete folder the files were read from (a ``versions/<id>`` folder of a store)."""
    version: str | None = None
    """The version id of the processed data (``None`` for a folder without versions)."""

    _lazy_fields = ("wide", "long")

    def __getstate__(self) -> dict[str, Any]:
        wide = self.__dict__.get("wide")
        files = [Path(self.processed_dir) / name for name in FILES[:2]]  # wide, long
        stamps = [_stamp(f) for f in files]
        if wide is None or len(wide) <= REFERENCE_ROWS or None in stamps:
            return super().__getstate__()
        state = {k: v for k, v in self.__dict__.items() if k not in ("wide", "long")}
        state[_REF] = [(str(f), stamp) for f, stamp in zip(files, stamps, strict=True)]
        return state

    def __getattr__(self, name: str) -> Any:
        if name in ("wide", "long") and _REF in self.__dict__:
            self._reread()
            return self.__dict__[name]
        return super().__getattr__(name)

    def _reread(self) -> None:
        """Read the tables a pickled reference points to (see the class docstring)."""
        import pandas as pd

        ref = self.__dict__.pop(_REF)
        tables = []
        for path, stamp in ref:
            p = Path(path)
            if _stamp(p) != tuple(stamp):
                self.__dict__[_REF] = ref
                raise AnalysisError(
                    f"{p}: filen har ändrats eller tagits bort sedan analysen sparades i "
                    f"cachen; kör `analysis ingest {self.survey}` och analysen igen."
                )
            tables.append(pd.read_parquet(p))
        self.__dict__.setdefault("wide", tables[0])
        self.__dict__.setdefault("long", tables[1])

    @property
    def n(self) -> int:
        """Number of respondents (rows of the wide table)."""
        return len(self.wide)

    def question(self, qid: str) -> Question:
        return self.codebook.question(qid)


def load(survey: str, processed: str | Path | None = None) -> Dataset:
    """Load ``responses.parquet``, ``answers.parquet`` and ``manifest.json`` of *survey*.

    Parameters
    ----------
    survey
        ``partner_2021`` or ``municipality_2023``.
    processed
        The processed data: a store (its published version is read), one ``versions/<id>``
        folder of a store, or a plain folder holding the three files; default (``None`` or
        ``""``) is ``data/processed/<survey>``.

    Raises
    ------
    AnalysisError
        When the processed data is missing or belongs to another survey (run ``analysis ingest``).
    """
    from analysis.data import store

    root = Path(processed) if processed else paths.processed_dir(survey)
    with store.pin(root) as pinned:
        version = pinned.version
        manifest, wide, long = _read(survey, version.path)
    codebook = load_codebook(survey)
    warn_if_codebook_changed(survey, manifest, codebook, stacklevel=3)
    return Dataset(
        survey=survey,
        wide=wide,
        long=long,
        manifest=manifest,
        codebook=codebook,
        synthetic=bool(manifest.get("synthetic", False)),
        processed_dir=version.path,
        version=version.id,
    )


def warn_if_codebook_changed(
    survey: str, manifest: dict, codebook: Codebook, *, stacklevel: int = 2
) -> None:
    """Warn when the codebook changed after the data were ingested."""
    if manifest.get("codebook_sha256") and manifest["codebook_sha256"] != codebook.sha256:
        warnings.warn(
            f"Kodboken för {survey} har ändrats sedan data lästes in; kör `analysis ingest {survey}` igen.",
            UserWarning,
            stacklevel=stacklevel,
        )


def read_manifest(survey: str, folder: Path) -> dict:
    """The manifest of one concrete folder, checked: every file there and of *survey*."""
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise AnalysisError(
            f"{folder}: bearbetade data saknas ({', '.join(missing)}). "
            f"Kör `analysis ingest {survey}` först."
        )
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AnalysisError(
            f"{folder / 'manifest.json'}: filen är skadad ({exc}). Kör `analysis ingest {survey}` igen."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("survey") != survey:
        found = manifest.get("survey") if isinstance(manifest, dict) else None
        raise AnalysisError(
            f"{folder}: data gäller enkäten {found!r}, inte {survey!r}. "
            f"Kör `analysis ingest {survey}` eller ange rätt mapp."
        )
    return manifest


def _read(survey: str, folder: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Manifest, wide and long table from one concrete folder (checked for the survey)."""
    import pandas as pd

    manifest = read_manifest(survey, folder)
    try:
        wide = pd.read_parquet(folder / "responses.parquet")
        long = pd.read_parquet(folder / "answers.parquet")
    except Exception as exc:  # pyarrow raises several kinds on a damaged file
        raise AnalysisError(
            f"{folder}: parquet-filerna kunde inte läsas ({type(exc).__name__}). "
            f"Kör `analysis ingest {survey}` igen."
        ) from None
    return manifest, wide, long


__all__ = ["Dataset", "load"]
