"""The video portal's host: staff book rooms here and invitations go to 1177 (routine 4.2.4)."""

from __future__ import annotations

from typing import Any

import pulumi

from vardmote.platform.address_plan import host_name
from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext


class Portal(pulumi.ComponentResource):
    address: str
    url: str
    settings: dict[str, Any]

    def __init__(self, context: PlatformContext, opts: pulumi.ResourceOptions | None = None) -> None:
        portal = context.config.portal
        name = host_name(portal.host.site, "portal", 1)
        idps = {idp.name: idp for idp in context.config.identity_providers}
        guest_idp = idps.get(portal.room_defaults.guest_identity_provider or "")
        facts = {
            **context.host_facts(name),
            "public_name": portal.public_name,
            "room_defaults": portal.room_defaults.model_dump(),
            "guest_identity_provider": (
                {"name": guest_idp.name, "method": guest_idp.method, "level_of_assurance": guest_idp.level_of_assurance}
                if guest_idp
                else None
            ),
        }
        super().__init__(f"{TYPE_PREFIX}:Portal", name, facts, context.under_root(opts))
        host = portal.host
        vm = context.vm(
            name, image="linux", vcpu=host.vcpu, memory_mb=host.memory_mb, disk_gb=host.disk_gb, parent=self
        )
        self.address = vm.address
        self.url = f"https://{portal.public_name}/"
        # What the portal role needs (no secrets: the 1177 client certificate and IdP secrets come from vault).
        self.settings = {
            "public_name": portal.public_name,
            "web_client_url": f"https://{portal.public_name}/webapp/",
            "sender_hsa_id": portal.sender_hsa_id,
            "message_service_url": portal.message_service_url,
            "room_defaults": portal.room_defaults.model_dump(),
            "guest_identity_provider": guest_idp.model_dump() if guest_idp else None,
        }
        self.register_outputs({"address": self.address, "url": self.url})
