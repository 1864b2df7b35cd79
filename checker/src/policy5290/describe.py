"""Conditions in plain words (for ``--facts``, the handbook and the guided form)."""

from __future__ import annotations

from .engine import Checker
from .model import Condition


def _leaf(cond: Condition, checker: Checker) -> str:
    fact = checker.fact[cond["fact"]]
    wanted = cond["in"] if "in" in cond else [cond["is"]]
    labels = " or ".join(f"“{fact.label(v)}”" for v in wanted)
    return f"“{fact.question}” {labels}"


def condition_lines(cond: Condition, checker: Checker, depth: int = 0) -> list[tuple[int, str]]:
    """The condition as (depth, text) lines: a nested list, most readable as bullets."""
    if "fact" in cond:
        return [(depth, _leaf(cond, checker))]
    if "rule" in cond:
        rule = checker.rule[cond["rule"]]
        return [(depth, f"rule {rule.id} applies ({rule.clause})")]
    if "not" in cond:
        inner = condition_lines(cond["not"], checker, depth + 1)
        if len(inner) == 1:
            return [(depth, f"not: {inner[0][1]}")]
        return [(depth, "none of these:"), *inner]
    key = "all" if "all" in cond else "any"
    head = "all of these:" if key == "all" else "any of these:"
    out: list[tuple[int, str]] = [(depth, head)]
    for c in cond[key]:
        out += condition_lines(c, checker, depth + 1)
    return out


def condition_text(cond: Condition, checker: Checker) -> str:
    """One line: ``a and (b or c)``."""
    if "fact" in cond:
        return _leaf(cond, checker)
    if "rule" in cond:
        rule = checker.rule[cond["rule"]]
        return f"rule {rule.id} applies ({rule.clause})"
    if "not" in cond:
        return f"not ({condition_text(cond['not'], checker)})"
    key = "all" if "all" in cond else "any"
    parts = [condition_text(c, checker) for c in cond[key]]
    joined = (" and " if key == "all" else " or ").join(parts)
    return joined if len(parts) == 1 else f"({joined})"
