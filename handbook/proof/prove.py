"""``python -m handbook prove [--policy ID]``: proofs by exhaustion over a rulebook's whole fact space.

For each answer to the root question (the activity), every combination of the other questions
that can apply is enumerated, each answered with each of its values or left unknown (a question
whose ``asked_when`` is false stays unanswered; one whose ``asked_when`` is still unknown may be
answered or not). For every combination the engine's answer is compared with a ground truth
computed here independently, by brute force over the completions with its own evaluator of the
condition language (no pruning, no grouping of rules):

1. every combination gets exactly one overall verdict, on the scale;
2. in every complete combination the engine's findings are exactly the rules that fire, and no
   rule is left undecided (rules read facts only where they apply);
3. no prohibition and permission on the same act fire together without a declared precedence:
   "same act" = the same clause, or the same section when one of them comes from a permission
   clause; "prohibition" = a ``not_permitted`` rule; "permission" = a ``permitted`` or
   ``permitted_with_conditions`` rule of such a clause; ``overrides`` declares the precedence;
4. every rule fires in at least one complete combination;
5. unknowns are sound: a verdict other than ``depends`` holds for every completion; ``depends``
   has completions with different verdicts; its open questions are exactly the unknown facts
   that matter (some completion where changing that fact, and answering its follow-up
   questions, changes the verdict).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from policycheck.conditions import facts_read
from policycheck.engine import Engine
from policycheck.model import RANK, VERDICTS, Condition, Rule

from ..bundle import load_bundle
from ..commands import policy_option

# states of a fact in a combination (answers are str or bool)
U = ("unknown",)  # not answered
NA = ("does not apply",)  # its asked_when is false


@dataclass(frozen=True)
class _Maybe:
    """Answered, while whether the question applies is still unknown."""

    value: Any


@dataclass
class Report:
    combinations: int = 0
    complete: int = 0
    per_verdict: Counter[str] = field(default_factory=Counter)
    per_rule: Counter[str] = field(default_factory=Counter)
    per_activity: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, message: str) -> None:
        if len(self.failures) < 50:
            self.failures.append(message)


class _Reference:
    """The condition language evaluated directly from the data: the proofs' own evaluator, written
    independently of the engine's compiled closures on purpose (nothing else may use it)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = {r.id: r for r in rules}
        self.overriders: dict[str, list[str]] = {r.id: [] for r in rules}
        for r in rules:
            for o in r.overrides:
                self.overriders[o].append(r.id)

    def truth(self, cond: Condition, env: Mapping[str, Any]) -> bool | None:
        if "fact" in cond:
            v = env.get(cond["fact"], U)
            allowed = cond["in"] if "in" in cond else [cond["is"]]
            if v is NA:
                return False
            if v is U:
                return None
            if isinstance(v, _Maybe):
                return None if v.value in allowed else False
            return v in allowed
        if "rule" in cond:
            return self.fires(cond["rule"], env)
        if "not" in cond:
            r = self.truth(cond["not"], env)
            return None if r is None else not r
        values = [self.truth(c, env) for c in cond["all" if "all" in cond else "any"]]
        decisive = "any" in cond
        if decisive in values:
            return decisive
        return None if None in values else not decisive

    def fires(self, rule_id: str, env: Mapping[str, Any]) -> bool | None:
        base = self.truth(self.rules[rule_id].when, env)
        if base is False:
            return False
        result = base
        for o in self.overriders[rule_id]:
            t = self.fires(o, env)
            if t is True:
                return False
            if t is None:
                result = None
        return result


