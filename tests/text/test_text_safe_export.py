"""Formula-injection neutralisation of review exports."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.text.safe_export import neutralise_cell, neutralise_frame, write_review_file

DANGEROUS = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "=1+1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_dangerous_cells_get_apostrophe(value):
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Bra dialog", "", "1-2", "a=b", 5, None, 1.5])
def test_safe_values_unchanged(value):
    assert neutralise_cell(value) == value


def _frame():
    return pd.DataFrame({"id": ["=cmd", "2"], "text": DANGEROUS[:2], "digitalisering": [1, 0]})


def test_neutralise_frame_does_not_mutate():
    df = _frame()
    out = neutralise_frame(df)
    assert df.loc[0, "id"] == "=cmd"
    assert out["id"].tolist() == ["'=cmd", "2"]
    assert out["text"].tolist() == ["'" + DANGEROUS[0], "'+1"]


def test_csv_export_bom_semicolon(tmp_path):
    p = write_review_file(_frame(), tmp_path / "granska.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    first = raw.decode("utf-8-sig").splitlines()[0]
    assert first == "id;text;digitalisering"
    back = pd.read_csv(p, sep=";", encoding="utf-8-sig", dtype=str)
    assert back["id"].tolist() == ["'=cmd", "2"]
    assert back["text"].tolist() == ["'" + DANGEROUS[0], "'+1"]


def test_xlsx_export_cells_are_text(tmp_path):
    from openpyxl import load_workbook

    p = write_review_file(_frame(), tmp_path / "granska.xlsx")
    ws = load_workbook(p).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == ["id", "text", "digitalisering"]
    assert values[1] == ["'=cmd", "'" + DANGEROUS[0], "1"]
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row)
    assert not list(tmp_path.glob(".*tmp"))


def test_bad_suffix(tmp_path):
    with pytest.raises(ConfigError, match=r"\.csv eller \.xlsx"):
        write_review_file(_frame(), tmp_path / "x.txt")
