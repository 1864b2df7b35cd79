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
    "activity": ["connect_with_students"],
    "contact_kind": ["friend_request"],
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
        "notes",
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
        "role",
        "verdict",
        "verdict_label",
        "headline",
        "clause",
        "cites",
        "about",
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
    assert finding["consequences"][0]["if"] == ""  # certain for a certificated employee
    assert [c["id"] for c in finding["cites"]] == ["5290.contact.3"]
    assert finding["role"] == "prohibition"
    assert finding["about"] == [
        "Connecting with or contacting a student or a student's parent",
        "Friending or following each other on social media",
    ]
    assert {b["fact"] for b in finding["because"]} == {
        "contact_kind",
        "contact_person",
        "employee_role",
        "personal_info_available",
    }
    changes = {(w["fact"], str(w["answer"])): w["verdict"] for w in finding["would_change"]}
    assert changes[("contact_person", "former_student")] == "permitted"
    assert changes[("personal_info_available", "False")] == "depends"  # social_involvement unknown
    # a several-of answer changes by leaving a value out, never by leaving nothing
    assert "contact_kind" not in {w["fact"] for w in finding["would_change"]}


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


def test_absent_is_unanswered_and_null_is_i_dont_know() -> None:
    a = check({"facts": {"activity": ["personal_use_at_work"]}})
    b = check({"facts": {"activity": ["personal_use_at_work"], "on_duty": None}})
    assert a["verdict"] == b["verdict"] == "depends"
    assert [q["fact"] for q in a["open_questions"]] == [q["fact"] for q in b["open_questions"]] == ["on_duty"]
    assert a["open_questions"][0]["values"] == [{"id": True, "label": "Yes"}, {"id": False, "label": "No"}]
    assert a["open_questions"][0]["changes"] == "verdict"
    # "I don't know" is an answer: it is in the answers and its open question says so
    assert "on_duty" not in [x["fact"] for x in a["answers"]]
    unsure = next(x for x in b["answers"] if x["fact"] == "on_duty")
    assert unsure["answer"] is None and unsure["answer_label"] == "I don't know"
    assert b["open_questions"][0]["unsure"] is True and a["open_questions"][0]["unsure"] is False
    assert b["summary"] == a["summary"] == "It depends on whether it could get in the way of your work."


def test_unknown_fact_that_changes_only_what_you_must_do_is_asked_as_such() -> None:
    # not permitted for certain; the unknown social_involvement can add a finding, not change the verdict
    result = check({"facts": FRIEND})
    assert result["verdict"] == "not_permitted"
    assert [(q["fact"], q["changes"]) for q in result["open_questions"]] == [
        ("social_involvement", "conditions")
    ]
    assert [p["rule"] for p in result["possible_findings"]] == ["contact-3-social"]


def test_the_answer_is_one_plain_sentence_without_clause_ids() -> None:
    for case in casebook():
        result = check({"facts": case["facts"]})
        summary = result["summary"]
        assert "5290." not in summary and "_" not in summary, summary
        start = {
            "not_permitted": "No. ",
            "permitted": "Yes. ",
            "permitted_with_conditions": "Yes, if you ",
            "caution": "Yes, with care: ",
            "depends": "It depends on ",
        }[result["verdict"]]
        assert summary.startswith(start), summary


def test_the_most_specific_clause_leads_and_consequences_are_not_findings() -> None:
    result = check({"facts": FRIEND})
    assert result["findings"][0]["clause"]["id"] == "5290.contact.3.1"
    consequence_clauses = {c.id for c in load_bundle().policy.clauses() if c.kind == "consequence"}
    for case in casebook():
        found = check({"facts": case["facts"]})
        cited = {f["clause"]["id"] for f in [*found["findings"], *found["possible_findings"]]}
        assert not cited & consequence_clauses, case["id"]


def test_what_may_apply_is_a_hypothesis_never_a_claim() -> None:
    for case in casebook():
        for possible in check({"facts": case["facts"]})["possible_findings"]:
            assert possible["if"].startswith("If "), possible
            assumed = " ".join(a["says"] for a in possible["assuming"])
            assert "you said" not in possible["if"] + assumed
            assert "because" not in possible and "would_change" not in possible


def test_no_finding_means_yes_with_a_statement() -> None:
    result = check({"facts": {"activity": ["connect_with_students"], "contact_person": "parent"}})
    assert result["verdict"] == "permitted"
    assert result["findings"] == []
    assert result["summary"] == "Yes. No rule of Policy 5290 limits this."


