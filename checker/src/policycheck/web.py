"""The checker in a browser's worker (Pyodide): the one call the worker's JavaScript makes.

The site's worker (and the build, which snapshots Pyodide's memory right after this call so that a
reader's browser can skip it) runs ``start`` on the rulebook published beside it, then calls the
returned ``check_text`` for each scenario.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from .api import Checker
from .model import VERDICT_LABELS


def start(rulebook_text: str) -> tuple[Callable[[str], str], str, str]:
    """The check function, the verdict labels (JSON) and the policy's identity (JSON)."""
    checker = Checker.from_json(rulebook_text, "the site's rulebook")
    return checker.check_text, json.dumps(dict(VERDICT_LABELS)), json.dumps(checker.policy.as_result())
