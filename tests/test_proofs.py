"""Proofs by exhaustion (handbook/prove.py): the real, complete run, and that it catches faults."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from typing import Any

import pytest
from policy5290 import Checker, check, checker

from handbook import browserbench
from handbook.prove import Report, ground_truth, prove

from .checker_support import casebook, compiled

__all__ = ["compiled"]
pytestmark = pytest.mark.usefixtures("compiled")


@pytest.fixture(scope="module")
def report(compiled: None) -> Report:
    return prove()


def test_the_whole_fact_space_is_proved(report: Report) -> None:
    assert report.failures == []
    assert report.combinations > 100_000
    assert set(report.per_activity) == {str(v) for v in checker().fact["activity"].value_ids}
    assert sum(report.per_verdict.values()) == report.combinations
    assert all(report.per_verdict[v] > 0 for v in report.per_verdict)
    assert all(report.per_rule[r.id] > 0 for r in checker().book.rules)


def _variant(**changes: dict[str, Any]) -> Checker:
    """The shipped rulebook with some rules changed (rule id, with _ for -, -> field values)."""
    book = checker().book
    rules = []
    for r in book.rules:
        change = changes.get(r.id.replace("-", "_"))
        rules.append(dataclasses.replace(r, **change) if change else r)
    return Checker(dataclasses.replace(book, rules=tuple(rules)))


def test_a_missing_precedence_is_caught() -> None:
    engine = _variant(contact_4_school_purpose={"overrides": ()})
    failures = prove(engine, only=["connect_with_students"]).failures
    assert any(
        "contact-3-2-unapproved-means (not permitted) and contact-4-school-purpose" in f for f in failures
    )


def test_a_rule_that_cannot_fire_is_caught() -> None:
    never = {
        "all": [
            {"fact": "district_email_for_personal", "is": True},
            {"fact": "activity", "is": "post_content"},
        ]
    }
    engine = _variant(accounts_2_district_email={"when": never})
    failures = prove(engine, only=["manage_accounts", "personal_use_at_work"]).failures
    assert "rule accounts-2-district-email fires in no combination" in failures


class _NoOpenQuestions(Checker):
    def _open_questions(self, *args: Any) -> list[str]:
        return []


class _NeverDepends(Checker):
    def _enumerate(self, env: Any, certain: Any, worse: Any, base: int, explain: bool) -> Any:
        ev = super()._enumerate(env, certain, worse, base, explain)
        if ev.verdict == "depends":
            ev.verdict = "not_permitted"
        return ev


@pytest.mark.parametrize(
    "cls,message", [(_NoOpenQuestions, "open questions"), (_NeverDepends, "completions give")]
)
def test_an_unsound_engine_is_caught(cls: type[Checker], message: str) -> None:
    failures = prove(cls(checker().book), only=["personal_use_at_work", "manage_accounts"]).failures
    assert any(message in f for f in failures), failures


def _expected(truth: frozenset[str]) -> str:
    return next(iter(truth)) if len(truth) == 1 else "depends"


@pytest.mark.parametrize("case", casebook(), ids=[c["id"] for c in casebook()])
def test_casebook_with_and_without_the_activity_agrees_with_brute_force(case: dict[str, Any]) -> None:
    """The engine branches on an unknown root question; the proof space fixes it: check both."""
    engine = checker()
    answers = {k: v for k, v in case["facts"].items() if v is not None}
    assert engine.evaluate(answers).verdict == _expected(ground_truth(engine, answers))
    del answers["activity"]
    ev = engine.evaluate(answers)
    assert ev.verdict == _expected(ground_truth(engine, answers))
    assert ev.verdict != "depends" or "activity" in ev.open_facts


NA = object()


def _cross_activity_scenarios(count: int, seed: int = 5290) -> list[dict[str, Any]]:
    """Valid scenarios with the activity unknown and answers for several activities at once.

    Facts are walked in order (an ``asked_when`` reads only earlier facts); a fact is answered,
    at random, unless its ``asked_when`` is already false (then it does not apply, and reads as
    false for the questions after it), so the engine accepts every one.
    """
    engine = checker()
    book = engine.book
    rules = {r.id: {"when": r.when} for r in book.rules}
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    while len(out) < count:
        known: dict[str, Any] = {}  # answers, and NA for questions that cannot apply
        for fact in book.facts:
            if fact.id == "activity":
                continue
            if browserbench.evaluate(fact.asked_when, known, rules) is False:
                known[fact.id] = NA  # a question that does not apply reads as false
            elif rng.random() < 0.6:
                known[fact.id] = rng.choice(list(fact.value_ids))
        out.append({k: v for k, v in known.items() if v is not NA})
    return out


def test_unknown_activity_across_activities_agrees_with_brute_force() -> None:
    """The per-activity proof fixes the root question; here it is unknown while questions of
    several activities are answered at once, and the verdict must still be the brute-force one."""
    engine = checker()
    checked: Counter[str] = Counter()
    for answers in _cross_activity_scenarios(2000):
        truth = ground_truth(engine, answers)
        ev = engine.evaluate(answers)
        assert ev.verdict == _expected(truth), answers
        assert check({"facts": answers})["verdict"] == ev.verdict  # a valid scenario, same answer
        assert ev.verdict != "depends" or "activity" in ev.open_facts, answers
        checked[ev.verdict] += 1
    assert checked["depends"] and len(checked) > 1, checked  # the sample is not degenerate
