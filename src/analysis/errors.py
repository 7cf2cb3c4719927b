"""The package's own error types.

Every problem a user can fix (a bad export, an unknown parameter, a broken codebook, a read-only
or full output folder, a lock held by a concurrent run) is raised as an :class:`AnalysisError`
subclass; the CLI prints its message as one line without a traceback and exits 2. Exit codes:

====  ==========================================================================================
0     everything built, written or skipped (up to date)
1     at least one report failed to build (:class:`ReportBuildError`); the others were built
2     invalid input, parameters or environment (every other :class:`AnalysisError`)
130   interrupted (Ctrl-C)
====  ==========================================================================================

>>> p = Problem(file="export.csv", row=4, column="Vilken kommun representerar du?",
...             value="Umeaa", message="okänd kommun", hint="Skriv kommunens namn, t.ex. 'Umeå'.")
>>> str(p)
"export.csv: rad 4, kolumn 'Vilken kommun representerar du?': okänd kommun (värde: 'Umeaa'). Skriv kommunens namn, t.ex. 'Umeå'."
>>> err = InputValidationError([p])
>>> err.exit_code
2
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One actionable problem found in an input file.

    ``row`` is the spreadsheet row number as the user sees it in Excel (header = row 1), or
    ``None`` when the problem concerns the whole file or a whole column.
    """

    file: str
    message: str
    hint: str = ""
    row: int | None = None
    column: str | None = None
    value: object = None
    kind: str = "invalid"

    def __str__(self) -> str:
        where = [self.file]
        loc = []
        if self.row is not None:
            loc.append(f"rad {self.row}")
        if self.column is not None:
            loc.append(f"kolumn {self.column!r}")
        head = where[0] + (": " + ", ".join(loc) if loc else "")
        text = f"{head}: {self.message}"
        if self.value is not None:
            shown = str(self.value)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            text += f" (värde: {shown!r})"
        if self.hint:
            text += f". {self.hint}"
        return text


class AnalysisError(Exception):
    """Base class for errors the user can act on. ``exit_code`` is what the CLI returns."""

    exit_code = 2


class InputValidationError(AnalysisError):
    """An input file failed validation; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def kinds(self) -> set[str]:
        return {p.kind for p in self.problems}


class ConfigError(AnalysisError):
    """A codebook, theme file or parameter set is malformed or refers to something unknown."""


class OutputError(AnalysisError):
    """An output cannot be written: a read-only folder, a full disk, a path naming a file where a
    folder is needed. Nothing half-written is left behind and earlier outputs stay intact."""


class LockTimeoutError(AnalysisError):
    """Another process holds the lock (a concurrent ``analysis ingest`` / ``analysis run``) and
    did not release it within the waiting time."""


class RefusedOverwriteError(AnalysisError):
    """A command would replace a file it did not write itself (e.g. ``analysis demo`` finding a
    real export saved under the demo file name)."""


class ReportBuildError(AnalysisError):
    """One or more reports failed to build (exit code 1: the run itself was valid)."""

    exit_code = 1
