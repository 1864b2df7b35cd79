"""Handbook pages about the checker, as Markdown: pure functions, computed from policy_src.

Catala-style: per clause, the questions the checker asks and each rule in plain words; the
facts page; and the casebook as worked examples whose verdicts the checker computes at build
time. ``CasebookMismatch`` is raised (and fails the build) when a computed verdict, cited
clauses or open questions differ from what the casebook expects.

Links are made relative to ``page_url`` (the page being rendered, relative to the site root,
MkDocs' directory URLs: ``""``, ``"examples/"``, ``"sections/contact/"``).
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from policy5290 import Checker, check
from policy5290.model import VERDICT_LABELS, Condition, Rule, Rulebook

from .compile import build_rulebook
from .rulesource import RuleSource, load_rule_source

CHECKER_URL = "checker/"
EXAMPLES_URL = "examples/"
FACTS_URL = "facts/"
RULES_LABEL = "How the checker reads this clause (our rules, not official policy text)"


class CasebookMismatch(Exception):
    """A scenario's computed verdict differs from the casebook's expectation."""


@functools.cache
def _loaded() -> tuple[Checker, RuleSource]:
    src = load_rule_source()
    return Checker(Rulebook.from_data(build_rulebook(src))), src


def reset() -> None:
    """Forget the loaded source (``mkdocs serve`` reloads after an edit)."""
    _loaded.cache_clear()
    worked_examples.cache_clear()


def _engine() -> Checker:
    return _loaded()[0]


def _rel(target: str, page_url: str) -> str:
    """A site-root-relative URL as seen from ``page_url`` (directory URLs)."""
    depth = page_url.strip("/").count("/") + 1 if page_url.strip("/") else 0
    return "../" * depth + target


def _fact_anchor(fact_id: str) -> str:
    return "f-" + fact_id.replace("_", "-")


def _a(href: str, text: str, title: str = "", cls: str = "hb-cref") -> str:
    """A raw HTML link (MkDocs leaves it as is; the href is already relative to the page)."""
    tip = f' title="{escape(title)}"' if title else ""
    return f'<a class="{cls}" href="{escape(href)}"{tip}>{escape(text)}</a>'


def _clause_link(clause_id: str, page_url: str) -> str:
    c = _engine().book.clauses[clause_id]
    return _a(_rel(c.url, page_url), c.id, c.title)


def _fact_link(fact_id: str, page_url: str) -> str:
    return _a(
        f"{_rel(FACTS_URL, page_url)}#{_fact_anchor(fact_id)}", fact_id, "About this question", "hb-fact"
    )


def checker_link(facts: Mapping[str, Any], page_url: str) -> str:
    """URL of the checker pre-filled with a scenario: ``#s=`` + base64url (no padding) of its JSON."""
    payload = json.dumps({"facts": dict(facts)}, separators=(",", ":"), ensure_ascii=False)
    token = base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{_rel(CHECKER_URL, page_url)}#s={token}"


# --- conditions and rules in words ------------------------------------------------------------


def _leaf_words(cond: Condition) -> str:
    fact = _engine().fact[cond["fact"]]
    wanted = cond["in"] if "in" in cond else [cond["is"]]
    answers = " or ".join(f"**{fact.label(v)}**" for v in wanted)
    return f"“{fact.question}” {answers}"


def condition_in_words(cond: Condition, page_url: str = "", depth: int = 0) -> list[str]:
    """A condition as nested Markdown bullet lines."""
    pad = "    " * depth
    if "fact" in cond:
        return [f"{pad}- {_leaf_words(cond)}"]
    if "rule" in cond:
        rule = _engine().rule[cond["rule"]]
        title = _engine().book.clauses[rule.clause].title
        return [f"{pad}- rule `{rule.id}` applies ({_clause_link(rule.clause, page_url)}: {title})"]
    if "not" in cond:
        return [f"{pad}- none of these:", *condition_in_words(cond["not"], page_url, depth + 1)]
    key = "all" if "all" in cond else "any"
    lines = [f"{pad}- {'all' if key == 'all' else 'any'} of these:"]
    for c in cond[key]:
        lines += condition_in_words(c, page_url, depth + 1)
    return lines


