"""VM-PLAT-015: Pulumi talks to the hypervisors over verified TLS."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation

# Provider settings that switch certificate verification off, as Pulumi's providers name them.
INSECURE_SETTINGS = ("vsphere:allowUnverifiedSsl", "proxmoxve:insecure", "proxmox:insecure")


class ProviderTlsVerified(Check):
    id = "VM-PLAT-015"
    title = "The hypervisor providers verify the server's TLS certificate"
    severity = "high"
    remediation = (
        'Set vsphere:allowUnverifiedSsl (or proxmoxve:insecure) to "false" or remove it, and trust the '
        "region's CA on the machine that runs Pulumi."
    )
    target_kind = "stack_file"

    def violations(self, target: Target) -> Iterable[Violation]:
        config = target.data.get("config") if isinstance(target.data, dict) else None
        if not isinstance(config, dict):
            return  # the stack's own targets fail a stack file without config
        for key in INSECURE_SETTINGS:
            if key in config and str(config[key]).strip().lower() not in ("false", "0", "no"):
                yield Violation(f"{key} is {config[key]!r}: certificates are not verified", ("config", key))


CHECK = ProviderTlsVerified()
