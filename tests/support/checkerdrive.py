"""Drives the "Check your situation" page (docs/checker.md, docs/assets/checker/checker.js) in Playwright,
as a reader would: through its form, never through its internals, for the quality tests.

The page's contract used here: the root ``[data-checker-state]`` becomes ``ready``; each question is
a ``fieldset.pc-q[data-fact]`` of radio buttons (or of checkboxes, for a choose-everything-that-applies
question), shown while it can change the answer or what you must do (``.pc-open`` until answered);
the answer is rendered into ``#pc-result`` (``.pc-overall``: the verdict words and one plain
sentence, see :data:`ANSWER_STARTS`) once there is an answer, and the answers are kept in the URL
fragment ``#s=...``.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from .chromium import wait_until

READY = "[data-checker-state=ready]"
FAILED = "[data-checker-state=error]"
RESULT = "#pc-result"
OPEN_QUESTION = "fieldset.pc-q.pc-open:not([hidden])"
#: How the plain answer begins, for each verdict (policycheck's result summary).
ANSWER_STARTS = ("No. ", "Yes. ", "Yes, if you ", "Yes, with care: ", "It depends on ")
BOOT_TIMEOUT_MS = 60_000  # Pyodide starts in about 5 s on a 2-core machine

#: Marks the rendered result so that a later render (which replaces it) can be awaited.
MARK_RESULT = "() => { const el = document.querySelector('#pc-result > *'); if (el) el.dataset.stale = '1'; }"
RESULT_RENDERED = (
    "() => { const el = document.querySelector('#pc-result > *'); return !!el && !el.dataset.stale; }"
)


class Checker:
    """One checker page in one Playwright page."""

    def __init__(self, page: Page, url: str) -> None:
        self.page, self.url = page, url

    def open(self) -> None:
        """Load the page and wait until it is ready; with answers in the URL, for their verdict too
        (without answers the page shows no verdict: it offers situations to start from)."""
        self.page.goto(self.url, wait_until="load")
        self.page.wait_for_selector(f"{READY}, {FAILED}", timeout=BOOT_TIMEOUT_MS)
        if self.page.query_selector(FAILED):
            raise AssertionError(f"the checker failed to start: {self.page.inner_text(RESULT)}")
        if "#s=" in self.url:
            self.page.wait_for_selector(f"{RESULT} .pc-overall", timeout=BOOT_TIMEOUT_MS)

    def mark(self) -> None:
        self.page.evaluate(MARK_RESULT)

    def wait_for_verdict(self) -> None:
        """Wait until the result marked by :meth:`mark` has been replaced by a new one."""
        self.page.wait_for_function(RESULT_RENDERED, timeout=30_000)
        self.page.wait_for_selector(f"{RESULT} .pc-overall", timeout=30_000)

    def open_questions(self) -> list[str]:
        facts: list[str] = self.page.eval_on_selector_all(
            OPEN_QUESTION, "els => els.map(e => e.dataset.fact)"
        )
        return facts

    def answer(self, fact: str, option: int = 0) -> None:
        """Pick option ``option`` (0: the first, "Yes" for yes/no questions) by clicking its label."""
        self.mark()
        self.page.locator(f"fieldset[data-fact='{fact}'] label.pc-opt").nth(option).click()
        self.wait_for_verdict()

    def answer_some(self, count: int = 2) -> list[str]:
        """Answer the first ``count`` open questions (a scenario mid-answer); returns their facts."""
        done = []
        for _ in range(count):
            open_ = self.open_questions()
            if not open_:
                break
            self.answer(open_[0])
            done.append(open_[0])
        return done

    def finish(self, option: int = 0, limit: int = 60) -> str:
        """Answer every open question until none is left; returns the verdict's text."""
        for _ in range(limit):
            open_ = self.open_questions()
            if not open_:
                break
            self.answer(open_[0], option)
        else:
            raise AssertionError(f"questions still open after {limit} answers: {self.open_questions()}")
        return self.verdict()

    def verdict(self) -> str:
        text: str = self.page.inner_text(f"{RESULT} .pc-overall")
        return text

    def fragment(self) -> str:
        hash_: str = self.page.evaluate("location.hash")
        return hash_


# --- the page's scripting API: many scenarios at once (parity) --------------------------------

#: the checker's state, once it is no longer loading
SETTLED = (
    "document.querySelector('[data-checker-state]')?.dataset.checkerState !== 'loading'"
    " && document.querySelector('[data-checker-state]').dataset.checkerState"
)
#: every scenario through the page's checker, in order: the canonical JSON of each answer
CHECK_ALL = """async (scenarios) => {
  const out = [];
  for (const s of scenarios) out.push(await window.policyChecker.checkJSON(s));
  return out;
}"""


def open_started(page: Page, url: str, way: str) -> dict[str, str]:
    """Open the checker at ``url`` with its worker started ``way`` (``?boot=``); once it is ready,
    how it started: ``boot`` (normal, snapshot or fallback) and the words "About the checker" shows."""
    page.goto(f"{url}?boot={way}")
    state = wait_until(page, SETTLED)
    assert state == "ready", page.inner_text("#pc-status")
    about: dict[str, str] = page.evaluate(
        "({boot: document.querySelector('#pc-about').dataset.boot,"
        " text: document.querySelector('#pc-about-text').textContent})"
    )
    return about


def check_all(page: Page, scenarios: list[dict[str, Any]]) -> list[str]:
    """The canonical JSON the page's checker gives for each scenario."""
    found: list[str] = page.evaluate(CHECK_ALL, scenarios)
    return found
