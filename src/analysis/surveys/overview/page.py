"""The overview's sections in reading order: respondents, background, every question, method."""

from __future__ import annotations

import pandas as pd

from analysis.disclosure.audience import check_audience
from analysis.report import html as render
from analysis.report.section import Section
from analysis.surveys.overview.access import (  # noqa: F401
    _check_min_cell,
    _codebook,
    _get,
    _questions,
    _wide,
    frame_size,
)
from analysis.surveys.overview.masks import (  # noqa: F401
    _distribution_counts,
    _municipality_masks,
    _org_sector_masks,
)
from analysis.surveys.overview.question import _distribution, question_section  # noqa: F401
from analysis.surveys.overview.title import title_html  # noqa: F401 - re-exported


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------
def _is_census(codebook, n: int) -> bool:
    frame = _get(codebook, "frame") or {}
    size = frame_size(codebook)
    return bool(_get(frame, "census")) or (size is not None and n >= size)


def respondents_section(ds, *, audience: str = "public", min_cell: int = 5) -> Section:
    """Number of respondents and the response rate against the sample frame (when known)."""
    check_audience(audience)
    sec = Section(
        "svarande",
        "Svarande och svarsfrekvens",
        intro="Hur många som svarade, och – när enkäten har en urvalsram – hur stor andel av de "
        "tillfrågade det är.",
    )
    n = len(_wide(ds))
    size = frame_size(_codebook(ds))
    if size:
        rate = n / size
        if n >= size:
            text = (
                f"Alla {size} tillfrågade svarade på enkäten (en totalundersökning). Andelarna "
                "beskriver därför alla som ingår i undersökningen, utan urvalsosäkerhet."
            )
        else:
            text = (
                f"{n} av {size} tillfrågade svarade på enkäten, en svarsfrekvens på "
                f"{render.percent(rate)}. Intervallen för andelarna är korrigerade för att "
                "urvalsramen är ändlig."
            )
        data = pd.DataFrame(
            {"antal": [size, n, size - n], "andel": [1.0, rate, 1 - rate]},
            index=pd.Index(["Tillfrågade (urvalsram)", "Svarande", "Svarade inte"], name="Grupp"),
        )
        display = pd.DataFrame(
            {
                "Antal": [render.fmt_number(v) for v in data["antal"]],
                "Andel av urvalet": [render.percent(v) for v in data["andel"]],
            },
            index=data.index,
        )
        sec.key_points.append(text.split(".")[0] + ".")
        sec.paragraph(text)
        sec.table("svarande", display, "Svarande och svarsfrekvens", data=data)
        return sec
    sec.key_points.append(f"{n} svarande.")
    sec.tables["svarande"] = pd.DataFrame(
        {"antal": [n]}, index=pd.Index(["Svarande"], name="Grupp")
    )
    sec.paragraph(
        f"{n} svarande. Kodboken anger ingen urvalsram, så någon svarsfrekvens kan inte beräknas."
    )
    return sec


def respondents_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """HTML body of :func:`respondents_section`."""
    return respondents_section(ds, audience=audience, min_cell=min_cell).body_html()


def metadata_section(ds, *, audience: str = "public", min_cell: int = 5) -> Section:
    """The metadata questions (who answered: municipality, organisation type, sector)."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    sec = Section(
        "bakgrund",
        "Vilka som svarade",
        intro="Bakgrundsfrågorna: vilken kommun eller vilken typ av organisation de svarande "
        "representerar.",
    )
    found = False
    for q in _questions(ds):
        if _get(q, "role") == "metadata":
            found = True
            sub = question_section(ds, q, audience=audience, min_cell=min_cell)
            sec.subheading(sub.title)
            sec.tables.update({f"{_get(q, 'id')}_{k}": v for k, v in sub.tables.items()})
            sec.figures.update({f"{_get(q, 'id')}_{k}": v for k, v in sub.figures.items()})
            sec.blocks.extend(_renamed_blocks(sub, f"{_get(q, 'id')}_"))
    if "sektor" in _wide(ds).columns:
        found = True
        sector_hidden = None
        if audience == "public":
            org = [q for q in _questions(ds) if str(_get(q, "type")) == "org_type"]
            if org and _get(org[0], "id") in _wide(ds).columns:
                _, sector_hidden = _org_sector_masks(ds, org[0], min_cell)
        sec.subheading("Sektor")
        sec.paragraph("Sektorn härleds ur organisationstypen.")
        _distribution(
            sec,
            "sektor",
            ds,
            "sektor",
            "Svarande per sektor",
            "Sektor",
            audience,
            min_cell,
            sector_hidden,
        )
    if not found:
        sec.paragraph("Enkäten har inga bakgrundsfrågor.")
    return sec


def _renamed_blocks(sub: Section, prefix: str) -> list:
    """*sub*'s blocks with figure names prefixed (figures live in the parent's dict)."""
    out = []
    for kind, args, kw in sub.blocks:
        if kind == "figure":
            args = (prefix + args[0], *args[1:])
        out.append((kind, args, kw))
    return out


def metadata_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """HTML body of :func:`metadata_section`."""
    return metadata_section(ds, audience=audience, min_cell=min_cell).body_html()


def question_sections(ds, *, audience: str = "public", min_cell: int = 5) -> list[Section]:
    """Every non-metadata question in codebook order, one section each."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    return [
        question_section(ds, q, audience=audience, min_cell=min_cell)
        for q in _questions(ds)
        if _get(q, "role") != "metadata"
    ]


