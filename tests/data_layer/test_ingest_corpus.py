"""The fixture corpus: valid edge cases ingest, malformed exports give one-line problems and
write nothing."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from export_corpus import snapshot

from analysis.data.ingest import ingest, validate
from analysis.errors import InputValidationError

VALID = [
    "muni_google_utf8.csv", "muni_excel_bom.csv", "muni_excel_cp1252.csv",
    "muni_nbsp_headers.csv", "muni_emoji.csv", "muni_long_text.csv", "muni_formula_cells.csv",
    "muni_script.csv", "muni_msforms_real_headers.xlsx", "muni_xlsx_extra_sheet.xlsx",
    "muni_extra_column.csv", "muni_blank_row.csv", "partner_google_multi.csv",
    "partner_msforms.xlsx",
]  # fmt: skip
INVALID = [
    "empty.csv", "whitespace_only.csv", "header_only.csv", "missing_column.csv",
    "renamed_column.csv", "duplicate_municipality.csv", "unknown_municipality.csv",
    "required_empty.csv", "mojibake.csv", "mojibake_cell.csv", "undecodable.csv", "binary.csv",
    "corrupt.xlsx", "not_really.xlsx", "xlsx_two_header_rows.xlsx", "xlsx_title_row.xlsx",
    "xlsx_info_sheet_first.xlsx", "partner_likert_out_of_range.xlsx",
    "partner_unknown_multi_part.xlsx", "partner_duplicate_id.xlsx", "multiple_problems.csv",
]  # fmt: skip


def test_corpus_size(corpus):
    assert set(corpus) == set(VALID) | set(INVALID)
    assert len(INVALID) >= 20


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A folder holding outputs of an earlier successful ingest."""
    out = tmp_path_factory.mktemp("previous")
    ingest("municipality_2023", out_dir=out)
    return out


@pytest.mark.parametrize("name", INVALID)
def test_invalid_exports(corpus, name, previous, tmp_path):
    case = corpus[name]
    raw_before = hashlib.sha256(case.path.read_bytes()).hexdigest()
    before = snapshot(previous)
    with pytest.raises(InputValidationError) as exc:
        ingest(case.survey, input_path=case.path, out_dir=previous)
    assert snapshot(previous) == before  # previous outputs intact
    fresh = tmp_path / "out"
    with pytest.raises(InputValidationError):
        ingest(case.survey, input_path=case.path, out_dir=fresh)
    assert not fresh.exists() or not any(fresh.iterdir())
    assert not list(tmp_path.glob(".out*"))  # no staging leftovers
    assert hashlib.sha256(case.path.read_bytes()).hexdigest() == raw_before
    problems = exc.value.problems
    assert case.kind in {p.kind for p in problems}, [str(p) for p in problems]
    matching = [p for p in problems if p.kind == case.kind]
    if case.row is not None:
        assert case.row in {p.row for p in matching}, [str(p) for p in matching]
    if case.column is not None:
        assert any(p.column and case.column in p.column for p in matching)
    if case.value is not None:
        assert case.value in {str(p.value) for p in matching}
    for p in problems:
        line = str(p)
        assert "\n" not in line and line.startswith(case.path.name)
    assert validate(case.survey, case.path) == problems  # same checks, nothing written


def test_multiple_problems_collected(corpus):
    problems = validate("municipality_2023", corpus["multiple_problems.csv"].path)
    kinds = sorted((p.kind, p.row) for p in problems)
    assert kinds == [("duplicate_municipality", 16), ("required", 11), ("unknown_municipality", 3)]
    unknown = next(p for p in problems if p.kind == "unknown_municipality")
    assert "Umeå" in unknown.hint and "Skellefteå" in unknown.hint


def test_likert_reports_every_bad_cell(corpus):
    problems = validate("partner_2021", corpus["partner_likert_out_of_range.xlsx"].path)
    assert sorted((p.row, str(p.value)) for p in problems) == [(4, "6"), (6, "Jättebra")]
    assert all("Instämmer helt" in p.hint for p in problems)


def test_missing_column_lists_headers(corpus):
    (p,) = validate("municipality_2023", corpus["renamed_column.csv"].path)
    assert "Trafikverket?" in p.hint and "q7" in p.message
    (info,) = validate("municipality_2023", corpus["xlsx_info_sheet_first.xlsx"].path)
    assert "Info, Svar" in info.hint


