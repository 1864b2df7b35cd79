"""``python -m handbook pdf OUTDIR``: the two printed editions of the policy, rendered with WeasyPrint.

* ``policy-5290-official.pdf``: the adopted text only, word for word, with its headings, numbered
  lists and policy history; clause ids in the margin; no commentary.
* ``policy-5290-annotated.pdf``: each clause's official words followed by our commentary (tinted,
  sans-serif, labelled "Commentary — not official policy text"), the glossary, the references and
  worked examples whose verdicts the checker computes at build time.

Both are built from ``policy_src`` through Jinja templates and one print stylesheet
(``handbook/templates/pdf/``): US Letter, a title block, contents with page numbers, running header
and "Page X of Y" footer, PDF bookmarks, document metadata, tagged PDF/UA-1, embedded fonts.

Output is reproducible: creation and modification dates come from ``SOURCE_DATE_EPOCH`` (else the
last commit's time), the PDF file identifier from the content, so one commit gives the same bytes.
Each file is written to a temporary name and renamed into place. WeasyPrint may read local files
only: any other URL stops the build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import weasyprint
from weasyprint.urls import URLFetcher

from .errors import SourceError
from .files import write_atomic
from .model import Clause, Policy
from .official import format_date
from .paths import ROOT
from .source import load_policy

TEMPLATES = Path(__file__).resolve().parent / "templates" / "pdf"
STYLESHEET = TEMPLATES / "print.css"
EDITIONS: tuple[str, ...] = ("official", "annotated")
EDITION_NAMES = {"official": "Official text edition", "annotated": "Annotated handbook edition"}
COMMENTARY_LABEL = "Commentary \u2014 not official policy text"
PDF_VARIANT = "pdf/ua-1"


def edition_filename(policy: Policy, edition: str) -> str:
    """The published file name (the website links these): ``policy-5290-official.pdf``."""
    return f"policy-{policy.number}-{edition}.pdf"


# --------------------------------------------------------------------------- worked examples


@dataclass(frozen=True)
class ExampleFinding:
    clause: str
    title: str = ""
    verdict_label: str = ""


@dataclass(frozen=True)
class WorkedExample:
    """One scenario as the annotated edition prints it; verdict and findings are the checker's."""

    number: int
    anchor: str
    title: str
    verdict: str
    verdict_label: str
    story: str = ""
    summary: str = ""
    facts: tuple[tuple[str, str], ...] = ()  # (question, answer) as the checker words them
    findings: tuple[ExampleFinding, ...] = ()
    possible: tuple[ExampleFinding, ...] = ()
    open_questions: tuple[str, ...] = ()


class ExamplesError(Exception):
    """The checker could not produce the worked examples (e.g. a casebook verdict mismatch)."""


def worked_examples(policy: Policy) -> list[WorkedExample]:
    """The casebook's scenarios with the results the checker computes now, adapted for print.

    ``handbook.checkerdocs.worked_examples`` runs the casebook through ``policy5290.check`` and
    raises when a computed verdict differs from the casebook's: the build then fails.
    """
    from handbook import checkerdocs  # noqa: PLC0415 - imports the checker and its rulebook

    try:
        pairs = checkerdocs.worked_examples()
    except (checkerdocs.CasebookMismatch, SourceError) as exc:
        raise ExamplesError(f"worked examples: {exc}") from exc
    return [_example(i, case, result) for i, (case, result) in enumerate(pairs, start=1)]


def _finding(f: Mapping[str, Any]) -> ExampleFinding:
    return ExampleFinding(f["clause"]["id"], f["clause"]["title"], f["verdict_label"])


def _example(number: int, case: Mapping[str, Any], result: Mapping[str, Any]) -> WorkedExample:
    ident = str(case["id"])
    return WorkedExample(
        number=number,
        anchor="ex-" + re.sub(r"[^A-Za-z0-9_-]+", "-", ident),
        title=str(case.get("title") or ident),
        verdict=result["verdict"],
        verdict_label=result["verdict_label"],
        story=" ".join(str(case.get("story", "")).split()),
        summary=result["summary"],
        facts=tuple((a["question"], a["answer_label"]) for a in result["answers"]),
        findings=tuple(_finding(f) for f in result["findings"]),
        possible=tuple(_finding(f) for f in result["possible_findings"]),
        open_questions=tuple(q["question"] for q in result["open_questions"]),
    )


def verdict_scale() -> list[str]:
    """The checker's verdict labels, worst first (read from the checker, not restated here)."""
    from policy5290.model import VERDICT_LABELS, VERDICTS  # noqa: PLC0415

    return [VERDICT_LABELS[v] for v in VERDICTS]


# --------------------------------------------------------------------------- HTML


