"""Accessibility of the built site: axe-core (WCAG 2.0/2.1 A and AA rules) in headless Chromium on
every page in the light and the dark palette, and on the checker mid-answer and with a verdict;
a keyboard-only walk through the checker; focus always visible.

The site is served with its real headers (CSP included); axe is injected as an init script
(DevTools protocol), so no CSP relaxation is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.conftest import require
from tests.support.checkerdrive import ANSWER_STARTS, Checker
from tests.support.sitebuild import (
    AXE_JS,
    checker_page,
    chromium,
    html_pages,
    palette_script,
)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = {"light": "default", "dark": "slate"}

AXE_RUN = r"""async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.join(' '),
      html: n.html.replace(/\s+/g, ' ').slice(0, 160),
      why: (n.failureSummary || '').split('\n').slice(1).join(' ').trim().slice(0, 300),
    })),
  }));
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(AXE_JS.is_file(), "node_modules/axe-core is missing (npm ci)")
    with chromium() as b:
        yield b


def new_context(browser: Browser, scheme: str) -> BrowserContext:
    context = browser.new_context(color_scheme="dark" if scheme == "slate" else "light")
    context.add_init_script(script=palette_script(scheme))
    context.add_init_script(path=str(AXE_JS))
    return context


def settle(page: Page) -> None:
    """Wait for running CSS transitions and animations (Material's header, tabs) to end."""
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')", timeout=5_000, polling=100
    )


def axe(page: Page) -> list[dict[str, Any]]:
    settle(page)
    result: list[dict[str, Any]] = page.evaluate(AXE_RUN, WCAG_TAGS)
    return result


def describe(where: str, violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']}\n"
        f"      at {n['target']}  {n['html']}\n      {n['why']}"
        for v in violations
        for n in v["nodes"]
    ]


@pytest.mark.parametrize("palette", list(SCHEMES))
def test_every_page_has_no_wcag_violation(
    browser: Browser,
    base_url: str,
    built_site: Path,
    palette: str,
) -> None:
    scheme = SCHEMES[palette]
    pages = html_pages(built_site)
    assert len(pages) >= 5, f"too few pages built: {pages}"
    context = new_context(browser, scheme)
    page = context.new_page()
    problems: list[str] = []
    try:
        for rel in pages:
            page.goto(base_url + rel, wait_until="load")
            applied = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            assert applied == scheme, f"{rel}: palette {scheme!r} not applied (body has {applied!r})"
            problems += describe(f"{rel} [{palette}]", axe(page))
    finally:
        context.close()
    print(f"axe: {len(pages)} pages in the {palette} palette, 0 violations of {', '.join(WCAG_TAGS)}")
    assert not problems, f"{len(problems)} WCAG violation(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("palette", list(SCHEMES))
def test_checker_mid_answer_and_verdict_have_no_wcag_violation(
    browser: Browser,
    base_url: str,
    built_site: Path,
    palette: str,
) -> None:
    scheme = SCHEMES[palette]
    context = new_context(browser, scheme)
    page = context.new_page()
    problems: list[str] = []
    try:
        checker = Checker(page, base_url + checker_page(built_site))
        checker.open()
        problems += describe(f"checker ready [{palette}]", axe(page))
        checker.answer_some()
        problems += describe(f"checker mid-answer [{palette}]", axe(page))
        checker.finish()
        problems += describe(f"checker verdict [{palette}]", axe(page))
    finally:
        context.close()
    assert not problems, f"{len(problems)} WCAG violation(s):\n" + "\n".join(problems)


# --- keyboard only ---------------------------------------------------------------------------

#: Describes the focused element (tagging it with a stable data-kbd number) and whether its focus
#: is visible: an outline or a box-shadow on it or on the label that wraps it.
FOCUSED = r"""() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  if (!e.dataset.kbd) e.dataset.kbd = String(window.__kbd = (window.__kbd || 0) + 1);
  const shows = (el) => {
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
    return outline || (cs.boxShadow && cs.boxShadow !== 'none');
  };
  const label = e.closest('label');
  const fs = e.closest('fieldset[data-fact]');
  return {
    key: e.dataset.kbd, tag: e.tagName.toLowerCase(), type: e.type || '', id: e.id,
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '')
      .trim().replace(/\s+/g, ' ').slice(0, 60),
    fact: fs ? fs.dataset.fact : (e.dataset.fact || null),
    open: !!(fs && fs.classList.contains('pc-open')),
    inChecker: !!e.closest('#policy-checker'), inResult: !!e.closest('#pc-result'),
    visible: shows(e) || (label ? !!shows(label) : false),
  };
}"""

#: Every control of the checker a keyboard user must reach (one stop per radio group, one per
#: checkbox), tagged.
CONTROLS = r"""() => {
  const root = document.querySelector('#policy-checker');
  const shown = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const out = [];
  for (const fs of root.querySelectorAll('fieldset[data-fact]:not([hidden])')) {
    if (fs.querySelector('input[type=radio]')) out.push('fact:' + fs.dataset.fact);
  }
  for (const el of root.querySelectorAll('a[href], button, select, textarea, input:not([type=radio])')) {
    if (!shown(el) || el.closest('[hidden]')) continue;
    if (!el.dataset.kbd) el.dataset.kbd = String(window.__kbd = (window.__kbd || 0) + 1);
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '')
      .trim().replace(/\s+/g, ' ').slice(0, 40);
    out.push('el:' + el.dataset.kbd + ':' + el.tagName.toLowerCase() + ':' + text);
  }
  return out;
}"""


