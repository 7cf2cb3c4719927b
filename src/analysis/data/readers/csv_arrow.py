"""Large CSV files with ``pyarrow.csv``: one checking pass over a file too large to hold in
memory (:func:`_stream_check`) and the multi-threaded parse, cross-checked against the ``csv``
module on a sample (:func:`_arrow_columns`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from analysis.data.readers.cells import _CONTROLS_RE2, _contains
from analysis.data.readers.detect import _ANY_TEXT_FLAG, _MOJIBAKE_START, _NOT_BLANK, _valid_utf8


def _arrow_columns(utf8: bytes | Path, delimiter: str, sample: list[list[str]]) -> list | None:
    """The whole file parsed by ``pyarrow.csv`` — or ``None`` when it cannot be parsed that way
    (ragged rows …) or the two parsers disagree on the sample's records."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not sample or not any(c.strip() for c in sample[0]):
        return None  # blank lines before the header: leave it to the csv module
    width = len(sample[0])
    try:
        table = pacsv.read_csv(
            str(utf8) if isinstance(utf8, Path) else pa.py_buffer(utf8),
            read_options=pacsv.ReadOptions(
                autogenerate_column_names=True, block_size=8 << 20, use_threads=True
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.large_string() for i in range(width)},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if table.num_columns != width or table.num_rows < len(sample):
        return None
    head = table.slice(0, len(sample)).to_pylist()
    if [list(r.values()) for r in head] != [list(r) for r in sample]:
        return None
    return list(table.columns)


@dataclass
class _Streamed:
    """What one pass over a large file found (without holding it in memory)."""

    sha256: str = ""
    nonblank: bool = False
    bom: bool = False
    utf8: bool = True
    nul: bool = False
    controls: bool = False
    mojibake: bool = False

    @property
    def usable(self) -> bool:
        """UTF-8 text without NUL bytes: pyarrow can read it straight from the file."""
        return self.utf8 and not self.nul


def _stream_check(fh, block: int = 16 << 20) -> _Streamed:
    """Checksum, UTF-8 validity and control/mojibake flags of a file, block by block."""
    fh.seek(0)
    info = _Streamed()
    sha = hashlib.sha256()
    carry = b""
    tail = b""
    first = True
    while True:
        chunk = fh.read(block)
        sha.update(chunk)
        if first:
            info.bom = chunk.startswith(b"\xef\xbb\xbf")
            first = False
        if not info.nonblank and chunk and _NOT_BLANK.search(chunk) is not None:
            info.nonblank = True
        if b"\x00" in chunk:
            info.nul = True
        buf = carry + chunk
        if chunk:  # keep an incomplete UTF-8 sequence for the next block
            cut = len(buf)
            for k in range(1, min(4, len(buf)) + 1):
                byte = buf[-k]
                if byte < 0x80:
                    break
                if byte >= 0xC0:
                    cut = len(buf) - k
                    break
            buf, carry = buf[:cut], buf[cut:]
        else:
            carry = b""
        if info.utf8 and buf and not _valid_utf8(buf):
            info.utf8 = False
        if info.utf8 and buf:
            text = tail + buf
            if not (info.controls and info.mojibake) and _contains(text, _ANY_TEXT_FLAG):
                info.controls = info.controls or _contains(text, _CONTROLS_RE2)
                info.mojibake = info.mojibake or _contains(text, _MOJIBAKE_START)
            tail = buf[-8:]
            while tail and 0x80 <= tail[0] < 0xC0:  # start the overlap on a character
                tail = tail[1:]
        if not chunk:
            break
    info.sha256 = sha.hexdigest()
    return info
