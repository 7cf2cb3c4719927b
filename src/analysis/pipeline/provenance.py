"""Provenance shown in a report's footer and the index (time, commit, parameters without paths)."""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
from collections.abc import Mapping

from analysis import paths
from analysis.errors import ConfigError
from analysis.pipeline.registry import ReportSpec


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------
def generated_at(now: _dt.datetime | None = None) -> str:
    """UTC ISO time of the build; ``SOURCE_DATE_EPOCH`` (reproducible builds) wins.

    >>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    >>> generated_at()
    '2023-11-14T22:13:20Z'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            now = _dt.datetime.fromtimestamp(int(epoch.strip()), tz=_dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ConfigError(
                f"SOURCE_DATE_EPOCH={epoch[:40]!r} är inte ett heltal (sekunder sedan 1970, "
                "t.ex. 1700000000). Rätta eller ta bort variabeln."
            ) from None
    elif now is None:
        now = _dt.datetime.now(tz=_dt.UTC)
    return now.astimezone(_dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def git_commit() -> str | None:
    """``git rev-parse HEAD`` of the project, or ``None`` without git / outside a repository."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=paths.project_root(),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None


def _show_value(v: object) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def _display_path(key: str, value: object) -> object:
    """A path parameter as a published page may show it: inside the project relative to it,
    otherwise only its base name — and only after the personal-data check
    (:func:`analysis.data.labels.safe_path_label`); never an absolute path.

    >>> _display_path("input", str(paths.project_root() / "data" / "processed" / "x"))
    'data/processed/x'
    >>> _display_path("input", "/home/karin.lund/analys/partner_2021")
    'partner_2021'
    >>> _display_path("min_cell", 5)
    5
    """
    from analysis.pipeline.parameters import PATH_PARAMETERS

    if key in PATH_PARAMETERS and isinstance(value, str) and value:
        from analysis.data.labels import safe_path_label

        return safe_path_label(value)
    return value


def display_parameters(params: Mapping[str, object]) -> list[list[str]]:
    """``[[name, shown value], …]`` as the footer and the index show them."""
    return [[k, _show_value(_display_path(k, v))] for k, v in params.items()]


def _provenance(
    spec: ReportSpec,
    params: Mapping[str, object],
    manifest: Mapping,
    commit: str | None,
    version: str | None = None,
) -> dict:
    from analysis import __version__
    from analysis.data.labels import safe_label

    source = manifest.get("source_file")
    return {
        "name": spec.name,
        "title": spec.title,
        "survey": params.get("survey") or manifest.get("survey") or "",
        "data_file": safe_label(source, sha256=manifest.get("source_sha256")) if source else None,
        "data_sha256": manifest.get("source_sha256"),
        "data_version": version,
        "synthetic": bool(manifest.get("synthetic", False)),
        "internal": params.get("audience") == "internal",
        "parameters": display_parameters(params),
        "package_version": __version__,
        "git_commit": commit,
        "generated_at": generated_at(),
    }
