"""VM-PLAT-011: the platform's Pulumi state and its keys stay on the region's infrastructure."""

from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import ROOT_TYPE
from vardmote.policy.settings import policy_settings


class StateBackendSelfHosted(Check):
    id = "VM-PLAT-011"
    title = "Pulumi state and its secrets provider are self-hosted, never a SaaS backend"
    severity = "high"
    remediation = (
        "Log in to a file:// or on-prem S3-compatible backend (s3://…?endpoint=<region host>) and use the "
        "passphrase or HashiCorp Vault secrets provider; record both in vardmote:platform.state_backend."
    )
    target_kind = "platform_resource"
    config_section = ("state_backend",)
    resource_types = (ROOT_TYPE,)

    def violations(self, target: Target) -> Iterable[Violation]:
        rules = policy_settings().self_hosted_state
        backend = target.data.props.get("state_backend")
        if not isinstance(backend, dict):
            yield Violation("state_backend is missing or unknown", ("state_backend",))
            return
        url = str(backend.get("url"))
        parts = urlsplit(url)
        if not any(url.startswith(scheme) for scheme in rules.backend_schemes):
            yield Violation(
                f"backend {url!r} is not file://, s3:// or https:// on the region's hosts", ("state_backend", "url")
            )
        elif (parts.hostname or "") in rules.forbidden_backend_hosts:
            yield Violation(f"backend {parts.hostname} is the Pulumi Cloud SaaS", ("state_backend", "url"))
        elif url.startswith("s3://") and rules.s3_requires_endpoint and "endpoint" not in parse_qs(parts.query):
            yield Violation("s3:// backend without ?endpoint= is the public cloud's S3", ("state_backend", "url"))
        provider = str(backend.get("secrets_provider"))
        if provider.split("://", 1)[0] not in rules.secrets_providers:
            yield Violation(
                f"secrets provider {provider!r} is not one of {', '.join(rules.secrets_providers)}",
                ("state_backend", "secrets_provider"),
            )


CHECK = StateBackendSelfHosted()
