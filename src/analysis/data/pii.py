"""Personal data: drop name/e-mail/phone columns, mask e-mail, phone and personnummer in text.

Columns are recognised by their header (``Email``, ``E-postadress``, ``Name``, ``Namn``,
``Telefon`` …) and dropped on the way in. Inside free text, e-mail addresses become
``[e-post]``, Swedish phone numbers ``[telefon]`` and personnummer/samordningsnummer
``[personnummer]`` (any dash look-alike counts as a hyphen). Ordinary numbers — years
("2021-2023"), SCB codes ("2480"), amounts ("100 000-200 000"), times, dates and case numbers —
are left alone. Before its name and e-mail columns are dropped, a respondent's own name (and
e-mail local part) is masked as ``[namn]`` in that respondent's answers (:func:`person_pattern`).
Only counts are reported, never values.

>>> mask_text("Ring 070-123 45 67 eller mejla anna@example.org (pnr 850709-9805), 2021-2023.")
('Ring [telefon] eller mejla [e-post] (pnr [personnummer]), 2021-2023.', {'email': 1, 'phone': 1, 'personnummer': 1})
>>> is_pii_header("E-postadress"), is_pii_header("Vilken kommun representerar du?")
(True, False)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MASKS = {
    "email": "[e-post]",
    "phone": "[telefon]",
    "personnummer": "[personnummer]",
    "name": "[namn]",
}
"""Replacement text per kind of personal data (the manifest's ``masked_counts`` keys)."""

_EMAIL_HEADER = r"e-?post(adress)?|e-?mail(adress| address)?|mejl(adress)?|mail(adress)?"
_NAME_HEADER = (
    r"name|full name|namn|förnamn|efternamn|fullständigt namn|ditt namn|"
    r"respondentens namn|kontaktperson"
)
_PHONE_HEADER = r"telefon(nummer)?|tel(efon)?\.? ?nr|mobil(nummer|telefon)?|phone( number)?|mobile"
_PNR_HEADER = r"personnummer|personnr|person number|personal identity number"
_HEADER_KINDS = {
    kind: re.compile(rf"(?:{pattern})")
    for kind, pattern in (
        ("email", _EMAIL_HEADER),
        ("name", _NAME_HEADER),
        ("phone", _PHONE_HEADER),
        ("personnummer", _PNR_HEADER),
    )
}

# "anna@example.org", also written "anna(at)example.org" / "anna [at] example.org"
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s?[(\[]at[)\]]\s?)[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])"
)

# Dash look-alikes (hyphen, non-breaking hyphen, figure dash, en/em dash, minus …) read as "-".
# Each is one code point, so the normalised text has the same offsets as the original.
_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")
)
_H = r"[^\S\r\n]"  # horizontal white space, including no-break and narrow no-break space
_SEP = rf"(?:{_H}?[-./]{_H}?|{_H})"

