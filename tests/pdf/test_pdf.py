"""The printed editions: the official text word for word, labelled commentary, PDF structure, same bytes."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, IndirectObject, PdfObject

from handbook.bundle import Bundle
from handbook.common.files import write_atomic
from handbook.config import ROOT
from handbook.pdf import editions as pdf
from handbook.render import labels
from handbook.source.fidelity import format_date, words
from handbook.source.model import Policy

from ..conftest import require

EPOCH = "1700000000"  # 2023-11-14T22:13:20Z


@pytest.fixture(scope="session")
def policy(bundle: Bundle) -> Policy:
    return bundle.policy


@pytest.fixture(scope="session")
def built(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pdf.Built]:
    """Both editions, built once for the session with a fixed SOURCE_DATE_EPOCH."""
    out = tmp_path_factory.mktemp("pdf")
    with _epoch(EPOCH):
        result = pdf.build_editions(out, bundle)
    return {b.edition: b for b in result}


@pytest.fixture(scope="session")
def readers(built: dict[str, pdf.Built]) -> dict[str, PdfReader]:
    return {edition: PdfReader(b.path) for edition, b in built.items()}


_GLUED_ID = re.compile(r"\b(\d+(?:\.[a-z]+)(?:\.\d+)+)(?=[^\s\d.])")


def _layout_text(reader: PdfReader) -> str:
    """Text in reading position (pypdf's layout mode), pages separated by form feeds.

    Layout mode may glue a margin clause id to the first word beside it; they are split again.
    """
    pages = (page.extract_text(extraction_mode="layout") for page in reader.pages)
    return "\f".join(_GLUED_ID.sub(r"\1 ", text) for text in pages)


def _pdftotext(path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="session")
def texts(readers: dict[str, PdfReader]) -> dict[str, str]:
    return {edition: _layout_text(r) for edition, r in readers.items()}


class _epoch:
    def __init__(self, value: str) -> None:
        self.value = value
        self.saved: str | None = None

    def __enter__(self) -> None:
        self.saved = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = self.value

    def __exit__(self, *exc: object) -> None:
        if self.saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = self.saved


# ------------------------------------------------------------------ text of the official edition


def _tokens(text: str) -> list[str]:
    """``words`` (the fidelity test's normalisation), with words broken at a line-end hyphen joined.

    A line may break after a hyphen or a slash ("co-" / "curricular", "District/" /
    "Administrator"); the adopted text itself has "school- based". Joining every token that ends
    in "-" or "/" with the next one treats both texts the same.
    """
    out: list[str] = []
    for word in words(text):
        if out and out[-1].endswith(("-", "/")) and len(out[-1]) > 1:
            out[-1] += word
        else:
            out.append(word)
    return out


def _match_in_order(expected: list[str], actual: list[str]) -> tuple[int | None, list[list[str]]]:
    """Find ``expected`` as a subsequence of ``actual``.

    Returns the index of the first expected word not found (None when all are found) and, for
    each expected word after the first, the actual tokens skipped just before it.
    """
    gaps: list[list[str]] = []
    pos = 0
    for i, word in enumerate(expected):
        try:
            j = actual.index(word, pos)
        except ValueError:
            return i, gaps
        if i:
            gaps.append(actual[pos:j])
        pos = j + 1
    return None, gaps


def _page_furniture(policy: Policy) -> set[str]:
    """Words the running header and footer may put between words of the text."""
    adopted = format_date(policy.adopted)
    furniture = (
        f"{policy.series} {policy.number} \u00b7 {policy.title} Official text "
        f"{policy.district} \u00b7 Adopted {adopted} \u00b7 No revision recorded Page of"
    )
    return set(_tokens(furniture))


@pytest.mark.parametrize("extractor", ["pypdf", "pdftotext"])
def test_official_edition_contains_the_adopted_text_in_order(
    policy: Policy, texts: dict[str, str], built: dict[str, pdf.Built], extractor: str
) -> None:
    text = texts["official"] if extractor == "pypdf" else _pdftotext(built["official"].path)
    require(text is not None, "pdftotext (poppler-utils) is not installed")
    assert text is not None
    expected = _tokens(policy.original_text)
    actual = _tokens(text)
    missing, gaps = _match_in_order(expected, actual)
    assert missing is None, (
        f"adopted word {missing + 1} {expected[missing]!r} not found in order in the official PDF; "
        f"context: {' '.join(expected[max(0, missing - 8) : missing + 8])}"
    )
    # Between the first word of the policy text and the last, the only words the PDF may add are
    # clause ids in the margin, page numbers and the running header and footer.
    start = next(i for i, w in enumerate(expected) if w == "Because")
    allowed = _page_furniture(policy)
    clause_id = re.compile(rf"^{policy.number}(\.[a-z]+)(\.\d+)+$")
    extras = {
        token
        for gap in gaps[start:]
        for token in gap
        if not (clause_id.match(token) or token.isdigit() or token in allowed)
    }
    assert not extras, f"the official text has words that are not the policy's: {sorted(extras)}"


def test_official_edition_shows_the_history_and_no_revision(policy: Policy, texts: dict[str, str]) -> None:
    text = " ".join(_tokens(texts["official"]))
    assert f"Policy History: Adopted on: {format_date(policy.adopted)} Revised on" in text
    assert policy.revisions == ()
    assert "no revision has been recorded" in text
    first_page = " ".join(words(texts["official"].split("\f", 1)[0]))
    for part in (
        policy.district,
        f"{policy.series} {policy.number}",
        "January 18, 2023",
        "No revision recorded",
    ):
        assert part in first_page


def test_official_edition_has_no_commentary(policy: Policy, texts: dict[str, str]) -> None:
    text = " ".join(_tokens(texts["official"]))
    assert "Commentary" not in text and "commentary" not in text.replace("no commentary", "")
    ours: list[str] = []
    for section in policy.commentary.values():
        ours.append(section.intro)
        for c in section.clauses.values():
            ours += [c.summary, c.why, *c.examples]
    ours += [t.definition for t in policy.glossary]
    ours += [c.title for c in policy.clauses()]
    adopted = " ".join(_tokens(policy.original_text))
    for passage in ours:
        probe = " ".join(_tokens(passage)[:7])
        if len(probe.split()) >= 4 and probe not in adopted:  # commentary may quote the policy
            assert probe not in text, f"commentary in the official edition: {probe!r}"


def test_numbered_lists_keep_the_original_numbers(policy: Policy, texts: dict[str, str]) -> None:
    lines = [" ".join(line.split()) for line in texts["official"].splitlines()]
    for clause in policy.clauses():
        if clause.number:
            item = f"{clause.number}. {' '.join(clause.text.split()[:3])}"
            assert any(re.search(rf"(^|\s){re.escape(item)}", line) for line in lines), clause.id


# ------------------------------------------------------------------ the annotated edition


def test_annotated_edition_labels_every_commentary_block(policy: Policy, texts: dict[str, str]) -> None:
    text = " ".join(_tokens(texts["annotated"]))
    label = " ".join(words(labels.COMMENTARY)).upper()
    clauses = list(policy.clauses())
    # one label per clause (each clause has a commentary box), plus intros, glossary and references
    assert text.count(label) >= len(clauses) + 2
    for clause in clauses:
        assert clause.id in text
    for section in policy.commentary.values():
        for c in section.clauses.values():
            probe = " ".join(_tokens(c.summary)[:6])
            assert probe in text, f"commentary of {c.clause} missing from the annotated edition"
    for term in policy.glossary:
        assert term.term in text


def test_annotated_edition_contains_every_official_clause(policy: Policy, texts: dict[str, str]) -> None:
    actual = _tokens(texts["annotated"])
    for clause in policy.clauses():
        missing, _ = _match_in_order(_tokens(clause.text), actual)
        assert missing is None, f"{clause.id} is not in the annotated edition word for word"


def test_worked_examples_chapter(bundle: Bundle, texts: dict[str, str]) -> None:
    assert bundle.examples, "the casebook offers no worked examples"
    text = " ".join(_tokens(texts["annotated"]))
    assert "Worked examples" in text
    for ex in bundle.examples:
        assert f"{ex.number}. {' '.join(words(ex.title))}" in text
        assert " ".join(words(ex.result["summary"])) in text
        for finding in ex.result["findings"]:
            assert finding["clause"]["id"] in text


def test_a_worked_example_never_starts_at_the_foot_of_a_page(bundle: Bundle, texts: dict[str, str]) -> None:
    """Its heading, its story and its answer are on one page."""
    pages = [" ".join(_tokens(page)) for page in texts["annotated"].split("\f")]
    chapter = max(i for i, page in enumerate(pages) if "Worked examples" in page and "1. " in page)
    for ex in bundle.examples:
        heading = f"{ex.number}. {' '.join(words(ex.title))}"
        where = [i for i, page in enumerate(pages) if i >= chapter and heading in page]
        assert where, heading
        page = pages[where[0]]
        after = page[page.index(heading) :]
        assert " ".join(words(ex.story))[:60] in after, f"{heading}: its story is on the next page"
        assert " ".join(words(ex.result["summary"]))[:40] in after, (
            f"{heading}: its answer is on the next page"
        )


def test_worked_examples_print_the_checkers_own_result(bundle: Bundle) -> None:
    """The chapter prints what the checker computed (the bundle's results), not a copy of the casebook."""
    ex = bundle.examples[0]
    result = {**ex.result, "summary": "Only the checker says this."}
    changed = dataclasses.replace(bundle, examples=(dataclasses.replace(ex, result=result),))
    html = pdf.render_html(changed, "annotated")
    assert f'id="{ex.anchor}"' in html
    assert "Only the checker says this." in html


def test_the_annotated_edition_and_the_web_pages_share_their_clause_markup(bundle: Bundle) -> None:
    """One template renders a clause and its commentary for both (handbook/render/templates/partials)."""
    from handbook.site.pages import section_page  # noqa: PLC0415

    html = pdf.render_html(bundle, "annotated")
    page = section_page(bundle, "contact", "sections/contact/")
    for marker in (
        '<div class="hb-official" id="c-5290-contact-3-1" role="group"',
        '<div class="hb-commentary" role="note" aria-label="Commentary (not official policy text), '
        'clause 5290.contact.3.1">',
        '<p class="hb-commentary__label">Commentary (not official policy text)</p>',
        "<p><strong>In plain words.</strong> ",
    ):
        assert marker in html and marker in page, marker


# ------------------------------------------------------------------ PDF structure


def _outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: Any) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))

    walk(reader.outline)
    return titles


