"""A result as readable text: answers (assumptions) first, then the verdict and each finding."""

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


def _answers(items: Sequence[Mapping[str, Any]], indent: str) -> list[str]:
    lines: list[str] = []
    for a in items:
        lines += wrap(f"{a['question']} {a['answer_label']}", indent + "  ", indent + "- ")
    return lines


def _finding(f: Mapping[str, Any], base_url: str) -> list[str]:
    c = f["clause"]
    lines = wrap(f"{f['verdict_label'].upper()}: {c['id']} {c['title']}", "    ", "  * ")
    lines += wrap(f'"{c["words"]}"', "      ")
    lines += wrap(f"Handbook: {base_url}{c['url']}", "      ")
    lines += wrap(f"Why: {f['explanation']}", "      ")
    if f["because"]:
        lines.append("      Because you said:")
        lines += _answers(f["because"], "        ")
    for o in f["obligations"]:
        lines += wrap(f"Obligation: {o}", "        ", "      - ")
    for q in f["consequences"]:
        lines += wrap(f"Consequence ({q['clause']}): {q['text']}", "        ", "      - ")
    if f["would_change"]:
        lines.append("      What would change the verdict:")
        for w in f["would_change"]:
            text = f"{w['question']} {w['answer_label']} -> {VERDICT_LABELS[w['verdict']].lower()}"
            lines += wrap(text, "          ", "        - ")
    return lines


def to_text(result: Mapping[str, Any], base_url: str = "") -> str:
    """The readable explanation of a result (what the CLI prints by default)."""
    policy = result["policy"]
    lines = [f"Policy {policy['number']}, {policy['title']} ({policy['district']})", ""]
    lines.append("Your answers (what the verdict assumes):")
    lines += _answers(result["answers"], "  ") if result["answers"] else ["  (none)"]
    for ign in result.get("ignored_facts", ()):
        lines += wrap(f"Ignored: {ign['reason']}", "    ", "  ! ")
    lines += ["", f"Verdict: {result['verdict_label'].upper()}", *wrap(result["summary"], "  ")]
    if result["open_questions"]:
        lines += ["", "Open questions (each one could change the verdict):"]
        for q in result["open_questions"]:
            labels = "; ".join(str(v["label"]) for v in q["values"])
            lines += wrap(f"{q['question']} [{q['fact']}: {labels}]", "    ", "  ? ")
    if result["findings"]:
        lines += ["", "Findings:"]
        for f in result["findings"]:
            lines += _finding(f, base_url)
    if result["possible_findings"]:
        lines += ["", "May also apply, depending on the open questions:"]
        for f in result["possible_findings"]:
            lines += _finding(f, base_url)
    lines += ["", "This is guidance on the text of the policy, not a decision by the District."]
    return "\n".join(lines) + "\n"
