"""VM-SRV-002: the Ansible tree holds no secret in plain text, whatever its variable is called."""

import re
from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.secret_scan import secrets_in
from vardmote.policy.settings import policy_settings


class NoSecretsByPatternOrEntropy(Check):
    id = "VM-SRV-002"
    title = "No private key, token or random-looking secret is written in plain text in the Ansible tree"
    severity = "critical"
    remediation = (
        "Move the value into Ansible vault (ansible-vault encrypt_string) and refer to it as "
        "{{ vault_<name> }}; rotate the exposed secret."
    )
    target_kind = "ansible_vars"

    def violations(self, target: Target) -> Iterable[Violation]:
        # A variable whose name says it holds a secret is VM-SRV-001's: one finding for one secret.
        named = re.compile(policy_settings().secret_variable_pattern, re.IGNORECASE)
        for found in secrets_in(target.data):
            name = next((p for p in reversed(found.path) if isinstance(p, str)), "")
            if named.search(name):
                continue
            where = ".".join(map(str, found.path))
            yield Violation(f"{where} looks like a secret in plain text ({found.kind})", found.path)


CHECK = NoSecretsByPatternOrEntropy()
