"""Mask names of municipalities, organisations and people inside free-text quotes.

Public reports quote respondents' own words. A quote that names the respondent's municipality,
organisation or a colleague can point out who answered, so in ``audience="public"`` every quote
passes through :func:`mask_entities`:

* municipalities of Västerbotten (from ``data/raw/reference/municipalities.csv``) in every
  everyday form — "Umeå", "Umeås", "Umeå kommun", "Skellefteå kommuns", plus the localities,
  rivers and places that denote a municipality ("Holmsund", "Tärnaby", "Dåva", "Umeälven", …)
  → ``[kommun]``, also next to a slash ("Umeå/Skellefteå"). Inhabitant and area compounds keep
  their ending ("Umeåborna" → "[kommun]borna", "Sorselebygden" → "[kommun]bygden"); any other
  lowercase continuation of a capitalised place name is a compound and the whole word goes
  ("Umeåföretagen", "Vilhelminaskolan" → "[kommun]"). The ASCII spellings of the reference
  file ("Umea", "Mala", "Asele") count only capitalised or in capitals, so that "mala" (grind)
  stays;
* organisations — the 43 of the 2021 sample frame (seed 000, Bilaga 1) except the
  municipalities, their short forms ("Länsstyrelsen", "Länsstyrelsens", "RISE:s", "Umeå
  universitet"), a few further authorities and any "Region X" other than Region Västerbotten →
  ``[organisation]``;
* people — a first name from a curated list of common Swedish first names, possibly
  hyphenated ("Anna-Karin", "Britt-Marie"), followed by a capitalised surname ("Anna
  Lindqvist", "Per-Olof Berg-Nilsson") → ``[person]``; common capitalised nouns and place
  names are not surnames ("Per Region", "Bo Umeå" → "Bo [kommun]");
* addresses — e-mail addresses → ``[e-post]``; a web address that contains such a name →
  ``[webbadress]`` ("www.umea.se"), any other is left as it is.

What stays: Region Västerbotten and its own bodies (the region is the subject of the survey,
e.g. "HSLG", "Regionstyrelsens förvaltning"), the county name "Västerbotten", ordinary words
("kommunerna", "regionen", "kommunikation") and capitalised sentence starts. Matching uses word
boundaries and longest match first, so "Umeå Energi" becomes one "[organisation]", not
"[kommun] Energi".

>>> mask_entities("Vi i Umeå kommun samarbetar med RISE och Länsstyrelsens experter.")
'Vi i [kommun] samarbetar med [organisation] och [organisation] experter.'
>>> mask_entities("Kommunerna och regionen behöver bättre kommunikation.")
'Kommunerna och regionen behöver bättre kommunikation.'
>>> mask_entities("Anna Lindqvist på Umeå Energi ringde.")
'[person] på [organisation] ringde.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

__all__ = [
    "FIRST_NAMES",
    "MUNICIPALITY_PLACEHOLDER",
    "ORGANISATION_PLACEHOLDER",
    "NOT_SURNAMES",
    "PERSON_PLACEHOLDER",
    "URL_PLACEHOLDER",
    "mask_entities",
    "municipality_names",
    "organisation_names",
]

MUNICIPALITY_PLACEHOLDER = "[kommun]"
ORGANISATION_PLACEHOLDER = "[organisation]"
PERSON_PLACEHOLDER = "[person]"
EXTRA_PLACEHOLDER = "[namn]"

_FALLBACK_MUNICIPALITIES = (
    "Bjurholm", "Dorotea", "Lycksele", "Malå", "Nordmaling", "Norsjö", "Robertsfors",
    "Skellefteå", "Sorsele", "Storuman", "Umeå", "Vilhelmina", "Vindeln", "Vännäs", "Åsele",
)  # fmt: skip
"""Used only when the reference file cannot be read (the reference file is the source)."""

LOCALITIES: dict[str, str] = {
    "Holmsund": "Umeå", "Obbola": "Umeå", "Hörnefors": "Umeå", "Sävar": "Umeå",
    "Bureå": "Skellefteå", "Byske": "Skellefteå", "Burträsk": "Skellefteå", "Kåge": "Skellefteå",
    "Jörn": "Skellefteå", "Boliden": "Skellefteå", "Ursviken": "Skellefteå",
    "Tärnaby": "Storuman", "Hemavan": "Storuman", "Ammarnäs": "Sorsele", "Saxnäs": "Vilhelmina",
    "Kristineberg": "Lycksele", "Bastuträsk": "Norsjö", "Hällnäs": "Vindeln",
    "Rundvik": "Nordmaling", "Bygdeå": "Robertsfors",
    "Skelleftehamn": "Skellefteå", "Lövånger": "Skellefteå", "Vännäsby": "Vännäs",
    "Dåva": "Umeå", "Tavelsjö": "Umeå", "Botsmark": "Umeå", "Borgafjäll": "Dorotea",
    "Klimpfjäll": "Vilhelmina", "Stensele": "Storuman", "Gunnarn": "Storuman", "Ånäset": "Robertsfors",
    # stems of compounds ("Umeälven", "Skellefteälvens", "Vindelälvsdalen")
    "Umeälv": "Umeå", "Skellefteälv": "Skellefteå", "Vindelälv": "Vindeln",
}  # fmt: skip
"""Localities, rivers and other places that point out their municipality (place → municipality);
stems such as "Umeälv" are masked in every compound ("Umeälven" → "[kommun]")."""

_FALLBACK_ORGANISATIONS = (
    "Företagarna i Västerbotten", "Västerbottens handelskammare", "Länsstyrelsen Västerbotten",
    "Region Norrbotten", "Region Jämtland/Härjedalen", "Region Västernorrland",
    "Österbottens Förbund", "Sparbanksstiftelsen Norrland", "Umeå Energi", "Skellefteå Kraft",
    "Balticgruppen", "NodePole", "RISE", "Tillväxtverket", "Vinnova", "Folkets Bio Umeå",
    "Humlab", "Hello Future", "Cambio", "Inera", "Tietoevry", "Skellefteå Science City",
    "Medicinska fakulteten vid Umeå universitet", "Connect Sverige", "Swipnet", "Henson PR",
    "Ella Nilsson Mat & Prat AB", "Ecoclime",
)  # fmt: skip
"""The 28 non-municipal organisations of seed 000's Bilaga 1 (fallback for the frame file)."""

