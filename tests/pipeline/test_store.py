"""The versioned processed-data store: publish, resolve once, pins, clean-up, locks, failures."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import threading

import pytest

from analysis import atomic
from analysis.data import store
from analysis.errors import AnalysisError, LockTimeoutError, OutputError

from .conftest import tree_snapshot


def _files(tag: str, n: int = 1) -> dict[str, bytes]:
    manifest = {"survey": "partner_2021", "tag": tag, "n": n}
    return {
        "responses.parquet": f"responses {tag} {n}".encode(),
        "answers.parquet": f"answers {tag} {n}".encode(),
        "manifest.json": (json.dumps(manifest) + "\n").encode(),
    }


def test_publish_writes_a_complete_version_and_points_current_at_it(tmp_path):
    root = tmp_path / "partner_2021"
    v = store.publish(root, _files("A"))
    assert v.id.startswith("000001-") and v.path == root / "versions" / v.id
    assert os.readlink(root / "current") == f"versions/{v.id}"
    for name in store.FILES:  # the old flat names still work, through the published version
        assert os.readlink(root / name) == f"current/{name}"
        assert (root / name).read_bytes() == _files("A")[name]
        assert (v.path / name).read_bytes() == _files("A")[name]
    assert store.resolve(root) == v


def test_identical_content_publishes_nothing_new(tmp_path):
    root = tmp_path / "s"
    first = store.publish(root, _files("A"))
    before = tree_snapshot(root)
    again = store.publish(root, _files("A"))
    assert again == first and tree_snapshot(root) == before
    second = store.publish(root, _files("B"))
    assert second.id.startswith("000002-") and store.resolve(root) == second


def test_resolve_accepts_a_version_folder_and_a_plain_folder(tmp_path):
    root = tmp_path / "s"
    v = store.publish(root, _files("A"))
    assert store.resolve(v.path) == v
    plain = tmp_path / "plain"
    plain.mkdir()
    assert store.resolve(plain) == store.Version(plain, None, plain)


def test_legacy_flat_files_become_links_on_the_first_publish(tmp_path):
    root = tmp_path / "s"
    root.mkdir()
    for name, data in _files("old").items():
        (root / name).write_bytes(data)
    v = store.publish(root, _files("new"))
    assert (root / "manifest.json").is_symlink()
    assert json.loads((root / "manifest.json").read_text())["tag"] == "new"
    assert store.resolve(root) == v


def test_cleanup_keeps_the_newest_and_every_pinned_version(tmp_path):
    root = tmp_path / "s"
    first = store.publish(root, _files("A", 0))
    with store.pin(root) as held:
        assert held.version == first
        for i in range(1, 6):
            store.publish(root, _files("A", i), keep=2)
        ids = store.list_versions(root)
        assert first.id in ids  # pinned: never removed
        assert len(ids) == 3 and ids[-1] == store.current_id(root)
        assert (first.path / "manifest.json").is_file()
    store.publish(root, _files("A", 9), keep=2)  # released: now it goes
    assert first.id not in store.list_versions(root)
    assert len(store.list_versions(root)) == 2
    assert not [p for p in (root / "versions").iterdir() if p.name.startswith(".")]


def test_a_reader_whose_version_is_removed_meanwhile_resolves_again(tmp_path, monkeypatch):
    root = tmp_path / "s"
    store.publish(root, _files("A"))
    real_resolve = store.resolve
    calls = {"n": 0}

    def racing_resolve(folder):
        v = real_resolve(folder)
        calls["n"] += 1
        if calls["n"] == 1:  # between resolving and pinning, two ingests publish and clean up
            store.publish(root, _files("B"), keep=1)
            store.publish(root, _files("C"), keep=1)
            assert not v.path.exists()
        return v

    monkeypatch.setattr(store, "resolve", racing_resolve)
    with store.pin(root) as held:
        assert json.loads(held.version.file("manifest.json").read_text())["tag"] == "C"
    assert calls["n"] == 2


def test_a_second_writer_waits_for_the_first(tmp_path):
    root = tmp_path / "s"
    store.publish(root, _files("A"))
    fd = os.open(root / store.LOCK_NAME, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another ingest is writing
    done: list[object] = []
    t = threading.Thread(target=lambda: done.append(store.publish(root, _files("B"), timeout=60)))
    t.start()
    t.join(0.3)
    assert store.resolve(root).id.startswith("000001-")  # still waiting, nothing published
    os.close(fd)  # the first ingest finishes
    t.join()
    assert done and store.resolve(root) == done[0]


def test_a_second_writer_gives_up_after_the_timeout_with_one_line(tmp_path, monkeypatch):
    root = tmp_path / "s"
    store.publish(root, _files("A"))
    before = tree_snapshot(root)
    fd = os.open(root / store.LOCK_NAME, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    monkeypatch.setenv(atomic.LOCK_TIMEOUT_ENV, "0.2")
    try:
        with pytest.raises(LockTimeoutError) as exc:
            store.publish(root, _files("B"))
    finally:
        os.close(fd)
    msg = str(exc.value)
    assert "\n" not in msg and "en annan inläsning" in msg and "väntade 0.2 s" in msg
    assert exc.value.exit_code == 2
    assert tree_snapshot(root) == before


def test_bad_lock_timeout_setting_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(atomic.LOCK_TIMEOUT_ENV, "snart")
    with pytest.raises(AnalysisError, match="ANALYSIS_LOCK_TIMEOUT"):
        store.publish(tmp_path / "s", _files("A"))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
@pytest.mark.parametrize("writer", ["write_files", "write_bytes", "fsync"])
def test_a_failed_write_leaves_the_published_version_and_no_debris(
    tmp_path, monkeypatch, code, writer
):
    root = tmp_path / "s"
    store.publish(root, _files("A"))
    before = tree_snapshot(root)

    def failing(*args, **kw):
        raise OSError(code, os.strerror(code), "answers.parquet")

    if writer == "fsync":
        monkeypatch.setattr(atomic.os, "fsync", failing)
    else:
        monkeypatch.setattr(atomic, writer, failing)
    with pytest.raises(OutputError) as exc:
        store.publish(root, _files("B"))
    msg = str(exc.value)
    assert "\n" not in msg and "Inget har ändrats" in msg and "answers.parquet" in msg
    assert tree_snapshot(root) == before


def test_a_failed_switch_of_current_removes_the_unpublished_version(tmp_path, monkeypatch):
    root = tmp_path / "s"
    v1 = store.publish(root, _files("A"))
    before = tree_snapshot(root)
    real_replace = os.replace

    def failing_replace(src, dst, *a, **k):
        if str(dst).endswith("/current"):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(store.os, "replace", failing_replace)
    with pytest.raises(OutputError, match="disken är full"):
        store.publish(root, _files("B"))
    assert store.resolve(root) == v1 and tree_snapshot(root) == before


def test_output_naming_a_file_is_refused(tmp_path):
    target = tmp_path / "not_a_folder.txt"
    target.write_text("x")
    with pytest.raises(OutputError, match="är en fil, inte en mapp"):
        store.publish(target, _files("A"))
    assert target.read_text() == "x"


def test_current_that_is_not_a_link_is_reported(tmp_path):
    root = tmp_path / "s"
    (root / "current").mkdir(parents=True)
    with pytest.raises(OutputError, match="inte en länk"):
        store.publish(root, _files("A"))


def test_interrupted_writers_leave_nothing_after_the_next_publish(tmp_path):
    root = tmp_path / "s"
    store.publish(root, _files("A"))
    (root / "versions" / ".tmp-000002-dead-beef").mkdir()
    (root / "versions" / ".tmp-000002-dead-beef" / "responses.parquet").write_bytes(b"half")
    os.symlink("versions/x", root / ".current.tmp-dead")
    store.publish(root, _files("B"))
    leftovers = [p.name for p in (root / "versions").iterdir() if p.name.startswith(".")]
    assert leftovers == [] and not (root / ".current.tmp-dead").is_symlink()
