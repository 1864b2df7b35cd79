"""Security headers: one source (handbook/headers.py) for the local server and the static hosts' files.

Whether the pages really run under the Content-Security-Policy is tested in a browser by
tests/test_quality_browser.py; here: the policy itself, the host files the build writes, and the
headers a served response carries.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from handbook.common.mime import content_type
from handbook.publish.headers import (
    CACHE_IMMUTABLE,
    CACHE_REVALIDATE,
    HOST_FILES,
    InlineCode,
    SiteHeaders,
    cache_control,
    csp_directives,
    htaccess,
    netlify_headers,
    nginx_conf,
)
from tests.support.sitebuild import serve


def test_csp_is_strict() -> None:
    directives = csp_directives(InlineCode(scripts=("'sha256-AAAA'",)))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][:2] == ["'self'", "'wasm-unsafe-eval'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    everything = " ".join(v for values in directives.values() for v in values)
    assert "'unsafe-eval'" not in everything
    assert "'unsafe-inline'" not in everything
    assert "*" not in everything and "http:" not in everything and "https:" not in everything


def test_every_inline_script_of_the_site_is_allowed_by_hash(built_site: Path) -> None:
    inline = InlineCode.of_site(built_site)
    csp = SiteHeaders.for_site(built_site).csp
    assert inline.scripts, "Material's inline scripts were not found in the built pages"
    for digest in inline.scripts:
        assert digest in csp
    assert len(inline.scripts) < 20, f"many distinct inline scripts ({len(inline.scripts)}): {inline}"


def test_cache_policy() -> None:
    assert cache_control("/assets/javascripts/bundle.a5f9d56c.min.js") == CACHE_IMMUTABLE
    assert cache_control("/assets/stylesheets/main.57a0d79d.min.css") == CACHE_IMMUTABLE
    assert cache_control("/assets/pyodide/314.0.7/pyodide.asm.wasm") == CACHE_IMMUTABLE
    assert cache_control("/index.html") == CACHE_REVALIDATE
    assert cache_control("/checker/") == CACHE_REVALIDATE
    assert cache_control("/assets/pyodide/pyodide-lock.json") == CACHE_REVALIDATE
    assert content_type("/x/pyodide.asm.wasm") == "application/wasm"
    assert (content_type("/x/pyodide.mjs") or "").startswith("text/javascript")


def test_the_build_writes_the_host_files(built_site: Path) -> None:
    missing = [name for name in HOST_FILES if not (built_site / name).is_file()]
    assert not missing, (
        f"the build did not write {missing}: handbook/build.py must call "
        "handbook.publish.headers.write_host_files(site_dir) after its last step"
    )
    headers = SiteHeaders.for_site(built_site)
    assert (built_site / "_headers").read_text(encoding="utf-8") == netlify_headers(built_site, headers)
    assert (built_site / ".htaccess").read_text(encoding="utf-8") == htaccess(headers)
    assert (built_site / "nginx-headers.conf").read_text(encoding="utf-8") == nginx_conf(headers)


def parse_headers_file(text: str) -> list[tuple[str, dict[str, str]]]:
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line, {}))
        else:
            name, _, value = line.strip().partition(": ")
            assert rules, f"header before any path: {line}"
            assert name not in rules[-1][1], f"{name} twice in {rules[-1][0]}"
            rules[-1][1][name] = value
    return rules


def _matches(pattern: str, path: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), path) is not None


def test_headers_file_suits_netlify_and_cloudflare(built_site: Path) -> None:
    headers = SiteHeaders.for_site(built_site)
    text = netlify_headers(built_site, headers)
    rules = parse_headers_file(text)
    assert rules[0][0] == "/*"
    assert rules[0][1]["Content-Security-Policy"] == headers.csp
    assert rules[0][1]["X-Content-Type-Options"] == "nosniff"
    assert rules[0][1]["Referrer-Policy"] == "no-referrer"
    assert rules[0][1]["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Permissions-Policy" in rules[0][1]
    assert len(rules) <= 100, f"Cloudflare Pages reads at most 100 rules, not {len(rules)}"
    assert all(len(line) <= 2000 for line in text.splitlines()), "Cloudflare: at most 2000 characters a line"
    assert all(path.count("*") <= 1 for path, _ in rules), "Cloudflare: one splat per path"
    # both hosts join a header set by two matching rules: no header may be set twice for one file
    files = ["/" + p.relative_to(built_site).as_posix() for p in built_site.rglob("*") if p.is_file()]
    for url in files:
        seen: dict[str, str] = {}
        for path, values in rules:
            if _matches(path, url):
                for name in values:
                    assert name not in seen, f"{url}: {name} set by {seen.get(name)} and {path}"
                    seen[name] = path
    wasm = [url for url in files if url.endswith(".wasm")]
    for url in wasm:
        assert any(_matches(p, url) and v.get("Content-Type") == "application/wasm" for p, v in rules), url
    hashed = [url for url in files if url.endswith(".min.js") and re.search(r"\.[0-9a-f]{8}\.", url)]
    assert hashed, "no content-hashed Material assets found"
    for url in hashed:
        assert any(_matches(p, url) and v.get("Cache-Control") == CACHE_IMMUTABLE for p, v in rules), url


def test_served_responses_carry_the_headers(built_site: Path) -> None:
    headers = SiteHeaders.for_site(built_site)
    wasm = sorted(built_site.rglob("*.wasm"))
    with serve(built_site) as base:
        for path in ["", *(w.relative_to(built_site).as_posix() for w in wasm[:1])]:
            with urllib.request.urlopen(base + path) as response:
                got = response.headers
                for name, value in headers.common:
                    assert got[name] == value, f"/{path}: {name}"
                if path.endswith(".wasm"):
                    assert got["Content-Type"] == "application/wasm"
                else:
                    assert got["Content-Type"].startswith("text/html")
                    assert got["Cache-Control"] == CACHE_REVALIDATE


def test_an_unknown_path_gets_the_sites_404_page(built_site: Path) -> None:
    """`make serve` answers an address the site does not have with its own 404 page: status 404,
    the site's headers, a way to search and links onward (not the server's bare error page)."""
    with serve(built_site) as base:
        for path in ("no/such/page/", "sections/no-such-section/", "missing.pdf"):
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(base + path)
            status, headers, body = info.value.code, info.value.headers, info.value.read().decode("utf-8")
            assert status == 404, path
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            assert "default-src 'self'" in headers["Content-Security-Policy"]
            assert "<h1>This page is not here</h1>" in body
            assert "data-open-search" in body  # a button that opens the theme's search
            for href in ('href="/checker/"', 'href="/official/"'):
                assert href in body, href
