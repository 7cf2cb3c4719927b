"""Masking a quote for a public report (:func:`mask_quote`) while the names a report is about
stay named, with a second safety net for capitalised words the masking lists do not know
(:func:`mask_unlisted_names`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from analysis.text.quotes.sentences import _words_of as _words


def _keep_pattern(names: Sequence[str]) -> re.Pattern | None:
    names = sorted({n.strip() for n in names if n and n.strip()}, key=lambda n: (-len(n), n))
    if not names:
        return None
    alts = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    return re.compile(rf"(?<![\w\[])(?:{alts})(?::s|s|ens|en|et)?(?![\w\]])", re.IGNORECASE)


def mask_quote(
    text: str,
    *,
    keep: Iterable[str] = (),
    about: str | None = None,
    themes=None,
    unknown_names: bool = True,
) -> str:
    """Mask a quote for a public report, never touching the names in *keep* and *about*.

    Municipality, organisation and person names are replaced by
    :func:`analysis.disclosure.masking.mask_entities`; with *unknown_names* capitalised words
    that are neither Swedish words nor theme terms are replaced by ``[namn]``
    (:func:`mask_unlisted_names`). The kept names — the authorities a question is about, such
    as Länsstyrelsen — are protected before masking and restored afterwards, including their
    genitive and definite forms ("Länsstyrelsens", "länsstyrelsen").

    >>> mask_quote("Länsstyrelsens handläggare och Umeå kommun har god dialog.")
    '[organisation] handläggare och [kommun] har god dialog.'
    >>> mask_quote("Länsstyrelsens handläggare och Umeå kommun har god dialog.",
    ...            about="Länsstyrelsen")
    'Länsstyrelsens handläggare och [kommun] har god dialog.'
    """
    from analysis.disclosure.masking import mask_entities

    names = [*keep, *([about] if about else [])]
    pattern = _keep_pattern(names)
    kept: list[str] = []

    def protect(m: re.Match) -> str:
        kept.append(m.group(0))
        return f"\ue000{chr(0xE100 + len(kept) - 1)}\ue001"

    work = pattern.sub(protect, str(text)) if pattern is not None else str(text)
    work = str(mask_entities(work))
    if unknown_names:
        work = mask_unlisted_names(work, themes)
    for idx, original in enumerate(kept):
        work = work.replace(f"\ue000{chr(0xE100 + idx)}\ue001", original)
    return work


_CAPITALISED = re.compile(
    r"(?<![\w\[\ue000-\ue1ff])([A-ZÅÄÖÉÜ][a-zåäöéü]+(?:-[A-ZÅÄÖa-zåäö][a-zåäöéü]+)*)(?![\w\]])"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n•·]\s*|^\s*[-–*]\s*)$")
NAME_PLACEHOLDER = "[namn]"

PLACE_NAME_ENDINGS: tuple[str, ...] = tuple(
    sorted(
        _words(
            """fjäll fjället älv älven sjö sjön berg berget by byn vik viken näs näset träsk
            träsket ån holm holmen ön dal dalen heden fors forsen bäcken myren liden lid
            stranden udden vattnet sund sundet"""
        )
    )
)
"""Endings of Swedish place names (mountains, rivers, lakes, villages …): an unknown capitalised
word with one of them is masked even when it looks like a compound."""


def mask_unlisted_names(text: str, themes=None) -> str:
    """Second safety net after :func:`analysis.disclosure.masking.mask_entities` for public quotes.

    A capitalised word inside a sentence that is neither an ordinary Swedish word (simplemma's
    dictionary, not a compound guess) nor a term of the theme codebook is taken to be a proper
    name the masking lists do not know — typically a village, lake, mountain or project
    ("logistiknoden på Dåva", "närheten till Borgafjäll") — and replaced by ``[namn]``. Compounds
    ending like a place name (:data:`PLACE_NAME_ENDINGS`) are masked even when they could be
    read as ordinary compounds. Words at the start of a sentence are left alone.

    >>> mask_unlisted_names("Vi har logistiknoden på Dåva och närhet till Västerbotten.")
    'Vi har logistiknoden på [namn] och närhet till Västerbotten.'
    >>> mask_unlisted_names("Prioriterat: Kompetensförsörjning och Påverkansarbete.")
    'Prioriterat: Kompetensförsörjning och Påverkansarbete.'
    """
    from analysis.text.coding import code_texts
    from analysis.text.normalise import is_known_word, is_wordlike

    def replace(m: re.Match) -> str:
        word = m.group(1)
        if _SENTENCE_START.search(text[: m.start()]):
            return word
        low = word.lower()
        if all(is_known_word(p) for p in low.split("-")):
            return word
        if low.endswith(PLACE_NAME_ENDINGS):
            return NAME_PLACEHOLDER
        if is_wordlike(low) or int(code_texts([low], themes).to_numpy().sum()) > 0:
            return word
        return NAME_PLACEHOLDER

    return _CAPITALISED.sub(replace, text)
