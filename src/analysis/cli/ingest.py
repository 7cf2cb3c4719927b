"""The ``analysis ingest SURVEY [--input PATH] [--output DIR] [--quiet]`` command."""

from __future__ import annotations

import argparse
import sys


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


def summary(manifest: dict, out_dir) -> str:
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
    if manifest.get("synthetic"):
        lines.append("Obs: syntetiska demodata.")
    lines.append(f"Skrev {out_dir}/ (responses.parquet, answers.parquet, manifest.json).")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from analysis import paths
    from analysis.data.ingest import ingest
    from analysis.data.surveys import check_survey
    from analysis.errors import InputValidationError

    check_survey(args.survey)  # discovered now, not when the parser was built
    out_dir = args.output or paths.processed_dir(args.survey)
    try:
        manifest = ingest(args.survey, input_path=args.input, out_dir=out_dir)
    except InputValidationError as exc:
        print_problems(exc.problems)
        return exc.exit_code
    if not args.quiet:
        print(summary(manifest, out_dir))
    return 0
