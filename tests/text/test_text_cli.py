"""The ``analysis code`` command on small fixtures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_cli(argv: list[str]) -> int:
    from analysis.cli import main

    return main(argv)


@pytest.mark.parametrize("fixture", ["answers_cp1252_semicolon.csv", "answers_utf8.csv"])
def test_code_csv_with_id(tmp_path, themes, fixture):
    out = tmp_path / "kodat.csv"
    rc = run_cli(
        [
            "code",
            str(FIXTURES / fixture),
            "--text-column",
            "svar",
            "--id-column",
            "id",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(df.columns) == ["id", "themes", "evidence", *themes.ids]
    assert df["id"].tolist() == ["k1", "k2", "k3", "k4", "k5"]
    assert "@" in df.loc[0, "evidence"]  # theme: word@start-end
    themes_col = dict(zip(df["id"], df["themes"], strict=True))
    assert {"trafikinfrastruktur", "infra_energi"} <= set(themes_col["k1"].split(";"))
    assert themes_col["k2"] == "bostader;kompetensforsorjning;samhallsplanering"
    assert themes_col["k3"] == "" and themes_col["k5"] == ""
    assert set(df.loc[df["id"] == "k4", ["digitalisering", "infra_digital"]].iloc[0]) == {"1"}
    for theme_list, row in zip(df["themes"], df[themes.ids].to_numpy(), strict=True):
        assert sorted(t for t, v in zip(themes.ids, row, strict=True) if v == "1") == (
            theme_list.split(";") if theme_list else []
        )


def test_code_csv_without_id_uses_row_numbers(tmp_path):
    out = tmp_path / "kodat.csv"
    assert (
        run_cli(
            ["code", str(FIXTURES / "answers_utf8.csv"), "--text-column", "svar", "--out", str(out)]
        )
        == 0
    )
    df = pd.read_csv(out)
    assert df.columns[0] == "rad" and df["rad"].tolist() == [1, 2, 3, 4, 5]


def test_code_csv_custom_themes(tmp_path):
    themes = tmp_path / "t.yaml"
    themes.write_text(
        'version: "1"\nthemes:\n  - {id: kommun, label: Kommun, include: ["=kommun"]}\n',
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    assert (
        run_cli(
            [
                "code",
                str(FIXTURES / "answers_utf8.csv"),
                "--text-column",
                "svar",
                "--themes",
                str(themes),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert pd.read_csv(out, keep_default_na=False)["themes"].tolist() == ["", "", "kommun", "", ""]


def test_code_csv_errors(tmp_path, capsys):
    rc = run_cli(
        [
            "code",
            str(FIXTURES / "answers_utf8.csv"),
            "--text-column",
            "saknas",
            "--out",
            str(tmp_path / "o.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "'saknas'" in err and "Tillgängliga kolumner: id, svar" in err
    rc = run_cli(
        [
            "code",
            str(tmp_path / "finns_inte.csv"),
            "--text-column",
            "x",
            "--out",
            str(tmp_path / "o.csv"),
        ]
    )
    assert rc == 2 and "finns inte" in capsys.readouterr().err
    assert run_cli(["code"]) == 2
    assert run_cli(["code", str(FIXTURES / "answers_utf8.csv")]) == 2
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_code_survey_review_export(tmp_path, themes, suffix, capsys):
    processed = tmp_path / "processed"
    processed.mkdir()
    pd.DataFrame(
        {
            "respondent_id": ["r1", "r1", "r2", "r2"],
            "question_id": ["q2", "q6", "q2", "q3"],
            "question_type": ["text", "text", "text", "likert"],
            "option_code": [None, None, None, "3"],
            "value": [
                '=HYPERLINK("http://x") bredband',
                "Länsstyrelsen är lyhörd.",
                "+46 kompetensförsörjning",
                "Instämmer",
            ],
        }
    ).to_parquet(processed / "answers.parquet")
    out = tmp_path / f"granska{suffix}"
    rc = run_cli(
        [
            "code",
            "--survey",
            "municipality_2023",
            "--processed",
            str(processed),
            "--review",
            str(out),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    if suffix == ".xlsx":
        df = pd.read_excel(out, dtype=str, keep_default_na=False)
    else:
        df = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(zip(df["id"], df["question"], strict=True)) == [
        ("r1", "q2"),
        ("r2", "q2"),
        ("r1", "q6"),
    ]
    assert df["text"].tolist()[0] == '\'=HYPERLINK("http://x") bredband'
    assert df["text"].tolist()[1] == "'+46 kompetensförsörjning"
    assert df["suggested_themes"].tolist()[1] == "kompetensforsorjning"
    assert "verified_themes" in df.columns and set(themes.ids) <= set(df.columns)


def test_code_survey_without_processed_data(tmp_path, capsys):
    rc = run_cli(
        [
            "code",
            "--survey",
            "municipality_2023",
            "--processed",
            str(tmp_path),
            "--review",
            str(tmp_path / "x.xlsx"),
        ]
    )
    assert rc == 2 and "analysis ingest" in capsys.readouterr().err


def test_code_csv_output_is_safe_and_never_overwrites_the_input(tmp_path, capsys):
    src = tmp_path / "svar.csv"
    src.write_text("id;svar\n=1+2;Fler bostäder behövs\n", encoding="utf-8")
    before = src.read_bytes()
    # the output may be neither the input itself nor a folder, and an unwritable path is a
    # one-line error (exit 2), never a traceback
    for out in (src, tmp_path, src / "ut.csv"):  # the last: a "folder" that is a file
        code = run_cli(
            ["code", str(src), "--text-column", "svar", "--id-column", "id", "--out", str(out)]
        )
        assert code == 2, out
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.count("\n") == 1
    assert src.read_bytes() == before
    out = tmp_path / "ut.csv"
    assert (
        run_cli(["code", str(src), "--text-column", "svar", "--id-column", "id", "--out", str(out)])
        == 0
    )
    coded = pd.read_csv(out, dtype=str)
    assert coded.loc[0, "id"] == "'=1+2"  # neutralised against formula injection


def test_code_csv_warns_about_removed_control_characters(tmp_path, capsys):
    src = tmp_path / "svar.csv"
    src.write_bytes(
        '\n\nid,text\n1,Vi saknar lärare\n2,"Vägarna \u202e är dåliga"\n3,Vi\x00 saknar VA\n'.encode()
    )
    out = tmp_path / "kodat.csv"
    rc = run_cli(
        ["code", str(src), "--text-column", "text", "--id-column", "id", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "2 svar i kolumnen 'text'" in err and "(rad 5, 6)" in err
    assert len(pd.read_csv(out)) == 3
    clean = tmp_path / "ren.csv"
    clean.write_text("id,text\n1,Vi saknar lärare\n", encoding="utf-8")
    assert (
        run_cli(["code", str(clean), "--text-column", "text", "--out", str(tmp_path / "o.csv")])
        == 0
    )
    assert "NUL" not in capsys.readouterr().err
