"""MkDocs macros (``mkdocs.yml``: ``module_name: handbook/site/macros``): the pages in ``docs/``
call these, and every word of policy text comes from the bundle being rendered.

Thin wrappers only: each passes the bundle (``session.current()``) and the current page's URL to a
pure function of ``pages`` or ``checkerdocs``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mkdocs.exceptions import PluginError

from handbook.render import labels
from handbook.site import checkerdocs, pages, session
from handbook.source.errors import SourceError
from handbook.source.fidelity import format_date


def _page_url(env: Any) -> str:
    """URL of the page being rendered, relative to the site root (``""`` for the home page)."""
    page = getattr(env, "page", None)
    return str(page.url) if page is not None else ""


def define_env(env: Any) -> None:
    try:
        bundle = session.current()
    except SourceError as exc:
        raise PluginError(exc.report()) from None
    policy = bundle.policy
    env.variables["policy"] = policy
    env.variables["adopted"] = format_date(policy.adopted)
    env.variables["commentary_label"] = labels.COMMENTARY
    env.variables["reading_label"] = labels.READING
    env.variables["example_clause"] = next(c.id for c in policy.clauses() if c.number is not None)
    env.variables["first_section"] = policy.sections[0].id

    def on_page(fn: Callable[..., str]) -> Callable[..., str]:
        def macro(*args: Any) -> str:
            return fn(bundle, *args, _page_url(env))

        macro.__name__ = fn.__name__
        macro.__doc__ = fn.__doc__
        return macro

    def plain(fn: Callable[..., str]) -> Callable[..., str]:
        def macro(*args: Any) -> str:
            return fn(bundle, *args)

        macro.__name__ = fn.__name__
        return macro

    with_page: tuple[Callable[..., str], ...] = (
        pages.official_document,
        pages.official_heading,
        pages.official_body,
        pages.section_page,
        pages.section_cards,
        pages.overview,
        pages.clause_link,
        pages.glossary_terms,
        pages.reference_list,
        checkerdocs.facts_page,
        checkerdocs.examples_page,
        checkerdocs.checker_starters,
        checkerdocs.checker_questions,
        checkerdocs.section_examples,
        checkerdocs.clause_checker,
    )
    for fn in with_page:
        env.macro(on_page(fn), fn.__name__)
    without_page: tuple[Callable[..., str], ...] = (
        pages.history_table,
        pages.revisions_note,
        pages.section_title,
    )
    for fn in without_page:
        env.macro(plain(fn), fn.__name__)
    env.macro(lambda: len(bundle.examples), "casebook_size")
