"""The checker gives byte-identical result JSON natively and in Pyodide (Node, the npm runtime).

The whole casebook plus 1,200 distinct generated scenarios (deterministic pseudo-random walks over
the facts, answering the questions that are asked, sometimes "unknown") run through the wheel the site ships,
registered in the site-local lock file, in one Node process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from handbook.browserbench import generated_scenarios
from handbook.paths import ROOT
from handbook.pyodide import NPM_PYODIDE
from tests.sitebuild import built_site  # noqa: F401  (session fixture)

from .checker_support import casebook
from .conftest import require

GENERATED = 1200


def native(scenario: dict[str, Any]) -> str:
    from policy5290 import check, to_json  # noqa: PLC0415

    try:
        return str(to_json(check(scenario)))
    except Exception as exc:  # the same shape as tests/node/parity.mjs's error lines
        problems = [str(p) for p in getattr(exc, "problems", None) or [str(exc)]]
        return "!" + json.dumps({"message": str(exc), "problems": problems})


@pytest.fixture(scope="module")
def runtime(built_site: Path) -> Path:  # noqa: F811
    """The Pyodide runtime and checker wheel exactly as the site ships them (the session's build)."""
    require(shutil.which("node") is not None, "node is not installed")
    require(NPM_PYODIDE.is_dir(), "node_modules/pyodide is missing: run `npm ci`")
    return built_site / "assets" / "pyodide"


def test_generated_scenarios_are_valid_and_varied() -> None:
    from policy5290 import check  # noqa: PLC0415

    rulebook = json.loads((ROOT / "checker/src/policy5290/rulebook.json").read_text(encoding="utf-8"))
    scenarios = generated_scenarios(rulebook, GENERATED)
    assert scenarios == generated_scenarios(rulebook, GENERATED), "the generator must be deterministic"
    verdicts = {check(s)["verdict"] for s in scenarios}
    assert len(verdicts) >= 3, verdicts


def test_native_and_pyodide_agree_byte_for_byte(runtime: Path, tmp_path: Path) -> None:
    rulebook = json.loads((ROOT / "checker/src/policy5290/rulebook.json").read_text(encoding="utf-8"))
    cases = [{"facts": case["facts"]} for case in casebook()]
    scenarios = cases + generated_scenarios(rulebook, GENERATED)
    assert len(scenarios) >= 1000
    source = tmp_path / "scenarios.jsonl"
    source.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in scenarios), encoding="utf-8")
    proc = subprocess.run(
        ["node", str(ROOT / "tests/node/parity.mjs"), str(runtime), str(source)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    in_pyodide = proc.stdout.rstrip("\n").split("\n")
    assert len(in_pyodide) == len(scenarios), proc.stderr[-4000:]
    mismatches = [
        (i, s) for i, (s, got) in enumerate(zip(scenarios, in_pyodide, strict=True)) if native(s) != got
    ]
    assert not mismatches, f"{len(mismatches)} of {len(scenarios)} differ; first: {mismatches[:3]}"
    errors = [line for line in in_pyodide[len(cases) :] if line.startswith("!")]
    assert not errors, f"generated scenarios refused: {errors[:3]}"
