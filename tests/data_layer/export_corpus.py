"""Fixture corpus of survey exports (valid edge cases and malformed files), built from the real
codebooks. ``build_corpus(folder)`` writes every file and returns ``{name: Case}``.

Run as a script to (re)write the corpus into a folder for manual inspection::

    python tests/data_layer/export_corpus.py /tmp/corpus
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"

MUNICIPALITIES = [
    "Nordmaling", "Bjurholm", "Vindelns kommun", "Robertsfors", "Norsjö", "Malå kommun",
    "Storuman", "sorsele", "Dorotea", "Vännäs", "Vilhelmina", "Åsele", "Umeå kommun",
    "Lycksele", "Skellefteå kommun",
]  # fmt: skip


@dataclass
class Case:
    survey: str
    path: Path
    ok: bool
    kind: str | None = None  # expected problem kind
    row: int | None = None  # expected spreadsheet row of (one of) the problems
    column: str | None = None  # expected column (header as written), or a substring of it
    value: str | None = None


def questions(survey: str) -> list[dict]:
    with open(RAW / survey / "codebook.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["questions"]


def full_header(q: dict, numbered: bool = False) -> str:
    parts = [q["text"]]
    if q.get("examples"):
        parts.append(q["examples"])
    if q.get("link"):
        parts.append(q["link"])
    text = " ".join(parts)
    return f"{q['number']}. {text}" if numbered else text


def muni_rows(n: int = 15) -> list[list[str]]:
    qs = questions("municipality_2023")
    rows = []
    for i in range(n):
        row = [MUNICIPALITIES[i]]
        for q in qs[1:]:
            row.append(
                f"Svar {i + 1} på fråga {q['number']}: samverkan fungerar, men kan förbättras."
            )
        rows.append(row)
    return rows


def muni_headers(numbered: bool = False, full: bool = True) -> list[str]:
    return [full_header(q, numbered) if full else q["text"] for q in questions("municipality_2023")]


def write_csv(path: Path, header: list[str], rows: list[list], delimiter=",", encoding="utf-8"):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def google(path: Path, header: list[str], rows: list[list], **kw):
    """Google Forms shape: Tidstämpel, E-postadress, then the questions."""
    meta = ["Tidstämpel", "E-postadress"]
    body = [
        [f"2023/05/{i + 1:02d} 10:00:00", f"person{i}@example.org", *r] for i, r in enumerate(rows)
    ]
    write_csv(path, meta + header, body, **kw)


def write_xlsx(path: Path, sheets: list[tuple[str, list[list]]]):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)


def msforms_rows(header: list[str], rows: list[list], ids=None) -> list[list]:
    import datetime as dt

    meta = ["ID", "Start time", "Completion time", "Email", "Name"]
    out = [meta + header]
    for i, r in enumerate(rows):
        rid = ids[i] if ids else i + 1
        t = dt.datetime(2023, 5, 1, 9, 0) + dt.timedelta(hours=i)
        out.append(
            [rid, t, t + dt.timedelta(minutes=7), f"fake{i}@example.org", f"Test Testsson {i}", *r]
        )
    return out


def partner_rows() -> tuple[list[str], list[list]]:
    qs = questions("partner_2021")
    header = [q["text"] for q in qs]
    rows = []
    for i in range(6):
        row = []
        for q in qs:
            if q["type"] in ("single", "likert", "org_type"):
                opts = q["options"]
                row.append(opts[i % len(opts)]["label"])
            elif q["type"] == "multi":
                opts = q["options"]
                row.append(";".join(o["label"] for o in opts[i % 3 : i % 3 + 2]) + ";")
            else:
                row.append(f"Fritext {i}" if i % 2 else None)
        rows.append(row)
    return header, rows


def col(survey: str, qid: str) -> dict:
    return next(q for q in questions(survey) if q["id"] == qid)


def build_corpus(folder: Path) -> dict[str, Case]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cases: dict[str, Case] = {}
    M, P = "municipality_2023", "partner_2021"

    def add(name, survey, ok, **kw):
        cases[name] = Case(survey, folder / name, ok, **kw)
        return folder / name

    H = muni_headers()
    # ---------------------------------------------------------------- valid edge cases
    google(add("muni_google_utf8.csv", M, True), H, muni_rows())
    write_csv(add("muni_excel_bom.csv", M, True), H, muni_rows(), ";", "utf-8-sig")
    write_csv(add("muni_excel_cp1252.csv", M, True), H, muni_rows(), ";", "cp1252")
    nbsp = ["\u00a0" + h.replace(" ", "\u00a0", 3) + " \u00a0" for h in muni_headers(numbered=True)]
    google(add("muni_nbsp_headers.csv", M, True), nbsp, muni_rows())
    rows = muni_rows()
    rows[0][3] = "Vi 💪 gillar samverkan 🚆🌲 – men mer behövs! 👍"
    google(add("muni_emoji.csv", M, True), H, rows)
    rows = muni_rows()
    rows[1][2] = "Mycket lång text. " * 4000
    google(add("muni_long_text.csv", M, True), H, rows)
    rows = muni_rows()
    rows[2][2], rows[2][3], rows[2][4], rows[2][5] = (
        "=SUM(A1:A9)",
        "+bra samarbete",
        "-mindre bra",
        "@chef",
    )
    google(add("muni_formula_cells.csv", M, True), H, rows)
    rows = muni_rows()
    rows[3][2] = "<script>alert('x')</script> & <b>fet</b>"
    google(add("muni_script.csv", M, True), H, rows)
    rows = muni_rows()
    rows[4][2] = (
        "Kontakta anna.exempel@example.org eller 070-123 45 67, pnr 850709-9805. År 2021-2023."
    )
    real = muni_headers(numbered=True)
    write_xlsx(
        add("muni_msforms_real_headers.xlsx", M, True), [("Sheet1", msforms_rows(real, rows))]
    )
    write_xlsx(
        add("muni_xlsx_extra_sheet.xlsx", M, True),
        [("Form1", msforms_rows(H, muni_rows())), ("Anteckningar", [["Något annat"], ["x"]])],
    )
    rows = [[*r, "intern kommentar"] for r in muni_rows()]
    google(add("muni_extra_column.csv", M, True), [*H, "Kommentar från handläggare"], rows)
    rows = muni_rows()
    rows.insert(5, [None] * len(H))
    write_csv(add("muni_blank_row.csv", M, True), H, rows, ";", "utf-8-sig")
    ph, prow = partner_rows()
    gprows = []
    for r in prow:
        r = list(r)
        for k, q in enumerate(questions(P)):
            if q["type"] == "multi" and r[k]:
                r[k] = ", ".join(x for x in r[k].split(";") if x)
        gprows.append(r)
    gprows[0][12] = (
        "Brist på kunskap om varandras verksamheter, roller och uppdrag, Fler intressenter i en process ökar komplexiteten"
    )
    google(add("partner_google_multi.csv", P, True), ph, gprows)
    write_xlsx(add("partner_msforms.xlsx", P, True), [("Sheet1", msforms_rows(ph, prow))])

    # ---------------------------------------------------------------- malformed
    add("empty.csv", M, False, kind="empty").write_bytes(b"")
    add("whitespace_only.csv", M, False, kind="empty").write_bytes(b"\r\n  \r\n")
    write_csv(add("header_only.csv", M, False, kind="header_only"), H, [])
    drop = [i for i, q in enumerate(questions(M)) if q["id"] == "q5"][0]
    write_csv(
        add(
            "missing_column.csv",
            M,
            False,
            kind="missing_column",
            row=1,
            column=col(M, "q5")["text"],
        ),
        [h for i, h in enumerate(H) if i != drop],
        [[c for i, c in enumerate(r) if i != drop] for r in muni_rows()],
    )
    renamed = list(H)
    renamed[6] = "Trafikverket?"
    google(
        add(
            "renamed_column.csv",
            M,
            False,
            kind="missing_column",
            row=1,
            column=col(M, "q7")["text"],
        ),
        renamed,
        muni_rows(),
    )
    rows = muni_rows()
    rows[14][0] = "umeå"
    google(
        add("duplicate_municipality.csv", M, False, kind="duplicate_municipality", row=16,
            column="Vilken kommun representerar du?", value="umeå"),
        H, rows,
    )  # fmt: skip
    rows = muni_rows()
    rows[6][0] = "Umeaa"
    google(
        add("unknown_municipality.csv", M, False, kind="unknown_municipality", row=8,
            column="Vilken kommun representerar du?", value="Umeaa"),
        H, rows,
    )  # fmt: skip
    rows = muni_rows()
    rows[3][0] = None
    write_csv(
        add("required_empty.csv", M, False, kind="required", row=5, column="Vilken kommun representerar du?"),
        H, rows, ";", "utf-8-sig",
    )  # fmt: skip
    good = folder / "muni_google_utf8.csv"
    mojibake = good.read_bytes().decode("utf-8").encode("utf-8").decode("cp1252", errors="replace")
    add("mojibake.csv", M, False, kind="encoding", row=1).write_bytes(mojibake.encode("utf-8"))
    rows = muni_rows()
    rows[2][1] = "Vi i UmeÃ¥ ser stora mÃ¶jligheter"
    google(add("mojibake_cell.csv", M, False, kind="encoding", row=4), H, rows)
    add("undecodable.csv", M, False, kind="encoding").write_bytes(
        "Vilken kommun representerar du?;Fråga\nUmeå;svar\n".encode("cp1252") + b"\x81\x8d\x90\n"
    )
    add("binary.csv", M, False, kind="unreadable").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    add("corrupt.xlsx", M, False, kind="unreadable").write_bytes(b"PK\x03\x04" + b"garbage" * 40)
    add("not_really.xlsx", M, False, kind="unreadable").write_bytes(b"a,b\n1,2\n")
    two = msforms_rows(H, muni_rows())
    two.insert(1, [None] * 5 + [f"{i + 1}. {h}" for i, h in enumerate(H)])
    write_xlsx(
        add("xlsx_two_header_rows.xlsx", M, False, kind="double_header", row=2), [("Sheet1", two)]
    )
    write_xlsx(
        add("xlsx_title_row.xlsx", M, False, kind="double_header", row=1),
        [("Sheet1", [["Enkät till kommunerna 2023"], *msforms_rows(H, muni_rows())])],
    )
    write_xlsx(
        add("xlsx_info_sheet_first.xlsx", M, False, kind="missing_column", row=1),
        [
            ("Info", [["Export från Forms"], ["Skapad 2023"]]),
            ("Svar", msforms_rows(H, muni_rows())),
        ],
    )
    rows = [list(r) for r in prow]
    rows[2][3] = "6"
    rows[4][4] = "Jättebra"
    write_xlsx(
        add("partner_likert_out_of_range.xlsx", P, False, kind="out_of_scale", row=4,
            column=col(P, "q4")["text"], value="6"),
        [("Sheet1", msforms_rows(ph, rows))],
    )  # fmt: skip
    rows = [list(r) for r in prow]
    rows[1][2] = "Digitalisering och nya lösningar;Rymdturism;"
    write_xlsx(
        add("partner_unknown_multi_part.xlsx", P, False, kind="unknown_option", row=3,
            column=col(P, "q3")["text"], value="Rymdturism"),
        [("Sheet1", msforms_rows(ph, rows))],
    )  # fmt: skip
    write_xlsx(
        add(
            "partner_duplicate_id.xlsx",
            P,
            False,
            kind="duplicate_id",
            row=6,
            column="ID",
            value="3",
        ),
        [("Sheet1", msforms_rows(ph, prow, ids=[1, 2, 3, 4, 3, 6]))],
    )
    rows = muni_rows()
    rows[1][0] = "Luleå"
    rows[9][0] = None
    rows[11][0] = "Skellefteå"
    google(
        add("multiple_problems.csv", M, False, kind="unknown_municipality", row=3,
            column="Vilken kommun representerar du?", value="Luleå"),
        H, rows,
    )  # fmt: skip
    return cases


def snapshot(folder: Path) -> dict[str, str]:
    """relative path → sha256 of every file below *folder*, following the versioned store's
    links (``current``, ``responses.parquet`` …); empty dict if it does not exist."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


if __name__ == "__main__":  # pragma: no cover
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    for name, case in build_corpus(out).items():
        print(f"{'ok ' if case.ok else 'BAD'} {name}")
