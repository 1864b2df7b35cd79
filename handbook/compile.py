"""``python -m handbook compile [--src DIR] [--out DIR]``: policy_src -> the checker's rulebook.

Validates the policy source and the checker's source (facts, rules, consequences, casebook),
then writes ``rulebook.json`` and ``scenario.schema.json`` into the checker package. Output is
deterministic (sorted keys), and each file is written to a temporary file and renamed, so a
reader never sees a half-written rulebook.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policy5290 import Checker
from policy5290.model import RULEBOOK_FORMAT, SCENARIO_FORMAT, Rulebook
from policy5290.validate import ScenarioError, read_scenario

from .errors import Problem, SourceError
from .files import write_atomic
from .paths import CHECKER_PKG, POLICY_DIR, display
from .rulesource import RuleSource, load_rule_source


def _values(fact: Mapping[str, Any]) -> list[dict[str, Any]]:
    if fact["type"] == "yes_no":
        return [{"id": True, "label": "Yes"}, {"id": False, "label": "No"}]
    return [{"id": v["id"], "label": v["label"]} for v in fact["values"]]


def build_rulebook(src: RuleSource) -> dict[str, Any]:
    """The rulebook data shipped in the checker package (format ``policy5290.rulebook/1``)."""
    policy = src.policy
    facts = []
    for f in src.facts:
        d = f.data
        item = {
            "id": d["id"],
            "type": d["type"],
            "question": " ".join(d["question"].split()),
            "help": " ".join(d["help"].split()),
            "values": _values(d),
        }
        if "asked_when" in d:
            item["asked_when"] = d["asked_when"]
        facts.append(item)
    rules = []
    for r in src.rules:
        d = r.data
        rules.append(
            {
                "id": d["id"],
                "clause": d["clause"],
                "verdict": d["verdict"],
                "when": d["when"],
                "explanation": " ".join(d["explanation"].split()),
                "obligations": [" ".join(o.split()) for o in d.get("obligations", ())],
                "consequences": list(d.get("consequences", ())),
                "overrides": list(d.get("overrides", ())),
            }
        )
    clauses = {
        c.id: {
            "id": c.id,
            "title": c.title,
            "kind": c.kind,
            "words": c.text,
            "url": f"sections/{c.section}/#{c.anchor}",
            "section": c.section,
        }
        for c in policy.clauses()
    }
    consequences = {
        c.data["id"]: {
            "id": c.data["id"],
            "clause": c.data["clause"],
            "text": " ".join(c.data["text"].split()),
        }
        for c in src.consequences
    }
    return {
        "format": RULEBOOK_FORMAT,
        "policy": {
            "number": policy.number,
            "title": policy.title,
            "district": policy.district,
            "state": policy.state,
            "adopted": policy.adopted.isoformat(),
        },
        "facts": facts,
        "rules": rules,
        "clauses": clauses,
        "consequences": consequences,
    }


def scenario_schema(book: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Schema of scenarios, generated from the facts."""
    props: dict[str, Any] = {}
    for f in book["facts"]:
        desc = f["question"]
        if f.get("asked_when"):
            desc += " (asked only when it applies; see policy5290 --facts)"
        if f["type"] == "yes_no":
            props[f["id"]] = {"type": ["boolean", "null"], "description": desc}
        else:
            props[f["id"]] = {"enum": [*(v["id"] for v in f["values"]), None], "description": desc}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "scenario.schema.json",
        "title": f"A scenario for the Policy {book['policy']['number']} checker ({SCENARIO_FORMAT})",
        "description": (
            "facts: fact id -> answer; an absent fact or null is unknown. An answer to a question that does "
            "not apply given the other answers (see each fact's asked_when) is rejected as contradictory."
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


def _casebook_problems(src: RuleSource, book: Mapping[str, Any]) -> list[Problem]:
    checker = Checker(Rulebook.from_data(book))
    problems = []
    for case in src.casebook:
        try:
            read_scenario(checker, {"facts": case.data["facts"]})
        except ScenarioError as exc:
            problems += [case.problem(f"scenario {case.data['id']!r}: {p}", "facts") for p in exc.problems]
    return problems


def dumps(data: Any) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def compile_rulebook(policy_dir: Path = POLICY_DIR, out_dir: Path = CHECKER_PKG) -> dict[str, Any]:
    """Validate and compile; write rulebook.json and scenario.schema.json into ``out_dir``."""
    src = load_rule_source(policy_dir)
    book = build_rulebook(src)
    problems = _casebook_problems(src, book)
    if problems:
        raise SourceError(problems)
    write_atomic(out_dir / "rulebook.json", dumps(book))
    write_atomic(out_dir / "scenario.schema.json", dumps(scenario_schema(book)))
    return book


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook compile", description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, default=POLICY_DIR, help="policy source directory")
    parser.add_argument("--out", type=Path, default=CHECKER_PKG, help="where to write rulebook.json")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        book = compile_rulebook(args.src, args.out)
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    ms = (time.perf_counter() - start) * 1000
    print(
        f"rulebook compiled: {len(book['facts'])} facts, {len(book['rules'])} rules, "
        f"{len(book['clauses'])} clauses -> {display(args.out / 'rulebook.json')} ({ms:.0f} ms)"
    )
    return 0
