"""Bulk masking for large exports: distinct values once, Arrow-backed columns, own names.

:func:`mask_column` runs the detectors of :mod:`analysis.data.pii.detect` over a column;
:func:`mask_people` masks each respondent's own name (from the export's name and e-mail columns,
before they are dropped) in that respondent's answers, compiling a pattern only for respondents
whose text mentions them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from analysis.data.pii.contact import KINDS, MASKS
from analysis.data.pii.detect import _keep, _kinds, mask
from analysis.data.pii.parallel import mask_all

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


# Every string may hold a person's name, so every distinct string is a candidate (the detectors
# themselves are cheap on text without digits, "@" or capitals).
_PII_CANDIDATE = r"[\p{L}\p{Nd}@]"


def _candidates(strings: list[str]):
    """Boolean array: which *strings* could hold something :func:`mask_text` masks."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not strings:
        return np.zeros(0, dtype=bool)
    arr = pa.array(strings, type=pa.large_string())
    return pc.match_substring_regex(arr, _PII_CANDIDATE).to_numpy(zero_copy_only=False)


def mask_column(values, *, kinds=KINDS, keep=()):
    """Mask every string of a pandas Series with :func:`~analysis.data.pii.detect.mask`; return
    (new Series, counts per kind). The input is not changed.

    Vectorised for large exports: each distinct string is masked once (Arrow dictionary encoding
    for Arrow-backed columns), counts are per occurrence, and only the rows that change are
    copied.

    >>> import pandas as pd
    >>> s = pd.Series(["mejla a@example.org", None, "mejla a@example.org", "inget"], dtype=object)
    >>> out, counts = mask_column(s)
    >>> out.tolist(), counts
    (['mejla [e-post]', None, 'mejla [e-post]', 'inget'], {'email': 2, 'phone': 0, 'personnummer': 0, 'name': 0})
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    counts = dict.fromkeys(KINDS, 0)
    out = values.copy()
    lookup = None
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        # distinct strings stay in Arrow; only the candidates become Python strings
        arr = pa.array(values.array)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        encoded = pc.dictionary_encode(arr)
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        dictionary = encoded.dictionary
        cand = pc.match_substring_regex(dictionary, _PII_CANDIDATE)
        keys = np.flatnonzero(pc.fill_null(cand, False).to_numpy(zero_copy_only=False))
        strings = dictionary.take(pa.array(keys))
        candidates = dict(zip(keys.tolist(), strings.to_pylist(), strict=True))
        n_uniques = len(dictionary)

        def lookup(prefetched):  # positions of the candidates among texts prefetched
            found = pc.index_in(strings, value_set=pa.array(prefetched, strings.type))
            return pc.fill_null(found, -1).to_numpy(zero_copy_only=False)
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
    keys = list(candidates)
    texts = list(candidates.values())
    for j, (masked, c) in mask_all(texts, kinds=kinds, keep=keep, lookup=lookup).items():
        k = keys[j]
        if masked != candidates[k]:
            changed[k] = masked
        for kind, n in c.items():
            counts[kind] += n * int(freq[k])
    if changed:
        keys = np.fromiter(changed, dtype=np.int64)
        rows = np.flatnonzero(np.isin(codes, keys))
        out = _replace_rows(values, rows, [changed[c] for c in codes[rows]])
    return out, counts


def candidate_texts(values):
    """The distinct strings of an Arrow-backed string Series that :func:`mask_column` masks
    (an Arrow array, in order of first appearance), e.g. to :func:`~.parallel.prefetch` them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.array)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    uniques = pc.unique(arr).drop_null()
    return uniques.filter(pc.fill_null(pc.match_substring_regex(uniques, _PII_CANDIDATE), False))


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


def mask_series(values, **kw):
    """Mask every string of a pandas Series; return (new Series, counts summed over rows).

    Each distinct value is masked once (answers repeat a lot), so a million rows cost no more
    than their distinct values; without ``own_names`` this is :func:`mask_column`. Values that are not strings (NaN, numbers) are left as they are;
    the index, name and dtype are kept. Keyword arguments are those of :func:`mask`;
    ``own_names`` may also be a Series aligned with *values* (one respondent's own names per
    row, a string or a list of strings).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["Ring 070-111 22 33", None, "Bra!", "Ring 070-111 22 33"], dtype=object)
    >>> out, counts = mask_series(s)
    >>> out.tolist(), counts["phone"]
    (['Ring [telefon]', None, 'Bra!', 'Ring [telefon]'], 2)
    """
    import pandas as pd

    counts = dict.fromkeys(KINDS, 0)
    own = kw.pop("own_names", ())
    if not isinstance(own, pd.Series) and not own:
        return mask_column(values, kinds=kw.pop("kinds", KINDS), keep=kw.pop("keep", ()), **kw)
    kinds = _kinds(kw.pop("kinds", KINDS))
    keep = _keep(kw.pop("keep", ()))
    if kw:
        raise TypeError(f"unexpected keyword arguments {sorted(kw)}")
    if isinstance(own, pd.Series):
        own = own.reindex(values.index)
        cache: dict = {}
        out_values = []
        changed = False
        for value, owner in zip(values.tolist(), own.tolist(), strict=True):
            if not isinstance(value, str):
                out_values.append(value)
                continue
            names = (owner,) if isinstance(owner, str) else tuple(_listlike(owner))
            key = (value, names)
            if key not in cache:
                cache[key] = mask(value, kinds=kinds, keep=keep, own_names=names)
            masked, c = cache[key]
            for k, v in c.items():
                counts[k] += v
            changed |= masked != value
            out_values.append(masked)
        if not changed:
            return values.copy(), counts
        return pd.Series(
            out_values, index=values.index, name=values.name, dtype=values.dtype
        ), counts

    own_t = (own,) if isinstance(own, str) else tuple(_listlike(own))
    frequencies = values.value_counts(dropna=True)
    replace = {}
    for value, times in frequencies.items():
        if not isinstance(value, str):
            continue
        masked, c = mask(value, kinds=kinds, keep=keep, own_names=own_t)
        for k, v in c.items():
            counts[k] += v * int(times)
        if masked != value:
            replace[value] = masked
    if not replace:
        return values.copy(), counts
    out = values.copy()
    hit = values.isin(list(replace))
    out[hit] = values[hit].map(replace)
    return out, counts


def _listlike(value) -> Sequence:
    if value is None or (isinstance(value, float) and value != value):
        return ()
    if isinstance(value, str):
        return (value,)
    try:
        return [v for v in value if isinstance(v, str)]
    except TypeError:
        return ()