@pytest.mark.parametrize("edition", pdf.EDITIONS)
def test_outline_has_an_entry_per_section(
    policy: Policy, readers: dict[str, PdfReader], edition: str
) -> None:
    titles = _outline_titles(readers[edition])
    for section in policy.sections:
        label = section.heading or f"{section.title} (opening paragraph)"
        assert label in titles, f"no bookmark for section {section.id!r} in the {edition} edition"
    assert "Policy History" in titles
    assert "Contents" in titles
    if edition == "annotated":
        assert {"Glossary", "References"} <= set(titles)
        for clause in policy.clauses():
            assert any(t.startswith(clause.id + " ") for t in titles), clause.id


@pytest.mark.parametrize("edition", pdf.EDITIONS)
def test_metadata(policy: Policy, readers: dict[str, PdfReader], edition: str) -> None:
    reader = readers[edition]
    meta = reader.metadata
    assert meta is not None
    assert meta.title and policy.title in meta.title
    # the official edition is the District's text; the annotated one is mostly our commentary
    commentary = f"Policy {policy.number} Handbook (unofficial commentary)"
    assert meta.author == (policy.district if edition == "official" else commentary)
    assert meta.subject and f"{policy.series} {policy.number}" in meta.subject
    assert _obj(reader.trailer["/Root"])["/Lang"] == "en"
    assert str(meta["/CreationDate"]).startswith("D:20231114221320")
    assert str(meta["/ModDate"]).startswith("D:20231114221320")