EXTRA_ORGANISATIONS = (
    "Länsstyrelsen", "Länsstyrelsen i Västerbottens län", "Umeå universitet",
    "Luleå tekniska universitet", "Sveriges lantbruksuniversitet", "SLU", "Trafikverket",
    "Region Jämtland Härjedalen", "Handelskammaren", "Sveriges Kommuner och Regioner", "SKR",
    "Almi", "Almi Nord", "Arbetsförmedlingen", "Försäkringskassan", "Norrlandsfonden",
    "Skellefteå Science City", "Umeåregionen", "Skellefteåregionen", "Research Institutes of Sweden",
    "Tieto", "Folkets Bio", "Västerbottens museum", "Västerbottensteatern", "Norrlandsoperan",
    "Umeå Folkets Hus", "Polisen", "Lantmäteriet", "Skogsstyrelsen", "Energimyndigheten",
)  # fmt: skip
"""Short forms and further organisations respondents in the county commonly name."""

FIRST_NAMES = (
    # women
    "Agneta", "Agnes", "Alexandra", "Alice", "Alva", "Amanda", "Anette", "Angelica", "Anita",
    "Ann", "Anna", "Anne", "Anneli", "Annelie", "Annika", "Astrid", "Barbro", "Berit", "Birgitta",
    "Britt", "Camilla", "Carina", "Caroline", "Cecilia", "Charlotte", "Christina", "Ebba",
    "Elin", "Elisabeth", "Ella", "Ellen", "Elsa", "Emelie", "Emma", "Erika", "Eva", "Frida",
    "Gunilla", "Hanna", "Helen", "Helena", "Ida", "Inger", "Ingrid", "Irene", "Jenny", "Jessica",
    "Johanna", "Josefin", "Julia", "Karin", "Katarina", "Kerstin", "Kristina", "Lena", "Linda",
    "Linnea", "Lisa", "Louise", "Madeleine", "Maja", "Malin", "Margareta", "Maria", "Marie",
    "Marianne", "Matilda", "Monica", "Nina", "Pia", "Sara", "Sofia", "Sofie", "Susanne",
    "Therese", "Ulla", "Ulrika", "Veronica", "Viktoria", "Åsa",
    # men
    "Adam", "Albin", "Alexander", "Anders", "Andreas", "Anton", "Arne", "Axel", "Bengt",
    "Björn", "Bo", "Christer", "Christian", "Daniel", "David", "Emil", "Erik", "Fredrik",
    "Fredric", "Gustav", "Göran", "Hans", "Henrik", "Håkan", "Jan", "Jesper", "Joakim", "Johan",
    "Johannes", "Jonas", "Jonathan", "Karl", "Kent", "Kjell", "Lars", "Leif", "Lennart",
    "Magnus", "Marcus", "Markus", "Martin", "Mats", "Mattias", "Mikael", "Niklas", "Nils",
    "Olof", "Oskar", "Patrik", "Per", "Peter", "Rickard", "Robert", "Roger", "Rolf", "Sebastian",
    "Simon", "Stefan", "Sven", "Thomas", "Tobias", "Tomas", "Torbjörn", "Ulf", "Viktor",
    "Åke", "Örjan", "Olle", "Pontus", "Kristoffer", "Jörgen", "Lars-Erik", "Per-Olof",
)  # fmt: skip
"""Common Swedish first names (SCB's most frequent names, abridged, plus the authors of seed
000). A name is only masked when a capitalised surname follows it; double names are joined by a
hyphen ("Anna-Karin", "Ann-Sofie", "Britt-Marie") when either part is listed."""

