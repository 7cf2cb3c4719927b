"""The ``analysis validate SURVEY PATH`` command: check an export, write nothing."""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "survey", help="enkäten exporten hör till (en mapp i data/raw/ med codebook.yaml)"
    )
    parser.add_argument("path", help="exportfilen (.xlsx/.csv) som ska kontrolleras")


def run(args: argparse.Namespace) -> int:
    from analysis.cli.ingest import print_problems
    from analysis.data.ingest import validate
    from analysis.data.surveys import check_survey

    check_survey(args.survey)  # discovered now, not when the parser was built
    problems = validate(args.survey, args.path)
    if problems:
        print_problems(problems)
        return 2
    print(
        f"{args.path}: inga problem hittades – filen kan läsas in med `analysis ingest {args.survey} --input {args.path}`."
    )
    return 0
