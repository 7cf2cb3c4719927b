"""The trend report's opening: the title, "Det viktigaste" and the two rounds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.report import html as render
from analysis.report.section import Section
from analysis.surveys.trend.sections.new import _new_rows
from analysis.surveys.trend.sections.wording import (
    _and,
    _concept_name,
    _count,
    _few,
    _kn,
    _nan,
    _number_word,
)

if TYPE_CHECKING:  # pragma: no cover
    from analysis.surveys.trend.model import TrendAnalysis

SUMMARY_MAX_WORDS = 200


def _series_title(t: TrendAnalysis) -> str:
    ta, tb = t.a.dataset.codebook.title, t.b.dataset.codebook.title
    common = ta.split(" – ")[0] if ta.split(" – ")[0] == tb.split(" – ")[0] else "Enkäten"
    return f"{common}: {t.a.year} och {t.b.year} jämförda"


def title_section(t: TrendAnalysis) -> Section:
    """The page's H1 and what the report is."""
    s = Section("titel", _series_title(t), level=1)
    s.paragraph(
        f"Uppföljningen {t.b.year} jämförd med enkäten {t.a.year}, begrepp för begrepp: samma "
        "frågor mäts på samma sätt i båda omgångarna, och varje andel redovisas med sin "
        "osäkerhet. Organisationer som svarade båda gångerna jämförs dessutom med sig själva."
    )
    if t.synthetic:
        s.notice(
            "Rapporten bygger på syntetiska demodata, inte på enkäternas verkliga svar. Ingen "
            "siffra i den är ett resultat om Region Västerbotten."
        )
    if not t.policy.public:
        s.notice("Intern version: exakta antal, även små, och alla test. Den får inte publiceras.")
    return s


def _row(t: TrendAnalysis, ind_id: str) -> pd.Series | None:
    return t.published.loc[ind_id] if ind_id in t.published.index else None


def summary_points(t: TrendAnalysis) -> list[str]:
    """The report's 5–7 main messages, in plain Swedish and as counts (published numbers only).

    Every message is computed from the data; none reveals a hidden count. The whole list stays
    under :data:`SUMMARY_MAX_WORDS` words.
    """
    pol = t.policy
    ya, yb = t.a.year, t.b.year
    pub = t.published
    points: list[str] = []
    # 1. who answered
    pairs = len(t.pairing.pairs)
    both = str(pairs) if not pol.suppresses or pairs >= pol.min_cell or pairs == 0 else _few(pol)
    frame_a = f" av {t.a.frame_size}" if t.a.frame_size else ""
    frame_b = f" av {t.b.frame_size}" if t.b.frame_size else ""
    points.append(
        f"{t.b.n}{frame_b} tillfrågade organisationer svarade {yb}, mot {t.a.n}{frame_a} år "
        f"{ya}; {both} organisationer svarade båda gångerna."
    )
    # 2. the Likert concepts (inclusive, attractive, innovative)
    likert = [c.concept for c in t.concepts if c.b.type == "likert" and c.concept in pub.index]
    if likert:
        parts = [
            f"{pub.at[c, 'label'].lower()} {_kn(pub.at[c, 'k_a'], pub.at[c, 'n_a'], pol)} "
            f"och {_kn(pub.at[c, 'k_b'], pub.at[c, 'n_b'], pol)}"
            for c in likert
        ]
        points.append(f"Instämde i påståendena {ya} respektive {yb}: " + "; ".join(parts) + ".")
    # 3. the engagement ladder's two top steps
    if "engagement_ladder" in pub.index:
        r = pub.loc["engagement_ladder"]
        points.append(
            f"På engagemangstrappans två översta steg stod {_kn(r['k_a'], r['n_a'], pol)} år "
            f"{ya} och {_kn(r['k_b'], r['n_b'], pol)} år {yb}."
        )
    # 4. the paired organisations on the ladder
    if "engagement_ladder" in t.paired.index:
        r = t.paired.loc["engagement_ladder"]
        if not _nan(r["pairs"]):
            said = [
                ("ingen" if int(r[c]) == 0 else str(int(r[c]))) + " " + w
                for c, w in (("up", "högre"), ("same", "på samma steg"), ("down", "lägre"))
                if not _nan(r[c])
            ]
            hidden = [w for c, w in (("up", "högre"), ("same", "kvar"), ("down", "lägre"))
                      if _nan(r[c])]  # fmt: skip
            text = (
                f"Av de {int(r['pairs'])} organisationer som svarade båda gångerna stod "
                + _and(said)
                + f" på engagemangstrappan {yb} än {ya}"
            )
            if not said:
                text = (
                    f"De {int(r['pairs'])} organisationer som svarade båda gångerna är för få "
                    "per förflyttning på engagemangstrappan för att redovisas"
                )
            elif hidden:
                text += (
                    f" (hur många som stod {' respektive '.join(hidden)} är för få för att visas)"
                )
            points.append(text + ".")
    # 5. what changed (or that nothing measurably did)
    tested = pub.dropna(subset=["pvalue"])
    changed = tested[tested["pvalue"] < 0.05]
    if len(changed):
        r = changed.sort_values("pvalue").iloc[0]
        points.append(
            f"Störst säkerställd förändring: {r['label'].lower()}, från "
            f"{_kn(r['k_a'], r['n_a'], pol)} till {_kn(r['k_b'], r['n_b'], pol)}."
        )
    elif len(tested):
        points.append(
            f"Ingen av de {len(tested)} jämförelser som kan redovisas visar en statistiskt "
            "säkerställd förändring; med så få svar syns bara stora förändringar."
        )
    # 6. the new indicators: the baseline for the next round
    new = [x for x in _new_rows(t) if not _nan(x[2])][:3]
    if new:
        points.append(
            f"Nya mått {yb}, utgångsläge för nästa uppföljning: "
            + "; ".join(f"{label.lower()} {_kn(k, n, pol)}" for label, k, n, *_ in new)
            + "."
        )
    # 7. reworded questions
    changed_words = [c for c in t.concepts if c.wording_changed and c.concept in pub.index]
    if changed_words:
        names = [pub.at[c.concept, "label"].lower() for c in changed_words]
        names = [_concept_name(t, c.concept).lower() for c in changed_words]
        points.append(
            f"{_number_word(len(names))} frågor formulerades om {yb} ({', '.join(names)}); de "
            "jämförs med försiktighet."
        )
    return points


