"""The rulebook as typed, immutable data, and the verdict scale."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

#: The verdict scale, worst first. A rule never states ``depends``: it is computed.
VERDICTS: Final = ("not_permitted", "depends", "permitted_with_conditions", "caution", "permitted")
VERDICT_LABELS: Final[Mapping[str, str]] = {
    "not_permitted": "Not permitted",
    "depends": "It depends",
    "permitted_with_conditions": "Permitted with conditions",
    "caution": "Permitted, with caution",
    "permitted": "Permitted",
}
RANK: Final[Mapping[str, int]] = {v: i for i, v in enumerate(VERDICTS)}

RESULT_FORMAT: Final = "policy5290.result/1"
SCENARIO_FORMAT: Final = "policy5290.scenario/1"
RULEBOOK_FORMAT: Final = "policy5290.rulebook/1"

Answer = str | bool
#: A condition as written in policy_src: {fact, is} | {fact, in} | {all} | {any} | {not} | {rule}.
Condition = Mapping[str, Any]


@dataclass(frozen=True)
class Value:
    id: Answer
    label: str


@dataclass(frozen=True)
class Fact:
    id: str
    type: str  # "yes_no" | "one_of"
    question: str
    help: str
    values: tuple[Value, ...]
    asked_when: Condition | None = None

    def label(self, answer: Answer) -> str:
        for value in self.values:
            if value.id == answer:
                return value.label
        return str(answer)

    @functools.cached_property
    def value_ids(self) -> tuple[Answer, ...]:
        return tuple(v.id for v in self.values)


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    kind: str
    words: str
    url: str
    section: str


@dataclass(frozen=True)
class Consequence:
    id: str
    text: str
    clause: str


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    verdict: str
    when: Condition
    explanation: str
    obligations: tuple[str, ...] = ()
    consequences: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rulebook:
    policy: Mapping[str, str]
    facts: tuple[Fact, ...]
    rules: tuple[Rule, ...]
    clauses: Mapping[str, Clause]
    consequences: Mapping[str, Consequence]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Rulebook:
        if data.get("format") != RULEBOOK_FORMAT:
            raise ValueError(f"not a {RULEBOOK_FORMAT} rulebook: format {data.get('format')!r}")
        facts = tuple(
            Fact(
                f["id"],
                f["type"],
                f["question"],
                f["help"],
                tuple(Value(v["id"], v["label"]) for v in f["values"]),
                f.get("asked_when"),
            )
            for f in data["facts"]
        )
        rules = tuple(
            Rule(
                r["id"],
                r["clause"],
                r["verdict"],
                r["when"],
                r["explanation"],
                tuple(r.get("obligations", ())),
                tuple(r.get("consequences", ())),
                tuple(r.get("overrides", ())),
            )
            for r in data["rules"]
        )
        clauses = {cid: Clause(**c) for cid, c in data["clauses"].items()}
        consequences = {k: Consequence(**c) for k, c in data["consequences"].items()}
        return cls(dict(data["policy"]), facts, rules, clauses, consequences)
