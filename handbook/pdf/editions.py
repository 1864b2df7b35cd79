"""``python -m handbook pdf OUTDIR [--policy ID]``: a policy's two printed editions (WeasyPrint).

* ``policy-<number>-official.pdf``: the adopted text only, word for word, with its headings,
  numbered lists and policy history; clause ids in the margin; no commentary.
* ``policy-<number>-annotated.pdf``: each clause's official words followed by our commentary
  (tinted, sans-serif, labelled as not official), the glossary, the references and the worked
  examples the checker computed when the bundle was loaded.

Both come from the bundle through the shared templates (``handbook/render/templates``: the
``partials/`` are the web pages' own, ``pdf/`` the documents) and one print stylesheet: US Letter,
a title block, contents with page numbers, running header and "Page X of Y" footer, PDF
bookmarks, document metadata, tagged PDF/UA-1, embedded fonts.

Output is reproducible: creation and modification dates come from ``SOURCE_DATE_EPOCH``
(``common.buildtime``), the PDF file identifier from the content, so one commit gives the same
bytes. Each file is written atomically. WeasyPrint may read local files only: any other URL stops
the build.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import weasyprint
from policycheck.model import VERDICT_LABELS, VERDICTS
from weasyprint.urls import URLFetcher

from ..bundle import Bundle, WorkedExample, load_bundle
from ..commands import policy_option
from ..common import urls
from ..common.buildtime import build_time
from ..common.files import write_atomic
from ..common.logs import collected
from ..render import TEMPLATES, environment
from ..render.links import PrintLinks
from ..source.fidelity import format_date
from ..source.model import Policy

PDF_TEMPLATES = TEMPLATES / "pdf"
STYLESHEET = PDF_TEMPLATES / "print.css"
EDITIONS: tuple[str, ...] = ("official", "annotated")
EDITION_NAMES = {"official": "Official text edition", "annotated": "Annotated handbook edition"}
PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    label: str
    note: str = ""
    part: bool = False
    children: tuple[TocEntry, ...] = ()


def _section_toc(policy: Policy, *, clauses: bool) -> list[TocEntry]:
    """One entry per section (the annotated edition lists each clause under its section)."""
    return [
        TocEntry(
            s.anchor,
            s.heading or s.title,
            "" if s.heading else "(opening paragraph)",
            children=tuple(TocEntry(c.anchor, f"{c.id}  {c.title}") for c in s.clauses) if clauses else (),
        )
        for s in policy.sections
    ]


def _examples_by_clause(examples: Sequence[WorkedExample]) -> dict[str, list[WorkedExample]]:
    by_clause: dict[str, list[WorkedExample]] = {}
    for ex in examples:
        for cid in ex.cited:
            by_clause.setdefault(cid, []).append(ex)
    return by_clause


def render_html(bundle: Bundle, edition: str, *, cid_shifts: Mapping[str, int] | None = None) -> str:
    """The HTML of one edition, ready for WeasyPrint.

    ``cid_shifts`` moves a clause id down by that many lines in the margin (when two clauses
    begin on one line; see ``render_edition``).
    """
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r} (expected one of {', '.join(EDITIONS)})")
    policy = bundle.policy
    clauses = list(policy.clauses())
    adopted = format_date(policy.adopted)
    revisions = [format_date(r.date) for r in policy.revisions]
    revised = "; ".join(revisions) if revisions else "No revision recorded"
    toc = _section_toc(policy, clauses=edition == "annotated")
    toc.append(TocEntry("history", "Policy History"))
    fictional = " (fictional)" if policy.fictional else ""
    context: dict[str, Any] = {
        "policy": policy,
        "links": PrintLinks(),
        "medium": "print",
        "edition": edition,
        "edition_name": EDITION_NAMES[edition],
        "adopted": adopted,
        "revised": revised,
        "revision_dates": revisions,
        "first_clause": clauses[0],
        "cid_shifts": dict(cid_shifts or {}),
        "timestamp": build_time().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "header_left": f"{policy.series} {policy.number} \u00b7 {policy.title}{fictional}",
        "footer_left": f"{policy.district} \u00b7 Adopted {adopted} \u00b7 "
        + (f"Revised {revised}" if revisions else "No revision recorded")
        + ("\nFictional: not the policy of any district" if policy.fictional else ""),
        "keywords": [f"Policy {policy.number}", policy.district, *policy.keywords, policy.series.lower()],
    }
    if edition == "official":
        context |= {
            "doc_title": f"{policy.full_title} (official text){fictional}",
            "description": f"{policy.district} {policy.series} {policy.number}: the adopted text of "
            f'"{policy.title}" (adopted {adopted}), with no commentary.',
            "header_right": "Official text",
            "toc": toc,
            "author": policy.district,  # the District's words, and nothing else
        }
    else:
        examples = list(bundle.examples)
        toc += [
            TocEntry("glossary", "Glossary", "(commentary)", part=True),
            TocEntry("references", "References", "(commentary)"),
        ]
        if examples:
            toc.append(TocEntry("examples", "Worked examples", "(computed by the checker)"))
        context |= {
            "doc_title": f"{policy.full_title} (annotated handbook){fictional}",
            "description": f"{policy.district} {policy.series} {policy.number}, "
            f'"{policy.title}": the official text clause by clause with commentary '
            "(labelled, not official policy text), glossary, references"
            + (" and worked examples." if examples else "."),
            "header_right": "Annotated handbook edition",
            "toc": toc,
            # most of it is our commentary: the handbook publishes it, not the District
            "author": f"Policy {policy.number} Handbook (unofficial commentary)",
            "official_file": urls.pdf_name(policy.number, "official"),
            "examples": examples,
            "examples_by_clause": _examples_by_clause(examples),
            "cited_by": {ref: [c.id for c in clauses if ref in c.refs] for ref in policy.references},
            "questions": {f.id: f.question for f in bundle.checker.facts},
            "verdict_scale": [VERDICT_LABELS[v] for v in VERDICTS] if examples else [],
        }
        context["keywords"].append("commentary")
        context["footer_left"] += "\nTinted boxes are commentary, not official policy text"
    return environment().get_template(f"pdf/{edition}.html.j2").render(context)


# --------------------------------------------------------------------------- PDF


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """WeasyPrint may read local files (the stylesheet) and nothing else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)


