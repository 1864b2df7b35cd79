"""The checker gives byte-identical result JSON natively and in Pyodide (Node, the npm runtime).

The whole casebook plus 1,200 distinct generated scenarios (deterministic pseudo-random walks over
the facts, answering the questions that are asked, sometimes "unknown") run through the wheel the
site ships, registered in the site-local lock file, on the rulebook the site ships beside it, in
one Node process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from handbook.browser.pyodide import NPM_PYODIDE
from handbook.bundle import load_bundle
from handbook.common import urls
from handbook.config import ROOT
from handbook.proof.scenarios import generated_scenarios

from ..conftest import require

GENERATED = 1200


def native(scenario: dict[str, Any]) -> str:
    """The native checker's answer, as the worker relays it (``Checker.check_text``)."""
    return load_bundle().checker.check_text(json.dumps(scenario))


@pytest.fixture(scope="module")
def runtime(built_site: Path) -> Path:
    """The Pyodide runtime and checker wheel exactly as the site ships them (the session's build)."""
    require(shutil.which("node") is not None, "node is not installed")
    require(NPM_PYODIDE.is_dir(), "node_modules/pyodide is missing: run `npm ci`")
    return built_site / "assets" / "pyodide"


def test_generated_scenarios_are_valid_and_varied() -> None:
    checker = load_bundle().checker
    scenarios = generated_scenarios(checker.engine, GENERATED)
    assert scenarios == generated_scenarios(checker.engine, GENERATED), "the generator must be deterministic"
    verdicts = {checker.check(s)["verdict"] for s in scenarios}
    assert len(verdicts) >= 3, verdicts


def test_native_and_pyodide_agree_byte_for_byte(runtime: Path, built_site: Path, tmp_path: Path) -> None:
    bundle = load_bundle()
    cases = [{"facts": dict(ex.facts)} for ex in bundle.examples]
    scenarios = cases + generated_scenarios(bundle.checker.engine, GENERATED)
    assert len(scenarios) >= 1000
    source = tmp_path / "scenarios.jsonl"
    source.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in scenarios), encoding="utf-8")
    proc = subprocess.run(
        [
            "node",
            str(ROOT / "tests/support/node/parity.mjs"),
            str(runtime),
            str(built_site / urls.RULEBOOK),
            str(source),
        ],
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
