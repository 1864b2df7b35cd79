"""The Python API: result format, determinism, validation, unknowns."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from policycheck import RESULT_FORMAT, VERDICTS, Checker, RulebookError, ScenarioError, to_json

from handbook.bundle import load_bundle

from .conftest import casebook


def check(scenario: Any, *, lenient: bool = False) -> dict[str, Any]:
    """The default policy's checker, as the API gives it."""
    return load_bundle().checker.check(scenario, lenient=lenient)


FRIEND = {
    "activity": "connect_with_students",
    "contact_kind": "friend_request",
    "contact_person": "current_student",
    "employee_role": "certificated",
    "personal_info_available": True,
}


def test_result_format_keys() -> None:
    result = check({"facts": FRIEND})
    assert result["format"] == RESULT_FORMAT == "policycheck.result/1"
    assert set(result) == {
        "format",
        "policy",
        "verdict",
        "verdict_label",
        "summary",
        "answers",
        "findings",
        "possible_findings",
        "open_questions",
        "ignored_facts",
    }
    policy = load_bundle().policy
    assert result["policy"] == {
        "number": "5290",
        "title": policy.title,
        "district": policy.district,
        "adopted": "2023-01-18",
        "text_sha256": hashlib.sha256(" ".join(policy.original_text.split()).encode()).hexdigest(),
    }
    assert [a["fact"] for a in result["answers"]] == list(FRIEND)
    finding = next(f for f in result["findings"] if f["clause"]["id"] == "5290.contact.3.1")
    assert set(finding) >= {
        "rule",
        "verdict",
        "clause",
        "explanation",
        "because",
        "obligations",
        "consequences",
        "would_change",
    }
    assert finding["clause"]["url"] == "sections/contact/#c-5290-contact-3-1"
    assert finding["clause"]["words"].startswith('Listing current students as "friends"')
    assert finding["consequences"][0]["id"] == "psc_report"
    assert finding["consequences"][0]["clause"] == "5290.contact.5"
    assert {b["fact"] for b in finding["because"]} == {
        "contact_kind",
        "contact_person",
        "employee_role",
        "personal_info_available",
    }
    changes = {(w["fact"], w["answer"]): w["verdict"] for w in finding["would_change"]}
    assert changes[("contact_person", "former_student")] == "permitted"
    assert changes[("personal_info_available", False)] == "depends"  # professional_relationship unknown


def test_findings_are_worst_first() -> None:
    result = check({"facts": FRIEND})
    order = list(VERDICTS)
    ranks = [order.index(f["verdict"]) for f in result["findings"]]
    assert ranks == sorted(ranks)


def test_json_is_deterministic_and_round_trips() -> None:
    for case in casebook():
        a = to_json(check({"facts": case["facts"]}))
        b = to_json(check({"facts": dict(reversed(list(case["facts"].items())))}))
        assert a == b
        assert json.loads(a) == check({"facts": case["facts"]})


def test_absent_and_null_are_both_unknown() -> None:
    a = check({"facts": {"activity": "personal_use_at_work"}})
    b = check({"facts": {"activity": "personal_use_at_work", "interferes_with_work": None}})
    assert to_json(a) == to_json(b)
    assert a["verdict"] == "depends"
    assert [q["fact"] for q in a["open_questions"]] == ["interferes_with_work"]
    assert a["open_questions"][0]["values"] == [{"id": True, "label": "Yes"}, {"id": False, "label": "No"}]


def test_unknown_fact_that_cannot_change_the_verdict_is_not_open() -> None:
    # not permitted for certain: the unknown professional_relationship cannot change that
    result = check({"facts": FRIEND})
    assert result["verdict"] == "not_permitted"
    assert result["open_questions"] == []


def test_no_finding_means_permitted_with_a_statement() -> None:
    result = check({"facts": {"activity": "connect_with_students", "contact_person": "parent"}})
    assert result["verdict"] == "permitted"
    assert result["findings"] == []
    assert "No clause" in result["summary"]


