"""The root of every stack's resources, carrying the platform-wide facts a policy needs to see.

Components' inputs are recorded in Pulumi's state and shown to CrossGuard policies, so the facts that
belong to no single resource (where the state lives, which sites are allowed, how the Management API is
reached) are the inputs of this component. None of them is secret.
"""

from __future__ import annotations

from typing import Any

import pulumi

from vardmote.platform.components.context import TYPE_PREFIX
from vardmote.platform.config import PlatformConfig


def platform_facts(config: PlatformConfig) -> dict[str, Any]:
    return {
        "environment": config.environment,
        "domain": config.domain,
        "hypervisor": config.hypervisor.kind,
        "allowed_locations": list(config.allowed_locations),
        "sites": [site.name for site in config.sites],
        "state_backend": config.state_backend.model_dump(),
        # Stated outright: an absent value would be unknown to a policy, and unknown fails.
        "pexip_api_configured": config.pexip is not None,
        "pexip_api": (
            {
                "management_url": config.pexip.management_url,
                "verify_tls": config.pexip.verify_tls,
                "ca_bundle": config.pexip.ca_bundle,
            }
            if config.pexip
            else None
        ),
        "identity_providers": [
            {"name": idp.name, "method": idp.method, "kind": idp.kind, "level_of_assurance": idp.level_of_assurance}
            for idp in config.identity_providers
        ],
        "log_retention_days": config.security.logs_max_age,
    }


class VideoPlatform(pulumi.ComponentResource):
    def __init__(self, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:VideoPlatform", f"vardmote-{config.environment}", platform_facts(config), opts)
        self.register_outputs({})
