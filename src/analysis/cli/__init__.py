"""The ``analysis`` command (also ``python -m analysis``): a thin dispatcher.

Each sub-command lives in its own module exposing ``configure(parser)`` and ``run(args) -> int``;
modules are imported only when their command is used, so ``analysis --help`` stays fast.
Errors the user can act on (:class:`analysis.errors.AnalysisError`) are printed without a
traceback and give their exit code (2 for bad input or parameters).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": (
        "analysis.cli.ingest",
        "Läs in en enkätexport: validera, ta bort personuppgifter, skriv data/processed/<survey>/",
    ),
    "validate": ("analysis.cli.validate", "Kontrollera en enkätexport utan att skriva något"),
    "demo": (
        "analysis.data.demo",
        "Generera syntetiska demoexporter (seedat, reproducerbart) i data/raw/<survey>/",
    ),
    "run": (
        "analysis.cli.run",
        "Kör rapportnotebooks med papermill och publicera HTML i reports/",
    ),
    "code": (
        "analysis.cli.code",
        "Koda fritextsvar i teman (förslag för granskning eller valfri CSV)",
    ),
    "codebook": ("analysis.cli.codebook", "Skriv ett kodboksutkast för en ny enkät ur en export"),
    "qda": (
        "analysis.cli.qda",
        "Utbyt kodad fritext med QDA-verktyg (REFI-QDA: NVivo, ATLAS.ti, MAXQDA, QualCoder)",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    from analysis import __version__

    parser = argparse.ArgumentParser(
        prog="analysis",
        description="Enkätanalys för Region Västerbotten (enkäterna i data/raw/).",
    )
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        mod = importlib.import_module(module)
        mod.configure(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    from analysis.errors import AnalysisError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    mod = importlib.import_module(args._module)
    try:
        return int(mod.run(args) or 0)
    except AnalysisError as exc:
        print(f"analysis {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover
        print("avbrutet", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
