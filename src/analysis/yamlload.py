"""One strict YAML loader for every configuration file of the project.

PyYAML's ``safe_load`` silently keeps the *last* of two equal keys, so a parameters file with
``min_cell: 50`` and later ``min_cell: 2`` builds with 2, and a second report section of the same
name in ``reports.yaml`` replaces the first. :class:`StrictLoader` (a :class:`yaml.SafeLoader`;
the C-accelerated ``CSafeLoader`` when PyYAML was built with it) refuses duplicate keys in every
mapping, naming the file, the line and the key. Merge keys (``<<: *anchor``) keep their meaning:
a key given explicitly may override a merged one.

It is used for parameter files (``analysis run -f``), ``reports.yaml``, survey codebooks, the
theme codebook and the demo content files.

>>> load("a: 1\\nb: {c: 2}\\n")
{'a': 1, 'b': {'c': 2}}
>>> load("min_cell: 50\\nmin_cell: 2\\n", source="params.yaml")
Traceback (most recent call last):
...
analysis.errors.ConfigError: params.yaml: rad 2: nyckeln 'min_cell' förekommer två gånger (första gången på rad 1). Ta bort den ena så att det är entydigt vilket värde som gäller.
>>> load("base: &b {x: 1, y: 2}\\nother:\\n  <<: *b\\n  y: 3\\n")["other"]
{'x': 1, 'y': 3}
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import yaml

from analysis.errors import ConfigError

__all__ = ["StrictLoader", "load", "load_file"]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """A safe YAML loader that refuses duplicate keys (:class:`~analysis.errors.ConfigError`).

    ``source`` (set by :func:`load`) is the file name used in the message.
    """

    source: str = "<yaml>"

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # unhashable key: PyYAML reports it itself
                    continue
                line = key_node.start_mark.line + 1
                if first is not None:
                    raise ConfigError(
                        f"{self.source}: rad {line}: nyckeln {str(key)!r} förekommer två gånger "
                        f"(första gången på rad {first}). Ta bort den ena så att det är entydigt "
                        "vilket värde som gäller."
                    )
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load(stream: str | bytes | IO, source: str | Path | None = None) -> Any:
    """Parse one YAML document with :class:`StrictLoader`.

    Parameters
    ----------
    stream : str, bytes or file object
        The YAML text.
    source : str or path, optional
        The file name shown in error messages (default: the stream's ``name`` or ``<yaml>``).

    Returns
    -------
    object
        The parsed document (``None`` for an empty one).

    Raises
    ------
    ConfigError
        A mapping has the same key twice.
    yaml.YAMLError
        The text is not valid YAML (callers word their own message).
    """
    loader = StrictLoader(stream)
    loader.source = str(source) if source is not None else str(getattr(stream, "name", "<yaml>"))
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_file(path: str | Path) -> Any:
    """Read and parse the UTF-8 YAML file *path* with :func:`load`.

    Raises
    ------
    ConfigError
        The file cannot be read, is not UTF-8, is not valid YAML or has a duplicate key.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: filen finns inte.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: filen är inte sparad som UTF-8.") from None
    except OSError as exc:
        raise ConfigError(f"{p}: filen kan inte läsas ({exc.strerror or exc}).") from None
    try:
        return load(text, source=p)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: ogiltig YAML ({' '.join(str(exc).split())}).") from None
