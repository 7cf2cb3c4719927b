"""Hardening of the REFI-QDA import after a black-box attack (attack 12).

Swedish one-line messages naming the file once; decompression bombs refused before reading;
an answer changed since the export named as such (``--skip-changed`` imports the rest and lists
what it left out); contact data in coder names masked; duplicate GUIDs refused; the machine
coder recognised by its GUID, not its name; a machine-only project says why nothing was written.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.errors import ConfigError
from analysis.text import coding
from analysis.text.qda import QdaCode, archive, export_project, import_project, validate
from analysis.text.qda import survey as qs

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "qda"
CODES = [QdaCode("infra", "Infrastruktur"), QdaCode("bostader", "Bostäder")]
ENGLISH = re.compile(r"\b(the|is|not|has|refers|outside|which|does|belong|file)\b")


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def answers() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "answers.csv", dtype=str, keep_default_na=False)


@pytest.fixture
def exported(tmp_path, answers) -> Path:
    codings = pd.DataFrame(
        {
            "answer_id": ["k1", "k2", "k3"],
            "code_id": ["infra", "bostader", "infra"],
            "coder": ["anna", "anna", "anna"],
            "start": [0, 0, 0],
            "end": [9, 4, 3],
        }
    )
    return export_project(
        tmp_path / "enkat.qdpx", project_name="p", codes=CODES, answers=answers, codings=codings
    )


def _rezip(path: Path, out: Path, edit=lambda x: x, extra: dict | None = None) -> Path:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(name, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out


def _one_swedish_line(message: str, path: Path) -> None:
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert message.count(path.name) == 1, message  # the file is named once
    assert not ENGLISH.search(message.removeprefix(f"{path}: ")), message


# ---------------------------------------------------------------------- 1: Swedish messages


def test_a_selection_outside_the_text_is_one_swedish_line_naming_the_file_once(tmp_path, exported):
    broken = _rezip(
        exported,
        tmp_path / "h_range.qdpx",
        lambda x: x.replace('endPosition="9"', 'endPosition="99999"'),
    )
    with pytest.raises(ValueError) as info:
        import_project(broken)
    _one_swedish_line(str(info.value), broken)
    assert "urvalet 0–99999 i källan 'k1' ligger utanför textens" in str(info.value)


def test_a_reversed_selection_is_reported_as_reversed(tmp_path, exported):
    broken = _rezip(
        exported,
        tmp_path / "h_neg.qdpx",
        lambda x: x.replace(
            'startPosition="0" endPosition="9"', 'startPosition="50" endPosition="10"'
        ),
    )
    with pytest.raises(ValueError) as info:
        import_project(broken)
    message = str(info.value)
    _one_swedish_line(message, broken)
    assert "urvalet 50–10 i källan 'k1' är omvänt" in message
    assert "utanför" not in message
    assert any("urvalet 50–10 är omvänt" in p for p in validate(broken))


@pytest.mark.parametrize(
    "fixture",
    ["not-a-zip.qdpx", "no-project-qde.qdpx", "malformed-xml.qdpx", "wrong-root.qdpx"],
)
def test_unreadable_files_are_one_swedish_line(fixture):
    with pytest.raises(ValueError) as info:
        import_project(FIXTURES / fixture)
    _one_swedish_line(str(info.value), FIXTURES / fixture)


def test_export_input_errors_are_swedish(tmp_path, answers):
    bad = pd.DataFrame({"answer_id": ["k9"], "code_id": ["infra"], "coder": ["anna"]})
    with pytest.raises(ValueError) as info:
        export_project(
            tmp_path / "p.qdpx", project_name="p", codes=CODES, answers=answers, codings=bad
        )
    assert "pekar på answer_id 'k9', som saknas i answers" in str(info.value)
    assert not ENGLISH.search(str(info.value))


# ------------------------------------------------------------------- 2: decompression bombs


def _bomb(path: Path, exported: Path, megabytes: int) -> Path:
    """A .qdpx whose project.qde is padded with *megabytes* MB of whitespace (compresses ~1000x)."""
    with zipfile.ZipFile(exported) as src:
        qde = src.read("project.qde")
        others = {n: src.read(n) for n in src.namelist() if n != "project.qde"}
    at = qde.index(b"<Project")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("project.qde")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as w:
            w.write(qde[:at])
            for _ in range(megabytes):
                w.write(b" " * 2**20)
            w.write(qde[at:])
        for name, data in others.items():
            z.writestr(name, data)
    return path


def _declare_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the uncompressed size the central directory declares for *member*."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == member.encode():
            struct.pack_into("<I", data, at + 24, size)
            break
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))
    return path


def test_a_declared_size_above_the_cap_is_refused_before_reading(tmp_path, exported, monkeypatch):
    bomb = _declare_size(
        _rezip(exported, tmp_path / "big.qdpx"), "project.qde", archive.MAX_PROJECT_XML_BYTES + 1
    )

    def never(*args, **kwargs):  # pragma: no cover - called only when the guard fails
        raise AssertionError("the member was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    monkeypatch.setattr(zipfile.ZipFile, "read", never)
    with pytest.raises(ValueError) as info:
        import_project(bomb)
    message = str(info.value)
    _one_swedish_line(message, bomb)
    assert "project.qde packas upp till 200 MB, mer än gränsen 200 MB" in message


def test_an_absurd_compression_ratio_is_refused(tmp_path, exported):
    bomb = _bomb(tmp_path / "bomb.qdpx", exported, 8)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ValueError, match="mer än 200 gånger") as info:
        import_project(bomb)
    _one_swedish_line(str(info.value), bomb)
    with pytest.raises(ValueError, match="orimligt för ett QDA-projekt"):
        validate(bomb)


def test_a_header_understating_the_size_is_never_read_past(tmp_path, exported):
    lying = _declare_size(_rezip(exported, tmp_path / "lying.qdpx"), "project.qde", 100)
    with pytest.raises(ValueError, match="skadad|mer data än") as info:
        import_project(lying)
    _one_swedish_line(str(info.value), lying)


def test_cli_refuses_a_bomb_with_exit_code_2(processed, tmp_path, capsys):
    project = qs.export_survey("municipality_2023", tmp_path / "m.qdpx", processed=processed)
    bomb = _bomb(tmp_path / "bomb.qdpx", project, 40)
    rc = main(_import_args(bomb, processed, tmp_path / "v.csv"))
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "orimligt för ett QDA-projekt" in err[0]
    assert not (tmp_path / "v.csv").exists()


# --------------------------------------------------------- 3: an answer changed since export


@pytest.fixture(scope="module")
def processed(processed_demo):
    return processed_demo("municipality_2023")


def _import_args(project: Path, processed: Path, out: Path) -> list[str]:
    return [
        "qda",
        "import",
        "municipality_2023",
        str(project),
        "--processed",
        str(processed),
        "--out",
        str(out),
    ]


def test_a_changed_answer_is_named_with_its_first_difference_and_the_remedy(exported, answers):
    changed = answers.copy()
    original = changed.loc[1, "text"]
    changed.loc[1, "text"] = original + " Och en mening till."
    with pytest.raises(ValueError) as info:
        import_project(exported, answers=changed)
    message = str(info.value)
    _one_swedish_line(message, exported)
    assert (
        f"svaret 'k2' har ändrats sedan projektet exporterades (texten skiljer sig från tecken {len(original) + 1})"
        in message
    )
    assert "Exportera projektet igen från nuvarande data" in message
    assert "--skip-changed" in message
    assert "hör inte till" not in message


def test_skip_changed_imports_the_unchanged_answers_and_lists_the_rest(exported, answers):
    changed = answers.copy()
    changed.loc[1, "text"] += " Och en mening till."
    project = import_project(exported, answers=changed, skip_changed=True)
    assert sorted(project.codings["answer_id"]) == ["k1", "k3"]
    assert project.skipped_sources == (("k2", "ändrat", len(answers.loc[1, "text"]), 1),)
    assert (
        "Hoppade över 1 svar som ändrats eller tagits bort sedan exporten och deras 1 kodning: 'k2'"
        in project.message
    )


def _with_verified(processed, tmp_path, coders: list[str]) -> tuple[Path, pd.DataFrame]:
    codes = coding.survey_codes("municipality_2023", processed, use_verified=False)
    first = codes.iloc[: len(coders)]
    verified = pd.DataFrame(
        {
            "id": first["id"],
            "question": first["question"],
            "verified_themes": ["kompetensforsorjning"] * len(coders),
            "coder": coders,
        }
    )
    vpath = tmp_path / "verified_codes.csv"
    verified.to_csv(vpath, index=False)
    out = qs.export_survey(
        "municipality_2023", tmp_path / "m.qdpx", processed=processed, verified=vpath
    )
    return out, first


def _append_to_source(project: Path, out: Path, answer_id: str, extra: str) -> Path:
    with zipfile.ZipFile(project) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    guid = re.search(rf'<TextSource guid="([^"]+)" name="{answer_id}"', qde).group(1)
    with zipfile.ZipFile(project) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == f"Sources/{guid}.txt":
                data += extra.encode("utf-8")
            dst.writestr(name, data)
    return out


def test_cli_names_a_changed_answer_and_skip_changed_lists_it(processed, tmp_path, capsys):
    project, first = _with_verified(processed, tmp_path, ["Kodare A", "Kodare A"])
    changed_id = f"{first['id'].iloc[0]}-{first['question'].iloc[0]}"
    edited = _append_to_source(project, tmp_path / "edited.qdpx", changed_id, " En mening till.")
    out = tmp_path / "v.csv"
    assert main(_import_args(edited, processed, out)) == 2
    err = capsys.readouterr().err.strip()
    assert f"svaret '{changed_id}' har ändrats sedan projektet exporterades" in err
    assert "hör inte till" not in err and not out.exists()
    assert main([*_import_args(edited, processed, out), "--skip-changed"]) == 0
    printed = capsys.readouterr().out
    assert "Hoppade över 1 svar som ändrats eller tagits bort sedan exporten" in printed
    assert f"'{changed_id}' (ändrat från tecken" in printed
    table = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert table["id"].tolist() == [first["id"].iloc[1]]


# ---------------------------------------------------------------------- 4: coder names


def test_contact_data_in_coder_names_is_masked_and_formulas_neutralised(
    processed, tmp_path, capsys
):
    project, first = _with_verified(
        processed, tmp_path, ["Anna Svensson 19811218-9876 anna@umea.se", "=cmd|' /C calc'!A0"]
    )
    out = tmp_path / "v.csv"
    assert main(_import_args(project, processed, out)) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "19811218-9876" not in text and "anna@umea.se" not in text
    assert "Anna Svensson [personnummer] [e-post]" in text
    assert ";'=cmd|" in text
    assert "maskerades i coder-kolumnen" in capsys.readouterr().out


# --------------------------------------------------------------------------- 5: GUIDs


def _first_guid(qde: str, tag: str) -> str:
    return re.search(rf'<{tag} guid="([^"]+)"', qde).group(1)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("Code", "Code", "koden 'Infrastruktur' och koden 'Bostäder'"),
        ("TextSource", "TextSource", "källan 'k1' och källan 'k2'"),
        ("Code", "PlainTextSelection", "koden 'Infrastruktur' och urvalet"),
        ("User", "User", "användaren"),
    ],
)
def test_duplicate_guids_are_refused_in_one_line(tmp_path, exported, first, second, expected):
    def edit(qde: str) -> str:
        if first == "User":  # a second user with the first user's GUID
            guid = _first_guid(qde, "User")
            return qde.replace(
                "<Users>", f'<Users><User guid="{{{guid.upper()}}}" name="Eva" />', 1
            )
        guid = _first_guid(qde, first)
        matches = list(re.finditer(rf'<{second} guid="([^"]+)"', qde))
        victim = matches[1] if first == second else matches[0]
        return qde[: victim.start(1)] + guid + qde[victim.end(1) :]

    broken = _rezip(exported, tmp_path / "dup.qdpx", edit)
    with pytest.raises(ValueError) as info:
        import_project(broken)
    message = str(info.value)
    _one_swedish_line(message, broken)
    assert "används av två element" in message and expected in message
    assert "varje GUID måste vara unik" in message
    assert any("används av två element" in p for p in validate(broken))


def test_a_coding_by_an_unlisted_user_gets_a_clear_placeholder(processed, tmp_path, capsys):
    project, _ = _with_verified(processed, tmp_path, ["Kodare A"])
    ghost = "11111111-2222-3333-4444-555555555555"

    def edit(qde: str) -> str:
        guid = re.search(r'<User guid="([^"]+)" name="Kodare A"', qde).group(1)
        return qde.replace(f'<User guid="{guid}" name="Kodare A" />', "").replace(guid, ghost)

    broken = _rezip(project, tmp_path / "nouser.qdpx", edit)
    table, messages = qs.import_survey("municipality_2023", broken, processed=processed)
    assert table["coder"].tolist() == ["okänd kodare (11111111)"]
    assert any("fick kodaren 'okänd kodare'" in m for m in messages)


def test_a_human_named_like_the_machine_is_not_silently_dropped(processed, tmp_path):
    project, _ = _with_verified(processed, tmp_path, ["Kodare A"])
    broken = _rezip(
        project,
        tmp_path / "fake.qdpx",
        lambda x: x.replace('name="Kodare A"', f'name="{qs.MACHINE_PREFIX}2.1"'),
    )
    with pytest.raises(ConfigError, match="heter som maskinkodaren men är inte den användare"):
        qs.import_survey("municipality_2023", broken, processed=processed)


def test_the_machine_is_recognised_by_its_guid_without_the_note(processed, tmp_path):
    project = qs.export_survey("municipality_2023", tmp_path / "m.qdpx", processed=processed)
    no_note = _rezip(
        project, tmp_path / "old.qdpx", lambda x: x.replace(', "machine_user": ', ', "x": ')
    )
    assert import_project(no_note).machine_guid is None
    table, messages = qs.import_survey("municipality_2023", no_note, processed=processed)
    assert table.empty and "bara maskinkodarens kodningar" in messages[-1]


# ------------------------------------------------------------------- 6: machine codings only


def test_a_machine_only_project_says_why_nothing_was_written(processed, tmp_path, capsys):
    project = qs.export_survey("municipality_2023", tmp_path / "m.qdpx", processed=processed)
    out = tmp_path / "v.csv"
    assert main(_import_args(project, processed, out)) == 0
    printed = capsys.readouterr().out
    assert "Projektet har bara maskinkodarens kodningar" in printed
    assert "--include-machine" in printed and "Ingen fil skrevs." in printed
    assert not out.exists()
    assert main([*_import_args(project, processed, out), "--include-machine"]) == 0
    assert out.exists()