# YYMMDD or YYYYMMDD (date groups optionally spaced: "85 07 09"), then an optional "-", "+" or
# space and four digits; day 61–91 = samordningsnummer.
_PNR = re.compile(
    rf"(?<![\w+\-/.,])(?<!\d{_H})(?P<century>19|20)?(?P<yy>\d\d)(?P<s>{_H}?)"
    r"(?P<mm>0[1-9]|1[0-2])(?P=s)(?P<dd>0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
    rf"(?P<sep>{_H}?[-+]{_H}?|{_H})?(?P<last>\d{{4}})(?!\d|[.,]\d)"
)
# Words before (or just after) a number that say it is a personnummer …
_PNR_CONTEXT = re.compile(
    r"(?i)(?:person|samordnings)[\s\-]*(?:nummer|nr)|(?<![^\W\d_])p[\-.]?nr(?![^\W\d_])"
)
# … or that it is a case, decision or order number (then a check digit alone is not enough).
_CASE_CONTEXT = re.compile(
    r"(?i)(?<![^\W\d_])(?:dnr|diarie\w*|ärende\w*|beslut\w*|protokoll\w*|§|ref(?:erens)?\w*"
    r"|order\w*|faktura\w*|avtal\w*|projekt\w*|kundnummer|löpnummer|org(?:anisations)?\.?nr"
    r"|organisationsnummer)"
    r"[\s.:#]*$"
)
# International (+46 / 0046) or national (0 + area code, or "(0xx)") phone numbers: digits in
# groups separated by spaces, "-", "." or "/". Candidates are checked by :func:`_phone_length`.
_PHONE = re.compile(
    rf"(?<![\w+])(?:\+|00)46{_SEP}?(?:\(0\){_SEP}?)?\d(?:{_SEP}?\d){{5,10}}(?!\d|[.,]\d)"
    rf"|(?<![\w+])(?<!\d[.,/\-])(?<!\d{_H})(?:\(0[1-9]\d{{0,2}}\){_H}?\d|0[1-9])"
    rf"(?:{_SEP}?\d){{5,10}}(?!\d|[.,]\d)"
)
_GROUP_SPLIT = re.compile(rf"{_H}?[-./]{_H}?|{_H}|[()]")


def _header_norm(header: str) -> str:
    s = unicodedata.normalize("NFKC", str(header)).casefold()
    s = s.replace("\u00a0", " ")
    s = re.sub(r"\s+", " ", s).strip()
    return s.rstrip("?:. ")


def pii_header_kind(header: str) -> str | None:
    """The kind of personal data a column header names (``email``, ``name``, ``phone``,
    ``personnummer``), or ``None``. The whole header must match, not a part of it.

    >>> [pii_header_kind(h) for h in ["E-postadress", "Namn", "Mobilnummer", "Namn på kommunen"]]
    ['email', 'name', 'phone', None]
    """
    norm = _header_norm(header)
    for kind, pattern in _HEADER_KINDS.items():
        if pattern.fullmatch(norm):
            return kind
    return None


def is_pii_header(header: str) -> bool:
    """Whether a column header names personal data (the whole header, not a part of it).

    >>> [is_pii_header(h) for h in ["Email", "Namn", "Telefonnummer", "Namn på organisationen"]]
    [True, True, True, False]
    """
    return pii_header_kind(header) is not None


def normalise_dashes(text: str) -> str:
    """*text* with every dash look-alike (U+2010–U+2015, U+2212 …) replaced by ``-``.

    The result has the same length, so match offsets apply to the original text.

    >>> normalise_dashes("070\u2013123 45 67, 070\u2011123")
    '070-123 45 67, 070-123'
    """
    return text.translate(_DASHES)


