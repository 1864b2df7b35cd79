"""Where a link leads, on a web page or on paper: the templates ask a ``Links`` and never spell a URL.

``WebLinks`` gives URLs relative to the page being rendered (``common.urls``); ``PrintLinks``
gives anchors inside the printed document, or nothing where paper cannot follow a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..common import urls


@dataclass(frozen=True)
class WebLinks:
    """Links from one page of the site (``page_url``: its URL, relative to the site root)."""

    page_url: str

    def page(self, url: str) -> str:
        return urls.relative(url, self.page_url)

    def clause(self, clause_id: str, section_id: str) -> str:
        return self.page(urls.clause_url(clause_id, section_id))

    def official_clause(self, clause_id: str) -> str:
        return self.page(urls.official_clause_url(clause_id))

    def term(self, term_id: str) -> str:
        return self.page(f"{urls.GLOSSARY}#{urls.term_anchor(term_id)}")

    def ref(self, ref_id: str) -> str:
        return self.page(f"{urls.GLOSSARY}#{urls.ref_anchor(ref_id)}")

    def fact(self, fact_id: str) -> str:
        return self.page(f"{urls.FACTS}#{urls.fact_anchor(fact_id)}")

    def example(self, case_id: str, section_id: str | None = None) -> str:
        """A worked example: on the section page when given (they are repeated there)."""
        where = urls.section_url(section_id) if section_id else urls.EXAMPLES
        return self.page(f"{where}#{urls.example_anchor(case_id)}")

    def permalink(self, facts: dict[str, object]) -> str:
        return self.page(urls.permalink(facts))


@dataclass(frozen=True)
class PrintLinks:
    """Links inside one printed document: anchors only (paper cannot follow a web link)."""

    def page(self, url: str) -> str:
        return ""

    def clause(self, clause_id: str, section_id: str) -> str:
        return "#" + urls.clause_anchor(clause_id)

    def official_clause(self, clause_id: str) -> str:
        return ""

    def term(self, term_id: str) -> str:
        return "#" + urls.term_anchor(term_id)

    def ref(self, ref_id: str) -> str:
        return "#" + urls.ref_anchor(ref_id)

    def fact(self, fact_id: str) -> str:
        return ""

    def example(self, case_id: str, section_id: str | None = None) -> str:
        return "#" + urls.example_anchor(case_id)

    def permalink(self, facts: dict[str, object]) -> str:
        return ""


Links = WebLinks | PrintLinks
