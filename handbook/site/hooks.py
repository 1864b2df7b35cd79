"""MkDocs hooks (``mkdocs.yml``: ``hooks: [handbook/site/hooks.py]``): the site's identity, its
navigation and its section pages, all generated from the policy being rendered.

* ``on_config``: the site's name, description and footer, the PDF links and the navigation, from
  the bundle (the policy's own section list; nothing is kept by hand in mkdocs.yml);
* ``on_files``: one generated page per section (``sections/<id>.md``, a call of ``section_page``);
* ``on_post_page``: valid HTML where Material's own markup is not (Nu Html Checker errors):
  ``autocomplete="off"`` on its toggle checkboxes and ``tabindex=""`` on navigation labels; and a
  page with ``inline_styles: true`` in its front matter carries its stylesheets (``inline_styles``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from handbook.common import urls
from handbook.render import labels
from handbook.site import session
from handbook.site.inline_styles import InlineStyleError, inline_stylesheets
from handbook.source.errors import SourceError

#: The pages of docs/ in the navigation, around the generated section pages.
NAV_HEAD = [{"Home": "index.md"}, {"Official text": "official.md"}]
NAV_CHECKER = {
    "Checker": [
        {"Check your situation": "checker.md"},
        {"Worked examples": "examples.md"},
        # for the curious, out of the main reading path
        {"How the checker works": [{"Questions the checker asks": "facts.md"}]},
    ]
}
NAV_TAIL = [
    {"Glossary and references": "glossary.md"},
    {"Policy history": "history.md"},
    {"About": "about.md"},
]
EDITIONS = (("official", "official text"), ("annotated", "annotated handbook"))


def _bundle() -> Any:
    try:
        return session.current()
    except SourceError as exc:
        raise PluginError(exc.report()) from None


def on_config(config: MkDocsConfig, **kwargs: Any) -> MkDocsConfig:
    policy = _bundle().policy
    config.site_name = labels.site_name(policy)
    config.site_description = (
        f"{policy.district} Policy {policy.number}, {policy.title}: the official text, clause by clause, "
        "with plain-language commentary."
    )
    config.copyright = (
        f"The official text is {policy.district} Policy {policy.number}. "
        "Commentary is ours and is not policy."
    )
    sections = [urls.section_source(s.id) for s in policy.sections]
    config.nav = [*NAV_HEAD, {"Annotated handbook": sections}, NAV_CHECKER, *NAV_TAIL]
    config.extra["handbook"] = {
        "pdfs": [{"url": urls.pdf_url(policy.number, e), "label": label} for e, label in EDITIONS],
        "fictional": labels.FICTIONAL if policy.fictional else "",
    }
    return config


def on_files(files: Files, config: MkDocsConfig, **kwargs: Any) -> Files:
    for section in _bundle().policy.sections:
        source = urls.section_source(section.id)
        content = f'{{{{ section_page("{section.id}") }}}}\n'
        files.append(File.generated(config, source, content=content))
    return files


_CHECKBOX_AUTOCOMPLETE = re.compile(r'(<input\b[^>]*?\btype="checkbox"[^>]*?)\s+autocomplete="off"')
_EMPTY_TABINDEX = re.compile(r'\s+tabindex=""')


def valid_html(html: str) -> str:
    return _EMPTY_TABINDEX.sub("", _CHECKBOX_AUTOCOMPLETE.sub(r"\1", html))


def on_post_page(output: str, *, page: Page, config: MkDocsConfig, **kwargs: Any) -> str:
    if page.meta.get("inline_styles"):
        site = Path(config.site_dir)

        def read(path: str) -> str:
            return (site / path).read_text("utf-8")

        try:
            output = inline_stylesheets(output, page.file.dest_uri, read)
        except InlineStyleError as exc:
            raise PluginError(str(exc)) from None
    return valid_html(output)


def on_post_template(output_content: str, **kwargs: Any) -> str:  # 404.html
    return valid_html(output_content)
