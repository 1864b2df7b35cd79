"""The checker's source: facts, rules (in the section files), consequences and the casebook.

``load_rule_source`` reads them beside the policy's text (``text.load_policy``, with the same
``Reader``, so no file is parsed twice) and checks them together: every problem is reported with
file, line and column, none is fatal on its own.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policycheck.conditions import rules_read, walk

from .errors import Path, Problem, SourceError
from .model import NORMATIVE_KINDS, Policy
from .reader import Reader
from .yamlfile import YamlDoc


@dataclass(frozen=True)
class Located:
    """A piece of source data and where it is (for messages)."""

    data: Mapping[str, Any]
    doc: YamlDoc
    path: Path

    def problem(self, message: str, *sub: str | int) -> Problem:
        return self.doc.problem((*self.path, *sub), message)


@dataclass(frozen=True)
class RuleSource:
    policy: Policy
    facts: tuple[Located, ...]
    rules: tuple[Located, ...]  # each rule's data carries its clause id under "clause"
    consequences: tuple[Located, ...]
    casebook: tuple[Located, ...]
    notes: tuple[Located, ...] = ()

    def fact(self, fact_id: str) -> Mapping[str, Any]:
        return next(f.data for f in self.facts if f.data["id"] == fact_id)


def consequence_refs(rule: Mapping[str, Any]) -> list[dict[str, str]]:
    """A rule's consequences as ``{id, if}`` (the source may give a bare id)."""
    return [{"id": c, "if": ""} if isinstance(c, str) else dict(c) for c in rule.get("consequences", ())]


