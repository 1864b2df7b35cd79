"""A generic policy scenario checker (standard library only): any compiled rulebook, any policy.

from policycheck import Checker
checker = Checker.load(POLICY)  # an installed policy's id, or a rulebook file's path
result = checker.check({"facts": {...}})  # result["verdict"], result["findings"], ...
"""

from __future__ import annotations

from .api import Checker
from .model import RESULT_FORMAT, RULEBOOK_FORMAT, SCENARIO_FORMAT, VERDICTS, RulebookError
from .result import to_json
from .validate import ScenarioError

__version__ = "1.0.0"
__all__ = [
    "RESULT_FORMAT",
    "RULEBOOK_FORMAT",
    "SCENARIO_FORMAT",
    "VERDICTS",
    "Checker",
    "RulebookError",
    "ScenarioError",
    "to_json",
]
