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
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
    # libyaml's parser when PyYAML has it: Apple's Restrictions schema alone is ~110 kB, which the
    # pure-Python parser takes ~0.2 s to read, and each worker of a batch reads it once.
    loaded: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    return loaded


def load_all() -> None:
    """Read every schema of the folder now: a batch's workers, forked after this, then share them
    instead of each reading its own (~50 ms each)."""
    for path in sorted(schema_dir().glob("*.yaml")):
        payload_schema(path.stem)


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


# -- what Apple's schema text says about payloads together on one device ---------------------------------


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(text).split(".") if part.isdigit())


def _ios(spec: dict[str, Any]) -> dict[str, Any]:
    ios: dict[str, Any] = (spec.get("supportedOS") or {}).get("iOS") or {}
    return ios


def _key_spec(payload_type: str, key: str) -> dict[str, Any]:
    specs: list[dict[str, Any]] = payload_schema(payload_type)["payloadkeys"]
    for spec in specs:
        if spec["key"] == key:
            return spec
    raise KeyError(f"{payload_type} has no key {key}")


def safari_off_stops_web_clips() -> bool:
    """Whether Apple's text for Restrictions' allowSafari says that turning Safari off also stops web clips
    from opening (it does, in the release vardmote ships): read from the schema, not assumed."""
    content = " ".join(str(_key_spec("com.apple.applicationaccess", "allowSafari").get("content", "")).split())
    return "web clips" in content and "prevents" in content


SAFARI = "com.apple.mobilesafari"


def combination_problems(profile: dict[str, Any], supervised: bool, min_os: str) -> list[str]:
    """Every way the profile's payloads, together, do not work on an iPad of `min_os` or later, as Apple's
    schema text describes it: payloads and keys that need supervision, keys newer than the oldest iOS the
    kit supports, payloads that may appear only once, and a kiosk that cannot open: Safari turned off while
    the video client is a web clip, or App Lock locks the iPad into Safari."""
    problems = []
    oldest = _version(min_os)
    payloads = profile.get("PayloadContent", [])
    kinds = [payload.get("PayloadType", "") for payload in payloads]
    for index, payload in enumerate(payloads):
        kind = kinds[index]
        where = f"PayloadContent[{index}]({kind})"
        try:
            schema = payload_schema(kind)
        except FileNotFoundError:
            continue  # profile_problems names it
        ios = _ios(schema["payload"])
        if ios.get("supervised") and not supervised:
            problems.append(
                f"{where}: Apple's schema says {schema.get('description', kind)}: the iPad must be supervised"
            )
        if ios.get("multiple") is False and kinds.count(kind) > 1:
            problems.append(f"{where}: Apple's schema allows one {kind} payload per device")
        if _version(ios.get("introduced", "0")) > oldest:
            problems.append(f"{where}: needs iOS {ios['introduced']}, the model's oldest supported is {min_os}")
        for spec in schema["payloadkeys"]:
            if spec["key"] not in payload:
                continue
            key_ios = _ios(spec)
            if key_ios.get("supervised") and not supervised and payload[spec["key"]] != spec.get("default"):
                problems.append(f"{where}.{spec['key']}: works only on a supervised iPad")
            if _version(key_ios.get("introduced", "0")) > oldest:
                problems.append(
                    f"{where}.{spec['key']}: needs iOS {key_ios['introduced']}, the model's oldest is {min_os}"
                )
    restrictions = [p for p in payloads if p.get("PayloadType") == "com.apple.applicationaccess"]
    safari_off = any(p.get("allowSafari") is False for p in restrictions)
    if safari_off and "com.apple.webClip.managed" in kinds and safari_off_stops_web_clips():
        problems.append(
            "com.apple.applicationaccess.allowSafari: false also prevents opening web clips (Apple's schema "
            "text): the video client's web clip would not open"
        )
    locked_into = [p.get("App", {}).get("Identifier") for p in payloads if p.get("PayloadType") == "com.apple.app.lock"]
    if safari_off and SAFARI in locked_into:
        problems.append("com.apple.app.lock: locks the iPad into Safari, which allowSafari: false disables")
    return problems
