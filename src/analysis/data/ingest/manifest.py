"""The manifest written beside the tables (:func:`build_manifest`) and its ``warnings``: what
was accepted but deserves a look, as counts and spreadsheet rows, never values
(:func:`build_warnings`), printed as Swedish lines by :func:`warning_lines`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.data.ingest.inputs import is_synthetic

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from analysis.data.ingest.model import Prepared
    from analysis.data.readers import RawTable


MAX_LISTED = 1000
"""At most this many spreadsheet rows (or cell references) are listed per warning in the
manifest; the counts are always complete."""


def _listed(values: list) -> list:
    return list(values[:MAX_LISTED])


def _group_ids(columns: list) -> Any:
    """One integer per row, equal exactly when the rows' codes in every column are equal."""
    import numpy as np
    import pandas as pd

    codes = pd.DataFrame(np.column_stack(columns))
    return codes.groupby(list(codes.columns), sort=False).ngroup().to_numpy()


def build_warnings(
    table: RawTable,
    frame: pd.DataFrame,
    errors: list[tuple[int, str]],
    free_text: set[str] = frozenset(),
) -> dict[str, Any]:
    """The manifest's ``warnings``: counts and spreadsheet rows (or cell references), never values.

    * ``duplicate_rows`` — kept rows whose answers to every question equal an earlier row's
      (``groups``: the first row, then its copies); kept in the data;
    * ``bidi_controls`` — cells from which bidirectional control characters were removed;
    * ``nul_characters`` — cells from which NUL characters were removed;
    * ``spreadsheet_errors`` — answer cells holding a spreadsheet error value (``codes``:
      count per error), treated as missing;
    * ``merged_cells`` — merged ranges below the header that were unmerged (every cell got the
      range's value);
    * ``cells_outside_table`` — filled cells far outside the table, ignored.
    """
    import numpy as np
    import pandas as pd

    from analysis.data.validation import ID_COLUMN, factorize

    qids = [c for c in frame.columns if c != ID_COLUMN]
    groups: list[list[int]] = []
    count = 0
    if len(frame) > 1 and qids:
        # closed answers first; the free text of the (few) rows that agree on those after
        short = [c for c in qids if c not in free_text] or qids
        ids = _group_ids([factorize(frame[c], codes_only=True)[0] for c in short])
        rows = np.asarray(frame.index, dtype=np.int64)
        candidates = np.flatnonzero(pd.Series(ids).duplicated(keep=False).to_numpy())
        texts = [c for c in qids if c not in short]
        if len(candidates) and texts:
            sub = frame.iloc[candidates]
            ids = _group_ids(
                [ids[candidates]] + [factorize(sub[c], codes_only=True)[0] for c in texts]
            )
            rows = rows[candidates]
        dup = pd.Series(ids).duplicated(keep="first").to_numpy()
        count = int(dup.sum())
        if count:
            members: dict[int, list[int]] = {}
            for pos in np.flatnonzero(np.isin(ids, np.unique(ids[dup]))):
                members.setdefault(int(ids[pos]), []).append(int(rows[pos]))
            listed = 0
            for group in members.values():
                if listed >= MAX_LISTED:
                    break
                groups.append(group)
                listed += len(group)
    f = table.findings

    def cells(kind: str) -> dict[str, Any]:
        from analysis.data.labels import safe_header

        hits = f.get(kind, [])
        headers = list(getattr(table, "headers", []) or [])
        columns = sorted(
            {
                safe_header(headers[c]) if 0 <= c < len(headers) else f"kolumn {c + 1}"
                for _, c in hits
            }
        )
        return {
            "cells": len(hits),
            "rows": _listed(sorted({r for r, _ in hits})),
            "columns": _listed(columns),
        }

    codes_count: dict[str, int] = {}
    for _, code in errors:
        codes_count[code] = codes_count.get(code, 0) + 1
    merged = f.get("merged", [])
    outside = f.get("outside", [])
    return {
        "duplicate_rows": {"count": count, "groups": groups},
        "bidi_controls": cells("bidi"),
        "nul_characters": cells("nul"),
        "spreadsheet_errors": {
            "cells": len(errors),
            "codes": dict(sorted(codes_count.items())),
            "rows": _listed(sorted({r for r, _ in errors})),
        },
        "merged_cells": {
            "ranges": _listed([m["range"] for m in merged]),
            "cells": sum(m["cells"] for m in merged),
            "rows": _listed(f.get("merged_rows", [])),
        },
        "cells_outside_table": {"cells": len(outside), "refs": _listed(outside)},
    }


