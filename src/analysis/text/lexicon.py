"""Is a word form in simplemma's Swedish dictionary? Answered from a local, cached index.

The theme coder and the quote masking ask simplemma (:func:`simplemma.is_known`) whether a
token — or a part of a compound — is a Swedish word. simplemma 2 keeps its dictionaries
lzma-compressed and front-coded: opening the Swedish one costs about 0.3 s in every process
(it walks all ~964 000 records to index them) and each look-up decodes a block of records in
Python (~30 µs; a cold ``analysis code`` run over 10^5 answers asks for ~20 000 distinct tokens).

:class:`Lexicon` holds the same keys, sorted, in one file in the user's cache folder
(:func:`analysis.paths.user_cache_dir`), built once per simplemma version and dictionary file (about 1 s) and read
in a few milliseconds; a look-up is a bisect over every 32nd key and a substring search in one
block (~1 µs). The answers are simplemma's by construction — the keys are simplemma's, and a
lower-case token is looked up as simplemma does (the token, then its capitalised form); any
other string (upper case, apostrophes, characters outside the tokeniser's alphabet, not NFC) is
passed to simplemma itself. Where no cache folder can be written the index is built in memory
(same answers, ~1 s per process); a damaged or outdated file is rebuilt.

>>> lex = lexicon()
>>> lex.is_known("byggandet"), lex.is_known("ikation"), lex.is_known("Stockholm")
(True, False, True)
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import re
import stat
import time
from array import array
from functools import cache
from pathlib import Path

from analysis.paths import user_cache_dir

LANG = "sv"
BLOCK = 32
"""Keys per block of the index (one bisect entry per block)."""

FORMAT = 2
MAX_BYTES = 64 * 1024 * 1024
"""A cache file larger than this is not read (the Swedish index is about 13 MB)."""
_MAGIC = b"analysis-lexicon\n"
_FAST = re.compile(r"[0-9a-zåäöéèüáàæøçñ]+")
"""Strings answered from the index: the tokeniser's alphabet, lower case (else simplemma)."""


def _stamp() -> dict:
    """What the index is built from: simplemma's version and its Swedish dictionary file."""
    import simplemma
    from simplemma.strategies.dictionaries.dictionary_factory import DATA_FOLDER

    data = Path(DATA_FOLDER) / f"{LANG}.plzma"
    st = data.stat()
    return {
        "format": FORMAT,
        "simplemma": getattr(simplemma, "__version__", "?"),
        "lang": LANG,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
    }


class Lexicon:
    """The sorted keys of simplemma's Swedish dictionary (see the module docstring).

    Parameters
    ----------
    blob : bytes
        Every key, NFC, sorted, each followed by ``\\n``.
    starts : array of int
        Offset in *blob* of every :data:`BLOCK`-th key, and ``len(blob)`` last.
    """

    def __init__(self, blob: bytes, starts: array) -> None:
        self._blob = blob
        self._starts = starts
        self._firsts = [blob[s : blob.index(b"\n", s)] for s in starts[:-1]]

    def __len__(self) -> int:
        return self._blob.count(b"\n")

    def has_key(self, key: str) -> bool:
        """Whether *key* is one of the dictionary's keys, exactly."""
        target = key.encode("utf-8")
        i = bisect.bisect_right(self._firsts, target) - 1
        if i < 0:
            return False
        block = self._blob[self._starts[i] : self._starts[i + 1]]
        return block.startswith(target + b"\n") or (b"\n" + target + b"\n") in block

    def is_known(self, token: str) -> bool:
        """``simplemma.is_known(token, "sv")``: is *token* a Swedish word form?"""
        if _FAST.fullmatch(token):
            return self.has_key(token) or self.has_key(token.capitalize())
        from simplemma import is_known

        return bool(token) and bool(is_known(token, lang=LANG, low_memory=True))

    # ------------------------------------------------------------------ file
    def to_bytes(self, stamp: dict) -> bytes:
        body = self._starts.tobytes() + self._blob
        meta = {**stamp, "blocks": len(self._starts), "sha256": hashlib.sha256(body).hexdigest()}
        return _MAGIC + json.dumps(meta, sort_keys=True).encode() + b"\n" + body

    @classmethod
    def from_bytes(cls, raw: bytes, stamp: dict) -> Lexicon | None:
        """The index in *raw*, or ``None`` when it is not one built from *stamp*."""
        if not raw.startswith(_MAGIC):
            return None
        end = raw.index(b"\n", len(_MAGIC))
        header = json.loads(raw[len(_MAGIC) : end])
        blocks, digest = header.pop("blocks"), header.pop("sha256")
        # a file damaged in place (zeroed or overwritten blocks) must never be used: its look-ups
        # would change which areas are coded without a word
        if header != stamp or hashlib.sha256(raw[end + 1 :]).hexdigest() != digest:
            return None
        starts = array("q")
        width = starts.itemsize * blocks
        starts.frombytes(raw[end + 1 : end + 1 + width])
        blob = raw[end + 1 + width :]
        if len(starts) != blocks or starts[-1] != len(blob) or not blob.endswith(b"\n"):
            return None
        return cls(blob, starts)

    @classmethod
    def build(cls) -> Lexicon:
        """Read every key of simplemma's Swedish dictionary (about 1 s)."""
        from simplemma.strategies.dictionaries import StreamDictionaryFactory

        keys = sorted(k.encode("utf-8") for k in StreamDictionaryFactory().get_dictionary(LANG))
        starts = array("q")
        offset = 0
        for i, key in enumerate(keys):
            if i % BLOCK == 0:
                starts.append(offset)
            offset += len(key) + 1
        starts.append(offset)
        return cls(b"".join(k + b"\n" for k in keys), starts)


@cache
def lexicon() -> Lexicon:
    """The Swedish lexicon of this process: read from the cache folder, else built (and stored
    there when the folder can be written)."""
    from analysis import atomic

    stamp = _stamp()
    path = user_cache_dir() / f"simplemma-{LANG}.lexicon"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        # only a regular file of a plausible size is read (not a FIFO, a device or a file
        # grown to gigabytes); anything else is rebuilt over
        st = path.stat()
        if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_BYTES:
            found = Lexicon.from_bytes(path.read_bytes(), stamp)
            if found is not None:
                return found
    lex = Lexicon.build()
    with contextlib.suppress(OSError):  # temp files of writers killed before their rename
        for old in path.parent.glob(f".{path.name}.*.tmp"):
            if time.time() - old.stat().st_mtime > 3600:
                old.unlink()
    with contextlib.suppress(Exception):  # no writable cache folder: built again next time
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(path, lex.to_bytes(stamp))
    return lex


__all__ = ["BLOCK", "Lexicon", "lexicon"]
