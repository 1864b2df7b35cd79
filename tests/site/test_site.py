"""The handbook website: the session's one build of the default policy (tests/conftest.py).

Checks what readers and the other parts of the project rely on: every page at its URL, the
official text word for word (with an anchor per clause and no commentary), annotated pages
with labelled commentary, working links, no request to another host, an offline search index,
PDF links on every page, and a clean error (no traceback) when the policy source is broken.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from handbook.bundle import load_bundle
from handbook.common.urls import relative
from handbook.config import ROOT, policy_dir
from handbook.render.labels import COMMENTARY as COMMENTARY_LABEL
from handbook.site.terms import term_segments
from handbook.source.fidelity import fidelity_diff, official_text, words
from handbook.source.model import Policy, Term

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCK = {"p", "li", "ol", "ul", "div", "h1", "h2", "h3", "h4", "section", "article", "nav", "td", "th", "tr"}
PDFS = ("pdf/policy-5290-official.pdf", "pdf/policy-5290-annotated.pdf")  # the default policy's


# --------------------------------------------------------------------------------------------
# A minimal DOM (the standard library's HTMLParser builds it)
# --------------------------------------------------------------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, cls: str = "", tag: str = "") -> list[Node]:
        return [n for n in self.iter() if (not cls or cls in n.classes) and (not tag or n.tag == tag)]

    def by_id(self, ident: str) -> Node | None:
        return next((n for n in self.iter() if n.attrs.get("id") == ident), None)

    def text(self, skip: frozenset[str] = frozenset()) -> str:
        """The text content; block elements and line breaks separate words, inline ones do not."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "br":
                parts.append(" ")
            elif not (child.classes & skip) and child.tag not in {"script", "style"}:
                inner = child.text(skip)
                parts.append(f" {inner} " if child.tag in BLOCK else inner)
        return "".join(parts)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(path: Path) -> Node:
    builder = _TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site(built_site: Path) -> Path:
    return built_site


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_bundle().policy


def page(site: Path, url: str) -> Path:
    return site / url / "index.html"


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def page_urls(policy: Policy) -> list[str]:
    fixed = ["", "official/", "glossary/", "history/", "about/", "checker/"]
    return fixed + [f"sections/{s.id}/" for s in policy.sections]


# --------------------------------------------------------------------------------------------
# Build and pages
# --------------------------------------------------------------------------------------------


def test_build_is_clean(site: Path) -> None:
    from tests.support.sitebuild import BUILD_LOG  # noqa: PLC0415

    assert site in BUILD_LOG or os.environ.get("HANDBOOK_SITE"), "the session's build was not recorded"
    problems = BUILD_LOG.get(site, [])  # warnings and errors
    assert not problems, problems


def test_every_page_exists(site: Path, policy: Policy) -> None:
    missing = [url or "/" for url in page_urls(policy) if not page(site, url).is_file()]
    assert not missing, f"pages missing from the built site: {missing}"
    assert (site / "404.html").is_file()


def test_pages_have_language_and_one_h1(site: Path, policy: Policy) -> None:
    for url in page_urls(policy):
        doc = parse(page(site, url))
        html = doc.find_all(tag="html")[0]
        assert html.attrs.get("lang") == "en", url
        assert len(doc.find_all(tag="h1")) == 1, f"{url or '/'} must have exactly one h1"


# --------------------------------------------------------------------------------------------
# The official text
# --------------------------------------------------------------------------------------------

#: Elements inside official words that the handbook adds (clause ids, permalinks, notes).
ADDED = frozenset({"hb-cid", "headerlink", "hb-editorial"})


def official_words_on_page(doc: Node) -> list[str]:
    """The words of every ``hb-o`` element in document order; list items get their number back."""
    out: list[str] = []
    for node in doc.iter():
        if "hb-o" not in node.classes:
            continue
        if node.tag == "ol":
            for li in node.find_all(tag="li"):
                out += [f"{li.attrs['value']}.", *words(li.text(ADDED))]
        else:
            out += words(node.text(ADDED))
    return out


