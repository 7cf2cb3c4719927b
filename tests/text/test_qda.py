"""REFI-QDA exchange (analysis.text.qda): schema validity, round trips, reproducibility, refusals."""

from __future__ import annotations

import io
import random
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.text.qda import (
    SCHEMA_PATH,
    QdaCode,
    export_codebook,
    export_project,
    import_project,
    validate,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "qda"
NS = {"q": "urn:QDA-XML:project:1.0"}
UNKNOWN = "00000000-0000-0000-0000-000000000000"

CODES = [
    QdaCode("infra", "Infrastruktur", "Vägar, järnväg, el & bredband", color="#1F77B4"),
    QdaCode("tag", "Tåg", parent="infra"),
    QdaCode("bredband", "Bredband <IT>", parent="infra", color="#abc"),
    QdaCode("el", "Elnät", parent="infra"),
    QdaCode("samarbete", "Samarbete", "Mellan kommuner och regionen"),
    QdaCode("bostader", "Bostäder"),
]


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def _read_answers() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "answers.csv", dtype=str, keep_default_na=False)


def _read_codings() -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / "codings.csv", dtype={"answer_id": str, "code_id": str})
    return frame.drop(columns="snippet")


@pytest.fixture
def answers() -> pd.DataFrame:
    return _read_answers()


@pytest.fixture
def codings() -> pd.DataFrame:
    return _read_codings()


@pytest.fixture
def exported(tmp_path, answers, codings) -> Path:
    return export_project(
        tmp_path / "enkat.qdpx",
        project_name="Kommunenkäten 2023",
        codes=CODES,
        answers=answers,
        codings=codings,
    )


