"""Classes 10, 15 (two commands at once) and 16 (pathological free text)."""

from __future__ import annotations

import hashlib
import re
import threading
import time

import pytest
from adv_support import (
    PARTNER_DEMO,
    Result,
    _kill_group,
    assert_clear_error,
    col,
    has_traceback,
    html_views,
    realistic_muni,
    realistic_partner,
    write_csv,
    write_xlsx,
)


def _communicate(proc, args, start, timeout=240) -> Result:
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except Exception:
        _kill_group(proc)
        out, err = proc.communicate()
        timed_out = True
    return Result(
        list(args),
        None if timed_out else proc.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        time.monotonic() - start,
        timed_out,
    )


# --------------------------------------------------------------------------------------------
# class 10 — two `analysis run` at once
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_c10_two_runs_at_once_both_end_well(project):
    project.must("ingest", "partner_2021")
    args = ("run", "overview_partner_2021", "--force")
    problems = []
    for round_ in range(3):
        start = time.monotonic()
        procs = [project.popen(*args) for _ in range(2)]
        results = [_communicate(p, args, start) for p in procs]
        for i, res in enumerate(results):
            text = res.stdout + res.stderr
            if res.returncode == 0 and not has_traceback(text) and "Error" not in text:
                continue
            if res.returncode == 2:
                try:
                    assert_clear_error(res, 2)
                    continue
                except AssertionError as exc:
                    problems.append(f"round {round_}, run {i}: {exc}")
                    continue
            problems.append(f"round {round_}, run {i}:\n{res.describe()}")
        html = project.reports / "overview_partner_2021.html"
        if not html.exists():
            problems.append(f"round {round_}: no report after both runs")
    assert not problems, "\n\n".join(problems)


# --------------------------------------------------------------------------------------------
# class 15 — a report built while ingest replaces the data
# --------------------------------------------------------------------------------------------
FOOTER = re.compile(r"Datafil\s+(\S+)\s+SHA-256 för datafilen\s+([0-9a-f]{64})")
COUNT = re.compile(r"(\d+) av 43 tillfrågade svarade")


@pytest.mark.slow
def test_c15_report_comes_from_one_dataset_version(project, tmp_path):
    header, rows = realistic_partner()
    real = write_xlsx(tmp_path / "exports" / "partner_2021_export.xlsx", header, rows[:12])
    demo = project.raw / "partner_2021" / PARTNER_DEMO
    versions = {
        hashlib.sha256(real.read_bytes()).hexdigest(): ("partner_2021_export.xlsx", False, 12),
        hashlib.sha256(demo.read_bytes()).hexdigest(): (PARTNER_DEMO, True, 14),
    }
    project.must("ingest", "partner_2021", "--input", str(demo))
    project.must("run", "overview_partner_2021")

    stop = threading.Event()
    ingest_failures: list[str] = []

    def alternate():
        i = 0
        while not stop.is_set():
            src = real if i % 2 == 0 else demo
            res = project.run("ingest", "partner_2021", "--input", str(src), "--quiet")
            if res.returncode != 0:
                ingest_failures.append(res.describe())
            i += 1

    worker = threading.Thread(target=alternate, daemon=True)
    worker.start()
    mixed: list[str] = []
    observed: list[str] = []
    try:
        for k in range(16):  # stops at the first mixed report
            if mixed:
                break
            res = project.run("run", "overview_partner_2021", "--force", timeout=180)
            if res.returncode != 0:
                if res.returncode == 2 and not has_traceback(res.stderr):
                    continue  # "data is being replaced, try again" is fine
                mixed.append(f"interleaving {k}: run failed:\n{res.describe()}")
                continue
            text = html_views((project.reports / "overview_partner_2021.html").read_text("utf-8"))
            banner = "Demodata – syntetiska svar" in text
            foot = FOOTER.search(text)
            count = COUNT.search(text)
            if not foot or not count:
                mixed.append(f"interleaving {k}: footer/count not found")
                continue
            name, sha = foot.group(1), foot.group(2)
            expected = versions.get(sha)
            seen = (name, banner, int(count.group(1)))
            observed.append(f"{k}: sha={sha[:8]} file={name} banner={banner} n={count.group(1)}")
            if expected != seen:
                mixed.append(
                    f"interleaving {k}: footer sha256 {sha[:12]} is {expected}, but the report "
                    f"shows file={name} demo_banner={banner} respondents={count.group(1)}"
                )
    finally:
        stop.set()
        worker.join(timeout=120)
    assert not mixed, "report mixes dataset versions:\n" + "\n".join(mixed + observed)
    print("\n".join(observed))
    assert not ingest_failures, ingest_failures[0]


# --------------------------------------------------------------------------------------------
# class 16 — pathological text
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("case", ["one_answer_3000_sentences", "pasted_into_every_answer"])
def test_c16_pathological_text_builds_in_reasonable_time(project, case):
    project.must("ingest", "municipality_2023")
    baseline = project.must("run", "municipality_2023", "--force").seconds
    header, rows = realistic_muni()
    q4 = col(header, "Beskriv din kommuns största utmaningar och möjligheter inom infrastruktur")
    if case == "one_answer_3000_sentences":
        rows[3][q4] = "Vägarna är dåliga men elnätet är en möjlighet. " * 2600  # 125 kB
    else:
        # one respondent pasted the same long text (3 000 sentences) into every free-text answer
        # (~130 kB per answer, just under the CSV field limit of 131 072 characters)
        for j in range(3, len(header)):
            rows[3][j] = "Vägarna är dåliga och elnätet behöver byggas ut. " * 2600
    write_csv(project.raw / "municipality_2023" / "svar_2023.csv", header, rows)
    project.must("ingest", "municipality_2023")
    limit = 3 * baseline + 5
    res = project.run("run", "municipality_2023", "--force", timeout=limit)
    assert not res.timed_out, (
        f"build not finished after {limit:.0f} s = 3 × normal build ({baseline:.1f} s) + 5 s"
    )
    assert res.returncode == 0, res.describe()
