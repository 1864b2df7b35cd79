"""Where things are, and which policy is built when none is named (the one default)."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The district's policies, one folder each (``policy_src/<id>/``), and the schemas of their files.
POLICY_SRC = ROOT / "policy_src"
SCHEMA_DIR = POLICY_SRC / "schema"
#: Every build output goes here (never into a source tree).
BUILD = ROOT / "build"
SITE = BUILD / "site"


class PolicyNotFound(LookupError):
    """A policy named on the command line or in a call does not exist."""


@functools.cache
def default_policy() -> str:
    """The policy built when none is named: ``[tool.handbook] default-policy`` in pyproject.toml."""
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return str(tomllib.load(fh)["tool"]["handbook"]["default-policy"])


def policy_dir(policy: str | Path | None = None) -> Path:
    """The source folder of a policy: its id (a folder of ``policy_src/``) or a folder's path."""
    ref = default_policy() if policy is None else policy
    given = Path(ref)
    candidates = [given] if (isinstance(ref, Path) or "/" in str(ref)) else [POLICY_SRC / str(ref), given]
    for folder in candidates:
        if (folder / "policy.yaml").is_file():
            return folder.resolve()
    known = ", ".join(sorted(p.parent.name for p in POLICY_SRC.glob("*/policy.yaml"))) or "none"
    raise PolicyNotFound(
        f"no policy {str(ref)!r}: give the id of a folder of {display(POLICY_SRC)}/ (there: {known}) "
        "or the path of a folder holding a policy.yaml"
    )


def display(path: Path) -> str:
    """A path as shown in messages: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
