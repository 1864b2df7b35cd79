"""Shared by the site, PDF and browser tests: one complete build of the default policy per pytest
session (the ``built_site`` fixture of tests/conftest.py), a local server that sends the site's real
headers (handbook/publish/headers.py), headless Chromium, and the tools' checks.

Set ``HANDBOOK_SITE=/path/to/built/site`` to test an existing build instead of building one
(a quicker loop while fixing pages; `make test` always builds).

In CI (``CI`` set to true) a missing tool (chromium, node, java, an npm package) fails the test;
elsewhere it skips with the reason.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from handbook.build import build_site
from handbook.bundle import load_bundle
from handbook.common import urls
from handbook.common.logs import collected
from handbook.config import ROOT
from handbook.publish.headers import SiteHeaders
from handbook.publish.serve import BackgroundServer, SiteHandler, SiteServer

from ..conftest import require
from .chromium import find_chromium, launch

NODE_MODULES = ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

#: site -> the messages MkDocs logged (warnings and errors) while building it
BUILD_LOG: dict[Path, list[str]] = {}


def build_once(root: Path) -> Path:
    """The default policy's complete site, built once per session (or taken from ``HANDBOOK_SITE``).

    ``root`` is shared by the session's pytest-xdist workers: the first to get its lock builds
    ``root/site`` and records the build's log beside it; the others wait, then read both."""
    given = os.environ.get("HANDBOOK_SITE")
    if given:
        return Path(given).resolve()
    site, log = (root / "site").resolve(), root / "site-build-log.json"
    if site in BUILD_LOG:
        return site
    root.mkdir(parents=True, exist_ok=True)
    with (root / "site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not log.is_file():
            with collected("mkdocs") as messages:
                build_site(site, load_bundle(), quiet=True)
            log.write_text(json.dumps(messages), encoding="utf-8")  # last: the build is complete
        BUILD_LOG[site] = json.loads(log.read_text(encoding="utf-8"))
    return site


def built_worker(site: Path) -> str:
    """The checker's worker as the build wrote it."""
    return (site / urls.CHECKER_ASSETS / "worker.js").read_text(encoding="utf-8")


def worker_constant(site: Path, name: str) -> Any:
    """A constant the build wrote into the checker's worker (``const NAME = JSON;``)."""
    found = re.search(rf"^const {name} = (.*);$", built_worker(site), re.MULTILINE)
    assert found, f"the built worker has no constant {name}"
    return json.loads(found.group(1))


def html_pages(site: Path) -> list[str]:
    """Every built HTML page as a site-relative URL path (``index.html``, ``checker/``, ...)."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("assets/"):
            continue  # not a page of the handbook (none today; keep vendor demos out)
        pages.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return pages


def checker_page(site: Path) -> str:
    """The checker page's URL path."""
    return "checker/" if (site / "checker" / "index.html").is_file() else "checker.html"


# --- the local server (handbook/serve.py, which sends the headers of handbook/headers.py) -----


@contextmanager
def serve(site: Path, csp_report_uri: str | None = None) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port) as `make serve` does; yields the base URL.

    With ``csp_report_uri`` the CSP also asks browsers to POST a report of every violation there
    (pages and workers alike), so a test sees violations that no console event shows."""
    if csp_report_uri is None:
        with BackgroundServer(site) as base_url:
            yield base_url
        return
    headers = SiteHeaders.for_site(site).reporting_to(csp_report_uri)
    server = SiteServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(site), site_headers=headers))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- Chromium -------------------------------------------------------------------------------


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright (never Playwright's own browser download)."""
    require(find_chromium(), "Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser
        finally:
            browser.close()


def palette_script(scheme: str) -> str:
    """An init script that stores Material's palette choice (what its toggle stores) before load.

    Material keeps the choice in localStorage under ``<scope pathname>.__palette``, the scope
    being the site root (``/`` as :func:`serve` serves it), as ``{"index": N, "color": {...}}``;
    its inline palette script applies it to ``<body data-md-color-*>`` while the page loads.
    Index 1 is the light palette (scheme ``default``), 2 the dark one (``slate``), in mkdocs.yml's order.
    """
    index, media = (1, "light") if scheme == "default" else (2, "dark")
    color = (
        f'{{"media": "(prefers-color-scheme: {media})", "scheme": "{scheme}", '
        '"primary": "custom", "accent": "custom"}'
    )
    return f"localStorage.setItem('/.__palette', JSON.stringify({{index: {index}, color: {color}}}));"
