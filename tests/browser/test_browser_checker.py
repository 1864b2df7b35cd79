"""The checker page end to end in headless Chromium (Debian's, driven by Playwright for Python).

On the built site served by handbook/publish/serve.py on 127.0.0.1: answer the form with the keyboard
only, get the verdict (the same as the native checker's), hear it through the polite live region,
follow a citation to its clause, reopen the permalink, and never make a request to another origin.
A handbook page downloads no Pyodide. When Pyodide cannot load, the reader gets links, not a blank.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page
from policycheck import to_json

from handbook.bundle import load_bundle
from handbook.common.urls import encode_scenario
from handbook.proof.scenarios import generated_scenarios
from tests.support.chromium import wait_until
from tests.support.sitebuild import checker_page

READY = "[data-checker-state=ready]"
TIMEOUT = 90_000


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    """The complete built site (the session's one build, shared with the quality tests)."""
    return built_site


class Recorder:
    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))

    def foreign(self, base: str) -> list[str]:
        origin = urlsplit(base)[:2]
        return [u for u in self.urls if urlsplit(u)[:2] != origin and not u.startswith(("data:", "blob:"))]


def native(facts: dict[str, Any]) -> dict[str, Any]:
    return load_bundle().checker.check({"facts": facts})


def fragment_facts(url: str) -> dict[str, Any]:
    payload = urlsplit(url).fragment.removeprefix("s=")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8"))
    facts: dict[str, Any] = data["facts"]
    return facts


def open_checker(page: Page, url: str) -> None:
    """Open the checker and wait until it is ready (and, for a link with answers, for its verdict)."""
    page.goto(url)
    page.wait_for_selector(READY, timeout=TIMEOUT)
    if "#s=" in url:
        wait_until(page, "window.policyChecker.timings.firstVerdict")


def shown_answer(page: Page) -> str:
    """The plain answer the panel shows (the result's summary: verdict words and one sentence)."""
    return page.inner_text(".pc-overall .pc-summary")


def settle(page: Page) -> None:
    """Wait until the verdict panel shows the result for the current answers."""
    wait_until(
        page,
        "window.policyChecker.check(window.policyChecker.scenario()).then((r) => {"
        " const el = document.querySelector('.pc-overall .pc-summary');"
        " return el && el.textContent === r.summary; })",
    )


def answer_with_keyboard(page: Page, max_questions: int = 12) -> list[str]:
    """Tab to each unanswered question and choose its first option with Space (a radio button, or
    the first box of a choose-everything-that-applies question); returns the facts."""
    answered: list[str] = []
    for _ in range(max_questions):
        for _ in range(120):
            page.keyboard.press("Tab")
            focus = page.evaluate(
                "() => { const a = document.activeElement;"
                " if (!a || (a.type !== 'radio' && a.type !== 'checkbox')) return null;"
                " const fs = a.closest('fieldset[data-fact]');"
                " return !fs || fs.querySelector('input:checked') ? null : fs.dataset.fact; }"
            )
            if focus:
                break
        else:
            return answered  # no unanswered question left
        page.keyboard.press("Space")
        answered.append(focus)
        settle(page)
        # the verdict updated without stealing focus from the question just answered
        assert page.evaluate("document.activeElement.closest('fieldset[data-fact]')?.dataset.fact") == focus
    return answered


