"""Proofs by exhaustion (handbook/proof/prove.py): the real, complete run, and that it catches faults."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from policycheck.engine import Engine
from policycheck.validate import read_scenario

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
    return prove(checker(), level="fast")


def test_the_fact_space_is_proved(report: Report) -> None:
    """The fast tier (tests/proofs runs the standard one, ``make prove`` the complete one)."""
    assert report.failures == []
    assert report.combinations > 4_000
    assert "manage_accounts" in report.exhaustive and "run_sponsored_page" in report.sampled
    assert len(report.exhaustive) + len(report.sampled) == 2 ** len(checker().fact["activity"].values)
    assert sum(report.per_verdict.values()) == report.combinations
    assert report.complete > 0  # and prove() itself fails when a rule fires in no complete combination


def test_the_casebook_shows_every_verdict_the_proof_reaches(report: Report) -> None:
    reached = {v for v, n in report.per_verdict.items() if n}
    assert reached <= {c["expect"]["verdict"] for c in casebook()}


def _variant(**changes: dict[str, Any]) -> Engine:
    """The shipped rulebook with some rules changed (rule id, with _ for -, -> field values)."""
    book = checker().book
    rules = []
    for r in book.rules:
        change = changes.get(r.id.replace("-", "_"))
        rules.append(dataclasses.replace(r, **change) if change else r)
    return Engine(dataclasses.replace(book, rules=tuple(rules)))


CONTACT = frozenset({"connect_with_students"})
SMALL = [
    frozenset({"manage_accounts"}),
    frozenset({"personal_use_at_work"}),
    frozenset({"run_sponsored_page"}),
]


def test_a_missing_precedence_is_caught() -> None:
    """Without its condition on approval, 5290.contact.3.2 would forbid what 5290.contact.4 permits."""
    when = {
        "all": [
            {"fact": "contact_kind", "has": "message"},
            {"fact": "contact_person", "is": "current_student"},
        ]
    }
    engine = _variant(contact_3_2_unapproved_means={"when": when})
    failures = prove(engine, only=[CONTACT], level="fast").failures
    assert any(
        "contact-3-2-unapproved-means (not permitted) and contact-4-school-purpose" in f for f in failures
    ), failures


def test_a_rule_that_cannot_fire_is_caught() -> None:
    never = {
        "all": [
            {"fact": "district_email_for_personal", "is": True},
            {"not": {"fact": "district_email_for_personal", "is": True}},
        ]
    }
    engine = _variant(accounts_2_district_email={"when": never})
    failures = prove(engine, only=SMALL, level="fast").failures
    assert "rule accounts-2-district-email fires in no combination" in failures


class _NoOpenQuestions(Engine):
    def _open_questions(self, *args: Any) -> dict[str, str]:
        return {}


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
    failures = prove(cls(checker().book), only=SMALL, level="fast").failures
    assert any(message in f for f in failures), failures


def _expected(truth: frozenset[str]) -> str:
    return next(iter(truth)) if len(truth) == 1 else "depends"


@pytest.mark.parametrize("case", casebook(), ids=[c["id"] for c in casebook()])
def test_casebook_agrees_with_brute_force(case: dict[str, Any]) -> None:
    """Each worked example's verdict is the one brute force over its unknown answers gives
    (tests/proofs checks it again with the activity unknown as well)."""
    engine = checker()
    answers = read_scenario(engine, {"facts": case["facts"]}).answers  # lists become sets
    if "activity" in answers:
        assert engine.evaluate(answers).verdict == _expected(ground_truth(engine, answers))
