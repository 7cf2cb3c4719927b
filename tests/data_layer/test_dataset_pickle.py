"""A pickled large dataset (the analysis cache) refers to its Parquet files instead of holding
the tables; it reads them again on first use and refuses files changed since."""

from __future__ import annotations

import os
import pickle

import pytest

from analysis.data import dataset as ds
from analysis.errors import AnalysisError


def test_large_dataset_pickles_a_reference_and_reads_the_files_again(processed_demo, monkeypatch):
    data = ds.load("partner_2021", processed_demo("partner_2021"))
    small = len(pickle.dumps(data))
    monkeypatch.setattr(ds, "REFERENCE_ROWS", 0)  # the demo counts as "large"
    blob = pickle.dumps(data)
    assert len(blob) < small / 3
    back = pickle.loads(blob)
    assert back.n == data.n
    assert back.wide.equals(data.wide) and back.long.equals(data.long)
    again = pickle.loads(blob)
    f = data.processed_dir / "answers.parquet"
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    try:
        with pytest.raises(AnalysisError, match="har ändrats eller tagits bort"):
            _ = again.long
    finally:
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_small_dataset_keeps_its_tables_in_the_pickle(processed_demo):
    data = ds.load("partner_2021", processed_demo("partner_2021"))
    back = pickle.loads(pickle.dumps(data))
    assert back.is_packed() and back.wide.equals(data.wide)
