"""Theme codebook: the committed file and schema validation."""

from __future__ import annotations

import pytest
import yaml

from analysis.errors import ConfigError
from analysis.text.themes import PRIORITY_AREAS, load_themes, parse_themes

REQUIRED_IDS = {
    *PRIORITY_AREAS,
    "naringsliv",
    "bostader",
    "tillstand",
    "befolkning",
    "kollektivtrafik",
    "mellankommunal_samverkan",
    "projektfinansiering",
    "forandringsledning",
    "utbildning",
    "kommunala_resurser",
    "infra_transport",
    "infra_energi",
    "infra_digital",
    "infra_vatten",
}


def test_committed_codebook(themes):
    assert set(themes.ids) >= REQUIRED_IDS
    assert [t.id for t in themes.themes if t.priority_area] == list(PRIORITY_AREAS)
    assert themes.version and themes.language == "sv"
    for t in themes.themes:
        assert t.label and t.definition and t.include and t.examples, t.id
    parents = {t.id: t.parent for t in themes.themes if t.id.startswith("infra_")}
    assert parents == {
        "infra_transport": "trafikinfrastruktur",
        "infra_energi": "hallbar_omstallning",
        "infra_digital": "digitalisering",
        "infra_vatten": "samhallsplanering",
    }


def _doc(**theme_overrides):
    theme = {"id": "a", "label": "A", "definition": "d", "include": ["x"]}
    theme.update(theme_overrides)
    return {"version": "1", "language": "sv", "themes": [theme]}


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        (_doc(colour="red"), "okända nycklar: colour"),
        (_doc(label=""), "'label'"),
        ({"version": "1", "themes": [_doc()["themes"][0], _doc()["themes"][0]]}, "dubblett"),
        (_doc(id="Bad Id"), "'id'"),
        (_doc(include=[]), "'include'"),
        (_doc(include=["=ord*"]), "ogiltig term"),
        (_doc(parent="nope"), "'parent'"),
        (_doc(priority_area="ja"), "priority_area"),
        ({"version": "1", "themes": [], "x": 1}, "toppnivå"),
        ({"themes": [_doc()["themes"][0]]}, "'version'"),
    ],
)
def test_schema_errors_name_file_and_theme(doc, needle):
    with pytest.raises(ConfigError) as exc:
        parse_themes(doc, file="mina_teman.yaml")
    msg = str(exc.value)
    assert "mina_teman.yaml" in msg and needle in msg
    if doc.get("themes") and isinstance(doc["themes"][0].get("id"), str) and needle != "'id'":
        assert "'a'" in msg or "toppnivå" in msg or "'version'" in msg


def test_load_themes_from_file(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text(yaml.safe_dump(_doc(label=None)), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"t\.yaml: tema 'a'"):
        load_themes(p)
    p.write_text("themes: [", encoding="utf-8")
    with pytest.raises(ConfigError, match="ogiltig YAML"):
        load_themes(p)
    with pytest.raises(ConfigError, match="finns inte"):
        load_themes(tmp_path / "saknas.yaml")
    p.write_text(yaml.safe_dump(_doc()), encoding="utf-8")
    cb = load_themes(p)
    assert cb.ids == ["a"] and cb.labels == {"a": "A"}
