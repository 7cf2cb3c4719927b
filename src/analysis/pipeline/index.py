"""``reports/index.html``: one self-contained page listing every report of the registry.

Readers first: per report its title (linked), a one-line description, whether it is built on demo
data or real answers, the date and the status. The technical details — survey id, data file, its
sha256 and
the processed-data version (from the pinned version's ``manifest.json`` as recorded at the last
successful build; the file name only after the personal-data check, paths never absolute — see
:mod:`analysis.data.labels`), parameters,
generated-at and the status of the latest run — built, skipped (unchanged), failed (with the
error and a link to the failed notebook) or not available (notebook missing). The page is built
from the build state in ``reports/.build/`` with the standard library only, so the no-op rerun
stays fast; it carries no time stamp of its own and is rewritten only when its content changes.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

from analysis import paths

__all__ = ["STATUS_TEXT", "render_index", "write_index"]

STATUS_TEXT = {
    "built": ("byggd", "status-built"),
    "skipped": ("oförändrad – byggdes inte om", "status-skipped"),
    "failed": ("misslyckades", "status-failed"),
    "not available": ("inte tillgänglig", "status-missing"),
    None: ("inte byggd ännu", "status-missing"),
}

BANNER = "Demodata – syntetiska svar, inte undersökningens resultat"


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _css() -> str:
    try:
        return (paths.template_dir() / "report" / "report.css").read_text(encoding="utf-8")
    except OSError:  # pragma: no cover - the package ships the file
        return ""


def _params(params) -> str:
    from analysis.pipeline.provenance import _display_path

    if not params:
        return "–"
    shown = ((k, _display_path(k, v)) for k, v in params)  # states written by older versions
    shown = ((k, '""' if v == "" else v) for k, v in shown)
    return ", ".join(f"<code>{_e(k)} = {_e(v)}</code>" for k, v in shown)


def render_index(registry: Mapping, output_dir: Path | str) -> str:
    """The index page for *registry* given the build states under *output_dir*.

    >>> import tempfile
    >>> from analysis.pipeline.registry import ReportSpec
    >>> reg = {"demo": ReportSpec("demo", Path("x.ipynb"), "Demo <1>", {})}
    >>> page = render_index(reg, tempfile.mkdtemp())
    >>> '<html lang="sv">' in page and "Demo &lt;1&gt;" in page and "inte byggd ännu" in page
    True
    """
    from analysis.data.labels import safe_label
    from analysis.pipeline.state import read_state

    output_dir = Path(output_dir)
    rows, tech = [], []
    any_synthetic = False
    for name, spec in registry.items():
        state = read_state(output_dir, name)
        success = state.get("success") or {}
        status = state.get("status")
        text, cls = STATUS_TEXT.get(status, (str(status), "status-missing"))
        html_file = output_dir / f"{name}.html"
        title = _e(spec.title)
        title_cell = f'<a href="{_e(name)}.html">{title}</a>' if html_file.is_file() else title
        description = getattr(spec, "description", "") or ""
        if description:
            title_cell += f"<br><small>{_e(description)}</small>"
        status_cell = f'<span class="{cls}" data-status="{_e(status or "none")}">{_e(text)}</span>'
        if status == "failed":
            status_cell += f"<br><small>{_e(state.get('error') or '')}</small>"
            if (output_dir / "failed" / f"{name}.ipynb").is_file():
                status_cell += (
                    f'<br><a href="failed/{_e(name)}.ipynb">den misslyckade notebooken</a>'
                )
            if html_file.is_file():
                status_cell += "<br><small>Länken går till den senaste lyckade versionen.</small>"
        elif status == "not available" and state.get("error"):
            status_cell += f"<br><small>{_e(state['error'])}</small>"
        synthetic = bool(success.get("synthetic"))
        any_synthetic = any_synthetic or synthetic
        if not success:
            kind = "–"
        elif synthetic:
            kind = "Demodata (syntetiska svar)"
        else:
            kind = "Verkliga svar"
        generated = success.get("generated_at")
        date = str(generated)[:10] if generated else ""
        date_cell = f'<time datetime="{_e(generated)}">{_e(date)}</time>' if generated else "–"
        rows.append(
            "<tr>"
            f'<th scope="row">{title_cell}</th>'
            f"<td>{_e(kind)}</td>"
            f"<td>{date_cell}</td>"
            f"<td>{status_cell}</td>"
            "</tr>"
        )
        survey = success.get("survey") or spec.parameters.get("survey") or ""
        sha = success.get("data_sha256")
        data_file = safe_label(success.get("data_file"), sha256=sha) or None
        data_cell = (
            f'{_e(data_file).replace("_", "_<wbr>")}<br><code class="hash">{_e(sha)}</code>'
            if data_file or sha
            else "–"
        )
        if success.get("data_version"):
            data_cell += f"<br><small>dataversion {_e(success['data_version'])}</small>"
        gen_cell = f'<time datetime="{_e(generated)}">{_e(generated)}</time>' if generated else "–"
        tech.append(
            "<tr>"
            f'<th scope="row"><code>{_e(name)}</code></th>'
            f"<td>{_e(survey).replace('_', '_<wbr>') or '–'}</td>"
            f"<td>{data_cell}</td>"
            f"<td>{_params(success.get('parameters'))}</td>"
            f"<td>{gen_cell}</td>"
            "</tr>"
        )
    banner = (
        f'<div class="synthetic-banner" role="note" aria-label="Demodata"><p><strong>{_e(BANNER)}</strong></p></div>\n'
        if any_synthetic
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Rapporter – enkätanalys Region Västerbotten</title>\n"
        f"<style>\n{_css()}\n</style>\n</head>\n<body>\n"
        '<a class="skip-link" href="#innehall">Hoppa till innehållet</a>\n'
        f"{banner}"
        '<main id="innehall">\n'
        "<h1>Rapporter</h1>\n"
        "<p>Välj en rapport. Varje rapport är en fristående sida som kan läsas utan "
        "internetanslutning och skrivas ut; den börjar med det viktigaste.</p>\n"
        "<table>\n<caption>Rapporterna</caption>\n"
        '<thead><tr><th scope="col">Rapport</th><th scope="col">Underlag</th>'
        '<th scope="col">Skapad</th><th scope="col">Status</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
        "<details>\n<summary>Teknisk information: datafiler, kontrollsummor och parametrar</summary>\n"
        "<p>Rapporterna är registrerade i <code>reports.yaml</code> och byggs med "
        "<code>analysis run</code>. SHA-256 identifierar exakt vilken datafil som användes.</p>\n"
        "<table>\n<caption>Underlag per rapport</caption>\n"
        '<thead><tr><th scope="col">Rapport</th><th scope="col">Enkät</th>'
        '<th scope="col">Datafil och SHA-256</th><th scope="col">Parametrar</th>'
        '<th scope="col">Skapad</th></tr></thead>\n<tbody>\n'
        + "\n".join(tech)
        + "\n</tbody>\n</table>\n</details>\n</main>\n</body>\n</html>\n"
    )


def write_index(registry: Mapping, output_dir: Path | str | None = None) -> Path:
    """Write ``index.html`` atomically (only when its content changed); returns its path."""
    from analysis.pipeline.state import write_atomic

    output_dir = Path(output_dir) if output_dir is not None else paths.reports_dir()
    page = render_index(registry, output_dir)
    target = output_dir / "index.html"
    try:
        if target.read_text(encoding="utf-8") == page:
            return target
    except OSError:
        pass
    write_atomic(target, page)
    return target
