"""The standard proof (a larger sample than the fast tier's, every block exhaustive where it can be)
and the brute-force checks that are too slow for ``make check``: this is the ``proofs`` tier.
``make prove`` runs the complete level (every combination) and prints what it proved."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from policycheck.conditions import NA
from policycheck.engine import Engine
from policycheck.validate import read_scenario

from handbook.bundle import load_bundle
from handbook.proof.prove import ground_truth, prove

from ..engine.conftest import casebook


def checker() -> Engine:
    """The default policy's engine."""
    return load_bundle().checker.engine


def check(scenario: dict[str, Any]) -> dict[str, Any]:
    return load_bundle().checker.check(scenario)


def test_the_standard_proof_passes() -> None:
    report = prove(checker(), level="standard")
    print(
        f"\nstandard proof: {report.combinations:,} combinations ({report.complete:,} complete) in"
        f" {report.seconds:.0f} s; every combination for {len(report.exhaustive)} sets of activities,"
        f" a sample for {len(report.sampled)}"
    )
    assert report.failures == []
    assert report.combinations > 50_000
    assert sum(report.per_verdict.values()) == report.combinations
    reached = {v for v, n in report.per_verdict.items() if n}
    assert reached == {"not_permitted", "depends", "permitted_with_conditions", "caution", "permitted"}


def _expected(truth: frozenset[str]) -> str:
    return next(iter(truth)) if len(truth) == 1 else "depends"


@pytest.mark.parametrize("case", casebook(), ids=[c["id"] for c in casebook()])
def test_casebook_without_the_activity_agrees_with_brute_force(case: dict[str, Any]) -> None:
    """The engine branches on an unknown root question; the proof space fixes it: with the
    activity unknown, every worked example's verdict is still the brute-force one."""
    engine = checker()
    answers = read_scenario(engine, {"facts": case["facts"]}).answers  # lists become sets
    answers.pop("activity", None)
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
        if len(out) % 2:  # half with some activities known, several at once
            root = engine.fact[engine.roots[0]]
            known[root.id] = frozenset(rng.sample([str(v) for v in root.value_ids], rng.randint(1, 3)))
        for fact in engine.facts:
            if fact.id in engine.roots:
                continue
            if engine.environment(known)[0][fact.id] is NA:
                continue  # cannot apply: answering it would be contradictory
            if rng.random() < 0.6:
                known[fact.id] = rng.choice(list(fact.answers))
        out.append(known)
    return out


def test_unknown_activity_across_activities_agrees_with_brute_force() -> None:
    """Half with the activities unknown while questions of several activities are answered at once,
    half with several activities known: the verdict is the brute-force one."""
    engine = checker()
    checked: Counter[str] = Counter()
    for n, answers in enumerate(_cross_activity_scenarios(300)):
        truth = ground_truth(engine, answers)
        ev = engine.evaluate(answers, explain=n % 10 == 0)
        assert ev.verdict == _expected(truth), answers
        if n % 10 == 0:
            sent = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in answers.items()}
            assert check({"facts": sent})["verdict"] == ev.verdict  # a valid scenario, same answer
            assert ev.verdict != "depends" or "activity" in ev.open_facts, answers
        checked[ev.verdict] += 1
    assert checked["depends"] and len(checked) > 1, checked  # the sample is not degenerate