def _top_conditions(cond: Condition) -> list[Condition]:
    return list(cond["all"]) if "all" in cond else [cond]


def rule_in_words(rule_id: str, page_url: str = "") -> str:
    """“Not permitted when: …” — the rule's verdict, condition, obligations and consequences."""
    engine = _engine()
    rule = engine.rule[rule_id]
    lines = [f"**{VERDICT_LABELS[rule.verdict]}** (rule `{rule.id}`) when all of these hold:", ""]
    for c in _top_conditions(rule.when):
        lines += condition_in_words(c, page_url)
    overriders = engine.overridden_by[rule.id]
    if overriders:
        names = ", ".join(f"`{o}` ({_clause_link(engine.rule[o].clause, page_url)})" for o in overriders)
        lines.append(f"- and rule {names} does not apply (it takes precedence)")
    if rule.overrides:
        lines += ["", "Takes precedence over: " + ", ".join(f"`{o}`" for o in rule.overrides) + "."]
    lines += ["", f"Why: {rule.explanation}"]
    if rule.obligations:
        lines += ["", "Obligations:", "", *(f"- {o}" for o in rule.obligations)]
    if rule.consequences:
        lines += ["", "Consequences stated by the policy:", ""]
        for cid in rule.consequences:
            stated = engine.book.consequences[cid]
            lines.append(f"- {stated.text} ({_clause_link(stated.clause, page_url)})")
    return "\n".join(lines) + "\n"


def _rules_of(clause_id: str) -> list[Rule]:
    return [r for r in _engine().book.rules if r.clause == clause_id]


def clause_questions(clause_id: str, page_url: str = "") -> str:
    """The questions the checker asks for this clause (the facts its rules read)."""
    engine = _engine()
    read: set[str] = set()
    for r in _rules_of(clause_id):
        read |= engine.reads[r.id]
    facts = [f for f in engine.facts if f.id in read and f.id not in engine.roots]
    if not facts:
        return ""
    lines = ["The checker asks:", ""]
    for f in facts:
        answers = " / ".join(v.label for v in f.values)
        lines.append(f"- {f.question} ({answers}) {_fact_link(f.id, page_url)}")
    return "\n".join(lines) + "\n"


def clause_checker(clause_id: str, page_url: str = "") -> str:
    """Per clause: the questions and the rules in plain words, as a labelled (non-official) note."""
    rules = _rules_of(clause_id)
    if not rules:
        return ""
    body = [clause_questions(clause_id, page_url), *(rule_in_words(r.id, page_url) for r in rules)]
    text = "\n".join(body)
    indented = "\n".join(("    " + line) if line else "" for line in text.splitlines())
    return f'??? abstract "{RULES_LABEL}"\n\n{indented}\n'


def section_rules(section_id: str, page_url: str = "") -> str:
    """Every clause of a section that has rules: its checker note under a small heading."""
    out = []
    for cid, clause in _engine().book.clauses.items():
        if clause.section == section_id and _rules_of(cid):
            out.append(f"**{_clause_link(cid, page_url)} {clause.title}**\n\n{clause_checker(cid, page_url)}")
    return "\n".join(out)


# --- the facts page --------------------------------------------------------------------------


def facts_page(page_url: str = FACTS_URL) -> str:
    """Every question the checker asks: answers, when it is asked, which rules read it."""
    engine = _engine()
    out = []
    for f in engine.facts:
        lines = [f"## {f.question} {{#{_fact_anchor(f.id)}}}", ""]
        kind = "yes or no" if f.type == "yes_no" else "one of the answers below"
        lines += [f"Fact `{f.id}`, answered {kind}, or left unknown. {f.help}", ""]
        if f.type == "one_of":
            lines += [*(f"- `{v.id}`: {v.label}" for v in f.values), ""]
        if f.asked_when is None:
            lines += ["Always asked first.", ""]
        else:
            lines += ["Asked only when:", "", *condition_in_words(f.asked_when, page_url), ""]
        readers = [r for r in engine.book.rules if f.id in _direct_facts(r.when)]
        clauses = list(dict.fromkeys(r.clause for r in readers))
        lines.append("Read by the rules of " + ", ".join(_clause_link(c, page_url) for c in clauses) + ".")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def _direct_facts(cond: Condition) -> set[str]:
    if "fact" in cond:
        return {cond["fact"]}
    out: set[str] = set()
    for key in ("all", "any"):
        for c in cond.get(key, ()):
            out |= _direct_facts(c)
    if "not" in cond:
        out |= _direct_facts(cond["not"])
    return out