NOT_SURNAMES = (
    "Region", "Kommun", "Sverige", "Västerbotten", "Norrbotten", "Norrland", "Europa", "Staten",
    "Länsstyrelse", "Landsting", "Regering", "Riksdag", "Capita", "Person", "Styrelse",
)  # fmt: skip
"""Capitalised nouns that follow a first name without being a surname ("Per Region", "Bo
Sverige"); inflected forms ("Regionen", "Kommunens", "Landstinget") are excluded as well."""

URL_PLACEHOLDER = "[webbadress]"
EMAIL_PLACEHOLDER = "[e-post]"

_LETTER = r"[^\W\d_]"
_UPPER = r"[A-ZÅÄÖÉÜ]"
_LOWER = r"[a-zåäöéüß]"
_BEFORE = r"(?<![\w@])"
_AFTER = r"(?![\w])"
_COMPOUND = r"(?:borna|bor|bon|bo|området|trakten|regionen|bygden|bygd)"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_URL = (
    r"(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)]"
    r"|(?<![\w@.])[\w-]+(?:\.[\w-]+)*\.(?:se|nu|com|org|net|eu|info|io|fi|no|dk)(?![\w.-]*\w)"
    r"(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)])?"
)
_ADDRESS = re.compile(rf"(?P<email>{_EMAIL})|(?P<url>{_URL})")


def _municipality_spellings() -> tuple[list[str], list[str]]:
    """(canonical names, alternative spellings such as "Umea") from the reference file."""
    try:
        from analysis.data.reference import load_municipalities

        df = load_municipalities()
        names = list(df["kommun"])
        alternatives = []
        for alts in df.get("alternativa_stavningar", []):
            for alt in str(alts).split(";"):
                alt = alt.strip()
                if alt and not alt.lower().endswith("kommun") and alt not in names:
                    alternatives.append(alt)
        return names, alternatives
    except Exception:  # noqa: BLE001 - reference missing or unreadable: fall back
        return list(_FALLBACK_MUNICIPALITIES), []


def municipality_names() -> list[str]:
    """Canonical municipality names and their alternative spellings (reference file first)."""
    names, alternatives = _municipality_spellings()
    return names + alternatives


def organisation_names() -> list[str]:
    """Organisation names to mask: the sample frame's non-municipal organisations + extras."""
    try:
        from analysis.data.reference import load_sample_frame

        frame = load_sample_frame()
        frame_names = [
            str(name)
            for name, kind in zip(frame["organisation"], frame["org_type"], strict=True)
            if kind != "Kommun"
        ]
    except Exception:  # noqa: BLE001 - frame missing or unreadable: fall back
        frame_names = list(_FALLBACK_ORGANISATIONS)
    names = frame_names + list(EXTRA_ORGANISATIONS)
    # "Region Jämtland/Härjedalen" is also written with a dash or space.
    more = [n.replace("/", "-") for n in names if "/" in n]
    more += [n.replace("/", " ") for n in names if "/" in n]
    return list(dict.fromkeys(names + more))


def _literal(name: str, *, exact_case: bool) -> str:
    """Regex for a literal name: flexible whitespace; case-insensitive unless ``exact_case``."""
    parts = [re.escape(p) for p in name.split()]
    body = r"\s+".join(parts)
    return body if exact_case else f"(?i:{body})"


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _org_alternative(name: str) -> str:
    pat = _literal(name, exact_case=_is_acronym(name) or "PR" in name.split())
    # genitive: "Länsstyrelsens", "RISE:s", "Vinnovas"; not after a final s/x/z
    suffix = r"(?::s)?" if name[-1].lower() in "sxz" else r"(?::?s)?"
    return pat + suffix