def test_official_page_reproduces_the_adopted_text(site: Path, policy: Policy) -> None:
    doc = parse(page(site, "official/"))
    shown = " ".join(official_words_on_page(doc))
    expected = official_text(policy)
    diff = fidelity_diff(expected, shown)
    assert not diff, "the official page differs from the adopted text:\n" + diff
    # and from the project's copy of the adopted document itself
    assert not fidelity_diff(policy.original_text, shown)


def test_official_page_has_an_anchor_and_visible_id_per_clause(site: Path, policy: Policy) -> None:
    doc = parse(page(site, "official/"))
    for clause in policy.clauses():
        node = doc.by_id(clause.anchor)
        assert node is not None, f"no element with id={clause.anchor!r}"
        chips = [n.text().strip() for n in node.find_all("hb-cid")]
        assert any(c.endswith(clause.id) for c in chips), f"clause id {clause.id} not shown"
        assert words(clause.text) == words(node.text(ADDED))


def test_official_page_keeps_numbered_lists(site: Path, policy: Policy) -> None:
    doc = parse(page(site, "official/"))
    for clause in policy.clauses():
        if clause.number is not None:
            node = doc.by_id(clause.anchor)
            assert node is not None and node.tag == "li", clause.id
            assert node.attrs.get("value") == str(clause.number), clause.id


def test_official_page_has_no_commentary(site: Path) -> None:
    """Besides the official words, the page holds only its short note about itself."""
    path = page(site, "official/")
    text = path.read_text(encoding="utf-8")
    assert COMMENTARY_LABEL not in text
    assert "hb-commentary" not in text and "hb-term" not in text
    article = parse(path).find_all(tag="article")[0]
    rest = article.text(frozenset({"hb-o", "hb-official-note", "headerlink"}))
    assert not words(rest), f"text on the official page that is not the adopted text: {rest.strip()[:200]!r}"
    assert len(article.find_all("hb-official-note")) == 1


def test_official_page_history(site: Path) -> None:
    doc = parse(page(site, "official/"))
    history = " ".join(official_words_on_page(doc))
    assert history.endswith("Policy History: Adopted on: January 18, 2023 Revised on")
    note = doc.find_all("hb-editorial")
    assert note and "no revision is recorded" in note[0].text()


# --------------------------------------------------------------------------------------------
# Annotated section pages
# --------------------------------------------------------------------------------------------


def test_section_pages_show_official_words_then_commentary(site: Path, policy: Policy) -> None:
    for section in policy.sections:
        doc = parse(page(site, f"sections/{section.id}/"))
        blocks = doc.find_all("hb-official")
        notes = doc.find_all("hb-commentary")
        assert [b.attrs.get("id") for b in blocks] == [c.anchor for c in section.clauses]
        for clause, block in zip(section.clauses, blocks, strict=True):
            text = block.find_all("hb-official__text")[0].text()
            assert words(text) == words(clause.text), clause.id
            assert clause.id in block.text() and "Official text" in block.text()
        labels = [n for n in notes if COMMENTARY_LABEL in n.text()]
        assert len(labels) >= len(section.clauses), f"every clause needs labelled commentary ({section.id})"
        rendered = " ".join(words(" ".join(n.text() for n in labels)))
        commentary = policy.commentary.get(section.id)
        for note in commentary.clauses.values() if commentary else ():
            opening = " ".join(words(plain(note.summary))[:6])
            assert opening in rendered, f"commentary on {note.clause} not shown"


