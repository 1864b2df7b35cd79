"""The checker in a real browser: shared helpers for the browser tests, and the browser benchmark.

``bench_browser(site_dir) -> dict`` measures, in one run of headless Chromium (Debian's ``chromium``
driven by Playwright for Python) on a built site served from 127.0.0.1 by :mod:`handbook.serve`:

* ``bare_boot_ms``: a blank page that only boots the same Pyodide runtime in a module worker;
* ``first_verdict_ms``: the checker page, opened at a permalink, until its first verdict is shown;
* their ratio, cold (empty HTTP cache, fresh browser context) and warm (same context, reloaded);
* ``check_ms``: per-check latency after boot (median, p95) over 300 distinct generated scenarios,
  one ``policyChecker.check`` call at a time (message to the worker, Python, JSON, message back);
* bytes transferred for the checker page and for a handbook page (which must load no Pyodide).

Run ``python -m handbook.browserbench [SITE_DIR]`` (prints JSON); ``make bench`` includes it.
"""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .paths import ROOT
from .pyodide import VERSION_PLACEHOLDER, npm_pyodide_version
from .serve import BackgroundServer

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


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise BrowserUnavailable("no `chromium` on the PATH: install it with `apt-get install -y chromium`")
    return path


def launch(playwright: Playwright) -> Browser:
    """Headless Debian Chromium (never Playwright's own browser download)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)


def encode_scenario(facts: dict[str, Any]) -> str:
    """The permalink fragment's payload: base64url (no padding) of compact UTF-8 JSON ``{"facts": ...}``."""
    text = json.dumps({"facts": facts}, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def permalink(facts: dict[str, Any]) -> str:
    """The checker URL (relative to the site root) that opens with ``facts`` answered."""
    return f"checker/#s={encode_scenario(facts)}"


def evaluate(cond: Any, known: Mapping[str, Any], rules: Mapping[str, Any]) -> bool | None:
    """Three-valued ``asked_when``: True, False or None (depends on an unknown answer)."""
    if cond is None:
        return True
    if "all" in cond:
        parts = [evaluate(c, known, rules) for c in cond["all"]]
        return False if False in parts else None if None in parts else True
    if "any" in cond:
        parts = [evaluate(c, known, rules) for c in cond["any"]]
        return True if True in parts else None if None in parts else False
    if "not" in cond:
        inner = evaluate(cond["not"], known, rules)
        return None if inner is None else not inner
    if "rule" in cond:
        rule = rules.get(cond["rule"], {})
        return None if rule.get("when") is None else evaluate(rule["when"], known, rules)
    value = known.get(cond["fact"])
    if value is None:
        return None
    return bool(value == cond["is"]) if "is" in cond else value in cond["in"]


def generated_scenarios(rulebook: Mapping[str, Any], count: int, seed: int = 5290) -> list[dict[str, Any]]:
    """Distinct valid scenarios, deterministic: walk the facts in order and answer (or leave unknown)
    each question that is asked, given the answers so far."""
    facts = rulebook["facts"]
    rules = {r["id"]: r for r in rulebook.get("rules", [])}
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for _ in range(count * 50):
        if len(out) == count:
            break
        known: dict[str, Any] = {}
        p_unknown = rng.choice([0.0, 0.1, 0.3])
        for fact in facts:
            if evaluate(fact.get("asked_when"), known, rules) is not True or rng.random() < p_unknown:
                continue
            if fact["type"] == "yes_no":
                known[fact["id"]] = rng.random() < 0.5
            else:
                known[fact["id"]] = rng.choice(fact["values"])["id"]
        key = json.dumps(known, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append({"facts": known})
    return out


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


def _first_verdict(page: Page, url: str) -> float:
    page.goto(url)
    return float(wait_until(page, "window.policyChecker && window.policyChecker.timings.firstVerdict"))


def _bare_boot(page: Page, url: str) -> float:
    page.goto(url)
    boot = wait_until(page, "window.bareBoot")
    if boot["error"]:
        raise RuntimeError(f"bare Pyodide boot failed: {boot['error']}")
    return float(boot["doneMs"])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_browser(site_dir: Path, rounds: int = 9, checks: int = 300) -> dict[str, Any]:
    """The browser figures (milliseconds and bytes); medians over ``rounds`` cold and warm loads."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (optional dependency)

    scenario = {"activity": "connect_with_students"}
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
                (base + permalink(scenario), cold_first, warm_first, _first_verdict),
                (base + "checker/", cold_blank, warm_blank, _first_verdict),
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
            _first_verdict(page, base + "checker/")
            page.wait_for_load_state("networkidle")
            rulebook = json.loads((site_dir / "assets/checker/rulebook.json").read_text(encoding="utf-8"))
            sample = generated_scenarios(rulebook, checks, seed=2023)
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
            page.goto(base + "official/")
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
        "blank_form": {  # /checker/ opened with no answers (no permalink)
            "cold_first_verdict_ms": round(statistics.median(cold_blank)),
            "cold_ratio": round(statistics.median(cold_blank) / bare, 3),
            "warm_first_verdict_ms": round(statistics.median(warm_blank)),
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


SCREENSHOT_VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


def screenshots(site_dir: Path, out_dir: Path, mid: dict[str, Any], final: dict[str, Any]) -> list[Path]:
    """The checker mid-answer and with a verdict, on desktop and phone viewports, light and dark."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (optional dependency)

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with served(site_dir) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            for scheme in ("light", "dark"):
                for name, (width, height) in SCREENSHOT_VIEWPORTS.items():
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, color_scheme=scheme
                    )
                    page = context.new_page()
                    for stage, facts in (("mid-answer", mid), ("verdict", final)):
                        page.goto(base + permalink(facts))
                        wait_until(page, "window.policyChecker && window.policyChecker.timings.firstVerdict")
                        page.wait_for_timeout(200)
                        path = out_dir / f"checker-{stage}-{name}-{scheme}.png"
                        page.screenshot(path=str(path), full_page=True)
                        written.append(path)
                    context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--screenshots"]:
        site = Path(args[1]) if len(args) > 1 else ROOT / "site"
        mid = {"activity": "connect_with_students"}
        final = {**mid, "contact_kind": "friend_request", "contact_person": "current_student"}
        for path in screenshots(site, ROOT / "screenshots", mid, final):
            print(path)
        return 0
    site = Path(args[0]) if args else ROOT / "site"
    if not (site / "assets" / "pyodide" / "pyodide-lock.json").is_file():
        print(f"browserbench: no Pyodide in {site}: run `python -m handbook pyodide {site}`", file=sys.stderr)
        return 1
    try:
        figures = bench_browser(site)
    except BrowserUnavailable as exc:
        print(f"browserbench: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