def test_keyboard_answers_give_the_native_verdict(browser: Browser, base_url: str, site: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    requests = Recorder(page)
    open_checker(page, base_url + checker_page(site))
    assert page.get_attribute("#pc-live", "aria-live") == "polite"

    answered = answer_with_keyboard(page)
    assert answered, "no question could be answered with the keyboard"
    facts = fragment_facts(page.url)
    assert set(facts) == set(answered)
    expected = native(facts)
    assert shown_answer(page) == expected["summary"]
    assert page.evaluate("window.policyChecker.checkJSON(window.policyChecker.scenario())") == _to_json(
        expected
    )

    # the verdict is announced politely (focus stayed on each question: see answer_with_keyboard)
    assert page.inner_text("#pc-live").startswith(expected["summary"])

    # every finding cites its clause: follow the first citation to its anchor in the handbook
    if expected["findings"]:
        first = expected["findings"][0]
        link = page.locator(".pc-clause-link").first
        assert first["clause"]["id"] in link.inner_text()  # the citation, not the sentence
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        anchor = urlsplit(page.url).fragment
        assert anchor == first["clause"]["url"].split("#", 1)[1]
        assert page.locator(f"[id='{anchor}']").count() == 1
        assert first["clause"]["words"].split()[0] in page.inner_text("body")

    # the permalink reproduces the page
    permalink = base_url + checker_page(site) + "#s=" + encode_scenario(facts)
    again = context.new_page()
    open_checker(again, permalink)
    settle(again)
    assert shown_answer(again) == expected["summary"]
    for fact in answered:
        assert again.locator(f"fieldset[data-fact='{fact}'] input:checked").count() == 1
    assert not requests.foreign(base_url), requests.foreign(base_url)
    context.close()


def _to_json(result: dict[str, Any]) -> str:
    return to_json(result)


def test_scripted_checks_match_the_native_json(browser: Browser, base_url: str, site: Path) -> None:
    page = browser.new_page()
    open_checker(page, base_url + checker_page(site))
    scenarios = generated_scenarios(load_bundle().checker.engine, 40, seed=7)
    got = page.evaluate("(all) => Promise.all(all.map((s) => window.policyChecker.checkJSON(s)))", scenarios)
    assert got == [_to_json(native(s["facts"])) for s in scenarios]
    message = page.evaluate(
        "window.policyChecker.check({facts: {no_such_fact: true}}).then(() => null, (e) => e.message)"
    )
    assert message and "no_such_fact" in message
    page.close()


def test_a_permalink_from_the_handbook_opens_answered(browser: Browser, base_url: str, site: Path) -> None:
    scenarios = generated_scenarios(load_bundle().checker.engine, 12, seed=11)
    facts = scenarios[-1]["facts"]
    page = browser.new_page()
    open_checker(page, base_url + checker_page(site) + "#s=" + encode_scenario(facts))
    settle(page)
    assert shown_answer(page) == native(facts)["summary"]
    assert fragment_facts(page.url) == facts
    # the page encodes permalinks exactly as the handbook's pages do (common/urls.py)
    tokens = page.evaluate("(all) => all.map((s) => window.policyChecker.encode(s.facts))", scenarios)
    assert tokens == [encode_scenario(s["facts"]) for s in scenarios]
    page.close()


def test_handbook_pages_load_no_pyodide(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    requests = Recorder(page)
    for path in ("", "official/"):
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
    assert not [u for u in requests.urls if "/pyodide/" in u or "/checker/" in urlsplit(u).path]
    assert not requests.foreign(base_url), requests.foreign(base_url)
    page.close()


@pytest.mark.parametrize("how", ["runtime-unreachable", "no-webassembly"])
def test_a_failed_load_leaves_links_to_the_official_text(
    browser: Browser, base_url: str, site: Path, how: str
) -> None:
    context = browser.new_context()
    if how == "runtime-unreachable":
        context.route("**/*.wasm", lambda route: route.abort())
    else:
        context.add_init_script("delete window.WebAssembly;")
    page = context.new_page()
    page.goto(base_url + checker_page(site))
    page.wait_for_selector("[data-checker-state=error]", state="attached", timeout=TIMEOUT)
    panel = page.locator("#pc-result")
    assert "could not start" in panel.inner_text()
    hrefs = panel.locator("a").evaluate_all("(links) => links.map((a) => a.href)")
    assert base_url + "official/" in hrefs
    # the questions stay usable
    assert page.locator("fieldset[data-fact]:not([hidden])").count() >= 1
    context.close()


def test_changing_an_answer_keeps_the_others(browser: Browser, base_url: str, site: Path) -> None:
    page = browser.new_page()
    open_checker(page, base_url + checker_page(site))
    for fact, value in (
        ("activity", "v:connect_with_students"),
        ("contact_kind", "v:friend_request"),
        ("contact_person", "v:current_student"),
    ):
        page.check(f"fieldset[data-fact='{fact}'] input[value='{value}']")
        settle(page)
    page.check("fieldset[data-fact='employee_role'] input[value='']")  # "I don't know"
    settle(page)
    before = fragment_facts(page.url)
    assert before["employee_role"] is None
    # "I don't know" is an answer: sent, and shown among your answers
    assert page.evaluate("window.policyChecker.scenario()")["facts"] == before
    assert "I don't know" in page.inner_text(".pc-answers")  # the result's own words

    # switch to another activity: the contact answers stay on screen, kept but not sent
    page.uncheck("fieldset[data-fact='activity'] input[value='v:connect_with_students']")
    page.check("fieldset[data-fact='activity'] input[value='v:post_content']")
    settle(page)
    sent = page.evaluate("window.policyChecker.scenario()")["facts"]
    assert sent == {"activity": ["post_content"]}
    kept = page.locator("fieldset[data-fact='contact_kind']")
    assert kept.is_visible()
    assert "not used" in kept.inner_text()
    assert fragment_facts(page.url)["contact_kind"] == ["friend_request"]

    # both at once: the post's questions and the contact's apply together
    page.check("fieldset[data-fact='activity'] input[value='v:connect_with_students']")
    settle(page)
    sent = page.evaluate("window.policyChecker.scenario()")["facts"]
    assert sent["activity"] == ["post_content", "connect_with_students"]
    assert sent["contact_kind"] == ["friend_request"] and sent["employee_role"] is None

    # and back: every earlier answer applies again
    page.uncheck("fieldset[data-fact='activity'] input[value='v:post_content']")
    settle(page)
    assert fragment_facts(page.url) == before
    assert page.evaluate("window.policyChecker.scenario()")["facts"] == before
    assert shown_answer(page) == native(before)["summary"]
    page.close()


def test_every_try_this_link_in_the_handbook_opens_its_verdict(
    browser: Browser, base_url: str, site: Path
) -> None:
    links = sorted(
        {
            match.split("#s=", 1)[1]
            for page in site.rglob("*.html")
            for match in re.findall(r'href="[^"]*checker/#s=[^"]*"', page.read_text(encoding="utf-8"))
        }
    )
    assert links, "the worked examples link into the checker"
    page = browser.new_page()
    open_checker(page, base_url + checker_page(site))
    for payload in [p.rstrip('"') for p in links]:
        facts = fragment_facts("#s=" + payload)
        expected = native(facts)  # a link the native checker refuses fails here
        page.goto(base_url + checker_page(site) + "#s=" + payload)  # same document: hashchange
        settle(page)
        assert page.evaluate("window.policyChecker.scenario()")["facts"] == facts, payload
        assert shown_answer(page) == expected["summary"], facts
    page.close()
