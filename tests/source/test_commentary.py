"""Commentary and glossary: complete, checked against the official words, and inventing nothing.

Our commentary restates and explains Policy 5290. These tests keep it honest: every clause has
commentary, every glossary term really occurs in the clauses it lists, the summaries keep the
strength of the adopted words ("should" stays "should"), and no commentary writes law or the text
of other policies (Policy 5335, the Code of Ethics) that the handbook only names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from handbook.bundle import load_bundle
from handbook.config import policy_dir
from handbook.source.fidelity import official_text
from handbook.source.model import Policy
from handbook.source.text import term_occurs

from ..conftest import edit, problems_of

POLICY_DIR = policy_dir()


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_bundle().policy


def _rewrite_yaml(path: Path, change: Any) -> None:
    """Load a YAML file, let ``change`` modify the data, write it back (comments are lost)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=200), encoding="utf-8")


def _term_entry(data: list[dict[str, Any]], term_id: str) -> dict[str, Any]:
    return next(t for t in data if t["id"] == term_id)


# --- (a) every clause has commentary -----------------------------------------------------


def test_every_clause_has_commentary(policy: Policy) -> None:
    missing = [c.id for c in policy.clauses() if policy.clause_commentary(c.id) is None]
    assert missing == []
    for section in policy.sections:
        note = policy.commentary[section.id]
        assert note.intro
        assert list(note.clauses) == [c.id for c in section.clauses], "commentary in clause order"
        for cid, c in note.clauses.items():
            assert c.summary and c.why, cid
            assert 2 <= len(c.examples) <= 4, cid
            assert c.related, cid


def test_commentary_files_say_they_are_not_official() -> None:
    for path in sorted((POLICY_DIR / "commentary").glob("*.yaml")):
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert head[0] == "# yaml-language-server: $schema=../../schema/commentary.schema.json", path
        assert "COMMENTARY" in head[1] and "not official text" in head[1], path


def test_missing_clause_commentary_is_reported_at_its_commentary_file(src_copy: Path) -> None:
    _rewrite_yaml(src_copy / "commentary" / "07-contact.yaml", lambda d: d["clauses"].pop("5290.contact.3.3"))
    [msg] = problems_of(src_copy)
    assert "commentary/07-contact.yaml:" in msg
    assert msg.endswith("clauses: clause 5290.contact.3.3 has no commentary")


def test_section_without_commentary_file_is_reported_at_policy_yaml(src_copy: Path) -> None:
    (src_copy / "commentary" / "04-time.yaml").unlink()
    [msg] = problems_of(src_copy)
    assert "policy.yaml:" in msg and "sections[3]:" in msg
    assert "clause 5290.time.1 has no commentary (no file in commentary/ is for section 'time')" in msg


def test_commentary_on_an_unknown_clause(src_copy: Path) -> None:
    edit(src_copy / "commentary" / "04-time.yaml", "  5290.time.1:", "  5290.time.9:")
    msgs = problems_of(src_copy)
    assert any(
        "04-time.yaml:" in m and "unknown clause id '5290.time.9' for section 'time'" in m for m in msgs
    )
    assert any("04-time.yaml:" in m and "clause 5290.time.1 has no commentary" in m for m in msgs), msgs


def test_unknown_related_clause(src_copy: Path) -> None:
    edit(src_copy / "commentary" / "04-time.yaml", "related: [5290.preamble.1", "related: [5290.time.9")
    [msg] = problems_of(src_copy)
    assert "04-time.yaml:" in msg and "related[0]: unknown clause id '5290.time.9'" in msg


def test_a_clause_cannot_be_related_to_itself(src_copy: Path) -> None:
    edit(src_copy / "commentary" / "04-time.yaml", "related: [5290.preamble.1", "related: [5290.time.1")
    [msg] = problems_of(src_copy)
    assert "related[0]: clause 5290.time.1 lists itself as related" in msg


def test_examples_are_required_two_to_four(src_copy: Path) -> None:
    def trim(data: dict[str, Any]) -> None:
        data["clauses"]["5290.time.1"]["examples"] = data["clauses"]["5290.time.1"]["examples"][:1]

    _rewrite_yaml(src_copy / "commentary" / "04-time.yaml", trim)
    [msg] = problems_of(src_copy)
    assert "clauses.5290.time.1.examples:" in msg and "is too short" in msg


def test_a_broken_section_file_does_not_echo_into_commentary(src_copy: Path) -> None:
    """A renamed clause is one problem, not one more for each commentary or glossary entry."""
    edit(src_copy / "sections" / "06-accounts.yaml", "id: 5290.accounts.2", "id: 5290.accounts.1")
    [msg] = problems_of(src_copy)
    assert "duplicate clause id '5290.accounts.1'" in msg


