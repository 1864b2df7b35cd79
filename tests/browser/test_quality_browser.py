"""Privacy and the Content-Security-Policy, in one Chromium run over the served site.

The site is served by handbook/serve.py with its real headers (handbook/headers.py). The run loads
every page, types into the search box, and answers the checker to a verdict, then reopens the
verdict's permalink. It records every request (and WebSocket) the pages and their workers make,
every console message, every ``securitypolicyviolation`` event of the pages, and every CSP
violation report (the test server's CSP adds ``report-uri``, which also covers the workers).
The tests then check: every request goes to the site's own origin, nothing the reader typed or
answered leaves the browser, no CSP violation happened, and the checker gave its verdict under the CSP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, WebSocket, Worker

from tests.support.checkerdrive import ANSWER_STARTS, Checker
from tests.support.sitebuild import (
    checker_page,
    chromium,
    html_pages,
    serve,
)

SEARCH_SECRET = "zebra4711secret"
#: The test server's CSP adds ``report-uri`` (this path): the browser POSTs a report of each
#: violation, including those in workers, which no console event shows.
CSP_REPORT = "/__csp-report"

LISTEN_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`
    + ` at ${e.sourceFile || location.href}:${e.lineNumber}`);
});
"""


@dataclass
class Record:
    origin: str = ""
    requests: list[Request] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    pages: int = 0
    verdict: str = ""
    fragment: str = ""
    reopened_verdict: str = ""


def _collect_csp(page: Page, where: str, record: Record) -> None:
    found: list[str] = page.evaluate("window.__cspViolations || []")
    record.csp += [f"{where}: {v}" for v in found]


@pytest.fixture(scope="module")
def record(built_site: Path) -> Iterator[Record]:
    rec = Record()
    with serve(built_site, csp_report_uri=CSP_REPORT) as base, chromium() as browser:
        rec.origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        context = browser.new_context()
        context.add_init_script(script=LISTEN_CSP)

        def on_request(request: Request) -> None:
            if urlsplit(request.url).path == CSP_REPORT:
                rec.reports.append(json.loads(request.post_data or "{}").get("csp-report", {}))
            else:
                rec.requests.append(request)

        context.on("request", on_request)

        def on_console(msg: ConsoleMessage) -> None:
            rec.console.append(f"{msg.type}: {msg.text} ({msg.location.get('url', '')})")

        def on_worker(worker: Worker) -> None:
            worker.on("console", on_console)

        def on_websocket(ws: WebSocket) -> None:
            rec.websockets.append(ws.url)

        context.on("console", on_console)
        page = context.new_page()
        page.on("worker", on_worker)
        page.on("websocket", on_websocket)
        page.on("pageerror", lambda exc: rec.page_errors.append(str(exc)))

        for rel in html_pages(built_site):
            page.goto(base + rel, wait_until="load")
            page.wait_for_timeout(150)
            _collect_csp(page, rel, rec)
            rec.pages += 1

        # the reader searches (Material's search runs in a worker of the page)
        page.goto(base, wait_until="load")
        page.keyboard.press("/")
        page.keyboard.type(SEARCH_SECRET + " confidential")
        page.wait_for_timeout(800)
        _collect_csp(page, "search", rec)

        # a full checker session: every open question answered, to a verdict
        checker = Checker(page, base + checker_page(built_site))
        checker.open()
        rec.verdict = checker.finish()
        rec.fragment = checker.fragment()
        _collect_csp(page, "checker", rec)

        # the permalink reopens the same verdict in a new page
        again = context.new_page()
        again.on("worker", on_worker)
        reopened = Checker(again, base + checker_page(built_site) + rec.fragment)
        reopened.open()
        rec.reopened_verdict = reopened.verdict()
        _collect_csp(again, "permalink", rec)
        page.wait_for_timeout(300)  # reports are sent asynchronously
        context.close()
    yield rec


def test_every_request_goes_to_the_sites_own_origin(record: Record) -> None:
    assert record.pages >= 5
    assert record.requests, "no request was recorded"
    foreign = sorted(
        {
            r.url
            for r in record.requests
            if not r.url.startswith(record.origin + "/") and urlsplit(r.url).scheme not in {"data", "blob"}
        }
    )
    assert not foreign, f"{len(foreign)} request(s) to another origin:\n" + "\n".join(foreign)
    # requests the CSP blocked before they were made were still attempts to reach another origin
    attempted = sorted(
        {
            str(r.get("blocked-uri"))
            for r in record.reports
            if urlsplit(str(r.get("blocked-uri", ""))).scheme in {"http", "https", "ws", "wss"}
            and not str(r.get("blocked-uri")).startswith(record.origin)
        }
    )
    assert not attempted, "attempted requests to another origin (blocked by the CSP):\n" + "\n".join(
        attempted
    )
    print(
        f"privacy: {record.pages} pages + search + checker session: {len(record.requests)} requests, "
        f"0 to other origins"
    )


def test_no_websocket_beacon_or_event_stream(record: Record) -> None:
    assert not record.websockets, record.websockets
    kinds = {r.resource_type for r in record.requests}
    assert not kinds & {"websocket", "ping", "eventsource", "beacon"}, kinds
    posts = [f"{r.method} {r.url}" for r in record.requests if r.method not in {"GET", "HEAD"}]
    assert not posts, posts


def test_nothing_the_reader_types_leaves_the_browser(record: Record) -> None:
    assert record.fragment.startswith("#s="), f"the permalink is not in the fragment: {record.fragment!r}"
    payload = record.fragment[len("#s=") :]
    for r in record.requests:
        assert "#" not in r.url, r.url
        assert payload not in r.url, f"the answers left the browser: {r.url}"
        assert SEARCH_SECRET not in r.url, f"the search words left the browser: {r.url}"
        assert not urlsplit(r.url).query, f"a query string was sent: {r.url}"
        body = r.post_data or ""
        assert payload not in body and SEARCH_SECRET not in body, r.url


def test_no_csp_violation(record: Record) -> None:
    console = [m for m in record.console if "Content Security Policy" in m or "Content-Security-Policy" in m]
    reports = [
        f"{r.get('document-uri')}: {r.get('effective-directive')} blocked {r.get('blocked-uri')}"
        f" ({r.get('source-file', '')}:{r.get('line-number', '')})"
        for r in record.reports
    ]
    problems = record.csp + console + reports
    assert not problems, f"{len(problems)} CSP violation(s):\n" + "\n".join(problems)


def test_no_script_error_or_policy_warning(record: Record) -> None:
    errors = [m for m in record.console if m.startswith("error:") or "Permissions-Policy" in m]
    assert not record.page_errors, record.page_errors
    assert not errors, "\n".join(errors)


def test_the_checker_gives_a_verdict_under_the_csp(record: Record) -> None:
    assert record.verdict.startswith(ANSWER_STARTS), record.verdict
    assert record.reopened_verdict == record.verdict, "the permalink did not restore the verdict"