def luhn_ok(digits: str) -> bool:
    """Whether the ten digits ``YYMMDDNNNC`` of a personnummer have a valid check digit (Luhn).

    >>> luhn_ok("8507099805"), luhn_ok("8507099806")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def find_personnummer(text: str) -> list[tuple[str, int, int]]:
    """Personnummer / samordningsnummer in *text* as ``(match, start, end)``.

    Accepted forms: ``YYMMDD-NNNN``, ``YYYYMMDDNNNN``, ``+`` for people over 100, an en dash or
    a space before the last four digits, spaced date groups (``85 07 09-9805``). A number counts
    when its check digit is valid — unless the words just before it call it a case, decision or
    order number ("dnr", "beslut", "ärende" …) — or when the text around it says "personnummer"
    or "pnr" (then a mistyped check digit is still personal data).

    >>> [m for m, _, _ in find_personnummer("Nr 811218-9876 och 19811218\u20139876, ej 811218-9875.")]
    ['811218-9876', '19811218\u20139876']
    >>> find_personnummer("Beslut 20230512-1234, SCB-kod 2480, år 2021-2023")
    []
    >>> [m for m, _, _ in find_personnummer("personnummer: 850709 9806")]
    ['850709 9806']
    """
    norm = normalise_dashes(text)
    out = []
    for m in _PNR.finditer(norm):
        ten = m["yy"] + m["mm"] + m["dd"] + m["last"]
        before = norm[max(0, m.start() - 40) : m.start()]
        after = norm[m.end() : m.end() + 25]
        said = bool(_PNR_CONTEXT.search(before) or _PNR_CONTEXT.search(after))
        if not said:
            if m["century"] is None and not m["sep"] and not m["s"] and ten.startswith("0"):
                continue  # "0701234567" is a mobile number
            if not luhn_ok(ten) or _CASE_CONTEXT.search(before):
                continue
        out.append((text[m.start() : m.end()], m.start(), m.end()))
    return out


def _is_phone(candidate: str) -> bool:
    """Whether a normalised candidate of ``_PHONE`` is a plausible Swedish phone number."""
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith(("+", "00")):
        national = digits[2:] if candidate.startswith("+") else digits[4:]
        return 7 <= len(national.lstrip("0")) <= 9 and not national.startswith("00")
    if not 8 <= len(digits) <= 10:
        return False
    seps = [s.strip() for s in re.findall(rf"{_H}?[-./]{_H}?|{_H}", candidate)]
    marks = [s for s in seps if s]
    if "." in marks and (len(marks) != len(seps) or set(marks) != {"."}):
        return False  # "08.30-16.00", "09.00 10.00" are times; only "070.123.45.67" uses dots
    if "/" in marks and (marks.count("/") > 1 or seps[0] != "/"):
        return False  # "/" only after the area code: "090/16 10 00"
    groups = [g for g in _GROUP_SPLIT.split(candidate) if g]
    if [len(g) for g in groups] == [2, 2, 4] and groups[2][:2] in ("19", "20"):
        return False  # a date: "01.05.2023", "01/05 2023"
    return bool(seps) or candidate.startswith(("07", "("))


def find_phones(text: str) -> list[tuple[str, int, int]]:
    """Swedish phone numbers in *text* as ``(match, start, end)``.

    National numbers start with ``0`` and an area code (``070``, ``090``, ``08``, ``(090)``),
    international ones with ``+46`` or ``0046``; groups may be separated by spaces, a hyphen or
    any dash, dots or a ``/`` after the area code. Years, ranges of amounts, times, dates,
    decimals and SCB codes are not phone numbers.

    >>> [m for m, _, _ in find_phones("Ring 070\u2013123 45 67, (090) 16 10 00 eller +46 70.")]
    ['070\u2013123 45 67', '(090) 16 10 00']
    >>> find_phones("100 000-200 000 kr, 1 000\u20132 000, 2021-2023, kl. 08.30-16.00, 01.05.2023")
    []
    """
    norm = normalise_dashes(text)
    out = []
    for m in _PHONE.finditer(norm):
        cand = m.group(0)
        # the longest prefix that ends at a group boundary and is a phone number
        # ("070-123 45 67 2 gånger" → "070-123 45 67")
        ends = [len(cand)] + [g.start() for g in re.finditer(rf"{_SEP}\d", cand)][::-1]
        for end in ends:
            if _is_phone(cand[:end]):
                out.append((text[m.start() : m.start() + end], m.start(), m.start() + end))
                break
    return out


def _replace_spans(text: str, spans: list[tuple[str, int, int]], mask: str) -> str:
    parts, last = [], 0
    for _, start, end in spans:
        parts.append(text[last:start])
        parts.append(mask)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def mask_text(text: str) -> tuple[str, dict[str, int]]:
    """Mask e-mail addresses, personnummer and phone numbers in *text*; return (text, counts).

    Only the masked numbers change; dashes and spaces elsewhere are kept as written.

    >>> mask_text("+46 70 123 45 67, 090\u201316 10 00 och 19850709-9805")[0]
    '[telefon], [telefon] och [personnummer]'
    >>> mask_text("SCB-kod 2480, år 2021\u20132023, 15 av 43, 0,5 %, 100 000-200 000 kr")[1]
    {'email': 0, 'phone': 0, 'personnummer': 0}
    """
    counts = {"email": 0, "phone": 0, "personnummer": 0}
    if not text:
        return text, counts

    def email(m: re.Match) -> str:
        counts["email"] += 1
        return MASKS["email"]

    out = _EMAIL.sub(email, text)
    found = find_personnummer(out)
    counts["personnummer"] = len(found)
    out = _replace_spans(out, found, MASKS["personnummer"])
    found = find_phones(out)
    counts["phone"] = len(found)
    out = _replace_spans(out, found, MASKS["phone"])
    return out, counts


# ----------------------------------------------------------------------------- names

# Names that are also everyday Swedish words ("per år", "bo kvar", "berg"): masked only when
# written with a capital initial, as a name is.
_WORD_NAMES = frozenset([
    "alm", "ask", "backe", "berg", "bo", "bro", "by", "bäck", "dag", "dal", "ek", "falk", "fors",
    "gran", "hall", "hed", "holm", "jan", "karl", "klara", "kvist", "lax", "lena", "lind", "liv",
    "lo", "lund", "lång", "maj", "mark", "mats", "max", "norr", "nord", "ny", "per", "ros", "rut",
    "saga", "sjö", "skog", "sol", "sten", "stig", "stor", "strand", "ström", "sund", "svan",
    "söder", "vik", "väst", "öst", "örn",
])  # fmt: skip
# Values of a name column that are not a name.
_NOT_NAMES = frozenset([
    "anonym", "anonymous", "anon", "ej", "nej", "ingen", "inget", "vill", "uppge", "okänd",
    "unknown", "namn", "name", "none", "null", "na", "test", "person", "respondent",
])  # fmt: skip
_TOKEN_SPLIT = re.compile(r"[\s,;()/]+")


def _name_tokens(value: str) -> list[str]:
    """The words of a name: whole hyphenated names and their parts, letters only."""
    out: list[str] = []
    for word in _TOKEN_SPLIT.split(value):
        word = word.strip(".-'")
        parts = [word, *word.split("-")] if "-" in word else [word]
        for part in parts:
            if (
                len(part) >= 2
                and part.replace("-", "").isalpha()
                and part.casefold() not in _NOT_NAMES
            ):
                out.append(part)
    return out


def person_pattern(names: list[str], emails: list[str] = ()) -> re.Pattern | None:
    """A pattern for one respondent's name in free text (``None`` when there is nothing to find).

    It matches the full name (either order), each first name and surname, and the e-mail
    address's local part and its parts — case-insensitive, whole words, also in the genitive
    ("Lars", "lars", "Exempelssons"). Names that are everyday words ("Per", "Berg") match only
    with a capital initial. Values like "Anonym" are ignored.

    >>> p = person_pattern(["Per Exempelsson"], ["per.exempelsson@example.org"])
    >>> mask_person("Mvh Per, exempelssons förslag: två gånger per år", p)
    ('Mvh [namn], [namn] förslag: två gånger per år', 2)
    >>> person_pattern(["Anonymous"], []) is None
    True
    """
    insensitive: set[str] = set()
    capital: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            continue
        tokens = _name_tokens(name)
        for token in tokens:
            (capital if token.casefold() in _WORD_NAMES else insensitive).add(token)
        whole = [w.strip(".-'") for w in _TOKEN_SPLIT.split(name) if w.strip(".-'") in tokens]
        if len(whole) >= 2:
            insensitive.add(r"\s+".join(map(re.escape, whole)) + "\0")
            insensitive.add(r"\s+".join(map(re.escape, whole[::-1])) + "\0")
    for email in emails:
        if not isinstance(email, str) or "@" not in email:
            continue
        local = email.strip().split("@", 1)[0]
        if len(local) >= 2 and local.casefold() not in _NOT_NAMES:
            insensitive.add(local)
        for token in _name_tokens(re.sub(r"[._+\d]+", " ", local)):
            (capital if token.casefold() in _WORD_NAMES else insensitive).add(token)

    def alternatives(terms: set[str]) -> str:
        # terms ending in "\0" are ready-made patterns (full names with flexible spacing)
        pats = [t[:-1] if t.endswith("\0") else re.escape(t) for t in terms]
        return "|".join(sorted(pats, key=len, reverse=True))

    alts = []
    if insensitive:
        alts.append(f"(?i:{alternatives(insensitive)})")
    if capital:
        alts.append(alternatives({t[0].upper() + t[1:] for t in capital}))
    if not alts:
        return None
    return re.compile(rf"(?<![\w@.])(?:{'|'.join(alts)})(?::?s|')?(?![\w@])")


def mask_person(text: str, pattern: re.Pattern | None) -> tuple[str, int]:
    """Replace every match of a :func:`person_pattern` in *text* with ``[namn]``; return
    (text, count)."""
    if pattern is None or not text:
        return text, 0
    return pattern.subn(MASKS["name"], text)


# A string can only hold an e-mail address, phone number or personnummer if it has a digit, an
# "@" or an "(at)"/"[at]" (RE2 syntax, for the vectorised pre-check).
_PII_CANDIDATE = r"[\p{Nd}@]|[(\[]at[)\]]"


def _candidates(strings: list[str]):
    """Boolean array: which *strings* could hold something :func:`mask_text` masks."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not strings:
        return np.zeros(0, dtype=bool)
    arr = pa.array(strings, type=pa.large_string())
    return pc.match_substring_regex(arr, _PII_CANDIDATE).to_numpy(zero_copy_only=False)


