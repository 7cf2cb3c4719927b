"""Reading a ``.qdpx`` zip safely: size caps, compression-ratio and bounded reads, source files.

A ``.qdpx`` comes from outside. Before a member is decompressed its declared size and its
compression ratio are checked, and it is then read through a bounded stream, so neither a
decompression bomb (a few hundred kilobytes that unpack to gigabytes of whitespace) nor a zip
header that understates the size can make the import read more than the caps below.
"""

from __future__ import annotations

import contextlib
import io
import os
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from analysis.text.qda.model import _MAX_INTERNAL_FILE, QdaError

MAX_PROJECT_XML_BYTES = 200 * 2**20
"""Largest ``project.qde`` (uncompressed) an import reads: 200 MB, far above any survey project
(the municipality survey's is about 0.3 MB); a larger declared size is refused before reading."""

MAX_SOURCE_BYTES = 200 * 2**20
"""Largest single internal source file (uncompressed) an import reads."""

MAX_TOTAL_BYTES = 1024 * 2**20
"""Largest total of uncompressed bytes one import reads from one ``.qdpx`` (XML plus sources)."""

MAX_COMPRESSION_RATIO = 200
"""Largest uncompressed/compressed ratio accepted for a member above :data:`RATIO_CHECK_FROM`
bytes. QDA-XML and text compress 3–15 times; only degenerate content (a bomb) reaches 200."""

RATIO_CHECK_FROM = 1 * 2**20
"""Members smaller than this (1 MB uncompressed) are not checked for their ratio."""

_CHUNK = 1 << 20


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f}".replace(",", " ")


@contextlib.contextmanager
def _file_errors(path: Path):
    """An unreadable project file as one Swedish :class:`QdaError` line."""
    try:
        yield
    except FileNotFoundError:
        raise QdaError(f"{path}: filen finns inte; kontrollera sökvägen.") from None
    except IsADirectoryError:
        raise QdaError(f"{path}: är en mapp, inte en .qdpx-fil; ange projektfilen.") from None
    except OSError as err:
        raise QdaError(
            f"{path}: filen kan inte läsas ({err.strerror or err}); kontrollera behörigheten."
        ) from None


def _read_source_bytes(source: str | os.PathLike[str] | bytes) -> tuple[str, bytes]:
    """The label used in messages (the path as given) and the file's bytes."""
    if isinstance(source, bytes | bytearray | memoryview):
        return "<bytes>", bytes(source)
    path = Path(source)
    with _file_errors(path):
        data = path.read_bytes()
    return str(source), data


def _open_project_zip(source: str | os.PathLike[str]) -> tuple[str, zipfile.ZipFile]:
    """The label (the path as given) and the ``.qdpx`` opened as a zip, read lazily from disk."""
    path = Path(source)
    with _file_errors(path):
        with path.open("rb") as fh:
            head = fh.read(4096)
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            _open_zip(str(source), head)
            raise  # pragma: no cover - _open_zip raises for data that is not a zip
    return str(source), archive


def _looks_like_xml(data: bytes) -> bool:
    return data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