def test_situations_combine_and_each_finding_says_what_it_is_about() -> None:
    texting = {
        "activity": ["connect_with_students"],
        "contact_kind": ["message", "phone_number"],
        "contact_person": "current_student",
        "message_channel": "personal_phone",
        "channel_approved": False,
        "prior_approval": False,
        "social_involvement": False,
        "emergency": False,
    }
    result = check({"facts": texting})
    by_clause = {f["clause"]["id"]: f for f in result["findings"]}
    assert {"5290.contact.3.2", "5290.contact.3.3"} <= set(by_clause)
    assert "Messages, texts, chats or email" in by_clause["5290.contact.3.2"]["about"]
    assert "Messages, texts, chats or email" not in by_clause["5290.contact.2"]["about"]
    # one overall verdict: the worst finding across everything described
    both = check({"facts": {"activity": ["manage_accounts", "personal_use_at_work"], "on_duty": True}})
    assert both["verdict"] == "not_permitted"
    assert both["findings"][0]["rule"] == "time-1-on-duty"
    assert both["findings"][0]["about"] == ["Using social media for personal reasons during the school day"]


def test_a_school_page_is_school_purpose_media_not_an_unapproved_channel() -> None:
    facts = {
        "activity": ["connect_with_students"],
        "contact_kind": ["message"],
        "contact_person": "current_student",
        "message_channel": "school_page",
        "social_involvement": False,
        "emergency": False,
    }
    rules = {f["rule"] for f in check({"facts": facts})["findings"]}
    assert {"contact-4-school-purpose", "sponsored-1-rules"} <= rules
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
                    "activty": ["post_content"],
                    "activity": ["manage_accounts"],
                    "district_email_for_personal": "yes",
                    "confidential_info": True,
                    "contact_kind": ["hug"],
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
        "contradictory facts: 'confidential_info' does not apply when 'activity' is ['manage_accounts']"
        in text
    )
    assert "'contact_kind' has no value 'hug'" in text
    assert "unknown key 'extra'" in text


@pytest.mark.parametrize(
    "answer,message",
    [
        ("message", "fact 'contact_kind' takes a list of its values"),
        (["message", "message"], "'contact_kind' lists 'message' more than once"),
        (["message", 3], "'contact_kind' lists 3, which is not one of its values"),
    ],
)
def test_several_of_answers_are_lists_of_distinct_values(answer: object, message: str) -> None:
    facts = {"activity": ["connect_with_students"], "contact_kind": answer}
    with pytest.raises(ScenarioError) as info:
        check({"facts": facts})
    assert message in info.value.report()


def test_an_empty_list_means_none_of_them() -> None:
    result = check({"facts": {"activity": []}})
    assert result["verdict"] == "permitted"
    assert result["findings"] == [] and result["open_questions"] == []


@pytest.mark.parametrize("bad", [[], "x", 3, None, {"facts": []}, {}])
def test_not_a_scenario(bad: object) -> None:
    with pytest.raises(ScenarioError):
        check(bad)


def test_lenient_mode_sets_aside_answers_that_do_not_apply() -> None:
    scenario = {
        "facts": {
            "activity": ["manage_accounts"],
            "confidential_info": True,
            "district_email_for_personal": False,
        }
    }
    result = check(scenario, lenient=True)
    assert [i["fact"] for i in result["ignored_facts"]] == ["confidential_info"]
    assert "does not apply" in result["ignored_facts"][0]["reason"]


def test_follow_up_of_a_follow_up_is_contradictory_too() -> None:
    with pytest.raises(ScenarioError) as info:
        check(
            {
                "facts": {
                    "activity": ["post_content"],
                    "shares_official_post": False,
                    "student_material": False,
                    "student_standing": ["minor"],
                }
            }
        )
    assert "'student_standing' does not apply when 'student_material' is false" in str(info.value)
    with pytest.raises(ScenarioError) as info:  # shares_official_post not answered: may not apply
        check(
            {
                "facts": {
                    "activity": ["post_content"],
                    "student_material": False,
                    "student_standing": ["minor"],
                }
            }
        )
    assert "when 'student_material' is false or does not apply" in str(info.value)


def test_scenario_schema_matches_the_facts() -> None:
    schema = load_bundle().checker.scenario_schema()
    facts = schema["properties"]["facts"]["properties"]
    assert sorted(facts) == sorted(f["id"] for f in load_bundle().rulebook["facts"])
    assert facts["activity"]["type"] == ["array", "null"]
    assert facts["contact_person"]["enum"][-1] is None
    assert facts["student_material"]["type"] == ["boolean", "null"]


def test_casebook_scenarios_validate_against_the_published_schema() -> None:
    import jsonschema  # noqa: PLC0415 - a tooling dependency, not the checker's

    schema = load_bundle().checker.scenario_schema()
    validator = jsonschema.Draft202012Validator(schema)
    for case in casebook():
        validator.validate({"facts": case["facts"]})
    assert not validator.is_valid({"facts": {"activity": ["dance"]}})
    assert not validator.is_valid({"facts": {"activity": "post_content"}})
    assert not validator.is_valid({"facts": {"district_logos": "yes"}})
    assert not validator.is_valid({"facts": {"activty": ["post_content"]}})


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
