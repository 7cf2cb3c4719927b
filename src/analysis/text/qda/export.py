"""Write REFI-QDA codebooks (.qdc) and projects (.qdpx)."""

from __future__ import annotations

import io
import json
import math
import os
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.text.qda.model import (  # noqa: F401
    _ID_NOTE_FORMAT,
    _ID_NOTE_NAME,
    _RGB,
    _VALUE_TAGS,
    CODEBOOK_NS,
    PROJECT_NS,
    RESPONDENT_COLUMN,
    SOURCE_LEVEL_COLUMNS,
    QdaCode,
    QdaError,
    _atomic_write,
    _check_target,
    _export_time,
    _guid,
    _id_str,
    _is_missing,
    _iso,
    _project_namespace,
    _root,
    _serialise,
    _snippet,
    _xml_safe,
)

# ------------------------------------------------------------------------------------ codebook


def _check_codes(codes: list[QdaCode]) -> list[tuple[QdaCode, int]]:
    """Validate *codes*; return them depth first as ``(code, depth)``."""
    if not isinstance(codes, list | tuple) or not all(isinstance(c, QdaCode) for c in codes):
        raise QdaError("codes måste vara en lista av QdaCode")
    by_id: dict[str, QdaCode] = {}
    names: set[str] = set()
    for code in codes:
        if not isinstance(code.id, str) or not code.id:
            raise QdaError(f"koden {code!r}: id måste vara en icke-tom sträng")
        if code.id in by_id:
            raise QdaError(
                f"kod-id {code.id!r} förekommer två gånger i kodboken; ge koderna olika id"
            )
        if not isinstance(code.name, str) or not code.name.strip():
            raise QdaError(f"koden {code.id!r}: namnet måste vara en icke-tom sträng")
        if code.name in names:
            raise QdaError(
                f"kodnamnet {code.name!r} förekommer två gånger i kodboken; QDA-verktygen slår "
                "ihop koder med samma namn, så ge dem olika namn"
            )
        _xml_safe(code.name, f"koden {code.id!r}: namnet")
        _xml_safe(code.description or "", f"koden {code.id!r}: beskrivningen")
        if code.color is not None and not (isinstance(code.color, str) and _RGB.match(code.color)):
            raise QdaError(f"koden {code.id!r}: färgen {code.color!r} har inte formen #RRGGBB")
        by_id[code.id] = code
        names.add(code.name)
    children: dict[str | None, list[QdaCode]] = {}
    for code in codes:
        if code.parent is not None and code.parent not in by_id:
            raise QdaError(f"koden {code.id!r}: föräldern {code.parent!r} finns inte i kodboken")
        children.setdefault(code.parent, []).append(code)
    ordered: list[tuple[QdaCode, int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for child in children.get(parent, []):
            ordered.append((child, depth))
            walk(child.id, depth + 1)

    walk(None, 0)
    if len(ordered) != len(codes):
        seen = {c.id for c, _ in ordered}
        loop = next(c.id for c in codes if c.id not in seen)
        raise QdaError(f"koden {loop!r}: dess föräldrar bildar en slinga; rätta parent")
    return ordered


def _codebook_element(
    parent: ET.Element, ordered: list[tuple[QdaCode, int]], guids: dict[str, str]
) -> None:
    codes_el = ET.SubElement(parent, "Codes")
    stack: list[ET.Element] = [codes_el]
    for code, depth in ordered:
        del stack[depth + 1 :]
        el = ET.SubElement(stack[depth], "Code", guid=guids[code.id], name=code.name)
        el.set("isCodable", "true")
        if code.color:
            el.set("color", code.color)
        if code.description:
            ET.SubElement(el, "Description").text = code.description
        stack.append(el)


def export_codebook(
    path: str | os.PathLike[str],
    codes: list[QdaCode],
    *,
    project_name: str | None = None,
    origin: str = "analysis",
) -> Path:
    """Write *codes* as a REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

    Parameters
    ----------
    path : path-like
        The ``.qdc`` file to write (atomically; parent folders are created).
    codes : list of QdaCode
        The codes; ``parent`` links become nested ``Code`` elements.
    project_name : str, optional
        Give the same name as to :func:`export_project` and the codes get the same GUIDs as in
        that project. By default the GUIDs depend on the code ids alone.
    origin : str
        Written to the ``origin`` attribute.

    Returns
    -------
    pathlib.Path
        *path*.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from analysis.text.qda import validate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> out = export_codebook(Path(tmp.name) / "teman.qdc",
    ...                       [QdaCode("infra", "Infrastruktur", "Vägar, tåg, el")])
    >>> validate(out)
    []
    >>> b'name="Infrastruktur"' in out.read_bytes()
    True
    >>> tmp.cleanup()
    """
    target = _check_target(path, ".qdc")
    codes = list(codes) if isinstance(codes, list | tuple) else codes
    ordered = _check_codes(codes)
    if not ordered:
        raise QdaError("en kodbok behöver minst en kod")
    _xml_safe(origin, "origin")
    ns = _project_namespace(project_name or "")
    guids = {c.id: _guid(ns, "code", c.id) for c in codes}
    root = _root("CodeBook", CODEBOOK_NS, origin=origin)
    _codebook_element(root, ordered, guids)
    _atomic_write(target, _serialise(root))
    return target


# ------------------------------------------------------------------------------------- export


def _require_columns(frame: Any, required: list[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise QdaError(f"{what} måste vara en pandas DataFrame")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise QdaError(f"{what} saknar kolumnerna {', '.join(missing)}")


def _variable_type(series: pd.Series) -> str:
    values = series.dropna()
    if pd.api.types.is_bool_dtype(series.dtype) or (
        len(values) and all(isinstance(v, bool) for v in values)
    ):
        return "Boolean"
    if pd.api.types.is_integer_dtype(series.dtype):
        return "Integer"
    if pd.api.types.is_float_dtype(series.dtype):
        return "Float"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "DateTime"
    return "Text"


def _variable_value(value: Any, kind: str, what: str) -> str:
    if kind == "Boolean":
        return "true" if bool(value) else "false"
    if kind == "Integer":
        return str(int(value))
    if kind == "Float":
        number = float(value)
        if not math.isfinite(number):
            raise QdaError(f"{what}: {number} kan inte skrivas som xsd:decimal; ta bort värdet")
        return format(Decimal(repr(number)), "f")
    if kind == "DateTime":
        stamp = pd.Timestamp(value)
        text = stamp.isoformat()
        return text.replace("+00:00", "Z") if stamp.tzinfo is not None else text
    return _xml_safe(str(value), what)


def _answer_frame(answers: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """A copy of *answers* (fresh index) and each answer's source name (its id as text)."""
    _require_columns(answers, ["answer_id", "text"], "answers")
    frame = answers.reset_index(drop=True).copy()
    names = pd.Series(
        [None if _is_missing(v) else _id_str(v) for v in frame["answer_id"]],
        index=frame.index,
        dtype=object,
    )
    missing = names.index[names.isna()]
    if len(missing):
        raise QdaError(f"answers: rad {missing[0]} saknar answer_id")
    dupes = names[names.duplicated()]
    if len(dupes):
        raise QdaError(f"answers: answer_id {dupes.iloc[0]!r} förekommer mer än en gång")
    for name, text in zip(names, frame["text"], strict=True):
        if not isinstance(text, str):
            raise QdaError(
                f"svaret {name!r} saknar text (värde {text!r}); ta bort obesvarade rader före "
                "exporten"
            )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise QdaError(
                f"svaret {name!r}: texten är inte giltig Unicode (ensamt surrogattecken vid "
                f"tecken {err.start})"
            ) from None
    return frame, names


def _coding_records(
    codings: pd.DataFrame,
    texts: dict[str, str],
    code_ids: set[str],
    machine_user: str,
) -> list[tuple[str, int, int, str, str]]:
    """``(answer name, start, end, coder, code_id)`` per coding, deduplicated and sorted."""
    _require_columns(codings, ["answer_id", "code_id", "coder"], "codings")
    has_span = "start" in codings.columns or "end" in codings.columns
    if has_span and not ("start" in codings.columns and "end" in codings.columns):
        raise QdaError("codings: ge både kolumnen start och end, eller ingen av dem")
    records: set[tuple[str, int, int, str, str]] = set()
    columns = ["answer_id", "code_id", "coder"] + (["start", "end"] if has_span else [])
    for row_no, row in enumerate(codings[columns].itertuples(index=False, name=None)):
        values = dict(zip(columns, row, strict=True))
        raw_id = values["answer_id"]
        name = None if _is_missing(raw_id) else _id_str(raw_id)
        if name not in texts:
            raise QdaError(
                f"codings: rad {row_no} pekar på answer_id {raw_id!r}, som saknas i answers"
            )
        code_id = values["code_id"]
        if _is_missing(code_id) or str(code_id) not in code_ids:
            raise QdaError(
                f"codings: rad {row_no} pekar på code_id {code_id!r}, som saknas i codes"
            )
        coder = values["coder"]
        coder = machine_user if _is_missing(coder) or str(coder).strip() == "" else str(coder)
        _xml_safe(coder, f"codings: rad {row_no}: kodarens namn")
        text = texts[name]
        start_raw = values.get("start") if has_span else None
        end_raw = values.get("end") if has_span else None
        if _is_missing(start_raw) and _is_missing(end_raw):
            start, end = 0, len(text)
        elif _is_missing(start_raw) or _is_missing(end_raw):
            raise QdaError(
                f"codings: rad {row_no} (svaret {name!r}) har bara en av start och end; ge båda, "
                "eller ingen för att koda hela svaret"
            )
        else:
            try:
                start_f, end_f = float(start_raw), float(end_raw)
            except (TypeError, ValueError):
                raise QdaError(
                    f"codings: rad {row_no} (svaret {name!r}): start/end {start_raw!r}/{end_raw!r} "
                    "är inte tal"
                ) from None
            if not (start_f.is_integer() and end_f.is_integer()):
                raise QdaError(
                    f"codings: rad {row_no} (svaret {name!r}): start/end måste vara heltal"
                )
            start, end = int(start_f), int(end_f)
        if not 0 <= start < end <= len(text):
            raise QdaError(
                f"codings: rad {row_no} (svaret {name!r}): intervallet {start}–{end} ligger inte "
                f"inom svarets {len(text)} tecken (0 <= start < end <= längd)"
            )
        records.add((name, start, end, coder, str(code_id)))
    return sorted(records)


def export_project(
    path: str | os.PathLike[str],
    *,
    project_name: str,
    codes: list[QdaCode],
    answers: pd.DataFrame,
    codings: pd.DataFrame,
    origin: str = "analysis",
    machine_user: str = "analysis-coder",
) -> Path:
    """Write a REFI-QDA project (``.qdpx``) with the answers, the codebook and the codings.

    Parameters
    ----------
    path : path-like
        The ``.qdpx`` file; written atomically (temporary file + ``os.replace``).
    project_name : str
        The project's name; it also seeds every GUID (``uuid5``), so the same inputs give the
        same bytes.
    codes : list of QdaCode
        The codebook (hierarchy through ``parent``).
    answers : pandas.DataFrame
        ``answer_id, text`` plus attribute columns. Each answer becomes a ``TextSource`` named by
        its ``answer_id`` with its text in ``Sources/<guid>.txt`` (UTF-8, exactly as given: no
        newline translation, no normalisation). A ``respondent`` column gives one ``Case`` per
        respondent with a ``SourceRef`` to each of its answers. Every other column becomes a
        ``Variable`` (``Text``, ``Integer``, ``Float``, ``Boolean`` or ``DateTime`` by dtype;
        missing values are left out): a case variable when it has one value per respondent,
        otherwise (and always for ``question``) a variable of each source.
    codings : pandas.DataFrame
        ``answer_id, code_id, coder`` and optionally ``start, end`` (code-point offsets into the
        answer, end exclusive; missing → the whole answer). Each distinct (answer, span, coder)
        becomes one ``PlainTextSelection`` holding a ``Coding`` per code. A missing coder means
        the machine coder *machine_user*. Exact duplicate rows are written once.
    origin : str
        The ``origin`` attribute (the exporting program).
    machine_user : str
        Name of the ``User`` who creates the project and its sources and who owns codings
        without a coder.

    Returns
    -------
    pathlib.Path
        *path*.

    Raises
    ------
    QdaError
        (a ``ValueError``) for inconsistent inputs: unknown ids, spans outside an answer,
        duplicate ids, characters XML cannot hold, a wrong file extension.

    Notes
    -----
    Dates are ``SOURCE_DATE_EPOCH`` when set, else 1980-01-01T00:00:00Z, so two exports of the
    same inputs are byte-identical. Output order does not depend on the row order of *codings*.

    Examples
    --------
    >>> import tempfile, zipfile, pandas as pd
    >>> answers = pd.DataFrame({"answer_id": [1], "text": ["Mer tåg 🚆"]})
    >>> codings = pd.DataFrame({"answer_id": [1], "code_id": ["t"], "coder": ["anna"],
    ...                         "start": [4], "end": [7]})
    >>> tmp = tempfile.TemporaryDirectory()
    >>> out = export_project(Path(tmp.name) / "p.qdpx", project_name="demo",
    ...                      codes=[QdaCode("t", "Tåg")], answers=answers, codings=codings)
    >>> [n.split("/")[0] for n in zipfile.ZipFile(out).namelist()]
    ['project.qde', 'Sources']
    >>> tmp.cleanup()
    """
    target = _check_target(path, ".qdpx")
    if not isinstance(project_name, str) or not project_name.strip():
        raise QdaError("project_name måste vara en icke-tom sträng")
    for value, what in ((project_name, "project_name"), (origin, "origin")):
        _xml_safe(value, what)
    if not isinstance(machine_user, str) or not machine_user.strip():
        raise QdaError("machine_user måste vara en icke-tom sträng")
    _xml_safe(machine_user, "machine_user")
    codes = list(codes) if isinstance(codes, list | tuple) else codes
    ordered = _check_codes(codes)
    frame, names = _answer_frame(answers)
    texts = dict(zip(names, frame["text"], strict=True))
    records = _coding_records(codings, texts, {c.id for c in codes}, machine_user)

    when = _export_time()
    stamp = _iso(when)
    ns = _project_namespace(project_name)
    user_names = [machine_user, *sorted({r[3] for r in records} - {machine_user})]
    users = {name: _guid(ns, "user", name) for name in user_names}
    code_guids = {c.id: _guid(ns, "code", c.id) for c in codes}
    code_rank = {c.id: i for i, (c, _) in enumerate(ordered)}
    machine = users[machine_user]

    root = _root(
        "Project",
        PROJECT_NS,
        name=project_name,
        origin=origin,
        creatingUserGUID=machine,
        creationDateTime=stamp,
        modifyingUserGUID=machine,
        modifiedDateTime=stamp,
    )
    users_el = ET.SubElement(root, "Users")
    for name in user_names:
        ET.SubElement(users_el, "User", guid=users[name], name=name)
    if ordered:
        _codebook_element(ET.SubElement(root, "CodeBook"), ordered, code_guids)

    # Variables and cases
    attr_cols = [c for c in frame.columns if c not in ("answer_id", "text")]
    has_cases = RESPONDENT_COLUMN in attr_cols
    respondents = frame[RESPONDENT_COLUMN] if has_cases else None
    if has_cases:
        attr_cols.remove(RESPONDENT_COLUMN)
    case_vars: list[str] = []
    source_vars: list[str] = []
    for col in attr_cols:
        if not isinstance(col, str) or not col:
            raise QdaError(f"answers: kolumnnamnet {col!r} måste vara en icke-tom sträng")
        _xml_safe(col, f"answers: kolumnnamnet {col!r}")
        per_case = (
            has_cases
            and col not in SOURCE_LEVEL_COLUMNS
            and not respondents.isna().any()
            and bool(
                (frame.groupby(respondents.map(_id_str))[col].nunique(dropna=False) <= 1).all()
            )
        )
        (case_vars if per_case else source_vars).append(col)
    var_types = {col: _variable_type(frame[col]) for col in attr_cols}
    var_guids = {col: _guid(ns, "variable", col) for col in attr_cols}
    if attr_cols:
        variables_el = ET.SubElement(root, "Variables")
        for col in case_vars + source_vars:
            ET.SubElement(
                variables_el,
                "Variable",
                guid=var_guids[col],
                name=col,
                typeOfVariable=var_types[col],
            )

    source_guids = {name: _guid(ns, "source", name) for name in names}

    def add_value(parent: ET.Element, col: str, value: Any, owner: str) -> None:
        if _is_missing(value):
            return
        vv = ET.SubElement(parent, "VariableValue")
        ET.SubElement(vv, "VariableRef", targetGUID=var_guids[col])
        kind = var_types[col]
        ET.SubElement(vv, _VALUE_TAGS[kind]).text = _variable_value(
            value, kind, f"{owner}, kolumnen {col!r}"
        )

    if has_cases and respondents.notna().any():
        cases_el = ET.SubElement(root, "Cases")
        members: dict[str, list[int]] = {}
        for idx, resp in respondents.items():
            if not _is_missing(resp):
                members.setdefault(_id_str(resp), []).append(idx)
        for resp, rows in members.items():
            _xml_safe(resp, f"respondenten {resp!r}")
            case_el = ET.SubElement(cases_el, "Case", guid=_guid(ns, "case", resp), name=resp)
            first = frame.loc[rows[0]]
            for col in case_vars:
                add_value(case_el, col, first[col], f"respondenten {resp!r}")
            for idx in rows:
                ET.SubElement(case_el, "SourceRef", targetGUID=source_guids[names[idx]])

    by_answer: dict[str, dict[tuple[int, int, str], list[str]]] = {}
    for name, start, end, coder, code_id in records:
        by_answer.setdefault(name, {}).setdefault((start, end, coder), []).append(code_id)

    files: list[tuple[str, bytes]] = []
    if len(frame):
        sources_el = ET.SubElement(root, "Sources")
        for idx, name in names.items():
            _xml_safe(name, f"svars-id {name!r}")
            sguid = source_guids[name]
            text = frame.at[idx, "text"]
            source_el = ET.SubElement(
                sources_el,
                "TextSource",
                guid=sguid,
                name=name,
                plainTextPath=f"internal://{sguid}.txt",
                creatingUser=machine,
                creationDateTime=stamp,
            )
            for (start, end, coder), code_ids in sorted(by_answer.get(name, {}).items()):
                sel_el = ET.SubElement(
                    source_el,
                    "PlainTextSelection",
                    guid=_guid(ns, "selection", name, start, end, coder),
                    name=_snippet(text[start:end]),
                    startPosition=str(start),
                    endPosition=str(end),
                    creatingUser=users[coder],
                    creationDateTime=stamp,
                )
                for code_id in sorted(code_ids, key=code_rank.__getitem__):
                    coding_el = ET.SubElement(
                        sel_el,
                        "Coding",
                        guid=_guid(ns, "coding", name, start, end, coder, code_id),
                        creatingUser=users[coder],
                        creationDateTime=stamp,
                    )
                    ET.SubElement(coding_el, "CodeRef", targetGUID=code_guids[code_id])
            for col in source_vars:
                add_value(source_el, col, frame.at[idx, col], f"svaret {name!r}")
            files.append((f"Sources/{sguid}.txt", text.encode("utf-8")))

    if codes:
        note_guid = _guid(ns, "note", _ID_NOTE_NAME)
        notes_el = ET.SubElement(root, "Notes")
        note_el = ET.SubElement(
            notes_el,
            "Note",
            guid=note_guid,
            name=_ID_NOTE_NAME,
            creatingUser=machine,
            creationDateTime=stamp,
        )
        ET.SubElement(note_el, "Description").text = (
            "Maskinläsbar koppling från kodernas GUID till kod-id i programmet som exporterade "
            "projektet, och maskinkodarens GUID; den används när projektet importeras tillbaka. "
            "Låt den vara kvar."
        )
        payload = {
            "format": _ID_NOTE_FORMAT,
            "codes": {code_guids[c.id]: c.id for c in codes},
            "machine_user": machine,
        }
        ET.SubElement(note_el, "PlainTextContent").text = json.dumps(
            payload, ensure_ascii=True, sort_keys=True
        )
        ET.SubElement(root, "NoteRef", targetGUID=note_guid)

    buffer = io.BytesIO()
    zip_time = when.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w") as zf:
        for member, data in [("project.qde", _serialise(root)), *files]:
            info = zipfile.ZipInfo(member, date_time=zip_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # fixed, so the bytes do not depend on the OS
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data, compresslevel=6)
    _atomic_write(target, buffer.getvalue())
    return target
