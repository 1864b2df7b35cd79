"""Read YAML files keeping the line and column of every node, for error messages.

The loader follows YAML 1.2's core schema for booleans (only ``true``/``false``), so that
values such as ``no`` or ``yes`` in the source stay strings, and it keeps dates as strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

from .errors import Path, Problem, SourceError


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and no implicit timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _no_duplicate_keys(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML document and where each of its nodes is in the file."""

    file: str
    data: Any
    marks: dict[Path, tuple[int, int]] = field(repr=False)

    def problem(self, path: Path, message: str) -> Problem:
        """A problem at ``path``, placed at the nearest node we have a position for."""
        probe = tuple(path)
        while probe and probe not in self.marks:
            probe = probe[:-1]
        line, col = self.marks.get(probe, (None, None)) if probe or () in self.marks else (None, None)
        return Problem(self.file, message, tuple(path), line, col)


def _walk(node: yaml.Node, path: Path, marks: dict[Path, tuple[int, int]]) -> None:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            marks[(*path, key)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            _walk(value_node, (*path, key), marks)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), marks)


def load_yaml(path: FsPath, display: str) -> YamlDoc:
    """Parse one YAML file. Raises SourceError naming file, line and column on bad YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError([Problem(display, "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise SourceError([Problem(display, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        marks: dict[Path, tuple[int, int]] = {}
        if node is None:
            raise SourceError([Problem(display, "file is empty", line=1)])
        _walk(node, (), marks)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise SourceError([Problem(display, f"invalid YAML: {what}", (), line, col)]) from None
    finally:
        loader.dispose()
    return YamlDoc(display, data, marks)