def plain(markdown: str) -> str:
    """Markdown reduced to its words (links to their text, emphasis marks dropped)."""
    return re.sub(r"[*_`]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown))


def test_every_clause_has_commentary(site: Path, policy: Policy) -> None:
    """The pages render without commentary while it is being written; the handbook needs all of it."""
    missing = [c.id for s in policy.sections for c in s.clauses if policy.clause_commentary(c.id) is None]
    assert not missing, f"clauses without commentary in policy_src/{policy.number}/commentary/: {missing}"
    for section in policy.sections:
        assert "hb-commentary__missing" not in page(site, f"sections/{section.id}/").read_text("utf-8")


def test_section_pages_link_terms_and_references(site: Path, policy: Policy) -> None:
    glossary = parse(page(site, "glossary/"))
    terms = 0
    for section in policy.sections:
        doc = parse(page(site, f"sections/{section.id}/"))
        for link in doc.find_all("hb-term"):
            terms += 1
            assert link.attrs.get("title"), "a defined term needs its definition as a tooltip"
            href = urlsplit(link.attrs["href"])
            assert href.path == "../../glossary/" and glossary.by_id(href.fragment) is not None
        refs = {c.refs for c in section.clauses if c.refs}
        for clause_refs in refs:
            for ref in clause_refs:
                assert (
                    f'href="../../glossary/#ref-{ref}"' in page(site, f"sections/{section.id}/").read_text()
                )
    if policy.glossary:
        assert terms > 0, "no defined term is marked on any annotated page"


def test_section_pages_have_previous_and_next(site: Path, policy: Policy) -> None:
    for section in policy.sections:
        doc = parse(page(site, f"sections/{section.id}/"))
        assert doc.find_all("md-footer__link"), section.id


def test_glossary_has_an_anchor_per_term_and_reference(site: Path, policy: Policy) -> None:
    doc = parse(page(site, "glossary/"))
    for term in policy.glossary:
        assert doc.by_id(f"term-{term.id}") is not None, term.id
    for ref in policy.references:
        assert doc.by_id(f"ref-{ref}") is not None, ref
    assert "not an official definition" in doc.text()


def test_history_page(site: Path, policy: Policy) -> None:
    text = " ".join(words(parse(page(site, "history/")).text()))
    assert "January 18, 2023" in text
    if not policy.revisions:
        assert "No revision is recorded" in text


def test_about_page_states_accessibility_and_status(site: Path) -> None:
    text = " ".join(words(parse(page(site, "about/")).text()))
    phrases = ("(WCAG) 2.1 at level AA", "keyboard", "screen reader", "not sent anywhere", COMMENTARY_LABEL)
    for phrase in phrases:
        assert phrase in text, phrase


# --------------------------------------------------------------------------------------------
# Links, hosts, search, PDFs
# --------------------------------------------------------------------------------------------


THIRD_PARTY = re.compile(r"^\s*(https?:)?//", re.I)


def test_no_request_to_another_host(site: Path) -> None:
    found = []
    for path in html_files(site):
        for node in parse(path).iter():
            for name in ("src", "href", "srcset", "poster", "action", "data"):
                value = node.attrs.get(name, "")
                if THIRD_PARTY.match(value):
                    found.append(f"{path.relative_to(site)}: <{node.tag} {name}={value!r}>")
    for path in sorted(site.rglob("*.css")):
        for value in re.findall(r"url\(\s*['\"]?([^'\")]+)", path.read_text(encoding="utf-8")):
            if THIRD_PARTY.match(value):
                found.append(f"{path.relative_to(site)}: url({value})")
    assert not found, "references to other hosts:\n" + "\n".join(found)


def test_scripts_that_could_fetch_from_other_hosts_stay_unused(site: Path) -> None:
    """Material's bundle can load Mermaid from unpkg.com and repository facts from GitHub.

    Neither happens unless a page has a Mermaid diagram or the config sets ``repo_url``.
    """
    for path in html_files(site):
        text = path.read_text(encoding="utf-8")
        assert 'class="mermaid"' not in text, path
        assert 'class="md-source"' not in text, f"{path}: repository link (fetches from GitHub)"
    assert "fonts.googleapis.com" not in "".join(p.read_text("utf-8") for p in html_files(site))


def test_search_index_is_built_offline(site: Path, policy: Policy) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]
    assert any(d["location"].startswith("official/") for d in docs)
    clause = policy.clause("5290.contact.3.2")
    assert any(" ".join(words(clause.text))[:40] in " ".join(words(d["text"])) for d in docs)
    assert list((site / "assets" / "javascripts" / "workers").glob("search.*.js"))


