"""A page's stylesheets written into the page itself (front matter ``inline_styles: true``).

On a slow phone every stylesheet a page links costs a round trip after the page has arrived, and
the browser shows nothing until they are all in. A page that must show at once (the checker's:
its questions can be answered before any script runs) carries its styles instead. The files stay
where they are for every other page; the Content-Security-Policy allows the inlined styles by
their hashes (``handbook/publish/headers.py`` collects every inline ``<style>``).

Only the rules that can apply to the page are carried (``trim_rules``): the theme's stylesheet
styles every feature of every page, and on a slow phone each rule costs the browser time before
the first paint. A rule goes only when every selector of it names a class that neither the page
nor any script it loads can give an element (tinycss2 reads the stylesheets).

``inline_stylesheets`` is a pure function of the page's HTML and a reader of the site's files, so
the hook (``hooks.on_post_page``) and the tests use the same code.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import tinycss2  # type: ignore[import-untyped]

#: how MkDocs, Material and our pages link a stylesheet, and the scripts they run
_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
_SCRIPT = re.compile(r'<(?:script\b[^>]*\bsrc|link rel="modulepreload" href)="([^"]+)"')
#: a word that may be a class name: in markup, in a script's strings
_WORD = re.compile(r"[A-Za-z_][\w-]*")
#: selectors whose classes need not all be there for the rule to apply: kept as they are
_FUNCTIONAL = {"not", "is", "where", "has", "matches", "-webkit-any", "-moz-any"}
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

    def site_file(href: str, what: str) -> str:
        where = f"{page_path}: {what} {href}"
        if "//" in href or href.startswith("/"):
            raise InlineStyleError(f"{where}: not one of the site's own files")
        path = posixpath.normpath(posixpath.join(page_dir, href))
        if path.startswith("../"):
            raise InlineStyleError(f"{where}: outside the site")
        try:
            return read(path)
        except OSError as exc:
            raise InlineStyleError(f"{where}: cannot be read ({exc.strerror or exc})") from None

    names = ClassNames.of(html, [site_file(src, "script") for src in _SCRIPT.findall(html)])

    def inline(match: re.Match[str]) -> str:
        href = match.group(1)
        where = f"{page_path}: stylesheet {href}"
        css = _SOURCE_MAP.sub("", site_file(href, "stylesheet"))
        if _REFERENCE.search(css):
            raise InlineStyleError(f"{where}: refers to other files (url() or @import): they would break")
        if "</style" in css.lower():
            raise InlineStyleError(f"{where}: contains '</style', which would end the page's <style> early")
        return STYLE.format(css=trim_rules(css, names).strip())

    return _LINK.sub(inline, html)


@dataclass(frozen=True)
class ClassNames:
    """The class names a page's elements can have: every word of its markup and of its scripts
    (a script may add any class it names; a word ending in "-" or "_" may begin one it builds,
    as in `pc-v-${verdict}`)."""

    words: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, html: str, scripts: Iterable[str]) -> ClassNames:
        words = set(_WORD.findall(html))
        for script in scripts:
            words.update(_WORD.findall(script))
        prefixes = tuple(sorted(w for w in words if w.endswith(("-", "_"))))
        return cls(frozenset(words), prefixes)

    def has(self, name: str) -> bool:
        return name in self.words or name.startswith(self.prefixes)


def _selectors(prelude: Sequence[Any]) -> list[list[Any]]:
    """A rule's selector list, split at its top-level commas."""
    out: list[list[Any]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            out.append([])
        else:
            out[-1].append(token)
    return out


def _can_apply(selector: list[Any], names: ClassNames) -> bool:
    for i, token in enumerate(selector):
        if token.type == "function" and token.lower_name in _FUNCTIONAL:
            return True  # not worth reasoning about: kept
        if token.type == "literal" and token.value == "." and i + 1 < len(selector):
            following = selector[i + 1]
            if following.type == "ident" and not names.has(following.value):
                return False
    return True


def trim_rules(css: str, names: ClassNames) -> str:
    """The rules of ``css`` that can apply to a page with these class names. A style rule goes
    when none of its selectors can match; ``@media`` and ``@supports`` keep the rules inside that
    can; every other at-rule (``@font-face``, ``@keyframes``, ``@page``...) stays whole."""

    def kept(rules: Iterable[Any]) -> str:
        out: list[str] = []
        for rule in rules:
            if rule.type == "error":
                raise InlineStyleError(f"the stylesheet cannot be read: {rule.message}")
            if rule.type == "qualified-rule":
                if any(_can_apply(sel, names) for sel in _selectors(rule.prelude)):
                    out.append(tinycss2.serialize([rule]))
            elif rule.type == "at-rule" and rule.lower_at_keyword in {"media", "supports"} and rule.content:
                inner = kept(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True))
                if inner:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
            else:
                out.append(tinycss2.serialize([rule]))
        return "".join(out)

    return kept(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))
