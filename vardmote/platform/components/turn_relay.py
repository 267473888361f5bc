"""A TURN relay (coturn) in a site's DMZ, for WebRTC participants no edge node can reach directly.

Participants reach it by its name: the region's public DNS gives that name the relay's static NAT
address (`sites[].public.turn_relays`), the internal DNS its DMZ address, so the nodes and the
participants use one name. It serves UDP 3478 and TURN over TLS on TCP `turn.tls_port` (443), the
one port a home or mobile network that lets nothing else out still lets through.
"""

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
    client_uris: list[pulumi.Output[str]]

    def __init__(self, context: PlatformContext, site: str, opts: pulumi.ResourceOptions | None = None) -> None:
        name = host_name(site, "turn", 1)
        turn = context.config.turn
        public_address = context.plan.host(name).public_address
        facts = {
            **context.host_facts(name),
            "realm": turn.realm,
            "tls_port": turn.tls_port,
            **({"public_address": public_address} if public_address is not None else {}),
        }
        super().__init__(f"{TYPE_PREFIX}:TurnRelay", name, facts, context.under_root(opts))
        vm = context.vm(
            name, image="linux", vcpu=turn.vcpu, memory_mb=turn.memory_mb, disk_gb=TURN_DISK_GB, parent=self
        )
        self.address = vm.address
        self.uri = None
        self.client_uris = []
        if context.pexip is not None:
            # Pexip hands WebRTC clients time-limited credentials derived from the shared secret
            # (coturn's REST API scheme), so no long-lived TURN password is given out.
            listeners = [
                (f"{name}-pexip", name, TURN_PORT, "udp"),
                (f"{name}-pexip-tls", f"{name} (TLS {turn.tls_port})", turn.tls_port, "tls"),
            ]
            servers = [
                TurnServer(
                    resource,
                    connection=context.pexip.connection,
                    fields={
                        "name": label,
                        "address": context.fqdn(name),
                        "port": port,
                        "server_type": "coturn_shared",
                        "transport_type": transport,
                    },
                    secrets={"secret_key": context.pexip.turn_shared_secret},
                    opts=context.pexip.options(self),
                )
                for resource, label, port, transport in listeners
            ]
            # The nodes relay over UDP; participants are offered both, and take TLS where UDP is blocked.
            self.uri = servers[0].uri
            self.client_uris = [server.uri for server in servers]
        self.register_outputs({"address": self.address, "realm": turn.realm})
