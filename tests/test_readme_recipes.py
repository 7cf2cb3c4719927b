"""The README's recipes for a new survey and a new round name the commands they rely on."""

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert m, f"README has no '## {title}' section"
    return m.group(1)


def test_adding_a_survey_goes_from_export_to_report():
    text = _section("Adding a survey")
    for command in ("analysis codebook draft", "analysis validate", "analysis ingest",
                    "analysis run overview_", "# check"):  # fmt: skip
        assert command in text, command


def test_adding_a_round_names_series_concepts_pairing_and_the_trend_report():
    text = _section("Adding a round")
    for word in ("series:", "round:", "concept", "wording_changed_from", "new: true", "org_id",
                 "org_links.yaml", "partner_trend"):  # fmt: skip
        assert word in text, word
