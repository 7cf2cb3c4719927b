"""overview: per-question rendering, suppression in public, quotes only internally; the overview
notebook end to end on the demo data."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.surveys import overview

from .conftest import EPOCH, parse

HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> =HYPERLINK("http://e.example")'


def _fake_dataset(survey: str = "partner_2021", n: int = 14, seed: int = 7):
    """A dataset shaped like analysis.data.dataset.Dataset (wide table per the contract)."""
    from analysis.data.codebook import load_codebook

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
    # a census (issue 11): the codebook's frame says all 15 were asked, so no "cannot compute"
    assert "Alla 15 tillfrågade svarade" in html and "kan inte beräknas" not in html


def _multi_ds(columns: dict[str, list[bool]]):
    q = SimpleNamespace(
        id="q3",
        number=3,
        text="Vilka delar av strategin?",
        type="multi",
        role="question",
        options=[SimpleNamespace(code=c, label=c.upper()) for c in columns],
        non_substantive=[],
    )
    wide = pd.DataFrame({f"q3__{c}": pd.array(v, dtype="boolean") for c, v in columns.items()})
    cb = SimpleNamespace(frame=None, questions=[q], title="T")
    return SimpleNamespace(wide=wide, codebook=cb, manifest={}), q


def test_multi_publishes_share_whatever_the_complement():
    """8 of 12 is shown although only 4 did not tick it; only 0 < k < min_cell is hidden."""
    ds, q = _multi_ds(
        {
            "a": [True] * 8 + [False] * 4,
            "b": [True] * 12,
            "c": [False] * 9 + [True] * 3,
            "d": [False] * 12,
        }
    )
    table, n = overview.multi_table(ds, q, audience="public", min_cell=5)
    assert n == 12
    assert table["Antal"].tolist() == ["8", "12", "–", "0"]
    assert table.loc["A", "Andel"] == "67 %" and table.loc["C", "Andel"] == "–"
    html = overview.question_html(ds, q, audience="public", min_cell=5)
    assert "8" in _count_cells(html) and "–" in _count_cells(html)


def _partner_visible(ds, q, min_cell):
    """Which multi options the partner report shows (its own functions, public audience)."""
    from analysis import stats
    from analysis.surveys import partner

    qmap = {
        "id": q.id,
        "options": [{"code": o.code, "label": o.label} for o in q.options],
        "non_substantive": [],
    }
    counts, n = partner.multi_counts(ds.wide, qmap)
    shown = partner.public_share_table(stats.share_table(counts, n), min_cell, "public")
    return {label: shown.loc[label, "antal"] != "–" for label in shown.index}, n


@pytest.mark.parametrize("seed", range(6))
def test_multi_agrees_with_partner_report(seed):
    """An option the partner report publishes as "k av n" is never hidden in the overview."""
    from analysis.data.codebook import load_codebook

    q = next(q for q in load_codebook("partner_2021").questions if q.type == "multi")
    rng = np.random.default_rng(seed)
    n = 12
    ticks = {}
    for o in q.options:  # option shares from rare to almost everyone
        ticks[o.code] = rng.random(n) < rng.choice([0.1, 0.3, 0.6, 0.9])
    ds, _ = _multi_ds(ticks)
    q2 = SimpleNamespace(**{**vars(q), "id": "q3"})
    partner_shown, n_partner = _partner_visible(ds, q2, 5)
    table, hidden, n_overview = overview.multi_shares(ds, q2, audience="public", min_cell=5)
    assert n_partner == n_overview
    assert {label: not bool(hidden[label]) for label in hidden.index} == partner_shown
    for label, k in table["antal"].items():
        assert bool(hidden[label]) == (0 < k < 5)


def test_overview_and_partner_agree_on_demo_data(processed_demo):
    """The two public reports' functions on the same processed demo data: same options shown."""
    from analysis import stats
    from analysis.data import dataset
    from analysis.surveys import partner

    folder = processed_demo("partner_2021")
    inputs = partner.load_inputs(folder)
    ds = dataset.load("partner_2021", folder)
    q = next(q for q in ds.codebook.questions if q.type == "multi")
    counts, n = partner.multi_counts(inputs.responses, inputs.questions[q.id])
    shown = partner.public_share_table(stats.share_table(counts, n), 5, "public")
    table, hidden, n_overview = overview.multi_shares(ds, q, audience="public", min_cell=5)
    assert n_overview == n
    for label in shown.index:
        partner_hidden = shown.loc[label, "antal"] == "–"
        assert bool(hidden[label]) == partner_hidden, label
        assert int(table.loc[label, "antal"]) == int(counts[label])


