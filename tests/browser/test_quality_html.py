"""Valid HTML (the Nu Html Checker, npm ``vnu-jar``, in one JVM run over every page) and links: every
internal link, resource and #fragment of every built page resolves in the built site."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from policycheck import Checker, ScenarioError

from tests.conftest import require
from tests.support.sitebuild import VNU_JAR, checker_page

#: Nu Html Checker warnings that we keep, each with its reason (message text -> why it is kept).
#: Errors are never allowed.
ALLOWED_WARNINGS: dict[str, str] = {}

#: Attributes that point at another resource.
LINK_ATTRS = {
    ("a", "href"),
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("form", "action"),
    ("area", "href"),
    ("object", "data"),
}


@functools.cache
def vnu_messages(site: Path) -> list[dict[str, Any]]:
    require(shutil.which("java"), "java is not installed (the Nu Html Checker needs Java 11 or newer)")
    require(VNU_JAR.is_file(), "node_modules/vnu-jar is missing (npm ci)")
    pages = sorted(str(p) for p in site.rglob("*.html"))
    proc = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *pages],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    messages: list[dict[str, Any]] = json.loads(proc.stderr or proc.stdout)["messages"]
    return messages


def _where(site: Path, message: dict[str, Any]) -> str:
    url = str(message.get("url", "")).removeprefix("file:")
    with contextlib.suppress(ValueError):
        url = Path(url).resolve().relative_to(site).as_posix()
    return f"{url}:{message.get('lastLine', '?')}"


def report(site: Path, messages: list[dict[str, Any]]) -> str:
    """Messages grouped by text: where each occurs, and one extract of the markup."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in messages:
        groups.setdefault(str(m["message"]), []).append(m)
    lines = []
    for text, found in groups.items():
        places = ", ".join(_where(site, m) for m in found[:8]) + (" …" if len(found) > 8 else "")
        extract = " ".join(str(found[0].get("extract", "")).split())
        lines.append(f"{text}\n      {len(found)}x at {places}\n      markup: {extract}")
    return "\n".join(lines)


def test_nu_html_checker_reports_no_error(built_site: Path) -> None:
    errors = [m for m in vnu_messages(built_site) if m["type"] in {"error", "non-document-error"}]
    assert not errors, f"{len(errors)} HTML error(s):\n" + report(built_site, errors)
    print(f"html: {len(list(built_site.rglob('*.html')))} pages, 0 errors (Nu Html Checker)")


def test_nu_html_checker_warnings_are_justified(built_site: Path) -> None:
    warnings = [m for m in vnu_messages(built_site) if m["type"] == "info" and m.get("subType") == "warning"]
    unjustified = [m for m in warnings if m["message"] not in ALLOWED_WARNINGS]
    assert not unjustified, (
        f"{len(unjustified)} HTML warning(s) with no reason in ALLOWED_WARNINGS:\n"
        + report(built_site, unjustified)
    )


class PageLinks(HTMLParser):
    """The ids of a page and the links it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if "id" in attr:
            self.ids.add(attr["id"])
        if tag == "a" and "name" in attr:
            self.ids.add(attr["name"])
        if tag == "base":
            self.base = attr.get("href")
        for name in ("href", "src", "action", "data"):
            if (tag, name) in LINK_ATTRS and name in attr:
                self.links.append((tag, attr[name]))
        if tag in {"img", "source"} and attr.get("srcset"):
            self.links += [(tag, part.split()[0]) for part in attr["srcset"].split(",") if part.strip()]


@functools.cache
def parse_page(path: Path) -> PageLinks:
    parser = PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def resolve(site: Path, page: Path, url: str) -> tuple[Path | None, str]:
    """The file an internal link points at (``None`` when outside the site) and its fragment."""
    parts = urlsplit(url)
    base = PurePosixPath("/" + page.relative_to(site).as_posix()).parent
    path = unquote(parts.path)
    if not path:
        return page, unquote(parts.fragment)
    target = PurePosixPath(path) if path.startswith("/") else base / path
    resolved: list[str] = []
    for piece in target.parts[1:]:
        if piece == "..":
            if not resolved:
                return None, ""
            resolved.pop()
        elif piece != ".":
            resolved.append(piece)
    file = site.joinpath(*resolved)
    if path.endswith("/") or file.is_dir():
        file = file / "index.html"
    return file, unquote(parts.fragment)


@functools.cache
def site_checker(rulebook: Path) -> Checker:
    return Checker.load(rulebook)


def permalink_problems(site: Path, fragment: str) -> list[str]:
    """What is wrong with a checker permalink ``s=<base64url JSON {"facts": {...}}>`` (the checker
    page reads it from the URL fragment): it must decode, and the site's own checker (the rulebook
    it ships) must accept it as a scenario."""
    payload = fragment[2:]
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert isinstance(data, dict) and isinstance(data.get("facts"), dict)
    except (ValueError, TypeError, AssertionError) as exc:
        return [f"the scenario does not decode ({exc})"]
    try:
        site_checker(site / "assets" / "checker" / "rulebook.json").check(data)
    except ScenarioError as exc:
        return list(exc.problems)
    return []


def test_every_internal_link_and_anchor_resolves(built_site: Path) -> None:
    broken: list[str] = []
    counts = {"pages": 0, "internal": 0, "fragments": 0, "permalinks": 0, "pdf": 0, "external": 0}
    for page in sorted(built_site.rglob("*.html")):
        counts["pages"] += 1
        info = parse_page(page)
        assert info.base is None, f"{page}: <base> changes how links resolve"
        rel = page.relative_to(built_site).as_posix()
        for tag, url in info.links:
            scheme = urlsplit(url).scheme
            if scheme in {"http", "https", "mailto", "tel"}:
                counts["external"] += 1
                assert tag in {"a", "area"}, f"{rel}: <{tag}> loads {url} from another origin"
                continue
            if scheme in {"data", "javascript"} or url.startswith("//"):
                assert scheme != "javascript" or url == "javascript:void(0)", f"{rel}: {url}"
                assert not url.startswith("//"), f"{rel}: protocol-relative {url}"
                continue
            counts["internal"] += 1
            target, fragment = resolve(built_site, page, url)
            if target is None or not target.is_file():
                broken.append(f"{rel}: <{tag}> {url} -> no such file")
                continue
            if target.suffix == ".pdf":
                counts["pdf"] += 1
            if fragment.startswith("s=") and target == built_site / checker_page(built_site) / "index.html":
                counts["permalinks"] += 1
                broken += [
                    f"{rel}: <{tag}> {url[:60]}…: {p}" for p in permalink_problems(built_site, fragment)
                ]
            elif fragment and target.suffix == ".html":
                counts["fragments"] += 1
                if fragment not in parse_page(target).ids:
                    broken.append(
                        f"{rel}: <{tag}> {url} -> no id {fragment!r} in {target.relative_to(built_site)}"
                    )
    assert not broken, f"{len(broken)} broken link(s):\n" + "\n".join(broken)
    assert counts["internal"] > 50, counts
    print(f"links: {counts}")
