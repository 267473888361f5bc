"""A TURN relay (coturn) in a site's DMZ, for WebRTC participants no edge node can reach directly."""

from __future__ import annotations

import pulumi

from vardmote.platform.address_plan import host_name
from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext
from vardmote.platform.pexip.resources import TurnServer

TURN_PORT = 3478
TURN_DISK_GB = 20


class TurnRelay(pulumi.ComponentResource):
    address: str
    uri: pulumi.Output[str] | None

    def __init__(self, context: PlatformContext, site: str, opts: pulumi.ResourceOptions | None = None) -> None:
        name = host_name(site, "turn", 1)
        turn = context.config.turn
        facts = {**context.host_facts(name), "realm": turn.realm}
        super().__init__(f"{TYPE_PREFIX}:TurnRelay", name, facts, context.under_root(opts))
        vm = context.vm(
            name, image="linux", vcpu=turn.vcpu, memory_mb=turn.memory_mb, disk_gb=TURN_DISK_GB, parent=self
        )
        self.address = vm.address
        self.uri = None
        if context.pexip is not None:
            # Pexip hands WebRTC clients time-limited credentials derived from the shared secret
            # (coturn's REST API scheme), so no long-lived TURN password is given out.
            server = TurnServer(
                f"{name}-pexip",
                connection=context.pexip.connection,
                fields={
                    "name": name,
                    "address": context.fqdn(name),
                    "port": TURN_PORT,
                    "server_type": "coturn_shared",
                    "transport_type": "udp",
                },
                secrets={"secret_key": context.pexip.turn_shared_secret},
                opts=context.pexip.options(self),
            )
            self.uri = server.uri
        self.register_outputs({"address": self.address, "realm": turn.realm})