def test_every_page_links_both_pdf_editions(site: Path, policy: Policy) -> None:
    for url in page_urls(policy):
        path = page(site, url)
        doc = parse(path)
        hrefs = {
            (path.parent / n.attrs["href"]).resolve().relative_to(site.resolve()).as_posix()
            for n in doc.find_all(tag="a")
            if n.attrs.get("href", "").endswith(".pdf")
        }
        assert set(PDFS) <= hrefs, f"{url or '/'}: {hrefs}"


def test_stylesheet_has_print_rules(site: Path) -> None:
    css = (site / "assets" / "stylesheets" / "handbook.css").read_text(encoding="utf-8")
    print_rules = css[css.index("@media print") :]
    for selector in (".md-header", ".md-sidebar", ".md-search", ".md-footer", ".md-tabs"):
        assert selector in print_rules


def test_docs_hold_no_copied_policy_text(policy: Policy) -> None:
    """docs/ has framing prose and macro calls only: no run of 8 words from any clause."""
    docs = " ".join(" ".join(words(p.read_text(encoding="utf-8"))) for p in (ROOT / "docs").rglob("*.md"))
    for clause in policy.clauses():
        w = words(clause.text)
        for i in range(max(1, len(w) - 7)):
            run = " ".join(w[i : i + 8])
            assert run not in docs, f"docs/ copies words of {clause.id}: {run!r}"


# --------------------------------------------------------------------------------------------
# A broken source stops the build with the validation report
# --------------------------------------------------------------------------------------------


def test_broken_source_fails_the_build_with_the_report(tmp_path: Path) -> None:
    broken = tmp_path / "5290"
    shutil.copytree(policy_dir(), broken)
    contact = broken / "sections" / "07-contact.yaml"
    contact.write_text(
        contact.read_text(encoding="utf-8").replace("- psc\n", "- no-such-body\n", 1), encoding="utf-8"
    )
    out = subprocess.run(
        [sys.executable, "-m", "handbook", "build", "--policy", str(broken), str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = out.stdout + out.stderr
    assert out.returncode != 0
    assert "Traceback" not in output, output
    assert "policy source is invalid" in output, output
    line = next(x for x in output.splitlines() if "07-contact.yaml:" in x)
    assert re.search(r"07-contact\.yaml:\d+:\d+: .*unknown reference 'no-such-body'", line), line
    assert not (tmp_path / "site").exists(), "a failed build leaves no site behind"


# --------------------------------------------------------------------------------------------
# The pure helpers behind the pages
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "page_url", "expected"),
    [
        ("glossary/#term-x", "sections/contact/", "../../glossary/#term-x"),
        ("sections/contact/#c-1", "sections/contact/", "#c-1"),
        ("sections/name/", "sections/contact/", "../name/"),
        ("official/#c-1", "", "official/#c-1"),
        ("", "official/", "../"),
        ("", "", "./"),
        ("checker/#s=abc", "sections/contact/", "../../checker/#s=abc"),
        ("official/", "404.html", "official/"),
    ],
)
def test_relative_links(target: str, page_url: str, expected: str) -> None:
    assert relative(target, page_url) == expected


def test_terms_are_marked_once_whole_word_and_exact_case() -> None:
    terms = (Term("district", "District", "The employer.", ()), Term("sm", "social media", "Sites.", ()))
    segments = term_segments("District districts District-wide social media; the District again", terms)
    marked = [(text, term.id) for text, term in segments if term]
    assert marked == [("District", "district"), ("social media", "sm")]  # first use only, whole words
    assert "".join(text for text, _ in segments) == (
        "District districts District-wide social media; the District again"
    )
