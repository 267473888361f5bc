"""Validate configuration profiles against Apple's published payload schemas (device-management YAML).

Apple's files name each payload's keys with their types, which are required, and allowed values
(`rangelist`); nested dictionaries and arrays describe their members as `subkeys`. The schema folder
defaults to the copy vardmote ships (vardmote/third_party_schemas/apple-device-management, with Apple's
licence and the release it comes from) and can be set with VARDMOTE_APPLE_SCHEMAS.
"""

from __future__ import annotations

import datetime
import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCHEMAS_ENV = "VARDMOTE_APPLE_SCHEMAS"
SHIPPED_SCHEMAS = Path(__file__).resolve().parents[2] / "third_party_schemas" / "apple-device-management"
TYPES: dict[str, tuple[type, ...]] = {
    "<string>": (str,),
    "<boolean>": (bool,),
    "<integer>": (int,),
    "<real>": (int, float),
    "<array>": (list,),
    "<dictionary>": (dict,),
    "<data>": (bytes,),
    "<date>": (datetime.datetime,),
}


def schema_dir() -> Path:
    configured = os.environ.get(SCHEMAS_ENV)
    if configured:
        return Path(configured)
    return SHIPPED_SCHEMAS


@cache
def payload_schema(payload_type: str) -> dict[str, Any]:
    path = schema_dir() / f"{payload_type}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no Apple schema for {payload_type} in {schema_dir()} (set {SCHEMAS_ENV})")
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _check_keys(value: dict[str, Any], keys: list[dict[str, Any]], path: str) -> list[str]:
    problems = []
    by_name = {k["key"]: k for k in keys}
    if "ANY" in by_name:
        return []
    for name, spec in by_name.items():
        if spec.get("presence") == "required" and name not in value:
            problems.append(f"{path}.{name}: required")
    for name, item in value.items():
        known = by_name.get(name)
        if known is None:
            problems.append(f"{path}.{name}: not a key of this payload")
            continue
        problems += _check_value(item, known, f"{path}.{name}")
    return problems


def _check_value(item: Any, spec: dict[str, Any], path: str) -> list[str]:
    expected = spec.get("type", "<any>")
    if expected != "<any>":
        allowed = TYPES.get(expected, ())
        wrong_bool = expected in ("<integer>", "<real>") and isinstance(item, bool)
        if not isinstance(item, allowed) or wrong_bool:
            return [f"{path}: must be {expected}, got {type(item).__name__}"]
    if "rangelist" in spec and item not in spec["rangelist"]:
        return [f"{path}: {item!r} is not one of {spec['rangelist']}"]
    subkeys = spec.get("subkeys") or []
    if expected == "<dictionary>" and subkeys:
        return _check_keys(item, subkeys, path)
    if expected == "<array>" and subkeys:
        return [p for index, member in enumerate(item) for p in _check_value(member, subkeys[0], f"{path}[{index}]")]
    return []


def profile_problems(profile: dict[str, Any]) -> list[str]:
    """Every way a whole profile (TopLevel plus each payload, with the common payload keys) breaks
    Apple's schemas."""
    problems = _check_keys(profile, payload_schema("TopLevel")["payloadkeys"], "profile")
    common = payload_schema("CommonPayloadKeys")["payloadkeys"]
    for index, payload in enumerate(profile.get("PayloadContent", [])):
        kind = payload.get("PayloadType", "")
        try:
            keys = payload_schema(kind)["payloadkeys"]
        except FileNotFoundError as err:
            problems.append(f"PayloadContent[{index}]: {err}")
            continue
        problems += _check_keys(payload, [*common, *keys], f"PayloadContent[{index}]({kind})")
    return problems
