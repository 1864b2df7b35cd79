"""The checker in a real browser: the browser benchmark.

``bench_browser(site_dir, bundle) -> dict`` measures, in one run of headless Chromium (Debian's
``chromium`` driven by Playwright for Python, ``tests/support/chromium.py``) on a built site served
from 127.0.0.1 by :mod:`handbook.publish.serve`:

* ``bare_boot_ms``: a blank page that only boots the same Pyodide runtime in a module worker;
* ``first_verdict_ms``: the checker page, opened at a permalink, until its first verdict is shown;
* their ratio, cold (empty HTTP cache, fresh browser context) and warm (same context, reloaded);
* ``check_ms``: per-check latency after boot (median, p95) over 300 distinct generated scenarios,
  one ``policyChecker.check`` call at a time (message to the worker, Python, JSON, message back);
* bytes transferred for the checker page and for a handbook page (which must load no Pyodide).

``make bench`` runs it (``python -m bench --site SITE``).
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from handbook.browser.pyodide import VERSION_PLACEHOLDER, npm_pyodide_version
from handbook.bundle import Bundle
from handbook.common import urls
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
    """Counts bytes and requests of a page (encoded body sizes, as sent over the wire)."""

    def __init__(self, page: Page) -> None:
        self.requests: list[str] = []
        self.bytes = 0
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfinished", self._finished)

    def _finished(self, request: Any) -> None:
        try:
            sizes = request.sizes()
            self.bytes += int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])
        except Exception:  # a request without a response adds nothing
            pass


def _first_verdict(page: Page, url: str) -> float:
    page.goto(url)
    return float(wait_until(page, "window.policyChecker && window.policyChecker.timings.firstVerdict"))


def _ready(page: Page, url: str) -> float:
    """The checker with no answers shows no verdict: the time until it can answer."""
    page.goto(url)
    return float(wait_until(page, "window.policyChecker && window.policyChecker.timings.ready"))


def _bare_boot(page: Page, url: str) -> float:
    page.goto(url)
    boot = wait_until(page, "window.bareBoot")
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


def bench_browser(site_dir: Path, bundle: Bundle, rounds: int = 9, checks: int = 300) -> dict[str, Any]:
    """The browser figures (milliseconds and bytes); medians over ``rounds`` cold and warm loads."""
    scenario = first_answer(bundle)
    with served(site_dir) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            cold_bare: list[float] = []
            cold_first: list[float] = []
            warm_bare: list[float] = []
            warm_first: list[float] = []
            cold_blank: list[float] = []
            warm_blank: list[float] = []
            pages = [
                (base + "__bench__/", cold_bare, warm_bare, _bare_boot),
                (base + urls.permalink(scenario), cold_first, warm_first, _first_verdict),
                (base + urls.CHECKER, cold_blank, warm_blank, _ready),
            ]
            # one throwaway load of each page first: Chromium's own start-up work (internal pages)
            # would otherwise land on round 0
            for target, _cold, _warm, measure in pages:
                context = browser.new_context()
                measure(context.new_page(), target)
                context.close()
            for n in range(rounds):  # rotate which page goes first, against order effects
                for target, cold, warm, measure in pages[n % 3 :] + pages[: n % 3]:
                    context = browser.new_context()
                    page = context.new_page()
                    cold.append(measure(page, target))
                    page.goto("about:blank")
                    warm.append(measure(page, target))
                    context.close()

            context = browser.new_context()
            page = context.new_page()
            checker_transfer = Transfer(page)
            _ready(page, base + urls.CHECKER)
            page.wait_for_load_state("networkidle")
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

            context = browser.new_context()
            page = context.new_page()
            handbook_transfer = Transfer(page)
            page.goto(base + urls.OFFICIAL)
            page.wait_for_load_state("networkidle")
            context.close()
        finally:
            browser.close()

    bare, first = statistics.median(cold_bare), statistics.median(cold_first)
    warm_b, warm_f = statistics.median(warm_bare), statistics.median(warm_first)
    return {
        "chromium": chromium_path(),
        "rounds": rounds,
        "cold": {
            "bare_boot_ms": round(bare),
            "first_verdict_ms": round(first),
            "ratio": round(first / bare, 3),
        },
        "warm": {
            "bare_boot_ms": round(warm_b),
            "first_verdict_ms": round(warm_f),
            "ratio": round(warm_f / warm_b, 3),
        },
        "blank_form": {  # /checker/ opened with no answers (no permalink): until it is ready
            "cold_ready_ms": round(statistics.median(cold_blank)),
            "cold_ratio": round(statistics.median(cold_blank) / bare, 3),
            "warm_ready_ms": round(statistics.median(warm_blank)),
        },
        "samples_ms": {
            name: [round(x) for x in values]
            for name, values in (
                ("cold_bare", cold_bare),
                ("cold_first", cold_first),
                ("cold_blank", cold_blank),
                ("warm_bare", warm_bare),
                ("warm_first", warm_first),
                ("warm_blank", warm_blank),
            )
        },
        "check_ms": {
            "n": len(latencies),
            "median": round(statistics.median(latencies), 2),
            "p95": round(_percentile(latencies, 0.95), 2),
            "max": round(max(latencies), 2),
        },
        "bytes": {
            "checker_page": checker_transfer.bytes,
            "checker_requests": len(checker_transfer.requests),
            "handbook_page": handbook_transfer.bytes,
            "handbook_requests": len(handbook_transfer.requests),
            "handbook_pyodide_requests": sum("/pyodide/" in u for u in handbook_transfer.requests),
        },
        "targets": {
            "first_verdict_within_1_10_of_bare_boot": first <= 1.10 * bare,
            "check_p95_under_20_ms": _percentile(latencies, 0.95) < 20,
            "handbook_page_under_1_MB_without_pyodide": handbook_transfer.bytes < 1_000_000
            and not any("/pyodide/" in u for u in handbook_transfer.requests),
        },
    }
