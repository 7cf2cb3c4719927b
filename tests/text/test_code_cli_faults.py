"""Faults an analyst can cause with ``analysis code`` (found by a black-box attack): each gets one
line and exit 2, nothing is silently lost, and evidence offsets point into the answer as given."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest


def run_cli(argv: list[str]) -> int:
    from analysis.cli import main

    return main(argv)


def _code(src: Path, out: Path) -> int:
    return run_cli(
        ["code", str(src), "--text-column", "text", "--id-column", "id", "--out", str(out)]
    )


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    "body",
    [
        'id,text\n1,"bredband saknas\n2,vägarna är dåliga\n3,bostäder saknas\n',
        'id,text\n1,ok\n2,"vägarna\r\n3,bostäder saknas',
        'id;text\n1;"ok"\n2;"sista svaret utan slut\n',
    ],
)
def test_a_quote_that_never_closes_is_refused_with_its_row(tmp_path, capsys, body):
    src = tmp_path / "in.csv"
    src.write_bytes(body.encode("utf-8"))
    out = tmp_path / "out.csv"
    assert _code(src, out) == 2
    err = _one_line(capsys)
    assert "citattecken" in err and "rad " in err and "in.csv" in err
    assert not out.exists()


@pytest.mark.parametrize(
    "body",
    [
        'id,text\n1,"rad ett\nrad två"\n2,"sista"\n',
        'id,text,q\n1,ok,q2\n2,"sista svaret\nmed radbrytning",\n',  # last field empty
        'id,text,q\n1,ok,q2\n2,"sista svaret\nmed radbrytning",q3',  # no final newline
    ],
)
def test_a_quoted_multiline_answer_is_fine(tmp_path, body):
    src = tmp_path / "in.csv"
    src.write_text(body, encoding="utf-8")
    out = tmp_path / "out.csv"
    assert _code(src, out) == 0
    assert len(pd.read_csv(out, dtype=str, keep_default_na=False)) == 2


@pytest.mark.parametrize(
    ("body", "value"),
    [
        ("id,text\nn28,Inflyttningen går bra, det är bostäderna som är problemet\n", "bostäderna"),
        ("id,text\n1,a,b,c\n2,x\n", "'b'"),
    ],
)
def test_extra_fields_are_refused_not_dropped(tmp_path, capsys, body, value):
    src = tmp_path / "in.csv"
    src.write_text(body, encoding="utf-8")
    out = tmp_path / "out.csv"
    assert _code(src, out) == 2
    err = _one_line(capsys)
    assert "rad 2" in err and value in err and "citattecken" in err
    assert not out.exists()


def test_output_onto_a_fifo_is_refused_and_the_fifo_kept(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,Vägarna är dåliga.\n", encoding="utf-8")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert _code(src, fifo) == 2
    assert "inte en vanlig fil" in _one_line(capsys)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_atomic_writes_never_replace_a_device():
    from analysis import atomic

    with pytest.raises(OSError, match="inte en vanlig fil"):
        atomic.write_bytes("/dev/null", b"x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_must_be_csv_and_outside_raw(tmp_path, capsys):
    from analysis import paths

    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,Vägarna är dåliga.\n", encoding="utf-8")
    assert _code(src, tmp_path / "out.xlsx") == 2
    assert ".csv" in _one_line(capsys)
    inside = paths.raw_dir("municipality_2023") / "kodat_test_should_not_exist.csv"
    assert _code(src, inside) == 2
    assert "data/raw" in _one_line(capsys)
    assert not inside.exists()


@pytest.mark.parametrize(
    "text",
    [
        "Cafe\u0301 och bostäder saknas",  # a decomposed letter before the evidence
        "bosta\u0308der saknas",  # the evidence itself decomposed (as macOS writes)
        "Kaf\u00adfe. Bostäder saknas",  # a soft hyphen before the evidence
        "😀🙈 𝔘 Bostäder saknas",  # non-BMP characters before it
    ],
)
def test_evidence_offsets_slice_the_answer_as_given(text):
    from analysis.text.coding import code_with_evidence

    out = code_with_evidence(pd.Series([text]))
    spans = [e for e in out["evidence"][0].split("; ") if e.startswith("bostader:")]
    assert spans, out["evidence"][0]
    word, rng = spans[0].split(": ", 1)[1].rsplit("@", 1)
    s, e = (int(x) for x in rng.split("-"))
    assert text[s:e] == word
    assert text[s:e].replace("a\u0308", "ä").lower().startswith("bostäder")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vi har aldrig haft problem med rekrytering", set()),
        ("inga problem alls förutom bostäderna", {"samhallsplanering"}),
        ("Vi kör vår egen väg", set()),
        ("planeringsberedskap saknas", {"samhallsplanering"}),
    ],
)
def test_reading_rules_found_by_the_attack(text, expected):
    from analysis.text.coding import code_texts, themes_found
    from analysis.text.themes import PRIORITY_AREAS

    got = set(themes_found(code_texts([text])).iloc[0].split(";")) & set(PRIORITY_AREAS)
    assert got == expected
