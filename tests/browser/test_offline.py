"""The handbook offline, in Chromium: after one visit every page, PDF and the checker work with the
network off; a new build is used from the next page opened and never mixes with the old one; a copy
that does not match its build is never used. The service worker is docs/sw.js, filled in by
handbook/offline/precache.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request

from handbook.bundle import load_bundle
from handbook.common import compress, urls
from handbook.config import ROOT
from handbook.offline import precache
from handbook.publish.serve import BackgroundServer
from tests.browser.test_quality_browser import CSP_REPORT, LISTEN_CSP
from tests.support.chromium import wait_until
from tests.support.sitebuild import checker_page, html_pages, serve

READY = "document.querySelector('[data-checker-state]')?.dataset.checkerState === 'ready'"
CONTROLLED = "!!navigator.serviceWorker.controller"
CSS = "assets/stylesheets/handbook.css"
STATUS_AND_TYPE = "(u) => fetch(u).then((r) => [r.status, r.headers.get('content-type')])"
#: ask the browser to look for a new build now; the state its worker ends in once installing is over
UPDATE = """(async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  const found = new Promise((done) => {
    registration.addEventListener("updatefound", () => done(registration.installing), { once: true });
    setTimeout(() => done(null), 30000);
  });
  await registration.update();
  const worker = await found;
  if (!worker) return 'none';
  return await new Promise((done) => {
    const settled = () => ['redundant', 'activated'].includes(worker.state) && done(worker.state);
    worker.addEventListener('statechange', settled);
    settled();
  });
})()"""


def visit_once(context: BrowserContext, url: str) -> Page:
    """One visit: the page, then the service worker has kept the whole build and controls the page."""
    page = context.new_page()
    page.goto(url)
    wait_until(page, CONTROLLED)
    return page


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    """The site with its real headers, its CSP asking for a report of every violation (the service
    worker's included) at CSP_REPORT."""
    with serve(built_site, csp_report_uri=CSP_REPORT) as url:
        yield url


def test_every_page_and_the_checker_work_offline_after_one_visit(
    browser: Browser, base_url: str, built_site: Path
) -> None:
    context = browser.new_context()
    context.add_init_script(script=LISTEN_CSP)
    reports: list[str] = []
    context.on("request", lambda r: reports.append(r.post_data or "") if CSP_REPORT in r.url else None)
    page = visit_once(context, base_url)
    kept = precache.precache_of(built_site)
    cached = page.evaluate(
        "(async () => { const name = (await caches.keys()).find((n) => n.startsWith('handbook ')); "
        "return (await (await caches.open(name)).keys()).length; })()"
    )
    assert cached == len(kept.files)

    page.wait_for_timeout(300)  # reports are sent asynchronously
    assert not reports, f"the Content-Security-Policy blocked: {reports}"

    context.set_offline(True)
    failed: list[str] = []

    # (a request cut short by the next page, ERR_ABORTED, is not a failure to load)
    def on_failed(request: Request) -> None:
        if "ABORTED" not in (request.failure or ""):
            failed.append(f"{request.url} ({request.failure}) on {page.url}")

    page.on("requestfailed", on_failed)
    header = "getComputedStyle(document.querySelector('.md-header')).backgroundColor"
    for path in html_pages(built_site):
        response = page.goto(base_url + path)
        assert response is not None and response.status == 200, path
        assert page.title().endswith(load_bundle().policy.number + " Handbook"), path
        assert page.evaluate(header) == "rgb(28, 74, 110)", f"{path}: no styles offline"
        assert page.evaluate("window.__cspViolations") == [], path
        if path == checker_page(built_site):
            wait_until(page, READY)  # the checker's runtime, from the kept copy
            assert page.evaluate("document.querySelector('#pc-about').dataset.boot") == "snapshot"
    assert not failed, f"offline, these could not load: {failed}"

    for pdf in sorted((built_site / urls.PDF_DIR).glob("*.pdf")):
        got = page.evaluate(
            "(u) => fetch(u).then(async (r) => [r.status, (await r.arrayBuffer()).byteLength])",
            base_url + urls.PDF_DIR + pdf.name,
        )
        assert got == [200, pdf.stat().st_size], pdf.name

    missing = page.goto(base_url + "no/such/page/")
    assert missing is not None and missing.status == 404
    assert page.locator("text=Search the handbook").count() >= 1

    # the search, from the kept index
    page.goto(base_url)
    page.keyboard.press("/")
    page.keyboard.type("friend")
    page.wait_for_selector(".md-search-result__item", timeout=30_000)

    # the checker: a shared answer, then a question answered, with the network still off
    case = next(ex for ex in load_bundle().examples if ex.start)
    page.goto(base_url + urls.permalink(case.answered).replace(urls.CHECKER, checker_page(built_site), 1))
    wait_until(page, READY)
    wait_until(page, "document.querySelector('#pc-result .pc-overall')")
    overall = page.get_attribute("#pc-result .pc-overall", "class") or ""
    assert f"pc-v-{case.result['verdict']}" in overall.split()
    assert not failed, f"offline, these could not load: {failed}"
    context.close()


@pytest.fixture
def two_builds(built_site: Path, tmp_path: Path) -> Iterator[tuple[Path, dict[str, Path]]]:
    """Build A (the session's site), build B (its stylesheet changed, so its service worker too), and a
    broken B (B's service worker, A's stylesheet), served from one path that the test points at each."""
    bundle = load_bundle()
    builds = {"A": tmp_path / "A", "B": tmp_path / "B", "broken": tmp_path / "broken"}
    shutil.copytree(built_site, builds["A"], symlinks=True)
    for name in ("B", "broken"):
        shutil.copytree(built_site, builds[name], symlinks=True)
        css = builds[name] / CSS
        css.write_text(css.read_text(encoding="utf-8") + "\n/* build B */\n", encoding="utf-8")
        shutil.copyfile(ROOT / "docs" / precache.SERVICE_WORKER, builds[name] / precache.SERVICE_WORKER)
        precache.install(builds[name], bundle)
    shutil.copyfile(builds["A"] / CSS, builds["broken"] / CSS)
    for name in ("B", "broken"):  # the server sends the gzip copies: make them anew, as a build does
        for changed in (CSS, precache.SERVICE_WORKER):
            (builds[name] / f"{changed}.gz").unlink()
        compress.precompress(builds[name])
    live = tmp_path / "live"
    live.symlink_to(builds["A"])
    yield live, builds


def point(live: Path, build: Path) -> None:
    live.unlink()
    live.symlink_to(build)


def css_of(page: Page) -> str:
    return str(page.evaluate(f"fetch('{CSS}').then((r) => r.text())"))


def build_of(site: Path) -> str:
    return "handbook / " + precache.precache_of(site).build


def test_a_new_build_is_used_from_the_next_page_and_never_mixes(
    browser: Browser, two_builds: tuple[Path, dict[str, Path]]
) -> None:
    live, builds = two_builds
    with BackgroundServer(live) as base:
        context = browser.new_context()
        old = visit_once(context, base)
        assert "build B" not in css_of(old)

        # a deployment whose files do not match its list: never installed, A goes on serving
        point(live, builds["broken"])
        assert old.evaluate(UPDATE) == "redundant"
        assert old.evaluate("caches.keys()").count(build_of(builds["A"])) == 1
        probe = context.new_page()
        probe.goto(base)
        assert "build B" not in css_of(probe)
        probe.close()

        # build B: installed in the background, then used by every page opened after it ...
        point(live, builds["B"])
        assert old.evaluate(UPDATE) == "activated"
        new = context.new_page()
        new.goto(base)
        assert "build B" in css_of(new)
        # ... while the page opened before it keeps build A for all it loads, its workers included
        assert "build B" not in css_of(old)
        with old.expect_worker() as started:
            old.evaluate("window.w = new Worker('assets/checker/worker.js', { type: 'module' })")
        worker = started.value
        assert "build B" not in str(worker.evaluate(f"fetch('../../{CSS}').then((r) => r.text())"))

        # once no page uses build A, its copy goes (when the next page opens)
        old.close()
        gone = f"caches.keys().then((k) => !k.includes({build_of(builds['A'])!r}))"
        for _ in range(20):
            new.goto(base + "official/")
            new.wait_for_timeout(100)
            if new.evaluate(gone):
                break
        assert new.evaluate(gone)
        assert build_of(builds["B"]) in new.evaluate("caches.keys()")
        context.close()


def test_the_handbook_can_be_installed(browser: Browser, base_url: str, built_site: Path) -> None:
    context = browser.new_context()
    page = visit_once(context, base_url)
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"] == base_url + precache.WEB_MANIFEST
    parsed = page.evaluate("fetch('manifest.webmanifest').then((r) => r.json())")
    assert parsed["name"] == page.title().rsplit(" - ", 1)[-1]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito ones, where Chromium installs nothing: every other reason counts
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    for icon in parsed["icons"]:
        got = page.evaluate(STATUS_AND_TYPE, icon["src"])
        assert got == [200, "image/png"], icon
    context.close()


def test_the_kept_copy_is_every_file_a_reader_needs_and_nothing_else(built_site: Path) -> None:
    kept = precache.precache_of(built_site).files
    assert {"index.html", "404.html", precache.WEB_MANIFEST, urls.RULEBOOK} <= set(kept)
    assert any(p.endswith(".snapshot.gz") for p in kept), "the checker's snapshot"
    assert any(p.endswith("/pyodide.asm.wasm") for p in kept)
    assert any(p.startswith(urls.PDF_DIR) and p.endswith(".pdf") for p in kept)
    for path in kept:
        assert not (path.endswith((".gz", ".br")) and (built_site / path[:-3]).is_file()), path
        assert not path.endswith(".map") and path != precache.SERVICE_WORKER, path
    worker = (built_site / precache.SERVICE_WORKER).read_text(encoding="utf-8")
    assert precache.precache_of(built_site).as_json() in worker
