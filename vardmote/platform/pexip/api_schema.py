"""The Management API's resources and fields as data (management_api.yaml), and the checks the API
makes of a request body: unknown fields, missing required fields, types, allowed values, ranges,
lengths, addresses and the shape of references.

Both sides use it: the providers' check() refuses inputs the API would refuse before the engine plans,
and the lab's Management API stand-in answers 400 with the same field-level messages. Whether a
reference names an object that exists is the API's own knowledge, so the stand-in checks that itself.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, RootModel

from vardmote.core.sourced_yaml import load_sourced_yaml
from vardmote.core.validation import StrictModel, validate_document
from vardmote.platform.pexip.protocol import CONFIG_PATH

SCHEMA_FILE = Path(__file__).with_name("management_api.yaml")
# What the engine passes for a value not known until another resource exists (during a preview).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
FieldType = Literal["string", "integer", "boolean", "list", "object", "reference", "reference_list"]


class FieldSpec(StrictModel):
    type: FieldType
    references: str | None = None
    nested_on_get: bool = False
    required: bool = False
    immutable: bool = False
    read_only: bool = False
    write_only: bool = False
    nullable: bool = False
    enum: list[str | int] | None = None
    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    format: Literal["ip_address"] | None = None
    default: Any = None
    source: str = Field(min_length=1, description="The facts this field was read from")


class ResourceSpec(StrictModel):
    kind: Literal["collection", "singleton"]
    unique: list[str] = Field(default_factory=list)
    key: str | None = Field(default=None, description="The field a URI ends in, where it is not the numeric id")
    sources: dict[str, str]
    fields: dict[str, FieldSpec]

    def writable(self) -> dict[str, FieldSpec]:
        return {name: spec for name, spec in self.fields.items() if not spec.read_only}


class ApiSchema(RootModel[dict[str, ResourceSpec]]):
    def resource(self, name: str) -> ResourceSpec:
        try:
            return self.root[name]
        except KeyError:
            raise KeyError(f"the Management API has no resource {name!r} vardmote knows of") from None

    def __contains__(self, name: object) -> bool:
        return name in self.root


@cache
def api_schema() -> ApiSchema:
    return validate_document(load_sourced_yaml(SCHEMA_FILE), ApiSchema)


def reference_pattern(resource: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(CONFIG_PATH)}{re.escape(resource)}/[\w.-]+/$")


def field_errors(resource: str, body: Any, *, creating: bool) -> dict[str, list[str]]:
    """Every way `body` breaks `resource`'s schema, as the API reports it: field → messages. A create
    must give every required field; an update (PATCH) gives only the fields it changes."""
    spec = api_schema().resource(resource)
    if not isinstance(body, Mapping):
        return {"__all__": ["the body must be a JSON object"]}
    errors: dict[str, list[str]] = {}
    for name, value in body.items():
        field = spec.fields.get(name)
        if field is None:
            errors[name] = [f"{name!r} is not a field of {resource}"]
        elif field.read_only:
            errors[name] = [f"{name!r} is read-only"]
        else:
            problems = value_problems(field, value)
            if problems:
                errors[name] = problems
    if creating:
        for name, field in spec.fields.items():
            if field.required and body.get(name) in (None, "") and name not in errors:
                errors[name] = ["this field is required"]
    return errors


def value_problems(field: FieldSpec, value: Any) -> list[str]:
    """What is wrong with one value of one field (empty if nothing is)."""
    if value is None:
        return [] if field.nullable or not field.required else ["may not be null"]
    if value == UNKNOWN:
        return []
    problems = _type_problems(field, value)
    if problems:
        return problems
    if field.enum is not None and value not in field.enum:
        problems.append(f"{value!r} is not one of: {', '.join(map(str, field.enum))}")
    if field.minimum is not None and value < field.minimum:
        problems.append(f"{value} is below the minimum {field.minimum}")
    if field.maximum is not None and value > field.maximum:
        problems.append(f"{value} is above the maximum {field.maximum}")
    if isinstance(value, str | list):
        if field.max_length is not None and len(value) > field.max_length:
            problems.append(
                f"longer than {field.max_length} characters" if isinstance(value, str) else "too many items"
            )
        if field.min_length is not None and len(value) < field.min_length and not (value == "" and not field.required):
            problems.append(f"shorter than {field.min_length} characters")
    if field.format == "ip_address" and isinstance(value, str):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            problems.append(f"{value!r} is not an IP address")
    return problems


def _type_problems(field: FieldSpec, value: Any) -> list[str]:
    if field.type == "string":
        return [] if isinstance(value, str) else [f"expected a string, got {type(value).__name__}"]
    if field.type == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"expected an integer, got {type(value).__name__}"]
    if field.type == "boolean":
        return [] if isinstance(value, bool) else [f"expected true or false, got {type(value).__name__}"]
    if field.type == "object":
        return [] if isinstance(value, dict) else [f"expected an object, got {type(value).__name__}"]
    if field.type == "list":
        return [] if isinstance(value, list) else [f"expected a list, got {type(value).__name__}"]
    assert field.references is not None
    pattern = reference_pattern(field.references)
    if field.type == "reference":
        if isinstance(value, str) and pattern.match(value):
            return []
        return [f"{value!r} is not a {field.references} resource URI"]
    if not isinstance(value, list):
        return [f"expected a list of {field.references} resource URIs, got {type(value).__name__}"]
    wrong = [item for item in value if item != UNKNOWN and not (isinstance(item, str) and pattern.match(item))]
    return [f"{item!r} is not a {field.references} resource URI" for item in wrong]


def unknowns_marked(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with each value the engine does not know yet (in a preview: an output of a resource
    still to be created, which the dynamic provider runtime hands over as a pulumi.output.Unknown)
    as the UNKNOWN mark, which the checks let pass; at create time every value is known."""
    from pulumi.output import Unknown  # noqa: PLC0415 - only a provider under the engine meets one

    def marked(value: Any) -> Any:
        if isinstance(value, Unknown):
            return UNKNOWN
        if isinstance(value, list):
            return [marked(item) for item in value]
        return value

    return {name: marked(value) for name, value in values.items()}


def from_engine(resource: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the engine hands them to a provider, typed as the API wants them: the engine sends
    every number as a double, so a whole number in an integer field becomes an int again."""
    fields = api_schema().resource(resource).fields
    typed = dict(values)
    for name, value in values.items():
        field = fields.get(name)
        if field is not None and field.type == "integer" and isinstance(value, float) and value.is_integer():
            typed[name] = int(value)
    return typed
