"""A page that carries its own stylesheets (handbook/site/inline_styles.py, front matter
``inline_styles: true``): the same rules in the page, and a clear error for a sheet that would break."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handbook.site.inline_styles import InlineStyleError, inline_stylesheets

SHEETS = {
    "assets/stylesheets/main.css": "body{color:red}\n/*# sourceMappingURL=main.css.map*/",
    "assets/checker/checker.css": ".pc-q{margin:0;background:url(data:image/svg+xml;base64,AA==)}",
}
PAGE = (
    '<head><link rel="stylesheet" href="../assets/stylesheets/main.css">\n'
    '<link rel="stylesheet" href="../assets/checker/checker.css">\n'
    '<link rel="manifest" href="../manifest.webmanifest"></head>'
)


def read(sheets: dict[str, str]) -> Callable[[str], str]:
    def reader(path: str) -> str:
        if path not in sheets:
            raise FileNotFoundError(2, "No such file or directory")
        return sheets[path]

    return reader


def test_each_linked_sheet_becomes_a_style_element_with_the_same_rules() -> None:
    out = inline_stylesheets(PAGE, "checker/index.html", read(SHEETS))
    assert 'rel="stylesheet"' not in out
    assert "<style>body{color:red}</style>" in out  # its source map's address was relative: gone
    assert "<style>.pc-q{margin:0;background:url(data:image/svg+xml;base64,AA==)}</style>" in out
    assert '<link rel="manifest" href="../manifest.webmanifest">' in out  # other links stay
    # in order, where the links were (the cascade is unchanged)
    assert out.index("color:red") < out.index(".pc-q")


@pytest.mark.parametrize(
    ("css", "problem"),
    [
        ("@font-face{src:url(fonts/a.woff2)}", "refers to other files"),
        ("@import 'other.css';", "refers to other files"),
        ("a::after{content:'</style>'}", "</style"),
    ],
)
def test_a_sheet_that_would_break_in_the_page_is_refused_by_name(css: str, problem: str) -> None:
    sheets = {**SHEETS, "assets/checker/checker.css": css}
    with pytest.raises(InlineStyleError) as raised:
        inline_stylesheets(PAGE, "checker/index.html", read(sheets))
    assert str(raised.value).startswith("checker/index.html: stylesheet ../assets/checker/checker.css: ")
    assert problem in str(raised.value)


@pytest.mark.parametrize(
    ("href", "problem"),
    [
        ("https://fonts.example/css", "only the site's own stylesheets"),
        ("../../outside.css", "outside the site"),
        ("../assets/missing.css", "cannot be read"),
    ],
)
def test_a_sheet_that_is_not_the_sites_own_file_is_refused(href: str, problem: str) -> None:
    page = f'<link rel="stylesheet" href="{href}">'
    with pytest.raises(InlineStyleError, match=problem):
        inline_stylesheets(page, "checker/index.html", read(SHEETS))
