"""The checker page as a reader meets it, in Chromium at a phone's size (390x844) and a laptop's
(1280x900): a calm start, the answer in view after every answer and from a shared link, Back and
Forward through the answers, loading that shows its bytes, and the printed record of an answer.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from handbook.bundle import WorkedExample, load_bundle
from handbook.common import urls
from tests.conftest import require
from tests.support.checkerdrive import Checker
from tests.support.chromium import wait_until
from tests.support.sitebuild import checker_page

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
VIEWPORTS = {"phone": PHONE, "laptop": LAPTOP}

#: Where the short answer is on screen: the answer box itself when it is in view, else the bar at
#: the foot of the screen; in view means wholly between the theme's header and the screen's foot,
#: and not covered by anything (the element at its centre belongs to it).
ANSWER_IN_VIEW = """() => {
  const header = document.querySelector('.md-header')?.getBoundingClientRect().bottom ?? 0;
  const visible = (el) => {
    if (!el || el.closest('[hidden]')) return false;
    const r = el.getBoundingClientRect();
    if (r.height === 0 || r.top < header - 1 || r.bottom > innerHeight + 1) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 20));
    return !!hit && el.contains(hit);
  };
  const overall = document.querySelector('#pc-result .pc-overall');
  const compact = document.querySelector('#pc-compact');
  if (visible(overall)) return {where: 'answer', text: overall.innerText.trim()};
  if (visible(compact)) return {where: 'bar', text: document.querySelector('#pc-compact-text').textContent};
  return null;
}"""


@pytest.fixture(scope="module")
def checker_url(base_url: str, built_site: Path) -> str:
    return base_url + checker_page(built_site)


def starters() -> list[WorkedExample]:
    return [ex for ex in load_bundle().examples if ex.start]


def native(facts: dict[str, Any]) -> dict[str, Any]:
    return load_bundle().checker.check({"facts": facts})


def new_page(browser: Browser, viewport: dict[str, int]) -> Page:
    return browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]


def answer_in_view(page: Page) -> dict[str, str] | None:
    page.wait_for_timeout(150)  # the bar follows an IntersectionObserver callback
    found: dict[str, str] | None = page.evaluate(ANSWER_IN_VIEW)
    return found


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_a_calm_start(browser: Browser, checker_url: str, size: str) -> None:
    """Before the first answer: no verdict and no clause cards, one line of invitation, and the
    casebook's common situations, each a link that opens its answer in one click."""
    page = new_page(browser, VIEWPORTS[size])
    Checker(page, checker_url).open()
    assert page.locator("#pc-answer").is_hidden()
    assert page.locator(".pc-overall, .pc-finding, .pc-possible").count() == 0
    assert page.locator("#pc-compact").is_hidden()
    assert page.inner_text("#pc-status-text") == "The checker is ready."
    assert page.locator("#pc-about").is_visible()
    expected = starters()
    assert 4 <= len(expected) <= 8, "a handful of situations to start from"
    links = page.locator("#pc-start a.pc-starter")
    assert links.all_inner_texts() == [ex.start for ex in expected]
    # the first starter and the first question are both on the first screen
    assert links.first.bounding_box()["y"] < VIEWPORTS[size]["height"]  # type: ignore[index]

    # one click: the situation's answers, its answer in view, the start gone
    first = expected[0]
    links.first.click()
    page.wait_for_selector("#pc-result .pc-overall")
    shown = answer_in_view(page)
    assert shown is not None, "the answer is not in view after choosing a situation"
    assert shown["text"] == first.result["summary"]
    assert page.locator("#pc-start").is_hidden()
    assert page.url.endswith(urls.permalink(first.answered).split("checker/", 1)[1])
    page.context.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_answer_is_in_view_after_every_answer(browser: Browser, checker_url: str, size: str) -> None:
    page = new_page(browser, VIEWPORTS[size])
    checker = Checker(page, checker_url)
    checker.open()
    answered = 0
    for option in (1, 0, 0, 0, 0, 0, 0, 0, 0, 0):  # contact with a student, then the first answers
        open_ = checker.open_questions()
        if not open_:
            break
        checker.answer(open_[0], option)
        answered += 1
        summary = page.inner_text("#pc-result .pc-summary")
        shown = answer_in_view(page)
        assert shown is not None, f"after answer {answered} ({open_[0]}) the answer is out of view"
        assert shown["text"] == summary
    assert answered >= 4
    page.context.close()


