"""The one API over every detector: :func:`find`, :func:`mask`, :func:`mask_series`, :func:`contains`."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.data.pii.contact import (
    _DIGITS6,
    KINDS,
    MASKS,
    Hit,
    _cued_digits,  # noqa: F401
    _email_hint,
    _emails,
    _personnummer,
    _phones,
    normalise,
)
from analysis.data.pii.names import _names_in, _own_pattern  # noqa: F401

# --------------------------------------------------------------------------- API


def _kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    if isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(kinds)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; choose from {KINDS}")
    return kinds


def _keep(keep: Iterable[str]) -> tuple[str, ...]:
    if isinstance(keep, str):
        keep = (keep,)
    return tuple(sorted({k.strip() for k in keep if isinstance(k, str) and k.strip()}))


def _hits(
    text: str, kinds: tuple[str, ...], keep: tuple[str, ...], own: tuple[str, ...] = ()
) -> list[Hit]:
    if not text:
        return []
    norm = normalise(text)
    n = norm.text
    cands: list[tuple[int, int, int, str, str]] = []  # priority, start, end, kind, detector
    if "email" in kinds and _email_hint(n):
        cands += [(0, s, e, "email", d) for s, e, d in _emails(n)]
    if ("phone" in kinds or "personnummer" in kinds) and _DIGITS6.search(n):
        if "personnummer" in kinds:
            cands += [(1, s, e, "personnummer", d) for s, e, d in _personnummer(n)]
        if "phone" in kinds:
            cands += [(2, s, e, "phone", d) for s, e, d in _phones(n)]
        cands += [(3, s, e, k, d) for s, e, k, d in _cued_digits(n) if k in kinds]
    keep_cf = {k.casefold() for k in keep}
    taken: list[tuple[int, int, str, str]] = []
    _take(cands, taken, n, keep_cf)
    if "name" in kinds:
        # names are looked for in the text without the addresses and numbers already found
        nn = n
        for s, e, _, _ in taken:
            nn = nn[:s] + "\0" * (e - s) + nn[e:]
        cands = []
        if own:
            pattern = _own_pattern(own)
            if pattern is not None:
                cands += [(3, m.start(), m.end(), "name", "name-own") for m in pattern.finditer(nn)]
        cands += [(4, s, e, "name", d) for s, e, d in _names_in(nn, keep)]
        _take(cands, taken, n, keep_cf)
    if not taken:
        return []
    taken.sort()
    return [Hit(kind, *norm.span(s, e), detector) for s, e, kind, detector in taken]


def _take(cands: list, taken: list, n: str, keep_cf: set[str]) -> None:
    """Add the candidates that overlap nothing taken yet, best priority first."""
    cands.sort()
    for _, s, e, kind, detector in cands:
        if any(s < te and ts < e for ts, te, _, _ in taken):
            continue
        if keep_cf and n[s:e].casefold() in keep_cf:
            continue
        taken.append((s, e, kind, detector))


def find(text: str, *, kinds: Iterable[str] = KINDS, keep: Iterable[str] = ()) -> list[Hit]:
    """Personal data in *text*: non-overlapping hits, sorted, in original offsets.

    Parameters
    ----------
    text : str
        Any free text (an answer, a quote, a rendered report).
    kinds : iterable of str
        Which of :data:`KINDS` to look for (default all).
    keep : iterable of str
        Names that are never masked: the municipalities, organisations and authorities a
        report is about ("Region Västerbotten", "Trafikverket"). Added to the built-in list.

    Returns
    -------
    list of Hit
        When two candidates overlap, e-mail wins over personnummer, personnummer over phone,
        phone over name.

    Examples
    --------
    >>> find("Mitt personnummer är 1991-02-28-3216")
    [Hit(kind='personnummer', start=21, end=36, detector='personnummer')]
    >>> [(h.kind, h.detector) for h in find("Ring 46701112233 eller kontakta Sigbritt Ohlsson")]
    [('phone', 'phone-intl'), ('name', 'name-pair')]
    >>> find("Sigbritt Ohlsson", keep=["Sigbritt Ohlsson"])
    []
    >>> find("Umeå kommun, Region Västerbotten och Trafikverket 2021\u20132023: 45 %")
    []
    """
    return _hits(text, _kinds(kinds), _keep(keep))


def mask(
    text: str,
    *,
    kinds: Iterable[str] = KINDS,
    keep: Iterable[str] = (),
    own_names: Iterable[str] = (),
) -> tuple[str, dict[str, int]]:
    """Replace personal data in *text* by :data:`MASKS`; return (masked text, counts per kind).

    Parameters
    ----------
    text : str
        The text to mask. Anything that is not a string is returned as it is.
    kinds, keep
        As for :func:`find`.
    own_names : iterable of str
        The respondent's own name(s) and e-mail address(es): every part of them ("Lars",
        "Exempelsson", the e-mail local part) is masked as ``[namn]`` wherever it occurs,
        in any case and in the genitive. Parts that are everyday words ("Per", "Bo") only
        with a capital initial.

    Returns
    -------
    tuple of (str, dict)
        Counts have a key for every kind in :data:`KINDS`.

    Examples
    --------
    >>> mask("Mvh Per, exempelssons idé: två gånger per år", own_names=["Per Exempelsson"])
    ('Mvh [namn], [namn] idé: två gånger per år', {'email': 0, 'phone': 0, 'personnummer': 0, 'name': 2})
    >>> mask("anna punkt svensson at umea punkt se", kinds=["email"])[0]
    '[e-post]'
    """
    if not isinstance(text, str) or not text:
        return text, dict.fromkeys(KINDS, 0)
    own = tuple(o for o in own_names if isinstance(o, str)) if own_names else ()
    if isinstance(own_names, str):
        own = (own_names,)
    return _mask(text, _kinds(kinds), _keep(keep), own)


def _mask(
    text: str, kinds: tuple[str, ...], keep: tuple[str, ...], own: tuple[str, ...] = ()
) -> tuple[str, dict[str, int]]:
    """:func:`mask` of a non-empty string with *kinds* and *keep* already checked (as
    :func:`_kinds` and :func:`_keep` return them): what the masking workers call per text."""
    counts = dict.fromkeys(KINDS, 0)
    hits = _hits(text, kinds, keep, own)
    if not hits:
        return text, counts
    parts = []
    last = 0
    for h in hits:
        parts.append(text[last : h.start])
        parts.append(MASKS[h.kind])
        counts[h.kind] += 1
        last = h.end
    parts.append(text[last:])
    return "".join(parts), counts


def contains(text: str, **kw) -> bool:
    """Whether *text* holds personal data (for the report audit); keywords as for :func:`find`.

    >>> contains("Kontakta handläggaren på Trafikverket"), contains("mejla anna [at] umu [dot] se")
    (False, True)
    """
    return (
        bool(_hits(text, _kinds(kw.pop("kinds", KINDS)), _keep(kw.pop("keep", ()))))
        if (isinstance(text, str) and text)
        else False
    )