# --- (b) a glossary term occurs in every clause it lists --------------------------------


def test_term_must_occur_in_the_clauses_it_lists(src_copy: Path) -> None:
    _rewrite_yaml(
        src_copy / "glossary.yaml",
        lambda d: _term_entry(d, "minor").update(clauses=["5290.name.3", "5290.name.2"]),
    )
    [msg] = problems_of(src_copy)
    assert "glossary.yaml:" in msg
    assert ".clauses[1]: term 'minor' does not occur in clause 5290.name.2" in msg


def test_a_changed_official_word_is_caught_by_the_glossary(src_copy: Path) -> None:
    edit(src_copy / "sections" / "03-name.yaml", "of the parent of a minor or", "of the parent of a child or")
    [msg] = problems_of(src_copy)
    assert "term 'minor' does not occur in clause 5290.name.3" in msg


def test_term_message_names_the_aliases_too(src_copy: Path) -> None:
    _rewrite_yaml(
        src_copy / "glossary.yaml",
        lambda d: _term_entry(d, "professional-relationship").update(clauses=["5290.time.1"]),
    )
    [msg] = problems_of(src_copy)
    assert (
        "term 'professional relationship' does not occur in clause 5290.time.1 "
        "(nor do its aliases 'professional relationships')"
    ) in msg


def test_terms_match_whole_words_only(src_copy: Path) -> None:
    # "District" is not the word "District-sponsored", nor is "student" the word "students".
    _rewrite_yaml(
        src_copy / "glossary.yaml",
        lambda d: _term_entry(d, "district").update(clauses=["5290.sponsored.1.1"], aliases=[]),
    )
    [msg] = problems_of(src_copy)
    assert "term 'District' does not occur in clause 5290.sponsored.1.1" in msg
    assert term_occurs("District", "the District's name")
    assert not term_occurs("District", "District-sponsored social media")
    assert not term_occurs("student", "all students")
    assert not term_occurs("district", "the District")


def test_a_spelling_belongs_to_one_term(src_copy: Path) -> None:
    _rewrite_yaml(
        src_copy / "glossary.yaml",
        lambda d: _term_entry(d, "current-students").update(term="students"),
    )
    [msg] = problems_of(src_copy)
    assert "'students' is already a term or alias of 'student'" in msg


def test_glossary_lists_every_clause_that_uses_a_term(policy: Policy) -> None:
    for term in policy.glossary:
        phrases = (term.term, *term.aliases)
        uses = [c.id for c in policy.clauses() if any(term_occurs(p, c.text) for p in phrases)]
        assert list(term.clauses) == uses, term.id
        for phrase in phrases:
            assert any(term_occurs(phrase, c.text) for c in policy.clauses()), (term.id, phrase)


def test_glossary_has_the_terms_readers_need(policy: Policy) -> None:
    terms = {t.term for t in policy.glossary}
    spellings = terms | {a for t in policy.glossary for a in t.aliases}
    needed = {
        "District", "employee", "staff members", "staff", "certificated professional employee", "student",
        "current students", "minor", "adult", "emancipated student", "parent", "written authority",
        "social media", "social media sites", "personal social media sites",
        "District-sponsored social media", "school-based activity", "media opt-out list",
        "confidential or proprietary information", "District/administration", "District Administration",
        "professional relationship", "Code of Ethics for Idaho Professional Educators",
        "Professional Standards Commission", "disciplinary action", "nonrenewal", "District email address",
        "professional social media activities", "electronic means",
    }  # fmt: skip
    assert needed - spellings == set()
    refs = {t.term: t.refs for t in policy.glossary}
    assert refs["Code of Ethics for Idaho Professional Educators"] == ("code-of-ethics",)
    assert refs["Professional Standards Commission"] == ("psc",)


# --- Commentary invents nothing -----------------------------------------------------------


