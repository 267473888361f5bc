#!/usr/bin/python
"""Ansible module: register, complete, replace, retire and re-tag kits in the vardmote kit registry."""

from __future__ import annotations

DOCUMENTATION = r"""
module: vardmote_kit_registry
short_description: Keep tablet kits in the vardmote kit registry
description:
  - Runs one lifecycle action on a list of kits, each in its own transaction with an audit entry.
  - Idempotent: an action already done reports no change.
options:
  action:
    description: What to do.
    type: str
    required: true
    choices: [register, complete, release, replace, retire, retag]
  kits:
    description: The kits, as dicts with the fields the action needs.
    type: list
    elements: dict
    required: true
  owner: {description: The run that holds enrollment leases., type: str, required: true}
  actor: {description: Who is acting (goes into the audit log)., type: str, required: true}
  reason: {description: Why (goes into the audit log)., type: str, default: ""}
  ticket: {description: The service ticket, if any., type: str}
  db_url: {description: The registry (default VARDMOTE_DB_URL or the user's SQLite file)., type: str}
  profiles_dir: {description: The device_profiles tree., type: path}
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule

from provisioning.kits.module_support import registry_for, run_registry_action


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "action": {
                "type": "str",
                "required": True,
                "choices": ["register", "complete", "release", "replace", "retire", "retag"],
            },
            "kits": {"type": "list", "elements": "dict", "required": True},
            "owner": {"type": "str", "required": True},
            "actor": {"type": "str", "required": True},
            "reason": {"type": "str", "default": ""},
            "ticket": {"type": "str"},
            "db_url": {"type": "str"},
            "profiles_dir": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params: dict[str, Any] = module.params
    try:
        registry = registry_for(params["db_url"], params["profiles_dir"], params["actor"])
        kits, changed, failures = run_registry_action(registry, params, module.check_mode)
    except Exception as err:  # one clear line for the technician, never a traceback
        module.fail_json(msg=str(err))
    if failures:
        module.fail_json(msg="; ".join(failures), kits=kits, changed=changed)
    module.exit_json(changed=changed, kits=kits)


if __name__ == "__main__":
    main()
