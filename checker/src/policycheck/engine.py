"""The engine: facts in, verdict and findings out.

Semantics (see checker/README.md):

* Each rule's condition is evaluated with three-valued logic over the answers. A rule that is
  true fires *for certain*; a rule that is unknown *may* fire.
* The overall verdict is the worst verdict of the rules that fire (``permitted`` when none does).
* With unknown facts, the engine computes exactly, over every way of answering them, the set of
  overall verdicts and the sets of rules that fire. It only needs to answer the facts read by the
  rules that may fire; the rules fall into independent groups (no unknown fact in common), each
  enumerated on its own in question order, respecting ``asked_when``. One possible verdict: that
  verdict. Several: ``depends``.
* The open questions are exactly the unknown facts whose answer alone (with its follow-up
  questions) can change the verdict ("verdict") or, failing that, what the reader must do: the
  findings, with their conditions and consequences ("conditions").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from .conditions import NA, UNKNOWN, Env, Maybe, Test, compile_condition, facts_read, rules_read
from .model import RANK, VERDICTS, Answer, Condition, Fact, Rule, Rulebook

_Row = tuple[tuple[Any, ...], int, frozenset[str]]
VERDICT, CONDITIONS = "verdict", "conditions"  # what an open question can change


def _no_key(_values: Sequence[Any]) -> tuple[()]:
    """The key of a group when a fact has no other question beside it: one group."""
    return ()


@dataclass(frozen=True)
class _Plan:
    """Precomputed for one answer of the root question(s): what can still apply."""

    base: Mapping[str, Any]
    facts: tuple[tuple[str, Test | None], ...]
    rules: tuple[Rule, ...]


@dataclass
class Evaluation:
    """What the engine found, before it is turned into the result format."""

    verdict: str
    env: Env
    certain: list[Rule]
    possible: list[Rule] = field(default_factory=list)
    open_facts: list[str] = field(default_factory=list)  # in question order
    open_kinds: dict[str, str] = field(default_factory=dict)  # fact -> VERDICT or CONDITIONS
    completions: int = 0
    ranks: frozenset[int] = frozenset()  # the possible overall verdicts (indexes into VERDICTS)
    #: for each possible rule, one way the unknown facts it reads could be answered for it to fire
    witness: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings_vary: bool = False  # the rules that fire differ between completions


class Engine:
    """Evaluates answers against one rulebook (see :class:`policycheck.Checker` for scenarios)."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.facts: tuple[Fact, ...] = book.facts
        self.fact: dict[str, Fact] = {f.id: f for f in book.facts}
        self.order: dict[str, int] = {f.id: i for i, f in enumerate(book.facts)}
        self.rule: dict[str, Rule] = {r.id: r for r in book.rules}
        self.rule_order: dict[str, int] = {r.id: i for i, r in enumerate(book.rules)}
        self.roots = tuple(f.id for f in book.facts if f.asked_when is None)

        tests: dict[str, Test] = {}
        self.effective: dict[str, Test] = tests
        self.overridden_by: dict[str, list[str]] = {r.id: [] for r in book.rules}
        for r in book.rules:
            for o in r.overrides:
                self.overridden_by[o].append(r.id)
        for r in book.rules:
            # a rule fires when its condition holds and no rule that overrides it fires
            overriders = self.overridden_by[r.id]
            cond = {"all": [r.when, *({"not": {"rule": o}} for o in overriders)]} if overriders else r.when
            tests[r.id] = compile_condition(cond, tests)
        self.asked: dict[str, Test | None] = {
            f.id: None if f.asked_when is None else compile_condition(f.asked_when, tests) for f in book.facts
        }
        self.note_tests: dict[str, Test] = {n.id: compile_condition(n.when, tests) for n in book.notes}

        # facts each fact's asked_when depends on, transitively (its "ancestors") and the reverse
        self.ancestors: dict[str, frozenset[str]] = {}
        for f in book.facts:
            direct = set(facts_read(f.asked_when)) if f.asked_when else set()
            self.ancestors[f.id] = frozenset(direct.union(*(self.ancestors[d] for d in direct)))
        self.descendants: dict[str, frozenset[str]] = {
            f.id: frozenset(g.id for g in book.facts if f.id in self.ancestors[g.id]) for f in book.facts
        }
        # facts each rule reads, through rule references and overriding rules, with their ancestors
        self.reads: dict[str, frozenset[str]] = {}
        for r in book.rules:
            self._reads(r.id)
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._tests: dict[int, tuple[Condition, Test]] = {}

    def test_of(self, cond: Condition) -> Test:
        """The compiled test of any condition of this rulebook (memoised; for explanations)."""
        found = self._tests.get(id(cond))
        if found is None or found[0] is not cond:
            found = (cond, compile_condition(cond, self.effective))
            self._tests[id(cond)] = found
        return found[1]

    def _reads(self, rule_id: str) -> frozenset[str]:
        if rule_id in self.reads:
            return self.reads[rule_id]
        r = self.rule[rule_id]
        direct = set(facts_read(r.when))
        for other in (*rules_read(r.when), *self.overridden_by[rule_id]):
            direct |= self._reads(other)
        out = frozenset(direct.union(*(self.ancestors[f] for f in direct)))
        self.reads[rule_id] = out
        return out

    # --- environments ---------------------------------------------------------------------

    def _plan(self, key: tuple[Any, ...]) -> _Plan:
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        env: Env = {f.id: UNKNOWN for f in self.facts}
        for root, value in zip(self.roots, key, strict=True):
            env[root] = value
        for f in self.facts:
            test = self.asked[f.id]
            if test is not None and test(env) is False:
                env[f.id] = NA
        base = {k: v for k, v in env.items() if v is NA or k in self.roots}
        facts = tuple((f.id, self.asked[f.id]) for f in self.facts if f.id not in base)
        rules = tuple(r for r in self.book.rules if self.effective[r.id](env) is not False)
        plan = _Plan(base, facts, rules)
        self._plans[key] = plan
        return plan

    def environment(self, answers: Mapping[str, Answer]) -> tuple[Env, _Plan]:
        """The environment for these answers; answers to questions that do not apply become NA."""
        plan = self._plan(tuple(answers.get(r, UNKNOWN) for r in self.roots))
        env: Env = dict(plan.base)
        for fid, test in plan.facts:
            applies = True if test is None else test(env)
            if applies is False:
                env[fid] = NA
            elif fid in answers:
                env[fid] = answers[fid] if applies else Maybe(answers[fid])
            else:
                env[fid] = UNKNOWN
        return env, plan

    # --- evaluation -----------------------------------------------------------------------

    def evaluate(self, answers: Mapping[str, Answer], *, explain: bool = True) -> Evaluation:
        """The verdict, the findings and (with ``explain``) the open questions for these answers.

        Without ``explain`` only the verdict is computed exactly (what proofs and what-ifs need).
        """
        env, plan = self.environment(answers)
        certain: list[Rule] = []
        undecided: list[Rule] = []
        effective = self.effective
        for r in plan.rules:
            t = effective[r.id](env)
            if t is True:
                certain.append(r)
            elif t is None:
                undecided.append(r)
        base = min((RANK[r.verdict] for r in certain), default=RANK["permitted"])
        relevant = undecided if explain else [r for r in undecided if RANK[r.verdict] < base]
        if not relevant:
            kinds: dict[str, str] = {}
            if explain:
                self._note_questions(env, kinds)
            opened = sorted(kinds, key=self.order.__getitem__)
            return Evaluation(VERDICTS[base], env, certain, [], opened, kinds, ranks=frozenset([base]))
        for root in self.roots:
            if env[root] is UNKNOWN:
                return self._branch(answers, root, env, certain, explain)
        return self._enumerate(env, certain, relevant, base, explain)

    def _branch(
        self, answers: Mapping[str, Answer], root: str, env: Env, certain: list[Rule], explain: bool
    ) -> Evaluation:
        """A root question (the activity) is unknown: evaluate each answer to it and combine.

        Every other question depends on the root one, so a fact matters overall exactly when it
        matters for some answer to the root question; the root question matters when the
        answers to it can give different verdicts (or, failing that, different findings).
        """
        ranks: set[int] = set()
        kinds: dict[str, str] = {}
        maybe: dict[str, Rule] = {}
        witness: dict[str, dict[str, Any]] = {}
        fixed: set[frozenset[str]] = set()  # what fires, in the branches where it cannot vary
        vary = False
        completions = 0
        for value in self.fact[root].answers:
            ev = self.evaluate({**answers, root: value}, explain=explain)
            ranks |= ev.ranks
            for fid, kind in ev.open_kinds.items():
                if kinds.get(fid) != VERDICT:
                    kinds[fid] = kind
            for r in (*ev.certain, *ev.possible):
                maybe.setdefault(r.id, r)
                if r.id not in witness:
                    witness[r.id] = {root: value, **ev.witness.get(r.id, {})}
            if ev.findings_vary:
                vary = True
            else:
                fixed.add(frozenset(r.id for r in ev.certain))
            completions += max(ev.completions, 1)
        vary = vary or len(fixed) > 1
        sure = {r.id for r in certain}
        possible = [r for r in self.book.rules if r.id in maybe and r.id not in sure]
        verdict = VERDICTS[next(iter(ranks))] if len(ranks) == 1 else "depends"
        if explain:
            if len(ranks) > 1:
                kinds[root] = VERDICT
            elif vary:
                kinds[root] = CONDITIONS
        opened = sorted(kinds, key=self.order.__getitem__) if explain else []
        return Evaluation(
            verdict,
            env,
            certain,
            possible,
            opened,
            kinds if explain else {},
            completions,
            frozenset(ranks),
            {r.id: witness[r.id] for r in possible} if explain else {},
            vary,
        )

    def _note_questions(self, env: Env, kinds: dict[str, str]) -> None:
        """An unknown question that a still undecided note reads is worth asking too (kind
        CONDITIONS): the note tells the reader what to do (an emergency, a family member)."""
        for note in self.book.notes:
            if self.note_tests[note.id](env) is None:
                for fid in facts_read(note.when):
                    if env[fid] is UNKNOWN and fid not in kinds:
                        kinds[fid] = CONDITIONS

    def verdict(self, answers: Mapping[str, Answer]) -> str:
        return self.evaluate(answers, explain=False).verdict

    def _enumerate(
        self, env: Env, certain: list[Rule], undecided: list[Rule], base: int, explain: bool
    ) -> Evaluation:
        """Exact verdicts and fired rules over every completion of the unknown facts the undecided
        rules read.

        The undecided rules fall into independent groups (no unknown fact in common): each group
        is enumerated on its own, and the overall verdicts are the worst-of combinations.
        """
        components = self._components(env, undecided)
        spans: list[tuple[list[str], list[Rule], list[_Row], set[int]]] = []
        for slots, rules in components:
            rows = self._rows(env, slots, rules)
            spans.append((slots, rules, rows, {rank for _, rank, _ in rows}))
        possible_ranks = {base}
        for *_, ranks in spans:
            possible_ranks = {min(a, b) for a in possible_ranks for b in ranks}
        verdict = VERDICTS[next(iter(possible_ranks))] if len(possible_ranks) == 1 else "depends"
        completions = sum(len(s[2]) for s in spans)
        if not explain:
            return Evaluation(verdict, env, certain, completions=completions, ranks=frozenset(possible_ranks))
        witness: dict[str, dict[str, Any]] = {}
        always: set[str] = set()  # fire in every completion, though three-valued logic cannot tell
        for slots, _rules, rows, _ in spans:
            always |= frozenset.intersection(*(fired for _, _, fired in rows))
            for values, _, fired in rows:
                for rid in fired:
                    if rid not in witness:
                        read = self.reads[rid]
                        witness[rid] = {s: v for s, v in zip(slots, values, strict=True) if s in read}
        certain = [*certain, *(r for r in undecided if r.id in always)]
        possible = [r for r in undecided if r.id in witness and r.id not in always]
        for rid in always:
            witness.pop(rid, None)
        kinds: dict[str, str] = {}
        for i, (slots, _, rows, _) in enumerate(spans):
            lenient = min([base, *(max(s[3]) for j, s in enumerate(spans) if j != i)])
            kinds.update(self._open_questions(slots, rows, env, lenient))
        self._note_questions(env, kinds)
        opened = sorted(kinds, key=self.order.__getitem__)
        vary = any(len({fired for _, _, fired in rows}) > 1 for _, _, rows, _ in spans)
        return Evaluation(
            verdict,
            env,
            certain,
            possible,
            opened,
            kinds,
            completions,
            frozenset(possible_ranks),
            witness,
            vary,
        )

    def _components(self, env: Env, rules: list[Rule]) -> list[tuple[list[str], list[Rule]]]:
        unknown = {
            r.id: {f for f in self.reads[r.id] if env[f] is UNKNOWN or env[f].__class__ is Maybe}
            for r in rules
        }
        groups: list[tuple[set[str], list[Rule]]] = []
        for r in rules:
            facts, members = set(unknown[r.id]), [r]
            keep = []
            for g in groups:
                if g[0] & facts:
                    facts |= g[0]
                    members = g[1] + members
                else:
                    keep.append(g)
            groups = [*keep, (facts, members)]
        return [(sorted(f, key=self.order.__getitem__), m) for f, m in groups]

    def _rows(self, env: Env, slots: list[str], rules: list[Rule]) -> list[_Row]:
        effective = self.effective
        asked = self.asked
        permitted = RANK["permitted"]
        ranks = [(r.id, RANK[r.verdict]) for r in rules]
        rows: list[_Row] = []
        work = dict(env)
        n = len(slots)

        def walk(i: int) -> None:
            if i == n:
                fired = frozenset(rid for rid, _ in ranks if effective[rid](work) is True)
                rank = min((rk for rid, rk in ranks if rid in fired), default=permitted)
                rows.append((tuple(work[s] for s in slots), rank, fired))
                return
            fid = slots[i]
            before = work[fid]
            test = asked[fid]
            applies = True if test is None else test(work)
            if applies is None:  # pragma: no cover - ancestors are always enumerated first
                raise RuntimeError(f"cannot decide whether {fid!r} applies")
            if not applies:
                work[fid] = NA
                walk(i + 1)
            elif before.__class__ is Maybe:
                work[fid] = before.value
                walk(i + 1)
            else:
                for value in self.fact[fid].answers:
                    work[fid] = value
                    walk(i + 1)
            work[fid] = before

        walk(0)
        return rows

    def _open_questions(
        self, slots: Sequence[str], rows: Sequence[_Row], env: Env, lenient: int
    ) -> dict[str, str]:
        """Unknown facts such that changing one (and answering its follow-ups) can change the verdict,
        or else what fires: fact -> VERDICT or CONDITIONS.

        Rows are grouped by every other fact except the fact's follow-up questions; in a group, two
        different answers leading to different verdicts (clamped to what the rest of the scenario
        allows: ``lenient`` is the mildest verdict the other groups can give) show that it changes
        the verdict; leading to different fired rules, that it changes what the reader must do.
        """
        out: dict[str, str] = {}
        for i, fid in enumerate(slots):
            if env[fid] is not UNKNOWN:
                continue
            follow = self.descendants[fid]
            keep = [j for j, s in enumerate(slots) if j != i and s not in follow]
            key_of = itemgetter(*keep) if keep else _no_key
            # per group: its first row's answer, verdict and fired rules, and whether a later row
            # of the group differs in each (enough to tell the outcome, and it can stop early)
            groups: dict[Any, list[Any]] = {}
            found = ""
            for values, rank, fired in rows:
                clamped = min(rank, lenient)
                group = groups.get(key := key_of(values))
                if group is None:
                    groups[key] = [values[i], clamped, fired, False, False, False]
                    continue
                group[3] = group[3] or values[i] != group[0]
                group[4] = group[4] or clamped != group[1]
                group[5] = group[5] or fired != group[2]
                if group[3] and group[4]:
                    found = VERDICT
                    break
                if group[3] and group[5]:
                    found = CONDITIONS
            if found:
                out[fid] = found
        return out
