"""``python -m handbook prove [--policy ID] [--fast]``: proofs over a rulebook's fact space.

For each answer to the root question (the activities), the combinations of the other questions
that can apply are enumerated, each answered with each of its answers or left unknown (a question
whose ``asked_when`` is false stays unanswered; one whose ``asked_when`` is still unknown may be
answered or not). For every combination the engine's answer is compared with a ground truth
computed here independently, by brute force over the completions, with the proof's own evaluator
of the condition language and its own reading of ``asked_when``:

1. every combination gets exactly one overall verdict, on the scale;
2. in every complete combination the engine's findings are exactly the rules that fire, and no
   rule is left undecided (rules read facts only where they apply);
3. no prohibition and permission on the same act fire together without a declared precedence:
   "same act" = the same clause, or the same section when one of them comes from a permission
   clause, about the same part of the situation (the chosen activities and kinds of contact each
   needs to fire); ``overrides`` declares the precedence;
4. every rule fires in at least one complete combination;
5. unknowns are sound: a verdict other than ``depends`` holds for every completion; ``depends``
   has completions with different verdicts;
6. the open questions are exactly the unknown facts that matter, each with what it can change:
   "verdict" when, in some completion, changing that fact alone (and answering its follow-up
   questions) changes the verdict; else "conditions" when it changes the rules that fire (what
   the reader must do); the possible findings are exactly the rules that fire in some completion
   without firing in all, and each one's "If ..." answers let it fire.

The brute force works block by block: the questions of one root answer fall into blocks that no
rule, and no ``asked_when``, reads across (found here from the source conditions, not from the
engine). Completions of a combination are then the products of the blocks' completions, so the
ground truth of a whole combination follows exactly from its blocks' (a verdict is the worst of
the blocks', the rules that fire are the union).

Which combinations are checked, by level (the report names what was checked whole, what was
sampled, and how many):

- ``complete`` (``make prove``): every combination of every root answer with at most one
  activity, and of any other with at most ``LIMIT`` combinations; ``SAMPLES`` of each other;
- ``standard`` (``make test``): every combination of each root answer with at most ``LIMIT``;
  ``SAMPLES`` of each other, ``LARGE_SAMPLES`` of a single activity too large to check whole;
- ``fast`` (``make check``): every combination up to ``FAST_LIMIT``; ``FAST_SINGLE_SAMPLES`` of a
  single activity too large to check whole, ``FAST_SAMPLES`` of each other.

Samples are deterministic (a fixed seed per root answer), drawn uniformly from each block.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from policycheck import Checker
from policycheck.engine import Engine
from policycheck.model import RANK, VERDICTS, Condition, Fact, Rule

from ..bundle import load_bundle
from ..commands import policy_option

LEVELS = ("fast", "standard", "complete")
FAST_LIMIT = 6_000
LIMIT = 60_000
FAST_SAMPLES = 50
FAST_SINGLE_SAMPLES = 600
SAMPLES = 1_500
LARGE_SAMPLES = 20_000
PERMITTED = RANK["permitted"]


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


U = _Sentinel("unknown")  # not answered
NA = _Sentinel("does not apply")  # its asked_when is false


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
    exhaustive: dict[str, int] = field(default_factory=dict)  # root answer -> combinations, all of them
    sampled: dict[str, int] = field(default_factory=dict)  # root answer -> combinations checked
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, message: str) -> None:
        if len(self.failures) < 50:
            self.failures.append(message)

    def merge(self, other: Report) -> None:
        self.combinations += other.combinations
        self.complete += other.complete
        self.per_verdict.update(other.per_verdict)
        self.per_rule.update(other.per_rule)
        for message in other.failures:
            self.fail(message)


def _walk(cond: Condition) -> Iterator[Condition]:
    """Every sub-condition (the proof's own walker)."""
    yield cond
    for key in ("all", "any"):
        for c in cond.get(key, ()):
            yield from _walk(c)
    if "not" in cond:
        yield from _walk(cond["not"])


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
            if v is NA:
                return False
            if v is U:
                return None
            given = v.value if isinstance(v, _Maybe) else v
            if "has" in cond:  # a several-of answer (a set) that includes any of the values
                wanted = cond["has"] if isinstance(cond["has"], list) else [cond["has"]]
                hit = any(w in given for w in wanted)
            else:
                hit = given in (cond["in"] if "in" in cond else [cond["is"]])
            if isinstance(v, _Maybe):
                return None if hit else False
            return hit
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

    def reads(self, rule_id: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Facts a rule's firing depends on: its condition's, its referenced rules', its overriders'."""
        if rule_id in seen:
            return set()
        seen = seen | {rule_id}
        cond = self.rules[rule_id].when
        out = {c["fact"] for c in _walk(cond) if "fact" in c}
        for other in [c["rule"] for c in _walk(cond) if "rule" in c] + self.overriders[rule_id]:
            out |= self.reads(other, seen)
        return out


def _label(value: Any) -> str:
    if isinstance(value, frozenset):
        return "+".join(sorted(value)) or "(none)"
    return str(value)


class _Space:
    """The combinations for one root answer, their blocks, and the ground truth of each."""

    def __init__(self, engine: Engine, ref: _Reference, root: str, value: Any) -> None:
        self.engine, self.ref = engine, ref
        self.root, self.value = root, value
        self.facts: list[Fact] = [f for f in engine.facts if f.id != root]
        self.index = {f.id: i for i, f in enumerate(self.facts)}
        self.asks: list[list[str]] = [
            sorted({c["fact"] for c in _walk(f.asked_when) if "fact" in c}) if f.asked_when else []
            for f in self.facts
        ]
        # the follow-up questions of each fact (its asked_when readers, transitively), our own reading
        self.descendants: list[set[int]] = [set() for _ in self.facts]
        for i in reversed(range(len(self.facts))):
            for parent in self.asks[i]:
                if parent in self.index:
                    p = self.index[parent]
                    self.descendants[p] |= {i} | self.descendants[i]
        # questions that cannot apply with this root answer, whatever the other answers
        self.base: dict[str, Any] = {root: value}
        for f in self.facts:
            cond = f.asked_when
            if cond is not None and ref.truth(cond, self.base) is False:
                self.base[f.id] = NA
        self.possible_facts = [i for i, f in enumerate(self.facts) if f.id not in self.base]
        self._blocks()
        self.memo: dict[tuple[int, tuple[Any, ...]], frozenset[tuple[int, frozenset[str]]]] = {}
        self.ctx_memo: dict[tuple[int, tuple[Any, ...], int], tuple[list[frozenset[int]], bool]] = {}

    def _blocks(self) -> None:
        """Union the facts read together by a rule, or by an asked_when: each block stands alone."""
        parent = list(range(len(self.facts)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(ids: Sequence[str]) -> None:
            idx = [self.index[f] for f in ids if f in self.index]
            for a, b in itertools.pairwise(idx):
                parent[find(a)] = find(b)

        self.rule_reads = {r.id: self.ref.reads(r.id) for r in self.engine.book.rules}
        for reads in self.rule_reads.values():
            union(sorted(reads))
        for i, parents in enumerate(self.asks):
            union([self.facts[i].id, *parents])
        groups: dict[int, list[int]] = {}
        for i in self.possible_facts:
            groups.setdefault(find(i), []).append(i)
        self.blocks: list[tuple[int, ...]] = [tuple(g) for g in groups.values()]
        self.block_of = {i: b for b, g in enumerate(self.blocks) for i in g}
        self.block_rules: list[list[str]] = [[] for _ in self.blocks]
        self.free_rules: list[str] = []  # rules that read no applicable question (only the root)
        for rid, reads in self.rule_reads.items():
            owners = {
                self.block_of[self.index[f]]
                for f in reads
                if f in self.index and self.index[f] in self.block_of
            }
            if len(owners) > 1:  # pragma: no cover - union() above makes this impossible
                raise AssertionError(f"rule {rid} reads across blocks")
            if owners:
                self.block_rules[owners.pop()].append(rid)
            else:
                self.free_rules.append(rid)

    # --- combinations -------------------------------------------------------------------------

    def _options(self, i: int, env: Mapping[str, Any]) -> list[Any]:
        cond = self.facts[i].asked_when
        applies = True if cond is None else self.ref.truth(cond, env)
        if applies is False:
            return [NA]
        answers = list(self.facts[i].answers)
        return [*answers, U] if applies else [*(_Maybe(v) for v in answers), U]

    def block_states(self, b: int) -> list[tuple[Any, ...]]:
        """Every combination of one block's questions (each answered, unknown, or not applying)."""
        facts = self.blocks[b]
        out: list[tuple[Any, ...]] = []
        env: dict[str, Any] = dict(self.base)
        state: list[Any] = []

        def walk(k: int) -> None:
            if k == len(facts):
                out.append(tuple(state))
                return
            i = facts[k]
            for option in self._options(i, env):
                state.append(option)
                env[self.facts[i].id] = option
                walk(k + 1)
                state.pop()
            env.pop(self.facts[i].id, None)

        walk(0)
        return out

    def size(self) -> int:
        total = 1
        for b in range(len(self.blocks)):
            total *= len(self.block_states(b))
        return total

    def assemble(self, parts: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
        state: list[Any] = [NA] * len(self.facts)
        for b, part in enumerate(parts):
            for i, v in zip(self.blocks[b], part, strict=True):
                state[i] = v
        return tuple(state)

    def all_states(self) -> Iterator[tuple[Any, ...]]:
        per_block = [self.block_states(b) for b in range(len(self.blocks))]
        for parts in itertools.product(*per_block):
            yield self.assemble(parts)

    def sample_states(self, n: int, seed: int) -> list[tuple[Any, ...]]:
        rng = random.Random(seed)
        per_block = [self.block_states(b) for b in range(len(self.blocks))]
        return [self.assemble([rng.choice(states) for states in per_block]) for _ in range(n)]

    def _full_env(self, state: tuple[Any, ...]) -> dict[str, Any]:
        env = dict(self.base)
        env.update((f.id, v) for f, v in zip(self.facts, state, strict=True) if f.id not in self.base)
        return env

    def answers(self, state: tuple[Any, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {self.root: self.value}
        for fact, v in zip(self.facts, state, strict=True):
            if v is not U and v is not NA:
                out[fact.id] = v.value if isinstance(v, _Maybe) else v
        return out

    # --- ground truth, block by block -----------------------------------------------------------

    def _env(self, b: int, sub: tuple[Any, ...]) -> dict[str, Any]:
        env: dict[str, Any] = dict(self.base)
        env.update((self.facts[i].id, v) for i, v in zip(self.blocks[b], sub, strict=True))
        return env

    def _children(self, b: int, sub: tuple[Any, ...], k: int) -> list[tuple[Any, ...]]:
        """The block state with its k-th question decided (answered, or found not to apply)."""
        env = self._env(b, sub)
        cond = self.facts[self.blocks[b][k]].asked_when
        applies = True if cond is None else self.ref.truth(cond, env)
        if applies is None:  # pragma: no cover - earlier questions are decided first
            raise AssertionError("undecided applicability")
        v = sub[k]
        if not applies:
            options: list[Any] = [NA]
        elif isinstance(v, _Maybe):
            options = [v.value]
        else:
            options = list(self.facts[self.blocks[b][k]].answers)
        return [(*sub[:k], o, *sub[k + 1 :]) for o in options]

    def _first_open(self, sub: tuple[Any, ...], skip: set[int] | frozenset[int] = frozenset()) -> int | None:
        for k, v in enumerate(sub):
            if k not in skip and (v is U or isinstance(v, _Maybe)):
                return k
        return None

    def outcomes(self, b: int, sub: tuple[Any, ...]) -> frozenset[tuple[int, frozenset[str]]]:
        """(verdict rank, rules of this block that fire) of every completion of a block state."""
        key = (b, sub)
        found = self.memo.get(key)
        if found is not None:
            return found
        k = self._first_open(sub)
        if k is None:
            env = self._env(b, sub)
            fired = frozenset(r for r in self.block_rules[b] if self.ref.fires(r, env))
            rank = min((RANK[self.ref.rules[r].verdict] for r in fired), default=PERMITTED)
            result = frozenset([(rank, fired)])
        else:
            result = frozenset().union(*(self.outcomes(b, c) for c in self._children(b, sub, k)))
        self.memo[key] = result
        return result

    def free_fired(self) -> frozenset[str]:
        return frozenset(r for r in self.free_rules if self.ref.fires(r, self.base))

    def contexts(self, b: int, sub: tuple[Any, ...], k: int) -> tuple[list[frozenset[int]], bool]:
        """For block question k: the verdict ranks reachable by changing it (and its follow-ups)
        in each completion of the rest of the block; and whether that can change what fires."""
        key = (b, sub, k)
        found = self.ctx_memo.get(key)
        if found is not None:
            return found
        own = self.blocks[b]
        follow = {own.index(i) for i in self.descendants[own[k]] if i in own} | {k}
        j = self._first_open(sub, follow)
        if j is None:
            if sub[k] is NA:  # in this completion of the rest, the question does not apply
                result: tuple[list[frozenset[int]], bool] = ([], False)
            else:
                outs = self.outcomes(b, sub)
                result = ([frozenset(r for r, _ in outs)], len({f for _, f in outs}) > 1)
        else:
            rank_sets: list[frozenset[int]] = []
            vary = False
            for c in self._children(b, sub, j):
                sets, v = self.contexts(b, c, k)
                rank_sets.extend(sets)
                vary = vary or v
            result = (rank_sets, vary)
        self.ctx_memo[key] = result
        return result


def _combine(rank_sets: Sequence[frozenset[int]]) -> frozenset[int]:
    """The overall verdict ranks of independent parts: the worst of one rank from each."""
    acc = frozenset([PERMITTED])
    for ranks in rank_sets:
        acc = frozenset(min(a, r) for a in acc for r in ranks)
    return acc


def _read(
    facts: Sequence[Fact], ref: _Reference, answers: Mapping[str, Any], env: dict[str, Any]
) -> dict[str, Any]:
    """``env`` with each of ``facts`` given its state for these answers, in order, by the proof's
    own reading of asked_when (not applicable, answered, answered but maybe applicable, unknown)."""
    for fact in facts:
        cond = fact.asked_when
        applies = True if cond is None else ref.truth(cond, env)
        if applies is False:
            env[fact.id] = NA
        elif fact.id in answers:
            env[fact.id] = answers[fact.id] if applies else _Maybe(answers[fact.id])
        else:
            env[fact.id] = U
    return env


def _env_for(engine: Engine, ref: _Reference, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every fact's state for these answers, by the proof's own reading of asked_when."""
    return _read(engine.facts, ref, answers, {})


def _parts(
    engine: Engine, ref: _Reference, answers: Mapping[str, Any], rule_id: str
) -> frozenset[tuple[str, str]]:
    """The parts of the situation a rule that fires needs: each chosen value of a several-of
    question (an activity, a kind of contact) without which it would not fire."""
    out = set()
    for fact in engine.facts:
        chosen = answers.get(fact.id)
        if fact.type != "several_of" or not isinstance(chosen, frozenset):
            continue
        for value in chosen:
            if ref.fires(rule_id, _env_for(engine, ref, {**answers, fact.id: chosen - {value}})) is not True:
                out.add((fact.id, value))
    return frozenset(out)


def _conflicts(
    engine: Engine, ref: _Reference, answers: Mapping[str, Any], fired: frozenset[str]
) -> list[str]:
    """A prohibition and a permission of the same clause (or of a permission clause's section) that
    fire together about the same part of the situation, without a declared precedence."""
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
            if not (same_clause or same_section) or declared:
                continue
            a, b = _parts(engine, ref, answers, p.id), _parts(engine, ref, answers, q.id)
            if not a or not b or a == b:
                out.append(f"{p.id} (not permitted) and {q.id} ({q.verdict}) fire together")
    return out


def _check_state(engine: Engine, space: _Space, state: tuple[Any, ...], report: Report) -> None:
    answers = space.answers(state)
    ev = engine.evaluate(answers)
    report.combinations += 1
    report.per_verdict[ev.verdict] += 1
    where = f"{answers}"
    if ev.verdict not in VERDICTS:
        report.fail(f"{where}: verdict {ev.verdict!r} is not on the scale")
    subs = [tuple(state[i] for i in block) for block in space.blocks]
    outs = [space.outcomes(b, sub) for b, sub in enumerate(subs)]
    block_ranks = [frozenset(r for r, _ in o) for o in outs]
    free = space.free_fired()
    free_rank = min((RANK[engine.rule[r].verdict] for r in free), default=PERMITTED)
    truth = _combine([*block_ranks, frozenset([free_rank])])
    certain = set(free)
    possible: set[str] = set()
    for o in outs:
        fired_sets = [f for _, f in o]
        certain |= frozenset.intersection(*fired_sets)
        possible |= frozenset.union(*fired_sets)
    possible -= certain
    complete = all(space._first_open(sub) is None for sub in subs)
    if complete:
        report.complete += 1
        for rid in certain:
            report.per_rule[rid] += 1
        undecided = [r.id for r in engine.book.rules if engine.effective[r.id](ev.env) is None]
        if undecided:
            report.fail(f"{where}: rules undecided in a complete combination: {undecided}")
        for conflict in _conflicts(engine, space.ref, answers, frozenset(certain)):
            report.fail(f"{where}: {conflict} without a declared precedence (overrides)")
    if {r.id for r in ev.certain} != certain:
        report.fail(
            f"{where}: engine findings {sorted(r.id for r in ev.certain)}"
            f" != rules firing in every completion {sorted(certain)}"
        )
    if {r.id for r in ev.possible} != possible:
        report.fail(
            f"{where}: engine possible {sorted(r.id for r in ev.possible)} != may fire {sorted(possible)}"
        )
    expected = VERDICTS[next(iter(truth))] if len(truth) == 1 else "depends"
    if ev.verdict != expected:
        report.fail(
            f"{where}: engine says {ev.verdict}, completions give {sorted(VERDICTS[r] for r in truth)}"
        )
    kinds: dict[str, str] = {}
    for b, sub in enumerate(subs):
        others = _combine([*(r for c, r in enumerate(block_ranks) if c != b), frozenset([free_rank])])
        for k, v in enumerate(sub):
            if v is not U:
                continue
            rank_sets, vary = space.contexts(b, sub, k)
            changes_verdict = any(len({min(r, o) for r in ranks}) > 1 for ranks in rank_sets for o in others)
            if changes_verdict:
                kinds[space.facts[space.blocks[b][k]].id] = "verdict"
            elif vary:
                kinds[space.facts[space.blocks[b][k]].id] = "conditions"
    env = space._full_env(state)
    for note in engine.book.notes:  # a question a still undecided note reads is worth asking too
        if space.ref.truth(note.when, env) is None:
            for cond in _walk(note.when):
                if "fact" in cond and env.get(cond["fact"]) is U:
                    kinds.setdefault(cond["fact"], "conditions")
    if ev.open_kinds != kinds:
        report.fail(f"{where}: open questions {ev.open_kinds}, the facts that matter are {kinds}")
    if ev.open_facts != sorted(ev.open_kinds, key=engine.order.__getitem__):
        report.fail(f"{where}: open questions out of question order: {ev.open_facts}")
    if (ev.verdict == "depends") != ("verdict" in ev.open_kinds.values()):
        report.fail(f"{where}: 'depends' and the questions that can change the verdict disagree")
    for rule in ev.possible:  # each "If ...": under those answers, the rule can fire
        given = dict(answers)
        given.update(ev.witness.get(rule.id, {}))
        blk = next((c for c, rules in enumerate(space.block_rules) if rule.id in rules), None)
        if blk is None or not any(
            rule.id in f for _, f in space.outcomes(blk, tuple(_fix(space, blk, subs[blk], given)))
        ):
            report.fail(f"{where}: the 'If ...' of {rule.id} ({ev.witness.get(rule.id)}) cannot make it fire")


def _fix(space: _Space, b: int, sub: tuple[Any, ...], given: Mapping[str, Any]) -> list[Any]:
    """A block state with the witness's answers filled in where the state left them unknown."""
    out = list(sub)
    for k, i in enumerate(space.blocks[b]):
        fid = space.facts[i].id
        if out[k] is U and fid in given:
            out[k] = _Maybe(given[fid])
    return out


@dataclass(frozen=True)
class _Job:
    engine_cls: type[Engine]
    rulebook_json: str
    value: Any
    shard: int
    shards: int
    sample: int  # 0: every combination; else this many sampled ones
    seed: int


def _run(job: _Job) -> Report:
    engine = job.engine_cls(Checker.from_json(job.rulebook_json).book)
    ref = _Reference(engine.book.rules)
    space = _Space(engine, ref, engine.roots[0], job.value)
    report = Report()
    states: Iterator[tuple[Any, ...]] = (
        iter(space.sample_states(job.sample, job.seed)) if job.sample else space.all_states()
    )
    for n, state in enumerate(states):
        if n % job.shards == job.shard:
            _check_state(engine, space, state, report)
    return report


def _plan(level: str, size: int, single: bool) -> int:
    """How many combinations to check (0: every one) for a root answer at this level."""
    if level == "fast":
        return 0 if size <= FAST_LIMIT else FAST_SINGLE_SAMPLES if single else FAST_SAMPLES
    if size <= LIMIT or (single and level == "complete"):
        return 0
    return LARGE_SAMPLES if single else SAMPLES


def prove(
    engine: Engine,
    *,
    level: str = "complete",
    only: Sequence[Any] | None = None,
    workers: int | None = None,
) -> Report:
    """Run every proof over the root answers (``only``: these); the report lists the counts, which
    root answers were proved exhaustively and which by sampling, and any failure."""
    start = time.perf_counter()
    report = Report()
    if len(engine.roots) != 1:  # pragma: no cover - the rulebook has one root question
        report.fail(f"expected one root question, found {engine.roots}")
        return report
    root = engine.fact[engine.roots[0]]
    book = _rulebook_json(engine)
    ref = _Reference(engine.book.rules)
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    jobs: list[_Job] = []
    for value in root.answers:
        if only is not None and value not in only:
            continue
        size = _Space(engine, ref, root.id, value).size()
        single = not isinstance(value, frozenset) or len(value) <= 1
        sample = _plan(level, size, single)
        label = _label(value)
        if sample:
            report.sampled[label] = sample
        else:
            report.exhaustive[label] = size
        shards = workers if (sample or size) > 10_000 else 1
        jobs += [
            _Job(
                type(engine),
                book,
                value,
                s,
                shards,
                sample,
                seed=len(report.exhaustive) + len(report.sampled),
            )
            for s in range(shards)
        ]
    if workers > 1 and len(jobs) > 1:
        # forkserver: forking a process that runs threads (a pytest-xdist worker) may deadlock.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for part in pool.map(_run, jobs):
                report.merge(part)
    else:
        for job in jobs:
            report.merge(_run(job))
    in_scope: set[str] = set()
    for value in root.answers:
        if only is None or value in only:
            space = _Space(engine, ref, root.id, value)
            in_scope |= {r for rules in space.block_rules for r in rules} | set(space.free_fired())
    unseen = {r.id for r in engine.book.rules if report.per_rule[r.id] == 0 and r.id in in_scope}
    for value in root.answers if unseen else ():  # a sample may miss one: search the blocks
        if only is not None and value not in only:
            continue
        space = _Space(engine, ref, root.id, value)
        unseen -= space.free_fired()
        for b, _ in enumerate(space.blocks):
            for sub in space.block_states(b):
                if space._first_open(sub) is None and not unseen.isdisjoint(space.block_rules[b]):
                    unseen -= next(iter(space.outcomes(b, sub)))[1]
    for rid in sorted(unseen, key=lambda r: engine.rule_order[r]):
        report.fail(f"rule {rid} fires in no combination")
    report.seconds = time.perf_counter() - start
    return report


def _rulebook_json(engine: Engine) -> str:
    """The engine's rulebook as JSON, for worker processes (they rebuild the same engine)."""
    from policycheck.model import RULEBOOK_FORMAT  # noqa: PLC0415

    book = engine.book
    import json  # noqa: PLC0415

    def fact(f: Fact) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": f.id,
            "type": f.type,
            "question": f.question,
            "help": f.help,
            "topic": f.topic,
            "none_says": f.none_says,
            "values": [{"id": v.id, "label": v.label, "says": v.says} for v in f.values],
        }
        if f.asked_when is not None:
            out["asked_when"] = f.asked_when
        return out

    data = {
        "format": RULEBOOK_FORMAT,
        "policy": vars(book.policy),
        "facts": [fact(f) for f in book.facts],
        "rules": [
            {
                "id": r.id,
                "clause": r.clause,
                "verdict": r.verdict,
                "when": r.when,
                "explanation": r.explanation,
                "headline": r.headline,
                "obligations": list(r.obligations),
                "consequences": [{"id": c.id, "if": c.condition} for c in r.consequences],
                "overrides": list(r.overrides),
                "cites": list(r.cites),
            }
            for r in book.rules
        ],
        "clauses": {cid: vars(c) for cid, c in book.clauses.items()},
        "consequences": {k: vars(c) for k, c in book.consequences.items()},
        "notes": [
            {"id": n.id, "when": n.when, "text": n.text, "clauses": list(n.clauses)} for n in book.notes
        ],
    }
    return json.dumps(data)


def ground_truth(engine: Engine, answers: Mapping[str, Any]) -> frozenset[str]:
    """The overall verdicts over every completion of these answers, by brute force, block by block.

    Also for an unknown root question: the union over its answers.
    """
    spaces = _spaces(engine)
    root = engine.roots[0]
    values = [answers[root]] if answers.get(root) is not None else list(engine.fact[root].answers)
    ranks: set[int] = set()
    for value in values:
        space = spaces[value]
        state = _state_of(space, answers)
        parts = [space.outcomes(b, tuple(state[i] for i in block)) for b, block in enumerate(space.blocks)]
        free = space.free_fired()
        free_rank = min((RANK[engine.rule[r].verdict] for r in free), default=PERMITTED)
        ranks |= _combine([*(frozenset(r for r, _ in o) for o in parts), frozenset([free_rank])])
    return frozenset(VERDICTS[r] for r in ranks)


def _state_of(space: _Space, answers: Mapping[str, Any]) -> tuple[Any, ...]:
    env = _read(space.facts, space.ref, answers, {space.root: space.value})
    return tuple(env[f.id] for f in space.facts)


_SPACES: dict[int, tuple[Engine, dict[Any, _Space]]] = {}


def _spaces(engine: Engine) -> dict[Any, _Space]:
    """The spaces of an engine (kept, so that many calls share what they computed)."""
    found = _SPACES.get(id(engine))
    if found is None or found[0] is not engine:
        ref = _Reference(engine.book.rules)
        root = engine.roots[0]
        found = (engine, {v: _Space(engine, ref, root, v) for v in engine.fact[root].answers})
        _SPACES[id(engine)] = found
    return found[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook prove", description=__doc__.split("\n")[0])
    policy_option(parser)
    parser.add_argument("--level", choices=LEVELS, default="complete", help="how much to check (see above)")
    args = parser.parse_args(argv)
    engine = load_bundle(args.policy).checker.engine
    report = prove(engine, level=args.level)
    print(
        f"combinations checked: {report.combinations} ({report.complete} complete), in {report.seconds:.1f} s"
    )
    print("every combination of: " + ", ".join(f"{k} ({v})" for k, v in report.exhaustive.items()))
    if report.sampled:
        print(
            "a sample of the combinations of the others: "
            + ", ".join(f"{k} ({v})" for k, v in report.sampled.items())
        )
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
        "proved: one verdict per combination; findings = rules that fire; possible findings and their "
        "'If ...' exact; no conflict without precedence; every rule fires; unknowns sound; open "
        "questions exact, with what each can change"
    )
    return 0
