"""Resolving the secrets profiles name: from the environment, or from Ansible vault variables."""

from __future__ import annotations

import os
from collections.abc import Mapping

from vardmote.region.schema.common import SecretRef


class MissingSecret(Exception):
    pass


def resolve(ref: SecretRef | None, vault_values: Mapping[str, str], what: str) -> str | None:
    """The secret's value, or None when nothing is referenced; MissingSecret says where it was looked for."""
    if ref is None:
        return None
    if ref.env is not None:
        value = os.environ.get(ref.env)
        if not value:
            raise MissingSecret(f"{what} needs the environment variable {ref.env}")
        return value
    assert ref.vault is not None
    value = vault_values.get(ref.vault)
    if not value:
        raise MissingSecret(f"{what} needs the Ansible vault variable {ref.vault}")
    return value