@pytest.mark.parametrize("name", VALID)
def test_valid_exports(corpus, name, tmp_path):
    case = corpus[name]
    raw_before = hashlib.sha256(case.path.read_bytes()).hexdigest()
    assert validate(case.survey, case.path) == []
    m = ingest(case.survey, input_path=case.path, out_dir=tmp_path)
    assert hashlib.sha256(case.path.read_bytes()).hexdigest() == raw_before == m["source_sha256"]
    assert m["rows_in"] == m["rows_out"] + m["rows_excluded"]
    assert m["synthetic"] is False
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "answers.parquet", "current", "manifest.json", "responses.parquet", "versions",
    ]  # fmt: skip
    wide = pd.read_parquet(tmp_path / "responses.parquet")
    assert len(wide) == m["rows_out"]
    if case.survey == "municipality_2023":
        assert wide["q1"].notna().all() and wide["kommunkod"].str.match(r"^24\d\d$").all()
        assert len(wide) == 15


def _wide(corpus, name, tmp_path):
    case = corpus[name]
    m = ingest(case.survey, input_path=case.path, out_dir=tmp_path)
    return (
        m,
        pd.read_parquet(tmp_path / "responses.parquet"),
        pd.read_parquet(tmp_path / "answers.parquet"),
    )


def test_text_kept_verbatim(corpus, tmp_path):
    _, w, _ = _wide(corpus, "muni_formula_cells.csv", tmp_path / "a")
    assert w.loc[2, ["q3", "q4", "q5", "q6"]].tolist() == [
        "=SUM(A1:A9)",
        "+bra samarbete",
        "-mindre bra",
        "@chef",
    ]
    _, w, _ = _wide(corpus, "muni_script.csv", tmp_path / "b")
    assert w.loc[3, "q3"] == "<script>alert('x')</script> & <b>fet</b>"
    _, w, _ = _wide(corpus, "muni_emoji.csv", tmp_path / "c")
    assert "💪" in w.loc[0, "q4"]
    _, w, _ = _wide(corpus, "muni_long_text.csv", tmp_path / "d")
    assert len(w.loc[1, "q3"]) > 70_000


def test_real_msforms_headers_with_pii(corpus, tmp_path):
    m, w, long = _wide(corpus, "muni_msforms_real_headers.xlsx", tmp_path)
    assert m["source_format"] == "ms_forms_xlsx"
    assert m["dropped_columns"] == ["ID", "Email", "Name"]
    assert m["masked_counts"] == {"email": 1, "phone": 1, "personnummer": 1, "name": 0}
    assert m["metadata_columns"] == ["Start time", "Completion time"]
    text = w.loc[4, "q3"]
    assert "[e-post]" in text and "[telefon]" in text and "[personnummer]" in text
    assert "2021-2023" in text
    blob = (tmp_path / "responses.parquet").read_bytes() + (
        tmp_path / "answers.parquet"
    ).read_bytes()
    blob += (tmp_path / "manifest.json").read_bytes()
    for secret in (b"example.org", b"Testsson", b"123 45 67", b"9805"):
        assert secret not in blob


def test_extra_column_reported_not_kept(corpus, tmp_path):
    m, w, _ = _wide(corpus, "muni_extra_column.csv", tmp_path)
    assert m["ignored_columns"] == ["Kommentar från handläggare"]
    assert "intern kommentar" not in w.to_string()


def test_blank_row_accounted(corpus, tmp_path):
    m, w, _ = _wide(corpus, "muni_blank_row.csv", tmp_path)
    assert (m["rows_in"], m["rows_out"], m["rows_excluded"]) == (16, 15, 1)
    assert m["excluded_reasons"] == {"tom rad": 1}
    assert 7 not in set(w["source_row"]) and w["source_row"].max() == 17


def test_google_multi_with_comma_labels(corpus, tmp_path):
    _, w, long = _wide(corpus, "partner_google_multi.csv", tmp_path)
    assert bool(w.loc[0, "q13__kunskap"]) and bool(w.loc[0, "q13__komplexitet"])
    assert not bool(w.loc[0, "q13__hot"])
    assert w["q9"].isna().sum() == 3


def test_encodings_give_identical_data(corpus, tmp_path):
    frames = []
    for i, name in enumerate(
        [
            "muni_google_utf8.csv",
            "muni_excel_bom.csv",
            "muni_excel_cp1252.csv",
            "muni_nbsp_headers.csv",
        ]
    ):
        _, w, long = _wide(corpus, name, tmp_path / str(i))
        frames.append((w, long))
    for w, long in frames[1:]:
        pd.testing.assert_frame_equal(w, frames[0][0])
        pd.testing.assert_frame_equal(long, frames[0][1])


def test_manifest_json_is_deterministic(corpus, tmp_path):
    case = corpus["partner_msforms.xlsx"]
    ingest(case.survey, input_path=case.path, out_dir=tmp_path / "a")
    ingest(case.survey, input_path=case.path, out_dir=tmp_path / "b")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    m = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert str(tmp_path) not in json.dumps(m)
