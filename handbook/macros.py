"""MkDocs macros: every handbook page reads the policy from policy_src through these.

The one macros module (``mkdocs.yml``: ``module_name: handbook/macros``). Pages in ``docs/``
hold only our framing prose and calls such as ``{{ section_page("contact") }}``; every word of
policy text comes from ``load_policy()``.

The render functions are small and pure: they take the Policy (and, for links, the URL of the
page being rendered) and return Markdown or HTML. ``define_env`` only registers thin wrappers
that pass the current page's URL. Links inside raw HTML are made relative to the page (MkDocs
does not rewrite them) and are checked by ``tests/test_site.py``.

Official words are wrapped in elements with the class ``hb-o``; everything we add to them
(clause ids, notes) carries a class the fidelity check of the built site skips.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import partial
from html import escape
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from handbook.errors import SourceError
from handbook.model import Block, Clause, ClauseCommentary, Policy, Section, Term
from handbook.official import format_date
from handbook.source import load_policy

COMMENTARY_LABEL = "Commentary (not official policy text)"

KIND_LABELS: dict[str, str] = {
    "purpose": "Purpose",
    "explanation": "Explanation",
    "prohibition": "Prohibition",
    "obligation": "Obligation",
    "permission": "Permission",
    "advice": "Advice",
    "consequence": "Consequence",
    "reservation": "Reservation of rights",
}

KIND_PLURALS: dict[str, str] = {
    "purpose": "purpose",
    "explanation": "explanation",
    "prohibition": "prohibitions",
    "obligation": "obligations",
    "permission": "permissions",
    "advice": "advice",
    "consequence": "consequences",
    "reservation": "reservations of rights",
}

# --------------------------------------------------------------------------------------------
# Site URLs (relative to the site root; a contract other parts of the project rely on)
# --------------------------------------------------------------------------------------------

OFFICIAL_URL = "official/"
GLOSSARY_URL = "glossary/"
HISTORY_URL = "history/"
CHECKER_URL = "checker/"


def section_url(section_id: str) -> str:
    return f"sections/{section_id}/"


def clause_url(clause: Clause) -> str:
    """The clause on its annotated section page."""
    return f"{section_url(clause.section)}#{clause.anchor}"


def official_clause_url(clause: Clause) -> str:
    return f"{OFFICIAL_URL}#{clause.anchor}"


def term_anchor(term: Term) -> str:
    return f"term-{term.id}"


def ref_anchor(ref_id: str) -> str:
    return f"ref-{ref_id}"


def relative(target: str, page_url: str) -> str:
    """``target`` (site-root relative, may end in ``#fragment``) as seen from ``page_url``."""
    path, hash_, fragment = target.partition("#")
    if path == page_url and fragment:
        return f"#{fragment}"
    url = get_relative_url(path, page_url)
    if path.endswith("/") or not path:
        url = url.rstrip("/") + "/"
    if url == "./" and not page_url:
        url = "./"
    return url + hash_ + fragment


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Text safe inside a Markdown heading or paragraph (no emphasis, links or HTML)."""
    return re.sub(r"([\\`*_\[\]<>#{}|])", r"\\\1", text)


def attr(text: str) -> str:
    return escape(text, quote=True)


def link(href: str, text: str, cls: str = "", title: str = "") -> str:
    extra = (f' class="{cls}"' if cls else "") + (f' title="{attr(title)}"' if title else "")
    return f'<a href="{attr(href)}"{extra}>{escape(text)}</a>'


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", " ".join(text.split()))
    return match.group(1) if match else text


def count_kinds(clauses: Iterable[Clause]) -> str:
    """``2 prohibitions, 1 obligation`` in the order kinds first appear."""
    counts: dict[str, int] = {}
    for clause in clauses:
        counts[clause.kind] = counts.get(clause.kind, 0) + 1
    parts = []
    for kind, n in counts.items():
        label = KIND_LABELS[kind].lower() if n == 1 else KIND_PLURALS[kind]
        parts.append(f"{n} {label}")
    return ", ".join(parts)


def clauses_naming(policy: Policy, ref_id: str) -> list[Clause]:
    return [c for c in policy.clauses() if ref_id in c.refs]


# --------------------------------------------------------------------------------------------
# Defined terms in official words
# --------------------------------------------------------------------------------------------


def term_pattern(terms: Iterable[Term]) -> re.Pattern[str] | None:
    """Every term and alias, exact case, whole words, longest first."""
    names = sorted({n for t in terms for n in (t.term, *t.aliases)}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")


def mark_terms(text: str, terms: tuple[Term, ...], page_url: str) -> str:
    """HTML of ``text`` with the first use of each defined term linked to the glossary.

    The link's title is the definition (Material shows it as a tooltip, on hover and on
    keyboard focus); the link itself leads to the glossary entry.
    """
    pattern = term_pattern(terms)
    if pattern is None:
        return escape(text)
    by_name = {n: t for t in terms for n in (t.term, *t.aliases)}
    out: list[str] = []
    seen: set[str] = set()
    pos = 0
    for match in pattern.finditer(text):
        term = by_name[match.group(1)]
        if term.id in seen:
            continue
        seen.add(term.id)
        out.append(escape(text[pos : match.start()]))
        href = relative(f"{GLOSSARY_URL}#{term_anchor(term)}", page_url)
        title = f"{term.term}: {term.definition} (our reading, not policy text)"
        out.append(link(href, match.group(1), "hb-term", title))
        pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)


CLAUSE_ID = re.compile(r"(?<![\w./#-])(\d+\.[a-z]+(?:\.\d+)+)(?![\w-])")


def link_clause_ids(markdown: str, policy: Policy, page_url: str) -> str:
    """Our prose with each clause id it mentions (``5290.personal.1``) linked to that clause."""

    def replace(match: re.Match[str]) -> str:
        try:
            clause = policy.clause(match.group(1))
        except KeyError:
            return match.group(0)
        return link(relative(clause_url(clause), page_url), clause.id, "hb-cref", clause.title)

    return CLAUSE_ID.sub(replace, markdown)


# --------------------------------------------------------------------------------------------
# The official text page
# --------------------------------------------------------------------------------------------


def clause_id_chip(clause: Clause) -> str:
    """The visible clause id, linking to the clause itself (not part of the adopted words)."""
    return (
        f'<a class="hb-cid" href="#{clause.anchor}" title="Link to clause {clause.id}">'
        f'<span class="hb-visually-hidden">Clause </span>{clause.id}</a>'
    )


def official_clause_span(clause: Clause) -> str:
    return (
        f'<span class="hb-clause" id="{clause.anchor}">{clause_id_chip(clause)} {escape(clause.text)}</span>'
    )


def official_block_html(block: Block, anchor: str = "") -> str:
    """One paragraph or numbered list of the adopted text (``anchor``: id for the element)."""
    id_attr = f' id="{anchor}"' if anchor else ""
    if block.kind == "paragraph":
        spans = " ".join(official_clause_span(c) for c in block.clauses)
        return f'<p class="hb-o"{id_attr}>{spans}</p>\n'
    items = "\n".join(
        f'<li value="{c.number}" id="{c.anchor}">{clause_id_chip(c)} {escape(c.text)}</li>'
        for c in block.clauses
    )
    return f'<ol class="hb-o hb-olist"{id_attr}>\n{items}\n</ol>\n'


def official_section(section: Section) -> str:
    """A section of the adopted text; one without a heading gets its anchor on its first block."""
    parts = []
    if section.heading:
        parts.append(f"## {md_escape(section.heading)} {{#{section.anchor} .hb-o}}\n")
    for i, block in enumerate(section.blocks):
        first_anchor = section.anchor if i == 0 and not section.heading else ""
        parts.append(official_block_html(block, first_anchor))
    return "\n".join(parts)


def official_history(policy: Policy) -> str:
    revised = "; ".join(format_date(r.date) for r in policy.revisions)
    revised_line = (
        f"Revised on: {escape(revised)}"
        if revised
        else 'Revised on <span class="hb-editorial">[left blank in the adopted text: no revision is '
        "recorded]</span>"
    )
    return (
        "## Policy History: {#policy-history .hb-o}\n\n"
        f'<p class="hb-o hb-history">Adopted on: {format_date(policy.adopted)}<br>\n{revised_line}</p>\n'
    )


def official_heading(policy: Policy) -> str:
    """The heading block of the adopted document: title line, district, series and number, title."""
    return (
        f"# {md_escape(policy.full_title)} {{#policy-title .hb-o}}\n\n"
        f'<p class="hb-o hb-doc-meta"><span>{escape(policy.district)} {escape(policy.series)} '
        f"{escape(policy.number)}</span><br>\n<span>{escape(policy.title)}</span></p>\n"
    )


def official_body(policy: Policy) -> str:
    """Every section of the adopted text, then its history, with an anchor and id per clause."""
    body = "\n".join(official_section(s) for s in policy.sections)
    return f"{body}\n{official_history(policy)}"


def official_document(policy: Policy) -> str:
    """The whole adopted document, heading block first."""
    return f"{official_heading(policy)}\n{official_body(policy)}"


# --------------------------------------------------------------------------------------------
# Annotated section pages
# --------------------------------------------------------------------------------------------


def official_block(policy: Policy, clause: Clause, page_url: str) -> str:
    """The clause's official words in a distinct block, with its id, kind and links."""
    words = mark_terms(clause.text, policy.glossary, page_url)
    if clause.number is not None:
        body = f'<ol class="hb-olist"><li value="{clause.number}">{words}</li></ol>'
    else:
        body = f"<p>{words}</p>"
    official = relative(official_clause_url(clause), page_url)
    return (
        f'<div class="hb-official" id="{clause.anchor}" role="group" '
        f'aria-label="Official text of clause {clause.id}">\n'
        f'<div class="hb-official__head">'
        f'<span class="hb-official__label">Official text</span> '
        f'<a class="hb-cid" href="#{clause.anchor}" title="Link to this clause">{clause.id}</a> '
        f'<span class="hb-kind hb-kind--{clause.kind}">{KIND_LABELS[clause.kind]}</span>'
        f'<button type="button" class="hb-copy" data-anchor="{clause.anchor}" hidden>Copy link</button>'
        f"</div>\n"
        f'<div class="hb-official__text">{body}</div>\n'
        f'<p class="hb-official__foot">{link(official, "In the full official text")}</p>\n'
        f"</div>\n"
    )


