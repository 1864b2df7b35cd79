"""A page that carries its own stylesheets (handbook/site/inline_styles.py, front matter
``inline_styles: true``): the same rules in the page, and a clear error for a sheet that would break."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handbook.site.inline_styles import ClassNames, InlineStyleError, inline_stylesheets, trim_rules

SHEETS = {
    "assets/stylesheets/main.css": "body{color:red}\n/*# sourceMappingURL=main.css.map*/",
    "assets/checker/checker.css": ".pc-q{margin:0;background:url(data:image/svg+xml;base64,AA==)}",
}
PAGE = (
    '<head><link rel="stylesheet" href="../assets/stylesheets/main.css">\n'
    '<link rel="stylesheet" href="../assets/checker/checker.css">\n'
    '<link rel="manifest" href="../manifest.webmanifest"></head>'
    '<body><fieldset class="pc-q"></fieldset></body>'
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
        ("https://fonts.example/css", "not one of the site's own files"),
        ("../../outside.css", "outside the site"),
        ("../assets/missing.css", "cannot be read"),
    ],
)
def test_a_sheet_that_is_not_the_sites_own_file_is_refused(href: str, problem: str) -> None:
    page = f'<link rel="stylesheet" href="{href}">'
    with pytest.raises(InlineStyleError, match=problem):
        inline_stylesheets(page, "checker/index.html", read(SHEETS))


def test_only_the_rules_that_can_apply_to_the_page_are_carried() -> None:
    names = ClassNames.of(
        '<p class="md-typeset pc-q">', ['el.className = `pc-v-${verdict}`; add("md-tooltip")']
    )
    css = (
        ".md-typeset p{margin:0}"  # a class of the page: kept
        ".md-typeset .md-annotation{color:red}"  # a class nothing gives: dropped
        ".md-tooltip,.md-clipboard{top:0}"  # one selector of the list can match: kept whole
        ".pc-v-no{border:red}"  # a class a script builds from its prefix: kept
        "a:not(.md-unused){color:blue}"  # inside :not() and the like: kept
        "@media screen{.md-annotation{x:y}.pc-q{x:z}}"  # inside @media: the same, rule by rule
        "@media print{.md-annotation{x:y}}"  # nothing left inside: dropped
        "@keyframes spin{0%{a:b}}@font-face{src:local(x)}"  # other at-rules stay whole
    )
    assert trim_rules(css, names) == (
        ".md-typeset p{margin:0}"
        ".md-tooltip,.md-clipboard{top:0}"
        ".pc-v-no{border:red}"
        "a:not(.md-unused){color:blue}"
        "@media screen{.pc-q{x:z}}"
        "@keyframes spin{0%{a:b}}@font-face{src:local(x)}"
    )


def test_the_scripts_a_page_loads_count_as_its_class_names() -> None:
    page = '<script src="../app.js"></script><link rel="stylesheet" href="../s.css">'
    files = {
        "app.js": 'x.classList.add("md-dialog--active")',
        "s.css": ".md-dialog--active{a:b}.md-other{c:d}",
    }
    assert inline_stylesheets(page, "checker/index.html", read(files)).endswith(
        "<style>.md-dialog--active{a:b}</style>"
    )