def _qde(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as zf:
        return ET.fromstring(zf.read("project.qde"))


def _expected_codings(answers: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """The input codings as import_project reports them: whole answers get explicit offsets."""
    texts = dict(zip(answers["answer_id"], answers["text"], strict=True))
    out = codings.copy()
    whole = out["start"].isna()
    out.loc[whole, "start"] = 0
    out.loc[whole, "end"] = [len(texts[a]) for a in out.loc[whole, "answer_id"]]
    out["start"] = out["start"].astype("Int64")
    out["end"] = out["end"].astype("Int64")
    out["text"] = [
        texts[a][s:e] for a, s, e in zip(out["answer_id"], out["start"], out["end"], strict=True)
    ]
    names = {c.id: c.name for c in CODES}
    out["code_name"] = out["code_id"].map(names)
    return _sorted(out)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    cols = ["answer_id", "code_id", "code_name", "coder", "start", "end", "text"]
    return (
        frame[cols].sort_values(["answer_id", "code_id", "coder", "start"]).reset_index(drop=True)
    )


def _rezip(path: Path, out: Path, edit) -> Path:
    """Copy a .qdpx, passing project.qde's text through ``edit``."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(name, data)
    return out


# ------------------------------------------------------------------------------------- schema


def test_packaged_schema_is_the_refi_schema_with_its_copyright_notice():
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert "Copyright 2019 REFI www.qdasoftware.org" in text
    assert "This specification is licensed under the MIT license." in text
    assert 'targetNamespace="urn:QDA-XML:project:1.0"' in text


def test_export_validates_against_the_project_schema(exported):
    assert validate(exported) == []
    with zipfile.ZipFile(exported) as zf:
        assert validate(zf.read("project.qde")) == []  # the bare XML too
        names = zf.namelist()
    assert names[0] == "project.qde"
    assert all(n.startswith("Sources/") and n.endswith(".txt") for n in names[1:])


def test_export_structure_follows_the_spec(exported, answers):
    root = _qde(exported)
    users = {u.get("name"): u.get("guid") for u in root.findall("q:Users/q:User", NS)}
    assert set(users) == {"analysis-coder", "anna", "bo"}
    assert root.get("creatingUserGUID") == users["analysis-coder"]
    # one Case per respondent, linking that respondent's answers
    cases = root.findall("q:Cases/q:Case", NS)
    assert [c.get("name") for c in cases] == ["r01", "r02", "r03"]
    assert [len(c.findall("q:SourceRef", NS)) for c in cases] == [2, 1, 2]
    # municipality is one value per respondent -> case variable; question -> source variable
    variables = {v.get("name"): v.get("guid") for v in root.findall("q:Variables/q:Variable", NS)}
    assert set(variables) == {"municipality", "question"}
    case_refs = {r.get("targetGUID") for r in root.iterfind("q:Cases/q:Case/*/q:VariableRef", NS)}
    assert case_refs == {variables["municipality"]}
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sources] == list(answers["answer_id"])
    for source in sources:
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
        assert source.find("q:PlainTextContent", NS) is None  # text lives in Sources/<guid>.txt
    # the coder of each coding is the User of its selection
    k3 = sources[2]
    owners = {
        (sel.get("startPosition"), sel.get("endPosition")): sel.get("creatingUser")
        for sel in k3.findall("q:PlainTextSelection", NS)
    }
    assert owners == {("33", "41"): users["anna"], ("33", "49"): users["bo"]}
    for sel in root.iterfind(".//q:PlainTextSelection", NS):
        for coding in sel.findall("q:Coding", NS):
            assert coding.get("creatingUser") == sel.get("creatingUser")


def test_missing_coder_means_the_machine_user(tmp_path, answers):
    codings = pd.DataFrame({"answer_id": ["k5"], "code_id": ["infra"], "coder": [None]})
    out = export_project(
        tmp_path / "m.qdpx",
        project_name="p",
        codes=CODES,
        answers=answers,
        codings=codings,
        machine_user="temakodaren",
    )
    assert list(import_project(out).codings["coder"]) == ["temakodaren"]


# ----------------------------------------------------------------------------------- round trip


def test_round_trip_gives_identical_codes_and_codings(exported, answers, codings):
    project = import_project(exported, answers=answers)
    # neither export (in the fixture) nor import touched the caller's frames
    pd.testing.assert_frame_equal(answers, _read_answers())
    pd.testing.assert_frame_equal(codings, _read_codings())
    assert project.codes == CODES
    assert project.name == "Kommunenkäten 2023"
    assert project.origin == "analysis"
    pd.testing.assert_frame_equal(_sorted(project.codings), _expected_codings(answers, codings))
    assert project.messages == ()
    assert project.has_sources and project.has_codings


def test_round_trip_spans_cut_out_the_same_text_including_non_bmp(exported, answers):
    snippets = pd.read_csv(FIXTURES / "codings.csv", dtype=str, keep_default_na=False)
    project = import_project(exported, answers=answers)
    got = {
        (r.answer_id, r.code_id, r.coder): r.text for r in project.codings.itertuples(index=False)
    }
    for row in snippets.itertuples(index=False):
        assert got[(row.answer_id, row.code_id, row.coder)] == row.snippet
    assert any(ord(ch) > 0xFFFF for text in got.values() for ch in text)


def test_sources_round_trip_byte_for_byte(exported, answers):
    project = import_project(exported)
    assert list(project.sources["name"]) == list(answers["answer_id"])
    assert list(project.sources["text"]) == list(answers["text"])
    with zipfile.ZipFile(exported) as zf:
        for row in project.sources.itertuples(index=False):
            assert zf.read(f"Sources/{row.source_guid}.txt") == row.text.encode("utf-8")


def test_offsets_count_code_points_not_utf16_units_nor_bytes(exported, answers):
    """REFI-QDA 1.5 §10.2: positions are Unicode code points from 0; end is exclusive."""
    text = answers.set_index("answer_id").at["k4", "text"]  # "🇸🇪 … Norrland 💪 — tåg, …"
    start = text.index("tåg")
    assert len(text[:start].encode("utf-16-le")) // 2 != start  # the conventions really differ
    root = _qde(exported)
    source = next(s for s in root.iterfind(".//q:TextSource", NS) if s.get("name") == "k4")
    spans = {
        sel.get("name"): (int(sel.get("startPosition")), int(sel.get("endPosition")))
        for sel in source.findall("q:PlainTextSelection", NS)
    }
    assert spans["tåg"] == (start, start + 3)


def test_crlf_and_surrounding_whitespace_survive_unchanged(tmp_path):
    text = "Rad ett 😀\r\nRad två\n\tslut "
    answers = pd.DataFrame({"answer_id": ["a"], "text": [text]})
    start = text.index("två")
    codings = pd.DataFrame(
        {"answer_id": ["a"], "code_id": ["c"], "coder": ["x"], "start": [start], "end": [start + 3]}
    )
    out = export_project(
        tmp_path / "crlf.qdpx",
        project_name="crlf",
        codes=[QdaCode("c", "C")],
        answers=answers,
        codings=codings,
    )
    project = import_project(out, answers=answers)
    assert project.sources.at[0, "text"] == text
    assert project.codings.at[0, "text"] == "två"
    assert (project.codings.at[0, "start"], project.codings.at[0, "end"]) == (start, start + 3)


# any code point but surrogates (UTF-8 cannot hold them), including controls and non-BMP ones
_TEXTS = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(_TEXTS, min_size=1, max_size=4), data=st.data())
def test_round_trip_of_arbitrary_text_and_spans(tmp_path, texts, data):
    answers = pd.DataFrame({"answer_id": [f"a{i}" for i in range(len(texts))], "text": texts})
    rows = []
    for i, text in enumerate(texts):
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        rows.append(
            {"answer_id": f"a{i}", "code_id": "c", "coder": "x", "start": start, "end": end}
        )
    out = export_project(
        tmp_path / "h.qdpx",
        project_name="h",
        codes=[QdaCode("c", "C")],
        answers=answers,
        codings=pd.DataFrame(rows),
    )
    assert validate(out) == []
    project = import_project(out, answers=answers)
    got = project.codings.sort_values("answer_id")
    assert list(got["start"]) == [r["start"] for r in rows]
    assert list(got["end"]) == [r["end"] for r in rows]
    assert list(got["text"]) == [t[r["start"] : r["end"]] for t, r in zip(texts, rows, strict=True)]


def test_integer_answer_ids_come_back_as_the_callers_ids(tmp_path):
    answers = pd.DataFrame({"answer_id": [101, 102], "text": ["Ja", "Nej"]})
    codings = pd.DataFrame({"answer_id": [102], "code_id": ["n"], "coder": ["eva"]})
    out = export_project(
        tmp_path / "ints.qdpx",
        project_name="ints",
        codes=[QdaCode("n", "Nej")],
        answers=answers,
        codings=codings,
    )
    assert list(import_project(out).codings["answer_id"]) == ["102"]
    assert list(import_project(out, answers=answers).codings["answer_id"]) == [102]


def test_case_and_source_variables_round_trip(exported, answers):
    attrs = import_project(exported, answers=answers).attributes
    wide = attrs.pivot(index="answer_id", columns="variable", values="value")
    expected = answers.set_index("answer_id")[["municipality", "question", "respondent"]]
    pd.testing.assert_frame_equal(
        wide[["municipality", "question", "respondent"]], expected, check_names=False
    )


def test_typed_variables(tmp_path):
    answers = pd.DataFrame(
        {
            "answer_id": ["a", "b"],
            "text": ["x", "y"],
            "age": pd.array([34, None], dtype="Int64"),
            "share": [0.25, 1e-7],
            "member": [True, False],
        }
    )
    out = export_project(
        tmp_path / "typed.qdpx",
        project_name="typed",
        codes=[],
        answers=answers,
        codings=pd.DataFrame(columns=["answer_id", "code_id", "coder"]),
    )
    assert validate(out) == []
    types = {
        v.get("name"): v.get("typeOfVariable") for v in _qde(out).iter(f"{{{NS['q']}}}Variable")
    }
    assert types == {"age": "Integer", "share": "Float", "member": "Boolean"}
    values = import_project(out).attributes
    assert values.values.tolist() == [
        ["a", "age", 34],
        ["a", "share", 0.25],
        ["a", "member", True],
        ["b", "share", 1e-7],
        ["b", "member", False],
    ]


# ---------------------------------------------------------------------------- reproducibility


def test_export_is_byte_reproducible(tmp_path, answers, codings):
    kwargs = {"project_name": "Kommunenkäten 2023", "codes": CODES, "answers": answers}
    first = export_project(tmp_path / "a.qdpx", codings=codings, **kwargs).read_bytes()
    second = export_project(tmp_path / "b.qdpx", codings=codings, **kwargs).read_bytes()
    assert first == second
    rows = list(range(len(codings)))
    random.Random(7).shuffle(rows)
    shuffled = codings.iloc[rows].reset_index(drop=True)
    assert export_project(tmp_path / "c.qdpx", codings=shuffled, **kwargs).read_bytes() == first
    # GUIDs are uuid5 of the project name and ids: another project name, other GUIDs
    other = export_project(
        tmp_path / "d.qdpx", codings=codings, **{**kwargs, "project_name": "Annan"}
    )
    assert _qde(other).find("q:Users/q:User", NS).get("guid") != (
        _qde(tmp_path / "a.qdpx").find("q:Users/q:User", NS).get("guid")
    )


def test_source_date_epoch_sets_the_dates(tmp_path, answers, codings, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    kwargs = {"project_name": "p", "codes": CODES, "answers": answers, "codings": codings}
    out = export_project(tmp_path / "a.qdpx", **kwargs)
    assert out.read_bytes() == export_project(tmp_path / "b.qdpx", **kwargs).read_bytes()
    assert _qde(out).get("creationDateTime") == "2023-11-14T22:13:20Z"
    with zipfile.ZipFile(out) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        export_project(tmp_path / "c.qdpx", **kwargs)


def test_failed_export_leaves_the_old_file_and_no_temporary_files(tmp_path, answers, codings):
    target = export_project(
        tmp_path / "p.qdpx", project_name="p", codes=CODES, answers=answers, codings=codings
    )
    before = target.read_bytes()
    bad = codings.assign(code_id=codings["code_id"].replace({"el": "okänd"}))
    with pytest.raises(ValueError, match="okänd"):
        export_project(target, project_name="p", codes=CODES, answers=answers, codings=bad)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.qdpx"]


# -------------------------------------------------------------------------------- codebook


def test_export_codebook_validates_and_nests(tmp_path):
    out = export_codebook(tmp_path / "teman.qdc", CODES)
    assert validate(out) == []
    root = ET.fromstring(out.read_bytes())
    q = "{urn:QDA-XML:codebook:1.0}"
    assert root.tag == f"{q}CodeBook" and root.get("origin") == "analysis"
    top = root.findall(f"{q}Codes/{q}Code")
    assert [c.get("name") for c in top] == ["Infrastruktur", "Samarbete", "Bostäder"]
    assert [c.get("name") for c in top[0].findall(f"{q}Code")] == ["Tåg", "Bredband <IT>", "Elnät"]
    assert top[1].findtext(f"{q}Description") == "Mellan kommuner och regionen"
    assert out.read_bytes() == export_codebook(tmp_path / "again.qdc", CODES).read_bytes()


def test_codebook_guids_match_the_project_when_given_its_name(tmp_path, exported):
    out = export_codebook(tmp_path / "t.qdc", CODES, project_name="Kommunenkäten 2023")
    in_codebook = {c.get("name"): c.get("guid") for c in ET.fromstring(out.read_bytes()).iter()}
    in_project = {c.get("name"): c.get("guid") for c in _qde(exported).iter(f"{{{NS['q']}}}Code")}
    assert {k: in_codebook[k] for k in in_project} == in_project


# ------------------------------------------------------------------- other programs' projects


def test_atlas_project_without_sources_imports_its_codes_with_a_clear_message():
    sample = FIXTURES / "target-atlas-project.qdpx"
    assert validate(sample) == []
    project = import_project(sample)
    assert [(c.name, c.parent is None) for c in project.codes] == [
        ("Commits", True),
        ("2022-05-10T02:05:59Z 19e4dce", False),
        ("2022-02-11T10:39:25Z cdbfd92", False),
    ]
    assert project.codes[1].parent == project.codes[0].id == "A182CD3A-D83C-4D8C-BC80-26D9103EC6D6"
    assert not project.has_sources and not project.has_codings
    assert "har inga textkällor och därför inga kodningar" in project.message
    assert "3 koder" in project.message
    assert list(project.codings.columns) == [
        "answer_id",
        "code_id",
        "code_name",
        "coder",
        "start",
        "end",
        "text",
        "coder_guid",
    ]
    assert list(project.sources.columns) == ["source_guid", "name", "text"]
    # it cannot belong to a survey, but having no sources is not a mismatch either
    answers = pd.DataFrame({"answer_id": ["k1"], "text": ["x"]})
    assert import_project(sample, answers=answers).codes == project.codes


def test_foreign_conventions_are_read():
    project = import_project(FIXTURES / "foreign-project.qdpx")
    assert [(c.name, c.color, c.description) for c in project.codes] == [
        ("Topics", None, ""),
        ("Economy", "#ffff00", "Jobs, taxes or business"),
    ]
    rows = project.codings[["answer_id", "code_name", "start", "end", "text"]]
    assert rows.values.tolist() == [
        ["Interview 1", "Economy", 4, 14, "Wirtschaft"],  # the byte-order mark is not counted
        ["Interview 1", "Topics", 0, 24, "Die Wirtschaft 💶 wächst."],  # coding on the source
        ["Memo", "Economy", 7, 8, "😀"],  # inline PlainTextContent
    ]
    coders = project.codings["coder"]
    assert list(coders[:2]) == ["Friedrich", "Friedrich"] and pd.isna(coders[2])  # no user
    assert project.message == "Hoppade över källor som importen inte läser: 1 PictureSource."


# ------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("not-a-zip.qdpx", "ingen zip-fil"),
        ("no-project-qde.qdpx", "saknar project.qde"),
        ("malformed-xml.qdpx", "inte välformad XML"),
        ("wrong-root.qdpx", "rotelementet i project.qde är 'CodeBook'"),
        ("damaged-entry.qdpx", "skadad eller oläslig"),
    ],
)
def test_malformed_files_raise_one_line_value_errors(fixture, expected):
    with pytest.raises(ValueError, match=expected) as info:
        import_project(FIXTURES / fixture)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(FIXTURES / fixture) + ": ")
    assert message.count(fixture) == 1


def test_missing_file_and_xml_tricks_are_refused_in_one_line(tmp_path, exported):
    with pytest.raises(ValueError, match="filen finns inte"):
        import_project(tmp_path / "saknas.qdpx")
    doctype = _rezip(
        exported,
        tmp_path / "doctype.qdpx",
        lambda x: x.replace("<Project", '<!DOCTYPE p [<!ENTITY e "x">]>\n<Project', 1),
    )
    with pytest.raises(ValueError, match="DOCTYPE"):
        import_project(doctype)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda x: x.replace('startPosition="24"', 'startPosition="x"', 1),
            "som inte är ett heltal",
        ),
        (lambda x: x.replace('endPosition="9"', 'endPosition="999"', 1), "ligger utanför"),
        (
            lambda x: x.replace(
                '<CodeRef targetGUID="', f'<CodeRef targetGUID="{UNKNOWN}" old="', 1
            ),
            "inte finns i projektets kodbok",
        ),
    ],
)
def test_inconsistent_projects_raise_one_line_value_errors(tmp_path, exported, edit, expected):
    broken = _rezip(exported, tmp_path / "broken.qdpx", edit)
    with pytest.raises(ValueError, match=expected) as info:
        import_project(broken)
    assert "\n" not in str(info.value)
    assert validate(broken) != []


def test_project_of_another_survey_is_refused(exported, answers):
    changed = answers.copy()
    changed.loc[changed["answer_id"] == "k2", "text"] = "Ett helt annat svar."
    with pytest.raises(ValueError, match="svaret 'k2' har ändrats sedan projektet") as info:
        import_project(exported, answers=changed)
    assert "\n" not in str(info.value)
    fewer = answers[answers["answer_id"] != "k3"]
    with pytest.raises(ValueError, match="svaret 'k3' finns inte längre i enkätens data"):
        import_project(exported, answers=fewer)
    other = answers.assign(answer_id=answers["answer_id"] + "x")
    with pytest.raises(ValueError, match="projektet hör inte till den här enkäten"):
        import_project(exported, answers=other)


def test_a_subset_of_the_survey_is_fine(tmp_path, answers, codings):
    part = answers[answers["answer_id"].isin(["k1", "k2"])]
    out = export_project(
        tmp_path / "part.qdpx",
        project_name="p",
        codes=CODES,
        answers=part,
        codings=codings[codings["answer_id"].isin(["k1", "k2"])],
    )
    assert set(import_project(out, answers=answers).codings["answer_id"]) == {"k1", "k2"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"codings": {"answer_id": "k9"}}, "answer_id 'k9', som saknas i answers"),
        ({"codings": {"code_id": "okänd"}}, "code_id 'okänd', som saknas i codes"),
        ({"codings": {"start": 40.0, "end": 90.0}}, "ligger inte inom svarets"),
        ({"codings": {"start": 5.0, "end": float("nan")}}, "bara en av start och end"),
        ({"codings": {"start": 1.5, "end": 3.0}}, "måste vara heltal"),
        ({"answers": {"answer_id": "k2"}}, "answer_id 'k2' förekommer mer än en gång"),
        ({"answers": {"text": None}}, "saknar text"),
        ({"codes": [QdaCode("a", "A"), QdaCode("a", "B")]}, "kod-id 'a' förekommer två gånger"),
        ({"codes": [QdaCode("a", "A", color="blue")]}, "har inte formen #RRGGBB"),
        ({"codes": [QdaCode("a", "A", parent="x")]}, "föräldern 'x' finns inte i kodboken"),
        ({"codes": [QdaCode("a", "A", parent="b"), QdaCode("b", "B", parent="a")]}, "slinga"),
        ({"codes": [QdaCode("a", "A\x0b")]}, "U\\+000B"),
        ({"path": "p.zip"}, "filändelsen .qdpx"),
    ],
)
def test_bad_export_inputs_raise_one_line_value_errors(
    tmp_path, answers, codings, change, expected
):
    answers = answers.copy()
    codings = codings.copy()
    codes = change.get("codes", CODES)
    for column, value in change.get("codings", {}).items():
        codings.loc[1, column] = value
    for column, value in change.get("answers", {}).items():
        answers.loc[0, column] = value
    if "codes" in change:
        codings = codings.iloc[0:0]
    with pytest.raises(ValueError, match=expected) as info:
        export_project(
            tmp_path / change.get("path", "p.qdpx"),
            project_name="p",
            codes=codes,
            answers=answers,
            codings=codings,
        )
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------- validate


def test_validate_reports_schema_and_rule_violations(tmp_path, exported):
    with zipfile.ZipFile(exported) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    no_name = qde.replace(' name="Kommunenkäten 2023"', "", 1).encode("utf-8")
    assert validate(no_name) == [
        "/Project: bryter mot schemat: det obligatoriska attributet 'name' saknas"
    ]
    out_of_range = _rezip(
        exported, tmp_path / "r.qdpx", lambda x: x.replace('endPosition="9"', 'endPosition="999"')
    )
    [problem] = validate(out_of_range)
    assert "urvalet 0–999 ligger utanför" in problem
    without_files = io.BytesIO()
    with zipfile.ZipFile(without_files, "w") as zf:
        zf.writestr("project.qde", qde)
    problems = validate(without_files.getvalue())
    assert len(problems) == 5
    assert all("som saknas i zip-filen" in p for p in problems)


def test_validate_refuses_unreadable_input_in_one_line():
    with pytest.raises(ValueError, match="varken ett REFI-QDA-projekt"):
        validate(FIXTURES / "not-a-zip.qdpx")
    with pytest.raises(ValueError, match="inte välformad XML"):
        validate(b"<Project")


def test_schema_violations_are_reported_in_swedish():
    from analysis.text.qda.validate import validate

    ns = "urn:QDA-XML:project:1.0"
    cases = {
        f'<Project xmlns="{ns}" name="a" foo="1"/>': "attributet 'foo' är inte tillåtet här",
        f'<Project xmlns="{ns}" name="a"><Bogus/></Project>': "elementet 'Bogus' hör inte hemma",
        f'<Project xmlns="{ns}" name="a"><CodeBook/></Project>': "'Codes' saknas",
        f'<Project xmlns="{ns}" name="a"><Users><User guid="x"/></Users></Project>': "en GUID",
        f'<Project xmlns="{ns}" name="a" creationDateTime="igår"/>': "ingen tidpunkt",
    }
    for xml, expected in cases.items():
        (problem,) = validate(xml.encode())
        assert expected in problem, problem
        assert "bryter mot schemat" in problem
