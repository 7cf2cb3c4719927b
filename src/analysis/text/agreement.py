"""Agreement and evaluation: Cohen's kappa, per-theme agreement, precision/recall/F1 on gold
labelled corpora, Krippendorff's alpha between human coders.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ConfigError
from analysis.text.coder import code_texts, get_coder, labels_to_frame, split_labels
from analysis.text.review import read_text_csv
from analysis.text.themes import ThemeCodebook


def cohens_kappa_binary(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two 0/1 raters; ``nan`` when chance agreement is 1 (both constant).

    >>> round(cohens_kappa_binary([1, 1, 0, 0, 1], [1, 0, 0, 0, 1]), 4)
    0.6154
    """
    x = np.asarray(a, dtype=bool)
    y = np.asarray(b, dtype=bool)
    n = len(x)
    if n == 0:
        return float("nan")
    po = float(np.mean(x == y))
    px, py = x.mean(), y.mean()
    pe = float(px * py + (1 - px) * (1 - py))
    if pe >= 1.0:
        return float("nan")
    return (po - pe) / (1 - pe)


def agreement_by_theme(
    suggested: pd.DataFrame,
    verified: pd.DataFrame,
    themes: ThemeCodebook | str | Path | None = None,
) -> pd.DataFrame:
    """Per theme: agreement between suggested and verified presence on the reviewed answers.

    Both tables carry ``id``, ``question`` and one 0/1 column per theme, or ``verified`` may be a
    verified-codes table with a ``verified_themes`` column (as read by :func:`read_verified`).
    Only answers present in both are compared. Returns, indexed by theme id: ``label``, ``n``,
    ``suggested_n``, ``verified_n``, ``both_n``, ``agreement_pct`` (percent) and ``kappa``
    (Cohen's kappa; ``nan`` when both coders never / always chose the theme).

    >>> s = pd.DataFrame({"id": ["1", "2", "3", "4"], "question": "q2", "a": [1, 1, 0, 0]})
    >>> v = pd.DataFrame({"id": ["1", "2", "3", "4"], "question": "q2", "verified_themes": ["a", "-", "-", "a"]})
    >>> from analysis.text.themes import parse_themes
    >>> cb = parse_themes({"version": 1, "themes": [{"id": "a", "label": "A", "include": ["x"]}]})
    >>> agreement_by_theme(s, v, cb)[["n", "agreement_pct", "kappa"]].to_dict("records")
    [{'n': 4, 'agreement_pct': 50.0, 'kappa': 0.0}]
    """
    coder = get_coder(themes)
    ids = [t for t in coder.ids if t in suggested.columns]
    s = suggested[["id", "question", *ids]].copy()
    s["id"] = s["id"].astype(str)
    if "verified_themes" in verified.columns and not set(ids) <= set(verified.columns):
        v = verified[["id", "question"]].copy()
        v = pd.concat(
            [v.reset_index(drop=True), labels_to_frame(verified["verified_themes"].tolist(), ids)],
            axis=1,
        )
    else:
        v = verified[["id", "question", *ids]].copy()
    v["id"] = v["id"].astype(str)
    m = s.merge(v, on=["id", "question"], suffixes=("_s", "_v"), how="inner")
    rows = []
    for t in ids:
        a = m[f"{t}_s"].to_numpy(dtype=int)
        b = m[f"{t}_v"].to_numpy(dtype=int)
        rows.append(
            {
                "theme": t,
                "label": coder.themes[t].label,
                "n": len(m),
                "suggested_n": int(a.sum()),
                "verified_n": int(b.sum()),
                "both_n": int((a & b).sum()),
                "agreement_pct": float(100.0 * np.mean(a == b)) if len(m) else float("nan"),
                "kappa": cohens_kappa_binary(a, b),
            }
        )
    return pd.DataFrame(rows).set_index("theme")


