"""The default policy's casebook (its casebook.yaml): every scenario gets its expected verdict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from handbook.bundle import load_bundle
from handbook.source.model import NORMATIVE_KINDS

from .conftest import casebook

CASES = casebook()


def check(scenario: Mapping[str, Any]) -> dict[str, Any]:
    return load_bundle().checker.check(scenario)


def load_policy() -> Any:
    return load_bundle().policy


def _cited(result: Mapping[str, Any]) -> list[str]:
    return sorted({f["clause"]["id"] for f in [*result["findings"], *result["possible_findings"]]})


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: Mapping[str, Any]) -> None:
    result = check({"facts": case["facts"]})
    expect = case["expect"]
    assert result["verdict"] == expect["verdict"], result["summary"]
    assert _cited(result) == sorted(expect["clauses"])
    assert [q["fact"] for q in result["open_questions"]] == expect.get("open_questions", [])
    if "headline" in expect:
        assert result["findings"][0]["headline"] == expect["headline"]
        if result["verdict"] != "depends":  # the answer is the headline in one plain sentence
            assert expect["headline"].rstrip(".").lower() in result["summary"].lower()
    if "consequences" in expect:
        assert (
            sorted({c["id"] for f in result["findings"] for c in f["consequences"]}) == expect["consequences"]
        )
    assert sorted(n["id"] for n in result["notes"]) == expect.get("notes", [])
    for clause in case.get("near_miss_for", ()):
        assert clause not in _cited(result), f"{clause} is a near miss here, yet it is cited"


def test_the_casebook_is_big_enough() -> None:
    assert len(CASES) >= 60
    assert {c["expect"]["verdict"] for c in CASES} == {
        "not_permitted",
        "depends",
        "permitted_with_conditions",
        "caution",
        "permitted",
    }


def test_the_casebook_has_situations_that_combine() -> None:
    def several(case: Mapping[str, Any], fact: str) -> bool:
        return len(case["facts"].get(fact) or ()) > 1

    activities = [c["id"] for c in CASES if several(c, "activity")]
    contacts = [c["id"] for c in CASES if several(c, "contact_kind")]
    assert len(activities) >= 5 and len(contacts) >= 5, (activities, contacts)
    # texting from a personal phone is a message and a private number: both clauses are cited
    texting = check({"facts": next(c for c in CASES if c["id"] == "texting-from-personal-phone")["facts"]})
    assert {"5290.contact.3.2", "5290.contact.3.3"} <= {f["clause"]["id"] for f in texting["findings"]}


def test_every_normative_clause_fires_somewhere_and_has_a_near_miss() -> None:
    normative = {c.id for c in load_policy().clauses() if c.kind in NORMATIVE_KINDS}
    fired = {
        cid
        for c in CASES
        if c["expect"]["verdict"] != "depends"
        for f in check({"facts": c["facts"]})["findings"]
        for cid in [
            f["clause"]["id"],
            *(cited["id"] for cited in f["cites"]),
            *(c["clause"] for c in f["consequences"]),
        ]
    }
    near = {cid for c in CASES for cid in c.get("near_miss_for", ())}
    assert normative - fired == set(), "clauses no scenario shows firing"
    assert normative - near == set(), "clauses without a near-miss scenario"


def test_partial_scenarios_are_in_the_casebook() -> None:
    facts_known = [c for c in CASES if any(v is None for v in c["facts"].values())]
    depends = [c for c in CASES if c["expect"]["verdict"] == "depends"]
    assert facts_known and len(depends) >= 5
    # a partial scenario whose verdict is certain despite unknown facts
    assert any(c["id"] == "friend-request-current-student" for c in CASES)


@pytest.mark.parametrize(
    "situation,rule",
    [
        ("confidential information", "confidential-1-posting"),
        ("district logos on personal sites", "name-1-logos"),
        ("district name promoting", "name-2-promotion"),
        ("a minor's images without a parent's written permission", "name-3-minor-without-permission"),
        ("an adult student's images without permission", "name-3-adult-without-permission"),
        ("student images with authority", "name-3-with-authority"),
        ("personal-event images", "name-4-personal-events"),
        ("personal use that gets in the way of work", "time-1-on-duty"),
        ("sharing an official post", "name-1-shared-post"),
        ("opinions and content", "personal-2-content"),
        ("identifying without disclaimer", "personal-1-not-clear"),
        ("identifying with disclaimer", "personal-1-clear"),
        ("no separate email addresses", "accounts-1-not-separate"),
        ("district email for personal social media", "accounts-2-district-email"),
        ("current students as friends", "contact-3-1-friends"),
        ("current students as friends, staff without a certificate", "contact-3-friends-other-staff"),
        ("informal or social involvement", "contact-3-social"),
        ("a student of another district", "contact-2-other-student"),
        ("your own child", "contact-2-own-child"),
        ("the class's learning platform", "contact-4-platform"),
        ("unapproved electronic contact", "contact-3-2-unapproved-means"),
        ("private numbers without approval", "contact-3-3-phone"),
        ("school-purpose social media", "contact-4-school-purpose"),
        ("sponsored page not separate", "sponsored-1-1-not-separate"),
        ("unreported inappropriate communication", "sponsored-1-2-not-reported"),
        ("sponsored page not monitored", "sponsored-1-3-not-monitored"),
        ("opt-out list images", "sponsored-1-4-opt-out"),
        ("a school page (and Policy 5335)", "sponsored-1-rules"),
        ("administration shuts the group down", "sponsored-1-6-shut-down"),
    ],
)
def test_every_situation_of_the_brief_is_in_the_casebook(situation: str, rule: str) -> None:
    assert any(rule in {f["rule"] for f in check({"facts": c["facts"]})["findings"]} for c in CASES), (
        f"no scenario shows {situation}"
    )
