"""``make check-reports``: build (or locate) the reports and check them as a reader gets them.

Usage::

    python tests/browser/check_reports.py                 # build reports/ (incremental), check
    python tests/browser/check_reports.py --reports-dir DIR --no-build
    python tests/browser/check_reports.py --scratch          # ingest + build in a temp folder

Prints one row per page (every report of ``reports.yaml`` plus ``index.html``): requests blocked,
console errors, images not decoded, axe-core WCAG 2.1 A/AA violations (nodes), Nu HTML Checker
errors and PII hits (public reports only), then the details behind every non-zero count. Writes
the table, details, JSON and one full-page screenshot per page to ``tests/artifacts/``.

Exit status: 0 when every count is zero, 1 when any is not (or a report failed to build), 2 when
the tools are missing (install them with ``bash tools/browser/install.sh``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_harness as h  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reports-dir", type=Path, default=None, help="mapp med rapporter (standard: reports/)"
    )
    parser.add_argument(
        "--no-build", action="store_true", help="bygg inte, kontrollera de som redan finns"
    )
    parser.add_argument("--force", action="store_true", help="bygg om alla rapporter")
    parser.add_argument("--jobs", type=int, default=None, help="kärnor som körs samtidigt")
    parser.add_argument(
        "--scratch",
        action="store_true",
        help="läs in exporterna i data/raw och bygg i en tillfällig mapp (rör inte data/ eller reports/)",
    )
    args = parser.parse_args(argv)

    missing = h.missing_browser_tools() + h.missing_vnu_tools()
    if missing:
        print(f"check-reports: {h.missing_message(missing)}", file=sys.stderr)
        return 2

    from analysis import paths

    started = time.perf_counter()
    processed = None
    folder = args.reports_dir or paths.reports_dir()
    if args.scratch:
        from analysis import SURVEYS
        from analysis.data.ingest import ingest

        scratch = Path(tempfile.mkdtemp(prefix="check-reports-"))
        processed = {s: scratch / "processed" / s for s in SURVEYS}
        for survey, out in processed.items():
            ingest(survey, out_dir=out)
        folder = args.reports_dir or scratch / "reports"
    if args.no_build:
        outcome = h.locate_reports(folder)
    else:
        outcome = h.build_reports(folder, processed=processed, force=args.force, jobs=args.jobs)
        print(f"Byggde/kontrollerade rapporterna i {folder} ({outcome.seconds:.1f} s)")
    pages = outcome.pages
    if not pages:
        print("check-reports: inga rapporter att kontrollera", file=sys.stderr)
        for p in outcome.problems:
            print(f"  {p}", file=sys.stderr)
        return 1

    files = list(pages.values())
    browser = h.run_check_page(files, screenshots=h.SCREENSHOTS)
    vnu = h.run_vnu(files)
    pii = h.audit_reports(pages, h.report_settings())
    rows = h.summary_rows(pages, browser, vnu, pii)
    detail = h.details(pages, browser, vnu, pii)
    h.write_artifacts(rows, detail, browser, vnu)

    print(h.format_table(rows))
    bad = [r for r in rows if any(v for k, v in r.items() if k != "report")]
    if outcome.problems:
        print("\nRapporter som saknas eller inte kunde byggas:")
        for p in outcome.problems:
            print(f"  {p}")
    if detail:
        print("\n" + detail)
    print(
        f"\nSkärmbilder: {h.SCREENSHOTS}/<rapport>.png · detaljer: {h.ARTIFACTS / 'check_reports.txt'}"
        f" · {time.perf_counter() - started:.1f} s"
    )
    if bad or outcome.problems:
        print(f"check-reports: {len(bad)} sidor med fel", file=sys.stderr)
        return 1
    print("check-reports: alla värden är noll")
    return 0


if __name__ == "__main__":
    sys.exit(main())
