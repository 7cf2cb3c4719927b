"""overview: per-question rendering, suppression in public, quotes only internally; the overview
notebook end to end on the demo data."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import overview

from .conftest import EPOCH, parse

HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> =HYPERLINK("http://e.example")'


def _fake_dataset(survey: str = "partner_2021", n: int = 14, seed: int = 7):
    """A dataset shaped like analysis.dataset.Dataset (wide table per the contract)."""
    from analysis.codebook import load_codebook

    cb = load_codebook(survey)
    rng = np.random.default_rng(seed)
    wide = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)]})
    for q in cb.questions:
        labels = [o.label for o in q.options]
        if q.type in ("single", "likert", "org_type"):
            wide[q.id] = pd.Categorical(rng.choice(labels, size=n), categories=labels, ordered=True)
        elif q.type == "multi":
            for o in q.options:
                wide[f"{q.id}__{o.code}"] = pd.array(rng.random(n) < 0.5, dtype="boolean")
        elif q.type == "text":
            texts = [f"Svar {i} på {q.id}" if rng.random() < 0.6 else None for i in range(n)]
            texts[0] = HOSTILE
            wide[q.id] = pd.array(texts, dtype="string")
        elif q.type == "municipality":
            names = ["Umeå", "Vännäs", "Skellefteå"]
            wide[q.id] = pd.Categorical(rng.choice(names, size=n))
            wide["kommungrupp"] = ["K1"] * n
    if survey == "partner_2021":
        wide["sektor"] = pd.Categorical(rng.choice(["Offentlig sektor", "Näringsliv"], size=n))
    return SimpleNamespace(wide=wide, codebook=cb, manifest={"synthetic": True}, survey=survey)


def _count_cells(fragment: str) -> list[str]:
    """Every value in an "Antal" column of every table in *fragment*."""
    values = []
    for table in re.findall(r"<table>.*?</table>", fragment, flags=re.S):
        thead = table.split("</thead>")[0]
        cols = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", thead)
        if "Antal" not in cols:
            continue
        pos = cols.index("Antal")
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
            values.append(cells[pos])
    return values


@pytest.mark.parametrize("survey", ["partner_2021", "municipality_2023"])
def test_public_suppresses_small_counts_and_hides_free_text(survey):
    ds = _fake_dataset(survey, n=15)
    html = overview.questions_html(ds, audience="public", min_cell=5) + overview.metadata_html(
        ds, audience="public"
    )
    counts = _count_cells(html)
    assert counts, "expected count tables"
    for v in counts:
        assert v in ("–", "0") or int(v.replace("\u00a0", "")) >= 5, v
    assert "<blockquote>" not in html and "HYPERLINK" not in html
    page = parse(html)
    assert all((img.get("alt") or "").strip() for img in page.all("img"))
    assert page.all("script") == []


def test_internal_shows_escaped_quotes_and_all_counts():
    ds = _fake_dataset(n=14)
    html = overview.questions_html(ds, audience="internal", min_cell=5)
    page = parse(html)
    assert page.all("blockquote")
    assert page.all("script") == [] and not [i for i in page.all("img") if i.get("src") == "x"]
    assert "&lt;script&gt;" in html and HOSTILE in page.plain
    assert "–" not in "".join(_count_cells(html))


def test_every_question_gets_a_heading_in_order():
    ds = _fake_dataset()
    html = overview.questions_html(ds, audience="internal")
    page = parse(html)
    numbers = [int(m) for m in re.findall(r"<h3>Fråga (\d+)\.", html)]
    expected = [q.number for q in ds.codebook.questions if q.role != "metadata"]
    assert numbers == expected
    assert set(page.headings) == {3}


def test_finite_population_correction_narrows_intervals():
    ds = _fake_dataset(n=14)
    q = next(q for q in ds.codebook.questions if q.type == "single")
    with_frame, _ = overview.single_shares(ds, q, audience="internal")
    no_frame_ds = SimpleNamespace(
        **{**vars(ds), "codebook": SimpleNamespace(**{**vars(ds.codebook), "frame": None})}
    )
    without, _ = overview.single_shares(no_frame_ds, q, audience="internal")
    width = lambda t: (t["ki_hog"] - t["ki_lag"]).dropna()  # noqa: E731
    assert (width(with_frame) <= width(without) + 1e-12).all() and (
        width(with_frame) < width(without)
    ).any()


def test_respondents_and_response_rate():
    html = overview.respondents_html(_fake_dataset(n=14))
    assert "14 av 43" in html and "33 %" in html
    html = overview.respondents_html(_fake_dataset("municipality_2023", n=15))
    assert "15 svarande" in html and "svarsfrekvens kan inte beräknas" in html


def test_multi_hides_option_when_few_did_not_tick():
    q = SimpleNamespace(
        id="q", options=[SimpleNamespace(code="a", label="A"), SimpleNamespace(code="b", label="B")]
    )
    wide = pd.DataFrame(
        {
            "q__a": pd.array([True] * 9 + [False], dtype="boolean"),
            "q__b": pd.array([False] * 5 + [True] * 5, dtype="boolean"),
        }
    )
    ds = SimpleNamespace(wide=wide, codebook=SimpleNamespace(frame=None, questions=[]))
    table, n = overview.multi_table(ds, q, audience="public", min_cell=5)
    assert n == 10
    assert table.loc["A", "Antal"] == "–" and table.loc["B", "Antal"] == "5"


def test_bad_audience_refused():
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError):
        overview.questions_html(_fake_dataset(), audience="alla")


@pytest.mark.slow
def test_overview_notebook_on_demo_data(processed_demo, tmp_path, monkeypatch):
    """Both surveys through the real notebook: public partner, internal municipality."""
    from pathlib import Path

    from analysis.report_registry import ReportSpec
    from analysis.runner import run_reports

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    nb = Path(__file__).resolve().parents[2] / "notebooks" / "survey_overview.ipynb"
    registry = {
        "p": ReportSpec(
            "p",
            nb,
            "Översikt partner",
            {"survey": "partner_2021", "input": str(processed_demo("partner_2021"))},
        ),
        "m": ReportSpec(
            "m",
            nb,
            "Översikt kommuner",
            {
                "survey": "municipality_2023",
                "input": str(processed_demo("municipality_2023")),
                "audience": "internal",
            },
        ),
    }
    results = run_reports(registry=registry, output_dir=tmp_path, quiet=True, jobs=2)
    assert [r.status for r in results] == ["built", "built"], [r.line() for r in results]
    for name, audience in (("p", "public"), ("m", "internal")):
        html = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        page = parse(html)
        assert '<html lang="sv">' in html and "Demodata – syntetiska svar" in page.plain
        assert page.headings[0] == 1 and page.headings.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
        assert all((i.get("alt") or "").strip() for i in page.all("img"))
        assert "Traceback" not in html
        if audience == "public":
            assert page.all("img"), "public partner report should have figures"
            for v in _count_cells(html):
                assert v in ("–", "0") or int(v.replace("\u00a0", "")) >= 5, v
            assert "<blockquote>" not in html
        else:
            assert "<blockquote>" in html
