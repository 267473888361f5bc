"""Validate sourced YAML against pydantic models and word the errors for the person editing the file."""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from vardmote.core.problems import ProblemsFound
from vardmote.core.sourced_yaml import SourcedDocument

ModelT = TypeVar("ModelT", bound=BaseModel)


class FieldError(ValueError):
    """A validator's error about one field below the model being validated, so the report can point at its line."""

    def __init__(self, field: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.field = field


class StrictModel(BaseModel):
    """Base for every schema read from user files: unknown keys are typos, and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


def _allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names accepted at `loc` (the parent of an unknown key), for a "did you mean" hint."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        current = _model_in_annotation(fields[part].annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    return sorted(fields) if fields else []


def _model_in_annotation(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in_annotation(arg)
        if found is not None:
            return found
    return None


class _Redacted:
    def __repr__(self) -> str:
        return "[redacted]"


_REDACTED = _Redacted()
_SECRET_WORDS = ("password", "secret", "token", "passphrase", "key")


def _names_a_secret(loc: tuple[str | int, ...]) -> bool:
    """A value under a secret-sounding field is never echoed back, even when it is in the wrong place."""
    return any(isinstance(part, str) and any(word in part.lower() for word in _SECRET_WORDS) for part in loc)


def describe_error(error: ErrorDetails, model: type[BaseModel]) -> str:
    """One plain sentence for one pydantic error, ending with the offending value where that helps."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if _names_a_secret(error["loc"]):
        value = _REDACTED
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        unknown = str(error["loc"][-1])
        allowed = _allowed_keys(model, tuple(error["loc"][:-1]))
        close = difflib.get_close_matches(unknown, allowed, n=1)
        if close:
            return f"unknown field; did you mean '{close[0]}'?"
        return f"unknown field; allowed: {', '.join(allowed)}" if allowed else "unknown field"
    if kind in {"literal_error", "enum"}:
        return f"must be {ctx.get('expected')}, got {value!r}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {value!r}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}, got {value!r}"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}, got {value!r}"
    message = error["msg"]
    message = message[0].lower() + message[1:]
    return f"{message}, got {value!r}"


def error_messages(err: ValidationError, model: type[BaseModel]) -> list[tuple[tuple[str | int, ...], str]]:
    """Each error of `err` as (field path, plain message), with FieldError paths resolved."""
    messages = []
    for error in err.errors(include_url=False):
        # Drop union tags pydantic adds to locations (e.g. "function-after[...]"), they are not in the file.
        loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            loc = (*loc, *cause.field)
        messages.append((loc, describe_error(error, model)))
    return messages


def validate_document(document: SourcedDocument, model: type[ModelT], prefix: tuple[str | int, ...] = ()) -> ModelT:
    """Validate a document (or the part of it at `prefix`) against `model`; raise ProblemsFound with a
    located line per error."""
    data = document.data
    for part in prefix:
        data = data[part]
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ProblemsFound(
            [document.problem((*prefix, *loc), message) for loc, message in error_messages(err, model)]
        ) from err
