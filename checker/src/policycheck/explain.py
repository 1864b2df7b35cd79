"""A result as readable text: the plain answer first, then why, in the order a reader needs it.

The answer (verdict in words and one plain sentence); what applies, the most specific first, each
with its headline, the clause it cites and its words, what it is about, why ("because ..."), what
to do, what can happen and what would change it; what only may apply ("If ..., then ..."); the
questions that could still change the answer; our notes; and the answers it assumes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from .model import VERDICT_LABELS

WIDTH = 88


def wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent if first is None else first, subsequent_indent=indent
    ) or [indent.rstrip()]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _statements(items: Sequence[Mapping[str, Any]]) -> str:
    return "; ".join(a["says"] for a in items)


def _cites(f: Mapping[str, Any]) -> str:
    ids = [f["clause"]["id"], *(c["id"] for c in f.get("cites", ()))]
    return f"{f['clause']['title']} ({', '.join(ids)})"


def _consequences(f: Mapping[str, Any], indent: str) -> list[str]:
    lines = []
    for c in f["consequences"]:
        condition = f"{_sentence(c['if'])}: " if c.get("if") else ""
        lines += wrap(f"{condition}{c['text']} ({c['clause']})", indent + "  ", indent + "- ")
    return lines


def _finding(f: Mapping[str, Any], base_url: str) -> list[str]:
    lines = wrap(f"{f['headline']}", "    ", "  * ")
    lines += wrap(f"{f['role'].capitalize()} · {_cites(f)}", "      ")
    if f.get("about"):
        lines += wrap(f"About: {'; '.join(f['about'])}", "      ")
    lines += wrap(f'The policy says: "{f["clause"]["words"]}"', "      ")
    lines += wrap(f"Handbook: {base_url}{f['clause']['url']}", "      ")
    if f["because"]:
        lines += wrap(f"Because {_statements(f['because'])}.", "      ")
    if f["obligations"]:
        lines.append("      What to do:")
        for o in f["obligations"]:
            lines += wrap(o, "          ", "        - ")
    if f["consequences"]:
        lines.append("      What can happen:")
        lines += _consequences(f, "        ")
    if f.get("would_change"):
        lines.append("      What would change the answer:")
        for w in f["would_change"]:
            text = f"if {w['says']}: {VERDICT_LABELS[w['verdict']]}"
            lines += wrap(text, "          ", "        - ")
    return lines


def _possible(f: Mapping[str, Any], base_url: str) -> list[str]:
    lines = wrap(f"{f['if']}, then: {f['headline']}", "    ", "  ? ")
    lines += wrap(f"{f['role'].capitalize()} · {_cites(f)} · {base_url}{f['clause']['url']}", "      ")
    if f["consequences"]:
        lines.append("      What can happen:")
        lines += _consequences(f, "        ")
    return lines


def to_text(result: Mapping[str, Any], base_url: str = "") -> str:
    """The readable explanation of a result (what the CLI prints by default)."""
    policy = result["policy"]
    lines = [f"Policy {policy['number']}, {policy['title']} ({policy['district']})", ""]
    lines += wrap(f"ANSWER: {result['summary']}")
    if result["findings"]:
        lines += ["", "What applies:"]
        for f in result["findings"]:
            lines += _finding(f, base_url)
    if result["possible_findings"]:
        lines += ["", "What may also apply, depending on the questions still open:"]
        for f in result["possible_findings"]:
            lines += _possible(f, base_url)
    if result["open_questions"]:
        lines += ["", "Questions still open:"]
        for q in result["open_questions"]:
            what = "the answer" if q["changes"] == "verdict" else "what you must do"
            unsure = " You answered: I don't know." if q["unsure"] else ""
            lines += wrap(f"{q['question']} [{q['fact']}; it could change {what}]{unsure}", "    ", "  ? ")
    if result.get("notes"):
        lines += ["", "Our notes (commentary, not policy):"]
        for n in result["notes"]:
            cited = ", ".join(c["id"] for c in n["clauses"])
            lines += wrap(f"{n['text']} ({cited})", "    ", "  - ")
    lines += ["", "Your answers (what this assumes):"]
    if result["answers"]:
        for a in result["answers"]:
            lines += wrap(f"{a['question']} → {a['answer_label']}", "    ", "  - ")
    else:
        lines.append("  (none)")
    for ign in result.get("ignored_facts", ()):
        lines += wrap(f"Set aside: {ign['reason']}", "    ", "  ! ")
    lines += ["", "This is guidance on the text of the policy, not a decision by the District."]
    return "\n".join(lines) + "\n"
