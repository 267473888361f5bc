"""VM-SRV-001: servers' secrets come from Ansible vault or the environment, never plain variables."""

import re
from collections.abc import Iterable
from functools import cache

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import walk
from vardmote.policy.settings import policy_settings

VAULTED = "$ANSIBLE_VAULT"
# A value that only refers to a secret kept elsewhere: another (vault_) variable or a lookup, each with
# plain arguments and no filter after it, so `lookup('env', 'X') | default('hunter2')` is no reference.
REFERENCE = re.compile(r"^\s*{{\s*(vault_\w+|(lookup|query)\((\s*'[^']*'\s*,?)+\))\s*}}\s*$")
# A literal fallback makes the secret plain text whenever the reference is missing.
LITERAL_DEFAULT = re.compile(r"default\(\s*(['\"])(?!\1)")


@cache
def _secret_name() -> re.Pattern[str]:
    return re.compile(policy_settings().secret_variable_pattern, re.IGNORECASE)


class NoPlaintextAnsibleSecrets(Check):
    id = "VM-SRV-001"
    title = "No secret is stored in plain text in Ansible variables or inventories"
    severity = "critical"
    remediation = (
        "Move the value into Ansible vault (ansible-vault encrypt_string) or the environment, and refer to "
        "it as {{ vault_<name> }} or {{ lookup('env', 'NAME') }}; rotate the exposed secret."
    )
    target_kind = "ansible_vars"

    def violations(self, target: Target) -> Iterable[Violation]:
        for path, value in walk(target.data):
            name = next((p for p in reversed(path) if isinstance(p, str)), "")
            if not _secret_name().search(name) or value in (None, "", "[secret]"):
                continue
            text = str(value)
            where = ".".join(map(str, path))
            if LITERAL_DEFAULT.search(text):
                yield Violation(f"{where} falls back to a plain-text default", path)
                continue
            if text.startswith(VAULTED) or REFERENCE.match(text):
                continue
            yield Violation(f"{where} holds a plain-text secret", path)


CHECK = NoPlaintextAnsibleSecrets()
