"""The condition language: its one evaluator (compiled closures, no ``eval``) and its one walker.

A condition is evaluated against an *environment*: fact id -> the answer, ``UNKNOWN`` (not
answered yet), ``NA`` (the question does not apply: its ``asked_when`` is false), or
``Maybe(answer)`` (answered, but whether the question applies is itself still unknown).
Results follow Kleene's logic: ``True``, ``False`` or ``None`` (unknown).

``{fact: X, is: V}`` is false when X does not apply: "the post includes student material" is
false when nothing is being posted. ``{fact: X, has: V}`` reads a several-of fact (its answer is a
set): true when the set includes V (or, for a list, any of its values). ``{rule: R}`` is true when
rule R fires (after the rules that override it have been taken into account).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, cast

from .model import Answer, Condition


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNKNOWN: Final = _Sentinel("UNKNOWN")
NA: Final = _Sentinel("NA")


class Maybe:
    """An answer whose question may or may not apply (its ``asked_when`` is still unknown)."""

    __slots__ = ("value",)

    def __init__(self, value: Answer) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Maybe) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("Maybe", self.value))

    def __repr__(self) -> str:
        return f"Maybe({self.value!r})"


Env = dict[str, Any]
Truth = bool | None
Test = Callable[[Env], Truth]


def _leaf(fact: str, allowed: frozenset[Any]) -> Test:
    def test(env: Env) -> Truth:
        value = env[fact]
        if value is UNKNOWN:
            return None
        if value is NA:
            return False
        if value.__class__ is Maybe:
            return None if value.value in allowed else False
        return value in allowed

    return test


def _has(fact: str, wanted: frozenset[str]) -> Test:
    def test(env: Env) -> Truth:
        value = env[fact]
        if value is UNKNOWN:
            return None
        if value is NA:
            return False
        if value.__class__ is Maybe:
            return None if not wanted.isdisjoint(cast("frozenset[str]", value.value)) else False
        return not wanted.isdisjoint(cast("frozenset[str]", value))

    return test


def _scalar_leaf(cond: Condition) -> bool:
    return "fact" in cond and "has" not in cond


def _junction(cond_list: Sequence[Condition], rule_tests: Mapping[str, Test], conjunctive: bool) -> Test:
    """``all`` (conjunctive) or ``any`` of conditions; is/in leaves are checked inline (fast path)."""
    leaves = tuple(
        (c["fact"], frozenset(c["in"] if "in" in c else [c["is"]])) for c in cond_list if _scalar_leaf(c)
    )
    others = tuple(compile_condition(c, rule_tests) for c in cond_list if not _scalar_leaf(c))
    stop = not conjunctive  # the value that decides the junction at once

    def test(env: Env) -> Truth:
        result: Truth = not stop
        for fact, allowed in leaves:
            value = env[fact]
            if value is UNKNOWN:
                result = None
            elif value is NA:
                if conjunctive:
                    return False
            elif value.__class__ is Maybe:
                if value.value in allowed:
                    result = None
                elif conjunctive:
                    return False
            elif (value in allowed) is stop:
                return stop
        for t in others:
            r = t(env)
            if r is stop:
                return stop
            if r is None:
                result = None
        return result

    return test


def _not(inner: Test) -> Test:
    def test(env: Env) -> Truth:
        r = inner(env)
        return None if r is None else not r

    return test


def _rule(rule_id: str, tests: Mapping[str, Test]) -> Test:
    def test(env: Env) -> Truth:
        return tests[rule_id](env)

    return test


def compile_condition(cond: Condition, rule_tests: Mapping[str, Test]) -> Test:
    """A closure evaluating ``cond``. ``rule_tests`` is looked up when evaluated (late binding)."""
    if "has" in cond:
        wanted = cond["has"] if isinstance(cond["has"], list) else [cond["has"]]
        return _has(cond["fact"], frozenset(wanted))
    if "fact" in cond:
        allowed = cond["in"] if "in" in cond else [cond["is"]]
        return _leaf(cond["fact"], frozenset(allowed))
    if "all" in cond:
        return _junction(cond["all"], rule_tests, conjunctive=True)
    if "any" in cond:
        return _junction(cond["any"], rule_tests, conjunctive=False)
    if "not" in cond:
        return _not(compile_condition(cond["not"], rule_tests))
    if "rule" in cond:
        return _rule(cond["rule"], rule_tests)
    raise ValueError(f"not a condition: {cond!r}")


def walk(
    cond: Condition, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[Condition, tuple[str | int, ...]]]:
    """Every sub-condition of ``cond`` (itself first), with its path inside ``cond``."""
    yield cond, path
    for key in ("all", "any"):
        for i, c in enumerate(cond.get(key, ())):
            yield from walk(c, (*path, key, i))
    if "not" in cond:
        yield from walk(cond["not"], (*path, "not"))


def facts_read(cond: Condition) -> Iterator[str]:
    """Facts the condition reads directly (not through ``{rule: ...}``)."""
    return (c["fact"] for c, _ in walk(cond) if "fact" in c)


def rules_read(cond: Condition) -> Iterator[str]:
    """Rules the condition refers to with ``{rule: ...}``."""
    return (c["rule"] for c, _ in walk(cond) if "rule" in c)


def is_answer(value: Any) -> bool:
    return value is not UNKNOWN and value is not NA and value.__class__ is not Maybe


def supporting_facts(
    cond: Condition, env: Env, test_of: Callable[[Condition], Test], conds: Mapping[str, Condition]
) -> list[str]:
    """The answered facts that make a true condition true ("because you said ...").

    ``test_of`` gives the compiled test of a sub-condition (the engine's, memoised), so that
    explanations evaluate conditions with the one evaluator; ``conds``: rule id -> its condition.
    """
    if "fact" in cond:
        return [cond["fact"]] if is_answer(env[cond["fact"]]) else []
    if "all" in cond:
        return [f for c in cond["all"] for f in supporting_facts(c, env, test_of, conds)]
    if "any" in cond:
        for c in cond["any"]:
            if test_of(c)(env) is True:
                return supporting_facts(c, env, test_of, conds)
        return []
    if "not" in cond:
        return [f for f in facts_read(cond["not"]) if is_answer(env[f])]
    if "rule" in cond:
        return supporting_facts(conds[cond["rule"]], env, test_of, conds)
    return []
