"""The form of a clause id (``<policy number>.<section id>.<n>[.<n>...]``): one definition, the
shared schema's (``policy_src/schema/defs.schema.json``), read from there."""

from __future__ import annotations

import functools
import re

from .schemas import schema


@functools.cache
def clause_id_form() -> str:
    """The clause id's regular expression, without anchors."""
    pattern: str = schema("defs")["$defs"]["clauseId"]["pattern"]
    return pattern.removeprefix("^").removesuffix("$")


@functools.cache
def clause_id_in_text() -> re.Pattern[str]:
    """A clause id where prose mentions one: not inside a longer word, path or fragment."""
    return re.compile(r"(?<![\w./#-])(" + clause_id_form() + r")(?![\w-])")


def clause_prefix(number: str, section_id: str) -> str:
    """What every id of a section's clauses starts with."""
    return f"{number}.{section_id}."
