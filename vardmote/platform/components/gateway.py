"""The gateway: a SIP edge (Kamailio) with the trunk for phones, and Pexip's call routing rules that let
PC and phone participants into the rooms (routine 5.2: the Region connects every SIP participant)."""

from __future__ import annotations

import pulumi

from vardmote.platform.address_plan import host_name
from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext, resource_name
from vardmote.platform.pexip.resources import GatewayRoutingRule, SipProxy

SIP_TLS_PORT = 5061


class Gateway(pulumi.ComponentResource):
    address: str

    def __init__(self, context: PlatformContext, opts: pulumi.ResourceOptions | None = None) -> None:
        gateway = context.config.gateway
        name = host_name(gateway.host.site, "gateway", 1)
        trunk = gateway.sip_trunk
        facts = {
            **context.host_facts(name),
            "sip_trunk": {
                "name": trunk.name,
                "proxy_address": trunk.proxy_address,
                "port": trunk.port,
                "transport": trunk.transport,
            },
            "routing_rules": [rule.name for rule in gateway.routing_rules],
        }
        super().__init__(f"{TYPE_PREFIX}:Gateway", name, facts, context.under_root(opts))
        host = gateway.host
        vm = context.vm(
            name, image="linux", vcpu=host.vcpu, memory_mb=host.memory_mb, disk_gb=host.disk_gb, parent=self
        )
        self.address = vm.address
        self.trunk = gateway.sip_trunk.model_dump()
        if context.pexip is not None:
            proxy = SipProxy(
                f"{name}-sip-proxy",
                connection=context.pexip.connection,
                fields={
                    "name": f"{name} (SIP edge)",
                    "address": context.fqdn(name),
                    "port": SIP_TLS_PORT,
                    "transport": "tls",
                },
                opts=context.pexip.options(self),
            )
            crypto = context.config.security.crypto_mode
            for rule in gateway.routing_rules:
                fields: dict[str, object] = {
                    "name": rule.name,
                    "priority": rule.priority,
                    "match_string": rule.match_string,
                    "replace_string": rule.replace_string,
                    "outgoing_protocol": rule.outgoing_protocol,
                    "call_type": rule.call_type,
                    "crypto_mode": crypto,
                    "match_incoming_calls": True,
                    "match_outgoing_calls": False,
                    "called_device_type": "external" if rule.participants == "phone" else "registration",
                }
                if rule.participants == "phone":
                    fields["sip_proxy"] = proxy.uri
                GatewayRoutingRule(
                    resource_name("rule", rule.name),  # a rule is known by its name, not its priority
                    connection=context.pexip.connection,
                    fields=fields,
                    opts=context.pexip.options(self),
                )
        self.register_outputs({"address": self.address, "trunk": self.trunk["name"]})
