"""The demo marker: what only the generator writes, so that synthetic data is recognised by its
content and never by its file name (:func:`written_by_generator`), and the guard that refuses to
overwrite a file the generator did not write (:func:`_check_overwrite`)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from analysis import paths  # noqa: F401 - used by the doctest of written_by_generator
from analysis.data.demo.common import DEFAULT_SEEDS
from analysis.errors import RefusedOverwriteError

MARKER_PROPERTY = "AnalysisDemoValuesSha256"
"""Custom document property of a demo ``.xlsx``: sha256 of its cell values."""
SIDECAR_SUFFIX = ".demo.json"
"""A demo ``.csv``'s sidecar: ``<name>.demo.json`` with the sha256 of the bytes written."""


def xlsx_values_sha256(data: bytes) -> str:
    """sha256 of the cell values of a workbook's first sheet (as openpyxl reads them).

    The same values give the same hash however the file was re-saved; any edited cell changes it.
    """
    import json

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        h = hashlib.sha256()
        for row in ws.iter_rows(values_only=True):
            h.update(json.dumps(list(row), default=str, ensure_ascii=False).encode("utf-8"))
            h.update(b"\n")
        return h.hexdigest()
    finally:
        wb.close()


def xlsx_marker(data: bytes | str | Path) -> str | None:
    """The value of the :data:`MARKER_PROPERTY` custom property of an ``.xlsx`` (or ``None``).

    *data* is the file's bytes or its path (then only the zip directory and the small
    ``docProps/custom.xml`` part are read).
    """
    import xml.etree.ElementTree as ET

    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        with zipfile.ZipFile(source) as zf:
            if "docProps/custom.xml" not in zf.namelist():
                return None
            root = ET.fromstring(zf.read("docProps/custom.xml"))
    except (zipfile.BadZipFile, ET.ParseError, KeyError, OSError, ValueError):
        return None
    for prop in root:
        if prop.get("name") == MARKER_PROPERTY:
            text = "".join(prop.itertext()).strip()
            return text or None
    return None


def sidecar_path(path: str | Path) -> Path:
    """``<name>.demo.json`` beside *path*."""
    p = Path(path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def _sidecar_sha256(path: Path) -> str | None:
    import json

    try:
        data = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sha = data.get("sha256") if isinstance(data, dict) else None
    return sha if isinstance(sha, str) else None


def written_by_generator(path: str | Path, data: bytes | None = None) -> bool:
    """Whether *path* is exactly what this generator wrote (then its data is synthetic).

    True when the sidecar ``<name>.demo.json`` holds the sha256 of the file's bytes, or when the
    file is an ``.xlsx`` whose :data:`MARKER_PROPERTY` equals the sha256 of its cell values.
    The file name plays no part. *data* may pass the file's bytes when already read.

    >>> written_by_generator(paths.raw_dir("partner_2021") / "demo_partner_2021_msforms.xlsx")
    True
    """
    p = Path(path)
    recorded = _sidecar_sha256(p)
    if recorded is not None:
        try:
            digest = hashlib.sha256(data if data is not None else p.read_bytes()).hexdigest()
        except OSError:
            return False
        if digest == recorded:
            return True
    marker = xlsx_marker(data if data is not None else p)  # reads only the zip directory
    if not marker:
        return False
    try:
        return marker == xlsx_values_sha256(data if data is not None else p.read_bytes())
    except Exception:  # not a readable workbook: not ours
        return False


def _sidecar_bytes(survey: str, seed: int | None, name: str, data: bytes) -> bytes:
    import json

    record = {
        "generator": f"analysis demo {survey}",
        "seed": DEFAULT_SEEDS[survey] if seed is None else seed,
        "file": name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "synthetic": True,
    }
    return (json.dumps(record, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _check_overwrite(target: Path, data: bytes) -> None:
    """Refuse to replace *target* unless this generator wrote it (or it already holds *data*)."""
    try:
        existing = target.read_bytes()
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise RefusedOverwriteError(
            f"{target}: är en mapp; demoexporten skrivs inte. Flytta mappen eller använd --out."
        ) from None
    if existing == data or written_by_generator(target, existing):
        return
    raise RefusedOverwriteError(
        f"{target}: filen skrevs inte av analysis demo (sha256 "
        f"{hashlib.sha256(existing).hexdigest()[:12]} saknar demomarkering) och kan vara en riktig "
        "export – den skrivs inte över. Döp om eller flytta filen och kör kommandot igen, "
        "eller skriv demodata till en annan mapp med --out."
    )
