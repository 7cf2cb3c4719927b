"""A survey's free text as a REFI-QDA project, and codings made in a QDA tool back as verified codes.

This is the glue between :mod:`analysis.text.qda` (the exchange format) and the survey:

* :func:`theme_codes` — the theme codebook as :class:`~analysis.text.qda.QdaCode` objects;
* :func:`survey_answers` — one row per free-text answer (``answer_id`` = ``<respondent>-<question>``)
  with the respondent, the question and, where known, the municipality as case variables;
* :func:`export_survey` — the project: every answer as a text source, the machine's codes as
  codings by the user ``analysis-kodare <version>``, and a coder's verified codes (the
  ``verified_codes`` file of the review workflow) by that coder;
* :func:`import_survey` — codings made in NVivo, ATLAS.ti, MAXQDA or QualCoder back as a verified-codes
  table (``id, question, verified_themes, coder``), refusing a project that does not belong to the
  survey.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.errors import ConfigError, InputValidationError, Problem
from analysis.text.qda.export import export_codebook, export_project
from analysis.text.qda.model import QdaCode, QdaError, codings
from analysis.text.qda.reader import import_project

if TYPE_CHECKING:  # pragma: no cover
    from analysis.text.themes import ThemeCodebook

VERIFIED_COLUMNS = ["id", "question", "verified_themes", "coder"]


def machine_user(themes: ThemeCodebook) -> str:
    """The QDA user name of the automatic coder (names the theme codebook's version)."""
    return f"analysis-kodare {themes.version}"


def theme_codes(themes: ThemeCodebook) -> list[QdaCode]:
    """The theme codebook as QDA codes (definition as description, ``parent`` kept)."""
    return [
        QdaCode(id=t.id, name=t.label, description=t.definition, parent=t.parent)
        for t in themes.themes
    ]


def survey_answers(codes: pd.DataFrame) -> pd.DataFrame:
    """One row per answer from :func:`analysis.text.coding.survey_codes` output."""
    out = pd.DataFrame(
        {
            "answer_id": codes["id"].astype(str) + "-" + codes["question"].astype(str),
            "text": codes["text"].astype(str),
            "respondent": codes["id"].astype(str),
            "question": codes["question"].astype(str),
        }
    )
    if "kommun" in codes.columns:
        out["kommun"] = codes["kommun"].astype(str)
    return out


def _codings(codes: pd.DataFrame, column: str, coder) -> pd.DataFrame:
    rows = []
    for rid, q, labels, who in zip(
        codes["id"].astype(str),
        codes["question"].astype(str),
        codes[column].fillna("").astype(str),
        coder,
        strict=True,
    ):
        for code in [c.strip() for c in labels.replace(",", ";").split(";") if c.strip()]:
            if code == "inget tema":
                continue
            rows.append({"answer_id": f"{rid}-{q}", "code_id": code, "coder": who})
    return pd.DataFrame(rows, columns=["answer_id", "code_id", "coder"])


def export_survey(
    survey: str,
    out: str | Path,
    *,
    processed: str | Path | None = None,
    themes: str | Path | None = None,
    verified: str | Path | None = None,
) -> Path:
    """Write the survey's free-text answers and codes as a REFI-QDA project (``.qdpx``).

    Parameters
    ----------
    survey : str
    out : str or Path
        The ``.qdpx`` file to write (atomically).
    processed : str or Path, optional
        Processed data folder (default ``data/processed/<survey>``).
    themes : str or Path, optional
        Theme codebook (default the survey's ``themes.yaml``).
    verified : str or Path, optional
        A verified-codes file (default the one beside the raw data, if any); its codes are
        exported as codings by their ``coder`` (or ``granskare``).
    """
    from analysis.text import coding
    from analysis.text.themes import load_themes

    book = load_themes(themes or None)
    codes = coding.survey_codes(survey, processed, themes=book, use_verified=False)
    answers = survey_answers(codes)
    machine = _codings(codes, "suggested_themes", [machine_user(book)] * len(codes))
    parts = [machine]
    path = Path(verified) if verified else coding.default_verified_path(survey)
    if path is not None:
        v = coding.read_verified(path)
        who = v["coder"] if "coder" in v.columns else pd.Series(["granskare"] * len(v))
        who = who.fillna("").astype(str).replace("", "granskare")
        parts.append(_codings(v, "verified_themes", list(who)))
    codings = pd.concat(parts, ignore_index=True)
    known = set(book.ids)
    unknown = sorted(set(codings["code_id"]) - known)
    if unknown:
        raise ConfigError(
            f"{path}: okända tema-id {', '.join(unknown)} (kända: {', '.join(book.ids)})."
        )
    try:
        return export_project(
            out,
            project_name=f"{survey} fritextsvar",
            codes=theme_codes(book),
            answers=answers,
            codings=codings,
            machine_user=machine_user(book),
        )
    except QdaError as exc:
        raise ConfigError(f"{out}: {exc}") from None


def export_theme_codebook(out: str | Path, *, themes: str | Path | None = None) -> Path:
    """Write the theme codebook as a REFI-QDA codebook (``.qdc``)."""
    from analysis.text.themes import load_themes

    try:
        return export_codebook(out, theme_codes(load_themes(themes or None)))
    except QdaError as exc:
        raise ConfigError(f"{out}: {exc}") from None


MACHINE_PREFIX = "analysis-kodare "
"""Every version of the automatic coder's QDA user name starts with this."""

UNKNOWN_CODER = "okänd kodare"
"""The ``coder`` of a coding whose user the project does not name (followed by the GUID's first
eight characters when there is one, so that two unknown coders stay apart)."""

_CONTACT_KINDS = ("email", "phone", "personnummer")


def _machine_guids(survey: str, imported) -> set[str]:
    """GUIDs of the automatic coder: the one the export recorded in its note, and any user named
    ``analysis-kodare <version>`` whose GUID is the one :func:`export_survey` gives that name
    (a user created in a QDA tool never has it)."""
    from analysis.text.qda.model import _guid, _project_namespace

    ns = _project_namespace(f"{survey} fritextsvar")
    found = {imported.machine_guid} if imported.machine_guid else set()
    for guid, name in imported.users.items():
        if name and name.startswith(MACHINE_PREFIX) and guid == _guid(ns, "user", name):
            found.add(guid)
    return found


def coder_label(name: object, guid: object) -> tuple[str, bool]:
    """The ``coder`` written to the verified-codes file, and whether contact data was masked.

    A coder is staff and their name says who verified (kept, as in the review workflow's file,
    which stays in ``data/raw`` like the raw export); e-mail addresses, phone numbers and
    personnummer in a user name are masked with the package's detector; a missing user becomes
    :data:`UNKNOWN_CODER`. Formula characters are neutralised when the file is written.

    >>> coder_label("Anna Svensson 19811218-9876 anna@umea.se", "g")
    ('Anna Svensson [personnummer] [e-post]', True)
    >>> coder_label(None, "11111111-2222-3333-4444-555555555555")
    ('okänd kodare (11111111)', False)
    """
    from analysis.data.pii import mask

    if not isinstance(name, str) or not name.strip():
        return (
            f"{UNKNOWN_CODER} ({str(guid)[:8]})" if isinstance(guid, str) else UNKNOWN_CODER
        ), False
    masked, counts = mask(" ".join(name.split()), kinds=_CONTACT_KINDS)
    return masked, any(counts.values())


def import_survey(
    survey: str,
    project: str | Path,
    *,
    processed: str | Path | None = None,
    themes: str | Path | None = None,
    include_machine: bool = False,
    skip_changed: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    """Codings from a QDA project as a verified-codes table, plus the import's messages.

    Every text source must be one of this survey's answers with the same text (else
    :class:`~analysis.errors.ConfigError`: the project belongs to another survey, or an answer
    changed since the export — *skip_changed* then leaves those sources out, listed in the
    messages). Codes must be themes of the codebook (by id, or by name for projects made in
    another tool). The machine's own codings — recognised by the user's GUID, never by its name
    alone — are left out (and counted in the messages) unless *include_machine*; a user named
    like the machine coder with another GUID is refused, since its codings could be either.

    Returns
    -------
    (pandas.DataFrame, list of str)
        ``id, question, verified_themes, coder`` (one row per answer and coder; themes sorted,
        ``;``-joined; contact data in coder names masked, see :func:`coder_label`) and the
        messages of the import (Swedish, one line each).
    """
    from analysis.text import coding
    from analysis.text.themes import load_themes

    book = load_themes(themes or None)
    codes = coding.survey_codes(survey, processed, themes=book, use_verified=False)
    answers = survey_answers(codes)
    try:
        imported = import_project(
            project, answers=answers[["answer_id", "text"]], skip_changed=skip_changed
        )
    except QdaError as exc:
        raise ConfigError(str(exc)) from None
    messages = list(imported.messages)
    if not imported.has_codings:
        what = (
            f"Projektet har inga textkällor, bara {len(imported.codes)} koder"
            if not imported.has_sources and not imported.skipped_sources
            else "Projektet har inga kodningar att importera"
        )
        return pd.DataFrame(columns=VERIFIED_COLUMNS), [
            *(m for m in messages if not m.startswith("Projektet ")),
            f"{project}: {what}.",
        ]
    machine = _machine_guids(survey, imported)
    for guid, name in imported.users.items():
        if name and name.startswith(MACHINE_PREFIX) and guid not in machine:
            raise ConfigError(
                f"{project}: användaren {name!r} (GUID {guid}) heter som maskinkodaren men är "
                "inte den användare exporten skrev, så det går inte att avgöra om dess kodningar "
                "är maskinens eller en människas; byt namn på användaren i QDA-verktyget om en "
                "människa kodat, eller ta bort kodningarna, och exportera projektet igen."
            )
    by_name = {t.label.casefold(): t.id for t in book.themes}
    ids = set(book.ids)
    problems = []
    rows: dict[tuple[str, str], set[str]] = {}
    n_machine = n_unknown = n_masked = 0
    for rec in imported.codings.itertuples(index=False):
        if rec.coder_guid in machine:
            n_machine += 1
            if not include_machine:
                continue
        code = rec.code_id if rec.code_id in ids else by_name.get(str(rec.code_name).casefold())
        if code is None:
            problems.append(
                Problem(
                    file=str(project),
                    column="kod",
                    value=rec.code_name,
                    message="koden finns inte i temakodboken",
                    hint="Byt namn på koden i QDA-verktyget till ett tema i kodboken, "
                    "eller lägg till temat i themes.yaml.",
                )
            )
            continue
        coder, masked = coder_label(rec.coder, rec.coder_guid)
        n_unknown += coder.startswith(UNKNOWN_CODER) and not isinstance(rec.coder, str)
        n_masked += masked
        rows.setdefault((str(rec.answer_id), coder), set()).add(code)
    if problems:
        raise InputValidationError(problems[:20])
    if n_machine and not include_machine:
        messages.append(
            f"Projektet har bara maskinkodarens kodningar ({n_machine}), inga granskade; ange "
            "--include-machine för att importera dem som verifierade koder."
            if not rows
            else f"Lämnade {codings(n_machine)} av maskinkodaren utanför; ange "
            "--include-machine för att ta med dem."
        )
    if n_unknown:
        messages.append(
            f"{codings(n_unknown)} saknar en namngiven användare i projektet (ingen "
            f"creatingUser, en som inte finns bland Users eller en utan namn); de fick kodaren "
            f"'{UNKNOWN_CODER}' följt av början av GUID:t."
        )
    if n_masked:
        messages.append(
            f"{codings(n_masked)} har kontaktuppgifter eller personnummer i kodarens namn; de "
            "maskerades i coder-kolumnen."
        )
    lookup = dict(
        zip(
            answers["answer_id"],
            zip(answers["respondent"], answers["question"], strict=True),
            strict=True,
        )
    )
    out = pd.DataFrame(
        [
            {
                "id": lookup[aid][0],
                "question": lookup[aid][1],
                "verified_themes": ";".join(sorted(found)),
                "coder": coder,
            }
            for (aid, coder), found in sorted(rows.items())
        ],
        columns=VERIFIED_COLUMNS,
    )
    return out, messages


__all__ = [
    "export_survey",
    "export_theme_codebook",
    "coder_label",
    "import_survey",
    "machine_user",
    "survey_answers",
    "theme_codes",
]
