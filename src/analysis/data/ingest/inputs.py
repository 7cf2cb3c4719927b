"""Which file to ingest: the survey's codebook, the export chosen from ``data/raw/<survey>/`` by
its headers (:func:`find_input`) and whether a file is the synthetic demo export
(:func:`is_synthetic`)."""

from __future__ import annotations

from pathlib import Path

from analysis import paths
from analysis.data.codebook import Codebook, load_codebook
from analysis.errors import ConfigError, InputValidationError, Problem

EXPORT_SUFFIXES = (".xlsx", ".csv")


def _codebook(survey: str, codebook: Codebook | str | Path | None) -> Codebook:
    if codebook is None:
        return load_codebook(survey)
    cb = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
    if cb.survey != survey:
        raise ConfigError(f"{cb.path}: kodboken gäller {cb.survey!r}, inte {survey!r}.")
    return cb


NON_EXPORT_STEMS = ("verified_codes",)
"""Files beside the export that are never an export (the coder's verified theme codes)."""


def find_input(survey: str, codebook: Codebook | None = None) -> Path:
    """The export to ingest by default from ``data/raw/<survey>/``, chosen by its headers.

    Candidates are the ``.xlsx``/``.csv`` files of the folder except hidden and Office lock files
    (``~$…``) and known non-exports (``verified_codes.*``). With more than one candidate, only
    files whose column headers match at least one question of the codebook count as exports; a
    file that cannot be read at all is reported rather than skipped (it may be the real export).
    A real export is preferred to synthetic demo data — which file is synthetic is decided by the
    demo generator's marker (:func:`is_synthetic`), never by the file name. Several real exports
    (or several demo files, none of them the codebook's ``demo.file``) give an error asking for
    ``--input``.

    Raises
    ------
    InputValidationError
        No export, or the choice is ambiguous (one line naming the files and what to do).
    """
    from analysis.data.demo import written_by_generator

    folder = paths.raw_dir(survey)
    if not folder.is_dir():
        raise _no_input(folder, f"mappen {folder} finns inte")
    files = [
        p
        for p in sorted(folder.iterdir())
        if p.is_file()
        and p.suffix.lower() in EXPORT_SUFFIXES
        and not p.name.startswith((".", "~$"))
        and p.stem.lower() not in NON_EXPORT_STEMS
    ]
    if not files:
        raise _no_input(
            folder,
            "ingen export (.xlsx eller .csv) hittades",
            f"Lägg exporten i {folder} eller ange den med --input; demodata skapas med "
            f"'analysis demo {survey}'",
        )
    cb = codebook if codebook is not None else load_codebook(survey)
    if len(files) > 1:
        scores = {p: _header_score(p, cb) for p in files}
        unreadable = [p for p, s in scores.items() if s is None]
        if unreadable:
            raise _no_input(
                folder,
                "filen "
                + ", ".join(p.name for p in unreadable)
                + " kunde inte läsas som en enkätexport och kan vara den riktiga exporten",
                f"Kontrollera den med 'analysis validate {survey} {unreadable[0]}' och ange "
                f"exporten med --input, eller flytta filen ur {folder}",
            )
        files = [p for p in files if scores[p]]
        if not files:
            shown = ", ".join(f"{p.name} (0 av {len(cb.questions)} frågor)" for p in scores)
            raise _no_input(
                folder,
                f"ingen fil har kolumnrubriker som matchar kodboken: {shown}",
                f"Lägg exporten i {folder} eller ange den med --input",
            )
    real = [p for p in files if not written_by_generator(p)]
    demo = [p for p in files if p not in real]
    if len(real) == 1:
        return real[0]
    if len(real) > 1:
        names = ", ".join(p.name for p in real)
        raise _no_input(
            folder,
            f"flera exporter matchar kodboken ({names})",
            f"Välj en med --input, t.ex. analysis ingest {survey} --input {real[0]}",
        )
    if len(demo) == 1:
        return demo[0]
    declared = [p for p in demo if p.name == cb.demo_file]
    if declared:
        return declared[0]
    names = ", ".join(p.name for p in demo)
    raise _no_input(folder, f"flera demofiler hittades ({names})", "Välj en med --input")


def _header_score(path: Path, codebook: Codebook) -> int | None:
    """How many codebook questions the file's headers match (``None``: not readable)."""
    from analysis.data.headers import match_headers
    from analysis.data.readers import read_export

    try:
        table = read_export(path)
    except (InputValidationError, OSError, ValueError):
        return None
    return len(match_headers(table.headers, codebook).questions)


def _no_input(folder: Path, message: str, hint: str = "") -> InputValidationError:
    return InputValidationError(
        [Problem(file=str(folder), message=message, hint=hint, kind="no_input")]
    )


def is_synthetic(codebook: Codebook, source: Path) -> bool:
    """Whether *source* is the synthetic demo export, decided by what only the demo generator
    writes — never by the file name (a real export saved as ``demo_*.xlsx`` is real data).

    Synthetic iff :func:`analysis.data.demo.written_by_generator`: an ``.xlsx`` whose embedded
    demo marker (a custom document property) matches its cell values, or a file whose sidecar
    ``<name>.demo.json`` holds the sha256 of its exact bytes. *codebook* is not consulted.
    """
    from analysis.data.demo import written_by_generator

    return written_by_generator(source)