class _Space:
    """The combinations for one root answer, and the ground truth for each."""

    def __init__(self, engine: Engine, ref: _Reference, root: str, value: Any) -> None:
        self.engine = engine
        self.ref = ref
        self.root, self.value = root, value
        self.facts = [f for f in engine.facts if f.id != root]
        self.index = {f.id: i for i, f in enumerate(self.facts)}
        self.descendants = {
            f.id: {self.index[d] for d in engine.descendants[f.id] if d in self.index} for f in self.facts
        }
        self.verdicts: dict[tuple[Any, ...], frozenset[int]] = {}
        self.matters: dict[tuple[tuple[Any, ...], int], bool] = {}
        self.complete_rank: dict[tuple[Any, ...], tuple[int, frozenset[str]]] = {}
        # for each fact, the facts its asked_when reads: (fact id, index in the state, or -1 for the root)
        self.asks: list[list[tuple[str, int]]] = []
        for f in self.facts:
            read = set(facts_read(f.asked_when)) if f.asked_when else set()
            self.asks.append([(r, self.index.get(r, -1)) for r in sorted(read)])

    def env(self, state: Sequence[Any]) -> dict[str, Any]:
        env: dict[str, Any] = {self.root: self.value}
        env.update(zip((f.id for f in self.facts), state, strict=True))
        return env

    def applies(self, i: int, env: Mapping[str, Any]) -> bool | None:
        cond = self.facts[i].asked_when
        return True if cond is None else self.ref.truth(cond, env)

    def states(self) -> list[tuple[Any, ...]]:
        """Every combination: each fact answered, unknown, or (when it cannot apply) unanswered."""
        state: list[Any] = [U] * len(self.facts)
        env: dict[str, Any] = {self.root: self.value}
        out: list[tuple[Any, ...]] = []
        last = len(self.facts)

        def walk(i: int) -> None:
            if i == last:
                out.append(tuple(state))
                return
            fact = self.facts[i]
            applies = self.applies(i, env)
            if applies is False:
                options: list[Any] = [NA]
            elif applies:
                options = [*fact.value_ids, U]
            else:
                options = [*(_Maybe(v) for v in fact.value_ids), U]
            for option in options:
                state[i] = option
                env[fact.id] = option
                walk(i + 1)
            env.pop(fact.id, None)

        walk(0)
        return out

    def state_of(self, answers: Mapping[str, Any]) -> tuple[Any, ...]:
        """The combination for these answers (the root answer being this space's)."""
        env: dict[str, Any] = {self.root: self.value}
        for i, fact in enumerate(self.facts):
            applies = self.applies(i, env)
            if applies is False:
                env[fact.id] = NA
            elif fact.id in answers:
                env[fact.id] = answers[fact.id] if applies else _Maybe(answers[fact.id])
            else:
                env[fact.id] = U
        return tuple(env[f.id] for f in self.facts)

    def _first_open(self, state: tuple[Any, ...], skip: Set[int] = frozenset()) -> int | None:
        for i, v in enumerate(state):
            if i not in skip and (v is U or isinstance(v, _Maybe)):
                return i
        return None

    def _children(self, state: tuple[Any, ...], i: int) -> list[tuple[Any, ...]]:
        env = {fid: (self.value if j < 0 else state[j]) for fid, j in self.asks[i]}
        applies = self.applies(i, env)
        if applies is None:  # pragma: no cover - earlier facts are decided
            raise AssertionError("undecided applicability")
        v = state[i]
        if not applies:
            options: list[Any] = [NA]
        elif isinstance(v, _Maybe):
            options = [v.value]
        else:
            options = list(self.facts[i].value_ids)
        return [(*state[:i], o, *state[i + 1 :]) for o in options]

    def rank_of_complete(self, state: tuple[Any, ...]) -> tuple[int, frozenset[str]]:
        found = self.complete_rank.get(state)
        if found is None:
            env = self.env(state)
            fired = frozenset(r.id for r in self.engine.book.rules if self.ref.fires(r.id, env))
            rank = min((RANK[self.ref.rules[r].verdict] for r in fired), default=RANK["permitted"])
            found = self.complete_rank[state] = (rank, fired)
        return found

    def verdict_set(self, state: tuple[Any, ...]) -> frozenset[int]:
        found = self.verdicts.get(state)
        if found is not None:
            return found
        i = self._first_open(state)
        if i is None:
            result = frozenset([self.rank_of_complete(state)[0]])
        else:
            result = frozenset().union(*(self.verdict_set(c) for c in self._children(state, i)))
        self.verdicts[state] = result
        return result

    def fact_matters(self, state: tuple[Any, ...], f: int) -> bool:
        """Some completion where changing fact f alone (and its follow-ups) changes the verdict."""
        key = (state, f)
        found = self.matters.get(key)
        if found is not None:
            return found
        follow = self.descendants[self.facts[f].id] | {f}
        i = self._first_open(state, follow)
        if i is None:
            result = state[f] is not NA and len(self.verdict_set(state)) > 1
        else:
            result = any(self.fact_matters(c, f) for c in self._children(state, i))
        self.matters[key] = result
        return result


def ground_truth(engine: Engine, answers: Mapping[str, Any]) -> frozenset[str]:
    """The overall verdicts over every completion of these answers, by brute force.

    Also for an unknown root question: the union over its answers. The spaces (and what they
    have already computed) are kept per engine, so many calls share their work.
    """
    spaces = _spaces(engine)
    root = engine.roots[0]
    values = [answers[root]] if answers.get(root) is not None else list(engine.fact[root].value_ids)
    ranks: set[int] = set()
    for value in values:
        space = spaces[value]
        ranks |= space.verdict_set(space.state_of(answers))
    return frozenset(VERDICTS[r] for r in ranks)


@functools.lru_cache(maxsize=4)
def _spaces(engine: Engine) -> dict[Any, _Space]:
    ref = _Reference(engine.book.rules)
    root = engine.roots[0]
    return {value: _Space(engine, ref, root, value) for value in engine.fact[root].value_ids}


