"""Fixtures of the engine tests: the default policy's bundle, its checker, its casebook and its
rulebook as a file (in a tmp folder), and the CLI run on it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from policycheck import Checker

from handbook.bundle import Bundle, load_bundle
from handbook.config import ROOT
from handbook.rulebook import install


@pytest.fixture(scope="session")
def checker(bundle: Bundle) -> Checker:
    return bundle.checker


@pytest.fixture(scope="session")
def rulebook_file(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default policy's compiled rulebook, written as ``policy_src`` is now."""
    return install.write(bundle, tmp_path_factory.mktemp("rulebooks"))


def casebook() -> list[Mapping[str, Any]]:
    """The default policy's casebook scenarios, as written in its source."""
    return [c.data for c in load_bundle().rule_source.casebook]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m policycheck ARGS`` (give the policy: its id, or a rulebook file)."""
    return subprocess.run(
        [sys.executable, "-m", "policycheck", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