def _shown_rows(rows: list[int], total: int | None = None, limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    more = (total if total is not None else len(rows)) - min(limit, len(rows))
    return f"rad {shown}" + (f" … (+{more})" if more > 0 else "")


def warning_lines(manifest: dict[str, Any]) -> list[str]:
    """One Swedish line per kind of warning in *manifest* (for the ingest summary).

    >>> w = {"duplicate_rows": {"count": 1, "groups": [[3, 9]]},
    ...      "spreadsheet_errors": {"cells": 2, "codes": {"#N/A": 2}, "rows": [4, 6]}}
    >>> for line in warning_lines({"warnings": w}): print(line)
    Varning: 1 rad har exakt samma svar som en tidigare rad (rad 9 som rad 3) – kontrollera om någon har svarat två gånger; raderna finns kvar i data.
    Varning: 2 celler med felvärden från kalkylprogrammet (#N/A: 2) räknades som obesvarade (rad 4, 6).
    """
    w = manifest.get("warnings") or {}
    lines = []
    dup = w.get("duplicate_rows") or {}
    if dup.get("count"):
        pairs = [f"{', '.join(map(str, g[1:]))} som rad {g[0]}" for g in dup["groups"][:5]]
        n = dup["count"]
        lines.append(
            f"Varning: {n} {'rad har' if n == 1 else 'rader har'} exakt samma svar som en "
            f"tidigare rad (rad {'; rad '.join(pairs)}{' …' if len(dup['groups']) > 5 else ''}) "
            "– kontrollera om någon har svarat två gånger; raderna finns kvar i data."
        )
    bidi = w.get("bidi_controls") or {}
    if bidi.get("cells"):
        lines.append(
            f"Varning: styrtecken för textriktning (t.ex. U+202E) togs bort ur {bidi['cells']} "
            f"cell(er) ({_shown_rows(bidi['rows'])}{_shown_columns(bidi)}) – de kan få texten att visas i en annan "
            "ordning än den är lagrad."
        )
    nul = w.get("nul_characters") or {}
    if nul.get("cells"):
        lines.append(
            f"Varning: NUL-tecken togs bort ur {nul['cells']} cell(er) "
            f"({_shown_rows(nul['rows'])}{_shown_columns(nul)}) – kontrollera att exportfilen inte är skadad."
        )
    err = w.get("spreadsheet_errors") or {}
    if err.get("cells"):
        codes = ", ".join(f"{k}: {v}" for k, v in err["codes"].items())
        n = err["cells"]
        lines.append(
            f"Varning: {n} {'cell' if n == 1 else 'celler'} med felvärden från kalkylprogrammet "
            f"({codes}) räknades som obesvarade ({_shown_rows(err['rows'])})."
        )
    merged = w.get("merged_cells") or {}
    if merged.get("cells"):
        ranges = ", ".join(merged["ranges"][:5]) + (" …" if len(merged["ranges"]) > 5 else "")
        lines.append(
            f"Varning: sammanslagna celler ({ranges}) delades upp – områdets värde gavs till "
            f"{merged['cells']} cell(er) till ({_shown_rows(merged['rows'])}); kontrollera att "
            "det stämmer."
        )
    outside = w.get("cells_outside_table") or {}
    if outside.get("cells"):
        refs = ", ".join(outside["refs"][:10]) + (" …" if outside["cells"] > 10 else "")
        lines.append(
            f"Varning: {outside['cells']} ifylld(a) cell(er) långt utanför tabellen ignorerades "
            f"({refs})."
        )
    return lines


def build_manifest(prepared: Prepared, rows_out: int, masked: dict[str, int]) -> dict[str, Any]:
    """The manifest (deterministic: no wall-clock time, no absolute paths)."""
    from analysis import __version__
    from analysis.data.readers import FORMATS

    t = prepared.table
    m = prepared.match
    dropped = [
        t.headers[j]
        for j in sorted([*m.pii_columns, *([m.id_column] if m.id_column is not None else [])])
    ]
    excluded = sum(prepared.excluded.values())
    return {
        "survey": prepared.codebook.survey,
        "source_file": t.path.name,
        "source_sha256": t.sha256,
        "source_size": t.size,
        "source_format": t.format,
        "codebook_sha256": prepared.codebook.sha256,
        "codebook_version": prepared.codebook.version,
        "rows_in": prepared.rows_in,
        "rows_out": rows_out,
        "rows_excluded": excluded,
        "dropped_columns": dropped,
        "masked_counts": dict(masked),
        "package_version": __version__,
        "synthetic": is_synthetic(prepared.codebook, t.path),
        # additions beyond the minimal contract
        "source_format_label": FORMATS.get(t.format, t.format),
        "source_encoding": t.encoding,
        "source_delimiter": t.delimiter,
        "excluded_reasons": dict(sorted(prepared.excluded.items())),
        "metadata_columns": [t.headers[j] for j in m.metadata_columns],
        "ignored_columns": [t.headers[j] for j in m.ignored_columns],
        "question_columns": {qid: t.headers[j] for qid, j in m.questions.items()},
        "warnings": prepared.warnings,
    }


def _shown_columns(entry: dict) -> str:
    """ ", kolumn 'A', 'B'" for a warning line (empty when no column is recorded)."""
    cols = entry.get("columns") or []
    if not cols:
        return ""
    shown = ", ".join(repr(str(c)) for c in cols[:3]) + (" …" if len(cols) > 3 else "")
    return f", kolumn {shown}"
