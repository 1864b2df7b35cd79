"""The rulebook as typed, immutable data, the verdict scale and the versioned format names."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

#: The verdict scale, worst first. A rule never states ``depends``: it is computed.
VERDICTS: Final = ("not_permitted", "depends", "permitted_with_conditions", "caution", "permitted")
#: The verdict in words a reader takes in at a glance: the same in the CLI, the page and the PDF.
VERDICT_LABELS: Final[Mapping[str, str]] = {
    "not_permitted": "No",
    "depends": "It depends",
    "permitted_with_conditions": "Yes, if you meet the conditions",
    "caution": "Yes, with care",
    "permitted": "Yes",
}
#: What a finding of each verdict is, in the result and on the page.
FINDING_ROLES: Final[Mapping[str, str]] = {
    "not_permitted": "prohibition",
    "permitted_with_conditions": "condition",
    "caution": "caution",
    "permitted": "permission",
}
RANK: Final[Mapping[str, int]] = {v: i for i, v in enumerate(VERDICTS)}

RULEBOOK_FORMAT: Final = "policycheck.rulebook/1"
SCENARIO_FORMAT: Final = "policycheck.scenario/1"
RESULT_FORMAT: Final = "policycheck.result/1"

#: An answer: true/false (yes/no), a value id (one of), or a set of value ids (several of).
Answer = str | bool | frozenset[str]
#: A condition as written in a policy's source: {fact, is} | {fact, in} | {fact, has} | {all} | {any}
#: | {not} | {rule}. ``has`` reads a several-of fact: true when its answer includes the value (or
#: any of the values).
Condition = Mapping[str, Any]
FACT_TYPES: Final = ("yes_no", "one_of", "several_of")


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
    id: str | bool
    label: str
    says: str = ""  # the answer as a statement in the second person: "you hold an educator certificate"


@dataclass(frozen=True)
class Fact:
    id: str
    type: str  # "yes_no" | "one_of" | "several_of"
    question: str
    help: str
    values: tuple[Value, ...]
    asked_when: Condition | None = None
    topic: str = ""  # what the question decides, for "It depends on ...": "whether you hold a certificate"
    none_says: str = ""  # several of: the statement when none of the values applies

    def value(self, value_id: str | bool) -> Value:
        return next(v for v in self.values if v.id == value_id)

    def label(self, answer: Answer | None) -> str:
        """The answer in the form's words ("I don't know" for an unknown one)."""
        if answer is None:
            return "I don't know"
        if isinstance(answer, frozenset):
            chosen = [v.label for v in self.values if v.id in answer]
            return "; ".join(chosen) if chosen else "None of these"
        for value in self.values:
            if value.id == answer:
                return value.label
        return str(answer)

    def says(self, answer: Answer | None) -> str:
        """The answer as a statement: "you hold an educator certificate"."""
        if answer is None:
            return f"you don't know {self.topic}" if self.topic else "you don't know"
        if isinstance(answer, frozenset):
            chosen = [v.says for v in self.values if v.id in answer]
            return " and ".join(chosen) if chosen else self.none_says
        return self.value(answer).says

    @functools.cached_property
    def value_ids(self) -> tuple[str | bool, ...]:
        return tuple(v.id for v in self.values)

    @functools.cached_property
    def answers(self) -> tuple[Answer, ...]:
        """Every possible answer: the values, or for several of, every set of values (smallest first)."""
        if self.type != "several_of":
            return self.value_ids
        ids = [str(v) for v in self.value_ids]
        subsets = [frozenset(c) for n in range(len(ids) + 1) for c in itertools.combinations(ids, n)]
        return tuple(subsets)

    def to_json(self, answer: Answer | None) -> Any:
        """An answer as JSON data: a several-of answer is the list of its values, in question order."""
        if isinstance(answer, frozenset):
            return [v for v in self.value_ids if v in answer]
        return answer


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
class ConsequenceRef:
    """A consequence a finding can lead to, and the policy's own condition for it, if any."""

    id: str
    condition: str = ""  # "if this is treated as a failure to keep a professional relationship"


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    verdict: str
    when: Condition
    explanation: str
    headline: str = ""  # the plain answer, second person: "Don't list current students as friends ..."
    obligations: tuple[str, ...] = ()
    consequences: tuple[ConsequenceRef, ...] = ()
    overrides: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()  # general clauses cited with this one (they introduce it)


@dataclass(frozen=True)
class Note:
    """Our note beside what the policy says (commentary, not policy): shown when ``when`` holds."""

    id: str
    when: Condition
    text: str
    clauses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rulebook:
    policy: PolicyInfo
    facts: tuple[Fact, ...]
    rules: tuple[Rule, ...]
    clauses: Mapping[str, Clause]
    consequences: Mapping[str, Consequence]
    notes: tuple[Note, ...] = ()

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
                    tuple(Value(v["id"], v["label"], v.get("says", "")) for v in f["values"]),
                    f.get("asked_when"),
                    f.get("topic", ""),
                    f.get("none_says", ""),
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
                    r.get("headline", ""),
                    tuple(r.get("obligations", ())),
                    tuple(ConsequenceRef(c["id"], c.get("if", "")) for c in r.get("consequences", ())),
                    tuple(r.get("overrides", ())),
                    tuple(r.get("cites", ())),
                )
                for r in data["rules"]
            )
            clauses = {cid: Clause(**c) for cid, c in data["clauses"].items()}
            consequences = {k: Consequence(**c) for k, c in data["consequences"].items()}
            notes = tuple(
                Note(n["id"], n["when"], n["text"], tuple(n.get("clauses", ())))
                for n in data.get("notes", ())
            )
            policy = PolicyInfo(**data["policy"])
        except (KeyError, TypeError) as exc:
            raise RulebookError(
                f"{origin} is damaged or was written by another version of the compiler"
                f" ({type(exc).__name__}: {exc}); compile and install it again"
            ) from None
        return cls(policy, facts, rules, clauses, consequences, notes)