def evaluate(
    coded: pd.DataFrame,
    gold: pd.DataFrame | Sequence[Iterable[str] | str],
    themes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Precision, recall and F1 per theme plus ``micro`` and ``macro`` rows.

    ``coded`` and ``gold`` are 0/1 tables with theme columns and the same row order (``gold``
    may also be a list of per-answer theme lists). ``themes`` restricts the evaluated themes
    (default: the columns of ``coded``). The macro average is over themes with gold support > 0.

    >>> c = pd.DataFrame({"a": [1, 1, 0], "b": [0, 1, 0]})
    >>> res = evaluate(c, [["a"], ["b"], ["a"]])
    >>> res.loc[["a", "b", "micro", "macro"], "f1"].round(3).tolist()
    [0.5, 1.0, 0.667, 0.75]
    """
    ids = list(themes) if themes is not None else list(coded.columns)
    if not isinstance(gold, pd.DataFrame):
        gold = labels_to_frame(list(gold), ids)
    if len(gold) != len(coded):
        raise ValueError(f"coded has {len(coded)} rows but gold has {len(gold)}")
    rows = []
    for t in ids:
        p = coded[t].to_numpy(dtype=bool) if t in coded else np.zeros(len(coded), bool)
        g = gold[t].to_numpy(dtype=bool) if t in gold else np.zeros(len(gold), bool)
        tp, fp, fn = int((p & g).sum()), int((p & ~g).sum()), int((~p & g).sum())
        rows.append(
            {"theme": t, "tp": tp, "fp": fp, "fn": fn, "support": tp + fn, **_prf(tp, fp, fn)}
        )
    res = pd.DataFrame(rows).set_index("theme")
    tp, fp, fn = (int(res[c].sum()) for c in ("tp", "fp", "fn"))
    res.loc["micro"] = {"tp": tp, "fp": fp, "fn": fn, "support": tp + fn, **_prf(tp, fp, fn)}
    sup = res.loc[ids][res.loc[ids, "support"] > 0]
    res.loc["macro"] = {
        "tp": int(sup["tp"].sum()),
        "fp": int(sup["fp"].sum()),
        "fn": int(sup["fn"].sum()),
        "support": int(sup["support"].sum()),
        "precision": float(sup["precision"].mean()),
        "recall": float(sup["recall"].mean()),
        "f1": float(sup["f1"].mean()),
    }
    for c in ("tp", "fp", "fn", "support"):
        res[c] = res[c].astype(int)
    return res


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1}


# -- gold-labelled corpora (tuning set, holdout) ---------------------------------------------------
def load_gold_answers(path: str | Path) -> pd.DataFrame:
    """Read answers with gold theme labels: ``id``, ``question``, ``text``, ``themes`` (list).

    Accepted layouts:

    * YAML ``municipalities: {<name>: {q2: {text: …, themes: […]}, …}}`` (the demo content);
    * YAML ``answers: [{id: …, question: …, text: …, themes: […]}, …]`` (or a bare list);
    * CSV with columns ``text`` and ``themes`` (``;``-joined), optional ``id``/``question``
      (aliases: ``answer``/``svar``, ``gold_themes``/``labels``, ``question_id``, ``answer_id``);
    * a folder: every ``*.yaml``/``*.yml``/``*.csv`` file in it, concatenated.
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() in (".yaml", ".yml", ".csv"))
        if not files:
            raise ConfigError(f"{p}: inga .yaml- eller .csv-filer med guldkodade svar.")
        return pd.concat([load_gold_answers(f) for f in files], ignore_index=True)
    if not p.is_file():
        raise ConfigError(f"{p}: filen med guldkodade svar finns inte.")
    rows: list[dict] = []
    if p.suffix.lower() == ".csv":
        df = read_text_csv(p)
        cols = {c.strip().lower(): c for c in df.columns}

        def pick(*names):
            return next((cols[n] for n in names if n in cols), None)

        text_c = pick("text", "answer", "svar", "value")
        themes_c = pick("themes", "gold_themes", "gold", "labels", "teman")
        q_c = pick("question", "question_id", "fraga", "fråga")
        id_c = pick("id", "answer_id", "respondent_id", "kommun", "municipality")
        if text_c is None or themes_c is None:
            raise ConfigError(
                f"{p}: kolumnerna 'text' och 'themes' krävs. "
                f"Tillgängliga: {', '.join(map(str, df.columns))}."
            )
        for i, r in df.iterrows():
            rows.append(
                {
                    "id": str(r[id_c]) if id_c else str(i + 1),
                    "question": str(r[q_c]) if q_c else "",
                    "text": r[text_c],
                    "themes": split_labels(r[themes_c]),
                }
            )
        return pd.DataFrame(rows, columns=["id", "question", "text", "themes"])
    import yaml

    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("municipalities"), dict):
        for name, entry in data["municipalities"].items():
            for q, v in (entry or {}).items():
                if isinstance(v, dict) and "text" in v:
                    rows.append(
                        {
                            "id": str(name),
                            "question": str(q),
                            "text": v.get("text") or "",
                            "themes": split_labels(v.get("themes") or []),
                        }
                    )
    else:
        items = data.get("answers") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ConfigError(f"{p}: okänt format för guldkodade svar.")
        for i, v in enumerate(items, start=1):
            if not isinstance(v, dict) or "text" not in v:
                raise ConfigError(f"{p}: post {i} saknar 'text'.")
            rows.append(
                {
                    "id": str(v.get("id", i)),
                    "question": str(v.get("question", "")),
                    "text": v.get("text") or "",
                    "themes": split_labels(v.get("themes") or []),
                }
            )
    return pd.DataFrame(rows, columns=["id", "question", "text", "themes"])


