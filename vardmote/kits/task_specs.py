"""The arguments of the kit modules (vardmote_kit_registry, vardmote_kit_artifacts, vardmote_kit_mdm), as
Ansible's argument specs: apart from their handlers, so that an action plugin can check a task's
arguments without loading the kit stack (see vardmote/kits/action_plugin.py)."""

from __future__ import annotations

from typing import Any

# Set by `vardmote kit …` for the playbooks it runs: the command does the kit tasks' work itself.
SERVED_ENV = "VARDMOTE_KIT_TASKS_SERVED"

REGISTRY_SPEC: dict[str, Any] = {
    "action": {
        "type": "str",
        "required": True,
        "choices": ["register", "complete", "release", "replace", "retire", "retag", "wipes_pending", "wiped"],
    },
    "kits": {"type": "list", "elements": "dict", "required": True},
    "owner": {"type": "str", "required": True},
    "actor": {"type": "str", "required": True},
    "reason": {"type": "str", "default": ""},
    "ticket": {"type": "str"},
    "db_url": {"type": "str", "no_log": True},
    "profiles_dir": {"type": "path"},
    "secret_channel": {"type": "dict", "no_log": True},
}
ARTIFACTS_SPEC: dict[str, Any] = {
    "kits": {"type": "list", "elements": "dict", "required": True},
    "bundle_dir": {"type": "path"},
    "profiles_dir": {"type": "path"},
    "vault_values": {"type": "dict", "default": {}, "no_log": True},
    "secret_channel": {"type": "dict", "no_log": True},
}
MDM_SPEC: dict[str, Any] = {
    "action": {"type": "str", "required": True, "choices": ["enroll", "wipe"]},
    "kits": {"type": "list", "elements": "dict", "required": True},
    "reason": {"type": "str", "default": ""},
    "bundle_dir": {"type": "path"},
    "profiles_dir": {"type": "path"},
    "secret_channel": {"type": "dict", "no_log": True},
}

__all__ = ["ARTIFACTS_SPEC", "MDM_SPEC", "REGISTRY_SPEC", "SERVED_ENV"]
