"""Secrets written in plain text, found by pattern and entropy with detect-secrets' plugins.

A variable's name is not enough (the key may be called anything), so every value of a stack file or an
Ansible file is shown to detect-secrets as the line `name: value` would read: its keyword plugin knows
names that hold secrets, its entropy plugins find random-looking strings, and its pattern plugins know
private keys, basic-auth URLs and the cloud vendors' token formats. Values that only refer to a secret
kept elsewhere (vault, a lookup, a `secure:` value, a placeholder) are not secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from vardmote.policy.platform_graph import SECRET, UNKNOWN, walk
from vardmote.policy.settings import policy_settings

VAULTED = "$ANSIBLE_VAULT"
# A whole value that is one Jinja expression naming a variable or a lookup, with no literal fallback.
JINJA_ONLY = re.compile(r"^\s*{{[^{}]*}}\s*$")
# Plugins that find things which are not secrets here (public addresses are the DMZ's business).
SKIPPED_PLUGINS = frozenset({"IPPublicDetector"})


@dataclass(frozen=True)
class Found:
    path: tuple[str | int, ...]
    kind: str  # detect-secrets' name for what it found: "Private Key", "Secret Keyword", ...


@cache
def _plugins() -> tuple[Any, ...]:
    # detect-secrets costs ~0.1 s to import: only runs that look at files with values pay it.
    from detect_secrets.settings import default_settings, get_plugins  # noqa: PLC0415

    with default_settings():
        return tuple(p for p in get_plugins() if type(p).__name__ not in SKIPPED_PLUGINS)


def is_reference(value: Any) -> bool:
    """A value that stands for a secret kept elsewhere, never the secret itself."""
    if isinstance(value, dict):
        return set(value) == {"secure"}
    text = str(value)
    if text in (SECRET, UNKNOWN, "") or text.startswith(VAULTED):
        return True
    return bool(JINJA_ONLY.match(text)) and "default(" not in text.replace(" ", "")


def _lines_of(path: tuple[str | int, ...], value: Any) -> Iterator[str]:
    name = next((str(p) for p in reversed(path) if isinstance(p, str)), "value")
    text = str(value)
    if "\n" in text:
        yield from (line for line in text.splitlines() if line.strip())
        yield f'{name}: "{text.strip().splitlines()[0]}"'
    else:
        yield f'{name}: "{text}"'


def secrets_in(data: Any, ignore: tuple[str | int, ...] = ()) -> Iterator[Found]:
    """Every value of `data` that looks like a secret written in plain text; at most one finding a value."""
    for path, value in _leaves(data):
        if path[: len(ignore)] == ignore and ignore:
            continue
        if value is None or isinstance(value, bool | int | float) or is_reference(value):
            continue
        kind = _first_finding(path, value)
        if kind:
            yield Found(path, kind)


def _leaves(data: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    # A `secure:` mapping is one value (a reference), not a leaf to look inside.
    if isinstance(data, dict) and set(data) == {"secure"}:
        yield (), data
        return
    if isinstance(data, dict):
        for key, item in data.items():
            for path, value in _leaves(item):
                yield (key, *path), value
    elif isinstance(data, list):
        for index, item in enumerate(data):
            for path, value in _leaves(item):
                yield (index, *path), value
    else:
        yield from walk(data)


def _first_finding(path: tuple[str | int, ...], value: Any) -> str | None:
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if name in policy_settings().not_secret_names:
        return None
    for line in _lines_of(path, value):
        for plugin in _plugins():
            for secret in plugin.analyze_line(filename="values.yaml", line=line, line_number=1, context=None):
                return str(secret.type)
    return None
