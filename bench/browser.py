"""The checker in a real browser: the browser benchmark.

``bench_browser(site_dir, bundle) -> dict`` measures, in one run of headless Chromium (Debian's
``chromium`` driven by Playwright for Python, ``tests/support/chromium.py``) on a built site served
from 127.0.0.1 by :mod:`handbook.publish.serve`, medians of several loads of each kind, each with its
ratio to the bare boot measured in the same run:

* ``bare_boot``: a blank page that only boots the same Pyodide runtime in a module worker;
* the checker opened at a permalink, until its first verdict shows (the page's own clock, from
  navigation): ``cold_normal`` (empty cache, Python booted: the way before snapshots),
  ``cold_snapshot`` (empty cache, restored from the build's snapshot), ``cold_first_visit`` (empty
  cache, the page choosing), ``repeat_http_cache`` (the same page again, service workers blocked) and
  ``repeat_service_worker`` (again, from the offline copy); ``form_usable``: when the questions
  could be answered on that first visit (the browser's paint of the first question: Element Timing);
* the same first visits on an emulated 4G phone (390x844 screen, 4 Mbps, CPU 4x slower: Chromium's
  DevTools emulation);
* ``check_ms``: per-check latency after boot (median, p95) over 300 distinct generated scenarios,
  one ``policyChecker.check`` call at a time (message to the worker, Python, JSON, message back);
* bytes each page moves on a first and a repeat visit, and the size of the offline copy.

``make bench`` runs it (``python -m bench --site SITE``).
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Request, sync_playwright

from handbook.browser.pyodide import VERSION_PLACEHOLDER, npm_pyodide_version
from handbook.bundle import Bundle
from handbook.common import urls
from handbook.offline.precache import precache_of
from handbook.proof.scenarios import generated_scenarios
from handbook.publish.serve import BackgroundServer
from tests.support.chromium import chromium_path, launch, wait_until

BARE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare Pyodide boot</title></head>
<body><p id="state">loading</p>
<script type="module" src="bare.js"></script></body></html>
"""
#: the page's script (a file, not inline: the site's Content-Security-Policy applies here too)
BARE_JS = """const worker = new Worker(new URL("bare-worker.js", location.href), { type: "module" });
worker.onmessage = ({ data }) => {
  window.bareBoot = { doneMs: performance.now(), bootMs: data.ms, error: data.error ?? null };
  document.getElementById("state").textContent = data.error ? "error" : "ready";
};
"""
#: the same runtime, loaded the same way as the checker's worker, and nothing else
BARE_WORKER = """import { loadPyodide } from "/assets/pyodide/__PYODIDE_VERSION__/pyodide.mjs";
const t0 = performance.now();
const packageBaseUrl = new URL("/assets/pyodide/", location.href).href;
const lockFileURL = packageBaseUrl + "pyodide-lock.json";
loadPyodide({ packageBaseUrl, lockFileURL, stdout: () => {} })
  .then(() => self.postMessage({ ms: performance.now() - t0 }))
  .catch((err) => self.postMessage({ error: String(err) }));
"""