def _solutions(equations, known, hidden, bound):
    """Every non-negative integer assignment of the hidden cells consistent with the equations."""
    import itertools

    out = []
    for values in itertools.product(range(bound + 1), repeat=len(hidden)):
        cell = {**known, **dict(zip(hidden, values, strict=True))}
        if all(sum(coef * cell[k] for k, coef in eq.items()) == rhs for eq, rhs in equations):
            out.append(dict(zip(hidden, values, strict=True)))
    return out


def _likert_ds(counts: dict[str, int]):
    labels = list(counts)
    q = SimpleNamespace(
        id="q4",
        number=4,
        text="Regionen är en inkluderande partner",
        type="likert",
        role="question",
        options=[SimpleNamespace(code=str(i), label=x) for i, x in enumerate(labels)],
        non_substantive=["Vet ej"],
    )
    values = [label for label, k in counts.items() for _ in range(k)]
    wide = pd.DataFrame({"q4": pd.Categorical(values, categories=labels, ordered=True)})
    cb = SimpleNamespace(frame=None, questions=[q], title="T")
    return SimpleNamespace(wide=wide, codebook=cb, manifest={}), q


SCALE = ["Inte alls", "Delvis inte", "Varken eller", "Delvis", "Helt"]


@pytest.mark.parametrize(
    "counts",
    [
        [2, 6, 5, 7, 8, 0],  # the collapsed chart publishes 1+2: hiding "1" and "3" alone leaks
        [6, 7, 5, 3, 9, 0],  # agree group (the partner report's "k av n") holds the small cell
        [0, 0, 6, 2, 12, 0],
        [5, 6, 7, 1, 9, 6],
    ],
)
def test_likert_hidden_counts_cannot_be_solved(counts):
    labels = [*SCALE, "Vet ej"]
    data = dict(zip(labels, counts, strict=True))
    ds, q = _likert_ds(data)
    table, hidden = overview.single_shares(ds, q, audience="public", min_cell=5)
    html = overview.question_html(ds, q, audience="public", min_cell=5)
    shown = dict(zip(labels, _count_cells(html), strict=True))
    assert all(v == "–" or int(v) == data[k] for k, v in shown.items())
    hidden_labels = [k for k, v in shown.items() if v == "–"]
    known = {k: data[k] for k in labels if k not in hidden_labels}
    n, n_sub = sum(counts), sum(counts[:5])
    equations = [
        (dict.fromkeys(labels, 1), n),
        (dict.fromkeys(SCALE, 1), n_sub),
        (dict.fromkeys(SCALE[:2], 1), sum(counts[:2])),  # disagree group
        (dict.fromkeys(SCALE[3:], 1), sum(counts[3:5])),  # agree group
    ]
    if "sammanslagen till tre steg" in html:
        equations.append(({SCALE[2]: 1}, counts[2]))
    solutions = _solutions(equations, known, hidden_labels, max(counts))
    assert {tuple(s[k] for k in hidden_labels) for s in solutions} >= {
        tuple(data[k] for k in hidden_labels)
    }
    for k in hidden_labels:
        if 0 < data[k] < 5:
            assert len({s[k] for s in solutions}) > 1, (k, solutions)