def clause_ref_links(policy: Policy, refs: Iterable[str], page_url: str) -> str:
    return ", ".join(
        link(relative(f"{GLOSSARY_URL}#{ref_anchor(r)}", page_url), policy.references[r].name) for r in refs
    )


def clause_title_link(policy: Policy, clause_id: str, page_url: str) -> str:
    clause = policy.clause(clause_id)
    return link(relative(clause_url(clause), page_url), f"{clause.id}: {clause.title}")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def commentary_div(body: Iterable[str], label: str = COMMENTARY_LABEL, cls: str = "", aria: str = "") -> str:
    """A labelled block of our own writing; its body is Markdown (md_in_html)."""
    classes = f"hb-commentary {cls}".strip()
    return "\n".join(
        [
            f'<div class="{classes}" role="note" aria-label="{attr(aria or label)}" markdown="1">',
            f'<p class="hb-commentary__label">{escape(label)}</p>',
            "",
            *body,
            "",
            "</div>",
            "",
        ]
    )


def commentary_block(policy: Policy, clause: Clause, page_url: str) -> str:
    """Our commentary on one clause, labelled as not official (Markdown inside, md_in_html)."""
    note = policy.clause_commentary(clause.id)
    parts = [link_clause_ids(line, policy, page_url) for line in commentary_body(note)]
    if clause.refs:
        refs = clause_ref_links(policy, clause.refs, page_url)
        parts += [
            f'<p class="hb-commentary__refs"><strong>Sources this clause names:</strong> {refs}</p>',
            "",
        ]
    if note and note.related:
        related = ", ".join(clause_title_link(policy, r, page_url) for r in note.related)
        parts += [f'<p class="hb-commentary__related"><strong>Related clauses:</strong> {related}</p>', ""]
    return commentary_div(parts, aria=f"{COMMENTARY_LABEL}, clause {clause.id}")


