"""The report registry ``reports.yaml`` (repository root): which reports exist.

Each entry names a report, its notebook (relative to the registry's folder), the HTML title and
the parameters it is built with::

    overview_partner_2021:
      notebook: notebooks/survey_overview.ipynb
      title: "Översikt – partnerenkäten 2021"
      parameters: {survey: partner_2021}

:func:`load_registry` reads it into :class:`ReportSpec` entries; the parameters are checked
against the notebook by :mod:`analysis.pipeline.parameters` and the reports are built by
:func:`analysis.pipeline.runner.run_reports`.

>>> spec = ReportSpec("demo", paths.project_root() / "notebooks" / "demo.ipynb", "Demo")
>>> spec.notebook_label
'notebooks/demo.ipynb'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis import paths
from analysis.errors import ConfigError

__all__ = ["ReportSpec", "load_registry", "registry_path", "yaml_load"]


@dataclass(frozen=True)
class ReportSpec:
    """One entry of ``reports.yaml``."""

    name: str
    notebook: Path
    title: str
    parameters: dict = field(default_factory=dict)

    @property
    def notebook_label(self) -> str:
        """The notebook path relative to the project root when possible (for messages)."""
        try:
            return self.notebook.relative_to(paths.project_root()).as_posix()
        except ValueError:
            return str(self.notebook)


def registry_path() -> Path:
    """``reports.yaml`` at the project root."""
    return paths.project_root() / "reports.yaml"


def yaml_load(text: str):
    """Parse YAML text with the fastest safe loader available (``CSafeLoader`` if built)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def load_registry(path: Path | str | None = None) -> dict[str, ReportSpec]:
    """Read the report registry; notebook paths are relative to the registry's folder.

    The project's own registry (*path* not given) also holds an implicit ``overview_<survey>``
    for every discovered survey that ``reports.yaml`` does not list
    (:func:`analysis.pipeline.implicit.with_survey_overviews`), so a new survey folder gets its
    overview report without editing the registry.

    Raises
    ------
    ConfigError
        The file is missing or an entry lacks ``notebook`` / has malformed ``parameters``.
    """
    implicit_overviews = path is None
    path = Path(path) if path is not None else registry_path()
    if not path.is_file():
        raise ConfigError(f"{path}: rapportregistret saknas. Skapa reports.yaml i projektets rot.")
    data = yaml_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: ska vara en lista av rapporter (namn: {{notebook, title, parameters}})."
        )
    base = path.resolve().parent
    out: dict[str, ReportSpec] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("notebook"):
            raise ConfigError(f"{path}: rapporten {name!r} saknar 'notebook'.")
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            raise ConfigError(f"{path}: rapporten {name!r}: 'parameters' ska vara namn: värde.")
        nb = Path(entry["notebook"])
        out[str(name)] = ReportSpec(
            name=str(name),
            notebook=nb if nb.is_absolute() else base / nb,
            title=str(entry.get("title") or name),
            parameters=dict(params),
        )
    if implicit_overviews:
        from analysis.pipeline.implicit import with_survey_overviews

        out = with_survey_overviews(out, base)
    return out
