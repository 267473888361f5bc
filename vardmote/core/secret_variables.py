"""Secrets handed over in environment variables, whose names the user gives as options."""

from __future__ import annotations

import re

VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


class NotAVariableName(ValueError):
    """An option that names an environment variable was given something else: perhaps the secret."""


def checked_variable_name(option: str, value: str) -> str:
    """`value` if it is an environment variable's name; else NotAVariableName, which never repeats the
    value (a rushed user may have typed the secret itself where its variable's name belongs)."""
    if not VARIABLE_NAME.fullmatch(value):
        raise NotAVariableName(
            f"{option}: give the name of the environment variable that holds the secret (capitals, digits and "
            "underscores), never the secret itself"
        )
    return value
