"""The handbook's pages about the checker (handbook/site/checkerdocs.py): per clause its questions
and rules in words, the questions page, and the casebook as worked examples."""

from __future__ import annotations

import re

from policycheck.words import PLAIN, condition_text, rule_condition_lines

from handbook.bundle import load_bundle
from handbook.common.urls import decode_scenario, encode_scenario, permalink
from handbook.site import checkerdocs
from handbook.source.model import NORMATIVE_KINDS


def test_every_clause_the_checker_reads_shows_its_questions_and_rules() -> None:
    bundle = load_bundle()
    rules = bundle.checker.engine.book.rules
    for clause in bundle.policy.clauses():
        block = checkerdocs.clause_checker(bundle, clause.id, "sections/x/")
        read = any(r.clause == clause.id or clause.id in r.cites for r in rules)
        if clause.kind in NORMATIVE_KINDS and clause.kind != "consequence":
            assert read, f"{clause.id} is read by no rule"
        if read:
            assert "not official policy text" in block and "when all of these hold" in block
            assert block.startswith('<details class="abstract">')
        elif clause.kind == "consequence":
            assert "The checker shows this clause as what can happen" in block
        else:
            assert block == ""
    cited_only = checkerdocs.clause_checker(bundle, "5290.sponsored.1.5", "sections/sponsored/")
    assert "<code>sponsored-1-rules</code>, of" in cited_only and "which cites this clause" in cited_only


def test_a_rule_in_words_on_the_page() -> None:
    bundle = load_bundle()
    text = checkerdocs.clause_checker(bundle, "5290.contact.3.2", "sections/contact/")
    assert (
        "<strong>No</strong> (rule <code>contact-3-2-unapproved-means</code>): "
        "“Don&#39;t contact students through a channel your administration has not approved.”, when all"
        in text
    )
    assert (
        "<li>“Has your administration approved using your own phone or account to contact students?” "
        "<strong>No</strong></li>" in text
    )
    assert "If this is treated as a failure to keep a professional relationship with the student:" in text
    assert 'href="#c-5290-contact-5"' in text  # a clause on the same page: its anchor only


def test_one_renderer_of_conditions_serves_the_cli_and_the_pages() -> None:
    """The words are the same, whatever the markup: strip the page's and compare with the CLI's."""
    bundle = load_bundle()
    engine = bundle.checker.engine
    rule = engine.rule["contact-3-2-unapproved-means"]
    plain = [text for _, text in rule_condition_lines(rule, engine, PLAIN)]
    page = checkerdocs.clause_checker(bundle, rule.clause, "sections/contact/")
    for line in plain:
        words = re.sub(r"[“”]", "", line)
        flat = re.sub(r"<[^>]+>", "", page).replace("&#39;", "'")
        assert all(w in flat for w in re.findall(r"[A-Za-z]{4,}", words)), line
    assert condition_text(rule.when, engine).startswith(
        "(“What kind of contact? Choose everything that applies.” includes “Messages, texts, chats or email”"
    )


def test_facts_page_documents_every_fact() -> None:
    bundle = load_bundle()
    page = checkerdocs.facts_page(bundle, "facts/")
    for fact in bundle.checker.facts:
        assert "{#f-" + fact.id.replace("_", "-") + "}" in page
    assert "Asked only when:" in page and "Always asked first." in page


def test_examples_are_computed_and_link_to_the_checker() -> None:
    bundle = load_bundle()
    page = checkerdocs.examples_page(bundle, "examples/")
    assert page.count("{#ex-") == len(bundle.examples) >= 40
    # grouped by what they involve: the first answer's values in order, then the combined ones
    groups = re.findall(r"^## (.+) \{#([a-z-]+) \.hb-group\}$", page, re.MULTILINE)
    assert groups[0][0] == bundle.checker.engine.fact[bundle.checker.engine.roots[0]].values[0].label
    assert ("Situations that combine", "situations-that-combine") in groups
    # the plain answer, as the checker gives it, leads each example
    first = bundle.examples[0].result
    assert f'<strong class="hb-verdict hb-verdict--{first["verdict"]}">{first["summary"]}' in page.replace(
        "&#39;", "'"
    )
    assert page.count('<p class="hb-example__verdict">') == len(bundle.examples)
    tokens = re.findall(r'href="\.\./checker/#s=([A-Za-z0-9_-]+)"', page)
    anchors = re.findall(r"\{#(ex-[a-z0-9-]+)\}", page)  # in the page's (grouped) order
    by_anchor = {ex.anchor: ex for ex in bundle.examples}
    assert len(tokens) == len(anchors) == len(bundle.examples) == len(set(anchors))
    for token, example in zip(tokens, [by_anchor[a] for a in anchors], strict=True):
        assert decode_scenario(token) == example.answered
        assert bundle.checker.check({"facts": decode_scenario(token)}) == example.result


def test_permalinks_are_key_sorted_compact_base64url() -> None:
    assert permalink({"b": True, "a": "x"}) == "checker/#s=" + encode_scenario({"a": "x", "b": True})
    assert (
        encode_scenario({"activity": "manage_accounts"})
        == "eyJmYWN0cyI6eyJhY3Rpdml0eSI6Im1hbmFnZV9hY2NvdW50cyJ9fQ"
    )


def test_section_examples_cite_the_section() -> None:
    bundle = load_bundle()
    text = checkerdocs.section_examples(bundle, "accounts", "sections/accounts/")
    assert "{#ex-district-email-personal-account}" in text
    assert "{#ex-scrolling-during-class}" not in text
