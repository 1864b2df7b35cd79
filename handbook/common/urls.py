"""The site's URL scheme: every page, anchor and file name the pipeline writes, links between
pages, and the checker's permalinks. The one home of each; nothing else spells them.

Site URLs are relative to the site root in MkDocs' directory form (``""`` is the home page,
``"sections/contact/"`` a section page). Pages link to each other with :func:`relative`, so the
built site works from any folder and offline.
"""

from __future__ import annotations

import base64
import json
import posixpath
import re
from collections.abc import Mapping
from typing import Any

HOME = ""
OFFICIAL = "official/"
GLOSSARY = "glossary/"
HISTORY = "history/"
ABOUT = "about/"
CHECKER = "checker/"
FACTS = "facts/"
EXAMPLES = "examples/"
PDF_DIR = "pdf/"
CHECKER_ASSETS = "assets/checker/"
PYODIDE_ASSETS = "assets/pyodide/"
#: The compiled rulebook and the scenario schema, published beside the checker's scripts.
RULEBOOK = CHECKER_ASSETS + "rulebook.json"
SCENARIO_SCHEMA = CHECKER_ASSETS + "scenario.schema.json"
#: The permalink fragment's prefix: ``checker/#s=<token>``.
PERMALINK_KEY = "s"


def section_url(section_id: str) -> str:
    return f"sections/{section_id}/"


def section_source(section_id: str) -> str:
    """The name of a section page's (generated) Markdown source, as MkDocs knows it."""
    return f"sections/{section_id}.md"


def section_anchor(section_id: str) -> str:
    return f"s-{section_id}"


def clause_anchor(clause_id: str) -> str:
    """Stable HTML id of a clause: ``9.contact.3.1`` -> ``c-9-contact-3-1``."""
    return "c-" + clause_id.replace(".", "-")


def clause_heading_anchor(clause_id: str) -> str:
    """The id of the heading above a clause on its annotated page."""
    return "h-" + clause_id.replace(".", "-")


def clause_url(clause_id: str, section_id: str) -> str:
    """A clause on its annotated section page."""
    return f"{section_url(section_id)}#{clause_anchor(clause_id)}"


def official_clause_url(clause_id: str) -> str:
    """A clause in the official text."""
    return f"{OFFICIAL}#{clause_anchor(clause_id)}"


def term_anchor(term_id: str) -> str:
    return f"term-{term_id}"


def ref_anchor(ref_id: str) -> str:
    return f"ref-{ref_id}"


def fact_anchor(fact_id: str) -> str:
    return "f-" + fact_id.replace("_", "-")


def example_anchor(case_id: str) -> str:
    return "ex-" + re.sub(r"[^A-Za-z0-9_-]+", "-", case_id)


def pdf_name(number: str, edition: str) -> str:
    """The published file name of a PDF edition: ``policy-<number>-<edition>.pdf``."""
    return f"policy-{number}-{edition}.pdf"


def pdf_url(number: str, edition: str) -> str:
    return PDF_DIR + pdf_name(number, edition)


def relative(target: str, page_url: str) -> str:
    """``target`` (site-root relative, may end in ``#fragment``) as a link from ``page_url``.

    Both are directory URLs (``"sections/contact/"``) or files (``"404.html"``); a target on the
    page itself becomes a bare ``#fragment``.
    """
    path, sep, fragment = target.partition("#")
    if sep and path == page_url:
        return f"#{fragment}"
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/"
    rel = posixpath.relpath("/" + path, "/" + base)
    if path.endswith("/") or not path:
        rel = "./" if rel == "." else rel.rstrip("/") + "/"
    return rel + sep + fragment


def encode_scenario(facts: Mapping[str, Any]) -> str:
    """A permalink's token: base64url (no padding) of compact, key-sorted UTF-8 JSON ``{"facts": ...}``.

    The page (``docs/assets/checker/checker.js``) encodes the same way; a test proves they agree.
    """
    text = json.dumps({"facts": dict(facts)}, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_scenario(token: str) -> dict[str, Any]:
    """The facts of a permalink's token (the inverse of :func:`encode_scenario`)."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    facts: dict[str, Any] = json.loads(raw.decode("utf-8"))["facts"]
    return facts


def permalink(facts: Mapping[str, Any]) -> str:
    """The checker page (site-root relative) opened with these answers."""
    return f"{CHECKER}#{PERMALINK_KEY}={encode_scenario(facts)}"
