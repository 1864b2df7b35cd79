"""Conditions in words: the one renderer, for the CLI, the handbook's pages and print.

Each caller chooses a :class:`Style` (how plain text, an answer and a reference to another rule
are marked up, e.g. escaped and linked in HTML); the sentences are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .engine import Engine
from .model import Condition, Rule

Line = tuple[int, str]  # (depth, text): a nested list, read best as bullets


def _quoted(text: str) -> str:
    return f"“{text}”"


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Style:
    """How the pieces of a condition are marked up (plain text by default)."""

    answer: Callable[[str], str] = _quoted  # an answer's label
    rule_id: Callable[[str], str] = _same  # another rule's id
    clause: Callable[[str], str] = _same  # a clause id (a link, with its title, on a page)
    text: Callable[[str], str] = _same  # any other text (a question)


PLAIN = Style()


def _rule_applies(rule: Rule, style: Style) -> str:
    return f"rule {style.rule_id(rule.id)} applies ({style.clause(rule.clause)})"


def leaf_words(cond: Condition, engine: Engine, style: Style = PLAIN) -> str:
    """``{fact, is}`` / ``{fact, in}`` in words: the question, then the answer(s) that satisfy it."""
    fact = engine.fact[cond["fact"]]
    if "has" in cond:  # a several-of question: its answer includes one of these
        wanted = cond["has"] if isinstance(cond["has"], list) else [cond["has"]]
        answers = " or ".join(style.answer(fact.value(v).label) for v in wanted)
        return f"{style.text(_quoted(fact.question))} includes {answers}"
    wanted = cond["in"] if "in" in cond else [cond["is"]]
    answers = " or ".join(style.answer(fact.label(v)) for v in wanted)
    return f"{style.text(_quoted(fact.question))} {answers}"


def condition_lines(cond: Condition, engine: Engine, style: Style = PLAIN, depth: int = 0) -> list[Line]:
    """The condition as (depth, text) lines."""
    if "fact" in cond:
        return [(depth, leaf_words(cond, engine, style))]
    if "rule" in cond:
        return [(depth, _rule_applies(engine.rule[cond["rule"]], style))]
    if "not" in cond:
        return [(depth, "none of these:"), *condition_lines(cond["not"], engine, style, depth + 1)]
    key = "all" if "all" in cond else "any"
    out: list[Line] = [(depth, f"{key} of these:")]
    for c in cond[key]:
        out += condition_lines(c, engine, style, depth + 1)
    return out


def condition_text(cond: Condition, engine: Engine, style: Style = PLAIN) -> str:
    """The condition on one line: ``a and (b or c)``."""
    if "fact" in cond:
        return leaf_words(cond, engine, style)
    if "rule" in cond:
        return _rule_applies(engine.rule[cond["rule"]], style)
    if "not" in cond:
        return f"not ({condition_text(cond['not'], engine, style)})"
    key = "all" if "all" in cond else "any"
    parts = [condition_text(c, engine, style) for c in cond[key]]
    joined = (" and " if key == "all" else " or ").join(parts)
    return joined if len(parts) == 1 else f"({joined})"


def rule_condition_lines(rule: Rule, engine: Engine, style: Style = PLAIN) -> list[Line]:
    """A rule's condition as the bullets of "... when all of these hold:", and its precedence."""
    top = list(rule.when["all"]) if "all" in rule.when else [rule.when]
    lines = [line for c in top for line in condition_lines(c, engine, style)]
    overriders = engine.overridden_by[rule.id]
    for o in overriders:
        rule = engine.rule[o]
        ref = f"rule {style.rule_id(rule.id)} ({style.clause(rule.clause)})"
        lines.append((0, f"and {ref} does not apply (it takes precedence)"))
    return lines


@dataclass(frozen=True)
class Item:
    """A line of a nested list, with the lines under it."""

    text: str
    children: tuple[Item, ...] = ()


def nest(lines: list[Line]) -> tuple[Item, ...]:
    """(depth, text) lines as a tree of items (for renderers that nest lists)."""

    def build(start: int, depth: int) -> tuple[list[Item], int]:
        items: list[Item] = []
        i = start
        while i < len(lines) and lines[i][0] >= depth:
            if lines[i][0] > depth:  # pragma: no cover - lines from condition_lines never skip a level
                raise ValueError(f"line {i} skips a level")
            children, after = build(i + 1, depth + 1)
            items.append(Item(lines[i][1], tuple(children)))
            i = after
        return items, i

    return tuple(build(0, 0)[0])