@contextmanager
def served(site_dir: Path) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1, with the bare-boot page at ``/__bench__/``."""
    with tempfile.TemporaryDirectory() as tmp:
        bench = Path(tmp)
        (bench / "index.html").write_text(BARE_HTML, encoding="utf-8")
        (bench / "bare.js").write_text(BARE_JS, encoding="utf-8")
        version = npm_pyodide_version()
        worker = BARE_WORKER.replace(VERSION_PLACEHOLDER, version)
        (bench / "bare-worker.js").write_text(worker, encoding="utf-8")
        with BackgroundServer(site_dir, overlays={"/__bench__/": bench}) as base:
            yield base


class Transfer:
    """Counts bytes and requests of a page over the network (encoded body sizes and headers, as
    sent over the wire); what the service worker answers from its copy moves nothing."""

    def __init__(self, page: Page) -> None:
        self.requests: list[str] = []
        self.bytes = 0
        self.network_requests = 0
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfinished", self._finished)

    def _finished(self, request: Request) -> None:
        response = request.response()
        if response is None or response.from_service_worker:
            return
        sizes = request.sizes()
        self.network_requests += 1
        self.bytes += int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])


#: the emulated phone: a 4 Mbps link (60 ms round trips) and a processor four times slower
PHONE_NETWORK = {
    "offline": False,
    "latency": 60,
    "downloadThroughput": 4_000_000 / 8,
    "uploadThroughput": 2_000_000 / 8,
}
PHONE_CPU_SLOWDOWN = 4
#: ... and its screen (the reader-page tests' phone), so the page lays out as on a phone
PHONE_VIEWPORT = {"width": 390, "height": 844}
#: extra loads per phone round that only wait for the questions to show
PHONE_FORM_LOADS = 3
FIRST_VERDICT = "window.policyChecker && window.policyChecker.timings.firstVerdict"
#: When the browser painted the checker's first question: the bench marks it for Element Timing as
#: soon as the parser has made it (before any paint), and reads the paint's time (ms since
#: navigation). The page itself carries no such attribute: it is not HTML.
FORM_WATCH = """
new MutationObserver((records, observer) => {
  const first = document.querySelector("#pc-questions legend");
  if (!first) return;
  first.setAttribute("elementtiming", "bench-first-question");
  observer.disconnect();
}).observe(document, { childList: true, subtree: true });
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.identifier !== "bench-first-question") continue;
    window.benchFormPainted = entry.renderTime || entry.loadTime;
  }
}).observe({ type: "element", buffered: true });
"""
FORM_PAINTED = "window.benchFormPainted"
#: how the checker's worker started, and the page's own clock (ms since navigation)
VISIT = """() => ({
  firstVerdict: window.policyChecker.timings.firstVerdict,
  form: window.benchFormPainted ?? null,
  ready: window.policyChecker.timings.ready,
  boot: document.querySelector('#pc-about').dataset.boot,
})"""


def _checker_page(context: BrowserContext) -> Page:
    """A new page that notes when the checker's first question is painted (``FORM_WATCH``, once
    for every document the page opens)."""
    page = context.new_page()
    page.add_init_script(FORM_WATCH)
    return page


def _visit(page: Page, url: str) -> dict[str, Any]:
    """Open the checker at a permalink; once its first verdict shows, when things happened."""
    page.goto(url)
    wait_until(page, FIRST_VERDICT, timeout_ms=240_000)
    visit: dict[str, Any] = page.evaluate(VISIT)
    return visit


def _form_painted(visit: dict[str, Any]) -> float:
    """When the first question was painted; an error if the browser did not say (not a guess)."""
    if visit["form"] is None:
        raise RuntimeError("the browser reported no paint of the checker's first question")
    return float(visit["form"])


def _bare_boot(page: Page, url: str) -> float:
    page.goto(url)
    boot = wait_until(page, "window.bareBoot", timeout_ms=240_000)
    if boot["error"]:
        raise RuntimeError(f"bare Pyodide boot failed: {boot['error']}")
    return float(boot["doneMs"])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def first_answer(bundle: Bundle) -> dict[str, Any]:
    """The facts of a permalink that answers the first question with its first answer."""
    root = bundle.checker.facts[0]
    first = root.value_ids[0]
    return {root.id: [first] if root.type == "several_of" else first}


def checker_link(base: str, facts: dict[str, Any], boot: str | None = None) -> str:
    """The checker's permalink for ``facts``, its worker forced to start ``boot`` (or left to choose)."""
    page, fragment = urls.permalink(facts).split("#", 1)
    return f"{base}{page}{'?boot=' + boot if boot else ''}#{fragment}"


def _phone_page(browser: Browser, *, checker: bool = True) -> tuple[BrowserContext, Page]:
    """A fresh profile on the emulated phone: its screen, link and processor (a checker page, or a
    plain one for the bare boot)."""
    context = browser.new_context(
        service_workers="block",
        viewport={"width": PHONE_VIEWPORT["width"], "height": PHONE_VIEWPORT["height"]},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    page = _checker_page(context) if checker else context.new_page()
    _emulate_phone(context, page)
    return context, page


def _emulate_phone(context: BrowserContext, page: Page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", PHONE_NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": PHONE_CPU_SLOWDOWN})


def _median(values: list[float]) -> int:
    return round(statistics.median(values))