@dataclass
class Built:
    """What one edition's build produced (for the build log and the benchmark)."""

    edition: str
    path: Path
    pages: int
    size: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


#: Line height of the policy text in CSS px (10.5pt x 1.5), the step for stacking clause ids.
_LINE_PX = 10.5 * 1.5 * 4 / 3


def clause_id_positions(document: Any) -> list[tuple[int, float, str]]:
    """(page index, top in CSS px, clause id) of every margin clause id in a rendered document."""
    found: list[tuple[int, float, str]] = []
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if type(box).__name__ != "AbsolutePlaceholder" or element is None:
                continue
            if element.get("class") == "cid":
                inner = box._box
                found.append((index, inner.position_y + inner.margin_top, element.text or ""))
    return found


def _collisions(positions: list[tuple[int, float, str]], shifts: Mapping[str, int]) -> dict[str, int]:
    """Clause ids drawn on top of an earlier one, with the number of lines to move each down."""
    moved: dict[str, int] = {}
    for (page_a, y_a, _), (page_b, y_b, id_b) in itertools.pairwise(positions):
        if page_a == page_b and y_b - y_a < _LINE_PX * 0.6:
            moved[id_b] = shifts.get(id_b, 0) + 1
    return moved


def render_pdf(html: str) -> tuple[bytes, Any, list[str]]:
    """PDF bytes, the rendered document and WeasyPrint's warnings for one edition's HTML."""
    fetcher = LocalOnlyFetcher()
    # WeasyPrint's warnings (unsupported CSS, broken links) are collected, not printed
    with collected("weasyprint", silence=True) as warnings:
        # The template links print.css (author origin, so it can style the page margins).
        document = weasyprint.HTML(
            string=html, base_url=PDF_TEMPLATES.as_uri() + "/", url_fetcher=fetcher
        ).render()
        identifier = hashlib.sha256(
            (html + STYLESHEET.read_text(encoding="utf-8") + weasyprint.__version__).encode()
        ).hexdigest()[:32]
        data: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=identifier.encode())
    return data, document, list(warnings)


def render_edition(bundle: Bundle, edition: str) -> tuple[bytes, Any, list[str]]:
    """Render one edition; when two clauses begin on one line, stack their margin ids and re-render."""
    shifts: dict[str, int] = {}
    for _ in range(5):
        html = render_html(bundle, edition, cid_shifts=shifts)
        data, document, warnings = render_pdf(html)
        moved = _collisions(clause_id_positions(document), shifts)
        if not moved:
            return data, document, warnings
        shifts |= moved
    return data, document, [*warnings, f"warning: clause ids still overlap in the margin: {sorted(moved)}"]


def build_editions(outdir: Path, bundle: Bundle, editions: Sequence[str] = EDITIONS) -> list[Built]:
    """Render the editions into ``outdir``; returns what each produced."""
    built: list[Built] = []
    for edition in editions:
        start = time.perf_counter()
        data, document, warnings = render_edition(bundle, edition)
        path = outdir / urls.pdf_name(bundle.policy.number, edition)
        write_atomic(path, data)
        built.append(
            Built(edition, path, len(document.pages), len(data), time.perf_counter() - start, warnings)
        )
    return built


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook pdf", description=__doc__.split("\n")[0])
    parser.add_argument("outdir", type=Path, help="where to write the editions")
    policy_option(parser)
    args = parser.parse_args(argv)
    built = build_editions(args.outdir, load_bundle(args.policy))
    status = 0
    for b in built:
        print(f"pdf: {b.path} ({b.pages} pages, {b.size / 1024:.0f} KiB, {b.seconds:.1f} s)")
        for warning in b.warnings:
            print(f"pdf: {b.edition}: WeasyPrint {warning}", file=sys.stderr)
            status = 1
    return status
