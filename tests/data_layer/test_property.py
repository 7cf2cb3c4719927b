"""Property test: arbitrary CSV-ish bytes never raise anything but the package's own errors."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data.ingest import ingest, validate
from analysis.errors import AnalysisError

FRAGMENTS = [
    "Vilken kommun representerar du?", "1. Vilken kommun representerar du?", "Umeå", "umea",
    "Tidstämpel", "Email", "ID", "Region Västerbotten är en inkluderande samarbetspartner",
    "Vet ej", "Instämmer helt", "Ã¤", "\u00a0", '"', '""', ",", ";", "\t", "\n", "\r\n", "=1+1",
    "<script>", "😀", "070-123 45 67", "\ufeff",
]  # fmt: skip

csvish = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=40).map("".join)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])
payload = st.one_of(
    st.binary(max_size=300),
    st.tuples(csvish, encodings).map(lambda t: t[0].encode(t[1], errors="replace")),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=payload, survey=st.sampled_from(["municipality_2023", "partner_2021"]))
def test_arbitrary_bytes_raise_only_analysis_errors(data, survey):
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "export.csv"
        src.write_bytes(data)
        out = Path(d) / "out"
        problems = validate(survey, src)
        try:
            ingest(survey, input_path=src, out_dir=out)
        except AnalysisError:
            assert problems and not out.exists()
        else:
            assert not problems and (out / "manifest.json").is_file()
        assert src.read_bytes() == data


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_xlsx_bytes(data):
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "export.xlsx"
        src.write_bytes(b"PK\x03\x04" + data)
        with contextlib.suppress(AnalysisError):
            ingest("partner_2021", input_path=src, out_dir=Path(d) / "out")
