"""The rulebook as typed, immutable data, the verdict scale and the versioned format names."""

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

RULEBOOK_FORMAT: Final = "policycheck.rulebook/1"
SCENARIO_FORMAT: Final = "policycheck.scenario/1"
RESULT_FORMAT: Final = "policycheck.result/1"

Answer = str | bool
#: A condition as written in a policy's source: {fact, is} | {fact, in} | {all} | {any} | {not} | {rule}.
Condition = Mapping[str, Any]


class RulebookError(ValueError):
    """A rulebook cannot be found or read; the message names it and says what is wrong."""


@dataclass(frozen=True)
class PolicyInfo:
    """Which policy a rulebook encodes; every result repeats it."""

    number: str
    title: str
    district: str
    state: str
    adopted: str  # ISO date
    text_sha256: str  # of the adopted text's words, joined by single spaces
    fictional: bool = False

    def as_result(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "number": self.number,
            "title": self.title,
            "district": self.district,
            "adopted": self.adopted,
            "text_sha256": self.text_sha256,
        }
        if self.fictional:
            out["fictional"] = True
        return out


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
    policy: PolicyInfo
    facts: tuple[Fact, ...]
    rules: tuple[Rule, ...]
    clauses: Mapping[str, Clause]
    consequences: Mapping[str, Consequence]

    @classmethod
    def from_data(cls, data: Mapping[str, Any], origin: str = "the rulebook") -> Rulebook:
        """Typed rulebook from its JSON data; RulebookError (naming ``origin``) when it is not one."""
        if not isinstance(data, Mapping) or data.get("format") != RULEBOOK_FORMAT:
            found = data.get("format") if isinstance(data, Mapping) else type(data).__name__
            raise RulebookError(f"{origin} is not a {RULEBOOK_FORMAT} rulebook (format: {found!r})")
        try:
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
            policy = PolicyInfo(**data["policy"])
        except (KeyError, TypeError) as exc:
            raise RulebookError(f"{origin} is damaged ({type(exc).__name__}: {exc})") from None
        return cls(policy, facts, rules, clauses, consequences)