def _municipality_alternative(name: str, *, exact_case: bool = False) -> str:
    """A municipality or place in any case ("Umeå", "umeå kommuns", "Umeåborna")."""
    pat = _literal(name, exact_case=exact_case)
    if exact_case:  # ASCII spellings ("Mala", "Asele") only capitalised or in capitals
        pat = f"(?:{pat}|{_literal(name.upper(), exact_case=True)})"
    gen = "" if name[-1].lower() in "sxz" else "s?"
    return rf"{pat}{gen}(?:\s+(?i:kommuns?|kommunen))?(?P<suffix>{_COMPOUND})?"


def _compound_alternative(name: str) -> str:
    """A capitalised place name as the first part of a compound: "Skellefteåbygden",
    "Umeåföretagen", "Vilhelminaskolan", "Umeälven" — the whole word is masked."""
    return rf"{_literal(name, exact_case=True)}{_LOWER}+"


@lru_cache(maxsize=32)
def _compiled(
    extra: tuple[tuple[str, str], ...],
) -> tuple[re.Pattern, dict[str, tuple[str, str | None]]]:
    """One combined regex; each alternative is a numbered group mapped to its placeholder."""
    alternatives: list[tuple[str, str]] = []
    for name, placeholder in extra:
        alternatives.append((_literal(name, exact_case=False), placeholder))
    orgs = sorted(organisation_names(), key=len, reverse=True)
    alternatives += [(_org_alternative(n), ORGANISATION_PLACEHOLDER) for n in orgs]
    # any other region than Region Västerbotten
    alternatives.append(
        (
            rf"Region\s+(?!Västerbotten){_UPPER}{_LOWER}+(?:[/-]{_UPPER}{_LOWER}+)?s?",
            ORGANISATION_PLACEHOLDER,
        )
    )
    canonical, ascii_spellings = _municipality_spellings()
    places = list(dict.fromkeys(canonical + list(LOCALITIES)))
    # longest first, and each place's own forms before the whole-word compound
    for name in sorted(places + ascii_spellings, key=len, reverse=True):
        exact = name in ascii_spellings and name not in places
        alternatives.append(
            (_municipality_alternative(name, exact_case=exact), MUNICIPALITY_PLACEHOLDER)
        )
        if not exact:
            alternatives.append((_compound_alternative(name), MUNICIPALITY_PLACEHOLDER))
    first = "|".join(re.escape(n) for n in sorted(FIRST_NAMES, key=len, reverse=True))
    word = rf"{_UPPER}{_LOWER}+"
    given = rf"(?:(?:{first})(?:-{word})?|{word}-(?:{first}))"
    # a place is not a surname either: "Bo Umeå" is "Bo [kommun]"
    not_surname = "|".join(
        re.escape(n) for n in sorted([*NOT_SURNAMES, *places], key=len, reverse=True)
    )
    surname = rf"(?!(?:{not_surname})(?:en|et|ens|ets|s)?(?![\w-])){word}(?:-{word})?"
    person = rf"{given}(?:\s+{given})?\s+{surname}(?::?s)?"
    alternatives.append((person, PERSON_PLACEHOLDER))

    groups: dict[str, tuple[str, str | None]] = {}
    parts = []
    for i, (pat, placeholder) in enumerate(alternatives, start=1):
        suffix_group = None
        # named groups must be unique: rename each municipality alternative's suffix group
        if "(?P<suffix>" in pat:
            suffix_group = f"s{i}"
            pat = pat.replace("(?P<suffix>", f"(?P<{suffix_group}>")
        parts.append(f"(?P<a{i}>{pat})")
        groups[f"a{i}"] = (placeholder, suffix_group)
    pattern = re.compile(_BEFORE + "(?:" + "|".join(parts) + ")" + _AFTER)
    return pattern, groups


def _fold(text: str) -> str:
    """Lower case, letters without diacritics, only letters and digits: "Umeå-Kraft" → "umeakraft"."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


@lru_cache(maxsize=32)
def _address_keys(
    extra: tuple[tuple[str, str], ...],
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Folded names to look for inside web addresses: (substrings, whole tokens, first names)."""
    names = municipality_names() + list(LOCALITIES) + organisation_names() + [n for n, _ in extra]
    keys = {_fold(n) for n in names} - {""}
    long_keys = frozenset(k for k in keys if len(k) >= 4)
    return long_keys, frozenset(keys - long_keys), frozenset(_fold(n) for n in FIRST_NAMES)


