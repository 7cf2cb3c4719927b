"""Swedish wording for the partner report: counts, lists, intervals and what dominates them.

Plain sentences for readers who are not statisticians: counts first ("8 av 14 organisationer"),
a share in per cent after it, and intervals explained in words. Numbers are formatted by
:mod:`analysis.report.format` (the one Swedish formatter).

>>> k_of_n(8, 14)
'8 av 14 organisationer'
>>> join(["företagande", "digitalisering", "kompetensförsörjning"])
'företagande, digitalisering och kompetensförsörjning'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from analysis.report import format as fmt

__all__ = [
    "SHORT_NAMES",
    "capitalise",
    "confidence_label",
    "decimal",
    "interval_text",
    "join",
    "k_of_n",
    "kappa_sentence",
    "number_word",
    "ranges",
    "short_name",
    "uncertainty_sentence",
]

SHORT_NAMES: dict[str, dict[str, str]] = {
    "q3": {
        "foretag": "företagande",
        "digitalisering": "digitalisering",
        "transporter": "hållbara transporter",
        "kompetens": "kompetensförsörjning",
        "livsmiljo_kultur": "livsmiljöer och kultur",
        "vard_omsorg": "vård och omsorg",
        "samhallsplanering": "samhällsplanering",
    },
    "q12": {
        "ledarskap": "ett engagerat ledarskap",
        "mal": "tydliga mål och ramar",
        "aktorer": "att rätt aktörer deltar",
        "resurser": "särskilt avsatta resurser",
        "synliggora": "att hinder synliggörs",
    },
    "q13": {
        "sjalvstandighet": "minskad självständighet",
        "osaker_investering": "en osäker investering av tid och resurser",
        "kultur": "olika organisationskulturer",
        "hot": "förändringar som upplevs som ett hot",
        "komplexitet": "ökad komplexitet när fler aktörer deltar",
        "kunskap": "brist på kunskap om varandras verksamheter, roller och uppdrag",
    },
}
"""Short names of multiple-choice options for running text (question id → option code → name)."""


def short_name(question: Mapping, label: str) -> str:
    """The running-text name of an option (its label when no short name is defined).

    >>> q = {"id": "q3", "options": [{"code": "foretag", "label": "Växande företag"}]}
    >>> short_name(q, "Växande företag"), short_name({"id": "x", "options": []}, "Ja")
    ('företagande', 'Ja')
    """
    names = SHORT_NAMES.get(str(question.get("id")), {})
    for o in question.get("options", []):
        if o.get("label") == label and o.get("code") in names:
            return names[o["code"]]
    return label


_WORDS = {
    0: "noll",
    1: "en",
    2: "två",
    3: "tre",
    4: "fyra",
    5: "fem",
    6: "sex",
    7: "sju",
    8: "åtta",
    9: "nio",
    10: "tio",
    11: "elva",
    12: "tolv",
}


def number_word(k: int) -> str:
    """A small number as a Swedish word (digits from 13).

    >>> number_word(3), number_word(14)
    ('tre', '14')
    """
    return _WORDS.get(int(k), str(int(k)))


def capitalise(text: str) -> str:
    """First letter upper case, the rest unchanged.

    >>> capitalise("tre delar")
    'Tre delar'
    """
    return text[:1].upper() + text[1:]


def join(items: Sequence[str], word: str = "och") -> str:
    """A Swedish list: "A, B och C".

    >>> join(["A"]), join(["A", "B"], "eller")
    ('A', 'A eller B')
    """
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def ranges(numbers: Sequence[int]) -> str:
    """Question numbers as Swedish ranges: "1–8, 10 och 12–14".

    >>> ranges([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 13, 14]), ranges([9, 11, 15]), ranges([3, 4])
    ('1–8, 10 och 12–14', '9, 11 och 15', '3 och 4')
    """
    values = sorted({int(x) for x in numbers})
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][-1] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]}–{run[-1]}")
        else:
            parts.extend(str(v) for v in run)
    return join(parts)


def k_of_n(k: int, n: int, noun: str = "organisationer") -> str:
    """ "k av n organisationer".

    >>> k_of_n(7, 14, "svarande")
    '7 av 14 svarande'
    """
    return f"{int(k)} av {int(n)} {noun}".rstrip()


def confidence_label(confidence: float) -> str:
    """The confidence level as a Swedish per-cent number without the sign.

    >>> confidence_label(0.95), confidence_label(0.975)
    ('95', '97,5')
    """
    return f"{100 * confidence:g}".replace(".", ",")


def decimal(x: float, decimals: int = 2) -> str:
    """A number with a decimal comma and a real minus sign.

    >>> decimal(0.7758), decimal(-0.1, 1)
    ('0,78', '−0,1')
    """
    return fmt.fmt_number(x, decimals)


def interval_text(low: float, high: float) -> str:
    """An interval of shares, "36–76 %".

    >>> interval_text(0.362, 0.758)
    '36–76 %'
    """
    return fmt.fmt_ci(low, high)


def uncertainty_sentence(
    *,
    ci: tuple[float, float],
    worst: tuple[float, float],
    n: int,
    frame: int,
    confidence: float = 0.95,
) -> str:
    """Which uncertainty dominates a share: sampling (the interval) or non-response (the
    worst-case bounds), in plain Swedish.

    >>> print(uncertainty_sentence(ci=(0.36, 0.76), worst=(0.19, 0.86), n=14, frame=43))
    Bortfallet väger tyngst: 29 av 43 tillfrågade svarade inte, och om alla räknas kan andelen ligga var som helst mellan 19 och 86 % – ett spann nästan dubbelt så brett som konfidensintervallet (36–76 %), som förutsätter att de som svarade liknar dem som inte gjorde det.
    >>> uncertainty_sentence(ci=(0.36, 0.76), worst=(0.5, 0.6), n=40, frame=43).startswith("Slumpen")
    True
    """
    missing = frame - n
    ci_width = ci[1] - ci[0]
    worst_width = worst[1] - worst[0]
    ratio = worst_width / ci_width if ci_width > 0 else math.inf
    conf = confidence_label(confidence)
    if ratio >= 1:
        if ratio >= 2.5:
            size = f"ungefär {number_word(round(ratio))} gånger så brett som"
        elif ratio >= 1.5:
            size = "nästan dubbelt så brett som" if ratio < 1.9 else "ungefär dubbelt så brett som"
        else:
            size = "bredare än"
        return (
            f"Bortfallet väger tyngst: {missing} av {frame} tillfrågade svarade inte, och om "
            "alla räknas kan andelen ligga var som helst mellan "
            f"{fmt.fmt_number(100 * worst[0])} och {fmt.fmt_number(100 * worst[1])} % – ett "
            f"spann {size} konfidensintervallet ({interval_text(*ci)}), som förutsätter att de "
            "som svarade liknar dem som inte gjorde det."
        )
    return (
        f"Slumpen väger tyngst: konfidensintervallet ({conf} %, {interval_text(*ci)}) är "
        f"bredare än spannet om alla {frame} tillfrågade räknas ({interval_text(*worst)})."
    )


def kappa_sentence(kappa: float, low: float, high: float, confidence: float = 0.95) -> str:
    """Weighted kappa in words that match its interval (Landis and Koch's levels).

    When the interval spans several levels the sentence says so instead of naming one.

    >>> print(kappa_sentence(0.78, 0.35, 1.0))
    Viktad kappa är 0,78 (95 % konfidensintervall 0,35–1,00). Intervallet sträcker sig från viss till nästan fullständig överensstämmelse enligt Landis och Kochs skala; med så få svar går styrkan inte att bestämma närmare.
    >>> print(kappa_sentence(0.9, 0.85, 0.95))
    Viktad kappa är 0,90 (95 % konfidensintervall 0,85–0,95), det vill säga nästan fullständig överensstämmelse enligt Landis och Kochs skala.
    """
    if any(math.isnan(x) for x in (kappa, low, high)):
        return "Viktad kappa kan inte beräknas, eftersom nästan alla svarade likadant."
    lo_level, hi_level = fmt.kappa_interpretation(low), fmt.kappa_interpretation(high)
    conf = confidence_label(confidence)
    head = (
        f"Viktad kappa är {decimal(kappa)} ({conf} % konfidensintervall "
        f"{decimal(low)}–{decimal(high)})"
    )
    if lo_level == hi_level:
        return f"{head}, det vill säga {lo_level} överensstämmelse enligt Landis och Kochs skala."
    return (
        f"{head}. Intervallet sträcker sig från {lo_level} till {hi_level} överensstämmelse "
        "enligt Landis och Kochs skala; med så få svar går styrkan inte att bestämma närmare."
    )
