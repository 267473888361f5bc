"""The Pexip Management Node: configuration UI and REST API for the whole platform."""

from __future__ import annotations

import pulumi

from vardmote.platform.address_plan import host_name
from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext


class ManagementNode(pulumi.ComponentResource):
    address: str
    url: str
    node_id: pulumi.Output[str]

    def __init__(self, context: PlatformContext, opts: pulumi.ResourceOptions | None = None) -> None:
        config = context.config.management_node
        name = host_name(config.site, "management", 1)
        super().__init__(f"{TYPE_PREFIX}:ManagementNode", name, context.host_facts(name), context.under_root(opts))
        vm = context.vm(
            name, image="pexip", vcpu=config.vcpu, memory_mb=config.memory_mb, disk_gb=config.disk_gb, parent=self
        )
        self.address = vm.address
        self.url = f"https://{context.fqdn(name)}/"
        # What the wait for its API is tied to: a new VM (a new id) is waited for again.
        self.node_id = pulumi.Output.from_input(vm.identity(name))
        self.register_outputs({"address": self.address, "url": self.url})