def test_municipalities_hidden_within_their_group():
    """Municipality and municipality-group tables together must not reveal a hidden count."""
    # one-way suppression alone would hide Vännäs and Skellefteå (the smallest other count),
    # and Vännäs = K1 − Umeå − Bjurholm
    muni = {"Umeå": 10, "Vännäs": 3, "Bjurholm": 9, "Skellefteå": 5, "Lycksele": 8}
    group = {"Umeå": "K1", "Vännäs": "K1", "Bjurholm": "K1", "Skellefteå": "K2", "Lycksele": "K2"}
    names = [m for m, k in muni.items() for _ in range(k)]
    wide = pd.DataFrame({"q1": pd.Categorical(names), "kommungrupp": [group[m] for m in names]})
    q = SimpleNamespace(
        id="q1", number=1, text="Vilken kommun?", type="municipality", role="metadata"
    )
    ds = SimpleNamespace(
        wide=wide, codebook=SimpleNamespace(frame=None, questions=[q], title="T"), manifest={}
    )
    html = overview.metadata_html(ds, audience="public", min_cell=5)
    tables = re.findall(r"<table>.*?</table>", html, flags=re.S)
    assert len(tables) == 2
    rows = lambda t: dict(  # noqa: E731
        re.findall(r'<th scope="row">(.*?)</th><td[^>]*>(.*?)</td>', t)
    )
    muni_shown, group_shown = rows(tables[0]), rows(tables[1])
    assert muni_shown["Vännäs"] == "–"
    # Vännäs = K1 − Umeå − Bjurholm must not be computable
    k1_members = [m for m in muni if group[m] == "K1"]
    assert group_shown["K1"] == "–" or sum(muni_shown[m] == "–" for m in k1_members) >= 2


def test_largest_phrase_only_names_a_true_maximum():
    t = pd.DataFrame({"andel": [0.2, 0.45, 0.35]}, index=["A", "B", "C"])
    none = pd.Series(False, index=t.index)
    assert overview.largest_phrase(t, none) == "Störst andel: B (45 %)."
    b_hidden = pd.Series([False, True, False], index=t.index)
    assert overview.largest_phrase(t, b_hidden) == (
        "Störst andel bland de redovisade alternativen: C (35 %)."
    )
    a_hidden = pd.Series([True, False, False], index=t.index)
    assert overview.largest_phrase(t, a_hidden) == "Störst andel: B (45 %)."
    tie = pd.DataFrame({"andel": [0.4, 0.4, 0.2]}, index=["A", "B", "C"])
    assert overview.largest_phrase(tie, none) == "Störst andel: A och B (40 %)."
    one_tied_hidden = pd.Series([True, False, False], index=tie.index)
    assert overview.largest_phrase(tie, one_tied_hidden).startswith(
        "Störst andel bland de redovisade alternativen: B"
    )
    # a dropped row ("Vet ej") is not compared
    assert "Störst andel: B" in overview.largest_phrase(
        t.rename(index={"C": "Vet ej"}), none, ["Vet ej"]
    )


def test_bar_alt_text_does_not_claim_a_hidden_row_is_smaller(monkeypatch):
    """The chart's alt text, when the true largest share is hidden, speaks of the shown rows."""
    ds, q = _multi_ds(
        {"a": [True] * 9 + [False] * 3, "b": [True] * 6 + [False] * 6, "c": [True] * 12}
    )
    real = overview.multi_shares

    def fake(*args, **kwargs):
        table, hidden, n = real(*args, **kwargs)
        return table, pd.Series([False, False, True], index=hidden.index), n

    from analysis.surveys.overview import question as question_module

    monkeypatch.setattr(question_module, "multi_shares", fake)
    html = overview.question_html(ds, q, audience="public", min_cell=5)
    (img,) = parse(html).all("img")
    assert "Störst andel bland de redovisade alternativen: A (75 %)" in img["alt"]
    monkeypatch.setattr(question_module, "multi_shares", real)
    html = overview.question_html(ds, q, audience="public", min_cell=5)
    (img,) = parse(html).all("img")
    assert "Störst andel: C (100 %)" in img["alt"]


def test_method_text_states_the_rule():
    ds = _fake_dataset(n=14)
    text = parse(overview.method_html(ds, audience="public", min_cell=5)).plain
    assert "Antal mellan 1 och 4 visas inte" in text
    assert "k av n" in text and "oavsett" in text and "kompletterande undertryckning" in text


def test_single_lead_names_the_base_of_the_shares():
    ds, q = _likert_ds({"Ja": 9, "Nej": 6, "Vet ej": 2})
    q.type = "single"
    html = overview.question_html(ds, q, audience="public", min_cell=5)
    assert "Andelarna räknas på alla svar" in parse(html).plain


def test_bad_audience_refused():
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError):
        overview.questions_html(_fake_dataset(), audience="alla")


@pytest.mark.slow
def test_overview_notebook_on_demo_data(processed_demo, tmp_path, monkeypatch):
    """Both surveys through the real notebook: public partner, internal municipality."""
    from pathlib import Path

    from analysis.pipeline.registry import ReportSpec
    from analysis.pipeline.runner import run_reports

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
