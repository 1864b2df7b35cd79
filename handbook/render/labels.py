"""The words that label what a reader sees, the same on the web and on paper."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ..source.model import Policy

COMMENTARY: Final = "Commentary (not official policy text)"
READING: Final = "Our reading (not an official definition)"
DESCRIPTION: Final = "Our description (not official policy text)"
RULES: Final = "How the checker reads this clause (our rules, not official policy text)"
OFFICIAL: Final = "Official text"
FICTIONAL: Final = (
    "A fictional policy, made up to test the handbook's pipeline: not the policy of any district."
)

KINDS: Final[dict[str, str]] = {
    "purpose": "Purpose",
    "explanation": "Explanation",
    "prohibition": "Prohibition",
    "obligation": "Obligation",
    "permission": "Permission",
    "advice": "Advice",
    "consequence": "Consequence",
    "reservation": "Reservation of rights",
}

KIND_PLURALS: Final[dict[str, str]] = {
    "purpose": "purpose",
    "explanation": "explanation",
    "prohibition": "prohibitions",
    "obligation": "obligations",
    "permission": "permissions",
    "advice": "advice",
    "consequence": "consequences",
    "reservation": "reservations of rights",
}


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def count_kinds(kinds: list[str]) -> str:
    """``2 prohibitions, 1 obligation`` in the order kinds first appear."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{n} {KINDS[k].lower() if n == 1 else KIND_PLURALS[k]}" for k, n in counts.items())


def site_name(policy: Policy) -> str:
    """The handbook's name: in the page titles, the header and the installed app."""
    return f"Policy {policy.number} Handbook{' (fictional)' if policy.fictional else ''}"
