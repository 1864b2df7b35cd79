"""Generated scenarios: many distinct, valid scenarios of a rulebook, for parity tests and benchmarks.

Which questions apply is decided by the engine itself (``Engine.environment``), never by a second
evaluator of the condition language.
"""

from __future__ import annotations

import json
import random
from typing import Any

from policycheck.engine import Engine


def generated_scenarios(engine: Engine, count: int, seed: int = 2023) -> list[dict[str, Any]]:
    """``count`` distinct valid scenarios (``{"facts": ...}``), the same for the same seed.

    Walks the questions in order; each one that applies, given the answers so far, is answered
    with a random value (a random set of one to three values for a several-of question), or left
    unanswered or answered "I don't know" (null), with a probability drawn per scenario.
    """
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for _ in range(count * 50):
        if len(out) == count:
            break
        known: dict[str, Any] = {}  # as JSON: lists for several-of answers
        answers: dict[str, Any] = {}  # as the engine reads them: sets
        p_unknown = rng.choice([0.0, 0.1, 0.3])
        for fact in engine.facts:
            test = engine.asked[fact.id]
            if test is not None and test(engine.environment(answers)[0]) is not True:
                continue  # the question is not asked, given the answers so far
            if rng.random() < p_unknown:
                if rng.random() < 0.5:
                    known[fact.id] = None  # "I don't know"
                continue
            if fact.type == "several_of":
                ids = [str(v) for v in fact.value_ids]
                chosen = set(rng.sample(ids, rng.choice([1, 1, 1, 2, 2, 3])))
                known[fact.id] = [v for v in ids if v in chosen]
                answers[fact.id] = frozenset(chosen)
            else:
                known[fact.id] = answers[fact.id] = rng.choice(fact.value_ids)
        key = json.dumps(known, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append({"facts": known})
    return out
