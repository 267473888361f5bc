"""Resolving the secrets profiles name: from the environment, or from Ansible vault variables."""

from __future__ import annotations

import os
from collections.abc import Mapping

from vardmote.region.schema.common import SecretRef


class MissingSecret(Exception):
    pass


def resolve(
    ref: SecretRef | None, vault_values: Mapping[str, str], what: str, env: Mapping[str, str] | None = None
) -> str | None:
    """The secret's value, or None when nothing is referenced; MissingSecret says where it was looked for.
    `env`: environment variables handed over by the command (vardmote.kits.secret_channel), which the
    task's own environment no longer holds."""
    if ref is None:
        return None
    if ref.env is not None:
        value = (env or {}).get(ref.env) or os.environ.get(ref.env)
        if not value:
            raise MissingSecret(f"{what} needs the environment variable {ref.env}")
        return value
    assert ref.vault is not None
    value = vault_values.get(ref.vault)
    if not value:
        raise MissingSecret(f"{what} needs the Ansible vault variable {ref.vault}")
    return value
