"""The coding manual: a self-contained, accessible Swedish HTML page generated from the codebook.

:func:`write_manual` (also ``analysis code --manual OUT.html``) documents every theme — definition,
what is included and excluded, examples and counter-examples, sense rules, weak terms and the
prompted flag — plus the clause-reading rules (dismiss and need cues), the abbreviation and
proper-name lexicon and the Q13 stance codebook. Everything is HTML-escaped; the page has a
language attribute, landmarks, a table of contents, real table headers and no external
resources.

>>> html = manual_html()
>>> html.startswith("<!DOCTYPE html>") and 'lang="sv"' in html and "Kompetensförsörjning" in html
True
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from analysis.text.themes import ThemeCodebook

_CSS = """
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:60rem;margin:0 auto;padding:1rem;
color:#1a1a1a;background:#fff}
h1,h2,h3{line-height:1.25}a{color:#0b4f8a}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #888;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}code{background:#f3f3f3;padding:0 .2rem}
.term{display:inline-block;margin:.1rem .2rem;padding:0 .3rem;border:1px solid #bbb;border-radius:3px}
.note{color:#333}section{margin-bottom:2rem}
"""


def _terms(terms) -> str:
    return " ".join(f'<span class="term">{escape(t.text)}</span>' for t in terms) or "–"


def _list(items) -> str:
    if not items:
        return "<p>–</p>"
    return "<ul>" + "".join(f"<li>{escape(x)}</li>" for x in items) + "</ul>"


def manual_html(themes: ThemeCodebook | str | Path | None = None) -> str:
    """The manual as one HTML string (see module docstring)."""
    from analysis.text.coder import get_coder

    cb = get_coder(themes).themes
    out: list[str] = []
    w = out.append
    w('<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n')
    w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    w(f"<title>Kodningsmanual – temakodbok version {escape(cb.version)}</title>\n")
    w(f"<style>{_CSS}</style>\n</head>\n<body>\n")
    w("<header><h1>Kodningsmanual för fritextsvaren</h1>\n")
    w(f"<p>Temakodbok version <strong>{escape(cb.version)}</strong>. {escape(cb.description)}</p>")
    w(
        "<p>Manualen är genererad ur kodboken (<code>themes.yaml</code>) och beskriver exakt de "
        "regler som den automatiska kodningen följer.</p></header>\n"
    )
    w('<nav aria-labelledby="toc"><h2 id="toc">Innehåll</h2><ol>')
    w('<li><a href="#lasning">Hur ett svar läses</a></li>')
    w('<li><a href="#teman">Teman</a><ol>')
    for t in cb.themes:
        w(f'<li><a href="#tema-{t.id}">{escape(t.label)}</a></li>')
    w('</ol></li><li><a href="#forkortningar">Förkortningar och egennamn</a></li>')
    w('<li><a href="#hallningar">Hållningar (fråga 13)</a></li></ol></nav>\n<main>\n')
    sc, ev = cb.scope, cb.evidence
    w('<section aria-labelledby="lasning"><h2 id="lasning">Hur ett svar läses</h2>')
    w(
        "<p>Ett tema kodas när svaret uttrycker ett behov, en utmaning, en prioritering, en önskan "
        "eller en möjlighet inom temat – inte när temat bara nämns för att det fungerar bra, inte "
        "behövs eller inte prioriteras.</p><ol>"
    )
    w(
        "<li>Svaret delas i satser vid punkt, frågetecken, utropstecken, semikolon, kolon, "
        f"radbrytning och orden {escape(', '.join(sc.contrast) or '–')}. Ett kommatecken eller "
        "tankstreck delar bara mellan två satser med var sitt verb (”Inflyttningen går bra, det "
        "är bostäderna som är problemet”), aldrig inne i en uppräkning (”Kultur, fritid och "
        "idrott fungerar bra”).</li>"
    )
    w(
        "<li>En sats med ett <strong>avfärdande</strong> och inget <strong>behov</strong> kodas "
        "inte. Satsen efter <em>men</em> vinner: ett behov där återupplivar satsen före (”gott om "
        "el men nätet räcker inte”), ett avfärdande där stryker satsen före – om satsen efter inte "
        "nämner något eget tema.</li>"
    )
    w(
        "<li>En sats som fortsätter en avfärdad sats efter ett kommatecken (”…, vi har "
        "inflyttning”) avfärdas också, om den inte har ett eget behov eller en negation; ett "
        "behov efter kommatecknet utan eget tema återupplivar den (”bra läge, en styrka vi vill "
        "bygga vidare på”). "
        f"”Inte X {escape('/'.join(sc.corrective) or 'utan')} Y”: den nekade satsen kodas "
        "inte. En avfärdande rubrik utan eget tema som inleder svaret eller en mening (”Bra: "
        "krisberedskap, fiber. Sämre: vägarna”) avfärdar uppräkningen efter kolonet, inte nästa "
        "rubriks.</li>"
    )
    if sc.need_negators:
        w(
            "<li>Ett nekat behov är ett avfärdande: ett behovsord med en negation högst tre ord "
            "före utan finit verb emellan (ett behovsverb också högst två ord efter) i samma "
            "sats – ”inga större akuta behov”, "
            "”utan större problem”, ”behöver regionen inte göra något”. Beröm (”bra”, "
            "”nöjda”, ”gott skick”) avfärdar, men med en negation högst tre ord före och inget "
            "finit verb emellan är det ett behov (”vägarna är inte i gott skick”).</li>"
        )
    if sc.location and sc.location_names:
        w(
            "<li>En väg eller järnväg direkt efter "
            f"<em>{escape(', '.join(t.text.lstrip('=') for t in sc.location))}</em> (med fler "
            "namn och <em>och</em> emellan) är en plats, inget behov (”etableringar längs E4 och "
            "Botniabanan”, ”en vätgasstation vid E45”); ett behovsord före prepositionen räknas "
            "som vanligt (”trafiksäkerheten vid E4”), och ett läge att bygga vidare på är ingen "
            "plats (”läget vid E12”).</li>"
        )
    if sc.workplace_links:
        w(
            "<li>Ett område direkt efter ett yrkes- eller personalord och "
            f"<em>{escape(', '.join(sc.workplace_links))}</em> är arbetsplatsen, inte ett behov "
            "i området (”sjuksköterskor i hemsjukvården”, G5), liksom ett områdesord direkt före "
            "ett yrke (”VA-tekniker”).</li>"
        )
    w("<li>Betydelseregler avgör ord med flera betydelser (se varje tema).</li>")
    w(
        f"<li>Svaga termer räcker bara vid minst {ev.weak_min_hits} träffar eller i ett kort svar "
        f"(högst {ev.short_answer_tokens} ord). Telegrafiska termer (t.ex. yrken) räcker bara i "
        "ett kort svar utan verb, en uppräkning (G11).</li>"
    )
    w(
        "<li>Stavning: saknade prickar (å, ä, ö) och ett skrivfel i långa ord (minst 8 bokstäver) "
        "tolereras, men aldrig när ordet är ett annat svenskt ord.</li></ol>"
    )
    w("<h3>Avfärdande uttryck</h3><p>" + _terms(sc.dismiss) + "</p>")
    if sc.praise:
        w("<h3>Beröm (avfärdar, nekat ett behov)</h3><p>" + _terms(sc.praise) + "</p>")
    w("<h3>Behovsuttryck</h3><p>" + _terms(sc.need) + "</p></section>\n")
    w('<section aria-labelledby="teman"><h2 id="teman">Teman</h2>')
    for t in cb.themes:
        w(
            f'<section aria-labelledby="tema-{t.id}"><h3 id="tema-{t.id}">{escape(t.label)} '
            f"<code>{escape(t.id)}</code></h3>"
        )
        facts = []
        if t.priority_area:
            facts.append("ett av de nio prioriterade områdena (avsnitt 5.7)")
        if t.parent:
            facts.append(f"medför alltid överordnat tema <code>{escape(t.parent)}</code>")
        if t.questions:
            facts.append("kodas bara i fråga " + escape(", ".join(t.questions)))
        if t.prompted:
            facts.append(
                "<strong>promptat</strong>: upprepar exemplen i fråga "
                + escape(", ".join(t.prompted_questions))
                + " – redovisas separat"
            )
        w(f"<p>{escape(t.definition)}</p>")
        if facts:
            w('<p class="note">' + "; ".join(facts) + ".</p>")
        w('<table><caption class="note">Termer för ' + escape(t.label) + "</caption>")
        w('<tr><th scope="row">Inkludera</th><td>' + _terms(t.include) + "</td></tr>")
        w('<tr><th scope="row">Svaga termer</th><td>' + _terms(t.weak) + "</td></tr>")
        if t.telegraphic:
            w(
                '<tr><th scope="row">Telegrafiska termer</th><td>'
                + _terms(t.telegraphic)
                + "</td></tr>"
            )
        w('<tr><th scope="row">Exkludera</th><td>' + _terms(t.exclude) + "</td></tr></table>")
        if t.senses:
            w(
                '<table><caption class="note">Betydelseregler</caption><tr><th scope="col">'
                'Termer</th><th scope="col">Räknas inte om</th><th scope="col">Kräver</th>'
                '<th scope="col">Omfång</th><th scope="col">Varför</th></tr>'
            )
            for r in t.senses:
                scope = "satsen" if r.scope == "clause" else "hela svaret"
                w(
                    f"<tr><td>{_terms(r.terms)}</td><td>{_terms(r.unless)}</td>"
                    f"<td>{_terms(r.requires)}</td><td>{scope}</td><td>{escape(r.note)}</td></tr>"
                )
            w("</table>")
        w("<h4>Exempel</h4>" + _list(t.examples))
        if t.counterexamples:
            w("<h4>Motexempel (kodas inte)</h4>" + _list(t.counterexamples))
        w("</section>\n")
    w("</section>\n")
    w(
        '<section aria-labelledby="forkortningar"><h2 id="forkortningar">Förkortningar och '
        'egennamn</h2><table><tr><th scope="col">Namn</th><th scope="col">Betyder</th>'
        '<th scope="col">Teman</th></tr>'
    )
    for e in cb.lexicon:
        themes_txt = ", ".join(e.themes) or "inget tema i sig – koda efter ämnet"
        w(
            f"<tr><td>{escape(e.name)}</td><td>{escape(e.expansion)}</td>"
            f"<td>{escape(themes_txt)}</td></tr>"
        )
    w("</table></section>\n")
    w('<section aria-labelledby="hallningar"><h2 id="hallningar">Hållningar</h2>')
    for st in cb.stances:
        w(
            f"<h3>Fråga {escape(st.question.lstrip('q'))}</h3><p>Hållningarna prövas i ordning; "
            'den första med ett uttryck i svaret gäller.</p><table><tr><th scope="col">Hållning'
            '</th><th scope="col">Definition</th><th scope="col">Uttryck</th></tr>'
        )
        for lab in st.labels:
            w(
                f"<tr><td>{escape(lab.label)} <code>{escape(lab.id)}</code></td>"
                f"<td>{escape(lab.definition)}</td><td>{_terms(lab.include)}</td></tr>"
            )
        w("</table>")
    w("</section>\n</main>\n</body>\n</html>\n")
    return "".join(out)


def write_manual(path: str | Path, themes: ThemeCodebook | str | Path | None = None) -> Path:
    """Write the coding manual (:func:`manual_html`) atomically to ``path``; returns the path."""
    from analysis import atomic

    p = Path(path)
    atomic.write_bytes(p, manual_html(themes).encode("utf-8"))
    return p
