"""Defined terms in the official words: the first use of each, found as whole words, exact case."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..source.model import Term

Segment = tuple[str, Term | None]  # a run of text, and the term it is (None: plain text)


def term_pattern(terms: Iterable[Term]) -> re.Pattern[str] | None:
    """Every term and alias, exact case, whole words, longest first."""
    names = sorted({n for t in terms for n in (t.term, *t.aliases)}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")


def term_segments(text: str, terms: tuple[Term, ...]) -> list[Segment]:
    """``text`` cut into plain runs and the first use of each defined term (to link to the glossary)."""
    pattern = term_pattern(terms)
    if pattern is None:
        return [(text, None)]
    by_name = {n: t for t in terms for n in (t.term, *t.aliases)}
    out: list[Segment] = []
    seen: set[str] = set()
    pos = 0
    for match in pattern.finditer(text):
        term = by_name[match.group(1)]
        if term.id in seen:
            continue
        seen.add(term.id)
        out.append((text[pos : match.start()], None))
        out.append((match.group(1), term))
        pos = match.end()
    out.append((text[pos:], None))
    return [s for s in out if s[0]]
