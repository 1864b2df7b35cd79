"""Writing a bundle's rulebook where it is used: the build folder, a built site, the environment.

* ``build/rulebooks/<id>.json`` and ``<id>.scenario.schema.json``: the compiled data, for anyone;
* installed into the Python environment (``policycheck.rulebooks.installed_dir()``), so that
  ``policycheck <id>`` and ``Checker.load("<id>")`` find it by the policy's id.
"""

from __future__ import annotations

from pathlib import Path

from policycheck.rulebooks import installed_dir

from ..bundle import Bundle
from ..common.files import write_atomic
from ..config import BUILD

RULEBOOKS = BUILD / "rulebooks"


def write(bundle: Bundle, folder: Path = RULEBOOKS) -> Path:
    """``<folder>/<id>.json`` and ``<folder>/<id>.scenario.schema.json``; returns the rulebook's path."""
    path = folder / f"{bundle.id}.json"
    write_atomic(path, bundle.rulebook_json)
    write_atomic(folder / f"{bundle.id}.scenario.schema.json", bundle.scenario_schema_json())
    return path


def install(bundle: Bundle) -> Path:
    """Install the rulebook for the native checker (CLI and Python API) of this environment."""
    path = installed_dir() / f"{bundle.id}.json"
    write_atomic(path, bundle.rulebook_json)
    return path
