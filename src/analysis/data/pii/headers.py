"""Personal-data column headers (name, e-mail, phone, personnummer) in Swedish and English."""

from __future__ import annotations

import re
import unicodedata

from analysis.data.pii.contact import _INVISIBLE, _ONE_TO_ONE  # noqa: F401

# --------------------------------------------------------------------------- column headers

_DECORATION = re.compile(
    r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}|[*✱†:?!.]+$|^\s*(?:q|f|fråga|question)?\s*\d+[a-z]?\s*[.:)\-]\s*"
)
_OPTIONAL = re.compile(
    r"(?:[\s,\-–/]+)(?:frivillig[t]?|valfri(?:tt)?|optional|ej obligatorisk|om du vill\b.*|"
    r"if you (?:like|want|wish)\b.*|not required|required|obligatorisk)$"
)
_Q = (
    r"(?:(?:ditt|din|dina|ert|er|era|your|respondentens|respondent(?:'s)?|deltagarens|"
    r"participant(?:'s)?|kontaktpersonens|contact person(?:'s)?|contact|kontakt|"
    r"fullständiga|fullständigt|full|complete|primary|privat|private|arbets|work) )*"
)
_OF_PERSON = (
    r"(?: (?:på|till|för|of|for|to) (?:kontaktperson(?:en)?|contact person|respondent(?:en)?|dig|"
    r"you|the respondent|person(?:en)?|ansvarig(?: person)?|den (?:som )?svarande|"
    r"den som svarar|deltagare(?:n)?|participant|mig|me))?"
)
_HEADER_CORE = {
    "name": r"(?:för-? och efternamn|förnamn(?: och efternamn)?|efternamn|tilltalsnamn|namn|"
    r"name|first name|given name|last name|surname|family name|full name|fullname|"
    r"name and surname|first and last name|kontaktperson|contact person|respondent name|"
    r"namn på kontaktperson(?:en)?)",
    "email": r"(?:e-?post(?:adress)?|e-?mail(?:adress| address)?|mejl(?:adress)?|"
    r"mail(?:adress| address)?|epostadress|e-postadress)",
    "phone": r"(?:telefon(?:nummer|nr)?|tel(?:efon)?\.? ?nr\.?|tel|mobil(?:nummer|nr|telefon)?|"
    r"mobiltelefonnummer|phone(?: number| no)?|telephone(?: number)?|mobile(?: phone| number)?|"
    r"cell(?: phone| number)?|mobilnr\.?|telnr\.?)",
    "personnummer": r"(?:person-?nummer|personnr\.?|pers\.? ?nr\.?|pnr|person number|"
    r"personal identity number|personal number|social security number|ssn|"
    r"samordningsnummer|personnummer eller samordningsnummer)",
}
_TIME_Q = r"(?: (?:dagtid|kvällstid|arbete|jobb|privat|hem|bostad|daytime|work|home|mobil))?"
_ASK = (
    r"(?:(?:vad är|vilket är|vilken är|ange|skriv|fyll i|uppge|lämna|please enter|please give|"
    r"enter|what is|what's|ev\.?|eventuell[t]?) )?"
)
_HEADER_RE = {
    kind: re.compile(
        rf"{_ASK}{_Q}{core}{_OF_PERSON}{_TIME_Q}(?:(?: och | and |/|, | & ).{{0,30}})?"
    )
    for kind, core in _HEADER_CORE.items()
}
_HEADER_QUESTIONS = re.compile(
    r"(?:vad heter du|vem är du|what is your name|what's your name|who are you|"
    r"hur når vi dig|how can we reach you)"
)
_CONTACT_DETAILS = re.compile(
    r"(?:dina |your )?(?:kontaktuppgifter|kontaktinformation|contact details|"
    r"contact information|contact info)"
)


def _header_norm(header: str) -> str:
    s = unicodedata.normalize("NFKC", str(header)).translate(_ONE_TO_ONE).casefold()
    s = "".join(c for c in s if c not in _INVISIBLE)
    s = re.sub(r"\s+", " ", s).strip()
    for _ in range(3):
        before = s
        s = _DECORATION.sub("", s).strip()
        s = _OPTIONAL.sub("", s).strip(" ,-–/:")
        s = re.sub(r"\s+", " ", s)
        if s == before:
            break
    return s


def header_kind(header: str) -> str | None:
    """The kind of personal data a column header names, or ``None``.

    The whole header, after decorations such as "(frivilligt)", "(valfritt)", "*", a trailing
    colon and a question number are removed, must name the personal data ("Ditt namn",
    "Namn på kontaktperson", "Telefon, dagtid", "Respondent e-mail"). A question that merely
    mentions such a word is not a personal-data column: "Vilken kommun representerar du?",
    "Namn på kommunen" and also "Hur viktigt är namnet på projektet?" (the name of a
    project, not of a person) give ``None``, as do "Namn på organisationen" and
    "Projektets namn". Questions that ask for the respondent's own data are columns of it:
    "Vad heter du?" and "Vad är ditt namn?" are name columns, "Får vi kontakta dig? Ange
    e-post" an e-mail column. Headers that join two kinds ("Namn och e-post") give the first;
    a bare "Kontaktuppgifter" / "Contact details" column is treated as ``"email"``.

    Examples
    --------
    >>> [header_kind(h) for h in ["Ditt namn (frivilligt)", "Namn på kontaktperson", "Name"]]
    ['name', 'name', 'name']
    >>> [header_kind(h) for h in ["E-postadress (valfritt)", "Mobilnr", "Telefon, dagtid"]]
    ['email', 'phone', 'phone']
    >>> [header_kind(h) for h in ["Personnr.", "Respondent e-mail", "Full name", "E-post"]]
    ['personnummer', 'email', 'name', 'email']
    >>> [header_kind(h) for h in ["Vilken kommun representerar du?",
    ...                           "Hur viktigt är namnet på projektet?", "Namn på kommunen"]]
    [None, None, None]
    """
    if not isinstance(header, str):
        header = str(header)
    norm = _header_norm(header)
    if not norm or len(norm) > 120:
        return None
    # a question and an instruction: "Får vi kontakta dig? Ange e-post" – the parts one by one
    for part in [norm, *(p.strip() for p in re.split(r"[?!.:;]\s+", norm) if p.strip())]:
        part = _header_norm(part)
        for kind in ("name", "email", "phone", "personnummer"):
            if _HEADER_RE[kind].fullmatch(part):
                return _first_kind(part, kind)
        if _HEADER_QUESTIONS.fullmatch(part):
            return "name"
        if _CONTACT_DETAILS.fullmatch(part):
            return "email"
    return None


def _first_kind(norm: str, default: str) -> str:
    """For "Namn och e-post" the kind named first."""
    best = (len(norm), default)
    for kind, core in _HEADER_CORE.items():
        m = re.search(rf"(?<![\w-]){core}(?![\w-])", norm)
        if m and m.start() < best[0]:
            best = (m.start(), kind)
    return best[1]


def is_pii_header(header: str) -> bool:
    """Whether a column header names personal data.

    >>> is_pii_header("Ditt namn (frivilligt)"), is_pii_header("Namn på organisationen")
    (True, False)
    """
    return header_kind(header) is not None