def mask_series(values):
    """Mask every string of a pandas Series; return (new Series, counts). The input is not changed.

    Vectorised: each distinct string is masked once (:func:`mask_text`), and only strings with a
    digit, an ``@`` or ``(at)``/``[at]`` are looked at; counts are per occurrence.

    >>> import pandas as pd
    >>> s = pd.Series(["mejla a@example.org", None, "mejla a@example.org", "inget"], dtype=object)
    >>> out, counts = mask_series(s)
    >>> out.tolist(), counts
    (['mejla [e-post]', None, 'mejla [e-post]', 'inget'], {'email': 2, 'phone': 0, 'personnummer': 0})
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    counts = {"email": 0, "phone": 0, "personnummer": 0}
    out = values.copy()
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        # distinct strings stay in Arrow; only the candidates become Python strings
        arr = pa.array(values.array)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        encoded = pc.dictionary_encode(arr)
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        dictionary = encoded.dictionary
        cand = pc.match_substring_regex(dictionary, _PII_CANDIDATE)
        keys = np.flatnonzero(pc.fill_null(cand, False).to_numpy(zero_copy_only=False))
        candidates = dict(
            zip(keys.tolist(), dictionary.take(pa.array(keys)).to_pylist(), strict=True)
        )
        n_uniques = len(dictionary)
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        uniques = uniques.tolist()
        strings = [k for k, u in enumerate(uniques) if isinstance(u, str)]
        flags = _candidates([uniques[k] for k in strings])
        candidates = {strings[i]: uniques[strings[i]] for i in np.flatnonzero(flags)}
        n_uniques = len(uniques)
    if not candidates:
        return out, counts
    codes = np.asarray(codes, dtype=np.int64)
    freq = np.bincount(codes[codes >= 0], minlength=n_uniques)
    changed: dict[int, str] = {}
    for k, text in candidates.items():
        masked, c = mask_text(text)
        if masked != text:
            changed[k] = masked
        for kind, n in c.items():
            counts[kind] += n * int(freq[k])
    if changed:
        keys = np.fromiter(changed, dtype=np.int64)
        rows = np.flatnonzero(np.isin(codes, keys))
        out = _replace_rows(values, rows, [changed[c] for c in codes[rows]])
    return out, counts


def _replace_rows(values, rows, new: list):
    """A copy of Series *values* with positions *rows* set to *new*; for an Arrow-backed
    Series only the chunks that change are copied."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(values.array, pd.arrays.ArrowStringArray):
        out = values.copy()
        out.iloc[rows] = new
        return out
    arr = pa.array(values.array)
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    rows = np.asarray(rows, dtype=np.int64)
    out, start, k = [], 0, 0
    for chunk in chunks:
        stop = start + len(chunk)
        j = int(np.searchsorted(rows, stop))
        if j > k:
            mask = np.zeros(len(chunk), dtype=bool)
            mask[rows[k:j] - start] = True
            chunk = pc.replace_with_mask(chunk, pa.array(mask), pa.array(new[k:j], chunk.type))
        out.append(chunk)
        start, k = stop, j
    result = pa.chunked_array(out, type=arr.type)
    return pd.Series(pd.array(result, dtype=values.dtype), index=values.index, name=values.name)


