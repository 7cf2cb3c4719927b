"""Reader/ingest faults found by an outside attack, each with a realistic fixture.

The xlsx fixtures are Microsoft Forms-like workbooks built with openpyxl from the demo export's
own headers and answers (``data/raw/partner_2021/demo_partner_2021_msforms.xlsx``); the CSV
fixtures are the same rows written as a Google Forms-like CSV. Decisions tested here (documented in
``analysis.data.readers`` and ``docs/ARCHITECTURE.md``):

* merged answer cells are unmerged the way Excel shows them — every cell of the range gets the
  value — with a warning (never lost silently);
* duplicate respondents (identical answers), bidi control characters, NUL characters and
  spreadsheet error values are accepted with a warning line in the summary and counts + rows in
  ``manifest.json`` (never the values); bidi controls and NULs are removed from stored text,
  error values count as missing answers;
* a free-text cell longer than Python csv's 131 072-character limit is accepted;
* a stray cell far outside the table (XFD1048576) is ignored with a warning and never makes the
  reader materialise the 10^10-cell used range.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis import paths
from analysis.cli import main
from analysis.data import readers
from analysis.data.ingest import ingest, validate
from analysis.errors import InputValidationError

SURVEY = "partner_2021"
DEMO = paths.raw_dir(SURVEY) / "demo_partner_2021_msforms.xlsx"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def demo_rows() -> list[list]:
    """Header + the 14 answer rows of the demo export, as openpyxl reads them."""
    wb = openpyxl.load_workbook(DEMO)
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def col(rows: list[list], header_start: str, nth: int = 0) -> int:
    """Index of the (nth) column whose header starts with *header_start*."""
    hits = [j for j, h in enumerate(rows[0]) if str(h).startswith(header_start)]
    return hits[nth]


def save_xlsx(path: Path, rows: list[list], edit=None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "m/d/yy h:mm:ss"
    if edit is not None:
        edit(ws)
    wb.save(path)
    return path


def save_csv(path: Path, rows: list[list]) -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    for r in rows:
        w.writerow(["" if v is None else str(v) for v in r])
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def _located(entry: dict) -> dict:
    """cells and rows of a warning, after checking it also names the column(s)."""
    assert entry["columns"] and all(isinstance(c, str) and c for c in entry["columns"])
    return {"cells": entry["cells"], "rows": entry["rows"]}


def run(path: Path, out: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    m = ingest(SURVEY, input_path=path, out_dir=out)
    return (
        m,
        pd.read_parquet(out / "responses.parquet"),
        pd.read_parquet(out / "answers.parquet"),
    )


def summary_of(path: Path, out: Path, capsys) -> str:
    assert main(["ingest", SURVEY, "--input", str(path), "--output", str(out)]) == 0
    return capsys.readouterr().out


def stored_bytes(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())


# ----------------------------------------------------------------------------- merged cells
def test_merged_answer_cells_give_every_cell_the_value(tmp_path, capsys):
    rows = demo_rows()
    q4, q15 = col(rows, "Region Västerbotten är en inkluderande"), col(rows, "Är det något")
    rows[2][q4] = "Instämmer helt"  # spreadsheet row 3; rows 4 and 5 are merged into it
    rows[6][q15] = "Samma kommentar för tre svar."

    def merge(ws):
        letter = openpyxl.utils.get_column_letter
        ws.merge_cells(f"{letter(q4 + 1)}3:{letter(q4 + 1)}5")
        ws.merge_cells(f"{letter(q15 + 1)}7:{letter(q15 + 1)}9")

    src = save_xlsx(tmp_path / "svar.xlsx", rows, merge)
    ws = openpyxl.load_workbook(src).active
    assert ws.cell(4, q4 + 1).value is None  # what the attack exploited: two answers "lost"
    m, wide, long = run(src, tmp_path / "out")
    by_row = wide.set_index("source_row")
    assert by_row.loc[[3, 4, 5], "q4"].tolist() == ["Instämmer helt"] * 3
    assert by_row.loc[[7, 8, 9], "q15"].tolist() == ["Samma kommentar för tre svar."] * 3
    merged = m["warnings"]["merged_cells"]
    assert merged == {"ranges": ["I3:I5", "T7:T9"], "cells": 4, "rows": [4, 5, 8, 9]}
    rid = by_row.loc[5, "respondent_id"]
    assert ((long["respondent_id"] == rid) & (long["question_id"] == "q4")).sum() == 1
    out = summary_of(src, tmp_path / "cli", capsys)
    assert "sammanslagna celler (I3:I5, T7:T9)" in out and "rad 4, 5, 8, 9" in out


def test_merged_header_cells_are_left_alone(tmp_path):
    rows = demo_rows()
    src = save_xlsx(tmp_path / "svar.xlsx", rows, lambda ws: ws.merge_cells("A1:A2"))
    t = readers.read_export(src)
    assert t.headers[0] == "ID" and t.row(0)[0] is None  # A1:A2 starts in the header row
    assert "merged" not in t.findings


# -------------------------------------------------------------------------- duplicate rows
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_duplicate_respondents_warned_not_dropped(tmp_path, capsys, fmt):
    rows = demo_rows()
    copy = list(rows[3])  # respondent on spreadsheet row 4, submitted twice
    copy[0] = 15
    rows.append(copy)
    again = list(rows[3])
    again[0] = 16
    rows.append(again)
    src = (save_xlsx if fmt == "xlsx" else save_csv)(tmp_path / f"svar.{fmt}", rows)
    m, wide, _ = run(src, tmp_path / "out")
    assert m["rows_out"] == 16
    assert m["warnings"]["duplicate_rows"] == {"count": 2, "groups": [[4, 16, 17]]}
    blob = json.dumps(m, ensure_ascii=False)
    assert "Brist på kunskap" not in blob and rows[3][4] not in blob  # no values, no names
    out = summary_of(src, tmp_path / "cli", capsys)
    assert "2 rader har exakt samma svar som en tidigare rad (rad 16, 17 som rad 4)" in out


def test_rows_differing_only_in_metadata_are_duplicates_but_not_different_answers(tmp_path):
    rows = demo_rows()
    q9 = col(rows, "Beskriv gärna hur")
    twin = list(rows[1])
    twin[0], twin[1] = 99, rows[5][1]  # other ID and start time, same answers
    near = list(rows[1])
    near[0], near[q9] = 98, "Ett annat svar"
    rows += [twin, near]
    m, _, _ = run(save_xlsx(tmp_path / "svar.xlsx", rows), tmp_path / "out")
    assert m["warnings"]["duplicate_rows"] == {"count": 1, "groups": [[2, 16]]}


# ------------------------------------------------------------------------- bidi controls
def test_bidi_controls_are_removed_and_reported(tmp_path, capsys):
    rows = demo_rows()
    q4, q15 = col(rows, "Region Västerbotten är en inkluderande"), col(rows, "Är det något")
    rows[1][q15] = "Ring 070\u202e-123 45 67 om \u2066Umeå\u2069 \u202dfrågan\u202c."
    rows[2][q4] = "Vet ej\u202c"
    rows[3][4] = "Lars\u200f Testlund"  # name column (dropped, but used to mask)
    rows[3][q15] = "Hälsningar Lars"
    src = save_xlsx(tmp_path / "svar.xlsx", rows)
    m, wide, long = run(src, tmp_path / "out")
    by_row = wide.set_index("source_row")
    assert by_row.loc[2, "q15"] == "Ring [telefon] om Umeå frågan."
    assert by_row.loc[3, "q4"] == "Vet ej"
    assert by_row.loc[4, "q15"] == "Hälsningar [namn]"
    assert _located(m["warnings"]["bidi_controls"]) == {"cells": 3, "rows": [2, 3, 4]}
    blob = stored_bytes(tmp_path / "out")
    assert not any(ch.encode("utf-8") in blob for ch in BIDI)
    out = summary_of(src, tmp_path / "cli", capsys)
    assert "styrtecken för textriktning" in out and "3 cell(er) (rad 2, 3, 4, kolumn " in out


@pytest.mark.parametrize("char", list(BIDI))
def test_every_bidi_control_is_removed_from_csv(tmp_path, char):
    rows = demo_rows()
    q9 = col(rows, "Beskriv gärna hur")
    rows[5][q9] = f"Bra{char} samarbete"
    m, wide, _ = run(save_csv(tmp_path / "svar.csv", rows), tmp_path / "out")
    assert wide.set_index("source_row").loc[6, "q9"] == "Bra samarbete"
    assert _located(m["warnings"]["bidi_controls"]) == {"cells": 1, "rows": [6]}


# ------------------------------------------------------------------------ long text cells
@pytest.mark.parametrize("path", ["csv module", "pyarrow", "pyarrow from disk"])
def test_text_cell_longer_than_csv_field_limit_is_accepted(tmp_path, monkeypatch, path):
    limit = csv.field_size_limit()
    if path != "csv module":
        monkeypatch.setattr(readers, "SAMPLE_BYTES", 4096)
    if path == "pyarrow from disk":
        monkeypatch.setattr(readers, "STREAM_BYTES", 4096)
    rows = demo_rows()
    q15 = col(rows, "Är det något")
    long_text = ("Vi vill se mer samverkan kring kompetensförsörjning. " * 4000)[:200_000]
    rows[7][q15] = long_text
    src = save_csv(tmp_path / "svar.csv", rows)
    assert validate(SURVEY, src) == []
    m, wide, _ = run(src, tmp_path / "out")
    assert wide.set_index("source_row").loc[8, "q15"] == long_text.strip()
    assert csv.field_size_limit() == limit  # the csv module's limit is restored


# ------------------------------------------------------------------------------ NUL bytes
def test_nul_byte_is_removed_with_row_and_column(tmp_path, capsys):
    rows = demo_rows()
    q9 = col(rows, "Beskriv gärna hur")
    rows[4][q9] = "Bra\x00 samarbete"
    src = save_csv(tmp_path / "svar.csv", rows)
    m, wide, _ = run(src, tmp_path / "out")
    assert wide.set_index("source_row").loc[5, "q9"] == "Bra samarbete"
    assert _located(m["warnings"]["nul_characters"]) == {"cells": 1, "rows": [5]}
    assert not wide["q9"].str.contains("\x00", na=False).any()
    out = summary_of(src, tmp_path / "cli", capsys)
    assert "NUL-tecken togs bort ur 1 cell(er) (rad 5, kolumn " in out


def test_a_few_nul_bytes_in_a_small_export_are_removed(tmp_path):
    rows = demo_rows()[:4]
    q9, q15 = col(rows, "Beskriv gärna hur"), col(rows, "Är det något")
    rows[1][q9] = "\x00\x00Bra"
    rows[2][q15] = "Slut\x00"
    rows[3][q9] = "mitt\x00i"
    src = save_csv(tmp_path / "svar.csv", rows)
    m, wide, _ = run(src, tmp_path / "out")
    by_row = wide.set_index("source_row")
    assert by_row.loc[2, "q9"] == "Bra" and by_row.loc[3, "q15"] == "Slut"
    assert _located(m["warnings"]["nul_characters"]) == {"cells": 3, "rows": [2, 3, 4]}


def test_nul_escape_in_xlsx_is_removed(tmp_path):
    rows = demo_rows()
    q9 = col(rows, "Beskriv gärna hur")
    rows[4][q9] = "Bra_x0000_ samarbete"  # how a NUL is stored in xlsx XML
    m, wide, _ = run(save_xlsx(tmp_path / "svar.xlsx", rows), tmp_path / "out")
    assert wide.set_index("source_row").loc[5, "q9"] == "Bra samarbete"
    assert _located(m["warnings"]["nul_characters"]) == {"cells": 1, "rows": [5]}


def test_binary_file_is_still_refused(tmp_path):
    src = tmp_path / "svar.csv"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputValidationError) as exc:
        ingest(SURVEY, input_path=src, out_dir=tmp_path / "out")
    assert exc.value.kinds == {"unreadable"} and "inte en textfil" in str(exc.value)


# ------------------------------------------------------------------- spreadsheet errors
def test_spreadsheet_error_values_count_as_missing_xlsx(tmp_path, capsys):
    rows = demo_rows()
    q4 = col(rows, "Region Västerbotten är en inkluderande")
    q3, q9 = col(rows, "Inom vilka delar"), col(rows, "Beskriv gärna hur")
    rows[1][q4] = "#N/A"  # openpyxl stores the Excel error codes as error cells
    rows[2][q3] = "#REF!"
    rows[3][q9] = "#DIV/0!"
    rows[4][q9] = "#SPILL!"  # newer codes arrive as text
    rows[5][q4] = "#GETTING_DATA"
    src = save_xlsx(tmp_path / "svar.xlsx", rows)
    assert 't="e"' in _sheet_xml(src)
    m, wide, long = run(src, tmp_path / "out")
    by_row = wide.set_index("source_row")
    assert by_row.loc[[2, 6], "q4"].isna().all() and by_row.loc[[4, 5], "q9"].isna().all()
    assert by_row.loc[3, [c for c in wide.columns if c.startswith("q3__")]].isna().all()
    assert m["warnings"]["spreadsheet_errors"] == {
        "cells": 5,
        "codes": {"#DIV/0!": 1, "#GETTING_DATA": 1, "#N/A": 1, "#REF!": 1, "#SPILL!": 1},
        "rows": [2, 3, 4, 5, 6],
    }
    assert not long["value"].str.startswith("#").any()
    out = summary_of(src, tmp_path / "cli", capsys)
    assert (
        "5 celler med felvärden från kalkylprogrammet" in out and "räknades som obesvarade" in out
    )


def test_spreadsheet_error_values_in_csv_any_case(tmp_path):
    rows = demo_rows()
    q5, q15 = col(rows, "Region Västerbotten är en attraktiv"), col(rows, "Är det något")
    rows[1][q5] = " #n/a "
    rows[2][q15] = "#VALUE!"
    rows[3][q15] = "Err:502"
    rows[4][q15] = "#NAME? är inget svar men '#1 prioritet' är det"
    rows[5][q15] = "#SAKNAS!"  # Swedish Excel's #N/A in a CSV
    m, wide, _ = run(save_csv(tmp_path / "svar.csv", rows), tmp_path / "out")
    by_row = wide.set_index("source_row")
    assert pd.isna(by_row.loc[2, "q5"]) and by_row.loc[[3, 4], "q15"].isna().all()
    assert by_row.loc[5, "q15"].startswith("#NAME? är inget svar")
    assert m["warnings"]["spreadsheet_errors"]["codes"] == {
        "#N/A": 1, "#SAKNAS!": 1, "#VALUE!": 1, "ERR:502": 1,
    }  # fmt: skip


def test_error_value_in_required_answer_is_a_missing_answer(tmp_path):
    rows = demo_rows()
    q1 = col(rows, "Vilken typ av organisation")
    rows[6][q1] = "#N/A"
    src = save_xlsx(tmp_path / "svar.xlsx", rows)
    (p,) = validate(SURVEY, src)
    assert str(p) == (
        "svar.xlsx: rad 7, kolumn 'Vilken typ av organisation representerar du?': "
        "obligatoriskt svar saknas. Fyll i svaret i exporten eller ta bort raden om svaret "
        "är ofullständigt"
    )


def _sheet_xml(path: Path) -> str:
    import zipfile

    return zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode("utf-8")


# ----------------------------------------------------------------------------- stray cells
STRAY_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    limit = int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from analysis.data.ingest import ingest
    m = ingest("partner_2021", input_path=sys.argv[1], out_dir=sys.argv[2])
    print(json.dumps({"rows_in": m["rows_in"], "rows_out": m["rows_out"],
                      "outside": m["warnings"]["cells_outside_table"]}))
    """
)


