"""Input fingerprints of a report: package source, processed data, codebooks, parameters."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from analysis import paths
from analysis.errors import AnalysisError
from analysis.pipeline.registry import ReportSpec
from analysis.pipeline.state import STATE_VERSION  # noqa: F401


# --------------------------------------------------------------------------------------------
# Fingerprints
# --------------------------------------------------------------------------------------------
def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


from analysis.sourcehash import package_source_files, package_source_hash  # noqa: E402,F401


def data_folder(params: Mapping[str, object]) -> Path | None:
    """The processed-data folder a report reads: ``input`` if set, else ``data/processed/<survey>``."""
    inp = params.get("input")
    if isinstance(inp, str) and inp.strip():
        p = Path(inp)
        return p if p.is_absolute() else paths.project_root() / p
    survey = params.get("survey")
    if isinstance(survey, str) and survey:
        return paths.processed_dir(survey)
    return None


def _is_file(value: str) -> bool:
    try:
        return Path(value).is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte …
        return False


def processed_files(folder: Path | None) -> list[Path]:
    """The processed-data files of one concrete (version) folder: ``*.parquet`` + manifest."""
    if folder is None or not folder.is_dir():
        return []
    files = sorted(folder.glob("*.parquet"))
    if (folder / "manifest.json").is_file():
        files.append(folder / "manifest.json")
    return files


def _current_folder(params: Mapping[str, object]) -> Path | None:
    """:func:`data_folder` resolved to its published version (not pinned)."""
    from analysis.data import store

    folder = data_folder(params)
    if folder is None:
        return None
    try:
        return store.resolve(folder).path
    except (AnalysisError, OSError):
        return folder


def data_files(params: Mapping[str, object], processed: Path | None = None) -> list[Path]:
    """Every file a report's output depends on besides the notebook and the package source.

    *processed* is the concrete (pinned) version folder; default: :func:`data_folder` resolved
    to its current version.
    """
    files: list[Path] = []
    if processed is None:
        processed = _current_folder(params)
    files.extend(processed_files(processed))
    from analysis.data.surveys import discover

    known = discover()  # at call time, never at import
    survey = params.get("survey")
    if isinstance(survey, str) and survey and paths.raw_dir(survey).is_dir():
        for extra in (paths.codebook_path(survey), paths.themes_path(survey)):
            if extra.is_file():
                files.append(extra)
        # a coder's verified theme codes override the suggestions (analysis.text.coding)
        files.extend(sorted(paths.raw_dir(survey).glob("verified_codes.*")))
        files.extend(sorted(paths.raw_dir(survey).glob("*org_links.yaml")))  # pairing of rounds
    # another survey the report reads (the trend report's earlier round): its data count too
    for key, value in sorted(params.items()):
        if key != "survey" and isinstance(value, str) and value in known:
            other = params.get(f"{key}_input")
            earlier = {"survey": value, "input": other if isinstance(other, str) else ""}
            files.extend(processed_files(_current_folder(earlier)))  # its published version
            files.extend(p for p in (paths.codebook_path(value),) if p.is_file())
            files.extend(sorted(paths.raw_dir(value).glob("*org_links.yaml")))
    # parameters naming a file (e.g. a custom `themes` codebook): its content counts, not its name
    for key, value in sorted(params.items()):
        if key != "input" and isinstance(value, str) and value and _is_file(value):
            files.append(Path(value))
    ref = paths.reference_dir()
    if survey and ref.is_dir():
        files.extend(sorted(p for p in ref.iterdir() if p.is_file()))
    return files


def read_manifest(params: Mapping[str, object], processed: Path | None = None) -> dict:
    """The processed data's ``manifest.json`` (empty when missing or unreadable).

    *processed* is the concrete (pinned) folder; default: :func:`data_folder`.
    """
    folder = processed if processed is not None else data_folder(params)
    if folder is None:
        return {}
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def fingerprint_parts(
    spec: ReportSpec, params: Mapping[str, object], processed: Path | None = None
) -> dict[str, str]:
    """One hash per input of the report (recorded in the build state to explain rebuilds).

    *processed* is the pinned version folder; its files are keyed ``data:processed/<name>`` so
    that identical content in another version does not count as a change.
    """
    parts = {
        "state": str(STATE_VERSION),
        "notebook": _sha256_file(spec.notebook),
        "title": spec.title,
        "parameters": json.dumps(dict(params), sort_keys=True, default=str, ensure_ascii=False),
        "package": package_source_hash(),
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
    }
    if processed is None:
        processed = _current_folder(params)
    data = processed_files(processed)
    for f in data:
        parts[f"data:processed/{f.name}"] = _sha256_file(f)
    for f in data_files(params, processed=processed):
        if f not in data:
            parts[f"data:{f.parent.name}/{f.name}"] = _sha256_file(f)
    return parts


def fingerprint(
    spec: ReportSpec, params: Mapping[str, object], processed: Path | None = None
) -> str:
    """sha256 over everything the report's HTML depends on (see the module docstring)."""
    return _digest(fingerprint_parts(spec, params, processed))


def _digest(parts: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(parts), sort_keys=True).encode()).hexdigest()


def changed_inputs(old: Mapping[str, str] | None, new: Mapping[str, str]) -> list[str]:
    """Names of the inputs that differ between two :func:`fingerprint_parts` results.

    >>> changed_inputs({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"})
    ['b', 'c']
    """
    old = dict(old or {})
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
