"""REFI-QDA (QDA-XML 1.0) exchange: coded survey answers to and from QDA software.

REFI-QDA is the exchange standard of ATLAS.ti, NVivo, MAXQDA, QualCoder and others. A project is
a ``.qdpx`` zip holding ``project.qde`` (XML valid against ``Project-mrt2019.xsd``, shipped in
``schemas/``) and a ``Sources/`` folder; a codebook is a bare ``.qdc`` XML file.

* :func:`export_project` writes answers, codes and codings as a ``.qdpx``: one ``TextSource`` per
  answer (its text in ``Sources/<guid>.txt``, UTF-8), one ``Case`` per respondent, the other
  answer columns as ``Variables``, one ``PlainTextSelection`` + ``Coding`` per coded span, one
  ``User`` per coder. The output is byte-reproducible (deterministic GUIDs and dates).
* :func:`export_codebook` writes a ``.qdc`` codebook.
* :func:`import_project` reads a ``.qdpx`` (ours or another program's) into DataFrames.
* :func:`validate` checks a project (or codebook) against the schema and a few rules of the spec.

**Offsets.** The spec (REFI-QDA 1.5, section 10.2) counts text positions in Unicode code points,
the first code point being 0. That is exactly Python's ``str`` indexing, so ``start``/``end`` are
plain Python indices and an emoji (one code point, two UTF-16 units, four UTF-8 bytes) counts
as one. ``endPosition`` is exclusive: the selection is ``text[start:end]``. The spec's wording
("first and last character") is ambiguous, but its worked example (ATLAS.ti export: the selection
``"granola"`` has ``startPosition="62" endPosition="69"``) and QualCoder's reader
(``fulltext[pos0:pos1]``) both use an exclusive end. Source texts are stored in ``.txt`` files,
not inside the XML, so no XML line-end normalisation (``\\r\\n`` → ``\\n``) can shift offsets.
Texts are written exactly as given; ``\\r\\n`` counts as two code points, as the spec says. Some
programs count it as one (ATLAS.ti, according to QualCoder's importer), so answers with Windows
line ends are best normalised to ``\\n`` (text and offsets together) before exporting to them.

**Code ids.** QDA-XML has no place for an application's own code id, so the export adds one
project note, ``analysis: code ids``, mapping code GUIDs to :attr:`QdaCode.id`; the import uses it
to give the ids back. Without the note (a project from other software) a code's id is its GUID.

>>> import tempfile, pandas as pd
>>> from pathlib import Path
>>> tmp = tempfile.TemporaryDirectory()
>>> d = Path(tmp.name)
>>> answers = pd.DataFrame({"answer_id": ["a1", "a2"], "respondent": ["r1", "r2"],
...                         "text": ["Bra vägar 👍 men dåligt bredband", "Inget att tillägga"]})
>>> codes = [QdaCode("infra", "Infrastruktur", color="#1f77b4"), QdaCode("it", "Bredband", parent="infra")]
>>> codings = pd.DataFrame({"answer_id": ["a1", "a1"], "code_id": ["infra", "it"],
...                         "coder": ["anna", None], "start": [None, 23], "end": [None, 31]})
>>> path = export_project(d / "enkat.qdpx", project_name="Enkät 2023", codes=codes,
...                       answers=answers, codings=codings)
>>> validate(path)
[]
>>> project = import_project(path, answers=answers)
>>> [(c.id, c.parent) for c in project.codes]
[('infra', None), ('it', 'infra')]
>>> for row in project.codings[["code_id", "coder", "start", "end", "text"]].itertuples(index=False):
...     print(*row, sep=" | ")
infra | anna | 0 | 31 | Bra vägar 👍 men dåligt bredband
it | analysis-coder | 23 | 31 | bredband
>>> tmp.cleanup()
"""

from __future__ import annotations

from analysis.text.qda.export import export_codebook, export_project
from analysis.text.qda.model import SCHEMA_PATH, ImportedProject, QdaCode, QdaError
from analysis.text.qda.reader import import_project
from analysis.text.qda.validate import validate

__all__ = [
    "SCHEMA_PATH",
    "ImportedProject",
    "QdaCode",
    "QdaError",
    "export_codebook",
    "export_project",
    "import_project",
    "validate",
]
