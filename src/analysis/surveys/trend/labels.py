"""Names and groups of the partner series' concepts in the trend report (Swedish wording)."""

from __future__ import annotations

CONCEPT_LABELS: dict[str, str] = {
    "inclusive": "Inkluderande",
    "attractive": "Attraktiv",
    "innovative": "Innovativ",
    "own_development": "Samarbetet har utvecklat den egna verksamheten",
    "region_development": "Samarbetet har utvecklat Region Västerbottens verksamhet",
    "engagement_ladder": "Engagemangstrappan: de två översta stegen",
    "engagement_ladder_goal": "Vill nå de två översta stegen om tre år",
    "rus_parts": "Delar av den regionala utvecklingsstrategin (RUS)",
    "enablers": "Möjliggörare",
    "challenges": "Utmaningar",
    "clear_mandate": "Tydliga mandat",
    "risk_balance": "Risken står i rimlig proportion till nyttan",
    "joint_projects": "Minst två gemensamma projekt senaste året",
    "written_agreement": "Skriftlig överenskommelse finns",
    "contact_frequency": "Kontakt minst varje månad",
}
"""Short Swedish names of the partner series' indicators (other concepts use the question text)."""

CONCEPT_NAMES: dict[str, str] = {
    "engagement_ladder": "Engagemangstrappan",
    "engagement_ladder_goal": "Målet på engagemangstrappan",
}
"""Names of whole concepts where they differ from the indicator's label (the ladder's indicator
is its two top steps; a paired comparison moves along the whole ladder)."""

GROUP_ORDER = (
    "Inkluderande, attraktiv, innovativ",
    "Har samarbetet utvecklat verksamheten?",
    "Engagemangstrappan",
    "Den regionala utvecklingsstrategin (RUS)",
    "Möjliggörare",
    "Utmaningar",
)
"""Reading order of the groups (the questionnaire's order otherwise)."""

GROUPS: dict[str, str] = {
    "inclusive": "Inkluderande, attraktiv, innovativ",
    "attractive": "Inkluderande, attraktiv, innovativ",
    "innovative": "Inkluderande, attraktiv, innovativ",
    "own_development": "Har samarbetet utvecklat verksamheten?",
    "region_development": "Har samarbetet utvecklat verksamheten?",
    "engagement_ladder": "Engagemangstrappan",
    "rus_parts": "Den regionala utvecklingsstrategin (RUS)",
    "enablers": "Möjliggörare",
    "challenges": "Utmaningar",
}
"""The sub-heading each concept's rows appear under (others: "Övriga frågor")."""

TEXT_CONCEPTS = ("own_development_how", "region_development_how", "anything_else")
"""Free-text concepts whose answers are counted by theme."""
