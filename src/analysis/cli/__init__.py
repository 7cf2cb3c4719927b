"""The ``analysis`` command (also ``python -m analysis``): a thin dispatcher.

Each sub-command lives in its own module exposing ``configure(parser)`` and ``run(args) -> int``;
modules are imported only when their command is used, so ``analysis --help`` stays fast.

Exit codes (README "Exit codes"): 0 ok; 1 a report failed to build; 2 invalid input, parameters
or environment; 130 interrupted. Errors the user can act on
(:class:`analysis.errors.AnalysisError`), command-line errors and environment errors (an
``OSError`` such as a read-only folder or a full disk) are printed as one line without a
traceback. Standard output and error are switched to UTF-8 with ``errors="backslashreplace"``
before anything is printed, so ``PYTHONIOENCODING=ascii`` or ``LANG=C`` cannot turn a Swedish
message into a ``UnicodeEncodeError`` after data was written.
"""

from __future__ import annotations

import argparse
import contextlib
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


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (exit code 2), not usage + error."""

    def error(self, message: str):  # noqa: D102 - argparse hook
        text = " ".join(str(message).split())
        self.exit(2, f"{self.prog}: fel: {text} (se `{self.prog} --help`)\n")


def utf8_stdio() -> None:
    """Write stdout/stderr as UTF-8, escaping what cannot be encoded (never raise)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        with contextlib.suppress(ValueError, OSError):  # a detached or closed stream
            reconfigure(encoding="utf-8", errors="backslashreplace")


def build_parser() -> argparse.ArgumentParser:
    from analysis import __version__

    parser = Parser(
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
    """Run the ``analysis`` command; returns the exit code (see the module docstring)."""
    utf8_stdio()
    command = "analysis"
    try:
        from analysis.errors import AnalysisError

        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version, or a one-line parse error
            return exc.code if isinstance(exc.code, int) else 2
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        command = f"analysis {args.command}"
        mod = importlib.import_module(args._module)
        try:
            return int(mod.run(args) or 0)
        except AnalysisError as exc:
            print(f"{command}: {exc}", file=sys.stderr)
            return exc.exit_code
        except OSError as exc:  # an environment error no command turned into its own message
            from analysis.atomic import describe_os_error

            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            print(
                f"{command}: {where}{describe_os_error(exc)}. Kontrollera mappen och "
                "skrivbehörigheten och kör kommandot igen.",
                file=sys.stderr,
            )
            return 2
    except KeyboardInterrupt:
        print(f"{command}: avbrutet", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