def test_a_shared_link_opens_on_its_answer_on_a_phone(browser: Browser, checker_url: str) -> None:
    example = next(ex for ex in load_bundle().examples if ex.id == "texting-from-personal-phone")
    page = new_page(browser, PHONE)
    Checker(page, checker_url + "#s=" + urls.encode_scenario(example.answered)).open()
    shown = answer_in_view(page)
    assert shown == {"where": "answer", "text": example.result["summary"]}
    # one phone screen holds the verdict, the sentence and the first finding with its citation
    first = page.locator("#pc-result .pc-finding").first
    box = first.locator(".pc-words footer").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    # the rest of a finding is one click away
    assert first.locator("details.pc-more").count() == 1
    assert not first.locator("details.pc-more").evaluate("d => d.open")
    page.context.close()


def test_back_and_forward_step_through_the_answers(browser: Browser, checker_url: str) -> None:
    page = new_page(browser, PHONE)
    checker = Checker(page, checker_url)
    checker.open()
    start = page.url
    steps = []
    for option in (1, 0, 0):
        fact = checker.open_questions()[0]
        checker.answer(fact, option)
        steps.append((fact, page.url, page.inner_text("#pc-result .pc-summary")))
    # Back: the previous answers, with the last question answered before it still answered
    for i in (1, 0):
        checker.mark()
        page.go_back()
        checker.wait_for_verdict()
        fact, url, summary = steps[i]
        assert page.url == url
        assert page.inner_text("#pc-result .pc-summary") == summary
        undone = steps[i + 1][0]
        assert page.evaluate("document.activeElement?.closest('fieldset[data-fact]')?.dataset.fact") == undone
        assert page.locator(f"fieldset[data-fact='{undone}'] input:checked").count() == 0
    page.go_back()
    page.wait_for_selector("#pc-answer", state="hidden")
    assert page.url == start and page.locator("#pc-start").is_visible()
    # Forward again: every answer back
    for _fact, url, summary in steps:
        page.go_forward()
        page.wait_for_function(
            "(s) => document.querySelector('#pc-result .pc-summary')?.textContent === s", arg=summary
        )
        assert page.url == url
    page.context.close()


def test_loading_shows_bytes_and_steps_and_the_form_is_usable_at_once(
    browser: Browser, checker_url: str
) -> None:
    page = new_page(browser, LAPTOP)
    page.add_init_script(
        "window.__status = []; new MutationObserver(() => {"
        " const t = document.querySelector('#pc-status-text');"
        " if (t && window.__status.at(-1) !== t.textContent) window.__status.push(t.textContent); })"
        ".observe(document, {subtree: true, childList: true, characterData: true});"
    )
    page.goto(checker_url)
    # the questions are there before the checker is ready
    page.wait_for_selector("fieldset[data-fact=activity]:not([hidden])")
    page.wait_for_selector("[data-checker-state=ready]", timeout=90_000)
    seen: list[str] = page.evaluate("window.__status")
    with_bytes = [s for s in seen if re.search(r"step 1 of 3: Downloading \d+\.\d of \d+\.\d MB", s)]
    assert len(with_bytes) >= 2, seen  # the bytes move while the runtime downloads
    assert any("step 3 of 3" in s for s in seen), seen
    assert seen[-1] == "The checker is ready."
    about = page.locator("#pc-about")
    about.locator("summary").click()
    assert re.search(r"Python \d+\.\d+\.\d+ in your browser \(Pyodide \d", about.inner_text())
    assert "Nothing you answer leaves this page." in about.inner_text()
    page.context.close()


