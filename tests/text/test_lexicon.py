"""The cached Swedish lexicon answers exactly as simplemma does, and its cache file is safe to
lose, damage, outdate or be unable to write."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import simplemma
from simplemma.strategies.dictionaries import StreamDictionaryFactory

from analysis.paths import user_cache_dir
from analysis.text import lexicon as lx


@pytest.fixture
def cache_in(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    lx.lexicon.cache_clear()
    yield tmp_path / "cache"
    lx.lexicon.cache_clear()


@pytest.fixture(scope="module")
def keys():
    return list(StreamDictionaryFactory().get_dictionary("sv"))


def _variants(word: str) -> list[str]:
    return [word, word.lower(), word.capitalize(), word.upper(), word + "s", word[:-1], word[1:]]


def test_same_answers_as_simplemma(cache_in, keys):
    rng = random.Random(7)
    tokens = [v for k in rng.sample(keys, 4000) for v in _variants(k) if v]
    alphabet = "abcdefghijklmnopqrstuvwxyzåäöé"
    tokens += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(4000)
    ]
    tokens += ["hus", "Hus", "HUS", "e-tjänst", "o'clock", "5g", "123", "ﬁsk", "Å", "a\u030a", " "]
    lex = lx.lexicon()
    wrong = [t for t in tokens if lex.is_known(t) != simplemma.is_known(t, "sv", low_memory=True)]
    assert not wrong, wrong[:20]
    assert lex.is_known("") is False
    assert len(lex) == len(keys)


def test_the_first_and_the_last_key_and_neighbours(cache_in, keys):
    lex = lx.lexicon()
    ordered = sorted(k.encode() for k in keys)
    for key in (ordered[0], ordered[1], ordered[lx.BLOCK], ordered[-1]):
        assert lex.has_key(key.decode())
    assert not lex.has_key(ordered[0].decode()[:-1] + "\x00")
    assert not lex.has_key("\uffff" * 3)


def test_cache_file_is_written_once_and_read_back(cache_in):
    first = lx.lexicon()
    (path,) = cache_in.iterdir()
    stamp = path.stat().st_mtime_ns
    lx.lexicon.cache_clear()
    again = lx.lexicon()
    assert again is not first and path.stat().st_mtime_ns == stamp  # read, not rebuilt
    assert again.is_known("kommunerna") and not again.is_known("kommunernaxq")


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated
        lambda raw: b"garbage" + raw,  # not ours
        lambda raw: raw.replace(b'"simplemma": "', b'"simplemma": "0.', 1),  # other version
        lambda raw: b"",
    ],
)
def test_a_damaged_or_outdated_cache_is_rebuilt(cache_in, damage):
    lx.lexicon()
    (path,) = cache_in.iterdir()
    path.write_bytes(damage(path.read_bytes()))
    lx.lexicon.cache_clear()
    lex = lx.lexicon()
    assert lex.is_known("byggandet") and not lex.is_known("ikation")
    lx.lexicon.cache_clear()
    assert lx.Lexicon.from_bytes(path.read_bytes(), lx._stamp()) is not None  # whole again


def test_no_writable_cache_folder_still_answers(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(blocker / "cache"))
    lx.lexicon.cache_clear()
    try:
        assert lx.lexicon().is_known("vägar")
    finally:
        lx.lexicon.cache_clear()
    assert blocker.read_text() == "not a folder"


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("ANALYSIS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert user_cache_dir() == tmp_path / "analysis"
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "x"))
    assert user_cache_dir() == tmp_path / "x"
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", "~/c")
    assert user_cache_dir() == Path.home() / "c"
    monkeypatch.delenv("ANALYSIS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # ignored, as the XDG spec says
    assert user_cache_dir() == Path.home() / ".cache" / "analysis"


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_a_cache_file_damaged_in_place_is_never_used(cache_in, where):
    """Zeroed or overwritten bytes inside a file of the right size (a crash, a bad disk) would
    change which words are known, and so the coding, without a word: the checksum refuses it."""
    lx.lexicon()
    (path,) = cache_in.iterdir()
    raw = bytearray(path.read_bytes())
    at = int(len(raw) * where)
    raw[at : at + 4096] = bytes(4096)
    path.write_bytes(bytes(raw))
    assert lx.Lexicon.from_bytes(bytes(raw), lx._stamp()) is None
    lx.lexicon.cache_clear()
    lex = lx.lexicon()
    assert lex.is_known("kommunerna") and not lex.is_known("ikation")
    assert lx.Lexicon.from_bytes(path.read_bytes(), lx._stamp()) is not None  # rebuilt


@pytest.mark.parametrize("kind", ["huge", "fifo", "folder"])
def test_a_cache_path_that_is_not_a_plain_small_file_is_never_read(cache_in, kind, monkeypatch):
    import os

    cache_in.mkdir(parents=True)
    path = cache_in / f"simplemma-{lx.LANG}.lexicon"
    if kind == "huge":
        with path.open("wb") as fh:  # sparse: no disk used
            fh.truncate(lx.MAX_BYTES + 1)
    elif kind == "fifo":
        os.mkfifo(path)  # reading it would block for ever
    else:
        path.mkdir()
    read = []
    monkeypatch.setattr(lx.Lexicon, "from_bytes", lambda *a: read.append(a) or None)
    assert lx.lexicon().is_known("vägar")
    assert read == [] or kind == "huge" and path.stat().st_size < lx.MAX_BYTES
