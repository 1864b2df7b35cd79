"""MkDocs hook: make Material's own markup valid HTML (Nu Html Checker errors).

Material writes ``autocomplete="off"`` on its toggle checkboxes (not allowed on checkboxes)
and ``tabindex=""`` on navigation section labels (an empty tabindex is invalid). Dropping
both changes no behaviour we rely on, and keeps us from copying whole Material templates.
"""

from __future__ import annotations

import re
from typing import Any

_CHECKBOX_AUTOCOMPLETE = re.compile(r'(<input\b[^>]*?\btype="checkbox"[^>]*?)\s+autocomplete="off"')
_EMPTY_TABINDEX = re.compile(r'\s+tabindex=""')


def valid_html(html: str) -> str:
    return _EMPTY_TABINDEX.sub("", _CHECKBOX_AUTOCOMPLETE.sub(r"\1", html))


def on_post_page(output: str, **kwargs: Any) -> str:
    return valid_html(output)


def on_post_template(output_content: str, **kwargs: Any) -> str:  # 404.html
    return valid_html(output_content)
