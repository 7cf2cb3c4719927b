"""The disclosure policy of a survey, declared in its codebook and decided once.

A survey's codebook declares who answered and how its answers may be published::

    disclosure:
      respondent_kind: public_body     # public_body | organisation | person
      min_cell: 1                      # smallest count shown in the public report (1 = exact)
      quotes_attributed: false         # public quotes name the respondent?
      mask_respondent_names: true      # respondents' own names (municipality, organisation) in quotes
      keep_names: [Länsstyrelsen, Trafikverket]   # never masked: what the questions are about

:func:`policy_for` turns that block plus the report's ``audience`` and ``min_cell`` parameters into
one :class:`DisclosurePolicy`. Every report of the survey, and every number derived from it, uses
that one object (see :class:`analysis.surveys.analysis.SurveyAnalysis`). Parameters may tighten
the policy, never loosen it: in the public version ``min_cell`` can be raised above the
codebook's value but not lowered. ``audience="internal"`` shows exact counts and attributed
answers (and the report carries a do-not-publish banner).

>>> p = policy_for({"respondent_kind": "organisation", "min_cell": 5}, survey="x")
>>> p.min_cell, p.suppresses, p.respondent_kind
(5, True, 'organisation')
>>> policy_for({"respondent_kind": "public_body", "min_cell": 1}, survey="y").suppresses
False
>>> policy_for({"min_cell": 5}, survey="x", min_cell=3)
Traceback (most recent call last):
...
analysis.errors.ConfigError: Parametern min_cell (3) får inte vara lägre än enkätens röjandepolicy (5) i den publika versionen; ange 0 för policyns värde.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.disclosure.audience import check_audience
from analysis.errors import ConfigError

RESPONDENT_KINDS = ("public_body", "organisation", "person")
"""Who answers: public bodies in an official capacity, organisations, or private persons."""

DEFAULTS: dict[str, dict[str, Any]] = {
    "public_body": {"min_cell": 1, "quotes_attributed": False, "mask_respondent_names": True},
    "organisation": {"min_cell": 5, "quotes_attributed": False, "mask_respondent_names": True},
    "person": {"min_cell": 5, "quotes_attributed": False, "mask_respondent_names": True},
}

_KEYS = {"respondent_kind", "min_cell", "quotes_attributed", "mask_respondent_names", "keep_names"}


@dataclass(frozen=True)
class DisclosurePolicy:
    """How one survey's answers may be published — the single decision every report obeys.

    Attributes
    ----------
    survey : str
    respondent_kind : str
        ``public_body``, ``organisation`` or ``person``.
    audience : str
        ``public`` or ``internal``.
    min_cell : int
        Smallest count shown in this build (1 means exact counts; always 1 when internal).
    declared_min_cell : int
        The codebook's value (what the method section states for the public version).
    quotes_attributed : bool
        Whether quotes name their respondent (never in public unless declared).
    mask_respondent_names : bool
        Whether respondents' own names (municipalities, organisations) are masked in quotes.
    keep_names : tuple of str
        Names never masked (the authorities and organisations the questions are about).
    declared : bool
        False when the codebook has no ``disclosure`` block (then the strictest defaults apply).
    """

    survey: str
    respondent_kind: str
    audience: str
    min_cell: int
    declared_min_cell: int
    quotes_attributed: bool
    mask_respondent_names: bool
    keep_names: tuple[str, ...] = ()
    declared: bool = True

    @property
    def public(self) -> bool:
        return self.audience == "public"

    @property
    def suppresses(self) -> bool:
        """Whether small counts are hidden in this build."""
        return self.public and self.min_cell > 1

    def hidden(self, count: float) -> bool:
        """Whether a single *count* is below the threshold (``0 < count < min_cell``).

        >>> p = policy_for({"min_cell": 5}, survey="x")
        >>> [p.hidden(k) for k in (0, 3, 5)]
        [False, True, False]
        """
        return self.suppresses and 0 < count < self.min_cell

    def describe(self) -> str:
        """The policy in plain Swedish, for the report's method section.

        >>> print(policy_for({"respondent_kind": "public_body", "min_cell": 1}, survey="m").describe())
        De svarande är offentliga organ som svarar i tjänsten i en totalundersökning. Därför redovisas exakta antal. Citaten anges utan att den svarande namnges, personnamn är maskerade och namnen på de svarande organisationerna är ersatta.
        """
        kinds = {
            "public_body": "De svarande är offentliga organ som svarar i tjänsten i en totalundersökning.",
            "organisation": "De svarande är organisationer ur en publicerad urvalsram.",
            "person": "De svarande är privatpersoner.",
        }
        parts = [kinds[self.respondent_kind]]
        if not self.public:
            parts.append(
                "Det här är den interna versionen: exakta antal och citat med avsändare. "
                "Den får inte publiceras."
            )
            return " ".join(parts)
        if self.min_cell <= 1:
            parts.append("Därför redovisas exakta antal.")
        else:
            parts.append(
                f"Antal under {self.min_cell} visas inte, och inte heller antal, andelar eller "
                "test som skulle avslöja ett dolt antal; en tabell där de flesta celler skulle "
                "döljas ersätts av en mening eller en grövre indelning."
            )
        quote = (
            "Citaten anges med avsändare"
            if self.quotes_attributed
            else "Citaten anges utan att den svarande namnges"
        )
        quote += ", personnamn är maskerade"
        if self.mask_respondent_names:
            quote += " och namnen på de svarande organisationerna är ersatta"
        parts.append(quote + ".")
        return " ".join(parts)


def policy_for(
    block: Mapping[str, Any] | None,
    *,
    survey: str,
    audience: str = "public",
    min_cell: int | None = None,
) -> DisclosurePolicy:
    """The policy from a codebook's ``disclosure`` block and the report parameters.

    Parameters
    ----------
    block : mapping or None
        The codebook's ``disclosure`` block; ``None`` gives the strictest defaults
        (``respondent_kind: person``, ``min_cell: 5``).
    survey : str
    audience : str
        ``public`` or ``internal``.
    min_cell : int, optional
        The report's ``min_cell`` parameter; ``None`` or 0 means the policy's value. In the public
        version it may raise the threshold, never lower it.

    Raises
    ------
    ConfigError
        For an unknown key or respondent kind, a bad ``min_cell``, or a parameter that would
        loosen the policy.
    """
    audience = check_audience(audience)
    declared = block is not None
    block = dict(block or {"respondent_kind": "person"})
    unknown = sorted(set(block) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{survey}: okända nycklar i kodbokens 'disclosure': {', '.join(unknown)} "
            f"(tillåtna: {', '.join(sorted(_KEYS))})."
        )
    kind = str(block.get("respondent_kind", "person"))
    if kind not in RESPONDENT_KINDS:
        raise ConfigError(
            f"{survey}: disclosure.respondent_kind måste vara en av {', '.join(RESPONDENT_KINDS)}, "
            f"inte {kind!r}."
        )
    settings = {**DEFAULTS[kind], **{k: v for k, v in block.items() if k != "keep_names"}}
    declared_min = settings["min_cell"]
    if isinstance(declared_min, bool) or not isinstance(declared_min, int) or declared_min < 1:
        raise ConfigError(
            f"{survey}: disclosure.min_cell måste vara ett heltal ≥ 1, inte {declared_min!r}."
        )
    keep = block.get("keep_names") or []
    if not isinstance(keep, list | tuple) or not all(isinstance(k, str) for k in keep):
        raise ConfigError(f"{survey}: disclosure.keep_names måste vara en lista med namn.")
    effective = declared_min
    if min_cell not in (None, 0):
        if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
            raise ConfigError(f"Parametern min_cell måste vara ett heltal ≥ 0, inte {min_cell!r}.")
        if audience == "public" and min_cell < declared_min:
            raise ConfigError(
                f"Parametern min_cell ({min_cell}) får inte vara lägre än enkätens "
                f"röjandepolicy ({declared_min}) i den publika versionen; ange 0 för policyns "
                "värde."
            )
        effective = min_cell
    if audience == "internal":
        effective = 1
    return DisclosurePolicy(
        survey=survey,
        respondent_kind=kind,
        audience=audience,
        min_cell=int(effective),
        declared_min_cell=int(declared_min),
        quotes_attributed=bool(settings["quotes_attributed"]) or audience == "internal",
        mask_respondent_names=bool(settings["mask_respondent_names"]) and audience == "public",
        keep_names=tuple(keep),
        declared=declared,
    )


__all__ = ["DEFAULTS", "RESPONDENT_KINDS", "DisclosurePolicy", "policy_for"]