# --- worked examples ---------------------------------------------------------------------------


@functools.cache
def worked_examples() -> tuple[tuple[Mapping[str, Any], Mapping[str, Any]], ...]:
    """Each casebook scenario with the result the checker computes (``policy5290.result/1``);
    raises CasebookMismatch when a computed verdict differs from the casebook's expectation.
    The handbook pages and the annotated PDF both print these."""
    engine, src = _loaded()
    out = []
    problems = []
    for located in src.casebook:
        case = located.data
        result = check({"facts": case["facts"]}, engine=engine)
        expect = case["expect"]
        cited = sorted({f["clause"]["id"] for f in [*result["findings"], *result["possible_findings"]]})
        opened = [q["fact"] for q in result["open_questions"]]
        if (result["verdict"], cited, opened) != (
            expect["verdict"],
            sorted(expect["clauses"]),
            list(expect.get("open_questions", [])),
        ):
            problems.append(
                f"{case['id']}: computed {result['verdict']} citing {cited} (open: {opened}), "
                f"the casebook expects {expect['verdict']} citing {sorted(expect['clauses'])} "
                f"(open: {expect.get('open_questions', [])})"
            )
        out.append((case, result))
    if problems:
        raise CasebookMismatch("casebook verdicts differ from the checker's:\n  " + "\n  ".join(problems))
    return tuple(out)


def _example(case: Mapping[str, Any], result: Mapping[str, Any], page_url: str, level: str = "###") -> str:
    lines = [f"{level} {case['title']} {{#ex-{case['id']}}}", "", " ".join(case["story"].split()), ""]
    lines += ["You said:", ""]
    lines += [f"- {a['question']} **{a['answer_label']}**" for a in result["answers"]]
    unknown = [f for f, v in case["facts"].items() if v is None]
    lines += [f"- {_engine().fact[f].question} *(unknown)*" for f in unknown]
    lines += [
        "",
        f"**Verdict (computed by the checker): {result['verdict_label']}.** {result['summary']}",
        "",
    ]
    for f in result["findings"]:
        lines.append(
            f"- {f['verdict_label']}: {_clause_link(f['clause']['id'], page_url)} {f['clause']['title']}"
        )
    if result["open_questions"]:
        lines += ["", "Open questions that decide it:", ""]
        lines += [f"- {q['question']} {_fact_link(q['fact'], page_url)}" for q in result["open_questions"]]
    if result["possible_findings"]:
        lines += ["", "Clauses that may apply, depending on the answers:", ""]
        for f in result["possible_findings"]:
            lines.append(
                f"- {f['verdict_label']}: {_clause_link(f['clause']['id'], page_url)} {f['clause']['title']}"
            )
    facts = {k: v for k, v in case["facts"].items() if v is not None}
    lines += ["", _a(checker_link(facts, page_url), "Try this in the checker", cls="hb-try"), ""]
    return "\n".join(lines)


def examples_page(page_url: str = EXAMPLES_URL) -> str:
    """Every casebook scenario as a worked example (verdicts computed now; mismatch -> error)."""
    return "\n".join(_example(case, result, page_url, "##") for case, result in worked_examples())


def section_examples(section_id: str, page_url: str = "", level: str = "###") -> str:
    """The worked examples that cite a clause of this section."""
    clauses = {cid for cid, c in _engine().book.clauses.items() if c.section == section_id}
    chosen = [
        (case, result)
        for case, result in worked_examples()
        if clauses & {f["clause"]["id"] for f in [*result["findings"], *result["possible_findings"]]}
    ]
    return "\n".join(_example(case, result, page_url, level) for case, result in chosen)


def casebook_ids() -> Sequence[str]:
    return [case["id"] for case, _ in worked_examples()]
