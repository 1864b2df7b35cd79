"""A page's stylesheets written into the page itself (front matter ``inline_styles: true``).

On a slow phone every stylesheet a page links costs a round trip after the page has arrived, and
the browser shows nothing until they are all in. A page that must show at once (the checker's:
its questions can be answered before any script runs) carries its styles instead. The files stay
where they are for every other page; the Content-Security-Policy allows the inlined styles by
their hashes (``handbook/publish/headers.py`` collects every inline ``<style>``).

``inline_stylesheets`` is a pure function of the page's HTML and a reader of the site's files, so
the hook (``hooks.on_post_page``) and the tests use the same code.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

#: how MkDocs, Material and our pages link a stylesheet
_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
#: what would stop working once the text is moved into the page: a file named relative to the sheet
_REFERENCE = re.compile(r"url\(\s*(?![\"']?data:)|@import", re.IGNORECASE)
#: the source map's address is relative to the sheet, and only developer tools fetch it
_SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/")
STYLE = "<style>{css}</style>"


class InlineStyleError(ValueError):
    """A stylesheet that cannot be written into the page; the message names the page and the file."""


def inline_stylesheets(html: str, page_path: str, read: Callable[[str], str]) -> str:
    """``html`` (the page at ``page_path``, relative to the site root) with each stylesheet it
    links from the site replaced by a ``<style>`` element holding the same rules.

    ``read(path)`` returns the text of a file of the site (path relative to the site root)."""
    page_dir = posixpath.dirname(page_path)

    def inline(match: re.Match[str]) -> str:
        href = match.group(1)
        where = f"{page_path}: stylesheet {href}"
        if "//" in href or href.startswith("/"):
            raise InlineStyleError(f"{where}: only the site's own stylesheets can be written into a page")
        path = posixpath.normpath(posixpath.join(page_dir, href))
        if path.startswith("../"):
            raise InlineStyleError(f"{where}: outside the site")
        try:
            css = _SOURCE_MAP.sub("", read(path))
        except OSError as exc:
            raise InlineStyleError(f"{where}: cannot be read ({exc.strerror or exc})") from None
        if _REFERENCE.search(css):
            raise InlineStyleError(f"{where}: refers to other files (url() or @import): they would break")
        if "</style" in css.lower():
            raise InlineStyleError(f"{where}: contains '</style', which would end the page's <style> early")
        return STYLE.format(css=css.strip())

    return _LINK.sub(inline, html)
