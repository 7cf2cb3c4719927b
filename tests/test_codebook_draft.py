"""`analysis codebook draft`: a draft codebook from an export that ingests the export it came from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from analysis.cli import main
from analysis.data.codebook import Codebook
from analysis.data.codebook_draft import draft_codebook, infer, split_header, write_draft
from analysis.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
EXPORTS = {
    "partner_2021": RAW / "partner_2021" / "demo_partner_2021_msforms.xlsx",
    "municipality_2023": RAW / "municipality_2023" / "demo_municipality_2023_googleforms.csv",
    "partner_2025": RAW / "partner_2025" / "demo_partner_2025_msforms.xlsx",
}


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copytree(RAW / "reference", root / "data" / "raw" / "reference")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize("source", sorted(EXPORTS))
def test_draft_ingests_the_export_it_came_from(source, tmp_path, monkeypatch, capsys):
    root = _project(tmp_path)
    name = f"draft_{source}"
    folder = root / "data" / "raw" / name
    folder.mkdir()
    export = folder / f"svar{EXPORTS[source].suffix}"
    shutil.copy(EXPORTS[source], export)
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    assert main(["codebook", "draft", str(export), "--survey", name]) == 0
    assert "# check" in capsys.readouterr().out
    assert main(["validate", name, str(export)]) == 0
    assert main(["ingest", name]) == 0
    draft = Codebook.load(folder / "codebook.yaml")
    original = Codebook.load(RAW / source / "codebook.yaml")
    # the same questions, texts and types as the hand-made codebook
    assert [q.text for q in draft.questions] == [q.text for q in original.questions]
    assert [q.type for q in draft.questions] == [q.type for q in original.questions]
    assert [q.examples for q in draft.questions] == [q.examples for q in original.questions]
    for qd, qo in zip(draft.questions, original.questions, strict=True):
        if qo.type == "likert":
            assert qd.substantive_labels == qo.substantive_labels  # ordered low -> high
        if qo.type in ("multi", "likert"):
            assert {o.label for o in qd.options} <= {o.label for o in qo.options}
    # the strictest disclosure defaults
    assert draft.disclosure == {
        "respondent_kind": "person",
        "min_cell": 5,
        "quotes_attributed": False,
        "mask_respondent_names": True,
        "keep_names": [],
    }


def test_every_inference_is_marked_for_a_human(tmp_path):
    text = draft_codebook(EXPORTS["partner_2021"], "x_2021")
    type_lines = [line for line in text.splitlines() if line.strip().startswith("type:")]
    assert type_lines and all("# check" in line for line in type_lines)
    assert '"Email": personal data (email) – left out' in text
    assert '"Name": personal data (name) – left out' in text
    assert '"ID": the form tool' in text and '"Start time": form bookkeeping' in text
    assert "respondent_kind: person" in text
    assert "example.org" not in text  # no answer values from personal-data columns


def test_split_header_parts():
    header = (
        "2. Beskriv din kommuns största möjligheter. (tex digitalisering, kultur) "
        "Läs om den regionala utvecklingsstrategin här https://www.example.se/rus"
    )
    number, text, examples, link = split_header(header)
    assert number == 2 and text == "Beskriv din kommuns största möjligheter."
    assert examples == "(tex digitalisering, kultur)"
    assert link == "Läs om den regionala utvecklingsstrategin här https://www.example.se/rus"
    assert split_header("Vad tycker du?") == (None, "Vad tycker du?", None, None)


@pytest.mark.parametrize(
    ("values", "header", "expected"),
    [
        (["Instämmer helt", "Varken eller", "Vet ej"], "", "likert"),
        (["Mycket nöjd", "Ganska missnöjd"], "", "likert"),
        (["A;", "A;B;", None], "", "multi"),
        (["Umeå kommun", "Vännäs", "Skellefteå kommun"], "", "municipality"),
        (["Kommun", "Företag", "Kommun"], "", "org_type"),
        (["P01", "P17"], "Organisationskod", "org_id"),
        (["Ja", "Nej", "Ja", "Nej"], "", "single"),
        (["Ett långt och utförligt svar om samarbetet " * 3, "Ett annat svar"] * 2, "", "text"),
        ([None, ""], "", "text"),
    ],
)
def test_infer(values, header, expected):
    assert infer(values, header).type == expected


def test_likert_options_low_to_high_with_vet_ej_last():
    g = infer(["Instämmer helt", "Vet ej", "Instämmer inte alls"])
    assert g.labels == [
        "Instämmer inte alls", "Instämmer delvis inte", "Varken eller", "Instämmer delvis",
        "Instämmer helt", "Vet ej",
    ]  # fmt: skip
    assert g.non_substantive == ["Vet ej"]


def test_swedish_excel_csv(tmp_path, monkeypatch):
    """A ;-separated cp1252 export with a numbered header, a scale and free text."""
    root = _project(tmp_path)
    folder = root / "data" / "raw" / "bibliotek_2026"
    folder.mkdir()
    rows = [
        "Tidsstämpel;Namn;1. Hur nöjd är du med biblioteket?;2. Vilka tjänster använder du?;"
        "3. Övriga synpunkter (tex öppettider)",
        "2026-03-01;Anna Exempelsson;Mycket nöjd;Lån;Bra personal som alltid hjälper till med allt",
        "2026-03-02;Per Testberg;Ganska nöjd;Lån, e-böcker;Längre öppettider på helgerna vore bra",
        "2026-03-03;Eva Påhittad;Mycket nöjd;E-böcker;",
    ]
    export = folder / "svar.csv"
    export.write_bytes("\r\n".join(rows).encode("cp1252"))
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    target = write_draft(export, "bibliotek_2026")
    cb = Codebook.load(target)
    assert [q.number for q in cb.questions] == [1, 2, 3]
    assert [q.type for q in cb.questions] == ["likert", "single", "text"]
    assert cb.questions[2].examples == "(tex öppettider)"
    assert main(["ingest", "bibliotek_2026", "--quiet"]) == 0


def test_refuses_to_overwrite_and_bad_ids(tmp_path, capsys):
    out = tmp_path / "codebook.yaml"
    out.write_text("survey: keep\n", encoding="utf-8")
    argv = ["codebook", "draft", str(EXPORTS["partner_2021"]), "--survey", "ny_2026"]
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--force" in err
    assert out.read_text(encoding="utf-8") == "survey: keep\n"
    assert main([*argv, "--out", str(out), "--force"]) == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["survey"] == "ny_2026"
    with pytest.raises(ConfigError, match="ogiltigt enkät-id"):
        draft_codebook(EXPORTS["partner_2021"], "Ny Enkät")
    missing = tmp_path / "saknas.xlsx"
    assert main(["codebook", "draft", str(missing), "--survey", "x", "--out", str(out)]) == 2
