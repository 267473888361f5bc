#!/usr/bin/python
"""Ansible module: register, complete, replace, retire and re-tag kits in the vardmote kit registry."""

from __future__ import annotations

DOCUMENTATION = r"""
module: vardmote_kit_registry
short_description: Keep tablet kits in the vardmote kit registry
description:
  - Runs one lifecycle action on a list of kits, each all or nothing with its audit entry. On SQLite,
    register and complete commit up to 100 kits in one transaction (each kit a savepoint of it).
  - Idempotent: an action already done reports no change.
  - wipes_pending lists the devices of the given kits that wait for a wipe; wiped records what the
    MDM step did with each (sent to the MDM, or a work order for the technician).
options:
  action:
    description: What to do.
    type: str
    required: true
    choices: [register, complete, release, replace, retire, retag, wipes_pending, wiped]
  kits:
    description: The kits, as dicts with the fields the action needs.
    type: list
    elements: dict
    required: true
  owner: {description: The run that holds enrollment leases., type: str, required: true}
  actor: {description: Who is acting (goes into the audit log)., type: str, required: true}
  reason: {description: Why (goes into the audit log)., type: str, default: ""}
  ticket: {description: The service ticket, if any., type: str}
  db_url: {description: The registry (default VARDMOTE_DB_URL or the user's SQLite file)., type: str, no_log: true}
  profiles_dir: {description: The device_profiles tree., type: path}
  secret_channel:
    description:
      - Where the running vardmote kit command serves the secrets it took out of the environment
        (APN passwords, the registry URL), and that may do the step's work itself; never stored.
    type: dict
    no_log: true
"""

from ansible.module_utils.basic import AnsibleModule

from vardmote.kits.module_support import registry_task
from vardmote.kits.task_specs import REGISTRY_SPEC


def main() -> None:
    module = AnsibleModule(argument_spec=REGISTRY_SPEC, supports_check_mode=True)
    result = registry_task(module.params, module.check_mode)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