def test_override_contact_4_over_contact_3_2() -> None:
    facts = {
        "activity": "connect_with_students",
        "contact_kind": "message",
        "contact_person": "current_student",
        "means_approved": False,
        "school_purpose_media": True,
        "professional_relationship": True,
    }
    rules = {f["rule"] for f in check({"facts": facts})["findings"]}
    assert "contact-4-school-purpose" in rules
    assert "contact-3-2-unapproved-means" not in rules


def test_answer_whose_question_applies_only_maybe() -> None:
    # activity unknown: an answer to a follow-up question is accepted ("if it applies")
    result = check({"facts": {"district_email_for_personal": True}})
    assert result["verdict"] == "depends"
    assert "activity" in [q["fact"] for q in result["open_questions"]]


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ScenarioError) as info:
        check(
            {
                "facts": {
                    "activty": "post_content",
                    "activity": "manage_accounts",
                    "district_email_for_personal": "yes",
                    "confidential_info": True,
                    "contact_kind": "hug",
                },
                "extra": 1,
            }
        )
    problems = info.value.problems
    assert len(problems) == 5, problems
    text = info.value.report()
    assert "unknown fact 'activty' (did you mean 'activity'?)" in text
    assert "'district_email_for_personal' takes true or false" in text
    assert (
        "contradictory facts: 'confidential_info' does not apply when 'activity' is 'manage_accounts'" in text
    )
    assert "'contact_kind' has no value 'hug'" in text
    assert "unknown key 'extra'" in text


@pytest.mark.parametrize("bad", [[], "x", 3, None, {"facts": []}, {}])
def test_not_a_scenario(bad: object) -> None:
    with pytest.raises(ScenarioError):
        check(bad)


def test_lenient_mode_sets_aside_answers_that_do_not_apply() -> None:
    scenario = {
        "facts": {
            "activity": "manage_accounts",
            "confidential_info": True,
            "district_email_for_personal": False,
        }
    }
    result = check(scenario, lenient=True)
    assert [i["fact"] for i in result["ignored_facts"]] == ["confidential_info"]
    assert "does not apply" in result["ignored_facts"][0]["reason"]


def test_follow_up_of_a_follow_up_is_contradictory_too() -> None:
    with pytest.raises(ScenarioError) as info:
        check({"facts": {"activity": "post_content", "student_material": False, "student_standing": "minor"}})
    assert "'student_standing' does not apply when 'student_material' is false" in str(info.value)


def test_scenario_schema_matches_the_facts() -> None:
    schema = load_bundle().checker.scenario_schema()
    facts = schema["properties"]["facts"]["properties"]
    assert sorted(facts) == sorted(f["id"] for f in load_bundle().rulebook["facts"])
    assert facts["activity"]["enum"][-1] is None
    assert facts["student_material"]["type"] == ["boolean", "null"]


def test_casebook_scenarios_validate_against_the_published_schema() -> None:
    import jsonschema  # noqa: PLC0415 - a tooling dependency, not the checker's

    schema = load_bundle().checker.scenario_schema()
    validator = jsonschema.Draft202012Validator(schema)
    for case in casebook():
        validator.validate({"facts": case["facts"]})
    assert not validator.is_valid({"facts": {"activity": "dance"}})
    assert not validator.is_valid({"facts": {"district_logos": "yes"}})
    assert not validator.is_valid({"facts": {"activty": "post_content"}})


def test_the_checker_loads_a_rulebook_by_path_and_names_a_bad_one(rulebook_file: Any, tmp_path: Any) -> None:
    by_path = Checker.load(rulebook_file)
    assert by_path.check({"facts": {}}) == check({"facts": {}})
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something/9"}', encoding="utf-8")
    with pytest.raises(RulebookError, match=r"bad\.json is not a policycheck\.rulebook/1 rulebook"):
        Checker.load(bad)
    with pytest.raises(RulebookError, match="no rulebook for policy 'nope'"):
        Checker.load("nope")


def test_the_text_hash_names_the_adopted_words_not_their_layout() -> None:
    policy = load_bundle().policy
    assert len(policy.text_sha256) == 64
    spaced = policy.original_text.replace(" ", "  ").replace("\n", "\n\n")
    assert hashlib.sha256(" ".join(spaced.split()).encode()).hexdigest() == policy.text_sha256
