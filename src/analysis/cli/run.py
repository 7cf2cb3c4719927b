"""The ``analysis run`` command: build report notebooks into ``reports/``.

Exit codes: 0 all selected reports built or unchanged; 1 at least one report failed (the others
were still built; see ``reports/failed/``); 2 invalid command line, report name, parameters or
``SOURCE_DATE_EPOCH`` (nothing was executed), or an output folder that cannot be written or is
locked by another run (earlier reports intact); 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from analysis.errors import ConfigError, ReportBuildError


def _cell_timeout(text: str) -> int:
    """``--cell-timeout``: a whole number of seconds ≥ 1."""
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"ska vara ett heltal ≥ 1 (sekunder), inte {text[:40]!r}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``run`` options to *parser*."""
    parser.add_argument(
        "names", nargs="*", metavar="NAMN", help="rapporter ur reports.yaml (utan namn: alla)"
    )
    parser.add_argument(
        "--all", action="store_true", help="bygg alla rapporter (standard när inga namn ges)"
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NYCKEL", "VÄRDE"),
        help="sätt en parameter för de valda rapporterna, t.ex. -p audience internal (kan upprepas)",
    )
    parser.add_argument(
        "-f",
        "--parameters-file",
        type=Path,
        metavar="params.yaml",
        help="YAML med parametrar för alla valda rapporter; en nyckel som är ett rapportnamn "
        "med en mappning som värde gäller bara den rapporten",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help=f"antal kärnor som kör samtidigt (standard: antal processorkärnor, {os.cpu_count()})",
    )
    parser.add_argument("--force", action="store_true", help="bygg om även oförändrade rapporter")
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="ingen förloppsindikator, inga rader per rapport"
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        metavar="MAPP",
        help="skriv rapporterna hit i stället för reports/",
    )
    parser.add_argument(
        "--cell-timeout",
        type=_cell_timeout,
        default=600,
        metavar="SEK",
        help="längsta tid en cell får köra, hela sekunder (standard 600 s)",
    )
    parser.add_argument(
        "--kernel", default=None, help="Jupyter-kärna (standard: analysis, annars python3)"
    )
    parser.add_argument("--registry", type=Path, default=None, help=argparse.SUPPRESS)


def _read_params_file(path: Path, registry_names) -> tuple[dict, dict]:
    """A parameters file: top-level ``key: value`` for every report, ``<report>: {…}`` for one.

    Read with the strict YAML loader: a key given twice (``min_cell: 50`` … ``min_cell: 2``) or
    a report section given twice is refused with file, line and key.
    """
    import yaml

    from analysis.pipeline.registry import yaml_load

    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: parameterfilen är inte sparad som UTF-8.") from None
    except OSError as exc:
        raise ConfigError(
            f"{path}: kan inte läsa parameterfilen ({exc.strerror or exc})."
        ) from None
    try:
        data = yaml_load(text, source=path) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: ogiltig YAML ({' '.join(str(exc).split())}).") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: parameterfilen ska vara en mappning nyckel: värde.")
    common, per_report = {}, {}
    for key, value in data.items():
        if isinstance(value, dict):
            if key not in registry_names:
                raise ConfigError(
                    f"{path}: okänd rapport {key!r}. Kända rapporter: "
                    + ", ".join(sorted(registry_names))
                    + "."
                )
            per_report[key] = value
        else:
            common[key] = value
    return common, per_report


def run(args: argparse.Namespace) -> int:
    """Run the command; raises :class:`ReportBuildError` (exit 1) when a report failed."""
    from analysis.pipeline.registry import load_registry
    from analysis.pipeline.runner import (
        STATUS_FAILED,
        STATUS_MISSING,
        check_cell_timeout,
        run_reports,
    )

    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs ska vara minst 1.")
    check_cell_timeout(args.cell_timeout)
    if args.all and args.names:
        raise ConfigError("ange antingen rapportnamn eller --all, inte båda.")
    registry = load_registry(args.registry)
    shared: dict = {}
    per_report: dict = {}
    if args.parameters_file is not None:
        shared, per_report = _read_params_file(args.parameters_file, registry)
    overrides = dict(args.parameter)  # -p wins over the parameters file
    results = run_reports(
        args.names,
        registry=registry,
        overrides=overrides,
        per_report=per_report,
        shared=shared,
        jobs=args.jobs,
        force=args.force,
        quiet=args.quiet,
        output_dir=args.output_dir,
        cell_timeout=args.cell_timeout,
        kernel=args.kernel,
    )
    failed = [r.name for r in results if r.status == STATUS_FAILED]
    if args.names:
        failed += [r.name for r in results if r.status == STATUS_MISSING]
    if failed:
        from analysis import paths

        where = (args.output_dir or paths.reports_dir()) / "failed"
        raise ReportBuildError(
            f"{len(failed)} rapport(er) kunde inte byggas: {', '.join(failed)} "
            f"(se raderna ovan och {where}/; tidigare HTML är orörd)."
        )
    return 0
