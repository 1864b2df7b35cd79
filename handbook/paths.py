"""Where things are in the repository."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY_SRC = ROOT / "policy_src"
#: The policy source; POLICY5290_SOURCE_DIR points elsewhere (tests build the site from a broken copy).
POLICY_DIR = Path(os.environ.get("POLICY5290_SOURCE_DIR", POLICY_SRC / "5290"))
SCHEMA_DIR = POLICY_SRC / "schema"
CHECKER_PKG = ROOT / "checker" / "src" / "policy5290"


def display(path: Path) -> str:
    """A path as shown in messages: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
