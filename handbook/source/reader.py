"""Reading a policy's source files: each file parsed once, checked against its schema, and every
problem collected (none is fatal on its own)."""

from __future__ import annotations

from pathlib import Path

from ..config import display
from .errors import Problem, SourceError
from .schemas import schema_problems
from .yamlfile import YamlDoc, load_yaml


class Reader:
    """The source files of one policy folder, read once each; ``problems`` collects what is wrong."""

    def __init__(self, policy_dir: Path) -> None:
        self.dir = policy_dir
        self.problems: list[Problem] = []
        self._docs: dict[str, YamlDoc | None] = {}

    def read(self, rel: str, schema: str) -> YamlDoc | None:
        """The file ``rel`` (relative to the policy folder), or None when it is missing or invalid."""
        if rel in self._docs:
            return self._docs[rel]
        path = self.dir / rel
        doc: YamlDoc | None
        try:
            doc = load_yaml(path, display(path))
        except SourceError as exc:
            self.problems.extend(exc.problems)
            doc = None
        else:
            found = schema_problems(doc, schema)
            self.problems.extend(found)
            doc = None if found else doc
        self._docs[rel] = doc
        return doc

    def files(self, folder: str) -> list[str]:
        """The YAML files of a sub-folder, as paths relative to the policy folder, sorted."""
        return [f"{folder}/{p.name}" for p in sorted((self.dir / folder).glob("*.yaml"))]
