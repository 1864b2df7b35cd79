"""The form's one JavaScript reading of ``asked_when`` (docs/assets/checker/applicable.js) agrees with
the engine (``Engine.environment``) on every combination of answers each question can depend on.

A question's state (it applies and its answer counts; it does not apply; it is unknown, and then
whether it is asked now; or it is answered while whether it applies is unknown) depends, in both,
only on the answers to the questions its ``asked_when`` reads, and theirs in turn (its
"ancestors": the source's validation makes an ``asked_when`` read only earlier questions, never
rules). So for each question, every combination of answers to it and its ancestors (each one
answered with each of its answers, or not answered) is a complete proof: every combination for
the default policy (a several-of question's answers are all its sets of values), all run through
Node and through the engine.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from typing import Any

from policycheck.conditions import NA, UNKNOWN, Maybe
from policycheck.engine import Engine
from policycheck.model import Fact

from handbook.bundle import load_bundle
from handbook.config import ROOT

from ..conftest import require

MODULE = ROOT / "docs" / "assets" / "checker" / "applicable.js"
HARNESS = ROOT / "tests" / "support" / "node" / "applicable.mjs"
ABSENT = object()


def _cases(engine: Engine) -> list[dict[str, Any]]:
    cases = []
    for fact in engine.facts:
        scope = [engine.fact[f] for f in sorted(engine.ancestors[fact.id], key=engine.order.__getitem__)]
        scope.append(fact)
        for combo in itertools.product(*[[*f.answers, ABSENT] for f in scope]):
            answers = {f.id: v for f, v in zip(scope, combo, strict=True) if v is not ABSENT}
            cases.append({"answers": answers, "fact": fact.id})
    return cases


def _json(fact: Fact, value: Any) -> Any:
    return fact.to_json(value)


def _engine_state(engine: Engine, answers: dict[str, Any], fact_id: str) -> dict[str, Any]:
    env, _ = engine.environment(answers)
    value = env[fact_id]
    if value is NA:
        return {"state": "na"}
    if value is UNKNOWN:
        test = engine.asked[fact_id]
        return {"state": "unknown", "asked": test is None or test(env) is True}
    fact = engine.fact[fact_id]
    if isinstance(value, Maybe):
        return {"state": "maybe", "value": _json(fact, value.value)}
    return {"state": "value", "value": _json(fact, value)}


def test_the_form_reads_asked_when_as_the_engine_does() -> None:
    node = shutil.which("node")
    require(node, "Node.js is not installed (the setup needs it for the site's runtime)")
    assert node is not None
    bundle = load_bundle()
    engine = bundle.checker.engine
    cases = _cases(engine)
    assert len(cases) > len(engine.facts)
    sent = [
        {"answers": {f: _json(engine.fact[f], v) for f, v in c["answers"].items()}, "fact": c["fact"]}
        for c in cases
    ]
    payload = {"module": MODULE.as_uri(), "facts": bundle.rulebook["facts"], "cases": sent}
    out = subprocess.run(
        [node, str(HARNESS)], input=json.dumps(payload), capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    states = json.loads(out.stdout)
    assert len(states) == len(cases)
    wrong = [
        (case, js, mine)
        for case, js in zip(cases, states, strict=True)
        if js != (mine := _engine_state(engine, case["answers"], case["fact"]))
    ]
    assert wrong == [], f"{len(wrong)} of {len(cases)} disagree, e.g. {wrong[:3]}"
    kinds = {s["state"] for s in states}
    assert kinds == {"na", "unknown", "maybe", "value"}, kinds  # every state was exercised
