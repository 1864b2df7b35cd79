"""Helpers for the checker's tests: a freshly compiled rulebook, and the casebook."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import policy5290
import pytest

from handbook.compile import compile_rulebook
from handbook.paths import POLICY_DIR, ROOT
from handbook.yamlfile import load_yaml


def fresh_rulebook() -> None:
    """Compile policy_src into the checker package (atomic, deterministic) and reload it."""
    compile_rulebook()
    for cached in (policy5290.rulebook_data, policy5290.scenario_schema, policy5290.checker):
        cached.cache_clear()


@pytest.fixture(scope="session")
def compiled() -> Iterator[None]:
    fresh_rulebook()
    yield


def casebook() -> list[Mapping[str, Any]]:
    data: list[Mapping[str, Any]] = load_yaml(POLICY_DIR / "casebook.yaml", "casebook.yaml").data
    return data


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policy5290", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
