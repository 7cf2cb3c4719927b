"""Codebook loading/validation and header matching."""

from __future__ import annotations

import pytest
import yaml

from analysis.data.codebook import Codebook, load_codebook
from analysis.data.headers import header_key, leading_number, match_headers
from analysis.errors import ConfigError


def test_real_codebooks_load():
    m = load_codebook("municipality_2023")
    p = load_codebook("partner_2021")
    assert [q.id for q in m.questions] == [f"q{i}" for i in range(1, 16)]
    assert m.question("q1").type == "municipality" and m.frame_size == 15  # a census
    assert p.frame_size == 43 and len(p.sha256) == 64
    assert p.question("q4").labels[-1] == "Vet ej"
    assert p.question("q4").substantive_labels[0] == "Instämmer inte alls"
    assert [q.id for q in p.questions_of_type("multi")] == ["q3", "q12", "q13"]
    assert p.demo_synthetic and p.demo_file.startswith("demo_")


def test_tiny_codebook(tiny_codebook_path):
    cb = Codebook.load(tiny_codebook_path)
    assert cb.version == "0.1-test" and cb.frame_size == 43
    with pytest.raises(ConfigError, match="okänd fråga 'q9'"):
        cb.question("q9")


def _write(tmp_path, data):
    p = tmp_path / "codebook.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def _base(tiny_codebook_path):
    return yaml.safe_load(tiny_codebook_path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "mutate, needle",
    [
        (lambda d: d["questions"][1].update(type="rating"), "q2: okänd typ 'rating'"),
        (lambda d: d["questions"][2].update(id="q2"), "'q2' förekommer mer än en gång"),
        (
            lambda d: d["questions"][1].update(options=[]),
            "q2: typen 'likert' kräver svarsalternativ",
        ),
        (lambda d: d["questions"][2].pop("options"), "q3: typen 'multi' kräver svarsalternativ"),
        (
            lambda d: d["questions"][3].update(options=[{"code": "a", "label": "A"}]),
            "q4: typen 'text' ska inte",
        ),
        (
            lambda d: d["questions"][1].update(non_substantive=["Ej aktuellt"]),
            "q2: 'non_substantive'",
        ),
        (
            lambda d: d["questions"][1]["options"].append({"code": "1", "label": "X"}),
            "q2: svarsalternativens code",
        ),
        (lambda d: d["questions"][0].update(id="Q 1"), "ogiltigt id"),
        (lambda d: d.pop("version"), "'version' saknas"),
        (lambda d: d.update(questions=[]), "icke-tom lista"),
    ],
)
def test_codebook_errors_name_file_and_question(tmp_path, tiny_codebook_path, mutate, needle):
    data = _base(tiny_codebook_path)
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as exc:
        Codebook.load(path)
    assert str(path) in str(exc.value)
    assert needle in str(exc.value)


def test_codebook_missing_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="saknas"):
        Codebook.load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ogiltig YAML"):
        Codebook.load(bad)
    with pytest.raises(ConfigError, match="okänd enkät"):
        load_codebook("survey_1999")


@pytest.mark.parametrize(
    "header",
    [
        "Vilken kommun representerar du?",
        "1. Vilken kommun representerar du?",
        "1) vilken KOMMUN representerar du",
        "Fråga 1: Vilken kommun representerar du:",
        "\u00a0Vilken\u00a0kommun  representerar\tdu ?\u00a0",
    ],
)
def test_header_variants_match(tiny_codebook_path, header):
    cb = Codebook.load(tiny_codebook_path)
    m = match_headers([header], cb)
    assert m.questions == {"q1": 0}


def test_examples_link_and_alias(tiny_codebook_path):
    cb = Codebook.load(tiny_codebook_path)
    headers = [
        "ID",
        "Name",
        "Start time",
        "3. Vilka områden? (tex vägar, el)",
        "4. Beskriv gärna Läs om strategin här https://example.org/rus",
        "Hur nöjd är du? (t.ex. på en skala)",
        "Kommentar",
    ]
    m = match_headers(headers, cb)
    assert m.questions == {"q3": 3, "q4": 4, "q2": 5}
    assert m.id_column == 0 and m.pii_columns == [1] and m.metadata_columns == [2]
    assert m.ignored_columns == [6]
    assert [q.id for q in m.missing] == ["q1"]
    assert match_headers(["Fritt svar"], cb).questions == {"q4": 0}


def test_identical_texts_use_number_then_order():
    cb = load_codebook("partner_2021")
    text = "Beskriv gärna hur, i så fall:"
    assert match_headers([text, text], cb).questions == {"q9": 0, "q11": 1}
    swapped = match_headers([f"11. {text}", f"9. {text}"], cb).questions
    assert swapped == {"q11": 0, "q9": 1}


def test_duplicate_column_reported():
    cb = load_codebook("municipality_2023")
    m = match_headers(["Vilken kommun representerar du?", "1. Vilken kommun representerar du"], cb)
    assert m.duplicate_columns == [(1, "q1")]


def test_key_helpers():
    assert header_key("12. Nämn tre områden!") == "nämntreområden"
    assert leading_number("2021 års enkät") is None or leading_number("3. x") == 3
    assert leading_number("Beskriv") is None
