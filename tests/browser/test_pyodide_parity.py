"""The checker gives byte-identical result JSON natively and in the reader's browser, whichever way
its worker starts: Pyodide booted normally, or restored from the build's snapshot. And a snapshot
that fails in any way (corrupted in transit, truncated, made from other inputs) gives way to the
normal boot, which answers.

The whole casebook plus 1,200 distinct generated scenarios (deterministic pseudo-random walks over
the facts, answering the questions that are asked, sometimes "unknown") go through the site's own
worker in headless Chromium, on the wheel, rulebook and snapshot the site ships.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Route

from handbook.bundle import load_bundle
from handbook.common import urls
from handbook.proof.scenarios import generated_scenarios
from tests.support.checkerdrive import check_all, open_started
from tests.support.sitebuild import checker_page, worker_constant

GENERATED = 1200


def native(scenario: dict[str, Any]) -> str:
    """The native checker's answer, as the worker relays it (``Checker.check_text``)."""
    return load_bundle().checker.check_text(json.dumps(scenario))


def test_generated_scenarios_are_valid_and_varied() -> None:
    checker = load_bundle().checker
    scenarios = generated_scenarios(checker.engine, GENERATED)
    assert scenarios == generated_scenarios(checker.engine, GENERATED), "the generator must be deterministic"
    verdicts = {checker.check(s)["verdict"] for s in scenarios}
    assert len(verdicts) >= 3, verdicts


@pytest.mark.parametrize("way", ["normal", "snapshot"])
def test_native_and_the_browser_agree_byte_for_byte(
    browser: Browser, base_url: str, built_site: Path, way: str
) -> None:
    bundle = load_bundle()
    cases = [{"facts": dict(ex.facts)} for ex in bundle.examples]
    scenarios = cases + generated_scenarios(bundle.checker.engine, GENERATED)
    assert len(scenarios) >= 1000
    context = browser.new_context(service_workers="block")
    about = open_started(context.new_page(), base_url + checker_page(built_site), way)
    assert about["boot"] == way, about["text"]
    in_browser = check_all(context.pages[0], scenarios)
    context.close()
    assert len(in_browser) == len(scenarios)
    mismatches = [
        (i, s) for i, (s, got) in enumerate(zip(scenarios, in_browser, strict=True)) if native(s) != got
    ]
    assert not mismatches, f"{len(mismatches)} of {len(scenarios)} differ; first: {mismatches[:3]}"


def corrupt(body: bytes) -> bytes:
    middle = len(body) // 2
    return body[:middle] + bytes(b ^ 0xFF for b in body[middle : middle + 64]) + body[middle + 64 :]


def truncate(body: bytes) -> bytes:
    return body[: len(body) // 3]


def _serve_changed(route: Route, change: Callable[[bytes], bytes]) -> None:
    response = route.fetch()
    route.fulfill(response=response, body=change(response.body()))


def _worker_expecting(route: Route, **values: str) -> None:
    """The site's worker, its snapshot's ``integrity`` or ``inputs`` replaced."""
    response = route.fetch()
    text = response.text()
    for key, value in values.items():
        text, n = re.subn(rf'("{key}":)"[^"]*"', rf'\1"{value}"', text)
        assert n == 1, key
    route.fulfill(response=response, body=text)


@pytest.mark.parametrize("failure", ["corrupted in transit", "truncated", "made from other inputs"])
def test_a_failed_snapshot_gives_way_to_the_normal_boot(
    browser: Browser, base_url: str, built_site: Path, failure: str
) -> None:
    snapshot = worker_constant(built_site, "SNAPSHOT")
    snapshot_file = built_site / urls.CHECKER_ASSETS / snapshot["file"]
    context = browser.new_context(service_workers="block")
    if failure == "corrupted in transit":
        context.route(f"**/{snapshot['file']}", lambda r: _serve_changed(r, corrupt))
    elif failure == "truncated":  # ... with an integrity that matches: Pyodide itself must refuse it
        short = truncate(snapshot_file.read_bytes())
        integrity = "sha256-" + base64.b64encode(hashlib.sha256(short).digest()).decode()
        context.route(f"**/{snapshot['file']}", lambda r: _serve_changed(r, truncate))
        context.route("**/worker.js", lambda r: _worker_expecting(r, integrity=integrity))
    else:
        context.route("**/worker.js", lambda r: _worker_expecting(r, inputs="another-wheel:rulebook:0"))
    page = context.new_page()
    about = open_started(page, base_url + checker_page(built_site), "snapshot")
    assert about["boot"] == "fallback"
    assert "The quick start did not work" in about["text"]
    case = load_bundle().examples[0]
    scenario = {"facts": dict(case.facts)}
    assert page.evaluate("(s) => window.policyChecker.checkJSON(s)", scenario) == native(scenario)
    context.close()
