"""The reader's first screen: the page title, "Det viktigaste" and the table of contents.

"Det viktigaste" holds five to seven key messages in plain Swedish counts, taken from the first
key point of the body sections (so the summary and the sections can never disagree), the most
critical voice in the free text, one line of caveats and the source report's own
recommendations (fixed text, marked as such). It has no p-values, kappas, evenness measures or
test names and stays under :data:`MAX_WORDS` words.

>>> from analysis.report.section import Section
>>> a, b = Section("a", "Första"), Section("b", "Andra")
>>> 'href="#b"' in table_of_contents([a, b])._repr_html_()
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.report import format as fmt
from analysis.report.section import Section
from analysis.surveys.partner.context import Context
from analysis.surveys.partner.phrases import k_of_n
from analysis.surveys.partner.title import title_html  # noqa: F401 - re-exported

__all__ = [
    "MAX_WORDS",
    "RECOMMENDATIONS",
    "TEMPLATE_HEADINGS",
    "key_messages",
    "table_of_contents",
    "title_html",
    "word_count",
]

MAX_WORDS = 200

RECOMMENDATIONS = (
    "Mätbara mål och uppföljningsmått, med engagemangstrappan som utgångspunkt.",
    "En granskning av samarbetspartnernas mandat och syn på riskexponering.",
    "Representativa djupintervjuer som komplement till enkäten.",
)
"""Seed 000's recommendations for the continued work ("Engagemang", "Gemensam målbild",
"Enkät till utvalda samarbetspartner"), paraphrased closely; fixed text, not computed."""

TEMPLATE_HEADINGS = (("om-rapporten", "Om rapporten"),)
"""Level-2 headings the report template adds after the notebook's output (id, text)."""

ORDER = (
    ("inkluderande-attraktiv-innovativ", 0),
    ("utveckling", 0),
    ("rus", 0),
    ("framgangsfaktorer-och-utmaningar", 0),
    ("framgangsfaktorer-och-utmaningar", 1),
    ("engagemangstrappan", 0),
    ("fritext", 0),
)
"""Where the key messages come from: (section id, index of its key point), in reading order."""

DROP_FIRST = (3, 5)
"""Positions in :data:`ORDER` left out first when the summary would be too long."""


def word_count(text: str) -> int:
    """Words in *text* (numbers count as words).

    >>> word_count("11 av 14 organisationer – alltså de flesta.")
    7
    """
    return len(re.findall(r"[\w\[\]]+(?:[-–:/][\w]+)*", text))


def key_messages(body: Sequence[Section], *, leave_out: Sequence[int] = ()) -> list[str]:
    """Up to seven key messages from the body sections (see :data:`ORDER`), without the
    positions in *leave_out*; the response rate is added when fewer than five are found."""
    by_id = {s.id: s for s in body}
    messages = []
    for i, (sid, k) in enumerate(ORDER):
        points = by_id[sid].key_points if sid in by_id else []
        if k < len(points) and i not in leave_out:
            messages.append(points[k])
    if len(messages) < 5 and "svarande" in by_id and by_id["svarande"].key_points:
        messages.insert(0, by_id["svarande"].key_points[0])
    return messages[:7]


def important(ctx: Context, body: Sequence[Section]) -> Section:
    """The "Det viktigaste" section (at most :data:`MAX_WORDS` words while it keeps at least
    five messages: the messages of :data:`DROP_FIRST` are left out first)."""
    leave_out: list[int] = []
    while True:
        s = _important(ctx, key_messages(body, leave_out=leave_out))
        left = [i for i in DROP_FIRST if i not in leave_out]
        if section_words(s) <= MAX_WORDS or len(s.key_points) <= 5 or not left:
            return s
        leave_out.append(left[0])


def _important(ctx: Context, messages: list[str]) -> Section:
    s = Section("det-viktigaste", "Det viktigaste")
    s.key_points = list(messages)
    s.bullets(s.key_points)
    if len(messages) < 5 and ctx.public:
        s.paragraph(
            "Fler huvudbudskap kan inte visas i den publika versionen utan att enskilda "
            "organisationers svar skulle kunna räknas fram."
        )
    n, frame = ctx.n, ctx.frame
    caveat = (
        f"Bara {k_of_n(n, frame, 'tillfrågade organisationer')} ({fmt.percent(n / frame)}) "
        f"svarade. Svaren visar hur de som svarade ser på samarbetet – inte vad de {frame - n} "
        "andra tycker eller varför samarbetet fungerar som det gör."
    )
    s.notes.append(caveat)
    s.notice(caveat)
    s.subheading("Rapportens egna rekommendationer 2021")
    s.bullets(RECOMMENDATIONS)
    s.paragraph("Rekommendationerna är rapportens, inte den här analysens.")
    return s


def section_words(s: Section) -> int:
    """Words a reader sees in a section (its key points, notes and fixed texts)."""
    texts = [s.title, s.intro]
    for kind, args, _ in s.blocks:
        if kind in ("paragraph", "notice", "heading"):
            texts.append(str(args[0]))
        elif kind == "bullets":
            texts.extend(args[0])
    return sum(word_count(t) for t in texts)


def table_of_contents(sections: Sequence[Section], *, extra=TEMPLATE_HEADINGS) -> Section:
    """ "Innehåll": a link to every level-2 section and the template's own headings
    (:func:`analysis.report.section.contents`, shared with the other reports)."""
    from analysis.report.section import contents

    return contents(sections, extra=extra)
