"""One policy, loaded and validated once: the :class:`Bundle` every output is made from.

``load_bundle(policy)`` turns ``policy_src/<id>/`` (or any policy folder) into one immutable
bundle: the text, commentary and glossary; the checker's source; the official text checked word
for word against the adopted copy; the compiled rulebook and a checker for it; and the casebook
run through that checker, each result checked against what the casebook expects. Every problem
of all of these is reported at once (``SourceError``), with file, line and place.

Pages, the rulebook files, the PDFs and the checker docs read the bundle and nothing else.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policycheck import Checker, ScenarioError

from .common import urls
from .config import display, policy_dir
from .rulebook.compile import build_rulebook, dumps
from .source.errors import Problem, SourceError
from .source.fidelity import fidelity_diff, official_text
from .source.model import Policy
from .source.reader import Reader
from .source.rules import Located, RuleSource, load_rule_source
from .source.text import load_policy


@dataclass(frozen=True)
class WorkedExample:
    """A casebook scenario and the result the checker computed for it (checked against ``expect``)."""

    number: int
    id: str
    title: str
    story: str
    facts: Mapping[str, Any]  # as the casebook gives them (null = "I don't know")
    result: Mapping[str, Any]  # policycheck.result/1
    start: str | None = None  # offered as a situation to start from on the checker page, in these words

    @property
    def anchor(self) -> str:
        return urls.example_anchor(self.id)

    @property
    def answered(self) -> dict[str, Any]:
        """The answers, "I don't know" (null) included: what a permalink carries."""
        return dict(self.facts)

    @property
    def cited(self) -> list[str]:
        """Clause ids of the findings and possible findings, in the result's order."""
        found = [*self.result["findings"], *self.result["possible_findings"]]
        return list(dict.fromkeys(f["clause"]["id"] for f in found))


@dataclass(frozen=True)
class Bundle:
    """Everything the pipeline knows about one policy, validated."""

    source_dir: Path
    policy: Policy
    rule_source: RuleSource
    rulebook_json: str  # the compiled rulebook, canonical JSON (immutable)
    checker: Checker
    examples: tuple[WorkedExample, ...]

    @property
    def id(self) -> str:
        return self.policy.id

    @property
    def rulebook(self) -> dict[str, Any]:
        """The compiled rulebook as data (a fresh copy)."""
        data: dict[str, Any] = json.loads(self.rulebook_json)
        return data

    def scenario_schema_json(self) -> str:
        return dumps(self.checker.scenario_schema())


def _fidelity_problems(policy: Policy, folder: Path) -> list[Problem]:
    diff = fidelity_diff(policy.original_text, official_text(policy))
    if not diff:
        return []
    return [
        Problem(
            display(folder / "original.txt"),
            "the official text rebuilt from sections/ differs from the adopted copy "
            "(only whitespace may differ):\n" + diff,
        )
    ]


def _expectation_problem(case: Located, result: Mapping[str, Any]) -> Problem | None:
    """What the checker gives for a case, against what the casebook expects of it."""
    expect = case.data["expect"]
    findings = result["findings"]
    got: dict[str, Any] = {
        "verdict": result["verdict"],
        "clauses": sorted({f["clause"]["id"] for f in [*findings, *result["possible_findings"]]}),
        "open_questions": [q["fact"] for q in result["open_questions"]],
    }
    wanted: dict[str, Any] = {
        "verdict": expect["verdict"],
        "clauses": sorted(expect["clauses"]),
        "open_questions": list(expect.get("open_questions", [])),
    }
    if "headline" in expect:
        got["headline"] = findings[0]["headline"] if findings else None
        wanted["headline"] = expect["headline"]
    if "consequences" in expect:
        got["consequences"] = sorted({c["id"] for f in findings for c in f["consequences"]})
        wanted["consequences"] = sorted(expect["consequences"])
    if "notes" in expect:
        got["notes"] = sorted(n["id"] for n in result["notes"])
        wanted["notes"] = sorted(expect["notes"])
    if got == wanted:
        return None
    differ = [k for k in wanted if got[k] != wanted[k]]
    detail = "; ".join(
        f"{k}: the checker gives {got[k]!r}, the casebook expects {wanted[k]!r}" for k in differ
    )
    return case.problem(f"scenario {case.data['id']!r}: {detail}", "expect")


def _examples(src: RuleSource, checker: Checker) -> tuple[list[WorkedExample], list[Problem]]:
    examples: list[WorkedExample] = []
    problems: list[Problem] = []
    for number, case in enumerate(src.casebook, start=1):
        data = case.data
        try:
            result = checker.check({"facts": data["facts"]})
        except ScenarioError as exc:
            problems += [case.problem(f"scenario {data['id']!r}: {p}", "facts") for p in exc.problems]
            continue
        wrong = _expectation_problem(case, result)
        if wrong:
            problems.append(wrong)
        examples.append(
            WorkedExample(
                number,
                data["id"],
                data["title"],
                " ".join(data["story"].split()),
                data["facts"],
                result,
                data.get("start"),
            )
        )
    return examples, problems


def load_fresh(folder: Path) -> Bundle:
    """Load and validate the policy in ``folder`` now (no cache): what ``load_bundle`` caches."""
    reader = Reader(folder)
    policy = load_policy(folder, reader)
    problems = _fidelity_problems(policy, folder)
    try:
        rules = load_rule_source(policy, reader)
    except SourceError as exc:
        raise SourceError([*problems, *exc.problems]) from None
    book = build_rulebook(policy, rules)
    checker = Checker.from_data(book, origin=f"the rulebook compiled from {display(folder)}")
    examples, wrong = _examples(rules, checker)
    problems += wrong
    if problems:
        raise SourceError(problems)
    return Bundle(folder, policy, rules, dumps(book), checker, tuple(examples))


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and times of the folder's files: a changed file means a new load."""
    return tuple(
        (p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    )


@functools.lru_cache(maxsize=8)
def _cached(folder: Path, fingerprint: tuple[tuple[str, int, int], ...]) -> Bundle:
    return load_fresh(folder)


def load_bundle(policy: str | Path | None = None) -> Bundle:
    """The bundle of a policy (its id, or its folder; the default policy when None).

    Raises ``config.PolicyNotFound`` for an unknown policy and ``SourceError`` listing every
    problem of an invalid one. Loads once per process while the folder's files stay unchanged.
    """
    folder = policy_dir(policy)
    return _cached(folder, _fingerprint(folder))