@pytest.mark.parametrize("palette", list(SCHEMES))
def test_the_reader_page_states_on_a_phone_have_no_wcag_violation(
    browser: Browser,
    base_url: str,
    built_site: Path,
    palette: str,
) -> None:
    """At 390x844: the calm start, an answer with the short answer at the foot of the screen, a
    finding's details and "About the checker" opened, and a shared link opened on its answer."""
    scheme = SCHEMES[palette]
    context = new_context(browser, scheme)
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    problems: list[str] = []
    try:
        checker = Checker(page, base_url + checker_page(built_site))
        checker.open()
        problems += describe(f"phone start [{palette}]", axe(page))
        checker.answer("activity", 1)
        page.wait_for_selector("#pc-compact:not([hidden])")
        problems += describe(f"phone first answer, bar shown [{palette}]", axe(page))
        checker.finish()
        page.click("#pc-about summary")
        page.locator("#pc-result details.pc-more").first.evaluate("d => d.open = true")
        problems += describe(f"phone details open [{palette}]", axe(page))
        link = page.url
        again = context.new_page()
        again.set_viewport_size({"width": 390, "height": 844})
        Checker(again, link).open()
        problems += describe(f"phone shared link [{palette}]", axe(again))
    finally:
        context.close()
    assert not problems, f"{len(problems)} WCAG violation(s):\n" + "\n".join(problems)


def focused(page: Page) -> dict[str, Any] | None:
    info: dict[str, Any] | None = page.evaluate(FOCUSED)
    return info


def stop_name(info: dict[str, Any]) -> str:
    if info["type"] == "radio":
        return f"fact:{info['fact']}"
    return f"el:{info['key']}:{info['tag']}:{info['text'][:40]}"


def test_keyboard_only_walk_through_the_checker(
    browser: Browser,
    base_url: str,
    built_site: Path,
) -> None:
    context = browser.new_context()
    page = context.new_page()
    checker = Checker(page, base_url + checker_page(built_site))
    hidden_focus: list[str] = []

    def press(key: str) -> dict[str, Any] | None:
        page.keyboard.press(key)
        info = focused(page)
        if info and not info["visible"]:
            hidden_focus.append(f"{info['tag']} {info['id'] or info['text']!r} after {key}")
        return info

    try:
        checker.open()
        # 1. Tab from the top of the page into the checker
        info = None
        for _ in range(100):
            info = press("Tab")
            if info and info["inChecker"]:
                break
        assert info and info["inChecker"], "Tab never reaches the checker"

        # 2. no verdict before the first answer: Tab on to the first question, Space answers it;
        #    then Tab on to a "question that decides it" in the verdict; Enter takes focus to its
        #    question, Space answers it
        assert page.locator("#pc-result .pc-overall").count() == 0
        for _ in range(100):
            if info and info["type"] == "checkbox" and info["fact"] == "activity":
                break
            info = press("Tab")
        assert info and info["fact"] == "activity", "Tab never reaches the first question"
        checker.mark()
        page.keyboard.press("Space")
        checker.wait_for_verdict()
        for _ in range(200):
            info = press("Tab")
            if info and info["tag"] == "a" and info["inResult"] and info["fact"]:
                break
        assert info and info["inResult"] and info["fact"], "Tab never reaches the open questions' links"
        fact = info["fact"]
        info = press("Enter")
        assert info and info["fact"] == fact and info["type"] in {"radio", "checkbox"}, (
            f"Enter on {fact!r} focused {info}"
        )
        checker.mark()
        page.keyboard.press("Space")
        checker.wait_for_verdict()
        assert fact not in checker.open_questions()
        info = focused(page)

        # 3. answer every other open question with the keyboard only: Tab on, Shift+Tab back from
        #    the end, Space picks the focused option
        forward, presses = True, 0
        while checker.open_questions():
            presses += 1
            assert presses < 500, f"the keyboard cannot answer {checker.open_questions()}"
            if info and info["type"] in {"radio", "checkbox"} and info["open"]:
                checker.mark()
                page.keyboard.press("Space")
                checker.wait_for_verdict()
                info = focused(page)
                continue
            info = press("Tab" if forward else "Shift+Tab")
            if not info or not info["inChecker"]:
                forward = not forward
        assert checker.verdict().startswith(ANSWER_STARTS), checker.verdict()

        # 4. one Tab walk over the whole checker reaches every control and the verdict's links;
        #    Shift+Tab walks back over the same stops
        controls = set(page.evaluate(CONTROLS))
        while info and info["inChecker"]:
            info = press("Shift+Tab")
        walk: list[str] = []
        in_verdict = 0
        info = press("Tab")
        while info and info["inChecker"]:
            walk.append(stop_name(info))
            in_verdict += info["inResult"]
            info = press("Tab")
        missed = sorted(controls - set(walk))
        assert not missed, f"Tab does not reach: {missed}"
        assert in_verdict, f"Tab does not reach the verdict: {walk}"
        back: list[str] = []
        info = press("Shift+Tab")
        while info and info["inChecker"]:
            back.append(stop_name(info))
            info = press("Shift+Tab")
        assert back == walk[::-1], "Shift+Tab does not walk back over the same stops"

        # 5. Enter on "Start again" clears the answers: back to the calm start, focus on the first question
        info = press("Tab")
        while info and info["id"] != "pc-reset":
            info = press("Tab")
            assert info and info["inChecker"], "Tab never reaches the Start again button"
        page.keyboard.press("Enter")
        page.wait_for_selector("#pc-answer", state="hidden")
        assert checker.fragment() == "", "Start again left answers in the permalink"
        assert page.locator("#pc-start").is_visible()
        info = focused(page)
        assert info and info["fact"] == "activity", f"Start again left focus on {info}"
    finally:
        context.close()
    assert not hidden_focus, "focus not visible on:\n" + "\n".join(hidden_focus)
    print(f"keyboard: {len(walk)} stops in the checker, all reached by Tab and Shift+Tab, focus visible")
