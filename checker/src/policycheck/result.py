"""The result format (``RESULT_FORMAT``): plain JSON-serialisable data, a plain answer first.

A result leads with the verdict in words and one plain sentence (``summary``) built from the
deciding finding's headline; clause ids are citations, never part of that sentence. Findings are
the rules that apply for certain (prohibitions, conditions, cautions, permissions), the most
specific clause first; each says which part of the situation it is about, why ("because"), what
to do, what can happen (the consequences the policy states, with its own conditions) and what
would change it. What only may apply is written as "If ..., then ..." from answers the reader has
not given. "I don't know" is an answer: it is listed with the others.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .conditions import NA, UNKNOWN, supporting_facts
from .engine import Engine, Evaluation
from .model import FINDING_ROLES, RANK, RESULT_FORMAT, VERDICT_LABELS, Answer, Fact, Rule
from .validate import Scenario


def to_json(result: Mapping[str, Any]) -> str:
    """Canonical serialisation: sorted keys, compact, UTF-8 text; byte-identical for equal results."""
    return json.dumps(result, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def join_words(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _answer(fact: Fact, answer: Answer | None) -> dict[str, Any]:
    return {
        "fact": fact.id,
        "question": fact.question,
        "answer": fact.to_json(answer),
        "answer_label": fact.label(answer),
        "says": fact.says(answer),
    }


def _clause(engine: Engine, cid: str, *, words: bool = True) -> dict[str, str]:
    c = engine.book.clauses[cid]
    out = {"id": c.id, "title": c.title, "url": c.url}
    if words:
        out["words"] = c.words
    return out


SUMMARY_TOPICS = 4
"""At most this many topics in an "It depends on ..." sentence; the rest are counted."""


def _sorted(engine: Engine, rules: list[Rule]) -> list[Rule]:
    """Worst first; within a verdict the most specific first: the deeper clause (a listed item
    before the sentence that introduces it), then the rule with something at stake (a
    consequence), then the rule that reads more of the situation, then source order."""
    return sorted(
        rules,
        key=lambda r: (
            RANK[r.verdict],
            -r.clause.count("."),
            not r.consequences,
            -len(engine.reads[r.id]),
            engine.rule_order[r.id],
        ),
    )


def _needed(engine: Engine, rule: Rule, answers: Mapping[str, Answer]) -> dict[str, frozenset[str]]:
    """For each several-of question the rule reads, the chosen values (an activity, a kind of
    contact) without which the rule would not fire: the parts of the situation it is about."""
    needed: dict[str, frozenset[str]] = {}
    for fid in sorted(engine.reads[rule.id], key=engine.order.__getitem__):
        chosen = answers.get(fid)
        if engine.fact[fid].type != "several_of" or not isinstance(chosen, frozenset):
            continue
        parts = set()
        for value in chosen:
            env, _ = engine.environment({**answers, fid: chosen - {value}})
            if engine.effective[rule.id](env) is not True:
                parts.add(value)
        if parts:
            needed[fid] = frozenset(parts)
    return needed


def _about(engine: Engine, needed: Mapping[str, frozenset[str]]) -> list[str]:
    return [v.label for fid, parts in needed.items() for v in engine.fact[fid].values if v.id in parts]


def _alternatives(fact: Fact, given: Answer) -> list[Answer]:
    if isinstance(
        given, frozenset
    ):  # one value fewer, if that leaves something: the same situation, less of it
        return [given - {v} for v in sorted(given, key=fact.value_ids.index)] if len(given) > 1 else []
    return [v for v in fact.value_ids if v != given]


def _consequences(engine: Engine, rule: Rule) -> list[dict[str, Any]]:
    out = []
    for ref in rule.consequences:
        c = engine.book.consequences[ref.id]
        out.append({"id": c.id, "text": c.text, "clause": c.clause, "if": ref.condition})
    return out


def _finding_base(engine: Engine, rule: Rule) -> dict[str, Any]:
    return {
        "rule": rule.id,
        "role": FINDING_ROLES[rule.verdict],
        "verdict": rule.verdict,
        "verdict_label": VERDICT_LABELS[rule.verdict],
        "headline": rule.headline,
        "clause": _clause(engine, rule.clause),
        "cites": [_clause(engine, c, words=False) for c in rule.cites],
        "explanation": rule.explanation,
        "obligations": list(rule.obligations),
        "consequences": _consequences(engine, rule),
    }


def _hypothesis(
    engine: Engine, ev: Evaluation, rule: Rule, answers: Mapping[str, Answer]
) -> tuple[str, list[dict[str, Any]]]:
    """ "If ..., then": the unknown answers under which a possible finding would apply. ``assuming``
    is one such way; the words also name each other answer to a one-of question that would do as
    well, the rest staying the same ("either ... or ...")."""
    witness = ev.witness.get(rule.id, {})
    assumed = [
        (engine.fact[fid], value)
        for fid, value in sorted(witness.items(), key=lambda kv: engine.order[kv[0]])
        if ev.env.get(fid) is UNKNOWN and value is not NA
    ]
    if not assumed:
        return "Depending on the answers you have not given yet", []
    parts = []
    for fact, value in assumed:
        ways = [value]
        if fact.type == "one_of":
            for other in fact.value_ids:
                if other != value:
                    env, _ = engine.environment({**answers, **witness, fact.id: other})
                    if engine.effective[rule.id](env) is True:
                        ways.append(other)
        said = [fact.says(v) for v in ways]
        parts.append(said[0] if len(said) == 1 else "either " + ", ".join(said[:-1]) + " or " + said[-1])
    text = "If " + join_words(parts)
    return text, [_answer(fact, value) for fact, value in assumed]


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def summary(
    verdict: str, findings: list[dict[str, Any]], questions: list[dict[str, Any]], number: str
) -> str:
    """The plain answer, built from the deciding finding's headline: "No. Don't ...", "Yes, if you
    keep ...", "Yes, with care: think ...", "It depends on whether ...". Every caution that applies
    is carried too ("Also, ..."): a caution never vanishes behind a condition."""
    cautions = [f["headline"] for f in findings if f["verdict"] == "caution"]
    if verdict == "depends":
        topics = [q["topic"] for q in questions if q["changes"] == "verdict"]
        if len(topics) > SUMMARY_TOPICS:
            more = len(topics) - SUMMARY_TOPICS + 1
            topics = [*topics[: SUMMARY_TOPICS - 1], f"{more} other answers"]
        text = f"It depends on {join_words(topics)}."
    elif not findings:
        text = f"Yes. No rule of Policy {number} limits this."
    else:
        lead = next(f for f in findings if f["verdict"] == verdict)["headline"]
        text = {
            "not_permitted": f"No. {lead}",
            "permitted_with_conditions": f"Yes, if you {_lower(lead)}",
            "caution": f"Yes, with care: {_lower(lead)}",
            "permitted": f"Yes. {lead}",
        }[verdict]
        if verdict == "caution":
            cautions.remove(lead)
    for caution in cautions:
        text += f" Also, {_lower(caution)}"
    return text


def build_result(engine: Engine, scenario: Scenario, ev: Evaluation) -> dict[str, Any]:
    answers = scenario.answers
    conds = {r.id: r.when for r in engine.book.rules}
    memo: dict[tuple[str, Any], str] = {}

    def because(rule: Rule) -> list[str]:
        found = supporting_facts(rule.when, ev.env, engine.test_of, conds)
        if not found:  # it applies whatever the unknown answers are: the answers it reads are why
            found = [f for f in engine.reads[rule.id] if f in answers]
        return sorted(set(found), key=engine.order.__getitem__)

    def would_change(facts: list[str]) -> list[dict[str, Any]]:
        out = []
        for fid in facts:
            if fid in engine.roots:
                continue
            fact = engine.fact[fid]
            for value in _alternatives(fact, answers[fid]):
                key = (fid, value)
                if key not in memo:
                    memo[key] = engine.verdict({**answers, fid: value})
                if memo[key] != ev.verdict:
                    out.append(
                        {
                            **_answer(fact, value),
                            "verdict": memo[key],
                            "verdict_label": VERDICT_LABELS[memo[key]],
                        }
                    )
        return out

    findings = []
    for rule in _sorted(engine, ev.certain):
        facts = because(rule)
        needed = _needed(engine, rule, answers)
        findings.append(
            {
                **_finding_base(engine, rule),
                "about": _about(engine, needed),
                "because": [_answer(engine.fact[f], needed.get(f, answers[f])) for f in facts],
                "would_change": would_change(facts),
            }
        )
    possible = []
    for rule in _sorted(engine, ev.possible):
        condition, assuming = _hypothesis(engine, ev, rule, answers)
        possible.append({**_finding_base(engine, rule), "if": condition, "assuming": assuming})
    unsure = set(scenario.unsure)
    open_questions = []
    for fid in ev.open_facts:
        fact = engine.fact[fid]
        open_questions.append(
            {
                "fact": fid,
                "question": fact.question,
                "help": fact.help,
                "topic": fact.topic,
                "type": fact.type,
                "values": [{"id": v.id, "label": v.label} for v in fact.values],
                "changes": ev.open_kinds[fid],
                "unsure": fid in unsure,
            }
        )
    notes = [
        {"id": n.id, "text": n.text, "clauses": [_clause(engine, c, words=False) for c in n.clauses]}
        for n in engine.book.notes
        if engine.note_tests[n.id](ev.env) is True
    ]
    given = [_answer(f, answers.get(f.id)) for f in engine.facts if f.id in answers or f.id in unsure]
    return {
        "format": RESULT_FORMAT,
        "policy": engine.book.policy.as_result(),
        "verdict": ev.verdict,
        "verdict_label": VERDICT_LABELS[ev.verdict],
        "summary": summary(ev.verdict, findings, open_questions, engine.book.policy.number),
        "answers": given,
        "findings": findings,
        "possible_findings": possible,
        "open_questions": open_questions,
        "notes": notes,
        "ignored_facts": [{**_answer(engine.fact[f], a), "reason": why} for f, a, why in scenario.ignored],
    }