def test_the_printed_record(browser: Browser, checker_url: str, tmp_path: Path) -> None:
    """Print or save: one or two pages with the situation in words, the answer, the quoted clauses
    with ids and links, the policy's number, title, adoption date and text hash, the date, and
    that it is guidance, not a District decision."""
    require(shutil.which("pdftotext"), "pdftotext is not installed (apt-get install poppler-utils)")
    example = next(ex for ex in load_bundle().examples if ex.id == "texting-from-personal-phone")
    page = new_page(browser, LAPTOP)
    Checker(page, checker_url + "#s=" + urls.encode_scenario(example.answered)).open()
    assert page.locator("#pc-print").is_visible() and page.locator("#pc-copy").is_visible()
    pdf = tmp_path / "record.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="Letter")
    run = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = run.stdout
    pages = text.count("\f")
    assert 1 <= pages <= 2, f"the record takes {pages} pages"
    flat = " ".join(text.split())
    result = example.result
    policy = result["policy"]
    assert result["summary"] in flat
    for a in result["answers"]:
        assert a["says"][:1].upper() + a["says"][1:] in flat
    for f in result["findings"]:
        assert f["clause"]["id"] in flat and f["headline"] in flat
        assert " ".join(f["clause"]["words"].split()) in flat
    assert f"Policy {policy['number']}" in flat and policy["title"] in flat
    assert policy["adopted"] in flat and policy["text_sha256"] in flat
    assert "not a decision by the District" in flat
    assert "Check your situation" not in flat and "Your situation What does" not in flat  # no form on paper
    page.context.close()


def test_copy_answer_link(browser: Browser, checker_url: str) -> None:
    context = browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    example = starters()[0]
    Checker(page, checker_url + "#s=" + urls.encode_scenario(example.answered)).open()
    page.click("#pc-copy")
    page.wait_for_function("() => document.querySelector('#pc-copied').textContent !== ''")
    assert page.inner_text("#pc-copied") == "Link copied."
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    context.close()


def test_the_worked_examples_are_grouped_and_filter(browser: Browser, base_url: str) -> None:
    bundle = load_bundle()
    page = new_page(browser, PHONE)
    page.goto(base_url + "examples/")
    page.wait_for_selector("#hb-filter:not([hidden])")
    groups = [g.rstrip("¶") for g in page.locator("h2.hb-group").all_inner_texts()]
    root = bundle.checker.engine.fact[bundle.checker.engine.roots[0]]
    assert groups[0] == root.values[0].label and len(groups) >= 5, groups
    assert "Situations that combine" in " ".join(groups)
    combined = page.locator(
        "#situations-that-combine ~ h3#" + urls.example_anchor("coach-messages-players-on-team-page")
    )
    assert combined.count() == 1
    # each example shows its answer in the list, right after its story
    assert page.locator(".hb-example .hb-example__verdict").count() == len(bundle.examples)

    def visible() -> list[dict[str, str]]:
        shown: list[dict[str, str]] = page.evaluate(
            "() => [...document.querySelectorAll('.hb-example[data-verdict]')].filter(e => !e.hidden)"
            ".map(e => ({verdict: e.dataset.verdict, text: (e.previousElementSibling.textContent + ' '"
            " + e.textContent).toLowerCase()}))"
        )
        return shown

    page.fill("#hb-filter-words", "friend")
    shown = visible()
    assert 0 < len(shown) < len(bundle.examples)
    assert all("friend" in s["text"] for s in shown)
    assert page.inner_text("#hb-filter-count") == f"Showing {len(shown)} of {len(bundle.examples)} examples."
    page.select_option("#hb-filter-verdict", "not_permitted")
    both = visible()
    assert both and all(s["verdict"] == "not_permitted" and "friend" in s["text"] for s in both)
    assert len(both) < len(shown)
    # a group with nothing left hides its heading; no match says so
    page.fill("#hb-filter-words", "zebra crossing")
    assert visible() == [] and page.locator("#hb-filter-none").is_visible()
    assert page.locator("h2.hb-group:visible").count() == 0
    page.fill("#hb-filter-words", "")
    page.select_option("#hb-filter-verdict", "")
    assert len(visible()) == len(bundle.examples)
    page.context.close()


def test_the_404_page_leads_on(browser: Browser, base_url: str) -> None:
    """An unknown address: the site's 404 page, whose button opens the search with the cursor in it."""
    page = new_page(browser, PHONE)
    response = page.goto(base_url + "sections/no-such-section/")
    assert response is not None and response.status == 404
    assert page.inner_text("h1") == "This page is not here"
    page.click("button[data-open-search]")
    assert page.evaluate("document.activeElement?.dataset.mdComponent") == "search-query"
    page.keyboard.type("friend")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    page.context.close()


