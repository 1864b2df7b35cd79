"""Handbook pages about the checker: per clause, the questions it asks and each rule in words
(Catala-style, beside the clause); the questions page; and the casebook as worked examples, whose
results the bundle computed (and checked against the casebook) when it was loaded.

Conditions are put in words by ``policycheck.words``, the one renderer, in the web's style.
"""

from __future__ import annotations

from typing import Any

import markupsafe
from policycheck.conditions import facts_read
from policycheck.model import VERDICT_LABELS, VERDICTS
from policycheck.words import Item, Style, condition_lines, nest, rule_condition_lines

from ..bundle import Bundle, WorkedExample
from ..common import urls
from ..source.model import Section
from .pages import fragments, md_escape


def _style(html: Any) -> Style:
    return Style(answer=html.answer, rule_id=html.rule_id, clause=html.clause_ref, text=markupsafe.escape)


def _safe(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """Lines built from escaped pieces and template macros: mark them as the HTML they are."""
    return tuple(Item(markupsafe.Markup(i.text), _safe(i.children)) for i in items)


def clause_checker(bundle: Bundle, clause_id: str, page_url: str) -> str:
    """Per clause: the questions it asks and its rules in words (its own or, if it has none, those
    that cite it); for a consequence, the rules that lead to it; as a labelled (non-official) note."""
    engine = bundle.checker.engine
    rules = [r for r in engine.book.rules if r.clause == clause_id]
    if not rules:  # a clause read only through another clause's rule (which cites it)
        rules = [r for r in engine.book.rules if clause_id in r.cites]
    leading = [
        r
        for r in engine.book.rules
        if any(engine.book.consequences[c.id].clause == clause_id for c in r.consequences)
    ]
    if not rules and not leading:
        return ""
    html = fragments(bundle, page_url, "web/checker.html.j2")
    style = _style(html)
    read: set[str] = set()
    for r in rules:
        read |= engine.reads[r.id]
    questions = [f for f in engine.facts if f.id in read and f.id not in engine.roots]
    items = []
    for r in rules:
        lines = _safe(nest(rule_condition_lines(r, engine, style)))
        consequences = [(engine.book.consequences[c.id], c.condition) for c in r.consequences]
        items.append(
            (r, VERDICT_LABELS[r.verdict], lines, r.overrides, r.obligations, consequences, clause_id)
        )
    return f"{html.clause_note(questions, items, leading)}\n"


def facts_page(bundle: Bundle, page_url: str) -> str:
    """Every question the checker asks: its answers, when it is asked, which rules read it."""
    engine = bundle.checker.engine
    html = fragments(bundle, page_url, "web/checker.html.j2")
    style = _style(html)
    out = []
    for f in engine.facts:
        asked = _safe(nest(condition_lines(f.asked_when, engine, style))) if f.asked_when else ()
        readers = [r for r in engine.book.rules if f.id in set(facts_read(r.when))]
        clauses = list(dict.fromkeys(r.clause for r in readers))
        heading = f"## {md_escape(f.question)} {{#{urls.fact_anchor(f.id)}}}"
        out.append(f"{heading}\n\n{html.fact(f, asked, clauses)}\n")
    return "\n".join(out)


def example_entries(bundle: Bundle, examples: list[WorkedExample], page_url: str, level: str) -> str:
    html = fragments(bundle, page_url, "partials/example.html.j2")
    questions = {f.id: f.question for f in bundle.checker.facts}
    return "\n".join(
        f"{level} {md_escape(ex.title)} {{#{ex.anchor}}}\n\n{html.example(ex, questions)}\n"
        for ex in examples
    )


def example_groups(bundle: Bundle) -> list[tuple[str, str, list[WorkedExample]]]:
    """The worked examples by what they involve (the first question's answers, in its order):
    (anchor, heading, examples); the situations that combine several, then the unsure ones, last."""
    root = bundle.checker.engine.fact[bundle.checker.engine.roots[0]]

    def involves(ex: WorkedExample) -> list[Any]:
        value = ex.facts.get(root.id)
        return list(value) if isinstance(value, list) else [] if value is None else [value]

    groups = [
        (
            f"involves-{str(v.id).replace('_', '-')}",
            v.label,
            [ex for ex in bundle.examples if involves(ex) == [v.id]],
        )
        for v in root.values
    ]
    several = [ex for ex in bundle.examples if len(involves(ex)) > 1]
    groups += [("situations-that-combine", "Situations that combine", several)]
    placed = {ex.id for g in groups for ex in g[2]}
    rest = [ex for ex in bundle.examples if ex.id not in placed]  # not sure what it involves
    groups += [("not-sure-what-it-involves", "Not sure what it involves", rest)]
    return [g for g in groups if g[2]]


def examples_page(bundle: Bundle, page_url: str) -> str:
    """Every casebook scenario as a worked example, grouped by what it involves, with a filter."""
    html = fragments(bundle, page_url, "partials/example.html.j2")
    given = {ex.result["verdict"] for ex in bundle.examples}
    verdicts = [(v, VERDICT_LABELS[v]) for v in VERDICTS if v in given]
    out = [str(html.filter(verdicts, len(bundle.examples)))]
    for anchor, heading, examples in example_groups(bundle):
        out.append(f"## {md_escape(heading)} {{#{anchor} .hb-group}}\n")
        out.append(example_entries(bundle, examples, page_url, "###"))
    out.append(str(html.filter_none()))
    return "\n".join(out)


def checker_starters(bundle: Bundle, page_url: str) -> str:
    """The common situations of the casebook (``start:``) as links that open them in the checker."""
    html = fragments(bundle, page_url, "web/checker.html.j2")
    return str(html.starters([ex for ex in bundle.examples if ex.start]))


def question_options(fact: Any) -> list[tuple[str, str]]:
    """A question's answers as the form offers them: (input value, label), "I don't know" last.

    The values are what checker.js reads back (``true``/``false``, ``v:<id>``, ``""`` for unknown)."""
    options = [
        ("true" if v.id is True else "false" if v.id is False else f"v:{v.id}", v.label) for v in fact.values
    ]
    return [*options, ("", "I don\u2019t know")]


def checker_questions(bundle: Bundle, page_url: str) -> str:
    """Every question of the checker as the form's markup, in the page itself: the first questions
    can be answered as soon as the page shows, before any script runs (checker.js adopts them)."""
    html = fragments(bundle, page_url, "web/checker.html.j2")
    facts = bundle.checker.engine.facts
    return str(html.questions([(f, question_options(f)) for f in facts]))


def examples_of_section(bundle: Bundle, section: Section) -> list[WorkedExample]:
    """The worked examples that cite a clause of this section."""
    ids = {c.id for c in section.clauses}
    return [ex for ex in bundle.examples if ids & set(ex.cited)]


def section_examples(bundle: Bundle, section_id: str, page_url: str, level: str = "###") -> str:
    examples = examples_of_section(bundle, bundle.policy.section(section_id))
    return example_entries(bundle, examples, page_url, level)
