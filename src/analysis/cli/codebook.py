"""The ``analysis codebook draft EXPORT --survey NAME [--out PATH] [--force]`` command.

Writes a draft ``codebook.yaml`` for a new survey from its export (see
:mod:`analysis.data.codebook_draft`); every guess in it is marked ``# check``.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``codebook`` sub-commands to *parser*."""
    sub = parser.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    draft = sub.add_parser(
        "draft",
        help="skriv ett kodboksutkast ur en export (varje gissning märkt '# check')",
        description="Skriv ett kodboksutkast (codebook.yaml) ur en export från MS Forms (.xlsx), "
        "Google Forms (.csv) eller svenska Excel (.csv).",
    )
    draft.add_argument("export", type=Path, help="exportfilen")
    draft.add_argument("--survey", required=True, help="den nya enkätens id, t.ex. partner_2029")
    draft.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="PATH",
        help="var utkastet skrivs (standard: data/raw/<survey>/codebook.yaml)",
    )
    draft.add_argument("--force", action="store_true", help="skriv över en befintlig fil")


def run(args: argparse.Namespace) -> int:
    """Write the draft and say what to do next."""
    from analysis.cli.ingest import print_problems
    from analysis.data.codebook_draft import write_draft
    from analysis.errors import InputValidationError

    try:
        target = write_draft(args.export, args.survey, args.out, force=args.force)
    except InputValidationError as exc:
        print_problems(exc.problems)
        return exc.exit_code
    print(
        f"Skrev {target}. Gå igenom raderna märkta '# check', lägg exporten i "
        f"data/raw/{args.survey}/ och kör `analysis validate {args.survey} <export>`."
    )
    return 0
