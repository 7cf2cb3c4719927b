"""Detectors for e-mail addresses, phone numbers and personnummer, on normalised text with
offsets into the original (the kinds, masks and the :class:`Hit` type live here too)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

KINDS = ("email", "phone", "personnummer", "name")
"""The kinds of personal data found in free text. When two candidates overlap, e-mail wins over
personnummer, personnummer over phone and phone over name."""

MASKS = {
    "email": "[e-post]",
    "phone": "[telefon]",
    "personnummer": "[personnummer]",
    "name": "[namn]",
}
"""Replacement text per kind (also the keys of the counts that :func:`mask` returns)."""

DETECTORS = {
    "email": "email",
    "email-spelt": "email",
    "personnummer": "personnummer",
    "phone": "phone",
    "phone-intl": "phone",
    "digits-cued": "phone",
    "name-own": "name",
    "name-pair": "name",
    "name-surname-first": "name",
    "name-lower": "name",
    "name-list": "name",
    "name-cue": "name",
    "name-role": "name",
    "name-single": "name",
}
"""Every detector (the ``Hit.detector`` values) and the kind it finds, in order of precedence.

``email`` – ``local@domain.tld``, also with spaces around ``@``, ``%40`` or a full-width ``＠``;
``email-spelt`` – "at"/"(at)"/"[at]"/"snabel-a" and "punkt"/"dot"/"[dot]" written out;
``personnummer`` – personnummer and samordningsnummer in every written form, valid date and
Luhn check digit (or the word "personnummer"/"pnr" next to it), not after "dnr", "ärende nr" …;
``phone`` – Swedish numbers with an area code; ``phone-intl`` – ``+46``/``0046``/``46`` and
other country codes; ``name-own`` – the respondent's own name (:func:`mask`'s ``own_names``);
the other ``name-*`` detectors are the context rules described in the module docstring."""

RESOURCES = Path(__file__).with_name("resources")
"""Folder of the name lists and the default keep list (package data)."""


def _words(text: str) -> list[str]:
    """The white-space separated words of a word-list literal."""
    return text.split()


_STOP = frozenset(
    _words(
        """
        jag du han hon hen vi ni de dem den det denna detta dessa dom man min mitt mina din ditt
        dina sin sitt sina vår vårt våra er ert era hennes deras dess och eller men att som
        om när då så för från till med utan på i av vid under över efter innan före mellan genom
        mot hos inom utom kring runt trots enligt bland sedan sen nu här där inte ej ingen inget
        alla allt många mycket lite mer mest mindre bra dåligt bättre sämre stor stora
        liten små ny nya gammal viktigt viktig hej hejsan tack mvh vh hälsningar ja nej kanske
        också även bara redan ännu aldrig alltid ofta ibland sällan varför hur vad vem vems
        vilken vilket vilka var vart jo nja okej ok fler flera olika samma annan annat andra
        första sista hela vissa någon något några varje själv själva kan kunde ska skulle vill
        ville måste får fick har hade är blir blev vara bli göra gör gjorde finns fanns tycker
        tror känns behöver borde kommer går ger tar sa sagt dock ju nog väl helt kul roligt
        svårt lätt gärna hoppas önskar idag igår imorgon snart tidigare senare övrigt övriga
        annars slutligen först sist just exempel t ex bl a dvs mm osv etc vet ingenting allmänt
        generellt fortsätt fortsatt positivt negativt stort litet kanon toppen super jätte fint
        skönt synd tyvärr lycka gott the an and or but of to in on at by for with from is are
        was were be been it its this that these those we you he she they me my our your their
        his her not no yes thanks thank hello hi hey dear best regards kind please contact call
        email mail more most very good bad great well all any some other new old as if so do
        does did have has had will would can could should may might must also only about into
        over after before between through svenska svenske svensk norska finska samiska engelska
        tyska västra norra södra östra lilla gamla centrala allmänna nationella statens sveriges
        europeiska nordiska inre yttre övre nedre mellersta
        """
    )
)


@dataclass(frozen=True)
class Hit:
    """One piece of personal data: its kind, its span in the original text and the detector.

    >>> Hit("email", 0, 13, "email")
    Hit(kind='email', start=0, end=13, detector='email')
    """

    kind: str
    start: int
    end: int
    detector: str


# --------------------------------------------------------------------------- normalisation

_INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff")
_ONE_TO_ONE = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u2007\u2009\u200a\u202f\u205f\u3000\t", " "),
        **dict.fromkeys("\u2018\u2019\u02bc\u00b4`", "'"),
    }
)
_ODD = re.compile(
    "[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u00a0\u2007\u2009\u200a\u202f\u205f\u3000\t"
    "\u2018\u2019\u02bc\u00b4`]"
)
_SLOW = re.compile(r"[\u00ad\u180e\u200b-\u200f\u2060-\u2063\ufeff]")  # or "%40"


class _Norm:
    """Normalised text and the map back to the original: ``span(s, e)`` → original offsets."""

    __slots__ = ("text", "_starts", "_ends")

    def __init__(self, text: str, starts: list[int] | None, ends: list[int] | None):
        self.text = text
        self._starts = starts
        self._ends = ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self._starts is None:
            return start, end
        return self._starts[start], self._ends[end - 1]


def normalise(text: str) -> _Norm:
    """*text* as the detectors read it, with a map back to the original offsets.

    >>> n = normalise("070\u200b-111 22 33 och anna%40example.org, ＡＮＮＡ＠ＥＸ.ＳＥ")
    >>> n.text
    '070-111 22 33 och anna@example.org, ANNA@EX.SE'
    >>> n.span(22, 23)   # the "@" stands for the three characters "%40"
    (23, 26)
    """
    if _ODD.search(text):
        text = text.translate(_ONE_TO_ONE)
    if "%40" not in text and _SLOW.search(text) is None and unicodedata.is_normalized("NFKC", text):
        return _Norm(text, None, None)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _INVISIBLE:
            i += 1
            continue
        if ch == "%" and text[i + 1 : i + 3] == "40":
            out.append("@")
            starts.append(i)
            ends.append(i + 3)
            i += 3
            continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        seg = text[i:j]
        if not seg.isascii():
            seg = unicodedata.normalize("NFKC", seg).translate(_ONE_TO_ONE)
        for c in seg:
            out.append(c)
            starts.append(i)
            ends.append(j)
        i = j
    return _Norm("".join(out), starts, ends)


# --------------------------------------------------------------------------- e-mail

_H = r"[^\S\r\n]"  # horizontal white space
_WAT = r"(?i:at|snabel-?a)"
_WDOT = r"(?i:dot|punkt)"
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_AT = rf"(?:{_H}*@{_H}*|{_H}*{_OPEN}{_H}*(?:{_WAT}|(?i:a)){_H}*{_CLOSE}{_H}*|{_H}+{_WAT}{_H}+)"
_DOT = rf"(?:\.|{_H}*{_OPEN}{_H}*{_WDOT}{_H}*{_CLOSE}{_H}*|{_H}+{_WDOT}{_H}+)"
_EMAIL = re.compile(
    rf"(?<![\w.%+-])(?P<local>[\w%+-]+(?:{_DOT}[\w%+-]+)*)(?P<at>{_AT})"
    rf"(?P<domain>[\w-]+(?:{_DOT}[\w-]+)*{_DOT}(?P<tld>[A-Za-z]{{2,24}}))(?![\w-])"
)
_EMAIL_HINT = re.compile(
    r"@|[(\[{<]\s*[aA]\s*[)\]}>]|(?i:(?<![^\W\d_])(?:at|snabel-?a)(?![^\W\d_]))"
)
"""Text that may hold an e-mail address: "@", "(a)", or "at"/"snabel-a" as a word."""
_HINT_BRACKET = re.compile(r"[(\[{<]\s*[aA]\s*[)\]}>]")
_HINT_WORD = re.compile(r"(?i:[as](?<![^\W\d_][as])(?:(?<=a)t|(?<=s)nabel-?a)(?![^\W\d_]))")


def _email_hint(n: str) -> bool:
    """``_EMAIL_HINT.search(n) is not None``, about twice as fast: "@" by ``in``, and the word
    pattern with its look-behind after the first letter, so that ``re`` scans for that letter.

    >>> [_email_hint(t) for t in ("a@b", "anna (A) umu", "anna at umu", "Ring Snabel-A", "data")]
    [True, True, True, True, False]
    """
    return "@" in n or _HINT_BRACKET.search(n) is not None or _HINT_WORD.search(n) is not None


_TLDS = frozenset(
    _words(
        """
        se nu com org net eu info io fi no dk is de uk co edu gov biz me app ax ee lt lv pl fr
        es it nl be at ch us ca ru tv cc online email mail
        """
    )
)
"""Top-level domains accepted when "@" or a dot is spelt out ("at", "punkt", "[dot]")."""


def _emails(n: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _EMAIL.finditer(n):
        spelt = "@" not in m["at"] or not re.fullmatch(r"[\w-]+(?:\.[\w-]+)*", m["domain"])
        local = m["local"]
        if spelt:
            if m["tld"].lower() not in _TLDS or local.casefold() in _STOP:
                continue
            detector = "email-spelt"
        else:
            detector = "email"
        if local.strip(".-+") == "":
            continue
        out.append((m.start(), m.end(), detector))
    return out


# --------------------------------------------------------------------------- numbers

_SEP = rf"(?:{_H}?[-./]{_H}?|{_H})"
_PNR = re.compile(
    rf"(?<![\w+\-/.,])(?P<century>18|19|20)?(?P<yy>\d\d)(?P<s>{_H}?[-.]?{_H}?)"
    r"(?P<mm>0[1-9]|1[0-2])(?P=s)(?P<dd>0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
    rf"(?P<sep>{_H}?[-+./]{_H}?|{_H})?(?P<last>\d{{4}})(?!\d|[.,]\d)"
)
_PNR_CONTEXT = re.compile(
    r"(?i)(?:person|samordnings|födelse)[\s\-]*(?:nummer|nr)|(?<![^\W\d_])p[\-.]?nr(?![^\W\d_])"
)
# A case, decision or order number is named just before the number ("dnr", "ärende nr",
# "RS 2021/…"): then a valid check digit alone does not make a personnummer. An organisation
# number with a valid date and check digit is a sole trader's personnummer, so "org.nr" is not
# such a word.
_CASE_CONTEXT = re.compile(
    r"(?i)(?<![^\W\d_])(?:dnr|diarie\w*|ärende\w*|beslut\w*|protokoll\w*|§|ref(?:erens)?\w*"
    r"|order\w*|faktura\w*|avtal\w*|projekt\w*|kundnummer|löpnummer|kundnr|ordernr|id"
    r"|(?-i:[A-ZÅÄÖ]{2,4}))"
    r"(?:\s*(?:nr|nummer|no|id)\.?)?[\s.:#]*$"
)
_PHONE_CONTEXT = re.compile(
    r"(?i)(?<![^\W\d_])(?:ring\w*|tel\w*|tfn|mobil\w*|nr|nummer|numret|sms\w*|nå|nås|växel\w*"
    r"|fax|phone|call|mob|kontakt\w*)(?![^\W\d_])"
)
_PHONE = re.compile(
    rf"(?<![\w+])(?:\({_H}?)?(?P<plus>\+|00)\d{{1,3}}(?:{_H}?\))?{_SEP}?(?:\(0\){_SEP}?)?"
    rf"\d(?:{_SEP}?\d){{5,12}}(?!\d|[.,]\d)"
    rf"|(?<![\w+])(?<!\d[.,/\-])(?<!\d{_H})(?P<cc46>46){_SEP}?(?:\(0\){_SEP}?)?[1-9]"
    rf"(?:{_SEP}?\d){{6,8}}(?!\d|[.,]\d)"
    rf"|(?<![\w+])(?<!\d[.,/\-])(?<!\d{_H})(?:\(0[1-9]\d{{0,2}}\){_H}?\d|0[1-9])"
    rf"(?:{_SEP}?\d){{4,10}}(?!\d|[.,]\d)"
)
_GROUP_SPLIT = re.compile(rf"{_H}?[-./]{_H}?|{_H}|[()]")
_SEPS = re.compile(rf"{_H}?[-./]{_H}?|{_H}")
_DIGITS6 = re.compile(r"\d(?:\D{0,3}\d){5}")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def luhn_ok(digits: str) -> bool:
    """Whether the ten digits ``YYMMDDNNNC`` of a personnummer have a valid check digit.

    >>> luhn_ok("9102283216"), luhn_ok("9102283217")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _valid_date(century: str | None, yy: str, mm: str, dd: str) -> bool:
    day, month = int(dd), int(mm)
    if day > 60:
        day -= 60  # samordningsnummer
    if month > 12 or day > _MONTH_DAYS[month - 1]:  # loosely cued digits: any two digits
        return False
    if month == 2 and day == 29 and century:
        year = int(century + yy)
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return True


