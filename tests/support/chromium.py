"""Headless Chromium for the browser tests and the browser benchmark: the one place that finds and
starts it. Debian's ``chromium``, driven by Playwright for Python (never Playwright's own browser
download, which cannot work here), with the flags a closed network needs."""

from __future__ import annotations

import shutil
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 120_000


class BrowserUnavailable(RuntimeError):
    """Chromium, Playwright or Node is missing (a failure in CI, a skip elsewhere)."""


def find_chromium() -> str | None:
    """The ``chromium`` on the PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_path() -> str:
    path = find_chromium()
    if not path:
        raise BrowserUnavailable("no `chromium` on the PATH: install it with `apt-get install -y chromium`")
    return path


def launch(playwright: Playwright) -> Browser:
    """Headless Debian Chromium (never Playwright's own browser download)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)


def wait_until(page: Page, condition: str, timeout_ms: int = TIMEOUT_MS) -> Any:
    """Wait until the JavaScript expression ``condition`` is truthy (a promise is awaited); returns it.

    Polls with ``page.evaluate``: Playwright's ``wait_for_function`` runs its predicate through
    ``eval``, which the site's Content-Security-Policy rightly forbids. The figures measured come
    from the page's own clock, so the polling interval does not affect them.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = page.evaluate(condition)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {condition}")
        page.wait_for_timeout(20)
