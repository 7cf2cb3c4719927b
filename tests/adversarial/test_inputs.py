"""Classes 5, 6, 7, 11, 12, 14: awkward but realistic exports and files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import resource

import pytest
from adv_support import (
    MUNI_DEMO,
    assert_clear_error,
    assert_no_traceback,
    col,
    find_leaks,
    processed_texts,
    realistic_muni,
    realistic_partner,
    report_texts,
    write_csv,
    write_xlsx,
)


def _manifest_mentions(manifest: dict, pattern: str) -> list[str]:
    """Keys (at any depth) and short string values of the manifest matching ``pattern``."""
    hits: list[str] = []
    rx = re.compile(pattern, re.IGNORECASE)

    def walk(obj, path=""):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k in ("question_columns", "source_file"):
                    continue
                if rx.search(str(k)):
                    hits.append(f"{path}{k}")
                walk(v, f"{path}{k}.")
        elif isinstance(obj, list):
            for v in obj:
                walk(v, path)
        elif isinstance(obj, str) and rx.search(obj) and len(obj) < 300:
            hits.append(f"{path}={obj!r}")

    walk(manifest)
    return hits


# --------------------------------------------------------------------------------------------
# class 5 — merged cells, duplicate respondents, right-to-left override
# --------------------------------------------------------------------------------------------
ANOMALIES = {
    # name: (warning regex, manifest regex)
    "merged_cells": (r"sammanfog|sammanslag|merged|hopslag|merge", r"merge|sammanfog|sammanslag"),
    "duplicate_submission": (
        r"dubblett|duplicat|identisk|mer än en gång|flera gånger|två gånger",
        r"dup|dubblett|identisk",
    ),
    "rtl_override": (
        r"styrtecken|riktning|202e|bidi|right-to-left|höger-till-vänster|osynlig|kontrolltecken",
        r"bidi|202e|rtl|styrtecken|riktning|control|kontrolltecken|char|tecken",
    ),
}


@pytest.mark.parametrize("case", list(ANOMALIES))
def test_c05_form_anomalies_are_warned_about_and_recorded(project, case):
    header, rows = realistic_partner()
    post = None
    q2 = col(header, "Inom vilket område samarbetar")
    if case == "merged_cells":
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(q2 + 1)

        def post(ws):  # someone tidied the sheet: three identical answers merged into one cell
            ws[f"{letter}3"] = "Regional utveckling"
            ws.merge_cells(f"{letter}3:{letter}5")

    elif case == "duplicate_submission":
        # the same person submitted the form twice: identical answers, new ID and times
        twin = list(rows[4])
        twin[0] = max(r[0] for r in rows) + 1
        twin[1] = twin[1] + dt.timedelta(minutes=41)
        twin[2] = twin[2] + dt.timedelta(minutes=43)
        rows.append(twin)
    else:
        rows[2][col(header, "Är det något ytterligare")] = (
            "Samarbetet har fungerat \u202ebra inte\u202c alls under året."
        )
    write_xlsx(project.raw / "partner_2021" / "partner_2021_export.xlsx", header, rows, post=post)
    res = project.ingest("partner_2021")
    if res.returncode == 2:  # a clear refusal is acceptable
        assert_clear_error(res)
        return
    assert res.returncode == 0, res.describe()
    warn_rx, manifest_rx = ANOMALIES[case]
    output = res.stdout + res.stderr
    problems = []
    if not re.search(warn_rx, output, re.IGNORECASE):
        problems.append(f"no warning line about {case} in the output")
    manifest = project.manifest("partner_2021")
    if not _manifest_mentions(manifest, manifest_rx):
        problems.append(f"manifest.json has no key mentioning {case} (keys: {sorted(manifest)})")
    if case == "merged_cells":
        import pandas as pd

        df = pd.read_parquet(project.processed / "partner_2021" / "responses.parquet")
        got = df.sort_values("source_row").set_index("source_row")["q2"]
        lost = [r for r in (3, 4, 5) if pd.isna(got.get(r))]
        if lost:
            problems.append(f"merged answer silently lost for spreadsheet rows {lost}")
    assert not problems, "\n".join(problems) + "\n" + res.describe()


# --------------------------------------------------------------------------------------------
# class 6 — a stray cell at the last cell of the sheet
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stray", ["XFD1048576", "XFD2"])
def test_c06_stray_far_cell_is_read_quickly_with_bounded_memory(project, stray):
    header, rows = realistic_partner()

    def post(ws):
        ws[stray] = " "  # a space typed into a far-away cell

    write_xlsx(project.raw / "partner_2021" / "partner_2021_export.xlsx", header, rows, post=post)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3_000_000_000, 3_000_000_000))

    res = project.ingest("partner_2021", preexec_fn=limit, timeout=60)
    assert_no_traceback(res)
    assert res.returncode == 0, res.describe()
    assert res.seconds < 20, f"ingest took {res.seconds:.1f} s\n" + res.describe()
    assert project.manifest("partner_2021")["rows_out"] == len(rows)


# --------------------------------------------------------------------------------------------
# class 7 — a very long cell / a NUL byte in a CSV export
# --------------------------------------------------------------------------------------------
def _location_ok(line: str, row: int, header: str, qnum: int) -> bool:
    letter = "ABCDEFGHIJKLMNOPQ"[qnum + 1]  # column of question qnum in the Google Forms CSV
    has_row = re.search(rf"\brad {row}\b|\brow {row}\b", line, re.IGNORECASE) is not None
    has_col = header[:25].lower() in line.lower() or re.search(
        rf"fråga {qnum}\b|\bq{qnum}\b|\bkolumn {letter}\b|\bcolumn {letter}\b", line, re.IGNORECASE
    )
    return bool(has_row and has_col)


@pytest.mark.parametrize("case", ["long_cell", "nul_byte", "nul_byte_semicolon_cp1252"])
def test_c07_long_cell_or_nul_byte_is_located(project, case):
    header, rows = realistic_muni()
    target_row, target_col = (5, 7) if case == "long_cell" else (6, 9)
    if case == "long_cell":
        base = "Vi behöver bättre samverkan kring tillståndsprocesser, planering och el. "
        rows[target_row][target_col] = (base * 2000)[:140_000]
    else:
        v = rows[target_row][target_col]
        rows[target_row][target_col] = v[:25] + "\x00" + v[25:]
    kw = {}
    if case == "nul_byte_semicolon_cp1252":  # a Swedish Excel CSV
        kw = {"delimiter": ";", "encoding": "cp1252"}
    write_csv(project.raw / "municipality_2023" / "svar_2023.csv", header, rows, **kw)
    res = project.ingest("municipality_2023")
    assert_no_traceback(res)
    sheet_row = target_row + 2  # header is row 1
    qnum = target_col - 1  # column 2 = Q1
    if case == "long_cell" and res.returncode == 0:
        import pandas as pd

        df = pd.read_parquet(project.processed / "municipality_2023" / "responses.parquet")
        assert df[f"q{qnum}"].astype(str).str.len().max() >= 100_000, "long answer truncated"
        return
    if case != "long_cell" and res.returncode == 0:
        # accepting the file is fine if ONE warning line names the row and the column and the
        # NUL does not reach the processed data
        import pandas as pd

        df = pd.read_parquet(project.processed / "municipality_2023" / "responses.parquet")
        assert not df[f"q{qnum}"].astype("string").str.contains("\x00", regex=False).any()
        nul = re.compile(r"\bNUL\b|\bNULL\b|nolltecken|null.?byte|\\x00|U\+0000")
        lines = [ln for ln in (res.stdout + res.stderr).splitlines() if nul.search(ln)]
        assert len(lines) == 1, "expected one warning line about the NUL byte:\n" + res.describe()
        assert _location_ok(lines[0], sheet_row, header[target_col], qnum), (
            f"the warning does not name row {sheet_row} and the column (fråga {qnum}):\n"
            + res.describe()
        )
        return
    assert_clear_error(res)
    line = [ln for ln in res.stderr_lines if "problem hittades" not in ln][0]
    assert _location_ok(line, sheet_row, header[target_col], qnum), (
        f"the line does not name row {sheet_row} and the column (fråga {qnum}):\n" + res.describe()
    )


# --------------------------------------------------------------------------------------------
# class 11 — the review file next to the export
# --------------------------------------------------------------------------------------------
def _fill_review(rows: list[list], header: list) -> None:
    vi, si = header.index("verified_themes"), header.index("suggested_themes")
    for r in rows[:60]:
        r[vi] = (r[si] or "-") if r[si] != "None" else "-"


@pytest.mark.parametrize("variant", ["csv_next_to_demo", "xlsx_next_to_real_export"])
def test_c11_verified_codes_file_is_not_taken_for_the_export(project, variant):
    project.must("ingest", "municipality_2023")
    folder = project.raw / "municipality_2023"
    if variant == "csv_next_to_demo":
        review = project.root / "granskning.csv"
        project.must("code", "--survey", "municipality_2023", "--review", str(review))
        text = review.read_text("utf-8-sig")
        delim = ";" if text.count(";") > text.count(",") else ","
        all_rows = list(csv.reader(io.StringIO(text), delimiter=delim))
        _fill_review(all_rows[1:], all_rows[0])
        write_csv(
            folder / "verified_codes.csv",
            all_rows[0],
            all_rows[1:],
            delimiter=delim,
            encoding="utf-8-sig",
        )
        expected_source = MUNI_DEMO
    else:
        import openpyxl

        review = project.root / "granskning.xlsx"
        project.must("code", "--survey", "municipality_2023", "--review", str(review))
        wb = openpyxl.load_workbook(review)
        ws = wb.active
        hdr = [c.value for c in ws[1]]
        vi, si = hdr.index("verified_themes") + 1, hdr.index("suggested_themes") + 1
        for r in range(2, 60):
            ws.cell(r, vi).value = ws.cell(r, si).value or "-"
        wb.save(folder / "verified_codes.xlsx")
        h, rows = realistic_muni()
        write_csv(folder / "kommunenkaten_2023.csv", h, rows)
        expected_source = "kommunenkaten_2023.csv"
    res = project.ingest("municipality_2023")
    assert res.returncode == 0, res.describe()
    assert project.manifest("municipality_2023")["source_file"] == expected_source


# --------------------------------------------------------------------------------------------
# class 12 — `analysis code` with a duplicated text column
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", ["comma_with_id", "semicolon_cp1252_without_id"])
def test_c12_code_with_duplicated_text_column_header(project, variant):
    _, rows = realistic_muni()
    path = project.root / "fritext.csv"
    out = project.root / "kodat.csv"
    if variant == "comma_with_id":
        write_csv(path, ["id", "svar", "svar"], [[f"k{i}", r[3], r[4]] for i, r in enumerate(rows)])
        args = ["--text-column", "svar", "--id-column", "id"]
    else:
        write_csv(
            path,
            ["Kommun", "Svar", "Svar"],
            [[r[2], r[5], r[6]] for r in rows],
            delimiter=";",
            encoding="cp1252",
        )
        args = ["--text-column", "Svar"]
    res = project.run("code", str(path), *args, "--out", str(out))
    assert_clear_error(res, 2, mentions=("svar",))
    assert not out.exists(), "an output file was written although the input is ambiguous"


# --------------------------------------------------------------------------------------------
# class 14 — spreadsheet error values
# --------------------------------------------------------------------------------------------
ERROR_VALUES = ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?"]
WARN_ERRORS = (
    r"#N/A|#REF!|#DIV/0!|#VALUE!|#NAME\?|felvärde|formelfel|fel i cell|felkod|excel-fel|"
    r"kalkylbladsfel|error value"
)


def _assert_error_values_missing(project, survey, res, columns):
    import pandas as pd

    assert res.returncode == 0, "error values should be read as missing:\n" + res.describe()
    problems = []
    if not re.search(WARN_ERRORS, res.stdout + res.stderr, re.IGNORECASE):
        problems.append("no warning line about spreadsheet error values")
    df = pd.read_parquet(project.processed / survey / "responses.parquet")
    for c in columns:
        vals = [v for v in df[c].astype("string").dropna().tolist() if v in ERROR_VALUES]
        if vals:
            problems.append(f"{c} holds error values as answers: {vals}")
    assert not problems, "\n".join(problems) + "\n" + res.describe()


@pytest.mark.slow
def test_c14_error_values_in_free_text_xlsx_are_missing_and_never_quoted(project):
    header, rows = realistic_partner()
    q9, q11 = col(header, "Beskriv gärna", 0), col(header, "Beskriv gärna", 1)
    q15 = col(header, "Är det något ytterligare")
    for (r, c), v in zip(
        [(0, q15), (1, q9), (2, q11), (3, q15), (4, q15)], ERROR_VALUES, strict=True
    ):
        rows[r][c] = v  # openpyxl stores these as error cells (t="e")
    write_xlsx(project.raw / "partner_2021" / "partner_2021_export.xlsx", header, rows)
    res = project.ingest("partner_2021")
    _assert_error_values_missing(project, "partner_2021", res, ["q9", "q11", "q15"])
    project.must("run", "partner_2021", "--force")
    leaks = find_leaks(
        report_texts(project),
        {v: [f"<p>{v}</p>", f"”{v}”", f"<blockquote>{v}"] for v in ERROR_VALUES},
    )
    assert not leaks, "\n".join(leaks)


def test_c14_error_value_in_a_choice_column_is_missing_with_warning(project):
    header, rows = realistic_partner()
    rows[5][col(header, "Region Västerbotten är en inkluderande")] = "#N/A"
    rows[6][col(header, "Hur länge har er organisation")] = "#REF!"
    write_xlsx(project.raw / "partner_2021" / "partner_2021_export.xlsx", header, rows)
    res = project.ingest("partner_2021")
    _assert_error_values_missing(project, "partner_2021", res, ["q4", "q7"])


def test_c14_error_values_in_google_forms_csv_are_missing_with_warning(project):
    header, rows = realistic_muni()
    rows[3][6] = "#REF!"
    rows[4][7] = "#N/A"
    rows[8][10] = "#VALUE!"
    write_csv(project.raw / "municipality_2023" / "svar_2023.csv", header, rows)
    res = project.ingest("municipality_2023")
    _assert_error_values_missing(project, "municipality_2023", res, ["q5", "q6", "q9"])
    # (manifest.json may count the error codes; the answers themselves must not hold them)
    answers = {k: v for k, v in processed_texts(project).items() if k.endswith(".parquet")}
    assert not find_leaks(answers, {"error": ["#REF!", "#VALUE!"]})