def commentary_body(note: ClauseCommentary | None) -> list[str]:
    if note is None:
        return [
            '<p class="hb-commentary__missing">Commentary on this clause has not been written yet.</p>',
            "",
        ]
    parts = ["**In plain words.** " + note.summary, "", "**Why it matters.** " + note.why, ""]
    if note.examples:
        parts += ["**Examples**", ""]
        parts += ["- " + e.replace("\n", "\n  ") for e in note.examples]
        parts.append("")
    return parts


def clause_entry(policy: Policy, clause: Clause, page_url: str) -> str:
    heading = f'## {md_escape(clause.title)} {{#h-{clause.anchor[2:]} data-toc-label="{attr(clause.title)}"}}'
    from handbook import checkerdocs  # noqa: PLC0415 - reads the compiled rulebook

    return "\n".join(
        [
            heading,
            "",
            official_block(policy, clause, page_url),
            commentary_block(policy, clause, page_url),
            checkerdocs.clause_checker(clause.id, page_url),
        ]
    )


def section_intro(policy: Policy, section: Section, page_url: str) -> str:
    position = policy.sections.index(section) + 1
    official = link(relative(f"{OFFICIAL_URL}#{section.anchor}", page_url), "Read it in the official text")
    heading_note = (
        "The policy gives this opening paragraph no heading; the handbook calls it “Purpose”. "
        if section.heading is None
        else ""
    )
    meta = (
        f'<p class="hb-section-meta">Section {position} of {len(policy.sections)} of Policy '
        f"{escape(policy.number)} · {plural(len(section.clauses), 'clause')} "
        f"({count_kinds(section.clauses)}) · {heading_note}{official}</p>\n"
    )
    note = policy.commentary.get(section.id)
    if note is None:
        return meta
    return (
        meta
        + "\n"
        + commentary_div([link_clause_ids(note.intro, policy, page_url)], cls="hb-commentary--intro")
    )


