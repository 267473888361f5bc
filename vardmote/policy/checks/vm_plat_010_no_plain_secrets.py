"""VM-PLAT-010: secrets never sit in plain VM metadata or resource inputs."""

import re
from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import SECRET, UNKNOWN, walk

# A name that says it holds a secret ("password", "secret_key", "apiToken"), not one that is about secrets
# ("secrets_provider").
SECRET_NAME = re.compile(
    r"(^|[_.-]|(?<=[a-z]))(password|passwd|secret|secret_?key|token|private_?key|passphrase|api_?key)$", re.IGNORECASE
)
# Hypervisor metadata readable by anyone with read access to the VM.
METADATA_KEYS = ("extraConfig", "vapp", "description", "annotation", "tags")


class NoPlainSecrets(Check):
    id = "VM-PLAT-010"
    title = "No secret is written in plain text in VM metadata or resource inputs"
    severity = "critical"
    remediation = (
        "Pass secrets as Pulumi secrets from `secure:` config (pulumi config set --secret) and never put "
        "them in extra_config/guestinfo, vApp properties, annotations or tags."
    )
    target_kind = "platform_resource"
    config_section = ()

    def violations(self, target: Target) -> Iterable[Violation]:
        for path, value in walk(target.data.props):
            if value in (SECRET, UNKNOWN, None, ""):
                continue
            named = any(isinstance(part, str) and SECRET_NAME.search(part) for part in path)
            in_metadata = bool(path) and path[0] in METADATA_KEYS
            if named or (in_metadata and isinstance(value, str) and SECRET_NAME.search(value)):
                where = ".".join(map(str, path))
                yield Violation(f"{where} holds a secret in plain text", path)


CHECK = NoPlainSecrets()
