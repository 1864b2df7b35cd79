"""Shared fixtures: a scratch copy of the policy source that a test may break."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from handbook.errors import SourceError
from handbook.paths import POLICY_DIR
from handbook.source import load_policy


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(ok: object, reason: str) -> None:
    """Skip the test with ``reason`` when ``ok`` is false; in CI (CI=true) fail instead:
    there a missing browser or tool is a failure, never a silent skip."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing tool is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture
def src_copy(tmp_path: Path) -> Path:
    """A writable copy of policy_src/5290 (and the schemas beside it)."""
    dest = tmp_path / "5290"
    shutil.copytree(POLICY_DIR, dest)
    return dest


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file, insisting that ``old`` is there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems_of(policy_dir: Path) -> list[str]:
    """The problems load_policy reports, as strings; fails when it reports none."""
    with pytest.raises(SourceError) as info:
        load_policy(policy_dir)
    return [str(p) for p in info.value.problems]


Edit = Callable[[Path, str, str], None]
