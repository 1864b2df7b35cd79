"""Finding a compiled rulebook by policy id or by path.

Rulebooks are data, one JSON file per policy (``<id>.json``). A reference that names an existing
file, or ends in ``.json``, is a path; anything else is a policy id, looked up in the installed
rulebooks: ``<sys.prefix>/share/policycheck/rulebooks/`` (the handbook's setup installs them there).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .model import Rulebook, RulebookError


def installed_dir() -> Path:
    """Where installed rulebooks live (inside the Python environment, like other shared data)."""
    return Path(sys.prefix) / "share" / "policycheck" / "rulebooks"


def installed() -> dict[str, Path]:
    """Policy id -> rulebook file, for every installed rulebook."""
    folder = installed_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.json"))}


def locate(ref: str | os.PathLike[str]) -> Path:
    """The rulebook file for a policy id or a path; RulebookError says what exists instead."""
    text = os.fspath(ref)
    path = Path(text)
    if path.is_file() or text.endswith(".json") or os.sep in text or "/" in text:
        if not path.is_file():
            raise RulebookError(f"no rulebook file {text}")
        return path
    found = installed().get(text)
    if found is None:
        have = ", ".join(installed()) or "none"
        raise RulebookError(
            f"no rulebook for policy {text!r} in {installed_dir()} (installed: {have}); "
            "give a rulebook file's path, or install it (the handbook's `make setup` does)"
        )
    return found


def read(ref: str | os.PathLike[str]) -> Rulebook:
    """Load and check the rulebook for a policy id or a path."""
    path = locate(ref)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RulebookError(f"cannot read the rulebook {path}: {exc}") from None
    return Rulebook.from_data(data, origin=str(path))