def section_page(policy: Policy, section_id: str, page_url: str) -> str:
    """A whole annotated section page: heading, intro, then each clause and its commentary."""
    section = policy.section(section_id)
    head = (
        f"# {md_escape(section.title)} {{#{section.anchor}}}\n\n{section_intro(policy, section, page_url)}\n"
    )
    from handbook import checkerdocs  # noqa: PLC0415 - runs the checker on the casebook

    body = "\n".join(clause_entry(policy, c, page_url) for c in section.clauses)
    examples = checkerdocs.section_examples(section_id, page_url=page_url, level="###")
    if examples.strip():
        body += "\n\n## Worked examples {#worked-examples}\n\n" + examples
    return head + body


# --------------------------------------------------------------------------------------------
# Home, glossary and references, history
# --------------------------------------------------------------------------------------------


def section_cards(policy: Policy, page_url: str) -> str:
    """One Material card per section: title, clause count and kinds, our one-line summary."""
    cards = []
    for n, section in enumerate(policy.sections, 1):
        note = policy.commentary.get(section.id)
        summary = f"<p>{escape(first_sentence(note.intro))}</p>" if note else ""
        cards.append(
            "<li>"
            f'<p class="hb-card__title"><span class="hb-card__n">{n}</span> '
            f"{link(relative(section_url(section.id), page_url), section.title)}</p>"
            f"{summary}"
            f'<p class="hb-card__meta">{plural(len(section.clauses), "clause")}: '
            f"{count_kinds(section.clauses)}</p>"
            "</li>"
        )
    return '<div class="grid cards hb-cards">\n<ul>\n' + "\n".join(cards) + "\n</ul>\n</div>\n"


def clause_link(policy: Policy, clause_id: str, page_url: str, official: bool = False) -> str:
    clause = policy.clause(clause_id)
    target = official_clause_url(clause) if official else clause_url(clause)
    return link(relative(target, page_url), clause.id, "hb-cref", clause.title)


def glossary_terms(policy: Policy, page_url: str) -> str:
    """Each defined term with our reading, where the policy uses it, and related references."""
    entries = []
    for term in sorted(policy.glossary, key=lambda t: t.term.lower()):
        lines = [f"### {md_escape(term.term)} {{#{term_anchor(term)}}}", ""]
        if term.aliases:
            aliases = ", ".join(escape(a) for a in term.aliases)
            lines += [f'<p class="hb-aliases">Also written: {aliases}</p>', ""]
        lines.append(
            commentary_div(
                [link_clause_ids(term.definition, policy, page_url)],
                "Our reading (not an official definition)",
                "hb-term-def",
            )
        )
        used = ", ".join(clause_link(policy, c, page_url) for c in term.clauses)
        if used:
            lines += [f'<p class="hb-used"><strong>Used in:</strong> {used}</p>', ""]
        if term.refs:
            refs = clause_ref_links(policy, term.refs, page_url)
            lines += [f'<p class="hb-used"><strong>See also:</strong> {refs}</p>', ""]
        entries.append("\n".join(lines))
    return "\n".join(entries)


def reference_list(policy: Policy, page_url: str) -> str:
    """Each source the policy names: our description and the clauses that name it."""
    entries = []
    for ref in policy.references.values():
        lines = [
            f"### {md_escape(ref.name)} {{#{ref_anchor(ref.id)}}}",
            "",
            commentary_div(
                [link_clause_ids(ref.description, policy, page_url)],
                "Our description (not official policy text)",
                "hb-ref-def",
            ),
        ]
        naming = ", ".join(clause_link(policy, c.id, page_url) for c in clauses_naming(policy, ref.id))
        if naming:
            lines += [f'<p class="hb-used"><strong>Named in:</strong> {naming}</p>', ""]
        entries.append("\n".join(lines))
    return "\n".join(entries)


