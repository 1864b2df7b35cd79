"""The official text rebuilt from the structured source, and the fidelity comparison.

``official_text`` lays the source out as the adopted document is laid out: heading lines,
paragraphs, numbered lists and the "Policy History" block. ``fidelity_diff`` compares it with
the adopted copy word by word, after normalising whitespace only (non-breaking spaces count
as spaces), and returns a readable diff, empty when they agree.
"""

from __future__ import annotations

import datetime as dt
import difflib

from .model import Policy


def format_date(date: dt.date) -> str:
    """January 18, 2023 (no leading zero), as the policy writes dates."""
    return f"{date:%B} {date.day}, {date.year}"


def official_text(policy: Policy) -> str:
    """The adopted document as plain text, from the structured source alone."""
    lines = [policy.full_title, "", f"{policy.district} {policy.series} {policy.number}", policy.title, ""]
    for section in policy.sections:
        if section.heading:
            lines += [section.heading, ""]
        for block in section.blocks:
            if block.kind == "paragraph":
                lines += [" ".join(c.text for c in block.clauses), ""]
            else:
                for clause in block.clauses:
                    lines += [f"{clause.number}. {clause.text}", ""]
    lines += ["Policy History:", f"Adopted on: {format_date(policy.adopted)}"]
    revised = "; ".join(format_date(r.date) for r in policy.revisions)
    lines.append(f"Revised on: {revised}" if revised else "Revised on")
    return "\n".join(lines) + "\n"


def words(text: str) -> list[str]:
    """Whitespace-normalised words: any run of whitespace (NBSP included) separates words."""
    return text.replace("\u00a0", " ").split()


def fidelity_diff(expected: str, actual: str, context: int = 6) -> str:
    """A word-level diff (one word a line, with context) of two texts; empty when equal."""
    a, b = words(expected), words(actual)
    if a == b:
        return ""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(f"@@ adopted words {first[1] + 1}-{last[2]}, rebuilt words {first[3] + 1}-{last[4]} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.append("  " + " ".join(a[i1:i2]))
                continue
            if i2 > i1:
                out.append("- " + " ".join(a[i1:i2]))
            if j2 > j1:
                out.append("+ " + " ".join(b[j1:j2]))
    return "\n".join(out)
