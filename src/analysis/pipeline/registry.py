"""The report registry ``reports.yaml`` (repository root): which reports exist.

Each entry names a report, its notebook (relative to the registry's folder), the HTML title, the
parameters it is built with and, optionally, the surveys the notebook can report on::

    overview_partner_2021:
      notebook: notebooks/survey_overview.ipynb
      title: "Översikt – partnerenkäten 2021"
      parameters: {survey: partner_2021}

    partner_2021:
      notebook: notebooks/partner_survey_2021.ipynb
      surveys: [partner_2021]        # -p survey municipality_2023 is refused before running

The file is read with the strict YAML loader (:mod:`analysis.yamlload`): a report name or a key
given twice is an error naming the file and line, not a silent override.

:func:`load_registry` reads it into :class:`ReportSpec` entries; the parameters are checked
against the notebook by :mod:`analysis.pipeline.parameters` and the reports are built by
:func:`analysis.pipeline.runner.run_reports`.

>>> spec = ReportSpec("demo", paths.project_root() / "notebooks" / "demo.ipynb", "Demo")
>>> spec.notebook_label
'notebooks/demo.ipynb'
"""

from __future__ import annotations

from collections.abc import Mapping
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
    surveys: tuple[str, ...] | None = None
    """The surveys this report can be built for (``None``: every survey)."""
    description: str = ""
    """One line for readers of the index page: what the report is about."""

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


def yaml_load(text: str, source: str | Path | None = None):
    """Parse YAML text with the strict loader (:func:`analysis.yamlload.load`: duplicate keys
    raise :class:`~analysis.errors.ConfigError` naming *source*, the line and the key)."""
    from analysis.yamlload import load

    return load(text, source=source)


_ENTRY_KEYS = {"notebook", "title", "parameters", "surveys", "description"}


def load_registry(path: Path | str | None = None) -> dict[str, ReportSpec]:
    """Read the report registry; notebook paths are relative to the registry's folder.

    The project's own registry (*path* not given) also holds an implicit ``overview_<survey>``
    for every discovered survey that ``reports.yaml`` does not list
    (:func:`with_survey_overviews`), so a new survey folder gets its
    overview report without editing the registry.

    Raises
    ------
    ConfigError
        The file is missing or an entry lacks ``notebook`` / has malformed ``parameters``.
    """
    implicit_overviews = path is None
    import yaml

    from analysis import SURVEYS

    path = Path(path) if path is not None else registry_path()
    if not path.is_file():
        raise ConfigError(f"{path}: rapportregistret saknas. Skapa reports.yaml i projektets rot.")
    try:
        data = yaml_load(path.read_text(encoding="utf-8"), source=path) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: rapportregistret kan inte läsas ({exc}).") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: ogiltig YAML ({' '.join(str(exc).split())}).") from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: ska vara en lista av rapporter (namn: {{notebook, title, parameters}})."
        )
    base = path.resolve().parent
    out: dict[str, ReportSpec] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("notebook"):
            raise ConfigError(f"{path}: rapporten {name!r} saknar 'notebook'.")
        unknown = sorted(set(map(str, entry)) - _ENTRY_KEYS)
        if unknown:
            raise ConfigError(
                f"{path}: rapporten {name!r}: okänd nyckel {', '.join(map(repr, unknown))}; "
                f"tillåtna: {', '.join(sorted(_ENTRY_KEYS))}."
            )
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            raise ConfigError(f"{path}: rapporten {name!r}: 'parameters' ska vara namn: värde.")
        surveys = entry.get("surveys")
        if surveys is not None:
            if isinstance(surveys, str):
                surveys = [surveys]
            bad = (
                [s for s in surveys or [] if s not in SURVEYS]
                if isinstance(surveys, list)
                else [surveys]
            )
            if bad or not surveys:
                raise ConfigError(
                    f"{path}: rapporten {name!r}: 'surveys' ska vara en lista av "
                    f"{', '.join(SURVEYS)}."
                )
            surveys = tuple(surveys)
        nb = Path(entry["notebook"])
        out[str(name)] = ReportSpec(
            name=str(name),
            notebook=nb if nb.is_absolute() else base / nb,
            title=str(entry.get("title") or name),
            parameters=dict(params),
            surveys=surveys,
            description=str(entry.get("description") or "").strip(),
        )
    if implicit_overviews:
        out = with_survey_overviews(out, base)
    return out


# ----------------------------------------------------------------- implicit overview reports
OVERVIEW_NOTEBOOK = "notebooks/survey_overview.ipynb"
"""The generic overview notebook, relative to the project root."""


def overview_name(survey: str) -> str:
    """The report name of a survey's overview.

    >>> overview_name("partner_2025")
    'overview_partner_2025'
    """
    return f"overview_{survey}"


def _title(survey: str) -> str:
    """ "Översikt – <codebook title>" (the survey id when the codebook cannot be read: the broken
    codebook is then reported, as one line, when the report's parameters are checked)."""
    from analysis.data.codebook import Codebook
    from analysis.errors import ConfigError

    try:
        title = Codebook.load(paths.codebook_path(survey)).title
    except ConfigError:
        title = ""
    return f"Översikt – {title or survey}"


def with_survey_overviews(registry: Mapping, base: Path | None = None) -> dict:
    """*registry* plus an ``overview_<survey>`` entry for each discovered survey lacking one.

    Parameters
    ----------
    registry : mapping of str to ReportSpec
        The registry read from ``reports.yaml`` (not modified).
    base : Path, optional
        The folder notebook paths are relative to (default: the project root).

    Returns
    -------
    dict
        A new registry: the given entries in their order, then the implicit overviews sorted by
        survey. Nothing is added when the overview notebook does not exist.
    """
    from analysis.data.surveys import discover

    out = dict(registry)
    notebook = (Path(base) if base is not None else paths.project_root()) / OVERVIEW_NOTEBOOK
    if not notebook.is_file():
        return out
    for survey in discover():
        name = overview_name(survey)
        if name not in out:
            out[name] = ReportSpec(
                name,
                notebook,
                _title(survey),
                {"survey": survey},
                description="Alla frågor i enkäten, en i taget, med antal och andelar.",
            )
    return out