class Loads:
    """Samples (ms) per kind of load, and their medians and ratios to the bare boot's."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {}
        self.ways: dict[str, set[str]] = {}

    def add(self, kind: str, ms: float, way: str | None = None) -> None:
        self.samples.setdefault(kind, []).append(ms)
        if way:
            self.ways.setdefault(kind, set()).add(way)

    def summary(self, bare: str = "bare_boot") -> dict[str, Any]:
        base = statistics.median(self.samples[bare])
        out: dict[str, Any] = {}
        for kind, values in self.samples.items():
            out[kind] = {"median_ms": _median(values), "ratio": round(statistics.median(values) / base, 3)}
            if kind in self.ways:
                out[kind]["started"] = "/".join(sorted(self.ways[kind]))
        out["samples_ms"] = {kind: [round(v) for v in values] for kind, values in self.samples.items()}
        return out


def _fast_link_round(browser: Browser, base: str, facts: dict[str, Any], loads: Loads) -> None:
    """One of each load on the fast link (loopback), each in a fresh browser profile."""
    blocked = {"service_workers": "block"}

    context = browser.new_context(**blocked)  # type: ignore[arg-type]
    loads.add("bare_boot", _bare_boot(context.new_page(), base + "__bench__/"))
    context.close()
    for way in ("normal", "snapshot"):
        context = browser.new_context(**blocked)  # type: ignore[arg-type]
        visit = _visit(_checker_page(context), checker_link(base, facts, way))
        loads.add(f"cold_{way}", visit["firstVerdict"], visit["boot"])
        context.close()
    # a reader's first visit (the page chooses how to start), then the same page again: from the
    # HTTP cache alone (service workers blocked), or from the offline copy
    context = browser.new_context(**blocked)  # type: ignore[arg-type]
    page = _checker_page(context)
    visit = _visit(page, checker_link(base, facts))
    loads.add("cold_first_visit", visit["firstVerdict"], visit["boot"])
    loads.add("form_usable", _form_painted(visit))
    page.goto("about:blank")
    visit = _visit(page, checker_link(base, facts))
    loads.add("repeat_http_cache", visit["firstVerdict"], visit["boot"])
    context.close()
    context = browser.new_context()
    page = context.new_page()
    _visit(page, checker_link(base, facts))
    wait_until(page, "navigator.serviceWorker.controller && navigator.serviceWorker.ready.then(() => true)")
    page.goto("about:blank")
    visit = _visit(page, checker_link(base, facts))
    loads.add("repeat_service_worker", visit["firstVerdict"], visit["boot"])
    context.close()


def _phone_round(browser: Browser, base: str, facts: dict[str, Any], loads: Loads, index: int) -> None:
    """The same first visits on the emulated phone: bare boot, today's way, and the page's choice
    (these two in turn first, so a drift of the machine's speed does not favour one)."""
    visits = [
        ("cold_normal", checker_link(base, facts, "normal")),
        ("cold_first_visit", checker_link(base, facts)),
    ]
    for kind, target in [("bare_boot", base + "__bench__/"), *(visits if index % 2 == 0 else visits[::-1])]:
        context, page = _phone_page(browser, checker=kind != "bare_boot")
        if kind == "bare_boot":
            loads.add(kind, _bare_boot(page, target))
        else:
            visit = _visit(page, target)
            loads.add(kind, visit["firstVerdict"], visit["boot"])
            if kind == "cold_first_visit":
                loads.add("form_usable", _form_painted(visit))
        context.close()
    # the form alone is quick to measure and noisy on a slowed processor: more loads of it
    for _ in range(PHONE_FORM_LOADS):
        context, page = _phone_page(browser)
        page.goto(checker_link(base, facts))
        loads.add("form_usable", wait_until(page, FORM_PAINTED, timeout_ms=60_000))
        context.close()


def _page_bytes(browser: Browser, url: str, wait: Callable[[Page], object]) -> dict[str, int]:
    """Bytes a page moves over the network on a first visit, and on a repeat visit once the offline
    copy is kept (what the service worker answers moves nothing)."""
    context = browser.new_context()
    page = context.new_page()
    first = Transfer(page)
    page.goto(url)
    wait(page)
    page.wait_for_load_state("networkidle")
    wait_until(page, "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)")
    page.goto("about:blank")
    again = Transfer(page)
    page.goto(url)
    wait(page)
    page.wait_for_load_state("networkidle")
    context.close()
    return {
        "first_visit_bytes": first.bytes,
        "first_visit_requests": len(first.requests),
        "repeat_visit_bytes": again.bytes,
        "repeat_visit_requests_to_network": again.network_requests,
    }


def no_later(first: list[float], before: list[float]) -> bool:
    """Whether loads ``first`` come no later than loads ``before``: their median is not beyond
    the other's by more than the other's own spread from load to load (its median absolute
    deviation). On the phone both boot Python the same way, so only this machine's noise can
    part them; a real delay (a snapshot downloaded on a slow link: seconds) still shows."""
    centre = statistics.median(before)
    spread = statistics.median(abs(v - centre) for v in before)
    return statistics.median(first) <= centre + spread


def bench_browser(
    site_dir: Path, bundle: Bundle, rounds: int = 7, phone_rounds: int = 5, checks: int = 300
) -> dict[str, Any]:
    """The browser figures: medians of ``rounds`` loads of each kind on the fast link, and of
    ``phone_rounds`` on the emulated phone, with their ratios to the bare boot of the same run."""
    facts = first_answer(bundle)
    fast, phone = Loads(), Loads()
    with served(site_dir) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            # one throwaway round first: Chromium's own start-up work would otherwise land on round 0
            _fast_link_round(browser, base, facts, Loads())
            for _ in range(rounds):
                _fast_link_round(browser, base, facts, fast)
            for index in range(phone_rounds):
                _phone_round(browser, base, facts, phone, index)

            context = browser.new_context(service_workers="block")
            page = context.new_page()
            _visit(page, checker_link(base, facts))
            sample = generated_scenarios(bundle.checker.engine, checks, seed=2023)
            # one check at a time, as the form sends them: postMessage, Python, JSON, back
            latencies: list[float] = page.evaluate(
                """async (scenarios) => {
                  const out = [];
                  for (const scenario of scenarios) {
                    const t = performance.now();
                    await window.policyChecker.check(scenario);
                    out.push(performance.now() - t);
                  }
                  return out;
                }""",
                sample,
            )
            context.close()

            checker_bytes = _page_bytes(
                browser, checker_link(base, facts), lambda p: wait_until(p, FIRST_VERDICT, timeout_ms=240_000)
            )
            handbook_bytes = _page_bytes(browser, base + urls.OFFICIAL, lambda p: None)
        finally:
            browser.close()

    kept = precache_of(site_dir)
    fast_summary, phone_summary = fast.summary(), phone.summary()
    return {
        "chromium": chromium_path(),
        "rounds": rounds,
        "phone_rounds": phone_rounds,
        "phone": f"{PHONE_VIEWPORT['width']}x{PHONE_VIEWPORT['height']}, "
        f"{PHONE_NETWORK['downloadThroughput'] * 8 / 1e6:g} Mbps, "
        f"{PHONE_NETWORK['latency']} ms latency, CPU {PHONE_CPU_SLOWDOWN}x slower",
        "fast_link": fast_summary,
        "phone_4g": phone_summary,
        "check_ms": {
            "n": len(latencies),
            "median": round(statistics.median(latencies), 2),
            "p95": round(_percentile(latencies, 0.95), 2),
            "max": round(max(latencies), 2),
        },
        "bytes": {
            "checker_page": checker_bytes,
            "handbook_page": handbook_bytes,
            "offline_copy_bytes": kept.total_bytes,
            "offline_copy_files": len(kept.files),
        },
        "targets": {
            "repeat_visit_at_most_0_3x_bare_boot": fast_summary["repeat_service_worker"]["ratio"] <= 0.3,
            "cold_first_visit_at_most_0_5x_bare_boot": fast_summary["cold_first_visit"]["ratio"] <= 0.5,
            "phone_form_usable_within_1_s": phone_summary["form_usable"]["median_ms"] <= 1000,
            "phone_first_verdict_no_later_than_normal_boot": no_later(
                phone.samples["cold_first_visit"], phone.samples["cold_normal"]
            ),
            "check_p95_under_20_ms": _percentile(latencies, 0.95) < 20,
            "handbook_page_under_1_MB_without_pyodide": handbook_bytes["first_visit_bytes"] < 1_000_000,
        },
    }
