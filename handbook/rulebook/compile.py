"""A policy's rule source -> its rulebook (``policycheck.rulebook/1``), the data the generic
checker evaluates. Pure: the bundle calls it once; ``python -m handbook compile`` writes the result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policycheck import RULEBOOK_FORMAT

from ..common import urls
from ..source.model import Policy
from ..source.rules import RuleSource, consequence_refs


def _words(text: str) -> str:
    return " ".join(text.split())


def _values(fact: Mapping[str, Any]) -> list[dict[str, Any]]:
    if fact["type"] == "yes_no":
        return [
            {"id": True, "label": "Yes", "says": _words(fact["yes"])},
            {"id": False, "label": "No", "says": _words(fact["no"])},
        ]
    return [{"id": v["id"], "label": v["label"], "says": _words(v["says"])} for v in fact["values"]]


def build_rulebook(policy: Policy, src: RuleSource) -> dict[str, Any]:
    """The rulebook data: the policy's identity, facts, rules, clauses and consequences."""
    facts = []
    for f in src.facts:
        d = f.data
        item = {
            "id": d["id"],
            "type": d["type"],
            "question": _words(d["question"]),
            "help": _words(d["help"]),
            "topic": _words(d["topic"]),
            "values": _values(d),
        }
        if "asked_when" in d:
            item["asked_when"] = d["asked_when"]
        if "none" in d:
            item["none_says"] = _words(d["none"])
        facts.append(item)
    rules = [
        {
            "id": d["id"],
            "clause": d["clause"],
            "verdict": d["verdict"],
            "when": d["when"],
            "headline": _words(d["headline"]),
            "explanation": _words(d["explanation"]),
            "obligations": [_words(o) for o in d.get("obligations", ())],
            "consequences": [{"id": c["id"], "if": _words(c["if"])} for c in consequence_refs(d)],
            "overrides": list(d.get("overrides", ())),
            "cites": list(d.get("cites", ())),
        }
        for d in (r.data for r in src.rules)
    ]
    notes = [
        {
            "id": n.data["id"],
            "when": n.data["when"],
            "text": _words(n.data["text"]),
            "clauses": n.data["clauses"],
        }
        for n in src.notes
    ]
    clauses = {
        c.id: {
            "id": c.id,
            "title": c.title,
            "kind": c.kind,
            "words": c.text,
            "url": urls.clause_url(c.id, c.section),
            "section": c.section,
        }
        for c in policy.clauses()
    }
    consequences = {
        c.data["id"]: {"id": c.data["id"], "clause": c.data["clause"], "text": _words(c.data["text"])}
        for c in src.consequences
    }
    identity: dict[str, Any] = {
        "number": policy.number,
        "title": policy.title,
        "district": policy.district,
        "state": policy.state,
        "adopted": policy.adopted.isoformat(),
        "text_sha256": policy.text_sha256,
    }
    if policy.fictional:
        identity["fictional"] = True
    return {
        "format": RULEBOOK_FORMAT,
        "policy": identity,
        "facts": facts,
        "rules": rules,
        "clauses": clauses,
        "consequences": consequences,
        "notes": notes,
    }


def dumps(data: Any) -> str:
    """Deterministic JSON for build outputs: sorted keys, UTF-8, one key a line."""
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
