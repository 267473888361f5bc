"""Validate Android Management API payloads against the API's own discovery document.

The discovery document ships in google-api-python-client; every key, type and enum of a generated
policy is checked against it, so a typo or a retired field fails here and not at Google.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any

DISCOVERY = "androidmanagement.v1.json"


@cache
def discovery_document() -> dict[str, Any]:
    path = files("googleapiclient").joinpath("discovery_cache", "documents", DISCOVERY)
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def schema_problems(value: Any, schema_name: str) -> list[str]:
    """Every way `value` breaks the discovery document's schema `schema_name`, as `path: problem`."""
    schemas = discovery_document()["schemas"]
    return _check(value, {"$ref": schema_name}, schema_name, schemas)


def _check(value: Any, spec: dict[str, Any], path: str, schemas: dict[str, Any]) -> list[str]:
    if "$ref" in spec:
        spec = schemas[spec["$ref"]]
    kind = spec.get("type")
    if kind == "object" or "properties" in spec:
        if not isinstance(value, dict):
            return [f"{path}: must be an object, got {type(value).__name__}"]
        problems = []
        properties = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                problems += _check(item, properties[key], f"{path}.{key}", schemas)
            elif extra is not None:
                problems += _check(item, extra, f"{path}.{key}", schemas)
            else:
                problems.append(f"{path}.{key}: not a field of {spec.get('id', path)}")
        return problems
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: must be an array, got {type(value).__name__}"]
        return [p for index, item in enumerate(value) for p in _check(item, spec["items"], f"{path}[{index}]", schemas)]
    return _check_scalar(value, spec, kind, path)


def _check_scalar(value: Any, spec: dict[str, Any], kind: str | None, path: str) -> list[str]:
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: must be a string, got {value!r}"]
        if "enum" in spec and value not in spec["enum"]:
            return [f"{path}: {value!r} is not one of {', '.join(spec['enum'])}"]
        if spec.get("format") in ("int64", "google-duration") and not _formatted(value, spec["format"]):
            return [f"{path}: {value!r} is not a {spec['format']}"]
        return []
    checks: dict[str, tuple[Callable[[Any], bool], str]] = {
        "boolean": (lambda v: isinstance(v, bool), "true or false"),
        "integer": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
        "number": (lambda v: isinstance(v, int | float) and not isinstance(v, bool), "a number"),
        "any": (lambda v: True, "anything"),
    }
    if kind not in checks:
        return [f"{path}: the discovery document has no type for this field"]
    accepts, wanted = checks[kind]
    return [] if accepts(value) else [f"{path}: must be {wanted}, got {value!r}"]


def _formatted(value: str, fmt: str) -> bool:
    if fmt == "int64":
        return value.lstrip("-").isdigit()
    return value.endswith("s") and value[:-1].replace(".", "", 1).isdigit()