def _open_zip(label: str, data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        hint = (
            " (den ser ut som XML: en .qdc-kodbok eller en lös project.qde?)"
            if _looks_like_xml(data)
            else ""
        )
        raise QdaError(
            f"{label}: är inte ett REFI-QDA-projekt, filen är ingen zip-fil (.qdpx){hint}; "
            "exportera projektet som REFI-QDA-projekt (.qdpx) från QDA-verktyget."
        ) from None


def _check_member_size(label: str, info: zipfile.ZipInfo, cap: int) -> None:
    """Refuse a member whose declared size or compression ratio is out of bounds (not read)."""
    name, size, packed = info.filename, info.file_size, info.compress_size
    if size > min(cap, _MAX_INTERNAL_FILE):
        raise QdaError(
            f"{label}: {name} packas upp till {_mb(size)} MB, mer än gränsen {_mb(cap)} MB; "
            "filen läses inte. Kontrollera att det är rätt projektfil."
        )
    if size >= RATIO_CHECK_FROM and size > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise QdaError(
            f"{label}: {name} packas upp från {packed:,} byte till {_mb(size)} MB (mer än "
            f"{MAX_COMPRESSION_RATIO} gånger), orimligt för ett QDA-projekt; filen läses inte. "
            "Exportera projektet igen från QDA-verktyget.".replace(",", " ")
        )


def _zip_member(label: str, zf: zipfile.ZipFile, name: str, cap: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of member *name*, read through a stream bounded by its declared size and *cap*."""
    info = zf.getinfo(name)
    _check_member_size(label, info, cap)
    limit = info.file_size
    try:
        with zf.open(info) as stream:
            chunks, got = [], 0
            while got <= limit:
                chunk = stream.read(min(_CHUNK, limit + 1 - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, RuntimeError) as err:
        why = "kontrollsumman stämmer inte" if "CRC" in str(err) else type(err).__name__
        raise QdaError(
            f"{label}: {name} i zip-filen är skadad eller oläslig ({why}); exportera projektet "
            "igen från QDA-verktyget."
        ) from None
    if got > limit:
        raise QdaError(
            f"{label}: {name} ger mer data än zip-filens huvud anger ({info.file_size} byte); "
            "filen är skadad eller manipulerad och läses inte. Exportera projektet igen."
        )
    return b"".join(chunks)


def _project_member(label: str, zf: zipfile.ZipFile) -> str:
    names = [n for n in zf.namelist() if not n.endswith("/")]
    exact = [n for n in names if n.lower() == "project.qde"]
    if exact:
        return exact[0]
    qde = [n for n in names if "/" not in n and n.lower().endswith(".qde")]
    if len(qde) == 1:
        return qde[0]
    raise QdaError(
        f"{label}: är inte ett REFI-QDA-projekt, zip-filen saknar project.qde; exportera "
        "projektet som .qdpx från QDA-verktyget."
    )


def _project_xml(label: str, zf: zipfile.ZipFile, member: str) -> bytes:
    return _zip_member(label, zf, member, MAX_PROJECT_XML_BYTES)


def _parse_xml(label: str, data: bytes) -> ET.Element:
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise QdaError(
            f"{label}: innehåller DOCTYPE/ENTITY-deklarationer, som inte är tillåtna i QDA-XML; "
            "filen läses inte. Exportera projektet igen från QDA-verktyget."
        )
    try:
        return ET.fromstring(data)
    except ET.ParseError as err:
        raise QdaError(
            f"{label}: är inte välformad XML ({err}); exportera projektet igen."
        ) from None


class _Members:
    """Case-insensitive lookup of the files in a ``.qdpx`` (the spec's example itself writes
    ``Sources/…TXT`` in the zip and ``internal://….txt`` in the XML), and the budget of
    uncompressed bytes one import may read (:data:`MAX_TOTAL_BYTES`)."""

    def __init__(self, zf: zipfile.ZipFile, label: str = "", used: int = 0):
        self.zf = zf
        self.label = label
        self.used = used
        self.by_path: dict[str, str] = {}
        by_base: dict[str, list[str]] = {}
        for n in zf.namelist():
            if n.endswith("/"):
                continue
            self.by_path.setdefault(n.lower(), n)
            by_base.setdefault(PurePosixPath(n).name.lower(), []).append(n)
        self.by_base = {k: v[0] for k, v in by_base.items() if len(v) == 1}

    def find(self, internal: str) -> str | None:
        wanted = PurePosixPath(internal.lstrip("/")).name.lower()
        return self.by_path.get(f"sources/{wanted}") or self.by_base.get(wanted)

    def read(self, label: str, name: str) -> bytes:
        size = self.zf.getinfo(name).file_size
        if self.used + size > MAX_TOTAL_BYTES:
            raise QdaError(
                f"{label}: källfilerna packas upp till mer än gränsen {_mb(MAX_TOTAL_BYTES)} MB "
                f"tillsammans (vid {name}); filen läses inte. Kontrollera att det är rätt "
                "projektfil."
            )
        data = _zip_member(label, self.zf, name)
        self.used += len(data)
        return data


def _read_text(label: str, members: _Members, path_attr: str, source_name: str) -> str | None:
    """The text behind ``plainTextPath``; ``None`` for external (non-internal) paths."""
    scheme, sep, rest = path_attr.partition("://")
    if not sep or scheme.lower() != "internal":
        return None
    name = members.find(rest)
    if name is None:
        raise QdaError(
            f"{label}: källan {source_name!r} pekar på {path_attr}, som saknas i zip-filen; "
            "exportera projektet igen med källfilerna."
        )
    raw = members.read(label, name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise QdaError(
            f"{label}: källan {source_name!r} ({name}) är inte UTF-8-text (byte {err.start}); "
            "spara källan som UTF-8 och exportera projektet igen."
        ) from None
    return text[1:] if text.startswith("\ufeff") else text
