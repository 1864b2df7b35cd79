"""Proofs by exhaustion (handbook/proof/prove.py): the real, complete run, and that it catches faults."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from typing import Any

import pytest
from policycheck.conditions import NA
from policycheck.engine import Engine

from handbook.bundle import load_bundle
from handbook.proof.prove import Report, ground_truth, prove

from .conftest import casebook


def checker() -> Engine:
    """The default policy's engine."""
    return load_bundle().checker.engine


def check(scenario: dict[str, Any]) -> dict[str, Any]:
    return load_bundle().checker.check(scenario)


@pytest.fixture(scope="module")
def report() -> Report:
    return prove(checker())


def test_the_whole_fact_space_is_proved(report: Report) -> None:
    assert report.failures == []
    assert report.combinations > 100_000
    assert set(report.per_activity) == {str(v) for v in checker().fact["activity"].value_ids}
    assert sum(report.per_verdict.values()) == report.combinations
    assert all(report.per_verdict[v] > 0 for v in report.per_verdict)
    assert all(report.per_rule[r.id] > 0 for r in checker().book.rules)


def _variant(**changes: dict[str, Any]) -> Engine:
    """The shipped rulebook with some rules changed (rule id, with _ for -, -> field values)."""
    book = checker().book
    rules = []
    for r in book.rules:
        change = changes.get(r.id.replace("-", "_"))
        rules.append(dataclasses.replace(r, **change) if change else r)
    return Engine(dataclasses.replace(book, rules=tuple(rules)))


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


class _NoOpenQuestions(Engine):
    def _open_questions(self, *args: Any) -> list[str]:
        return []


class _NeverDepends(Engine):
    def _enumerate(self, env: Any, certain: Any, worse: Any, base: int, explain: bool) -> Any:
        ev = super()._enumerate(env, certain, worse, base, explain)
        if ev.verdict == "depends":
            ev.verdict = "not_permitted"
        return ev


@pytest.mark.parametrize(
    "cls,message", [(_NoOpenQuestions, "open questions"), (_NeverDepends, "completions give")]
)
def test_an_unsound_engine_is_caught(cls: type[Engine], message: str) -> None:
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


def _cross_activity_scenarios(count: int, seed: int = 5290) -> list[dict[str, Any]]:
    """Valid scenarios with the root question unknown and answers for several of its answers at once.

    Facts are walked in order (an ``asked_when`` reads only earlier facts); a fact is answered,
    at random, unless it already cannot apply given the answers so far (the engine's own reading
    of ``asked_when``), so the engine accepts every one.
    """
    engine = checker()
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    while len(out) < count:
        known: dict[str, Any] = {}
        for fact in engine.facts:
            if fact.id in engine.roots:
                continue
            if engine.environment(known)[0][fact.id] is NA:
                continue  # cannot apply: answering it would be contradictory
            if rng.random() < 0.6:
                known[fact.id] = rng.choice(list(fact.value_ids))
        out.append(known)
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
