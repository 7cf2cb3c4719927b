"""Names that may be shown publicly: file names, column headers and folders without personal data.

Provenance (``manifest.json``, the report footer, ``reports/index.html``) names the export a
report was built from. A file name can itself hold personal data (``svar_anna.svensson@umea.se.xlsx``),
an absolute path holds the analyst's user name (``/home/karin.lund/…``) and an unknown column's
header can hold an e-mail address. The rule, applied in this one place:

* only a file's **base name** is ever shown — never a directory, never an absolute path;
* the name (or header) is shown only when it passes the personal-data check
  (:func:`contains_personal_data`); otherwise a neutral label with a short hash is shown instead,
  e.g. ``export (sha256 1a2b3c4d…)``.

:func:`contains_personal_data` is the single call into the personal-data detectors
(:mod:`analysis.data.pii`); a stronger detector can replace it here without touching callers.

>>> safe_label("svar_anna.svensson@umea.se.xlsx", sha256="1a2b3c4d" + "0" * 56)
'export (sha256 1a2b3c4d…)'
>>> safe_label("/home/karin.lund/exporter/svar.xlsx")
'svar.xlsx'
>>> safe_header("Kontakt: anna@example.org").startswith("kolumn (sha256 ")
True
>>> safe_header("Vilken kommun representerar du?")
'Vilken kommun representerar du?'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

__all__ = [
    "contains_personal_data",
    "public_manifest",
    "safe_header",
    "safe_label",
    "safe_path_label",
]

_MAX_SHOWN = 120
# "karin.lund", "anna_svensson": an e-mail local part / user-name shape (two or three words of
# letters only, joined by a dot or underscore). Names with digits ("partner_2021") pass.
_PERSON_SHAPE = re.compile(r"^[^\W\d_]{2,}(?:[._][^\W\d_]{2,}){1,2}$")
_COMMON_WORDS = {
    "verified", "codes", "demo", "svar", "export", "enkat", "enkät", "data", "processed",
    "raw", "responses", "answers", "manifest", "current", "versions", "partner", "municipality",
    "kommun", "kommuner", "rapport", "rapporter", "reports", "test", "tmp", "temp", "survey",
    "google", "forms", "msforms", "microsoft", "excel", "csv", "xlsx", "json", "themes",
    "granskning", "kodat", "kodning", "input", "output", "new", "old", "ny", "gammal",
}  # fmt: skip


def contains_personal_data(text: str) -> bool:
    """Whether *text* (a file name, folder name or column header) may hold personal data.

    Checks for e-mail addresses, phone numbers and personnummer (:func:`analysis.data.pii.mask_text`,
    also with ``_`` read as a space, as in ``svar_070-123 45 67.csv``) and for the
    ``first.last`` / ``first_last`` shape of a user name or e-mail local part.

    >>> contains_personal_data("svar_anna.svensson@umea.se.xlsx"), contains_personal_data("svar.xlsx")
    (True, False)
    >>> contains_personal_data("karin.lund"), contains_personal_data("partner_2021")
    (True, False)
    """
    from analysis.data.pii import mask_text

    text = str(text)
    stem = PurePosixPath(text).stem
    for variant in {text, text.replace("_", " "), stem, stem.replace("_", " ")}:
        _, counts = mask_text(variant)
        if any(counts.values()):
            return True
    for part in {text, PurePosixPath(text).stem}:
        words = re.split(r"[._]", part.lower())
        if _PERSON_SHAPE.match(part) and not set(words) & _COMMON_WORDS:
            return True
    return False


def _basename(name: str) -> str:
    """The last component of a POSIX or Windows path."""
    name = str(name).rstrip("/\\")
    return PureWindowsPath(PurePosixPath(name).name).name


def _short_hash(sha256: str | None, text: str) -> str:
    digest = (sha256 or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{8,64}", digest):
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:8]


def safe_label(name: str | Path | None, *, sha256: str | None = None, kind: str = "export") -> str:
    """The base name of *name* when it passes the personal-data check, else a neutral label.

    Parameters
    ----------
    name : str or path
        A file name or path (only its last component is ever used).
    sha256 : str, optional
        The file's content hash, shown (first 8 hex digits) in the neutral label; without it
        the hash of the name is used.
    kind : str
        The word of the neutral label (``export``, ``mapp`` …).

    Returns
    -------
    str
        ``"svar.xlsx"`` or ``"export (sha256 1a2b3c4d…)"``; ``""`` for an empty name.

    >>> safe_label("C:\\\\Users\\\\anna\\\\svar.csv")
    'svar.csv'
    >>> safe_label("")
    ''
    """
    if name is None or str(name) == "":
        return ""
    base = _basename(str(name))
    if base and len(base) <= _MAX_SHOWN and base.isprintable() and not contains_personal_data(base):
        return base
    return f"{kind} (sha256 {_short_hash(sha256, str(name))}…)"


def safe_header(header: object) -> str:
    """A column header as it may be recorded: unchanged, or ``kolumn (sha256 …)``.

    >>> safe_header("Email")
    'Email'
    """
    text = "" if header is None else str(header)
    if len(text) <= 500 and not contains_personal_data(text):
        return text
    return f"kolumn (sha256 {_short_hash(None, text)}…)"


def safe_path_label(value: str | Path, root: Path | None = None) -> str:
    """A folder or file parameter as shown in a report: never an absolute path.

    Inside the project (*root*, default the project root) the path relative to it is shown when
    none of its parts holds personal data; anything else shows only its checked base name.

    >>> from analysis import paths
    >>> safe_path_label(paths.project_root() / "data" / "processed" / "partner_2021")
    'data/processed/partner_2021'
    >>> safe_path_label("/home/karin.lund/analys/partner_2021")
    'partner_2021'
    >>> "(sha256 " in safe_path_label("/home/x/karin.lund")
    True
    """
    if value is None or str(value) == "":
        return ""
    if root is None:
        from analysis import paths

        root = paths.project_root()
    p = Path(str(value))
    if not p.is_absolute():
        p = Path(root) / p
    try:
        rel = p.resolve().relative_to(Path(root).resolve())
    except (ValueError, OSError, RuntimeError):
        rel = None
    if rel is not None and rel.parts and not any(contains_personal_data(x) for x in rel.parts):
        shown = rel.as_posix()
        if len(shown) <= _MAX_SHOWN:
            return shown
    try:
        kind = "mapp" if p.is_dir() else "fil"
    except OSError:
        kind = "fil"
    return safe_label(str(value), kind=kind)


def public_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an ingest manifest whose file name and column headers passed the check.

    ``source_file`` becomes :func:`safe_label` (with the file's sha256), every recorded header
    (``dropped_columns``, ``ignored_columns``, ``metadata_columns``, ``question_columns``) goes
    through :func:`safe_header`. The input is not modified.

    >>> m = public_manifest({"source_file": "a@b.se.csv", "source_sha256": "ab" * 32,
    ...                      "ignored_columns": ["Övrigt", "anna@b.se"]})
    >>> m["source_file"], m["ignored_columns"][0]
    ('export (sha256 abababab…)', 'Övrigt')
    """
    out = dict(manifest)
    if "source_file" in out:
        out["source_file"] = safe_label(out["source_file"], sha256=out.get("source_sha256"))
    for key in ("dropped_columns", "ignored_columns", "metadata_columns"):
        if isinstance(out.get(key), list | tuple):
            out[key] = [safe_header(h) for h in out[key]]
    if isinstance(out.get("question_columns"), Mapping):
        out["question_columns"] = {k: safe_header(v) for k, v in out["question_columns"].items()}
    return out
