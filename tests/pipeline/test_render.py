"""render: hostile free text stays inert, tables are accessible, numbers are Swedish."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.report import html as render

from .conftest import parse

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">klicka</a>',
    '=HYPERLINK("http://evil.example","klick")',
    '" onmouseover="alert(1)',
]


def _no_active_markup(fragment: str) -> None:
    page = parse(fragment)
    tags = {t for t, _ in page.tags}
    assert "script" not in tags
    assert "a" not in tags
    for _, attrs in page.tags:
        assert not any(k.startswith("on") for k in attrs), attrs
        assert not any("javascript:" in (v or "") for v in attrs.values()), attrs


@pytest.mark.parametrize("text", HOSTILE)
def test_paragraph_heading_notice_escape(text):
    for fragment in (render.paragraph(text), render.heading(text, 3), render.notice(text)):
        _no_active_markup(fragment)
        assert text in parse(fragment).plain  # shown as text, not swallowed


def test_quotes_escape_and_skip_empty():
    out = render.quotes([*HOSTILE, None, "  ", float("nan")], caption="<b>Svar</b>")
    _no_active_markup(out)
    page = parse(out)
    assert len(page.all("blockquote")) == len(HOSTILE)
    assert "<b>Svar</b>" in page.plain
    assert page.all("img") == []


def test_table_escapes_everything_and_has_headers():
    df = pd.DataFrame(
        {HOSTILE[1]: [HOSTILE[0], 3]}, index=pd.Index([HOSTILE[2], "Nej"], name=HOSTILE[4])
    )
    out = render.table(df, HOSTILE[3])
    _no_active_markup(out)
    page = parse(out)
    assert len(page.all("caption")) == 1
    assert [a.get("scope") for a in page.all("th")] == ["col", "col", "row", "row"]
    assert HOSTILE[3] in page.plain and HOSTILE[0] in page.plain


def test_table_swedish_numbers_and_suppression():
    df = pd.DataFrame(
        {"antal": [1234, 3], "andel": [0.7857, float("nan")], "medel": [2.25, 3.0]},
        index=["Ja", "Nej"],
    )
    out = render.table(df, "T", number_format={"medel": "decimal2"})
    assert "1\u00a0234" in out and "79 %" in out and "2,25" in out and "3,00" in out
    assert ">–<" in out


def test_table_without_index():
    out = render.table(pd.DataFrame({"a": [1]}), "T", index=False)
    assert 'scope="row"' not in out


def test_figure_alt_caption_data_and_closes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.bar([0], [1])
    data = pd.DataFrame({"antal": [1]}, index=[HOSTILE[0]])
    out = render.figure(fig, HOSTILE[1], caption=HOSTILE[2], data=data)
    assert not plt.fignum_exists(fig.number)
    _no_active_markup(out)
    page = parse(out)
    (img,) = page.all("img")
    assert img["alt"] == HOSTILE[1]
    assert img["src"].startswith("data:image/svg+xml;base64,")
    assert "Visa siffrorna i tabellform" in page.plain
    assert len(page.all("table")) == 1 and len(page.all("figcaption")) == 1


def test_figure_requires_alt():
    from analysis.report.figures import new_figure

    with pytest.raises(ValueError):
        render.figure(new_figure(), "  ")


def test_swedish_formatting():
    assert render.percent(0.7857) == "79 %"
    assert render.percent(0.7857, 1) == "78,6 %"
    assert render.fmt_ci(0.524, 0.924) == "52–92 %"
    assert render.fmt_number(-1234.5, 1) == "\u22121\u00a0234,5"
    assert render.percent(float("nan")) == "–"


def _headers(fragment: str) -> list[str]:
    import re

    thead = fragment.split("</thead>")[0]
    return re.findall(r'<th scope="col">(.*?)</th>', thead)


def test_table_translates_standard_column_names_by_default():
    from analysis import stats

    shares = stats.share_table(pd.Series({"Ja": 11, "Nej": 3}), 14)
    out = render.table(shares, "Fråga 1")
    assert _headers(out) == ["Antal", "Andel", "KI nedre", "KI övre"]
    assert not {"antal", "andel", "ki_lag", "ki_hog"} & set(parse(out).plain.split())
    assert "79 %" in out  # formats still follow the original column names
    other = render.table(
        pd.DataFrame({"n": [14], "svarsfrekvens": [0.326], "medel": [2.5]}), "T", index=False
    )
    assert _headers(other) == ["Antal svar", "Svarsfrekvens", "medel"]
    assert "33 %" in other


def test_explicit_column_labels_override_the_defaults():
    df = pd.DataFrame({"antal": [11], "andel": [0.79]}, index=["Ja"])
    out = render.table(df, "T", column_labels={"antal": "Svarande", "x": "oanvänd"})
    assert _headers(out) == ["Svarande", "Andel"]


def test_figure_data_table_gets_translated_headers():
    import matplotlib.pyplot as plt

    from analysis import stats

    fig, ax = plt.subplots()
    ax.bar([0], [1])
    data = stats.share_table(pd.Series({"A": 8, "B": 4}), 12)
    out = render.figure(fig, "Staplar", caption="C", data=data)
    assert _headers(out) == ["Antal", "Andel", "KI nedre", "KI övre"]
    fig, ax = plt.subplots()
    ax.bar([0], [1])
    out = render.figure(fig, "Staplar", data=data, column_labels={"ki_hog": "Övre gräns"})
    assert _headers(out)[-1] == "Övre gräns"