def evaluate_corpus(
    path: str | Path, themes: ThemeCodebook | str | Path | None = None, nonempty: bool = True
) -> pd.DataFrame:
    """Code a gold-labelled corpus (see :func:`load_gold_answers`) and :func:`evaluate` it.

    Gold labels that are not in the codebook raise :class:`~analysis.errors.ConfigError`.
    ``nonempty`` drops answers with an empty text.
    """
    coder = get_coder(themes)
    gold = load_gold_answers(path)
    if nonempty:
        gold = gold[gold["text"].map(lambda t: isinstance(t, str) and t.strip() != "")]
    gold = gold.reset_index(drop=True)
    coded = code_texts(gold["text"], coder.themes, questions=gold["question"].tolist())
    return evaluate(coded, labels_to_frame(gold["themes"].tolist(), coder.ids), coder.ids)


def krippendorff_alpha_binary(*coders: Sequence[int]) -> float:
    """Krippendorff's alpha (nominal) of two or more 0/1 coders on the same units.

    Uses the :mod:`krippendorff` package; ``nan`` when the data leave no variation.

    >>> round(krippendorff_alpha_binary([1, 1, 0, 0, 1], [1, 0, 0, 0, 1]), 4)
    0.64
    """
    import krippendorff

    data = np.asarray([np.asarray(c, dtype=float) for c in coders])
    if data.size == 0 or len(np.unique(data[~np.isnan(data)])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def human_agreement(
    labels_a: Sequence[Iterable[str] | str | None],
    labels_b: Sequence[Iterable[str] | str | None],
    theme_ids: Sequence[str],
) -> pd.DataFrame:
    """Agreement between two human coders per theme, plus a ``micro`` row.

    Parameters
    ----------
    labels_a, labels_b : sequences of label lists or ``;``-joined strings
        The two coders' labels for the same answers, in the same order.
    theme_ids : sequence of str
        The themes to compare.

    Returns
    -------
    pandas.DataFrame
        Indexed by theme: ``n``, ``a_n``, ``b_n``, ``agreement_pct``, ``kappa`` (Cohen) and
        ``alpha`` (Krippendorff, nominal); the ``micro`` row pools all theme decisions, and
        ``exact_set_pct`` (same label set) is on every row of that row only.

    >>> human_agreement(["a", "a;b", ""], ["a", "b", ""], ["a", "b"])[["a_n", "b_n"]].to_dict("index")["a"]
    {'a_n': 2, 'b_n': 1}
    """
    ids = list(theme_ids)
    a = labels_to_frame(list(labels_a), ids)
    b = labels_to_frame(list(labels_b), ids)
    if len(a) != len(b):
        raise ValueError(f"coder A has {len(a)} rows but coder B has {len(b)}")
    rows = []
    for t in ids:
        x, y = a[t].to_numpy(dtype=int), b[t].to_numpy(dtype=int)
        rows.append(
            {
                "theme": t,
                "n": len(x),
                "a_n": int(x.sum()),
                "b_n": int(y.sum()),
                "agreement_pct": float(100 * np.mean(x == y)) if len(x) else float("nan"),
                "kappa": cohens_kappa_binary(x, y),
                "alpha": krippendorff_alpha_binary(x, y),
            }
        )
    res = pd.DataFrame(rows).set_index("theme")
    x, y = a[ids].to_numpy().ravel(), b[ids].to_numpy().ravel()
    res.loc["micro"] = {
        "n": len(a),
        "a_n": int(x.sum()),
        "b_n": int(y.sum()),
        "agreement_pct": float(100 * np.mean(x == y)) if len(x) else float("nan"),
        "kappa": cohens_kappa_binary(x, y),
        "alpha": krippendorff_alpha_binary(x, y),
    }
    res["exact_set_pct"] = np.nan
    res.loc["micro", "exact_set_pct"] = float(100 * np.mean((a.to_numpy() == b.to_numpy()).all(1)))
    for c in ("n", "a_n", "b_n"):
        res[c] = res[c].astype(int)
    return res


def _by_answer(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* indexed by (id, question) as text, the last row of a repeated answer kept."""
    out = frame.copy()
    out.index = pd.MultiIndex.from_arrays(
        [frame["id"].astype(str).to_numpy(), frame["question"].astype(str).to_numpy()],
        names=["id", "question"],
    )
    return out[~out.index.duplicated(keep="last")]


def _coder_frames(verified: pd.DataFrame, theme_ids: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Per coder: 0/1 theme columns indexed by (id, question) (a coder's last row per answer)."""
    ids = list(theme_ids)
    out: dict[str, pd.DataFrame] = {}
    for who, part in verified.groupby(verified["coder"].astype(str), sort=True):
        part = _by_answer(part)
        frame = labels_to_frame(
            [("" if str(v).strip() == "-" else v) for v in part["verified_themes"]], ids
        )
        frame.index = part.index
        out[str(who)] = frame
    return out


def coders_agreement(
    suggested: pd.DataFrame, verified: pd.DataFrame, theme_ids: Sequence[str]
) -> pd.DataFrame:
    """Agreement per theme when two or more human coders verified the automatic codes.

    Parameters
    ----------
    suggested : pandas.DataFrame
        The machine's codes: ``id``, ``question`` and one 0/1 column per theme.
    verified : pandas.DataFrame
        Verified codes with a ``coder`` column (``id``, ``question``, ``verified_themes``,
        ``coder``; ``-`` means "no theme"), e.g. from several reviewers or a QDA project.
    theme_ids : sequence of str
        The themes to compare.

    Returns
    -------
    pandas.DataFrame
        Indexed by theme: ``alpha`` — Krippendorff's α (nominal) between the human coders over
        every answer at least two of them verified (an answer a coder did not verify is missing
        data for that coder), ``n_shared`` — how many such answers, and one ``kappa <coder>``
        column per coder: Cohen's κ between the machine and that coder on the answers the coder
        verified.

    >>> sug = pd.DataFrame({"id": ["1", "2", "3"], "question": ["q2"] * 3, "a": [1, 0, 1]})
    >>> ver = pd.DataFrame({"id": ["1", "2", "3", "1", "2", "3"], "question": ["q2"] * 6,
    ...                     "verified_themes": ["a", "-", "a", "a", "-", "-"],
    ...                     "coder": ["Eva", "Eva", "Eva", "Ola", "Ola", "Ola"]})
    >>> t = coders_agreement(sug, ver, ["a"])
    >>> list(t.columns), int(t.loc["a", "n_shared"]), float(round(t.loc["a", "kappa Eva"], 2))
    (['alpha', 'n_shared', 'kappa Eva', 'kappa Ola'], 3, 1.0)
    """
    ids = list(theme_ids)
    frames = _coder_frames(verified, ids)
    machine = _by_answer(suggested)
    units = sorted(set().union(*(f.index for f in frames.values()))) if frames else []
    counts = pd.Series(0, index=pd.MultiIndex.from_tuples(units, names=["id", "question"]))
    for f in frames.values():
        counts[f.index] += 1
    shared = counts.index[counts >= 2]
    rows = []
    for t in ids:
        row: dict[str, object] = {"theme": t, "n_shared": len(shared)}
        data = [f[t].reindex(shared).to_numpy(dtype=float) for f in frames.values()]
        row["alpha"] = krippendorff_alpha_binary(*data) if len(shared) else float("nan")
        for who, f in frames.items():
            common = f.index.intersection(machine.index)
            m = (
                machine.loc[common, t].to_numpy(dtype=int)
                if t in machine
                else np.zeros(len(common))
            )
            row[f"kappa {who}"] = cohens_kappa_binary(m, f.loc[common, t].to_numpy(dtype=int))
        rows.append(row)
    cols = ["alpha", "n_shared", *[f"kappa {w}" for w in frames]]
    return pd.DataFrame(rows).set_index("theme")[cols]


def consensus_codes(
    suggested: pd.DataFrame, verified: pd.DataFrame, theme_ids: Sequence[str]
) -> pd.DataFrame:
    """One verified row per answer from several coders (``id``, ``question``,
    ``verified_themes``): a theme counts when more than half of the answer's coders coded it; a
    tie is decided by the machine's suggestion.

    >>> sug = pd.DataFrame({"id": ["1"], "question": ["q2"], "a": [1], "b": [0]})
    >>> ver = pd.DataFrame({"id": ["1", "1"], "question": ["q2", "q2"],
    ...                     "verified_themes": ["a;b", "b"], "coder": ["Eva", "Ola"]})
    >>> consensus_codes(sug, ver, ["a", "b"])["verified_themes"].tolist()
    ['a;b']
    """
    ids = list(theme_ids)
    frames = list(_coder_frames(verified, ids).values())
    if not frames:
        return pd.DataFrame(columns=["id", "question", "verified_themes"])
    units = pd.MultiIndex.from_tuples(
        sorted(set().union(*(f.index for f in frames))), names=["id", "question"]
    )
    votes = sum(f.reindex(units).fillna(0) for f in frames)
    n = sum(f.reindex(units)[ids[0]].notna().astype(int) for f in frames)
    machine = _by_answer(suggested)
    tie_break = (
        machine.reindex(units)[[t for t in ids if t in machine]]
        .reindex(columns=ids, fill_value=0)
        .fillna(0)
    )
    half = n.to_numpy()[:, None] / 2
    v = votes[ids].to_numpy()
    final = (v > half) | ((v == half) & (tie_break.to_numpy() > 0))
    labels = [";".join(t for t, on in zip(ids, row, strict=True) if on) or "-" for row in final]
    return pd.DataFrame(
        {
            "id": units.get_level_values(0),
            "question": units.get_level_values(1),
            "verified_themes": labels,
        }
    )