# ------------------------------------------------------------------ own name, vectorised
@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Lower-case letters that ``re``'s IGNORECASE treats as another letter ("ı" ~ "i", "ſ" ~
    "s", "ς" ~ "σ" …) → that letter."""
    table: dict[int, str] = {}
    for cp in range(0x10000):
        ch = chr(cp)
        low, up = ch.lower(), ch.upper()
        if len(low) == 1 and len(up) == 1 and len(up.lower()) == 1 and up.lower() != low:
            table[ord(low)] = up.lower()
    return table


def fold_case(text: str) -> str:
    """*text* lower-cased so that whenever ``(?i)`` makes a pattern match it, the folded pattern
    is a substring of the folded text (simple case mapping, length kept).

    >>> fold_case("LİNA Iſak"), fold_case("lına")
    ('lina isak', 'lina')
    """
    return text.replace("\u0130", "i").lower().translate(_fold_table())


def person_terms(names: list[str], emails: list[str] = ()) -> list[str]:
    """Words at least one of which every match of ``person_pattern(names, emails)`` contains.

    Used as a cheap pre-check: a text whose :func:`fold_case` contains none of the folded terms
    cannot contain the respondent's name.

    >>> person_terms(["Per Exempelsson"], ["per.exempelsson@example.org"])
    ['Exempelsson', 'Per', 'exempelsson', 'per', 'per.exempelsson']
    """
    terms: set[str] = set()
    for name in names:
        if isinstance(name, str):
            terms.update(_name_tokens(name))
    for email in emails:
        if not isinstance(email, str) or "@" not in email:
            continue
        local = email.strip().split("@", 1)[0]
        if len(local) >= 2 and local.casefold() not in _NOT_NAMES:
            terms.add(local)
        terms.update(_name_tokens(re.sub(r"[._+\d]+", " ", local)))
    return sorted(terms)


@lru_cache(maxsize=1 << 16)
def _folded_terms(names: tuple, emails: tuple) -> tuple[str, ...]:
    return tuple(fold_case(t) for t in person_terms(list(names), list(emails)))


@lru_cache(maxsize=4096)
def _cached_pattern(names: tuple, emails: tuple) -> re.Pattern | None:
    return person_pattern(list(names), list(emails))


def _mentions(text: str, term: str) -> bool:
    """Whether folded *term* occurs in folded *text* where :func:`person_pattern` could match
    it: not inside a longer word, e-mail address or dotted name (a necessary condition)."""
    start = text.find(term)
    while start >= 0:
        before = text[start - 1] if start else " "
        if not (before.isalnum() or before in "_@."):
            end = start + len(term)
            for suffix in ("", "s", ":s", "'"):
                if text.startswith(suffix, end):
                    after = text[end + len(suffix) : end + len(suffix) + 1] or " "
                    if not (after.isalnum() or after in "_@"):
                        return True
        start = text.find(term, start + 1)
    return False


def _arrow_strings(values):
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(values.array if hasattr(values, "array") else list(values))
    return values.cast(pa.large_string())


def mask_people(texts, names: list, emails: list = ()):
    """Mask each respondent's own name in their texts (vectorised :func:`mask_person`).

    Parameters
    ----------
    texts
        pandas Series of texts (missing for none), one per respondent. Not modified.
    names, emails
        Lists of columns (Arrow arrays, Series or lists aligned with *texts*) holding the
        respondent's name and e-mail cells (missing when empty).

    Returns
    -------
    (pandas.Series, int)
        The texts (masked where the name occurs) and the number of names masked. A pattern is
        compiled only for a respondent whose text contains one of their :func:`person_terms`.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = pd.Series(["Hälsningar Anna", "Anna är bra", None], dtype=object)
    >>> out, n = mask_people(texts, [["Anna Ek", None, "X"]])
    >>> out.tolist(), n
    (['Hälsningar [namn]', 'Anna är bra', None], 1)
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out = texts.copy()
    cols = [_arrow_strings(c) for c in (*names, *emails)]
    if not cols or not len(texts):
        return out, 0
    valid = texts.notna().to_numpy()
    has_person = np.zeros(len(texts), dtype=bool)
    for c in cols:
        has_person |= c.is_valid().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(valid & has_person)
    if not len(rows):
        return out, 0
    take = pa.array(rows)
    parts = [c.take(take) for c in cols]
    parts.insert(len(names), pa.array(["\x1e"] * len(rows), pa.large_string()))
    key = pc.binary_join_element_wise(
        *parts, pa.scalar("\x1f", pa.large_string()), null_handling="replace",
        null_replacement="\x00",
    )  # fmt: skip
    person = pc.dictionary_encode(key).indices.to_numpy(zero_copy_only=False)
    del key
    # the words to look for, once per distinct person
    firsts = np.unique(person, return_index=True)[1]
    values = [c.take(pa.array(rows[firsts])).to_pylist() for c in cols]
    del parts
    who: list[tuple[tuple, tuple]] = []
    terms: list[tuple[str, ...]] = []
    for k in range(len(firsts)):
        people = (
            tuple(v[k] for v in values[: len(names)] if v[k] is not None),
            tuple(v[k] for v in values[len(names) :] if v[k] is not None),
        )
        who.append(people)
        terms.append(_folded_terms(*people))
    del values
    all_texts = _arrow_strings(texts)
    special = "[" + re.escape("".join(chr(k) for k in _fold_table())) + "]"
    table = _fold_table()
    hits: list[int] = []
    step = 65536  # Python strings for one block of texts at a time
    for begin in range(0, len(rows), step):
        block = pc.utf8_lower(all_texts.take(pa.array(rows[begin : begin + step])))
        needs = pc.match_substring_regex(block, special).to_pylist()
        folded = block.to_pylist()
        for k, flag in enumerate(needs):
            if flag:
                folded[k] = folded[k].translate(table)
        pids = person[begin : begin + step].tolist()
        for k, (pid, text) in enumerate(zip(pids, folded, strict=True)):
            for term in terms[pid]:
                if term in text and _mentions(text, term):
                    hits.append(begin + k)
                    break
    changed_rows: list[int] = []
    changed: list[str] = []
    total = 0
    for k in hits:
        pattern = _cached_pattern(*who[int(person[k])])
        new, n = mask_person(all_texts[int(rows[k])].as_py(), pattern)
        if n:
            changed_rows.append(int(rows[k]))
            changed.append(new)
            total += n
    if changed_rows:
        out = _replace_rows(texts, changed_rows, changed)
    return out, total


__all__ = [
    "MASKS",
    "find_personnummer",
    "find_phones",
    "fold_case",
    "is_pii_header",
    "luhn_ok",
    "mask_people",
    "mask_person",
    "mask_series",
    "mask_text",
    "normalise_dashes",
    "person_pattern",
    "person_terms",
    "pii_header_kind",
]
