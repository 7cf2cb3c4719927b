"""Seeded generator of the synthetic demo exports (the ``analysis demo`` command).

Two files are generated, byte-for-byte reproducibly, into ``data/raw/<survey>/``:

* ``partner_2021`` → ``demo_partner_2021_msforms.xlsx``: a Microsoft Forms export (columns
  ``ID, Start time, Completion time, Email, Name`` then one column per question headed by its bare
  question text; multi-select answers joined by ``;`` with MS Forms' trailing ``;``). The 14
  respondents and all their answers are designed by hand in
  ``src/analysis/data/demo_content/partner_2021.yaml``; the seeded random generator only draws the
  timestamps and the obviously fake names and e-mail addresses (``@example.org``).
* ``municipality_2023`` → ``demo_municipality_2023_googleforms.csv``: a Google Forms CSV export
  (``Tidstämpel``, ``E-postadress``, then the 15 questions headed by "text (tex …)"), one row per
  municipality, Q1 written in everyday spellings, Q2–Q15 taken from
  ``src/analysis/data/demo_content/municipality_2023_answers.yaml``.

Reproducibility: the random generator is ``numpy.random.default_rng(seed)``; the xlsx gets fixed
document properties and fixed zip timestamps, so two runs give identical SHA-256.

The demo marker
    Whether an export is synthetic is decided by something only this generator writes, never by
    the file name (:func:`written_by_generator`, used by ingest for the manifest's ``synthetic``):

    * the ``.xlsx`` carries a custom document property :data:`MARKER_PROPERTY` holding the
      sha256 of its cell values (:func:`xlsx_values_sha256`) — a copy is still synthetic, any
      edited cell makes it real data;
    * the ``.csv`` gets a sidecar ``<name>.demo.json`` holding the sha256 and size of the exact
      bytes written — synthetic iff the file's sha256 matches.

    :func:`generate` never replaces a file it did not write: an existing target that is not
    generator output (e.g. a real export saved under the demo file name) is refused with
    :class:`~analysis.errors.RefusedOverwriteError` (exit 2).

:func:`partner_headline` computes the partner survey's headline numbers directly from the design
(the ground truth in ``tests/ground_truth/partner_2021_demo_headline.csv``).

>>> design = load_partner_design()
>>> len(design["respondents"])
14
>>> h = partner_headline(design)
>>> h.loc[h["metric"] == "response_rate", ["numerator", "denominator"]].values.tolist()
[['14', '43']]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import tempfile
from pathlib import Path

from analysis import paths
from analysis.data.demo.common import (
    CONTENT_DIR,  # noqa: F401 - re-exported
    DEFAULT_SEEDS,  # noqa: F401 - re-exported
    FAKE_FIRST,  # noqa: F401 - re-exported
    FAKE_LAST,  # noqa: F401 - re-exported
    MUNICIPALITY_ANSWERS,  # noqa: F401 - re-exported
    OTHER_GENERATORS,
    PARTNER_DESIGN,  # noqa: F401 - re-exported
    demo_filename,
)
from analysis.data.demo.marker import (
    MARKER_PROPERTY,  # noqa: F401 - re-exported
    SIDECAR_SUFFIX,  # noqa: F401 - re-exported
    _check_overwrite,
    _sidecar_bytes,
    sidecar_path,
    written_by_generator,  # noqa: F401 - re-exported
    xlsx_marker,  # noqa: F401 - re-exported
    xlsx_values_sha256,  # noqa: F401 - re-exported
)
from analysis.data.demo.municipality import (
    GOOGLE_FORMS_META,  # noqa: F401 - re-exported
    MUNICIPALITY_SPELLINGS,  # noqa: F401 - re-exported
    _csv_bytes,
    load_municipality_answers,  # noqa: F401 - re-exported
    municipality_table,
)
from analysis.data.demo.partner import (
    FIXED_TIMESTAMP,  # noqa: F401 - re-exported
    MS_FORMS_META,  # noqa: F401 - re-exported
    POSITIVE_LIKERT,  # noqa: F401 - re-exported
    _partner_xlsx,
    headline_csv_bytes,  # noqa: F401 - re-exported
    load_partner_design,  # noqa: F401 - used by the module doctest, re-exported
    partner_headline,  # noqa: F401 - used by the module doctest, re-exported
    partner_table,
)
from analysis.errors import ConfigError


def _write_bytes(path: Path, data: bytes) -> None:
    """Write atomically (temp file in the same folder + rename)."""
    from analysis import atomic

    atomic.write_bytes(path, data)


def render(survey: str, seed: int | None = None, *, answers: dict | None = None) -> bytes:
    """The demo export of ``survey`` as bytes (nothing is written)."""
    if survey in OTHER_GENERATORS:
        return importlib.import_module(OTHER_GENERATORS[survey]).render(seed)
    if survey == "partner_2021":
        return _partner_xlsx(*partner_table(seed=seed))
    if survey == "municipality_2023":
        return _csv_bytes(*municipality_table(answers=answers, seed=seed))
    raise ConfigError(f"Okänd enkät {survey!r}; välj partner_2021 eller municipality_2023.")


def generate(
    survey: str,
    out_dir: str | Path | None = None,
    seed: int | None = None,
    *,
    answers: dict | None = None,
) -> Path:
    """Generate the demo export of ``survey`` and return its path.

    Parameters
    ----------
    survey : {"partner_2021", "municipality_2023"}
    out_dir : folder to write into; default ``data/raw/<survey>/`` (the committed files).
    seed : random seed; default :data:`DEFAULT_SEEDS` (the committed files use it).
    answers : municipality_2023 only: the ``municipalities`` mapping to use instead of the
        committed content file (tests use a small placeholder).

    Raises
    ------
    RefusedOverwriteError
        The target exists and was not written by this generator (see :func:`written_by_generator`).
    OutputError
        The folder cannot be written.
    """
    if survey in OTHER_GENERATORS:  # writes its export and any companion file itself
        return importlib.import_module(OTHER_GENERATORS[survey]).generate(out_dir, seed)
    data = render(survey, seed, answers=answers)
    folder = Path(out_dir) if out_dir is not None else paths.raw_dir(survey)
    target = folder / demo_filename(survey)
    _check_overwrite(target, data)
    try:
        _write_bytes(target, data)
        if target.suffix.lower() != ".xlsx":  # the xlsx carries its marker inside
            _write_bytes(sidecar_path(target), _sidecar_bytes(survey, seed, target.name, data))
    except OSError as exc:
        from analysis.errors import OutputError

        raise OutputError(
            f"{target}: demoexporten kunde inte skrivas ({exc.strerror or exc}). "
            "Kontrollera att mappen är skrivbar och att disken inte är full."
        ) from None
    return target


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "surveys",
        nargs="*",
        metavar="SURVEY",
        help="enkäter med demogenerator: " + ", ".join(DEFAULT_SEEDS) + " (standard: alla)",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="skriv till DIR i stället för data/raw/<survey>/"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="generera i en temporär mapp och jämför SHA-256 med de incheckade filerna (exit 1 vid skillnad)",
    )


def run(args: argparse.Namespace) -> int:
    from analysis.data.surveys import discover

    generated = [s for s in discover() if s in DEFAULT_SEEDS]  # discovered now, not at import
    surveys = list(args.surveys or generated)
    unknown = [s for s in surveys if s not in generated]
    if unknown:
        raise ConfigError(
            f"Okänd enkät eller enkät utan demogenerator: {', '.join(unknown)}. "
            f"Välj bland {', '.join(generated)}."
        )
    if args.check:
        differ = 0
        with tempfile.TemporaryDirectory() as tmp:
            for survey in surveys:
                fresh = generate(survey, out_dir=tmp)
                committed = paths.raw_dir(survey) / fresh.name
                side = sidecar_path(fresh)
                if not committed.is_file():
                    print(f"{survey}: {committed} saknas")
                    differ += 1
                elif sha256(fresh) != sha256(committed):
                    print(f"{survey}: {committed.name} AVVIKER från den genererade filen")
                    differ += 1
                elif side.is_file() and (
                    not sidecar_path(committed).is_file()
                    or sha256(side) != sha256(sidecar_path(committed))
                ):
                    print(f"{survey}: {sidecar_path(committed).name} saknas eller AVVIKER")
                    differ += 1
                else:
                    print(f"{survey}: {committed.name} OK ({sha256(committed)[:12]})")
        return 1 if differ else 0
    for survey in surveys:
        path = generate(survey, out_dir=args.out)
        print(f"{survey}: skrev {path} ({sha256(path)[:12]})")
    return 0
