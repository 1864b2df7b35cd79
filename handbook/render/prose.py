"""Our prose (commentary, glossary readings, descriptions) from its little Markdown to HTML, with
every clause id it mentions turned into a link to that clause: one renderer for web and paper."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable

import markdown
import markupsafe
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from ..source.ids import clause_id_in_text
from ..source.model import Policy
from .links import Links

#: clause id -> (href, title), or None for an id that names no clause of the policy
Resolve = Callable[[str], tuple[str, str] | None]


class _ClauseIds(InlineProcessor):
    def __init__(self, resolve: Resolve) -> None:
        super().__init__(clause_id_in_text().pattern)
        self.resolve = resolve

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | None, int | None, int | None]:  # type: ignore[override]
        found = self.resolve(m.group(1))
        if found is None:
            return None, None, None
        link = etree.Element("a", {"class": "hb-cref", "href": found[0], "title": found[1]})
        link.text = m.group(1)
        return link, m.start(0), m.end(0)


class _ClauseIdLinks(Extension):
    def __init__(self, resolve: Resolve) -> None:
        super().__init__()
        self.resolve = resolve

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.inlinePatterns.register(_ClauseIds(self.resolve), "clause-ids", 5)


def resolver(policy: Policy, links: Links) -> Resolve:
    clauses = {c.id: c for c in policy.clauses()}

    def resolve(clause_id: str) -> tuple[str, str] | None:
        clause = clauses.get(clause_id)
        if clause is None:
            return None
        return links.clause(clause.id, clause.section), clause.title

    return resolve


def prose(text: str, resolve: Resolve, *, inline: bool = False) -> markupsafe.Markup:
    """HTML of ``text``: paragraphs (or, ``inline``, one run of text with its whitespace collapsed)."""
    md = markdown.Markdown(extensions=[_ClauseIdLinks(resolve)])
    if inline:
        html = md.convert(" ".join(text.split()))
        html = html.removeprefix("<p>").removesuffix("</p>")
    else:
        html = md.convert(text.strip())
    return markupsafe.Markup(html)
