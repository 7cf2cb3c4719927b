"""Personal data: drop name/e-mail/phone columns, mask e-mail, phone and personnummer in text.

Columns are recognised by their header (``Email``, ``E-postadress``, ``Name``, ``Namn``,
``Telefon`` …) and dropped on the way in. Inside free text, e-mail addresses become
``[e-post]``, Swedish phone numbers ``[telefon]`` and personnummer/samordningsnummer
``[personnummer]``. Ordinary numbers — years ("2021-2023"), SCB codes ("2480"), amounts — are left
alone. Only counts are reported, never values.

>>> mask_text("Ring 070-123 45 67 eller mejla anna@example.org (pnr 850709-9805), 2021-2023.")
('Ring [telefon] eller mejla [e-post] (pnr [personnummer]), 2021-2023.', {'email': 1, 'phone': 1, 'personnummer': 1})
>>> is_pii_header("E-postadress"), is_pii_header("Vilken kommun representerar du?")
(True, False)
"""

from __future__ import annotations

import re
import unicodedata

MASKS = {"email": "[e-post]", "phone": "[telefon]", "personnummer": "[personnummer]"}
"""Replacement text per kind of personal data (the manifest's ``masked_counts`` keys)."""

_PII_HEADER = re.compile(
    r"(e-?post(adress)?|e-?mail(adress| address)?|mejl(adress)?|mail(adress)?|"
    r"name|full name|namn|förnamn|efternamn|fullständigt namn|ditt namn|"
    r"respondentens namn|kontaktperson|"
    r"telefon(nummer)?|tel(efon)?\.? ?nr|mobil(nummer|telefon)?|phone( number)?|mobile|"
    r"personnummer|personnr|person number|personal identity number)"
)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# YYMMDD or YYYYMMDD, optional "-"/"+", four digits; day 61–91 = samordningsnummer
_PNR = re.compile(
    r"(?<![\d-])(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
    r"[-+]?\d{4}(?![\d])"
)
# +46 / 0046 / 0 followed by 7–9 digits in groups separated by spaces or "-"
_PHONE = re.compile(
    r"(?<![\w+])(?:\+46|0046)[\s-]?(?:\(0\)[\s-]?)?\d(?:[\s-]?\d){6,9}(?![\d])"
    r"|(?<![\w+,.])0\d(?:[\s-]?\d){6,9}(?![\d]|[.,]\d)"
)
_SEPARATORS = re.compile(r"[\s-]")


def _header_norm(header: str) -> str:
    s = unicodedata.normalize("NFKC", str(header)).casefold()
    s = s.replace("\u00a0", " ")
    s = re.sub(r"\s+", " ", s).strip()
    return s.rstrip("?:. ")


def is_pii_header(header: str) -> bool:
    """Whether a column header names personal data (the whole header, not a part of it).

    >>> [is_pii_header(h) for h in ["Email", "Namn", "Telefonnummer", "Namn på organisationen"]]
    [True, True, True, False]
    """
    return bool(_PII_HEADER.fullmatch(_header_norm(header)))


def _phone_ok(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    if match.startswith("+46") or match.startswith("0046"):
        national = digits[2:] if match.startswith("+") else digits[4:]
        national = national.lstrip("0")
        return 7 <= len(national) <= 9
    # national format: leading 0 + 7–9 digits; require a separator pattern or a mobile prefix
    if not 8 <= len(digits) <= 10:
        return False
    return bool(_SEPARATORS.search(match)) or digits.startswith("07")


def mask_text(text: str) -> tuple[str, dict[str, int]]:
    """Mask e-mail addresses, personnummer and phone numbers in *text*; return (text, counts).

    >>> mask_text("+46 70 123 45 67, 090-16 10 00 och 19850709-9805")[0]
    '[telefon], [telefon] och [personnummer]'
    >>> mask_text("SCB-kod 2480, år 2021-2023, 15 av 43, 0,5 %, 2 500 000 kr")[1]
    {'email': 0, 'phone': 0, 'personnummer': 0}
    """
    counts = {"email": 0, "phone": 0, "personnummer": 0}
    if not text:
        return text, counts

    def email(m: re.Match) -> str:
        counts["email"] += 1
        return MASKS["email"]

    def pnr(m: re.Match) -> str:
        s = m.group(0)
        if len(s) == 10 and s.startswith("0"):  # "0701234567" is a mobile number, not a pnr
            return s
        counts["personnummer"] += 1
        return MASKS["personnummer"]

    def phone(m: re.Match) -> str:
        if not _phone_ok(m.group(0)):
            return m.group(0)
        counts["phone"] += 1
        return MASKS["phone"]

    out = _EMAIL.sub(email, text)
    out = _PNR.sub(pnr, out)
    out = _PHONE.sub(phone, out)
    return out, counts


def mask_series(values):
    """Mask every string of a pandas Series; return (new Series, counts). The input is not changed."""
    counts = {"email": 0, "phone": 0, "personnummer": 0}
    out = values.copy()
    for idx, v in values.items():
        if isinstance(v, str):
            masked, c = mask_text(v)
            if masked != v:
                out.at[idx] = masked
            for k, n in c.items():
                counts[k] += n
    return out, counts


__all__ = ["MASKS", "is_pii_header", "mask_series", "mask_text"]
