"""The municipality report's sections (seed 002, 5.1–5.8) for :func:`analysis.analyse`."""

from __future__ import annotations


def sections(analysis) -> list:
    """The municipality report's sections for a :class:`~analysis.surveys.analysis.SurveyAnalysis`."""
    from analysis.report import municipality as mr
    from analysis.report.section import Section
    from analysis.surveys import municipality as mu
    from analysis.text.coding import default_verified_path
    from analysis.text.themes import load_themes

    ds, policy = analysis.dataset, analysis.policy
    codebook = load_themes(analysis.params.get("themes") or None)
    A = mu.analyse(ds.wide, codebook, verified_path=default_verified_path(ds.survey))
    analysis.extras["coding"] = A
    kw = {"audience": policy.audience, "min_cell": policy.min_cell}
    spec = [
        ("inledning", "", mr.intro_html(A, ds, **kw)),
        (
            "5-1",
            "5.1 Möjligheter och utmaningar inom regional utveckling och hållbar tillväxt",
            mr.section_html(
                A,
                "q2",
                **kw,
                lead="Flest kommuner ser möjligheter inom",
                caption="Fråga 2: teman i svaren om möjligheter",
            )
            + mr.section_html(
                A,
                "q3",
                **kw,
                lead="Flest kommuner ser utmaningar inom",
                caption="Fråga 3: teman i svaren om utmaningar",
            )
            + mr.section_groups_html(A, "5.1", **kw),
        ),
        (
            "5-2",
            "5.2 Krisberedskap och civilt försvar",
            mr.crisis_html(A, **kw) + mr.section_groups_html(A, "5.2", **kw),
        ),
        (
            "5-3",
            "5.3 Infrastruktur",
            mr.infrastructure_html(A, **kw) + mr.section_groups_html(A, "5.3", **kw),
        ),
        (
            "5-4",
            "5.4 Industrialisering",
            mr.section_html(
                A,
                "q5",
                **kw,
                lead="Flest kommuner tar upp",
                caption="Fråga 5: teman i svaren om industrialisering",
            )
            + mr.section_groups_html(A, "5.4", **kw),
        ),
        (
            "5-5",
            "5.5 Samverkan med andra aktörer",
            mr.actors_html(A, **kw) + mr.section_groups_html(A, "5.5", **kw),
        ),
        (
            "5-6",
            "5.6 Samverkan med Region Västerbotten",
            mr.section_html(
                A,
                "q11",
                **kw,
                lead="Flest kommuner önskar ökad samverkan inom",
                caption="Fråga 11: regionala ansvarsområden där kommunerna önskar ökad samverkan",
            )
            + mr.section_html(
                A,
                "q12",
                **kw,
                lead="Flest kommuner önskar ökad samverkan inom",
                caption="Fråga 12: kommunala ansvarsområden där kommunerna önskar ökad samverkan",
            )
            + mr.section_html(
                A,
                "q13",
                **kw,
                lead="Svaren tar oftast upp",
                caption="Fråga 13: teman i svaren om mellankommunal samverkan",
            )
            + mr.section_groups_html(A, "5.6", **kw),
        ),
        (
            "5-7",
            "5.7 Prioriterade områden",
            mr.priorities_html(A, **kw)
            + mr.section_groups_html(A, "5.7", **kw, themes=A.priority_ids),
        ),
        (
            "5-8",
            "5.8 Övriga behov",
            mr.section_html(
                A,
                "q15",
                **kw,
                lead="Flest kommuner nämner",
                caption="Fråga 15: teman i svaren om övriga behov",
            )
            + mr.section_groups_html(A, "5.8", **kw),
        ),
        ("samforekomst", "Teman som förekommer tillsammans", mr.cooccurrence_html(A, **kw)),
        ("tackning", "Svarens längd och täckning per fråga", mr.coverage_html(A, ds.wide, **kw)),
        ("grupper", "Jämförelse mellan kommungrupper", mr.groups_html(A, **kw)),
        ("kvalitet", "Kodningens kvalitet", mr.quality_html(A, ds.survey, **kw)),
        ("metod", "Metod och reservationer", mr.method_html(A, ds, codebook, **kw)),
    ]
    out = []
    for sid, title, fragment in spec:
        s = Section(sid, title)
        s.html(fragment)
        out.append(s)
    return out