def summary_section(t: TrendAnalysis) -> Section:
    """ "Det viktigaste": the main messages first."""
    s = Section("det-viktigaste", "Det viktigaste")
    points = summary_points(t)
    s.key_points.extend(points)
    s.bullets(points)
    return s


# --------------------------------------------------------------------------------------------
# The rounds
# --------------------------------------------------------------------------------------------
def rounds_section(t: TrendAnalysis) -> Section:
    """Who was asked and who answered in each round; pairs; reworded questions."""
    pol = t.policy
    s = Section(
        "omgangarna",
        "Två omgångar",
        intro="Båda omgångarna skickades till en urvalsram av organisationer. Svarsfrekvensen "
        "är antalet svarande delat med antalet tillfrågade.",
    )
    rows = []
    for r in (t.a, t.b):
        rate = r.n / r.frame_size if r.frame_size else float("nan")
        rows.append((str(r.year), r.frame_size, r.n, rate))
    data = pd.DataFrame(rows, columns=["Omgång", "tillfragade", "svarande", "svarsfrekvens"])
    data = data.set_index("Omgång")
    shown = pd.DataFrame(
        {
            "Tillfrågade": [_count(v) for v in data["tillfragade"]],
            "Svarande": [_count(v) for v in data["svarande"]],
            "Svarsfrekvens": [render.percent(v) for v in data["svarsfrekvens"]],
        },
        index=data.index,
    )
    s.table("svarande", shown, "Tillfrågade och svarande per omgång", data=data.astype(float))
    pairs = len(t.pairing.pairs)
    small = pol.suppresses and 0 < pairs < pol.min_cell
    s.paragraph(
        f"{_few(pol) if small else pairs} organisationer svarade båda gångerna och jämförs med "
        f"sig själva i avsnittet om parade svar. Organisationerna känns igen på sin kod i "
        f"urvalsramen: {t.b.year} från {t.pairing.source_b or 'saknas'}, {t.a.year} från "
        f"{t.pairing.source_a or 'saknas'}. Koden identifierar en organisation, aldrig en person."
    )
    for note in t.pairing.notes:
        s.notice(note)
    reworded = [c for c in t.concepts if c.wording_changed]
    if reworded:
        s.subheading("Frågor som formulerades om")
        s.paragraph(
            "De här frågorna mäter samma begrepp men är formulerade på ett nytt sätt, med samma "
            "svarsalternativ. En förändring kan därför bero på den nya formuleringen och inte "
            "bara på hur samarbetet har utvecklats."
        )
        s.bullets(
            [
                f"{_concept_name(t, c.concept)}: {t.a.year} ”{c.b.wording_changed_from or c.a.text}”"
                f" – {t.b.year} ”{c.b.text}”."
                for c in reworded
            ]
        )
    return s
