"""The handbook's pages, as Markdown for MkDocs: headings in Markdown (for the table of contents),
everything else rendered by the shared templates (``handbook/render``). Pure functions of the
bundle and the URL of the page being rendered (relative to the site root, ``""`` for the home page).
"""

from __future__ import annotations

import re
from typing import Any

import markupsafe

from ..bundle import Bundle
from ..common import urls
from ..render import environment, labels
from ..render.links import WebLinks
from ..render.prose import prose, resolver
from ..source.fidelity import format_date
from ..source.model import Section
from .terms import term_segments


def fragments(bundle: Bundle, page_url: str, template: str) -> Any:
    """The macros of ``template``, bound to this bundle and page (call them to get HTML)."""
    context = {"policy": bundle.policy, "links": WebLinks(page_url), "medium": "web"}
    return environment().get_template(template).make_module(context)


def md_escape(text: str) -> str:
    """Text safe inside a Markdown heading (no emphasis, links or HTML)."""
    return re.sub(r"([\\`*_\[\]<>#{}|])", r"\\\1", text)


def attr(text: str) -> str:
    return str(markupsafe.escape(text))


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", " ".join(text.split()))
    return match.group(1) if match else text


# --- the official text ------------------------------------------------------------------------


def official_heading(bundle: Bundle, page_url: str) -> str:
    """The heading block of the adopted document: title line, district, series and number, title."""
    policy = bundle.policy
    meta = fragments(bundle, page_url, "web/official.html.j2").doc_meta()
    return f"# {md_escape(policy.full_title)} {{#policy-title .hb-o}}\n\n{meta}\n"


def official_body(bundle: Bundle, page_url: str) -> str:
    """Every section of the adopted text, then its history, with an anchor and id per clause."""
    html = fragments(bundle, page_url, "web/official.html.j2")
    parts = []
    for section in bundle.policy.sections:
        if section.heading:
            parts.append(f"## {md_escape(section.heading)} {{#{section.anchor} .hb-o}}\n")
        for i, block in enumerate(section.blocks):
            first = section.anchor if i == 0 and not section.heading else ""
            parts.append(f"{html.block(block, first)}\n")
    policy = bundle.policy
    revised = "; ".join(format_date(r.date) for r in policy.revisions)
    parts.append("## Policy History: {#policy-history .hb-o}\n")
    parts.append(f"{html.history(format_date(policy.adopted), revised)}\n")
    return "\n".join(parts)


def official_document(bundle: Bundle, page_url: str) -> str:
    return f"{official_heading(bundle, page_url)}\n{official_body(bundle, page_url)}"


# --- annotated section pages --------------------------------------------------------------------


def section_page(bundle: Bundle, section_id: str, page_url: str) -> str:
    """A whole annotated section page: heading, intro, each clause with its commentary and the
    checker's reading of it, then the worked examples that cite the section."""
    from .checkerdocs import clause_checker, examples_of_section  # noqa: PLC0415 - cycle

    policy = bundle.policy
    section = policy.section(section_id)
    sec = fragments(bundle, page_url, "web/section.html.j2")
    clause_html = fragments(bundle, page_url, "partials/clause.html.j2")
    position = policy.sections.index(section) + 1
    kinds = labels.count_kinds([c.kind for c in section.clauses])
    parts = [
        f"# {md_escape(section.title)} {{#{section.anchor}}}\n",
        f"{sec.meta(section, position, len(policy.sections), kinds)}\n",
    ]
    note = policy.commentary.get(section.id)
    if note is not None:
        parts.append(f"{clause_html.section_intro(note)}\n")
    examples = examples_of_section(bundle, section)
    for clause in section.clauses:
        title = md_escape(clause.title)
        anchor = urls.clause_heading_anchor(clause.id)
        parts.append(f'## {title} {{#{anchor} data-toc-label="{attr(clause.title)}"}}\n')
        citing = [ex for ex in examples if clause.id in ex.cited]
        segments = term_segments(clause.text, policy.glossary)
        entry = clause_html.entry(clause, segments, policy.clause_commentary(clause.id), citing)
        parts.append(f"{entry}\n")
        parts.append(clause_checker(bundle, clause.id, page_url))
    if examples:
        from .checkerdocs import example_entries  # noqa: PLC0415

        parts.append("## Worked examples {#worked-examples}\n")
        parts.append(example_entries(bundle, examples, page_url, "###"))
    return "\n".join(p for p in parts if p)


# --- home, glossary and references, history -----------------------------------------------------


def section_cards(bundle: Bundle, page_url: str) -> str:
    """One card per section: title, our one-line summary, clause count and kinds."""
    policy = bundle.policy
    items = []
    for n, section in enumerate(policy.sections, 1):
        note = policy.commentary.get(section.id)
        summary = first_sentence(note.intro) if note else ""
        items.append((n, section, summary, labels.count_kinds([c.kind for c in section.clauses])))
    return str(fragments(bundle, page_url, "web/section.html.j2").cards(items)) + "\n"


def overview(bundle: Bundle, page_url: str) -> str:
    """The policy's own framing for the home page (``overview.md``, our commentary), as HTML."""
    if not bundle.policy.overview:
        return ""
    return str(prose(bundle.policy.overview, resolver(bundle.policy, WebLinks(page_url)))) + "\n"


def clause_link(bundle: Bundle, clause_id: str, page_url: str) -> str:
    bundle.policy.clause(clause_id)  # KeyError for an unknown id
    return str(fragments(bundle, page_url, "partials/links.html.j2").clause_link(clause_id))


def glossary_terms(bundle: Bundle, page_url: str) -> str:
    """Each defined term with our reading, where the policy uses it, and related references."""
    html = fragments(bundle, page_url, "partials/glossary.html.j2")
    entries = []
    for term in sorted(bundle.policy.glossary, key=lambda t: t.term.lower()):
        entries.append(f"### {md_escape(term.term)} {{#{urls.term_anchor(term.id)}}}\n\n{html.term(term)}\n")
    return "\n".join(entries)


def reference_list(bundle: Bundle, page_url: str) -> str:
    """Each source the policy names: our description and the clauses that name it."""
    html = fragments(bundle, page_url, "partials/glossary.html.j2")
    policy = bundle.policy
    entries = []
    for ref in policy.references.values():
        naming = [c.id for c in policy.clauses() if ref.id in c.refs]
        heading = f"### {md_escape(ref.name)} {{#{urls.ref_anchor(ref.id)}}}"
        entries.append(f"{heading}\n\n{html.reference(ref, naming)}\n")
    return "\n".join(entries)


def history_table(bundle: Bundle) -> str:
    policy = bundle.policy
    rows = [f"| {format_date(policy.adopted)} | Adopted | The text this handbook reproduces |"]
    rows += [f"| {format_date(r.date)} | Revised | {md_escape(r.summary)} |" for r in policy.revisions]
    return "\n".join(["| Date | Event | Notes |", "| --- | --- | --- |", *rows]) + "\n"


def revisions_note(bundle: Bundle) -> str:
    if bundle.policy.revisions:
        n = len(bundle.policy.revisions)
        return f"{n} revision{'s are' if n != 1 else ' is'} recorded."
    return (
        "No revision is recorded. The adopted text ends with a “Revised on” line that is left blank; "
        "the handbook reads that as: the policy has not been revised since its adoption."
    )


def section_title(bundle: Bundle, section_id: str) -> str:
    section: Section = bundle.policy.section(section_id)
    return section.title