@pytest.mark.parametrize(
    "cell, expected",
    [("XFD1048576", ["XFD1048576"]), ("XFD1", ["XFD1"]), ("A1048576", ["A1048576"])],
)
def test_stray_cell_far_away_is_ignored_under_a_memory_limit(tmp_path, cell, expected):
    rows = demo_rows()

    def stray(ws):
        ws[cell] = "x"

    src = save_xlsx(tmp_path / "svar.xlsx", rows, stray)
    env = {**os.environ, "PYTHONPATH": str(Path(paths.__file__).resolve().parents[1])}
    proc = subprocess.run(
        [sys.executable, "-c", STRAY_CHILD, str(src), str(tmp_path / "out"), str(1 << 30)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["outside"] == {"cells": 1, "refs": expected}
    assert result["rows_in"] == 14 and result["rows_out"] == 14


def test_table_block_stops_at_large_gaps():
    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>Q</t></is></c><c r="XFD1"><v>1</v></c></row>'
        b'<row r="2"><c r="A2"><v>1</v></c><c r="B2" s="3"/></row>'
        b'<row r="1048576"><c r="A1048576"><v>7</v></c></row></sheetData></worksheet>'
    )
    assert readers.xlsx_scan._table_block(xml) == (2, 2, 5)
    cut, outside = readers.xlsx_scan._cut_sheet(xml, 2, 2)
    assert outside == ["XFD1", "A1048576"] and b"XFD1" not in cut and b'r="B2"' in cut
