"""VM-PLAT-017: a stack file holds no secret in plain text, under any key."""

from collections.abc import Iterable

from vardmote.platform.config import CONFIG_NAMESPACE, SECRET_KEYS
from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.secret_scan import is_reference, secrets_in


class NoPlainSecretsInStackFiles(Check):
    id = "VM-PLAT-017"
    title = "No secret is written in plain text in a stack file"
    severity = "critical"
    remediation = (
        "Remove the value from Pulumi.<stack>.yaml, set it with `pulumi config set --secret <key>` so the "
        "file holds only its `secure:` ciphertext, and rotate the exposed secret."
    )
    target_kind = "stack_file"

    def violations(self, target: Target) -> Iterable[Violation]:
        config = target.data.get("config") if isinstance(target.data, dict) else None
        if not isinstance(config, dict):
            return
        for name in sorted(SECRET_KEYS):
            key = f"{CONFIG_NAMESPACE}:{name}"
            if key in config and not is_reference(config[key]):
                yield Violation(f"{key} is written in plain text", ("config", key))
        for found in secrets_in(config):
            if found.path[0] in {f"{CONFIG_NAMESPACE}:{n}" for n in SECRET_KEYS}:
                continue  # reported above by name
            where = ".".join(map(str, found.path))
            yield Violation(f"{where} looks like a secret in plain text ({found.kind})", ("config", *found.path))


CHECK = NoPlainSecretsInStackFiles()
