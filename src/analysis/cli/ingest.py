"""The ``analysis ingest SURVEY [--input PATH] [--output DIR] [--quiet]`` command.

Writes a new version of the processed data and publishes it atomically
(:mod:`analysis.data.store`). Exit codes: 0 written; 2 invalid export (one line per problem,
nothing written), an output folder that cannot be written (a file, read-only, full disk: nothing
changed) or another ingest into the same folder that did not finish in time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "survey", help="enkäten som ska läsas in (en mapp i data/raw/ med codebook.yaml)"
    )
    parser.add_argument(
        "--input",
        metavar="PATH",
        help="exportfilen (.xlsx/.csv); standard: den enda exporten i data/raw/<survey>/",
    )
    parser.add_argument(
        "--output", metavar="DIR", help="utmapp (standard: data/processed/<survey>/)"
    )
    parser.add_argument("--quiet", action="store_true", help="skriv ingen sammanfattning")


def print_problems(problems, stream=None) -> None:
    """One line per problem on stderr, then a short summary line."""
    stream = stream or sys.stderr
    for p in problems:
        print(str(p).replace("\n", " "), file=stream)
    n = len(problems)
    print(f"{n} problem hittades; inget har skrivits.", file=stream)


def summary(manifest: dict, out_dir, version: str | None = None, new: bool = True) -> str:
    """A short Swedish summary of an ingest (rows, dropped columns, masked counts, folder)."""
    masked = manifest["masked_counts"]
    dropped = ", ".join(manifest["dropped_columns"]) or "inga"
    lines = [
        f"Läste {manifest['source_file']} ({manifest.get('source_format_label', manifest['source_format'])}).",
        f"Rader: {manifest['rows_in']} in, {manifest['rows_out']} svar, "
        f"{manifest['rows_excluded']} tomma rader uteslutna.",
        f"Borttagna kolumner med personuppgifter: {dropped}.",
        f"Maskerat i fritext: {masked['email']} e-post, {masked['phone']} telefon, "
        f"{masked['personnummer']} personnummer, {masked.get('name', 0)} egna namn.",
    ]
    if manifest.get("ignored_columns"):
        lines.append(
            "Okända kolumner (ignorerade): " + ", ".join(manifest["ignored_columns"]) + "."
        )
    from analysis.data.ingest import warning_lines

    lines += warning_lines(manifest)
    if manifest.get("synthetic"):
        lines.append("Obs: syntetiska demodata.")
    if version and not new:
        lines.append(f"Data oförändrade: version {version} i {out_dir}/ gäller fortfarande.")
    else:
        where = f"{out_dir}/" + (f"versions/{version}/" if version else "")
        lines.append(
            f"Skrev {where} (responses.parquet, answers.parquet, manifest.json)"
            + (f" och publicerade version {version}." if version else ".")
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from analysis import paths
    from analysis.data import store
    from analysis.data.ingest import ingest
    from analysis.data.surveys import check_survey
    from analysis.errors import AnalysisError, InputValidationError

    check_survey(args.survey)  # discovered now, not when the parser was built
    out_dir = args.output or paths.processed_dir(args.survey)
    raw = paths.raw_dir().resolve()
    target = Path(out_dir).resolve()
    if target == raw or raw in target.parents:
        raise AnalysisError(
            f"{out_dir}: --output pekar in i data/raw, där rådata ligger orörda; "
            f"välj en mapp utanför, t.ex. data/processed/{args.survey}."
        )

    def current() -> str | None:
        try:
            return store.current_id(out_dir)
        except (AnalysisError, OSError):
            return None

    before = current()
    try:
        manifest = ingest(args.survey, input_path=args.input, out_dir=out_dir)
    except InputValidationError as exc:
        print_problems(exc.problems)
        return exc.exit_code
    if not args.quiet:
        version = current()
        print(summary(manifest, out_dir, version, new=version != before))
    return 0
