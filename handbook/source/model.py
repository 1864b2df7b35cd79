"""A policy's text, commentary and glossary as typed, immutable data (what ``load_policy`` returns)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..common import urls

ClauseKind = Literal[
    "purpose",
    "explanation",
    "prohibition",
    "obligation",
    "permission",
    "advice",
    "consequence",
    "reservation",
]
#: Kinds that state what employees (or the District) must, must not, may or should do, or
#: what follows: each of these clauses needs at least one checker rule.
NORMATIVE_KINDS: frozenset[str] = frozenset(
    {"prohibition", "obligation", "permission", "advice", "consequence", "reservation"}
)


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    kind: ClauseKind
    text: str
    section: str
    number: int | None = None  # list number in the original, for numbered items
    refs: tuple[str, ...] = ()
    rules: tuple[Mapping[str, Any], ...] = ()

    @property
    def anchor(self) -> str:
        return urls.clause_anchor(self.id)

    @property
    def normative(self) -> bool:
        return self.kind in NORMATIVE_KINDS


@dataclass(frozen=True)
class Block:
    kind: Literal["paragraph", "list"]
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Section:
    id: str
    heading: str | None
    blocks: tuple[Block, ...]
    file: str

    @property
    def clauses(self) -> tuple[Clause, ...]:
        return tuple(c for b in self.blocks for c in b.clauses)

    @property
    def title(self) -> str:
        return self.heading or "Purpose"

    @property
    def anchor(self) -> str:
        return urls.section_anchor(self.id)


@dataclass(frozen=True)
class Revision:
    date: dt.date
    summary: str


@dataclass(frozen=True)
class Reference:
    id: str
    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    clauses: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClauseCommentary:
    clause: str
    summary: str
    why: str
    examples: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionCommentary:
    section: str
    intro: str
    clauses: Mapping[str, ClauseCommentary]
    file: str


@dataclass(frozen=True)
class Policy:
    district: str
    state: str
    series: str
    number: str
    title: str
    adopted: dt.date
    revisions: tuple[Revision, ...]
    sections: tuple[Section, ...]
    references: Mapping[str, Reference]
    glossary: tuple[Term, ...]
    commentary: Mapping[str, SectionCommentary]
    original_text: str = field(repr=False)
    keywords: tuple[str, ...] = ()
    fictional: bool = False
    overview: str = ""  # our framing for the home page (Markdown; commentary); may be empty

    def clauses(self) -> Iterator[Clause]:
        for section in self.sections:
            yield from section.clauses

    def clause(self, clause_id: str) -> Clause:
        for clause in self.clauses():
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def section_of(self, clause_id: str) -> Section:
        return self.section(self.clause(clause_id).section)

    def clause_commentary(self, clause_id: str) -> ClauseCommentary | None:
        commentary = self.commentary.get(self.clause(clause_id).section)
        return commentary.clauses.get(clause_id) if commentary else None

    @property
    def full_title(self) -> str:
        return f"Policy {self.number} - {self.title}"

    @property
    def id(self) -> str:
        """The policy's id: its number (its source folder is named by it)."""
        return self.number

    @property
    def text_sha256(self) -> str:
        """SHA-256 of the adopted text's words joined by single spaces (the same for any layout)."""
        return hashlib.sha256(" ".join(self.original_text.split()).encode("utf-8")).hexdigest()
