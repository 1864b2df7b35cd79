"""The result format (``RESULT_FORMAT``): plain JSON-serialisable data."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .conditions import is_answer, supporting_facts
from .engine import Engine, Evaluation
from .model import RANK, RESULT_FORMAT, VERDICT_LABELS, Answer, Rule


def to_json(result: Mapping[str, Any]) -> str:
    """Canonical serialisation: sorted keys, compact, UTF-8 text; byte-identical for equal results."""
    return json.dumps(result, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _answer(checker: Engine, fid: str, answer: Answer) -> dict[str, Any]:
    fact = checker.fact[fid]
    return {"fact": fid, "question": fact.question, "answer": answer, "answer_label": fact.label(answer)}


def _clause(checker: Engine, cid: str) -> dict[str, str]:
    c = checker.book.clauses[cid]
    return {"id": c.id, "title": c.title, "words": c.words, "url": c.url}


def _sorted(checker: Engine, rules: list[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda r: (RANK[r.verdict], checker.rule_order[r.id]))


def build_result(
    checker: Engine,
    answers: Mapping[str, Answer],
    ev: Evaluation,
    ignored: list[tuple[str, Answer, str]],
) -> dict[str, Any]:
    conds = {r.id: r.when for r in checker.book.rules}
    memo: dict[tuple[str, Answer], str] = {}

    def because(rule: Rule) -> list[str]:
        found = supporting_facts(rule.when, ev.env, checker.test_of, conds)
        return sorted(set(found), key=checker.order.__getitem__)

    def would_change(facts: list[str]) -> list[dict[str, Any]]:
        out = []
        for fid in facts:
            if fid in checker.roots:
                continue
            for value in checker.fact[fid].value_ids:
                if value == answers.get(fid):
                    continue
                key = (fid, value)
                if key not in memo:
                    memo[key] = checker.verdict({**answers, fid: value})
                if memo[key] != ev.verdict:
                    out.append({**_answer(checker, fid, value), "verdict": memo[key]})
        return out

    def finding(rule: Rule, certain: bool) -> dict[str, Any]:
        facts = because(rule) if certain else [f for f in checker.reads[rule.id] if is_answer(ev.env[f])]
        facts = sorted(facts, key=checker.order.__getitem__)
        return {
            "rule": rule.id,
            "verdict": rule.verdict,
            "verdict_label": VERDICT_LABELS[rule.verdict],
            "clause": _clause(checker, rule.clause),
            "explanation": rule.explanation,
            "because": [_answer(checker, f, answers[f]) for f in facts],
            "obligations": list(rule.obligations),
            "consequences": [
                {
                    "id": c,
                    "text": checker.book.consequences[c].text,
                    "clause": checker.book.consequences[c].clause,
                }
                for c in rule.consequences
            ],
            "would_change": would_change(facts) if certain else [],
        }

    findings = [finding(r, True) for r in _sorted(checker, ev.certain)]
    possible = [finding(r, False) for r in _sorted(checker, ev.possible)]
    open_questions = []
    for fid in ev.open_facts:
        fact = checker.fact[fid]
        open_questions.append(
            {
                "fact": fid,
                "question": fact.question,
                "help": fact.help,
                "type": fact.type,
                "values": [{"id": v.id, "label": v.label} for v in fact.values],
            }
        )
    return {
        "format": RESULT_FORMAT,
        "policy": checker.book.policy.as_result(),
        "verdict": ev.verdict,
        "verdict_label": VERDICT_LABELS[ev.verdict],
        "summary": _summary(checker.book.policy.number, ev.verdict, findings, possible, open_questions),
        "answers": [_answer(checker, f.id, answers[f.id]) for f in checker.facts if f.id in answers],
        "findings": findings,
        "possible_findings": possible,
        "open_questions": open_questions,
        "ignored_facts": [{**_answer(checker, f, a), "reason": why} for f, a, why in ignored],
    }


def _cited(findings: list[dict[str, Any]], verdict: str | None = None) -> str:
    ids = list(
        dict.fromkeys(f["clause"]["id"] for f in findings if verdict is None or f["verdict"] == verdict)
    )
    return ", ".join(ids)


def _summary(
    number: str,
    verdict: str,
    findings: list[dict[str, Any]],
    possible: list[dict[str, Any]],
    questions: list[dict[str, Any]],
) -> str:
    if verdict == "depends":
        n = len(questions)
        return (
            f"It depends on {n} open question{'s' if n != 1 else ''}: the answer could change the verdict "
            f"(clauses that may apply: {_cited(possible)})."
        )
    if verdict == "not_permitted":
        cited = _cited(findings, verdict) or _cited(possible, verdict)
        return f"Not permitted as described: see {cited}."
    if verdict == "permitted" and not findings:
        return f"No clause of Policy {number} restricts this as described."
    cited = _cited(findings, verdict) or _cited(possible, verdict)
    if verdict == "permitted_with_conditions":
        return f"Permitted, provided you meet the conditions of {cited}."
    if verdict == "caution":
        return f"Permitted, but the policy asks for caution: see {cited}."
    return f"Permitted: see {cited}."