#: Average characters per line of the longest paragraph of the page's main text.
CHARS_PER_LINE = """() => {
  const paras = [...document.querySelectorAll('.md-content .md-typeset p')].filter(p => p.offsetParent);
  const p = paras.sort((a, b) => b.textContent.length - a.textContent.length)[0];
  const range = document.createRange();
  range.selectNodeContents(p);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  return p.textContent.replace(/\\s+/g, ' ').trim().length / lines;
}"""


@pytest.mark.parametrize("path", ["", "official/", "sections/contact/", "glossary/", "checker/"])
def test_prose_keeps_to_about_80_characters_a_line(browser: Browser, base_url: str, path: str) -> None:
    page = new_page(browser, LAPTOP)
    page.goto(base_url + path)
    per_line = page.evaluate(CHARS_PER_LINE)
    assert 55 <= per_line <= 95, f"/{path}: {per_line:.0f} characters a line"
    page.context.close()


def test_the_first_question_can_be_answered_before_the_script_runs(
    browser: Browser, checker_url: str
) -> None:
    """The questions are in the page: a reader on a slow phone can answer before checker.js has
    arrived, and the checker takes that answer over when it does."""
    page = new_page(browser, PHONE)
    script = checker_url + "../assets/checker/checker.js"
    page.route(script, lambda route: route.abort())
    page.goto(checker_url)
    first = page.locator("fieldset.pc-q:not([hidden])").first
    assert first.is_visible()
    first.locator("input").first.check()
    page.unroute(script)
    page.add_script_tag(url=script, type="module")
    page.wait_for_selector("#pc-result .pc-overall", timeout=120_000)
    assert "#s=" in page.url
    answered = urls.decode_scenario(page.url.split("#s=", 1)[1])
    assert list(answered) == [first.get_attribute("data-fact")]
    page.context.close()


def test_a_shared_link_shows_its_questions_before_the_script_and_nothing_jumps(
    browser: Browser, checker_url: str
) -> None:
    """A shared link opens on its answers: before checker.js runs (held back here), the page already
    leaves out the common situations, so its first paint on a phone shows the first question and
    nothing jumps when the checker takes over. The page starts the checker's worker once."""
    example = next(ex for ex in load_bundle().examples if ex.id == "texting-from-personal-phone")
    page = new_page(browser, PHONE)
    workers: list[str] = []
    page.on("request", lambda r: workers.append(r.url) if r.url.endswith("/worker.js") else None)
    script = checker_url + "../assets/checker/checker.js"
    page.route(script, lambda route: route.abort())
    page.goto(checker_url + "#s=" + urls.encode_scenario(example.answered))
    assert page.locator("#pc-start").is_hidden()
    legend = page.locator("fieldset.pc-q:not([hidden]) legend").first
    box = legend.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    page.wait_for_function("() => !!window.policyCheckerBoot?.start().worker")  # started by the page
    page.unroute(script)
    page.add_script_tag(url=script, type="module")
    page.wait_for_selector("#pc-result .pc-overall", timeout=120_000)
    assert page.inner_text("#pc-result .pc-summary") == example.result["summary"]
    assert page.evaluate("'checkerLink' in document.documentElement.dataset") is False
    assert len(workers) == 1, workers
    page.context.close()


def test_a_link_that_cannot_be_read_still_offers_the_common_situations(
    browser: Browser, checker_url: str
) -> None:
    page = new_page(browser, PHONE)
    page.goto(checker_url + "#s=not-a-scenario")
    page.wait_for_selector("[data-checker-state=ready]", timeout=120_000)
    assert page.locator("#pc-start a.pc-starter").first.is_visible()
    page.context.close()


def test_without_scripts_the_page_says_so_and_offers_no_dead_controls(
    browser: Browser, checker_url: str
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(checker_url)
    assert page.locator(".pc-error", has_text="The checker needs JavaScript.").is_visible()
    for part in ("#pc-status", "#pc-start", "#pc-form"):
        assert page.locator(part).is_hidden(), part
    context.close()


def test_the_checker_page_carries_its_styles(browser: Browser, checker_url: str) -> None:
    """No stylesheet to wait for after the page (front matter inline_styles): the theme's, the
    handbook's and the checker's rules are in the page, and they apply."""
    page = new_page(browser, PHONE)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if r.resource_type == "stylesheet" else None)
    page.goto(checker_url)
    assert page.locator("link[rel=stylesheet]").count() == 0
    assert requested == []
    assert page.locator("head style").count() >= 4
    # the theme's header bar and the checker's own layout are styled
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    assert page.evaluate("getComputedStyle(document.querySelector('.pc-opt')).display") != "inline"
    page.context.close()