_CLAUSE_REF = re.compile(r"\b\d+(?:\.[a-z][a-z0-9_-]*)(?:\.\d+)+\b")
_INLINE = re.compile(
    r"\*\*(?P<b>.+?)\*\*|\*(?P<i>[^*]+?)\*|`(?P<c>[^`]+)`|\[(?P<t>[^\]]+)\]\((?P<u>[^)\s]+)\)"
)


def _inline_markup(text: str, anchors: Mapping[str, str]) -> str:
    """The little Markdown our YAML prose uses (bold, italic, code, links), HTML-escaped.

    Links to other handbook pages make no sense on paper and are reduced to their text;
    clause ids become links to the clause in this PDF.
    """
    out: list[str] = []
    pos = 0
    for match in _INLINE.finditer(text):
        out.append(_link_clause_ids(text[pos : match.start()], anchors))
        if match["b"] is not None:
            out.append(f"<strong>{_link_clause_ids(match['b'], anchors)}</strong>")
        elif match["i"] is not None:
            out.append(f"<em>{_link_clause_ids(match['i'], anchors)}</em>")
        elif match["c"] is not None:
            out.append(f"<code>{markupsafe.escape(match['c'])}</code>")
        else:
            label, url = match["t"], match["u"]
            if url.startswith("#") and url[1:] in anchors.values():
                out.append(f'<a href="{markupsafe.escape(url)}">{markupsafe.escape(label)}</a>')
            else:
                out.append(_link_clause_ids(label, anchors))
        pos = match.end()
    out.append(_link_clause_ids(text[pos:], anchors))
    return "".join(out)


def _link_clause_ids(text: str, anchors: Mapping[str, str]) -> str:
    parts: list[str] = []
    pos = 0
    for match in _CLAUSE_REF.finditer(text):
        ident = match.group(0)
        if ident not in anchors:
            continue
        parts.append(str(markupsafe.escape(text[pos : match.start()])))
        parts.append(f'<a class="cref" href="#{anchors[ident]}">{markupsafe.escape(ident)}</a>')
        pos = match.end()
    parts.append(str(markupsafe.escape(text[pos:])))
    return "".join(parts)


def _prose(anchors: Mapping[str, str]) -> Any:
    def prose(text: str, inline: bool = False) -> markupsafe.Markup:
        if inline:
            return markupsafe.Markup(_inline_markup(" ".join(text.split()), anchors))
        paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
        return markupsafe.Markup("".join(f"<p>{_inline_markup(p, anchors)}</p>" for p in paras))

    return prose


