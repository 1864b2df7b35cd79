"""The JSON Schemas of a policy's source files (``policy_src/schema/``), and problems they find."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
from referencing import Registry, Resource

from ..config import SCHEMA_DIR
from .errors import Problem
from .yamlfile import YamlDoc


@functools.cache
def _registry() -> Registry[Any]:
    """Every schema by its ``$id``, so one can refer to another (``defs.schema.json#/$defs/...``)."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def schema(name: str) -> dict[str, Any]:
    """The schema ``policy_src/schema/<name>.schema.json`` as data."""
    contents: dict[str, Any] = _registry().contents(f"{name}.schema.json")
    return contents


@functools.cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    data = schema(name)
    cls = jsonschema.validators.validator_for(data)
    cls.check_schema(data)
    return cls(data, registry=_registry())


def schema_problems(doc: YamlDoc, name: str) -> list[Problem]:
    """Every way ``doc`` breaks the schema ``name``, placed in the file."""
    errors = sorted(_validator(name).iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    return [doc.problem(tuple(error.absolute_path), _describe(error)) for error in errors]


def _describe(error: jsonschema.ValidationError) -> str:
    instance: Any = error.instance
    value: Any = error.validator_value
    spec: Any = error.schema
    if error.validator == "required":
        missing = [f for f in value if f not in instance]
        return "missing field " + ", ".join(repr(f) for f in missing)
    if error.validator == "additionalProperties":
        allowed = sorted(spec.get("properties", {}))
        extra = sorted(set(instance) - set(allowed))
        return f"unknown field {', '.join(map(repr, extra))} (allowed: {', '.join(allowed)})"
    if error.validator == "enum":
        return f"{instance!r} is not one of {', '.join(map(repr, value))}"
    if error.validator == "pattern":
        return f"{instance!r} does not match the expected form {value}"
    if error.validator == "oneOf" and isinstance(instance, dict):
        return (
            "not a condition: use {fact, is}, {fact, in}, {all: [...]}, {any: [...]}, {not: ...} or {rule}"
            f" (got keys {', '.join(map(repr, instance))})"
        )
    return str(error.message)