def _our_texts(policy: Policy) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of our prose: intros, summaries, whys, examples, definitions."""
    for sid, note in policy.commentary.items():
        yield f"commentary {sid} intro", note.intro
        for cid, c in note.clauses.items():
            yield f"{cid} summary", c.summary
            yield f"{cid} why", c.why
            for i, example in enumerate(c.examples):
                yield f"{cid} example {i + 1}", example
    for term in policy.glossary:
        yield f"glossary {term.id}", term.definition


#: Phrases that would write law, cite legal sources, or invent policy documents.
FORBIDDEN = [
    r"5290P",
    r"\bprocedure 5290\b",
    r"Idaho Code",
    r"§",
    r"\bI\.\s?C\.",
    r"\bIDAPA\b",
    r"\bU\.\s?S\.\s?C\.",
    r"\bC\.?F\.?R\.?\b",
    r"\bFERPA\b",
    r"\bCOPPA\b",
    r"\bCIPA\b",
    r"\bHIPAA\b",
    r"\bTitle IX\b",
    r"\bFirst Amendment\b",
    r"\bstatutes?\b",
    r"\bcase law\b",
    r"\bcourts? (has|have) held\b",
    r"\b(the|state|federal|Idaho) law (requires|says|states|mandates|forbids|prohibits|allows|permits)\b",
    r"\b(required|forbidden|prohibited|allowed|permitted) by law\b",
    r"\blegally (required|obliged|bound)\b",
    r"\bunder (Idaho|federal|state) law\b",
    r"\b(Principle|Standard) [IVX]+\b",
]

#: Sources the policy names but whose text the handbook must never write.
NAMED_SOURCES = r"(Policy 5335|Code of Ethics|Professional Standards Commission)"
ATTRIBUTION = re.compile(
    NAMED_SOURCES + r"(?: for Idaho Professional Educators)?,? (?:also )?"
    r"(says|states|reads|provides|defines|lists|forbids|allows|permits|sets out|contains)\b"
    r"|according to (the )?" + NAMED_SOURCES
)
QUOTED = re.compile(r"\"([^\"]+)\"")


def _policy_words(policy: Policy) -> str:
    return " ".join(official_text(policy).replace("\u00a0", " ").split())


def test_commentary_writes_no_law_and_no_other_policy(policy: Policy) -> None:
    found = [
        f"{where}: {pattern!r}"
        for where, text in _our_texts(policy)
        for pattern in FORBIDDEN
        if re.search(pattern, text, re.IGNORECASE)
    ]
    assert found == []


def test_no_text_is_attributed_to_the_sources_the_policy_names(policy: Policy) -> None:
    """Sentences naming Policy 5335, the Code of Ethics or the Commission quote only Policy 5290."""
    adopted = _policy_words(policy)
    found = []
    for where, text in _our_texts(policy):
        if ATTRIBUTION.search(text):
            found.append(f"{where}: says what a named source says")
        for sentence in re.split(r"(?<=[.;:])\s+", text):
            if re.search(NAMED_SOURCES, sentence):
                found += [
                    f"{where}: quotes {q!r}"
                    for q in QUOTED.findall(sentence)
                    if " ".join(q.split()) not in adopted
                ]
        found += [f"{where}: 5335 without 'Policy'" for _ in re.finditer(r"(?<!Policy )\b5335\b", text)]
    assert found == []


def test_commentary_never_calls_itself_official(policy: Policy) -> None:
    """ "official" appears only inside the policy's own phrase "official school-based organization"."""
    found = [
        where
        for where, text in _our_texts(policy)
        if re.search(r"\bofficial\b", text.replace("official school-based organization", ""), re.IGNORECASE)
    ]
    assert found == []


# --- Summaries keep the strength of the adopted words ----------------------------------------

MANDATORY = re.compile(r"\b(must|shall|will|required|[Pp]rohibited|reserves)\b")


def test_summaries_keep_the_strength_of_the_words(policy: Policy) -> None:
    for clause in policy.clauses():
        note = policy.clause_commentary(clause.id)
        assert note is not None
        text, summary = clause.text, note.summary
        words = len(summary.split())
        assert words <= 60, f"{clause.id}: summary has {words} words"
        if re.search(r"\bshould\b", text):
            assert "should" in summary and "must" not in summary, clause.id
        if re.search(r"\bcould\b", text):
            assert "could" in summary and not re.search(r"\bwill\b", summary), clause.id
        if "may result" in text:
            assert "may" in summary, clause.id
        if "will result" in text or "will be considered" in text:
            assert "will" in summary, clause.id
        if "use caution" in text:
            assert "caution" in summary, clause.id
        if clause.kind in {"advice", "explanation", "purpose"}:
            assert not re.search(r"\b(must|shall|required|prohibited)\b", summary), clause.id
        elif clause.kind in {"prohibition", "obligation"} and "should" not in text:
            assert MANDATORY.search(summary), clause.id


def test_summaries_name_the_people_and_sources_the_clause_names(policy: Policy) -> None:
    """A summary does not drop who is bound or which source is named."""
    keep = [
        "Code of Ethics",
        "Professional Standards Commission",
        "Policy 5335",
        "State or federal law",
        "media opt-out list",
        "District/administration",
        "District Administration",
        "current students",
        "certificated professional employee",
        "written authority",
        "emancipated",
        "termination",
        "nonrenewal",
        "disciplinary action",
    ]
    for clause in policy.clauses():
        note = policy.clause_commentary(clause.id)
        assert note is not None
        for phrase in keep:
            if phrase in clause.text:
                assert (
                    phrase in note.summary or phrase.replace("written authority", "written") in note.summary
                ), (
                    clause.id,
                    phrase,
                )