def test_on_a_slow_phone_the_first_paint_already_has_the_questions(
    browser: Browser, checker_url: str
) -> None:
    """The page's first paint waits for its form (rel=expect), so a slow phone shows the questions
    in its first frame rather than laying out the page again and again before them."""
    page = new_page(browser, PHONE)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 6})
    page.route("**/assets/checker/worker.js", lambda route: route.abort())  # the page alone
    # when the parser has made the form's last control (noted before the browser can paint again)
    page.add_init_script(
        "new MutationObserver((r, o) => { if (document.getElementById('pc-reset')) {"
        " window.formParsed = performance.now(); o.disconnect(); } })"
        ".observe(document, {childList: true, subtree: true});"
    )
    page.goto(checker_url)
    page.wait_for_function("performance.getEntriesByName('first-paint').length && window.formParsed")
    painted = page.evaluate("performance.getEntriesByName('first-paint')[0].startTime")
    parsed = page.evaluate("window.formParsed")
    assert painted >= parsed, f"first paint at {painted:.0f} ms, the form parsed at {parsed:.0f} ms"
    page.context.close()


#: when the page first painted, and when the theme's script was put into the page to run
THEME_WATCH = """
window.seen = {};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.seen[entry.name] ??= entry.startTime;
}).observe({ type: "paint", buffered: true });
new MutationObserver(() => {
  if (!window.seen.theme && document.querySelector("script[src*='javascripts/bundle.']"))
    window.seen.theme = performance.now();
}).observe(document, { childList: true, subtree: true });
"""


def theme_started(page: Page) -> None:
    """The theme has started, both halves of it: the header's title follows the page once its
    heading has scrolled away (started on DOMContentLoaded), and the search opens from the
    keyboard and finds pages (started with the script)."""
    wait_until(page, "typeof window.document$ === 'object'")  # the theme's documented hook
    page.mouse.wheel(0, 900)
    wait_until(page, "document.querySelector('.md-header__title--active')")
    page.keyboard.press("/")
    page.keyboard.type("friend")
    page.wait_for_selector(".md-search-result__item", timeout=30_000)


def test_the_theme_waits_for_the_first_paint_and_then_starts(browser: Browser, checker_url: str) -> None:
    """On a slow phone whose link is fast, the theme's script is in before the page is parsed; it
    must not hold back the first paint (front matter scripts_after_paint). The phone's closed
    drawer is left out of that paint and is there when the menu opens."""
    page = new_page(browser, PHONE)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 6})
    page.route("**/assets/checker/worker.js", lambda route: route.abort())  # the page alone
    page.add_init_script(THEME_WATCH)
    page.goto(checker_url)
    wait_until(page, "window.seen['first-paint'] && window.seen.theme")
    seen = page.evaluate("window.seen")
    assert seen["theme"] >= seen["first-paint"], seen
    assert page.locator("#hb-later-scripts").count() == 1
    assert page.evaluate("'firstPaint' in document.documentElement.dataset") is False
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    page.click("label.md-header__button[for=__drawer]")
    assert page.locator(".md-sidebar--primary .md-nav__link", has_text="Official text").first.is_visible()
    page.click("label.md-overlay", position={"x": 370, "y": 400})
    theme_started(page)
    page.context.close()


def test_the_theme_starts_when_its_script_comes_after_the_page_has_loaded(
    browser: Browser, checker_url: str
) -> None:
    """The theme starts on DOMContentLoaded; when its script arrives after that, the page sends
    the event again for it, and the theme works as on every other page."""
    page = new_page(browser, LAPTOP)
    held: list[Route] = []

    def hold(route: Route) -> None:  # Playwright cannot take a bound built-in method
        held.append(route)

    page.route("**/assets/javascripts/bundle.*.js", hold)
    page.goto(checker_url, wait_until="domcontentloaded")
    page.wait_for_timeout(300)
    assert len(held) == 1, "the theme's script was requested once, after the page was shown"
    held[0].continue_()
    theme_started(page)
    page.context.close()