def _conflicts(engine: Engine, fired: frozenset[str]) -> list[str]:
    rules = [engine.rule[r] for r in sorted(fired)]
    kinds = {cid: c.kind for cid, c in engine.book.clauses.items()}
    sections = {cid: c.section for cid, c in engine.book.clauses.items()}
    out = []
    for p in rules:
        if p.verdict != "not_permitted":
            continue
        for q in rules:
            if q.verdict not in {"permitted", "permitted_with_conditions"}:
                continue
            same_clause = p.clause == q.clause
            same_section = sections[p.clause] == sections[q.clause] and kinds[q.clause] == "permission"
            declared = p.id in q.overrides or q.id in p.overrides
            if (same_clause or same_section) and not declared:
                out.append(f"{p.id} (not permitted) and {q.id} ({q.verdict}) fire together")
    return out


def prove(engine: Engine, only: Sequence[Any] | None = None) -> Report:
    """Run every proof (``only``: these root answers); the report lists the counts and any failure."""
    start = time.perf_counter()
    report = Report()
    ref = _Reference(engine.book.rules)
    root = engine.roots[0]
    if len(engine.roots) != 1:  # pragma: no cover - the rulebook has one root question
        report.fail(f"expected one root question, found {engine.roots}")
    for value in engine.fact[root].value_ids:
        if only is not None and value not in only:
            continue
        space = _Space(engine, ref, root, value)
        count = 0
        for state in space.states():
            count += 1
            _check_state(engine, space, state, report)
        report.per_activity[str(value)] = count
        report.combinations += count
    askable = {f for v in (only or ()) for f, _ in engine.environment({root: v})[1].facts}
    for rule in engine.book.rules:
        in_scope = only is None or bool(engine.reads[rule.id] & askable)
        if in_scope and report.per_rule[rule.id] == 0:
            report.fail(f"rule {rule.id} fires in no combination")
    report.seconds = time.perf_counter() - start
    return report


def _check_state(engine: Engine, space: _Space, state: tuple[Any, ...], report: Report) -> None:
    answers: dict[str, Any] = {space.root: space.value}
    for fact, v in zip(space.facts, state, strict=True):
        if v is not U and v is not NA:
            answers[fact.id] = v.value if isinstance(v, _Maybe) else v
    ev = engine.evaluate(answers)
    report.per_verdict[ev.verdict] += 1
    where = f"{answers}"
    if ev.verdict not in VERDICTS:
        report.fail(f"{where}: verdict {ev.verdict!r} is not on the scale")
    truth = space.verdict_set(state)
    complete = space._first_open(state) is None
    if complete:
        report.complete += 1
        fired = space.rank_of_complete(state)[1]
        for rid in fired:
            report.per_rule[rid] += 1
        if {r.id for r in ev.certain} != fired:
            report.fail(
                f"{where}: engine findings {sorted(r.id for r in ev.certain)} != rules firing {sorted(fired)}"
            )
        undecided = [r.id for r in engine.book.rules if engine.effective[r.id](ev.env) is None]
        if undecided:
            report.fail(f"{where}: rules undecided in a complete combination: {undecided}")
        for conflict in _conflicts(engine, fired):
            report.fail(f"{where}: {conflict} without a declared precedence (overrides)")
    if len(truth) == 1:
        expected = VERDICTS[next(iter(truth))]
        if ev.verdict != expected:
            report.fail(f"{where}: engine says {ev.verdict}, every completion gives {expected}")
        if ev.open_facts:
            report.fail(f"{where}: open questions {ev.open_facts} for a certain verdict")
        return
    if ev.verdict != "depends":
        shown = sorted(VERDICTS[r] for r in truth)
        report.fail(f"{where}: engine says {ev.verdict}, completions give {shown}")
        return
    matters = [f.id for i, f in enumerate(space.facts) if state[i] is U and space.fact_matters(state, i)]
    if ev.open_facts != matters:
        report.fail(f"{where}: open questions {ev.open_facts}, the facts that matter are {matters}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook prove", description=__doc__.split("\n")[0])
    policy_option(parser)
    args = parser.parse_args(argv)
    engine = load_bundle(args.policy).checker.engine
    report = prove(engine)
    print(f"combinations: {report.combinations} ({report.complete} complete), in {report.seconds:.1f} s")
    print("per activity: " + ", ".join(f"{k} {v}" for k, v in report.per_activity.items()))
    print("per verdict:  " + ", ".join(f"{v} {report.per_verdict[v]}" for v in VERDICTS))
    print("per rule (complete combinations where it fires):")
    for rule in engine.book.rules:
        print(f"  {rule.id:34} {rule.clause:20} {report.per_rule[rule.id]:>7}")
    if report.failures:
        print(f"\nPROOF FAILED ({len(report.failures)} problems shown):", file=sys.stderr)
        for f in report.failures:
            print(f"  {f}", file=sys.stderr)
        return 1
    print(
        "proved: one verdict per combination; findings = rules that fire; no conflict without precedence; "
        "every rule fires; unknowns sound, open questions exact"
    )
    return 0
