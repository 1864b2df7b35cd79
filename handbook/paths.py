"""Where things are in the repository."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY_SRC = ROOT / "policy_src"
POLICY_DIR = POLICY_SRC / "5290"
SCHEMA_DIR = POLICY_SRC / "schema"
CHECKER_PKG = ROOT / "checker" / "src" / "policy5290"


def display(path: Path) -> str:
    """A path as shown in messages: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