def _address_names_someone(address: str, extra: tuple[tuple[str, str], ...]) -> bool:
    """True if a web address contains a name the text masking would hide ("www.umea.se",
    "rise.se/kontakt", "example.org/anna-lindqvist")."""
    long_keys, short_keys, first_names = _address_keys(extra)
    tokens = [_fold(t) for t in re.split(r"[^\w]+|_", address) if t]
    joined = "".join(tokens)
    if any(key in joined for key in long_keys) or short_keys.intersection(tokens):
        return True
    # "anna-lindqvist", "anna.lindqvist": a first name followed by a further word
    return any(
        t in first_names and nxt.isalpha() for t, nxt in zip(tokens, tokens[1:], strict=False)
    )


def _normalise_extra(extra_names) -> tuple[tuple[str, str], ...]:
    if isinstance(extra_names, Mapping):
        items = [(str(k), str(v)) for k, v in extra_names.items()]
    else:
        items = [(str(n), EXTRA_PLACEHOLDER) for n in extra_names]
    items = [(n.strip(), p) for n, p in items if n and n.strip()]
    return tuple(sorted(items, key=lambda item: (-len(item[0]), item[0])))


def _mask_personal_data(text: str) -> str:
    """E-mail, phone, personnummer and people's names by the one detector list
    (:mod:`analysis.data.pii`), never the municipality and organisation names masked below.

    >>> _mask_personal_data("Sigbritt Ohlsson på regionen, 46701112233, Umeå kommun")
    '[person] på regionen, [telefon], Umeå kommun'
    """
    from analysis.data.pii import find
    from analysis.data.pii.contact import MASKS

    hits = find(text, keep=_keep_names())
    if not hits:
        return text
    parts, last = [], 0
    for h in hits:
        parts.append(text[last : h.start])
        parts.append(PERSON_PLACEHOLDER if h.kind == "name" else MASKS[h.kind])
        last = h.end
    parts.append(text[last:])
    return "".join(parts)


@lru_cache(maxsize=1)
def _keep_names() -> tuple[str, ...]:
    return tuple(municipality_names()) + tuple(organisation_names())


def mask_entities(
    text: str | None, *, extra_names: Iterable[str] | Mapping[str, str] = ()
) -> str | None:
    """Replace municipality, organisation and person names in *text* by placeholders.

    Parameters
    ----------
    text : str or None
        A free-text answer. ``None`` / NaN are returned unchanged.
    extra_names : iterable of str, or mapping name → placeholder
        Further names to mask (matched case-insensitively, before everything else); plain names
        become ``"[namn]"``.

    Returns
    -------
    str
        The text with ``[kommun]``, ``[organisation]``, ``[person]`` (or the given placeholders).

    Notes
    -----
    Web and e-mail addresses are handled before the names: an e-mail address always becomes
    ``[e-post]`` (as in :mod:`analysis.data.pii`); a web address becomes ``[webbadress]`` when it
    contains a name that would be masked ("www.umea.se", "skelleftea.se/kontakt") and is left
    as it is otherwise ("www.regionvasterbotten.se"), so that no address is half masked
    ("www.[kommun].se").

    Examples
    --------
    >>> mask_entities("Skellefteå kommuns och Umeås samarbete med Region Norrbotten")
    '[kommun] och [kommun] samarbete med [organisation]'
    >>> mask_entities("Region Västerbotten och HSLG fungerar bra.")
    'Region Västerbotten och HSLG fungerar bra.'
    >>> mask_entities("Umeåborna och Vännäs kommun")
    '[kommun]borna och [kommun]'
    >>> mask_entities("Projekt Solsken gick bra", extra_names=["Projekt Solsken"])
    '[namn] gick bra'
    >>> mask_entities("Se www.umea.se och www.regionvasterbotten.se om Umeå/Skellefteå.")
    'Se [webbadress] och www.regionvasterbotten.se om [kommun]/[kommun].'
    """
    if text is None or (isinstance(text, float) and text != text):
        return text
    extra = _normalise_extra(extra_names)
    pattern, groups = _compiled(extra)

    def replace(match: re.Match) -> str:
        # the outermost group of the matching alternative closes last
        placeholder, suffix_group = groups[match.lastgroup]
        suffix = match.group(suffix_group) if suffix_group else None
        return placeholder + (suffix or "")

    text = _mask_personal_data(str(text))
    out, pos = [], 0
    for address in _ADDRESS.finditer(text):
        out.append(pattern.sub(replace, text[pos : address.start()]))
        if address.group("email"):
            out.append(EMAIL_PLACEHOLDER)
        elif _address_names_someone(address.group(), extra):
            out.append(URL_PLACEHOLDER)
        else:
            out.append(address.group())
        pos = address.end()
    out.append(pattern.sub(replace, text[pos:]))
    return "".join(out)
