"""The handbook's checker pages (handbook/checkerdocs.py): rules in words, facts, worked examples."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from policy5290 import check

from handbook import checkerdocs
from handbook.model import NORMATIVE_KINDS
from handbook.source import load_policy


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    checkerdocs.reset()
    yield
    checkerdocs.reset()


def test_every_normative_clause_shows_its_questions_and_rules() -> None:
    for clause in load_policy().clauses():
        block = checkerdocs.clause_checker(clause.id, "sections/x/")
        if clause.kind in NORMATIVE_KINDS:
            assert "not official policy text" in block
            assert "when all of these hold" in block
        else:
            assert block == ""


def test_rule_in_words() -> None:
    text = checkerdocs.rule_in_words("contact-3-2-unapproved-means", "sections/contact/")
    assert text.startswith("**Not permitted** (rule `contact-3-2-unapproved-means`) when all of these hold:")
    assert "“Is this means of contact approved by the District or the administration?” **No**" in text
    assert "contact-4-school-purpose" in text and "takes precedence" in text
    assert 'href="../../sections/contact/#c-5290-contact-4"' in text


def test_facts_page_documents_every_fact() -> None:
    page = checkerdocs.facts_page()
    for fact in ("activity", "student_standing", "interferes_with_work"):
        assert "{#f-" + fact.replace("_", "-") + "}" in page
    assert "Asked only when:" in page


def test_examples_are_computed_and_link_to_the_checker() -> None:
    page = checkerdocs.examples_page()
    assert page.count("{#ex-") == len(checkerdocs.casebook_ids()) >= 40
    assert "**Verdict (computed by the checker): Not permitted.**" in page
    token = page.split('href="../checker/#s=')[1].split('"')[0]
    scenario: Any = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert check(scenario)["verdict"] in {"not_permitted", "permitted"}


def test_checker_link_format() -> None:
    url = checkerdocs.checker_link({"activity": "manage_accounts"}, "examples/")
    assert url == "../checker/#s=" + base64.urlsafe_b64encode(
        b'{"facts":{"activity":"manage_accounts"}}'
    ).decode().rstrip("=")


def test_section_examples_cite_the_section() -> None:
    text = checkerdocs.section_examples("accounts", "sections/accounts/")
    assert "{#ex-district-email-personal-account}" in text
    assert "{#ex-scrolling-during-class}" not in text


def test_a_wrong_expectation_fails_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    engine, src = checkerdocs._loaded()
    case = src.casebook[0]
    wrong = {**case.data, "expect": {**case.data["expect"], "verdict": "permitted"}}
    broken = type(src)(
        src.policy, src.facts, src.rules, src.consequences, (type(case)(wrong, case.doc, case.path),)
    )
    monkeypatch.setattr(checkerdocs, "_loaded", lambda: (engine, broken))
    with pytest.raises(checkerdocs.CasebookMismatch, match=f"{case.data['id']}: computed not_permitted"):
        checkerdocs.examples_page()
