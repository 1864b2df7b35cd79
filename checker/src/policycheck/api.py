"""The public checker: a policy's rulebook, ready to check scenarios."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from .engine import Engine
from .model import Fact, PolicyInfo, Rulebook
from .result import build_result, to_json
from .rulebooks import read
from .schema import scenario_schema
from .validate import read_scenario


class Checker:
    """Checks scenarios against one rulebook (any policy's)."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.engine = Engine(book)

    @classmethod
    def load(cls, policy: str | os.PathLike[str]) -> Checker:
        """The checker for an installed policy's id or a rulebook file's path."""
        return cls(read(policy))

    @classmethod
    def from_data(cls, data: Mapping[str, Any], origin: str = "the rulebook") -> Checker:
        return cls(Rulebook.from_data(data, origin))

    @classmethod
    def from_json(cls, text: str, origin: str = "the rulebook") -> Checker:
        return cls.from_data(json.loads(text), origin)

    @property
    def policy(self) -> PolicyInfo:
        return self.book.policy

    @property
    def facts(self) -> tuple[Fact, ...]:
        return self.book.facts

    def check(self, scenario: Mapping[str, Any], *, lenient: bool = False) -> dict[str, Any]:
        """The result for a scenario (``{"facts": {...}}``), as plain JSON-serialisable data.

        Raises ScenarioError naming every problem of an invalid scenario. With ``lenient=True``,
        answers to questions that do not apply are listed in ``ignored_facts`` instead of being an
        error (for forms that keep answers when the reader goes back).
        """
        read = read_scenario(self.engine, scenario, lenient=lenient)
        return build_result(self.engine, read, self.engine.evaluate(read.answers))

    def check_text(self, text: str) -> str:
        """A scenario as JSON text in, the canonical result JSON out; a refusal as ``"!"`` + JSON
        ``{message, problems}`` (what the browser's worker relays; never raises)."""
        try:
            return to_json(self.check(json.loads(text)))
        except Exception as exc:  # ScenarioError carries .problems; anything else is reported too
            problems = [str(p) for p in getattr(exc, "problems", None) or [str(exc)]]
            return "!" + json.dumps({"message": str(exc), "problems": problems})

    def scenario_schema(self) -> dict[str, Any]:
        return scenario_schema(self.book)

    def facts_data(self) -> list[dict[str, Any]]:
        """The questions as JSON data (what ``--facts --json`` prints)."""
        return [
            {
                "id": f.id,
                "type": f.type,
                "question": f.question,
                "help": f.help,
                "values": [{"id": v.id, "label": v.label, "says": v.says} for v in f.values],
                "asked_when": f.asked_when,
                "topic": f.topic,
            }
            for f in self.book.facts
        ]