def questions_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """Every non-metadata question in codebook order."""
    return render.join(
        *[
            render.join(render.heading(s.title, s.level), s.body_html())
            for s in question_sections(ds, audience=audience, min_cell=min_cell)
        ]
    )


def method_section(ds, *, audience: str = "public", min_cell: int = 5, policy=None) -> Section:
    """How the numbers were computed (intervals, disclosure control, data provenance)."""
    audience, min_cell = check_audience(audience), _check_min_cell(min_cell)
    sec = Section("om-siffrorna", "Om siffrorna")
    size = frame_size(_codebook(ds))
    census = size is not None and len(_wide(ds)) >= size
    if census:
        sec.paragraph(
            "Alla i urvalsramen svarade, så andelarna har ingen urvalsosäkerhet och visas utan "
            "konfidensintervall i texten; intervallen i tabellerna är därför lika med andelen."
        )
    else:
        sec.paragraph(
            "Konfidensintervallen är Wilsonintervall (95 %), som fungerar bra även när antalet svar är litet"
            + (
                f"; de är korrigerade för ändlig population eftersom urvalsramen omfattar {size} enheter."
                if size
                else "."
            )
            + " Intervallen beskriver bara slumpmässig osäkerhet, inte snedvridning på grund av bortfall."
        )
    if policy is not None:
        sec.paragraph(policy.describe())
    if audience == "public" and min_cell > 1:
        sec.paragraph(
            f"Antal mellan 1 och {min_cell - 1} visas inte (”–”). En andel ”k av n” redovisas när k är "
            f"minst {min_cell}, oavsett hur många som inte gav svaret (n − k); samma beslut om vad som "
            "döljs gäller i enkätens alla rapporter. Där antal summeras till ett redovisat tal (antalet svar på en fråga, "
            "grupperna i ett diagram, kommunerna i en kommungrupp, organisationstyperna i en sektor) "
            "döljs också de värden som annars skulle göra det möjligt att räkna fram de dolda "
            "(kompletterande undertryckning). Andelar och intervall för dolda antal visas inte heller. "
            "Fritextsvar visas inte i översikten."
        )
    manifest = _get(ds, "manifest") or {}
    if manifest.get("synthetic"):
        sec.notice("Rapporten bygger på syntetiska demodata, inte på enkätens verkliga svar.")
    return sec


def method_html(ds, *, audience: str = "public", min_cell: int = 5) -> str:
    """HTML body of :func:`method_section`."""
    return method_section(ds, audience=audience, min_cell=min_cell).body_html()


def sections(analysis) -> list[Section]:
    """The overview of a :class:`~analysis.surveys.analysis.SurveyAnalysis`, in reading order.

    Respondents, who answered, every question (one level-3 section each, after a level-2
    "Frågorna en och en" section) and the method notes, all under the survey's one policy.
    """
    ds, policy = analysis.dataset, analysis.policy
    kw = {"audience": policy.audience, "min_cell": policy.min_cell}
    questions = Section(
        "fragorna",
        "Frågorna en och en",
        intro="Varje fråga redovisas efter sin typ: flervalsfrågor med antal och andel (med 95 % "
        "konfidensintervall), påståenden på en skala med ett divergerande stapeldiagram "
        "centrerat på skalans mitt, och fritextfrågor med antalet svar. Under varje diagram "
        "finns siffrorna i tabellform.",
    )
    return [
        respondents_section(ds, **kw),
        metadata_section(ds, **kw),
        questions,
        *question_sections(ds, **kw),
        method_section(ds, **kw, policy=policy),
    ]
