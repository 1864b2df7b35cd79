"""Rendering shared by the web pages and the PDFs: one Jinja environment and one set of templates.

``templates/partials/`` holds what both media show (a clause with its commentary, a glossary
term, a reference, a worked example); ``templates/web/`` the web's own fragments; ``templates/pdf/``
the printed documents. A template gets ``policy`` and ``links`` (``links.WebLinks`` or
``links.PrintLinks``) in its context, plus ``medium`` ("web" or "print"), and never spells a URL.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from ..common import urls
from . import labels
from .prose import prose, resolver

TEMPLATES = Path(__file__).resolve().parent / "templates"


@jinja2.pass_context
def _prose(ctx: jinja2.runtime.Context, text: str, inline: bool = False) -> markupsafe.Markup:
    return prose(text, resolver(ctx["policy"], ctx["links"]), inline=inline)


def css_string(value: str) -> markupsafe.Markup:
    """A CSS string literal (for ``content:`` in the page margins)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return markupsafe.Markup(f'"{escaped}"'.replace("<", "\\3c "))


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["prose"] = _prose
    env.filters["css_string"] = css_string
    env.globals["labels"] = labels
    env.globals["urls"] = urls
    return env


def render(template: str, **context: Any) -> str:
    """The template rendered with this context (``policy``, ``links`` and ``medium`` at least)."""
    return environment().get_template(template).render(**context)