def history_table(policy: Policy) -> str:
    rows = [f"| {format_date(policy.adopted)} | Adopted | The text this handbook reproduces |"]
    rows += [f"| {format_date(r.date)} | Revised | {md_escape(r.summary)} |" for r in policy.revisions]
    return "\n".join(["| Date | Event | Notes |", "| --- | --- | --- |", *rows]) + "\n"


def revisions_note(policy: Policy) -> str:
    if policy.revisions:
        n = len(policy.revisions)
        return f"{n} revision{'s are' if n != 1 else ' is'} recorded."
    return (
        "No revision is recorded. The adopted text ends with a “Revised on” line that is left blank; "
        "the handbook reads that as: the policy has not been revised since its adoption."
    )


# --------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------

#: Functions ``(env, policy) -> None`` that register more macros; see the block at the end.
EXTENSIONS: list[Callable[[Any, Policy], None]] = []


def extension(fn: Callable[[Any, Policy], None]) -> Callable[[Any, Policy], None]:
    """Decorator for macro groups defined later in this module (called by define_env)."""
    EXTENSIONS.append(fn)
    return fn


def page_url(env: Any) -> str:
    """URL of the page being rendered, relative to the site root (``""`` for the home page)."""
    page = getattr(env, "page", None)
    return str(page.url) if page is not None else ""


def load() -> Policy:
    """The validated policy, or a PluginError carrying the SourceError report (no traceback)."""
    try:
        return load_policy()
    except SourceError as exc:
        raise PluginError(exc.report()) from None


def define_env(env: Any) -> None:
    policy = load()
    env.variables["policy"] = policy
    env.variables["adopted"] = format_date(policy.adopted)
    env.variables["commentary_label"] = COMMENTARY_LABEL

    def with_page(fn: Callable[..., str]) -> Callable[..., str]:
        def macro(*args: Any, **kwargs: Any) -> str:
            return fn(policy, *args, page_url=page_url(env), **kwargs)

        macro.__name__ = fn.__name__
        macro.__doc__ = fn.__doc__
        return macro

    env.macro(partial(official_document, policy), "official_document")
    env.macro(partial(official_heading, policy), "official_heading")
    env.macro(partial(official_body, policy), "official_body")
    env.macro(with_page(section_page), "section_page")
    env.macro(with_page(section_cards), "section_cards")
    env.macro(with_page(clause_link), "clause_link")
    env.macro(with_page(glossary_terms), "glossary_terms")
    env.macro(with_page(reference_list), "reference_list")
    env.macro(partial(history_table, policy), "history_table")
    env.macro(partial(revisions_note, policy), "revisions_note")
    env.macro(lambda section_id: policy.section(section_id).title, "section_title")
    for register in EXTENSIONS:
        register(env, policy)


# ============================================================================================
# Checker macros (owned by the checker helper). Define functions below and register them with
# ``@extension``: ``def checker_macros(env: Any, policy: Policy) -> None: env.macro(...)``.
# ============================================================================================

# --- checker macros ---
# Pages about the checker (handbook/checkerdocs.py): the questions and rules per clause, the
# facts page and the worked examples, whose verdicts the checker computes during the build (a
# verdict that differs from the casebook's expectation fails the build).


@extension
def checker_macros(env: Any, policy: Policy) -> None:
    from handbook import checkerdocs  # noqa: PLC0415 - imports the checker package

    checkerdocs.reset()

    def guarded(fn: Callable[..., str]) -> Callable[..., str]:
        def macro(*args: Any) -> str:
            try:
                return fn(*args, page_url=page_url(env))
            except checkerdocs.CasebookMismatch as exc:
                raise PluginError(str(exc)) from None
            except SourceError as exc:
                raise PluginError(exc.report()) from None

        macro.__name__ = fn.__name__
        macro.__doc__ = fn.__doc__
        return macro

    for fn in (
        checkerdocs.clause_checker,
        checkerdocs.clause_questions,
        checkerdocs.rule_in_words,
        checkerdocs.section_rules,
        checkerdocs.facts_page,
        checkerdocs.examples_page,
        checkerdocs.section_examples,
    ):
        env.macro(guarded(fn), fn.__name__)
    env.macro(lambda: len(checkerdocs.casebook_ids()), "casebook_size")


# --- end of checker macros ---