def css_string(value: str) -> markupsafe.Markup:
    """A CSS string literal (for ``content:`` in the page margins)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return markupsafe.Markup(f'"{escaped}"'.replace("<", "\\3c "))


def _environment(anchors: Mapping[str, str]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["prose"] = _prose(anchors)
    return env


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


def render_html(
    policy: Policy,
    edition: str,
    *,
    timestamp: dt.datetime,
    examples: Sequence[WorkedExample] | None = None,
    cid_shifts: Mapping[str, int] | None = None,
) -> str:
    """The HTML of one edition, ready for WeasyPrint.

    ``cid_shifts`` moves a clause id down by that many lines in the margin (when two clauses
    begin on one line; see ``render_edition``).
    """
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r} (expected one of {', '.join(EDITIONS)})")
    clauses: list[Clause] = list(policy.clauses())
    anchors = {c.id: c.anchor for c in clauses}
    adopted = format_date(policy.adopted)
    revisions = [format_date(r.date) for r in policy.revisions]
    revised = "; ".join(revisions) if revisions else "No revision recorded"
    toc = _section_toc(policy, clauses=edition == "annotated")
    toc.append(TocEntry("history", "Policy History"))
    context: dict[str, Any] = {
        "policy": policy,
        "edition": edition,
        "edition_name": EDITION_NAMES[edition],
        "adopted": adopted,
        "revised": revised,
        "revision_dates": revisions,
        "first_clause": clauses[0],
        "anchors": anchors,
        "cid_shifts": dict(cid_shifts or {}),
        "commentary_label": COMMENTARY_LABEL,
        "timestamp": timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "header_left": f"{policy.series} {policy.number} \u00b7 {policy.title}",
        "footer_left": f"{policy.district} \u00b7 Adopted {adopted} \u00b7 "
        + (f"Revised {revised}" if revisions else "No revision recorded"),
        "keywords": [
            f"Policy {policy.number}",
            policy.district,
            "social media",
            "employees",
            policy.series.lower(),
        ],
    }
    if edition == "official":
        context |= {
            "doc_title": f"{policy.full_title} (official text)",
            "description": f"{policy.district} {policy.series} {policy.number}: the adopted text of "
            f'"{policy.title}" (adopted {adopted}), with no commentary.',
            "header_right": "Official text",
            "toc": toc,
        }
    else:
        examples = list(examples or ())
        by_clause: dict[str, list[WorkedExample]] = {}
        for ex in examples:
            for f in (*ex.findings, *ex.possible):
                if ex not in by_clause.setdefault(f.clause, []):
                    by_clause[f.clause].append(ex)
        cited_by = {ref: [c.id for c in clauses if ref in c.refs] for ref in policy.references}
        toc += [
            TocEntry("glossary", "Glossary", "(commentary)", part=True),
            TocEntry("references", "References", "(commentary)"),
        ]
        if examples:
            toc.append(TocEntry("examples", "Worked examples", "(computed by the checker)"))
        context |= {
            "doc_title": f"{policy.full_title} (annotated handbook)",
            "description": f"{policy.district} {policy.series} {policy.number}, "
            f'"{policy.title}": the official text clause by clause with commentary '
            "(labelled, not official policy text), glossary, references"
            + (" and worked examples." if examples else "."),
            "header_right": "Annotated handbook edition",
            "toc": toc,
            "official_file": edition_filename(policy, "official"),
            "examples": examples,
            "examples_by_clause": by_clause,
            "cited_by": cited_by,
            "verdict_scale": verdict_scale() if examples else [],
        }
        context["keywords"].append("commentary")
        context["footer_left"] += "\nTinted boxes are commentary, not official policy text"
    template = _environment(anchors).get_template(f"{edition}.html.j2")
    return template.render(context)


# --------------------------------------------------------------------------- PDF


def source_date() -> dt.datetime:
    """``SOURCE_DATE_EPOCH``, else the last commit's time, else now (UTC)."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        try:
            raw = subprocess.run(
                ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            raw = ""
    if raw.isdigit():
        return dt.datetime.fromtimestamp(int(raw), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """WeasyPrint may read local files (the stylesheet) and nothing else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings (unsupported CSS, broken links) instead of printing them."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


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
    with _weasyprint_warnings() as warnings:
        # The template links print.css (author origin, so it can style the page margins).
        document = weasyprint.HTML(
            string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=fetcher
        ).render()
        identifier = hashlib.sha256(
            (html + STYLESHEET.read_text(encoding="utf-8") + weasyprint.__version__).encode()
        ).hexdigest()[:32]
        data: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=identifier.encode())
    return data, document, list(warnings)


def render_edition(
    policy: Policy,
    edition: str,
    *,
    timestamp: dt.datetime,
    examples: Sequence[WorkedExample] | None = None,
) -> tuple[bytes, Any, list[str]]:
    """Render one edition; when two clauses begin on one line, stack their margin ids and re-render."""
    shifts: dict[str, int] = {}
    for _ in range(5):
        html = render_html(policy, edition, timestamp=timestamp, examples=examples, cid_shifts=shifts)
        data, document, warnings = render_pdf(html)
        moved = _collisions(clause_id_positions(document), shifts)
        if not moved:
            return data, document, warnings
        shifts |= moved
    return data, document, [*warnings, f"warning: clause ids still overlap in the margin: {sorted(moved)}"]


def build_editions(
    outdir: Path,
    policy: Policy | None = None,
    editions: Sequence[str] = EDITIONS,
) -> list[Built]:
    """Render the editions into ``outdir``; returns what each produced."""
    policy = policy or load_policy()
    timestamp = source_date()
    examples = worked_examples(policy) if "annotated" in editions else None
    built: list[Built] = []
    for edition in editions:
        start = time.perf_counter()
        data, document, warnings = render_edition(policy, edition, timestamp=timestamp, examples=examples)
        path = outdir / edition_filename(policy, edition)
        write_atomic(path, data)
        built.append(
            Built(edition, path, len(document.pages), len(data), time.perf_counter() - start, warnings)
        )
    return built


def bench_pdf(editions: Sequence[str] = EDITIONS) -> dict[str, Any]:
    """Build the editions into a scratch directory; seconds, pages and bytes of each, and the total."""
    policy = load_policy()
    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
        start = time.perf_counter()
        built = build_editions(Path(tmp), policy, editions)
        total = time.perf_counter() - start
    figures: dict[str, Any] = {"pdf_total_seconds": round(total, 3)}
    for b in built:
        figures[f"pdf_{b.edition}_seconds"] = round(b.seconds, 3)
        figures[f"pdf_{b.edition}_pages"] = b.pages
        figures[f"pdf_{b.edition}_bytes"] = b.size
    return figures


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print(
            "usage: python -m handbook pdf OUTDIR  (writes the official and annotated editions)",
            file=sys.stderr,
        )
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    try:
        built = build_editions(Path(argv[0]))
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except ExamplesError as exc:
        print(f"pdf: {exc}", file=sys.stderr)
        return 1
    status = 0
    for b in built:
        print(f"pdf: {b.path} ({b.pages} pages, {b.size / 1024:.0f} KiB, {b.seconds:.1f} s)")
        for warning in b.warnings:
            print(f"pdf: {b.edition}: WeasyPrint {warning}", file=sys.stderr)
            status = 1
    return status
