"""Swedish matching: inflected forms, compounds and false friends; vectorised == naive."""

from __future__ import annotations

import pytest

from analysis.text.coding import code_texts, code_texts_naive, themes_found
from analysis.text.normalise import parse_term, tokenize, word_matches


@pytest.mark.parametrize(
    ("token", "word", "mode"),
    [
        ("järnvägarna", "järnväg", "compound"),
        ("järnvägsförbindelser", "järnväg", "compound"),
        ("bostadsbyggandet", "bostadsbyggande", "compound"),
        ("bostadsbyggandet", "bostad", "compound"),
        ("bostadsbyggandet", "byggande", "compound"),
        ("bostäder", "bostad", "compound"),
        ("kompetensförsörjningen", "kompetensförsörjning", "compound"),
        ("kompetensförsörjningsfrågan", "kompetensförsörjning", "compound"),
        ("elnätet", "elnät", "compound"),
        ("elnätet", "nät", "compound"),
        ("stadsnätet", "nät", "head"),
        ("detaljplanerna", "detaljplan", "compound"),
        ("vattnet", "vatten", "compound"),
        ("skolskjutsar", "skolskjuts", "compound"),
        ("skolskjutsarna", "skola", "compound"),
        ("kommunerna", "kommun", "exact"),
        ("kommunens", "kommun", "exact"),
        ("civila", "civil", "exact"),
        ("rekryteringen", "rekryter", "prefix"),
        ("vindkraftsetableringar", "etablering", "compound"),
    ],
)
def test_inflected_and_compound_forms_match(token, word, mode):
    assert word_matches(token, word, mode)


@pytest.mark.parametrize(
    ("token", "word", "mode"),
    [
        ("kommunikation", "kommun", "compound"),
        ("kommunikationer", "kommun", "compound"),
        ("kommunala", "kommun", "compound"),
        ("kommunal", "kommun", "exact"),
        ("planet", "plan", "exact"),  # "planet" = the aeroplane / the level, not "the plan"
        ("planet", "plan", "compound"),
        ("resultat", "stat", "compound"),
        ("vägra", "väg", "compound"),
        ("vägg", "väg", "compound"),
        ("modell", "el", "compound"),
        ("hotellen", "el", "compound"),
        ("kristen", "kris", "compound"),
        ("marknad", "mark", "exact"),
        ("elnätet", "el", "exact"),
    ],
)
def test_false_friends_do_not_match(token, word, mode):
    assert not word_matches(token, word, mode)


def test_tokenize_and_parse():
    assert tokenize("VA-nätet\u00ad, E4:an och 5G") == ["va", "nätet", "e4", "an", "och", "5g"]
    t = parse_term("vatten och avlopp*")
    assert t.words == ("vatten", "och", "avlopp") and t.mode == "prefix" and t.is_phrase
    with pytest.raises(ValueError):
        parse_term("=ord*")


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Järnvägarna behöver rustas.", {"trafikinfrastruktur", "infra_transport"}, set()),
        ("Bostadsbyggandet har stannat av.", {"bostader"}, set()),
        ("Kompetensförsörjningen är vår största utmaning.", {"kompetensforsorjning"}, set()),
        ("Elnätet är föråldrat.", {"hallbar_omstallning", "infra_energi"}, set()),
        ("Bra kommunikation med kommunen.", set(), {"mellankommunal_samverkan"}),
        ("Tillsynsvägledning från länsstyrelsen saknas.", set(), {"trafikinfrastruktur"}),
        ("Social hållbarhet inom äldreomsorgen.", {"socialtjanst"}, {"hallbar_omstallning"}),
        ("Vatten och avlopp från 1950-talet.", {"infra_vatten", "samhallsplanering"}, set()),
        ("Vi har planberedskap för vindkraften.", {"samhallsplanering"}, {"civilt_forsvar"}),
        ("Civilt försvar och höjd beredskap, reservkraft.", {"civilt_forsvar"}, set()),
        (
            "Digital infrastruktur, fiber och mobiltäckning.",
            {"infra_digital"},
            {"trafikinfrastruktur"},
        ),
        ("Vägen framåt är dialog.", set(), {"trafikinfrastruktur"}),
    ],
)
def test_code_texts_on_sentences(themes, text, expected, absent):
    got = set(filter(None, themes_found(code_texts([text], themes)).iloc[0].split(";")))
    assert expected <= got
    assert not (absent & got)


def test_code_texts_index_alignment_and_missing(themes):
    import pandas as pd

    s = pd.Series(["Bredband!", None, float("nan"), ""], index=[10, 20, 30, 40])
    out = code_texts(s, themes)
    assert list(out.index) == [10, 20, 30, 40]
    assert list(out.columns) == themes.ids
    assert out.loc[10, "digitalisering"] == 1
    assert out.loc[[20, 30, 40]].to_numpy().sum() == 0
    assert set(out.dtypes.astype(str)) == {"int8"}


def test_vectorised_equals_naive_loop(themes):
    from benchmarks.bench_coding import synthetic_answers

    texts = synthetic_answers(60, seed=7, themes=themes) + [
        "Vatten och avlopp. Attraktiva bostäder, digital infrastruktur.",
        "Social hållbarhet och hållbarhet; vägen framåt; en röst gentemot staten.",
    ]
    fast = code_texts(texts, themes)
    naive = code_texts_naive(texts, themes)
    assert (fast.to_numpy() == naive.to_numpy()).all()
    assert fast.to_numpy().sum() > 25  # the sample really exercises the codebook


def test_every_theme_example_is_coded_with_its_theme(themes):
    for theme in themes.themes:
        coded = code_texts(list(theme.examples), themes)
        assert coded[theme.id].all(), (theme.id, list(theme.examples))


def test_many_themes_sparse_path_equals_naive():
    """More than 62 themes uses the sparse-matrix path instead of bit masks."""
    from analysis.text.themes import parse_themes

    words = ["bredband", "väg", "skola", "bostad", "=kommun", "el*", "vatten och avlopp", "*nät"]
    doc = {
        "version": "1",
        "themes": [
            {
                "id": f"t{i}",
                "label": f"T{i}",
                "include": [words[i % len(words)]],
                "exclude": ["vägled*"] if i % 3 == 0 else [],
            }
            for i in range(70)
        ],
    }
    cb = parse_themes(doc)
    texts = [
        "Vägarna och bredbandet",
        "Kommunen, elnätet och vatten och avlopp",
        "",
        None,
        "Vägledning om skolorna",
        "bostäder i kommunerna",
    ]
    fast = code_texts(texts, cb)
    assert (fast.to_numpy() == code_texts_naive(texts, cb).to_numpy()).all()
    assert fast.to_numpy().sum() > 0