def _personnummer(n: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _PNR.finditer(n):
        if not _valid_date(m["century"], m["yy"], m["mm"], m["dd"]):
            continue
        ten = m["yy"] + m["mm"] + m["dd"] + m["last"]
        before = n[max(0, m.start() - 40) : m.start()]
        said = bool(_PNR_CONTEXT.search(before) or _PNR_CONTEXT.search(n[m.end() : m.end() + 25]))
        if not said:
            if m["century"] is None and not m["sep"] and not m["s"] and ten.startswith("0"):
                continue  # "0701234567" is a mobile number
            if not luhn_ok(ten) or _CASE_CONTEXT.search(before):
                continue
            if m["s"].strip() and m["sep"] is not None and not m["sep"].strip():
                continue  # "2023-05-12 1234": a date and a number, unless called a pnr
        out.append((m.start(), m.end(), "personnummer"))
    return out


def _is_phone(cand: str, before: str) -> bool:
    digits = re.sub(r"\D", "", cand)
    cue = bool(_PHONE_CONTEXT.search(before))
    if cand.lstrip("( ").startswith(("+", "00")):
        rest = digits[2:] if not cand.lstrip("( ").startswith("+") else digits
        if rest.startswith("0"):
            return False  # no country code starts with 0: "000001-936292…" is a version id
        if rest.startswith("46"):
            national = rest[2:]
            national = national[1:] if national.startswith("0") else national
            return 7 <= len(national) <= 9
        return 8 <= len(rest) <= 14
    if cand.startswith("46"):
        national = digits[2:]
        national = national[1:] if national.startswith("0") else national
        if not 7 <= len(national) <= 9 or national.startswith("0"):
            return False
        if re.search(r"\d{6}[-+]\d{4}", cand):
            return False  # "461231-1234": a personnummer or organisation number form
        if national.startswith("7"):
            return len(national) == 9
        return len(national) >= 8 or cue
    if not 8 <= len(digits) <= 10:
        return False
    seps = [s.strip() for s in _SEPS.findall(cand)]
    marks = [s for s in seps if s]
    if "." in marks and (len(marks) != len(seps) or set(marks) != {"."}):
        return False  # "08.30-16.00", "09.00 10.00" are times
    if "/" in marks and (marks.count("/") > 1 or seps[0] != "/"):
        return False  # "/" only after the area code: "090/16 10 00"
    groups = [g for g in _GROUP_SPLIT.split(cand) if g]
    if [len(g) for g in groups] == [2, 2, 4] and groups[2][:2] in ("19", "20"):
        return False  # a date: "01.05.2023"
    if _CASE_CONTEXT.search(before) and not cue:
        return False
    return bool(seps) or cand.startswith(("07", "(")) or cue or len(digits) >= 9


def _phones(n: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _PHONE.finditer(n):
        cand = m.group(0)
        before = n[max(0, m.start() - 30) : m.start()]
        # the longest prefix that ends at a group boundary and is a phone number
        ends = [len(cand)] + [g.start() for g in re.finditer(rf"{_SEP}\d", cand)][::-1]
        for end in ends:
            if _is_phone(cand[:end], before):
                kind = "phone-intl" if (m["plus"] or m["cc46"]) else "phone"
                out.append((m.start(), m.start() + end, kind))
                break
    return out


# Digits written with separators anywhere ("64 05 12-41 96", "0 7 3 – 8 8 8 4 4 5 5"), counted
# only right after a word that says what follows (pnr, personnummer, tel, mobil, ring …).
_LOOSE = re.compile(rf"\d(?:(?:{_H}?[-./]{_H}?|{_H})?\d){{7,13}}(?!\d)")
_CUE_WINDOW = 24


def _cued_digits(n: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, kind, detector)`` of loosely written numbers right after a cue word.

    A personnummer needs a valid date and check digit; a phone number 8–12 digits starting with
    0 (or 46 / 0046).

    >>> [(k, d) for _, _, k, d in _cued_digits("Pnr 64 05 12-41 96 gäller")]
    [('personnummer', 'digits-cued')]
    >>> [k for _, _, k, _ in _cued_digits("Mobil: 0 7 3 - 8 8 8 4 4 5 5")]
    ['phone']
    >>> _cued_digits("Vi fick 12 34 56 78 kr")
    []
    """
    out = []
    for m in _LOOSE.finditer(n):
        before = n[max(0, m.start() - _CUE_WINDOW) : m.start()]
        digits = re.sub(r"\D", "", m.group())
        if _PNR_CONTEXT.search(before) and len(digits) in (10, 12):
            ten = digits[-10:]
            century = digits[:2] if len(digits) == 12 else None
            if _valid_date(century, ten[:2], ten[2:4], ten[4:6]) and luhn_ok(ten):
                out.append((m.start(), m.end(), "personnummer", "digits-cued"))
                continue
        if (
            _PHONE_CONTEXT.search(before)
            and 8 <= len(digits) <= 13
            and digits.startswith(("0", "46"))
            and not digits.startswith("000")
        ):
            out.append((m.start(), m.end(), "phone", "digits-cued"))
    return out
