"""The JSON Schema of a rulebook's scenarios, generated from its facts."""

from __future__ import annotations

from typing import Any

from .model import SCENARIO_FORMAT, Rulebook


def scenario_schema(book: Rulebook) -> dict[str, Any]:
    """The published JSON Schema of scenarios for ``book`` (draft 2020-12)."""
    props: dict[str, Any] = {}
    for f in book.facts:
        desc = f.question
        if f.asked_when:
            desc += " (asked only when it applies; see `policycheck POLICY --facts`)"
        if f.type == "yes_no":
            props[f.id] = {"type": ["boolean", "null"], "description": desc}
        elif f.type == "several_of":
            props[f.id] = {
                "type": ["array", "null"],
                "items": {"enum": list(f.value_ids)},
                "uniqueItems": True,
                "description": desc + " (a list: every value that applies, [] for none)",
            }
        else:
            props[f.id] = {"enum": [*f.value_ids, None], "description": desc}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "scenario.schema.json",
        "title": f"A scenario for the Policy {book.policy.number} checker ({SCENARIO_FORMAT})",
        "description": (
            'facts: fact id -> answer; an absent fact is not answered and null is "I don\'t know". '
            "An answer to a question that does not apply given the other answers (see each fact's asked_when)"
            " is rejected as contradictory."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["facts"],
        "properties": {
            "format": {"const": SCENARIO_FORMAT},
            "title": {"type": "string"},
            "facts": {"type": "object", "additionalProperties": False, "properties": props},
        },
    }