@pytest.mark.parametrize("edition", pdf.EDITIONS)
def test_tagged_pdf_ua(readers: dict[str, PdfReader], edition: str) -> None:
    root = _obj(readers[edition].trailer["/Root"])
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp or "<pdfuaid:part>1</pdfuaid:part>" in xmp
    # the structure tree carries headings, paragraphs, numbered lists and links
    tags: set[str] = set()
    todo: list[Any] = [root["/StructTreeRoot"]]
    seen: set[int] = set()
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
        node = _obj(item)
        if isinstance(node, ArrayObject):
            todo.extend(node)
        elif isinstance(node, dict):
            if "/S" in node:
                tags.add(str(node["/S"]))
            if "/K" in node:
                todo.append(node["/K"])
    assert {"/H1", "/H2", "/P", "/L", "/LI", "/Lbl", "/Link"} <= tags, sorted(tags)


def _obj(value: object) -> Any:
    """A PDF object, dereferenced, typed loosely (pypdf's own types make every access a cast)."""
    return value.get_object() if isinstance(value, PdfObject) else value


def _fonts(reader: PdfReader) -> Iterator[Any]:
    seen: set[int] = set()
    for page in reader.pages:
        fonts = _obj(_obj(page["/Resources"]).get("/Font", {}))
        for ref in fonts.values():
            if isinstance(ref, IndirectObject):
                if ref.idnum in seen:
                    continue
                seen.add(ref.idnum)
            yield _obj(ref)


@pytest.mark.parametrize("edition", pdf.EDITIONS)
def test_fonts_embedded(readers: dict[str, PdfReader], edition: str) -> None:
    fonts = list(_fonts(readers[edition]))
    assert fonts
    for font in fonts:
        descendants = font.get("/DescendantFonts")
        leaf = descendants[0].get_object() if isinstance(descendants, ArrayObject) else font
        descriptor = leaf["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), (
            f"{font['/BaseFont']} not embedded"
        )


