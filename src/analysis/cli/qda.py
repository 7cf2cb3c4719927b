"""The ``analysis qda`` command: exchange coded free text with QDA tools (REFI-QDA).

::

    analysis qda export SURVEY OUT.qdpx [--themes YAML] [--verified FILE] [--processed DIR]
    analysis qda export-codebook OUT.qdc [--themes YAML]
    analysis qda import SURVEY IN.qdpx --out verified_codes.csv [--force] [--include-machine]
                        [--skip-changed]

``export`` writes every free-text answer as a text source with the respondent, question and
municipality as case variables, the machine's codes as codings by ``analysis-kodare <version>``
and a coder's verified codes by that coder. ``import`` reads the codings a researcher made in
NVivo, ATLAS.ti, MAXQDA or QualCoder back as a verified-codes file (the review workflow's format),
refusing a project that does not belong to the survey or whose answers changed since the export
(``--skip-changed`` imports the codings of the unchanged answers and lists the others).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.errors import AnalysisError


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="qda_command", metavar="ÅTGÄRD")
    e = sub.add_parser("export", help="skriv enkätens fritextsvar och koder som .qdpx")
    e.add_argument("survey", metavar="SURVEY")
    e.add_argument("out", metavar="OUT.qdpx")
    e.add_argument("--themes", help="temakodbok (YAML)")
    e.add_argument("--verified", help="fil med verifierade koder (standard: den i data/raw)")
    e.add_argument("--processed", help="mapp med bearbetade data")
    c = sub.add_parser("export-codebook", help="skriv temakodboken som .qdc")
    c.add_argument("out", metavar="OUT.qdc")
    c.add_argument("--themes", help="temakodbok (YAML)")
    i = sub.add_parser("import", help="läs kodningar från ett QDA-projekt som verifierade koder")
    i.add_argument("survey", metavar="SURVEY")
    i.add_argument("project", metavar="IN.qdpx")
    i.add_argument(
        "--out", required=True, help="CSV att skriva (id, question, verified_themes, coder)"
    )
    i.add_argument("--force", action="store_true", help="skriv över en befintlig utfil")
    i.add_argument(
        "--include-machine",
        action="store_true",
        help="importera också maskinkodarens kodningar (som verifierade koder)",
    )
    i.add_argument(
        "--skip-changed",
        action="store_true",
        help="hoppa över svar som ändrats sedan exporten (listas) och importera resten",
    )
    i.add_argument("--themes", help="temakodbok (YAML)")
    i.add_argument("--processed", help="mapp med bearbetade data")


def run(args: argparse.Namespace) -> int:
    from analysis.text.qda import survey as qs

    if args.qda_command == "export":
        out = qs.export_survey(
            args.survey,
            args.out,
            processed=args.processed,
            themes=args.themes,
            verified=args.verified,
        )
        print(f"Skrev {out}")
        return 0
    if args.qda_command == "export-codebook":
        print(f"Skrev {qs.export_theme_codebook(args.out, themes=args.themes)}")
        return 0
    if args.qda_command == "import":
        out = Path(args.out)
        if out.exists() and not args.force:
            raise AnalysisError(
                f"{out}: filen finns redan; välj en annan --out eller lägg till --force."
            )
        if out.resolve() == Path(args.project).resolve():
            raise AnalysisError(f"{out}: utfilen får inte vara projektfilen.")
        table, messages = qs.import_survey(
            args.survey,
            args.project,
            processed=args.processed,
            themes=args.themes,
            include_machine=args.include_machine,
            skip_changed=args.skip_changed,
        )
        for m in messages:
            print(m)
        if table.empty:
            print("Ingen fil skrevs.")
            return 0
        from analysis.text.safe_export import write_review_file

        write_review_file(table, out)
        n = len(table)
        print(f"Skrev {n} verifierade kodning{'' if n == 1 else 'ar'} till {out}")
        return 0
    raise AnalysisError(
        "Ange en åtgärd: export, export-codebook eller import (se analysis qda -h)."
    )
