"""The ``analysis code`` command: theme coding of free text.

Two uses::

    analysis code INPUT.csv --text-column COL [--id-column ID] [--themes YAML] --out OUT.csv
    analysis code --survey municipality_2023 --review OUT.xlsx|OUT.csv [--themes YAML]
    analysis code --manual OUT.html [--themes YAML]

The first codes any CSV (encoding and delimiter detected) and writes the id column (or ``rad``,
the 1-based row number), ``themes`` (sorted ``;``-joined theme ids, empty if none), ``evidence``
(per theme the matched words and their character spans, ``theme: word@start-end; …``) and one
0/1 column per theme. ``--manual`` writes the coding manual generated from the codebook. The second exports the suggested codes of the processed survey's text answers
for a human coder (neutralised against formula injection); answers already verified in
``data/raw/<survey>/verified_codes.(csv|xlsx)`` come pre-filled in ``verified_themes``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.errors import AnalysisError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input", nargs="?", metavar="INPUT.csv", help="CSV-fil med fritext att koda"
    )
    parser.add_argument("--text-column", help="kolumnen med fritexten")
    parser.add_argument("--id-column", help="kolumn som identifierar raden (annars radnummer)")
    parser.add_argument(
        "--themes", help="temakodbok (YAML); standard: data/raw/municipality_2023/themes.yaml"
    )
    parser.add_argument("--out", help="utfil (CSV) för kodningen av INPUT.csv")
    parser.add_argument(
        "--survey", help="kodningsförslag för en inläst enkät, t.ex. municipality_2023"
    )
    parser.add_argument("--review", help="granskningsfil (.xlsx eller .csv) för --survey")
    parser.add_argument(
        "--processed", help="mapp med bearbetade data (standard: data/processed/<survey>)"
    )
    parser.add_argument("--manual", help="skriv kodningsmanualen (HTML) till denna fil")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "manual", None):
        from analysis.text.manual import write_manual

        if args.input or args.survey:
            raise AnalysisError("--manual kan inte kombineras med INPUT.csv eller --survey.")
        try:
            path = write_manual(args.manual, _themes(args))
        except OSError as exc:
            raise AnalysisError(f"{args.manual}: kan inte skriva manualen ({exc}).") from exc
        print(f"Skrev kodningsmanualen till {path}")
        return 0
    if args.survey:
        if args.input or args.out or args.text_column:
            raise AnalysisError("Ange antingen INPUT.csv (med --text-column/--out) eller --survey.")
        if not args.review:
            raise AnalysisError("--survey kräver --review UT.xlsx eller UT.csv.")
        return _review(args)
    if not args.input:
        raise AnalysisError(
            "Ange en CSV-fil att koda (INPUT.csv --text-column KOLUMN --out UT.csv) "
            "eller --survey ENKÄT --review UT.xlsx."
        )
    if not args.text_column or not args.out:
        raise AnalysisError("INPUT.csv kräver både --text-column och --out.")
    return _code_csv(args)


def _themes(args):
    from analysis.text.themes import load_themes

    return load_themes(args.themes) if args.themes else load_themes()


def _code_csv(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.text.coding import code_with_evidence, read_text_csv, themes_found

    src = Path(args.input)
    if not src.is_file():
        raise AnalysisError(f"{src}: filen finns inte.")
    dest = Path(args.out)
    if dest.exists() and (dest.is_dir() or dest.resolve() == src.resolve()):
        raise AnalysisError(
            f"{dest}: utfilen får inte vara en mapp eller samma fil som indata; ange en ny CSV-fil."
        )
    if dest.suffix.lower() != ".csv":
        raise AnalysisError(f"{dest}: --out skrivs som CSV; ge filen ändelsen .csv.")
    from analysis import paths

    raw = paths.raw_dir().resolve()
    if raw in dest.resolve().parents:
        raise AnalysisError(
            f"{dest}: --out pekar in i data/raw, där bara indata och människors kodning ligger; "
            "skriv maskinens koder utanför, t.ex. data/processed/ eller en egen mapp."
        )
    themes = _themes(args)
    df = read_text_csv(src)
    check_columns(df, src.name, args.text_column, args.id_column)
    coded = code_with_evidence(df[args.text_column].reset_index(drop=True), themes)
    evidence = coded.pop("evidence")
    id_name = args.id_column or "rad"
    ids = df[args.id_column].to_numpy() if args.id_column else range(1, len(df) + 1)
    head = pd.DataFrame(
        {id_name: list(ids), "themes": themes_found(coded).to_numpy(), "evidence": evidence}
    )
    out = pd.concat([head, coded], axis=1)
    write_csv_atomic(out, dest)
    n_hit = int((out["themes"] != "").sum())
    _warn_cleaned(df, src.name, args.text_column)
    print(
        f"Kodade {len(out)} rader ({n_hit} med minst ett tema) med {len(themes)} teman "
        f"(temakodbok version {themes.version}) → {args.out}"
    )
    return 0


def _warn_cleaned(df, file: str, text_column: str) -> None:
    """One line on stderr when the reader removed NUL or bidi characters from coded answers:
    the evidence offsets then refer to the cleaned text."""
    import sys

    col = list(df.columns).index(text_column)
    rows = sorted(  # spreadsheet rows, as the reader records them
        {r for hits in df.attrs.get("cleaned", {}).values() for r, c in hits if c == col}
    )
    if rows:
        listed = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
        print(
            f"Obs: {file}: {len(rows)} svar i kolumnen {text_column!r} innehöll NUL- eller "
            f"riktningstecken som togs bort innan kodningen (rad {listed}); evidensens "
            "teckenpositioner gäller den rensade texten.",
            file=sys.stderr,
        )


def check_columns(df, file: str, text_column: str, id_column: str | None = None) -> None:
    """Refuse a CSV whose text or id column is missing or ambiguous, before anything is coded.

    The text column and the id column must each occur exactly once among the headers, must not
    be the same column, and the id column's values must be non-empty and unique (an id that
    does not identify one row cannot be joined back). Raises
    :class:`~analysis.errors.ConfigError` (exit 2) with one line: file, row or column, value,
    what to do.

    >>> import pandas as pd
    >>> df = pd.DataFrame([["a", "x"], ["b", "y"]], columns=["svar", "svar"])
    >>> check_columns(df, "svar.csv", "svar")
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: svar.csv: kolumnen 'svar' förekommer 2 gånger (kolumn 1 och 2); byt namn så att rubriken är unik och kör igen.
    """
    from analysis.errors import ConfigError

    headers = [str(c) for c in df.columns]
    for role, name in (("--text-column", text_column), ("--id-column", id_column)):
        if name is None:
            continue
        positions = [i + 1 for i, h in enumerate(headers) if h == name]
        if not positions:
            shown = ", ".join(headers[:20]) + (" …" if len(headers) > 20 else "")
            raise ConfigError(
                f"{file}: kolumnen {name!r} ({role}) finns inte. Tillgängliga kolumner: {shown}."
            )
        if len(positions) > 1:
            where = ", ".join(map(str, positions[:-1])) + f" och {positions[-1]}"
            raise ConfigError(
                f"{file}: kolumnen {name!r} förekommer {len(positions)} gånger (kolumn {where}); "
                "byt namn så att rubriken är unik och kör igen."
            )
    if id_column is None:
        return
    if id_column == text_column:
        raise ConfigError(
            f"{file}: --id-column och --text-column är samma kolumn ({id_column!r}); "
            "ange kolumnen som identifierar raden som --id-column."
        )
    seen: dict[str, int] = {}
    for i, value in enumerate(df[id_column].tolist()):
        row = i + 2  # the header is row 1
        key = "" if value is None else str(value).strip()
        if not key:
            raise ConfigError(
                f"{file}: rad {row}, kolumn {id_column!r}: id saknas. Fyll i ett unikt id på "
                "varje rad eller utelämna --id-column (då används radnumret)."
            )
        if key in seen:
            raise ConfigError(
                f"{file}: rad {row}, kolumn {id_column!r}: id {key[:40]!r} finns redan på rad "
                f"{seen[key]}. Ge varje rad ett unikt id eller utelämna --id-column."
            )
        seen[key] = row


def write_csv_atomic(df, path: Path) -> None:
    """Write ``df`` as UTF-8 CSV atomically (see :mod:`analysis.atomic`), text cells neutralised
    against formula injection (:func:`analysis.text.safe_export.neutralise_frame`)."""
    from analysis import atomic
    from analysis.text.safe_export import neutralise_frame

    data = neutralise_frame(df).to_csv(index=False).encode("utf-8")
    try:
        atomic.write_bytes(path, data)
    except OSError as exc:
        raise AnalysisError(
            f"{path}: kan inte skriva utfilen ({exc.strerror or exc}). "
            "Kontrollera att mappen finns och att du får skriva där."
        ) from exc


def _review(args: argparse.Namespace) -> int:
    from analysis import paths
    from analysis.data import store
    from analysis.text.coding import (
        default_verified_path,
        read_verified,
        suggest_codes,
        survey_text_answers,
    )
    from analysis.text.safe_export import write_review_file

    folder = Path(args.processed) if args.processed else paths.processed_dir(args.survey)
    with store.pin(folder) as pinned:  # one published version for both files read
        wide = survey_text_answers(args.survey, pinned.version.path)
    qids = [c for c in wide.columns if c not in ("respondent_id", "kommun")]
    themes = _themes(args)
    review = suggest_codes(wide, qids, "respondent_id", themes)
    if "kommun" in wide.columns:
        names = dict(zip(wide["respondent_id"], wide["kommun"], strict=True))
        review.insert(1, "kommun", review["id"].map(names))
    verified = default_verified_path(args.survey)
    if verified is not None:
        ver = read_verified(verified)
        vmap = {
            (str(r.id), str(r.question)): r.verified_themes for r in ver.itertuples(index=False)
        }
        review["verified_themes"] = [
            vmap.get((str(i), str(q)), "")
            for i, q in zip(review["id"], review["question"], strict=True)
        ]
    try:
        write_review_file(review, args.review)
    except OSError as exc:
        raise AnalysisError(
            f"{args.review}: kan inte skriva granskningsfilen ({exc.strerror or exc})."
        ) from exc
    print(
        f"Skrev {len(review)} svar med kodningsförslag till {args.review}. Fyll i kolumnen "
        "'verified_themes' (tema-id åtskilda med ';', '-' = inget tema) och spara filen som "
        f"data/raw/{args.survey}/verified_codes.xlsx eller .csv.",
        file=sys.stdout,
    )
    return 0