#: Clause kinds a rule may sit on, and the verdicts it may give there. A consequence clause takes
#: none: consequences.yaml names it, and the rules that lead to it carry it as "what can happen".
#: An explanation clause may carry a caution (it explains a risk the reader should weigh).
RULE_VERDICTS_BY_KIND: dict[str, frozenset[str]] = {
    **{
        k: frozenset({"not_permitted", "permitted_with_conditions", "caution", "permitted"})
        for k in NORMATIVE_KINDS
    },
    "explanation": frozenset({"caution"}),
    "consequence": frozenset(),
}


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _show(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else repr(value)


class _Checks:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.facts: dict[str, Mapping[str, Any]] = {}

    def condition(
        self, where: Located, key: str, rules: Mapping[str, Located] | None, known_facts: Mapping[str, Any]
    ) -> None:
        """Check a condition's fact names, values and rule references."""
        for cond, path in walk(where.data[key], (*where.path, key)):
            if "rule" in cond:
                if rules is None:
                    self.problems.append(
                        where.doc.problem((*path, "rule"), "asked_when cannot refer to rules")
                    )
                elif cond["rule"] not in rules:
                    self.problems.append(
                        where.doc.problem(
                            (*path, "rule"),
                            f"unknown rule {cond['rule']!r}{_suggest(cond['rule'], list(rules))}",
                        )
                    )
            if "fact" not in cond:
                continue
            fid = cond["fact"]
            fact = known_facts.get(fid)
            if fact is None:
                hint = _suggest(fid, list(known_facts))
                if rules is None and fid in self.facts:
                    hint = " (asked_when may only read facts listed before this one)"
                self.problems.append(where.doc.problem((*path, "fact"), f"unknown fact {fid!r}{hint}"))
                continue
            vkey = next(k for k in ("has", "in", "is") if k in cond)
            several = fact["type"] == "several_of"
            if several != (vkey == "has"):
                use = "has" if several else ("is or in" if fact["type"] == "one_of" else "is")
                self.problems.append(
                    where.doc.problem(
                        (*path, vkey),
                        f"fact {fid!r} is {fact['type'].replace('_', ' ')}: read it with {use}, not {vkey}",
                    )
                )
                continue
            listed = isinstance(cond[vkey], list)
            wanted = cond[vkey] if listed else [cond[vkey]]
            for i, value in enumerate(wanted):
                vpath = (*path, vkey, i) if listed else (*path, vkey)
                if fact["type"] == "yes_no" and not isinstance(value, bool):
                    self.problems.append(
                        where.doc.problem(
                            vpath,
                            f"value {_show(value)} is outside the type of yes/no fact {fid!r} "
                            "(use true or false)",
                        )
                    )
                elif fact["type"] != "yes_no" and value not in [v["id"] for v in fact["values"]]:
                    ids = [v["id"] for v in fact["values"]]
                    self.problems.append(
                        where.doc.problem(
                            vpath,
                            f"value {_show(value)} is outside the values of fact {fid!r}"
                            f"{_suggest(str(value), ids)} (allowed: {', '.join(ids)})",
                        )
                    )


def _section_rules(policy: Policy, reader: Reader) -> tuple[list[Located], dict[str, Located]]:
    """Every rule with its place, and each clause's place (clause id -> Located)."""
    rules: list[Located] = []
    clauses: dict[str, Located] = {}
    for rel in reader.files("sections"):
        doc = reader.read(rel, "section")
        if doc is None or doc.data["id"] not in {s.id for s in policy.sections}:
            continue
        for b, block in enumerate(doc.data["blocks"]):
            kind = "list" if "list" in block else "paragraph"
            for c, raw in enumerate(block[kind]):
                where = ("blocks", b, kind, c)
                clauses[raw["id"]] = Located(raw, doc, where)
                for r, rule in enumerate(raw.get("rules", ())):
                    rules.append(Located({**rule, "clause": raw["id"]}, doc, (*where, "rules", r)))
    return rules, clauses


def load_rule_source(policy: Policy, reader: Reader) -> RuleSource:
    """Read and check the checker's source beside a loaded policy; SourceError lists every problem."""
    ch = _Checks()
    problems = ch.problems
    facts_doc = reader.read("facts.yaml", "facts")
    cons_doc = reader.read("consequences.yaml", "consequences")
    case_doc = reader.read("casebook.yaml", "casebook")
    notes_doc = reader.read("notes.yaml", "notes") if (reader.dir / "notes.yaml").is_file() else None
    problems.extend(reader.problems)
    rules, clause_places = _section_rules(policy, reader)
    if facts_doc is None or cons_doc is None or case_doc is None:
        raise SourceError(problems)

    # facts: unique ids and values; asked_when reads only earlier facts
    facts = tuple(Located(f, facts_doc, (i,)) for i, f in enumerate(facts_doc.data))
    for f in facts:
        fid = f.data["id"]
        if fid in ch.facts:
            problems.append(f.problem(f"duplicate fact id {fid!r}", "id"))
            continue
        ids = [v["id"] for v in f.data.get("values", ())]
        for j, vid in enumerate(ids):
            if vid in ids[:j]:
                problems.append(f.problem(f"duplicate value id {vid!r}", "values", j, "id"))
        if "asked_when" in f.data:
            ch.condition(f, "asked_when", None, dict(ch.facts))
        ch.facts[fid] = f.data
    if facts and facts[0].data.get("asked_when") is not None:
        problems.append(
            facts[0].problem("the first fact is always asked: it takes no asked_when", "asked_when")
        )

    # consequences
    consequences = tuple(Located(c, cons_doc, (i,)) for i, c in enumerate(cons_doc.data))
    cons_ids: set[str] = set()
    clause_ids = {c.id for c in policy.clauses()}
    for c in consequences:
        if c.data["id"] in cons_ids:
            problems.append(c.problem(f"duplicate consequence id {c.data['id']!r}", "id"))
        cons_ids.add(c.data["id"])
        if c.data["clause"] not in clause_ids:
            problems.append(c.problem(f"unknown clause {c.data['clause']!r}", "clause"))

    # rules
    by_id: dict[str, Located] = {}
    for r in rules:
        rid = r.data["id"]
        if rid in by_id:
            first = by_id[rid].problem("", "id")
            problems.append(
                r.problem(f"duplicate rule id {rid!r} (first defined at {first.file}:{first.line})", "id")
            )
        else:
            by_id[rid] = r
    clause_ids_list = sorted(clause_ids)
    for r in rules:
        clause = policy.clause(r.data["clause"])
        allowed = RULE_VERDICTS_BY_KIND.get(clause.kind, frozenset())
        if not allowed:
            why = (
                "name it in consequences.yaml and list it under the consequences of the rules that lead to it"
                if clause.kind == "consequence"
                else "it states no rule"
            )
            problems.append(
                r.problem(f"clause {clause.id} is a {clause.kind} clause: it takes no rule ({why})", "id")
            )
        elif r.data["verdict"] not in allowed:
            problems.append(
                r.problem(
                    f"a rule on {clause.kind} clause {clause.id} may only give {', '.join(sorted(allowed))}",
                    "verdict",
                )
            )
        for i, cid in enumerate(r.data.get("cites", ())):
            if cid not in clause_ids:
                problems.append(
                    r.problem(f"unknown clause {cid!r}{_suggest(cid, clause_ids_list)}", "cites", i)
                )
            elif cid == clause.id:
                problems.append(r.problem("a rule cites its own clause already", "cites", i))
        ch.condition(r, "when", by_id, ch.facts)
        for i, other in enumerate(r.data.get("overrides", ())):
            if other not in by_id:
                problems.append(
                    r.problem(f"unknown rule {other!r}{_suggest(other, list(by_id))}", "overrides", i)
                )
            elif other == r.data["id"]:
                problems.append(r.problem("a rule cannot override itself", "overrides", i))
        for i, cid in enumerate(c["id"] for c in consequence_refs(r.data)):
            if cid not in cons_ids:
                problems.append(
                    r.problem(
                        f"unknown consequence {cid!r}{_suggest(cid, sorted(cons_ids))}", "consequences", i
                    )
                )
    problems.extend(_cycles(rules, by_id))

    # notes: conditions over facts and rules, about known clauses
    notes = tuple(Located(n, notes_doc, (i,)) for i, n in enumerate(notes_doc.data)) if notes_doc else ()
    note_ids: set[str] = set()
    for n in notes:
        if n.data["id"] in note_ids:
            problems.append(n.problem(f"duplicate note id {n.data['id']!r}", "id"))
        note_ids.add(n.data["id"])
        ch.condition(n, "when", by_id, ch.facts)
        for i, cid in enumerate(n.data["clauses"]):
            if cid not in clause_ids:
                problems.append(
                    n.problem(f"unknown clause {cid!r}{_suggest(cid, clause_ids_list)}", "clauses", i)
                )

    # every normative clause has a rule, every consequence clause a consequence; all is used
    ruled = {r.data["clause"] for r in rules} | {cid for r in rules for cid in r.data.get("cites", ())}
    stated = {c.data["clause"] for c in consequences}
    for clause in policy.clauses():
        if clause.kind == "consequence":
            if clause.id not in stated:
                problems.append(
                    clause_places[clause.id].problem(
                        f"consequence clause {clause.id} is named by no entry of consequences.yaml", "id"
                    )
                )
        elif clause.normative and clause.id not in ruled:
            problems.append(
                clause_places[clause.id].problem(
                    f"{clause.kind} clause {clause.id} has no checker rule"
                    " (give it one, or cite it from one)",
                    "id",
                )
            )
    read = {c["fact"] for x in (*rules, *notes) for c, _ in walk(x.data["when"]) if "fact" in c}
    for f in facts:
        if f.data["id"] not in read:
            problems.append(
                f.problem(
                    f"fact {f.data['id']!r} is read by no rule or note (every question must matter)", "id"
                )
            )
    used = {c["id"] for r in rules for c in consequence_refs(r.data)}
    for c in consequences:
        if c.data["id"] not in used:
            problems.append(c.problem(f"consequence {c.data['id']!r} is named by no rule", "id"))

    # casebook: ids unique, cited clauses exist (answers are checked against the compiled rulebook)
    casebook = tuple(Located(c, case_doc, (i,)) for i, c in enumerate(case_doc.data))
    case_ids: set[str] = set()
    for c in casebook:
        if c.data["id"] in case_ids:
            problems.append(c.problem(f"duplicate scenario id {c.data['id']!r}", "id"))
        case_ids.add(c.data["id"])
        for i, cid in enumerate(c.data["expect"]["clauses"]):
            if cid not in clause_ids:
                problems.append(
                    c.problem(
                        f"unknown clause {cid!r}{_suggest(cid, sorted(clause_ids))}", "expect", "clauses", i
                    )
                )
        for i, fid in enumerate(c.data["expect"].get("open_questions", ())):
            if fid not in ch.facts:
                problems.append(c.problem(f"unknown fact {fid!r}", "expect", "open_questions", i))
    if problems:
        raise SourceError(problems)
    return RuleSource(policy, facts, tuple(rules), consequences, casebook, notes)


def rule_references(rule: Mapping[str, Any], overridden_by: Mapping[str, list[str]]) -> list[str]:
    """Rules whose firing this rule's firing depends on: its {rule: ...} and the rules overriding it."""
    refs = list(rules_read(rule["when"]))
    return [*refs, *overridden_by.get(rule["id"], ())]


def _cycles(rules: Sequence[Located], by_id: Mapping[str, Located]) -> list[Problem]:
    overridden_by: dict[str, list[str]] = {}
    for r in rules:
        for o in r.data.get("overrides", ()):
            overridden_by.setdefault(o, []).append(r.data["id"])
    graph = {
        rid: [x for x in rule_references(r.data, overridden_by) if x in by_id] for rid, r in by_id.items()
    }
    state: dict[str, int] = {}
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problems.append(
                        by_id[nxt].problem(
                            "rule reference cycle: " + " -> ".join(cycle) + " (via {rule} or overrides)",
                            "when",
                        )
                    )
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for rid in graph:
        if rid not in state:
            visit(rid, [])
    return problems