@pytest.mark.parametrize("edition", pdf.EDITIONS)
def test_letter_pages(readers: dict[str, PdfReader], edition: str) -> None:
    for page in readers[edition].pages:
        assert [round(float(x)) for x in page.mediabox] == [0, 0, 612, 792]


@pytest.mark.parametrize("edition", pdf.EDITIONS)
def test_internal_links_resolve(policy: Policy, readers: dict[str, PdfReader], edition: str) -> None:
    reader = readers[edition]
    dests = set(reader.named_destinations)
    targets: list[str] = []
    for page in reader.pages:
        for annot in _obj(page.get("/Annots", [])) or []:
            a = _obj(annot)
            if a.get("/Subtype") != "/Link":
                continue
            action = _obj(a.get("/A"))
            assert not (action and action.get("/S") == "/URI" and str(action["/URI"]).startswith("file:")), (
                "a link points at a file on the build machine"
            )
            dest = a.get("/Dest") or (action.get("/D") if action else None)
            if dest is not None and not isinstance(dest, ArrayObject):
                targets.append(str(dest))
    section_anchors = {s.anchor for s in policy.sections}
    assert section_anchors <= set(targets), "the contents do not link every section"
    assert set(targets) <= dests, f"links to missing anchors: {sorted(set(targets) - dests)}"
    if edition == "official":
        assert {c.anchor for c in policy.clauses()} <= dests, "every clause is an anchor"


def test_no_weasyprint_warnings(built: dict[str, pdf.Built]) -> None:
    for b in built.values():
        assert b.warnings == [], b.warnings


def test_clause_ids_do_not_overlap(bundle: Bundle, policy: Policy) -> None:
    _, document, _ = pdf.render_edition(bundle, "official")
    positions = pdf.clause_id_positions(document)
    assert [p[2] for p in positions] == [c.id for c in policy.clauses()]
    assert pdf._collisions(positions, {}) == {}


def test_ids_of_clauses_that_begin_on_one_line_are_stacked(bundle: Bundle, policy: Policy) -> None:
    """Shorten the first clause of a paragraph so the second begins on the same line."""
    section = policy.section("confidential")
    block = section.blocks[0]
    short = dataclasses.replace(block.clauses[0], text="Employees shall not post.")
    blocks = (dataclasses.replace(block, clauses=(short, *block.clauses[1:])), *section.blocks[1:])
    sections = tuple(
        dataclasses.replace(s, blocks=blocks) if s.id == section.id else s for s in policy.sections
    )
    changed = dataclasses.replace(policy, sections=sections)
    _, document, warnings = pdf.render_edition(dataclasses.replace(bundle, policy=changed), "official")
    positions = {ident: (page, y) for page, y, ident in pdf.clause_id_positions(document)}
    (p1, y1), (p2, y2) = positions["5290.confidential.1"], positions["5290.confidential.2"]
    assert p1 == p2 and y2 - y1 > 15, "the second id must sit a line below the first"
    assert warnings == []


# ------------------------------------------------------------------ build behaviour


def test_file_names_and_no_leftovers(built: dict[str, pdf.Built]) -> None:
    out = built["official"].path.parent
    assert sorted(p.name for p in out.iterdir()) == ["policy-5290-annotated.pdf", "policy-5290-official.pdf"]


def test_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "x.pdf"
    target.write_bytes(b"old")

    def boom(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_nothing_is_fetched_from_the_network() -> None:
    from weasyprint.urls import FatalURLFetchingError  # noqa: PLC0415

    html = '<html lang="en"><body><img src="https://example.invalid/logo.png" alt="x"></body></html>'
    with pytest.raises(FatalURLFetchingError):
        pdf.render_pdf(html)


def test_command_line_build_is_byte_identical(built: dict[str, pdf.Built], tmp_path: Path) -> None:
    """A second build, by the command the site build runs, in another process: the same bytes."""
    with pytest.raises(SystemExit) as usage:
        pdf.main([])
    assert usage.value.code == 2
    out = tmp_path / "site" / "pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "handbook", "pdf", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert proc.returncode == 0, proc.stderr
    assert "pages" in proc.stdout
    for edition, b in built.items():
        again = out / b.path.name
        assert again.read_bytes() == b.path.read_bytes(), f"the {edition} edition differs between two builds"


def test_git_tracks_no_pdf() -> None:
    proc = subprocess.run(
        ["git", "ls-files", "*.pdf", "**/*.pdf"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"PDFs are build output, never committed: {proc.stdout}"
