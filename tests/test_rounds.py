"""Rounds of a series: the new codebook fields, the 2025 round and its frame, the seeded demo
generator, and pairing organisations across rounds."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import paths
from analysis.data import demo, demo_partner_2025
from analysis.data.codebook import Codebook, load_codebook
from analysis.data.dataset import load
from analysis.data.rounds import org_ids, pair, shared_concepts
from analysis.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FRAME_2021 = RAW / "reference" / "partner_2021_sample_frame.csv"
FRAME_2025 = RAW / "reference" / "partner_2025_sample_frame.csv"


def _minimal(**extra) -> dict:
    q = {"id": "q1", "number": 1, "text": "T", "type": "likert",
         "options": [{"code": "1", "label": "Nej"}, {"code": "2", "label": "Ja"}]}  # fmt: skip
    q.update(extra.pop("question", {}))
    return {"survey": "s", "version": "1", "questions": [q], **extra}


# ------------------------------------------------------------------------ codebook fields
def test_series_round_and_concepts_load():
    a, b = load_codebook("partner_2021"), load_codebook("partner_2025")
    assert (a.series, a.round, b.series, b.round) == ("partner", 2021, "partner", 2025)
    assert a.question("q4").concept == "inclusive" and b.question("q5").concept == "inclusive"
    assert b.question("q5").wording_changed_from == a.question("q4").text
    new = [q.concept or q.id for q in b.questions if q.new]
    assert new == [
        "q1", "clear_mandate", "risk_balance", "joint_projects", "written_agreement",
        "contact_frequency", "engagement_ladder_goal",
    ]  # fmt: skip
    assert load_codebook("municipality_2023").series is None


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (_minimal(series="partner"), "'round' saknas"),
        (_minimal(series="Partner X", round=2025), "'series' ska vara ett id"),
        (_minimal(series="p", round="2025"), "'round' ska vara ett årtal"),
        (_minimal(question={"concept": "Inkluderande"}), "'concept' ska vara ett id"),
        (_minimal(question={"wording_changed_from": "Förr"}), "kräver ett 'concept'"),
        (
            _minimal(question={"concept": "c", "new": True, "wording_changed_from": "F"}),
            "kan inte ha 'wording_changed_from'",
        ),
        (_minimal(question={"new": "ja"}), "'new' ska vara true eller false"),
        (_minimal(question={"indicator": ["Kanske"]}), "okända alternativ"),
        (
            _minimal(question={"type": "multi", "indicator": ["Ja"]}),
            "gäller bara frågor av typen single eller likert",
        ),
    ],
)
def test_new_fields_are_validated(data, fragment):
    with pytest.raises(ConfigError, match=fragment):
        Codebook.from_dict(data)


def test_duplicate_concepts_refused():
    data = _minimal(question={"concept": "c"})
    data["questions"].append({**data["questions"][0], "id": "q2"})
    with pytest.raises(ConfigError, match="används av flera frågor"):
        Codebook.from_dict(data)


def test_shared_concepts_of_the_partner_rounds():
    shared = shared_concepts(load_codebook("partner_2021"), load_codebook("partner_2025"))
    concepts = [c.concept for c in shared]
    for c in ("inclusive", "attractive", "innovative", "own_development", "region_development",
              "rus_parts", "enablers", "challenges", "engagement_ladder"):  # fmt: skip
        assert c in concepts
    changed = {c.concept for c in shared if c.wording_changed}
    assert changed == {"inclusive", "engagement_ladder"}
    assert not any(c.options_changed for c in shared)


def test_a_concept_must_keep_its_type():
    a = Codebook.from_dict(_minimal(question={"concept": "c"}))
    b = Codebook.from_dict(_minimal(question={"concept": "c", "type": "single"}))
    with pytest.raises(ConfigError, match="samma frågetyp"):
        shared_concepts(a, b)


# ------------------------------------------------------------------------ frame
def _frame(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_2025_frame_keeps_the_2021_ids():
    f21 = {r["org_id"]: r for r in _frame(FRAME_2021)}
    f25 = {r["org_id"]: r for r in _frame(FRAME_2025)}
    kept = set(f21) & set(f25)
    assert len(f25) == load_codebook("partner_2025").frame_size == 45
    assert len(kept) >= 0.9 * len(f21)  # most of the 2021 organisations
    assert all(f21[i]["organisation"] == f25[i]["organisation"] for i in kept)  # stable ids
    new = set(f25) - set(f21)
    assert len(new) == 5 and all(f25[i]["classification_note"].startswith("NY 2025") for i in new)
    from analysis.data.reference import ORG_TYPE_SECTOR

    assert all(ORG_TYPE_SECTOR[r["org_type"]] == r["sektor"] for r in f25.values())


# ------------------------------------------------------------------------ demo generator
def test_2025_demo_is_reproducible_and_committed(tmp_path):
    assert demo.render("partner_2025") == demo.render("partner_2025")
    written = demo.generate("partner_2025", out_dir=tmp_path)
    committed = RAW / "partner_2025" / "demo_partner_2025_msforms.xlsx"
    assert demo.sha256(written) == demo.sha256(committed)
    links = tmp_path / "demo_org_links.yaml"
    assert links.read_bytes() == (RAW / "partner_2021" / "demo_org_links.yaml").read_bytes()
    other = demo.generate("partner_2025", out_dir=tmp_path / "other", seed=7)
    assert demo.sha256(other) != demo.sha256(committed)


def test_2025_design_is_checked(tmp_path):
    design = yaml.safe_load(demo_partner_2025.DESIGN.read_text(encoding="utf-8"))
    design["respondents"][0]["from_2021"] = "R02"  # RISE is not Lycksele kommun
    design["respondents"].append({"org_id": "P99", "profile": "positive"})
    bad = tmp_path / "design.yaml"
    bad.write_text(yaml.safe_dump(design, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        demo_partner_2025.load_design(bad)
    assert "P99" in str(exc.value) and "Lycksele kommun" in str(exc.value)


def test_2025_answers_follow_the_design():
    rows = demo_partner_2025.answers()
    design = demo_partner_2025.load_design()
    assert [r["org_id"] for r in rows] == [r["org_id"] for r in design["respondents"]]
    assert sum(r["paired"] for r in rows) == 8
    cb = load_codebook("partner_2025")
    for r in rows:
        for q in cb.questions:
            v = r.get(q.id)
            if v is None or q.type in ("text", "org_id"):
                continue
            if q.type == "multi":
                assert set(v) <= {o.code for o in q.options}
            else:
                assert v in q.labels, (q.id, v)
    headers, table = demo_partner_2025.table()
    assert headers[:5] == demo.MS_FORMS_META and len(table) == 16
    assert all(str(row[3]).endswith("@example.org") for row in table)


def test_2021_links_match_the_2021_design():
    links = yaml.safe_load((RAW / "partner_2021" / "demo_org_links.yaml").read_text("utf-8"))
    assert links["synthetic"] is True
    assert links["source_file"] == "demo_partner_2021_msforms.xlsx"
    names = {r["org_id"]: r["organisation"] for r in _frame(FRAME_2021)}
    design = {r["organisation"] for r in demo.load_partner_design()["respondents"]}
    assert sorted(links["rows"]) == list(range(2, 16))
    assert {names[o] for o in links["rows"].values()} == design


# ------------------------------------------------------------------------ pairing
def test_ingest_keeps_the_org_code_and_pairs_eight(processed_demo):
    a = load("partner_2021", processed=processed_demo("partner_2021"))
    b = load("partner_2025", processed=processed_demo("partner_2025"))
    assert b.synthetic and b.manifest["synthetic"] is True
    assert str(b.wide["q1"].dtype).startswith("string") and b.wide["q1"].str.match(r"^P\d\d$").all()
    assert "ID" in b.manifest["dropped_columns"] and "Email" in b.manifest["dropped_columns"]
    ids_b, src_b = org_ids(b)
    ids_a, src_a = org_ids(a)
    assert src_a == "demo_org_links.yaml" and src_b.startswith("fråga 1")
    assert ids_a.notna().all() and ids_a.is_unique
    p = pair(a, b)
    assert len(p.pairs) == 8 and p.duplicates == 0 and p.unknown == 0
    expected = {
        r["org_id"] for r in demo_partner_2025.load_design()["respondents"] if r.get("from_2021")
    }
    assert set(p.pairs.index) == expected
    # the pairs point at the same organisation type in both rounds
    ta = a.wide.set_index("respondent_id")["q1"].astype(str)
    tb = b.wide.set_index("respondent_id")["q2"].astype(str)
    assert [ta[x] for x in p.pairs["a"]] == [tb[x] for x in p.pairs["b"]]


def test_pairing_refuses_a_key_for_another_export(processed_demo, tmp_path, monkeypatch):
    root = tmp_path / "proj"
    shutil.copytree(RAW, root / "data" / "raw")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    links = root / "data/raw/partner_2021/demo_org_links.yaml"
    links.write_text(links.read_text("utf-8").replace("demo_partner_2021", "annan"), "utf-8")
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    a = load("partner_2021", processed=processed_demo("partner_2021"))
    with pytest.raises(ConfigError, match="parningsnyckeln gäller 'annan"):
        org_ids(a)
    links.unlink()
    codes, source = org_ids(a)
    assert source is None and codes.isna().all()
    b = load("partner_2025", processed=processed_demo("partner_2025"))
    p = pair(a, b)
    assert len(p.pairs) == 0 and "kan inte paras" in p.notes[0]


def test_duplicate_and_unknown_codes_are_not_paired(processed_demo):
    a = load("partner_2021", processed=processed_demo("partner_2021"))
    b = load("partner_2025", processed=processed_demo("partner_2025"))
    wide = b.wide.copy()
    before = b.wide.copy()
    codes = wide["q1"].astype(str).tolist()
    codes[1] = codes[0]  # one organisation answers twice
    codes[2] = "P99"  # not in the frame
    wide["q1"] = pd.array(codes, dtype="string")
    b2 = type(b)(**{**b.__dict__, "wide": wide})
    p = pair(a, b2)
    assert p.duplicates == 1 and p.unknown == 1
    assert codes[0] not in p.pairs.index
    pd.testing.assert_frame_equal(b.wide, before)  # the caller's frame is untouched


def test_demo_check_covers_the_new_round(tmp_path, monkeypatch, capsys):
    import argparse

    root = tmp_path / "proj"
    shutil.copytree(RAW, root / "data" / "raw")
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    parser = argparse.ArgumentParser()
    demo.configure(parser)
    assert demo.run(parser.parse_args(["partner_2025", "--check"])) == 0
    assert "partner_2025: demo_partner_2025_msforms.xlsx OK" in capsys.readouterr().out
    assert paths.raw_dir("partner_2025") == root / "data/raw/partner_2025"
