"""Value types shared by several kinds of profile file."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from vardmote.core.validation import StrictModel

Party = Literal["region", "municipality"]
"""The two parties of routine 5.2: the Region, or the municipality that uses the kit."""

Alternative = Literal[1, 2]
"""Routine 5.2.1 (Alt 1: rent the service package from the Region) or 5.2.2 (Alt 2: own equipment)."""

ProfileName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="File name without .yaml")]


def _kommunkod(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        # An unquoted 0114 would be read as octal by YAML 1.1: insist on quotes rather than guess.
        raise ValueError(f'must be a quoted 4-digit kommunkod such as "2281", got {value}')
    return value


Kommunkod = Annotated[
    str,
    BeforeValidator(_kommunkod),
    Field(pattern=r"^\d{4}$", description='SCB municipality code, e.g. "2281" for Sundsvall'),
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"must be an e-mail address, got {value!r}")
    return value


Email = Annotated[str, AfterValidator(_email)]
PhoneNumber = Annotated[
    str, Field(pattern=r"^\+?[0-9][0-9 -]{5,19}$", description="Phone number, e.g. +46 70 174 06 01")
]
HttpsUrl = Annotated[str, Field(pattern=r"^https://[^\s/]+(/\S*)?$", description="An https:// URL")]


class SupportContact(StrictModel):
    """Who a technician or care worker calls about a kit."""

    name: str = Field(min_length=1)
    phone: PhoneNumber
    email: Email
    hours: str = Field(min_length=1, description="Opening hours in plain words, e.g. 'vardagar 07-17'")
    url: HttpsUrl | None = None


class SecretRef(StrictModel):
    """Names a secret resolved at run time; the value itself never appears in a profile."""

    env: str | None = Field(
        default=None, pattern=r"^[A-Z_][A-Z0-9_]*$", description="Environment variable that holds the secret"
    )
    vault: str | None = Field(
        default=None, pattern=r"^[a-z_][a-z0-9_]*$", description="Ansible vault variable that holds the secret"
    )

    @model_validator(mode="after")
    def _exactly_one_source(self) -> SecretRef:
        if (self.env is None) == (self.vault is None):
            raise ValueError("name exactly one of env or vault")
        return self
