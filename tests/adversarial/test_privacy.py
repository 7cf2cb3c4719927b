"""Classes 1–4: personal data must never reach data/processed/, manifest.json or a report."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from adv_support import (
    MUNI_DEMO,
    PARTNER_DEMO,
    assert_clear_error,
    col,
    find_leaks,
    html_views,
    processed_texts,
    realistic_muni,
    realistic_partner,
    report_texts,
    write_csv,
    write_xlsx,
)

# --------------------------------------------------------------------------------------------
# class 1 — PII inside free text
# --------------------------------------------------------------------------------------------
# (row, column, text, label, needles): contact data that must be masked at ingest
CONTACT_PII = [
    (
        0,
        "q15",
        "Mitt personnummer är 1991-02-28-3216 om ni behöver stämma av fakturan.",
        "personnummer with dashed date",
        ["1991-02-28-3216", "199102283216", "9102283216"],
    ),
    (
        1,
        "q15",
        "Nås enklast på 46701112233 dagtid.",
        "phone 467… without plus",
        ["46701112233", "701112233"],
    ),
    (
        2,
        "q15",
        "Skicka underlag till lisa.lind @ example.org så tar vi det vidare.",
        "e-mail with spaces around @",
        ["lisa.lind"],
    ),
    (
        3,
        "q15",
        "Kontakta anna punkt svensson at umea punkt se för mer information.",
        "spoken e-mail (punkt/at)",
        ["anna punkt svensson", "svensson at umea"],
    ),
    (
        4,
        "q15",
        "Mejla gärna per.holm%40vindeln.se om uppföljningen.",
        "url-encoded e-mail %40",
        ["per.holm"],
    ),
    (5, "q15", "Kontakt: erik.nord＠skelleftea.se", "full-width ＠ e-mail", ["erik.nord"]),
    (
        6,
        "q15",
        "Ring mig på 070-123\u200b45 67 efter lunch.",
        "phone with zero-width space",
        ["0701234567"],
    ),
    (
        7,
        "q9",
        " Ring gärna vår samordnare på 090\u2011785\u00a012\u00a034.",
        "phone with non-breaking hyphen/spaces",
        ["0907851234"],
    ),
    (
        8,
        "q15",
        "Vår handläggare heter Maja, maja.ek(at)lycksele.se.",
        "e-mail with (at)",
        ["maja.ek"],
    ),
    (
        9,
        "q15",
        "Mitt pnr: 19850709 - 9805, skriv in det på blanketten.",
        "personnummer with spaced dash",
        ["198507099805", "8507099805"],
    ),
    # fresh variants (found later in this session)
    (
        10,
        "q9",
        " Handläggarens pnr 760801/2386 står i ärendet.",
        "personnummer with slash (README promises slashes)",
        ["7608012386"],
    ),
    (
        11,
        "q9",
        " Mitt pnr är 64 05 12-41 96 om ni behöver det.",
        "personnummer in spaced groups",
        ["6405124196"],
    ),
    (
        12,
        "q11",
        " Mobil: 0 7 3 – 8 8 8 4 4 5 5",
        "phone with a space between every digit",
        ["0738884455"],
    ),
    (
        13,
        "q11",
        " Skriv till maja.lind(a)example.org.",
        "e-mail with (a)",
        ["maja.lind"],
    ),
    # fresh variants that the README explicitly promises (should already pass)
    (
        10,
        "q15",
        "Samordningsnummer 910288-3213 ska stå på avtalet.",
        "samordningsnummer",
        ["9102883213"],
    ),
    (
        11,
        "q15",
        "Vår gamla kontaktperson har nummer 121212+1212 i systemet.",
        "personnummer 100+ (plus)",
        ["1212121212"],
    ),
    (
        12,
        "q15",
        "Skriv till karin.berg[at]norsjo.se eller ring +46 (0)70-765 43 21.",
        "[at] e-mail / +46 (0) phone",
        ["karin.berg", "707654321"],
    ),
]

# third-party people named in free text: masked in the PUBLIC report's quotes
THIRD_PARTY = [
    (
        7,
        "q15",
        "Vi har haft mycket bra kontakt med Sigbritt Ohlsson på regionen.",
        "third party 'Sigbritt Ohlsson på regionen'",
        ["Sigbritt", "Ohlsson"],
    ),
    (
        8,
        "q11",
        " Det var anna lindqvist som drev projektet framåt.",
        "lower-case third party",
        ["lindqvist"],
    ),
    (
        9,
        "q11",
        " Kontaktperson hos er: Ohlsson, Sigbritt",
        "surname-first third party",
        ["Ohlsson, Sigbritt", "Sigbritt"],
    ),
    (
        13,
        "q15",
        "Hör av dig till Gunnel Marklund, hon vet allt om projektet.",
        "third party with comma after name",
        ["Gunnel", "Marklund"],
    ),
]


def _place(header, rows, items):
    cols = {
        "q9": col(header, "Beskriv gärna", 0),
        "q11": col(header, "Beskriv gärna", 1),
        "q15": col(header, "Är det något ytterligare"),
    }
    for r, q, text, *_ in items:
        c = cols[q]
        before = rows[r][c]
        # q9/q11 snippets starting with a space are appended to an existing answer
        rows[r][c] = (before or "Samarbetet fungerar.") + text if text.startswith(" ") else text


@pytest.mark.slow
def test_c01_pii_in_free_text_is_masked_in_processed_data_and_reports(project):
    header, rows = realistic_partner()
    _place(header, rows, CONTACT_PII + THIRD_PARTY)
    write_xlsx(project.raw / "partner_2021" / "partner_2021_export.xlsx", header, rows)

    project.must("ingest", "partner_2021")
    project.must("run", "partner_2021", "--force")  # public version: quotes every free-text answer

    contact = {label: needles for *_, label, needles in CONTACT_PII}
    third = {label: needles for *_, label, needles in THIRD_PARTY}
    leaks = find_leaks(processed_texts(project), contact)
    leaks += find_leaks(report_texts(project), contact)
    leaks += find_leaks(report_texts(project, public_only=True), third)
    assert not leaks, f"{len(leaks)} leak(s):\n" + "\n".join(leaks)


# --------------------------------------------------------------------------------------------
# class 2 — a personal-data column with a "(frivilligt)" header, own name in own answers
# --------------------------------------------------------------------------------------------
def test_c02_optional_name_and_email_columns_are_dropped_and_own_name_masked(project):
    header, rows = realistic_muni()
    own = ["Britt-Marie Ekström", "Göran Palmqvist", "Kerstin Vikberg", "Ola Rönnqvist"]
    header = [header[0], "E-postadress (valfritt)", "Ditt namn (frivilligt)", *header[2:]]
    rows = [[r[0], r[1], own[i] if i < len(own) else "", *r[2:]] for i, r in enumerate(rows)]
    # column 3 = Q1 (municipality), 4.. = free text
    rows[0][4] += " /Britt-Marie Ekström, kommundirektör"
    rows[1][5] = "Som göran palmqvist skrev i remissvaret: " + rows[1][5]
    rows[2][6] += " Frågor besvaras av Kerstin Vikberg."
    write_csv(project.raw / "municipality_2023" / "kommunenkat_svar_2023.csv", header, rows)

    res = project.ingest("municipality_2023")
    assert res.returncode == 0, res.describe()
    manifest = project.manifest("municipality_2023")
    dropped = manifest.get("dropped_columns", [])
    problems = []
    for h in ("Ditt namn (frivilligt)", "E-postadress (valfritt)"):
        if h not in dropped:
            problems.append(f"{h!r} not in dropped_columns {dropped} (manifest: {manifest})")
    leaks = find_leaks(
        processed_texts(project),
        {
            "own name": ["Ekström", "Palmqvist", "Vikberg", "Rönnqvist"],
            "own e-mail": ["@vindeln.se"],
        },
    )
    if manifest.get("masked_counts", {}).get("name", 0) < 3:
        problems.append(f"masked_counts.name = {manifest.get('masked_counts')} (expected ≥ 3)")
    assert not problems + leaks, "\n".join(problems + leaks) + "\n" + res.describe()


# --------------------------------------------------------------------------------------------
# class 3 — e-mail addresses / user names in headers, file names and paths
# --------------------------------------------------------------------------------------------
def test_c03_email_in_unknown_column_header_not_in_manifest(project):
    header, rows = realistic_partner()
    header = [*header, "Frågor om enkäten? Kontakta enkätansvarig lisa.lind@regionvasterbotten.se"]
    rows = [[*r, "Nej"] for r in rows]
    write_xlsx(project.raw / "partner_2021" / "partner_2021_export.xlsx", header, rows)
    res = project.ingest("partner_2021")
    assert res.returncode in (0, 2), res.describe()
    if res.returncode == 2:  # refusing the file is fine, if the line does not print the address
        assert_clear_error(res)
        assert "lisa.lind" not in res.stderr
        return
    leaks = find_leaks(processed_texts(project), {"e-mail in header": ["lisa.lind"]})
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize(
    ("file_name", "needle"),
    [
        ("svar_anna.svensson@umea.se.xlsx", "anna.svensson"),
        ("svar_lisa.lind(at)umea.se.xlsx", "lisa.lind"),
        ("enkat_910228-3216.xlsx", "9102283216"),
        ("svar från 070-111 22 33.xlsx", "0701112233"),
    ],
)
def test_c03_contact_data_in_export_file_name_not_in_manifest(project, file_name, needle):
    header, rows = realistic_partner()
    write_xlsx(project.raw / "partner_2021" / file_name, header, rows)
    res = project.ingest("partner_2021")
    if res.returncode == 2:
        assert_clear_error(res)
        return
    assert res.returncode == 0, res.describe()
    leaks = find_leaks(processed_texts(project), {"file name": [needle]})
    assert not leaks, "\n".join(leaks)


@pytest.mark.slow
def test_c03_email_in_file_name_and_user_name_in_input_path_not_published(project, tmp_path):
    header, rows = realistic_partner()
    export = project.raw / "partner_2021" / "svar_anna.svensson@umea.se.xlsx"
    write_xlsx(export, header, rows)
    # processed data kept in the analyst's home folder, passed as an absolute -p input
    home = tmp_path / "home" / "karin.lund" / "enkater" / "partner_2021"
    project.must("ingest", "partner_2021", "--output", str(home))
    project.must("ingest", "partner_2021")
    project.must("run", "overview_partner_2021", "--force", "-p", "input", str(home))

    leaks = find_leaks(
        processed_texts(project) | {"manifest in home": (home / "manifest.json").read_text()},
        {"e-mail in file name": ["anna.svensson@umea.se", "anna.svensson"]},
    )
    html = {
        p: t for p, t in report_texts(project).items() if p.endswith(".html")
    }  # footer + index.html
    leaks += find_leaks(
        html,
        {
            "e-mail in file name": ["anna.svensson@umea.se", "anna.svensson"],
            "user name in -p input path": ["karin.lund"],
        },
    )
    assert not leaks, "\n".join(leaks)


# --------------------------------------------------------------------------------------------
# class 4 — demo file names
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("survey", ["partner_2021", "municipality_2023"])
def test_c04_demo_never_overwrites_a_file_it_did_not_write(project, survey):
    if survey == "partner_2021":
        header, rows = realistic_partner()
        rows[0][col(header, "Är det något ytterligare")] = (
            "Ett riktigt svar som inte får gå förlorat."
        )
        target = write_xlsx(project.raw / survey / PARTNER_DEMO, header, rows)
    else:
        header, rows = realistic_muni()
        rows[0][5] = "Ett riktigt svar som inte får gå förlorat."
        target = write_csv(project.raw / survey / MUNI_DEMO, header, rows)
    before = target.read_bytes()
    res = project.run("demo", survey)
    after = target.read_bytes()
    assert after == before, (
        f"`analysis demo {survey}` overwrote {target.name}, which it did not write "
        f"(sha256 {hashlib.sha256(before).hexdigest()[:12]} -> "
        f"{hashlib.sha256(after).hexdigest()[:12]})\n" + res.describe()
    )
    assert_clear_error(res, 2, mentions=(target.name,))


@pytest.mark.slow
def test_c04_real_export_named_like_the_demo_is_not_labelled_synthetic(project):
    header, rows = realistic_partner()
    rows = rows[:11]  # a real export: other respondents, other size
    write_xlsx(project.raw / "partner_2021" / PARTNER_DEMO, header, rows)
    res = project.ingest("partner_2021")
    if res.returncode == 2:  # refusing to guess is acceptable
        assert_clear_error(res)
        return
    assert res.returncode == 0, res.describe()
    manifest = project.manifest("partner_2021")
    assert manifest["synthetic"] is False, (
        "real data labelled synthetic because of its file name: "
        + json.dumps({k: manifest[k] for k in ("source_file", "source_sha256", "synthetic")})
        + "\n"
        + res.describe()
    )
    project.must("run", "overview_partner_2021", "--force")
    text = html_views((project.reports / "overview_partner_2021.html").read_text("utf-8"))
    assert not re.search(r"Demodata|syntetiska", text), "report carries the demo banner"
