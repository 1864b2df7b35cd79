"""Scenario input: validated, with one message naming every problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .conditions import NA, facts_read, is_answer
from .engine import Engine
from .model import SCENARIO_FORMAT, Answer, Fact


class ScenarioError(ValueError):
    """The scenario is not valid. ``problems`` lists every problem found, each a sentence."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        head = f"invalid scenario ({n} problem{'s' if n != 1 else ''}):"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


_TOP_LEVEL = ("facts", "format", "title")


def _suggest(word: str, choices: Sequence[str]) -> str:
    import difflib  # noqa: PLC0415 - only on bad input; keeps the package's import fast in Pyodide

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _show(answer: Any) -> str:
    if answer is True:
        return "true"
    if answer is False:
        return "false"
    if isinstance(answer, frozenset):
        return repr(sorted(answer))
    return repr(answer)


@dataclass(frozen=True)
class Scenario:
    """A valid scenario: its answers, the questions answered "I don't know", the answers set aside."""

    answers: dict[str, Answer]
    unsure: tuple[str, ...] = ()  # in question order
    ignored: tuple[tuple[str, Answer, str], ...] = ()


def _check_several(fact: Fact, value: Any) -> str | None:
    ids = [str(v) for v in fact.value_ids]
    if not isinstance(value, list):
        return (
            f"fact {fact.id!r} takes a list of its values {', '.join(map(repr, ids))} (an empty list for "
            f'none of them, or null for "I don\'t know"), not {_show(value)}'
        )
    problems = []
    for item in value:
        if not isinstance(item, str):
            problems.append(f"fact {fact.id!r} lists {_show(item)}, which is not one of its values")
        elif item not in ids:
            problems.append(
                f"fact {fact.id!r} has no value {item!r}{_suggest(item, ids)};"
                f" allowed: {', '.join(map(repr, ids))}"
            )
    twice = sorted({str(v) for v in value if isinstance(v, str) and value.count(v) > 1})
    if twice:
        problems.append(f"fact {fact.id!r} lists {', '.join(map(repr, twice))} more than once")
    return "; ".join(problems) or None


def _check_value(fact: Fact, value: Any) -> str | None:
    if fact.type == "yes_no":
        if not isinstance(value, bool):
            return f'fact {fact.id!r} takes true or false (or null for "I don\'t know"), not {_show(value)}'
        return None
    if fact.type == "several_of":
        return _check_several(fact, value)
    ids = [str(v) for v in fact.value_ids]
    if not isinstance(value, str):
        return f"fact {fact.id!r} takes one of {', '.join(map(repr, ids))} (or null), not {_show(value)}"
    if value not in ids:
        allowed = ", ".join(map(repr, ids))
        return f"fact {fact.id!r} has no value {value!r}{_suggest(value, ids)}; allowed: {allowed}"
    return None


def read_scenario(checker: Engine, scenario: Any, *, lenient: bool = False) -> Scenario:
    """The answers of a scenario; ``null`` is the answer "I don't know" (an absent fact: not asked).

    Raises ScenarioError listing every problem. With ``lenient``, answers to questions that do
    not apply are set aside (and reported as ignored) instead of being an error. An "I don't know"
    to a question that does not apply is simply dropped.
    """
    if not isinstance(scenario, Mapping):
        raise ScenarioError(
            [f"a scenario is a JSON object with a 'facts' object, not {type(scenario).__name__}"]
        )
    problems: list[str] = []
    for key in scenario:
        if key not in _TOP_LEVEL:
            problems.append(f"unknown key {key!r} at the top level (allowed: {', '.join(_TOP_LEVEL)})")
    if "format" in scenario and scenario["format"] != SCENARIO_FORMAT:
        problems.append(f"'format' must be {SCENARIO_FORMAT!r}, not {_show(scenario['format'])}")
    if "title" in scenario and not isinstance(scenario["title"], str):
        problems.append("'title' must be a string")
    facts = scenario.get("facts")
    if facts is None:
        problems.append("missing 'facts' (an object: fact id -> answer)")
        facts = {}
    elif not isinstance(facts, Mapping):
        problems.append(f"'facts' must be an object (fact id -> answer), not {type(facts).__name__}")
        facts = {}
    answers: dict[str, Answer] = {}
    unsure: set[str] = set()
    ids = [f.id for f in checker.facts]
    for key, value in facts.items():
        fact = checker.fact.get(key) if isinstance(key, str) else None
        if fact is None:
            problems.append(f"unknown fact {key!r}{_suggest(str(key), ids)}")
            continue
        if value is None:
            unsure.add(key)
            continue
        wrong = _check_value(fact, value)
        if wrong:
            problems.append(wrong)
        else:
            answers[key] = frozenset(value) if fact.type == "several_of" else value
    ignored: list[tuple[str, Answer, str]] = []
    if answers:
        env, _ = checker.environment(answers)
        for fact in checker.facts:
            if fact.id in answers and env[fact.id] is NA and fact.asked_when is not None:
                reason = _not_applicable(checker, fact, answers, env)
                if lenient:
                    ignored.append((fact.id, answers.pop(fact.id), reason))
                else:
                    problems.append(f"contradictory facts: {reason}")
    if problems:
        raise ScenarioError(problems)
    env, _ = checker.environment(answers)
    kept = tuple(f.id for f in checker.facts if f.id in unsure and env[f.id] is not NA)
    return Scenario(answers, kept, tuple(ignored))


def _not_applicable(
    checker: Engine, fact: Fact, answers: Mapping[str, Answer], env: Mapping[str, Any]
) -> str:
    assert fact.asked_when is not None
    causes = []
    for fid in dict.fromkeys(facts_read(fact.asked_when)):
        if fid in answers and is_answer(env[fid]):
            causes.append(f"{fid!r} is {_show(answers[fid])}")
        elif fid in answers:  # answered, its own question not yet sure to apply
            causes.append(f"{fid!r} is {_show(answers[fid])} or does not apply")
        elif env[fid] is NA:
            causes.append(f"{fid!r} does not apply")
    because = " and ".join(causes) if causes else "of the other answers"
    return f"{fact.id!r} does not apply when {because}, yet it is answered ({_show(answers[fact.id])})"
