"""Conferencing Nodes: transcoding nodes on the internal network, proxying edge nodes in the DMZ.

A node is a generic VM deployed from Pexip's OVA plus a worker_vm registration through the API,
which hands the VM its bootstrap configuration and waits for it to sync. Nodes are never cloned.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import pulumi

from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext
from vardmote.platform.config import NodeSize
from vardmote.platform.pexip.resources import ConferencingNodeRegistration

NodeType = Literal["CONFERENCING", "PROXYING"]
NODE_DISK_GB = 50


class _PexipNode(pulumi.ComponentResource):
    node_type: ClassVar[NodeType]
    type_name: ClassVar[str]
    address: str

    def __init__(
        self,
        context: PlatformContext,
        name: str,
        size: NodeSize,
        location_uri: pulumi.Input[str] | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Pulumi turns a component's inputs into attributes of the same names, so the class's node
        # type is read once, here, before it is shadowed.
        node_type = type(self).node_type
        facts = {
            **context.host_facts(name),
            "node_type": node_type,
            "vcpu": size.vcpu,
            "memory_mb": size.memory_mb,
        }
        host = context.plan.host(name)
        if host.public_address is not None:
            facts["static_nat_address"] = host.public_address
        super().__init__(f"{TYPE_PREFIX}:{self.type_name}", name, facts, opts)
        vm = context.vm(
            name, image="pexip-node", vcpu=size.vcpu, memory_mb=size.memory_mb, disk_gb=NODE_DISK_GB, parent=self
        )
        self.vm = vm
        self.address = vm.address
        self.registration: ConferencingNodeRegistration | None = None
        pexip = context.config.pexip
        if context.pexip is not None and pexip is not None and location_uri is not None:
            # An edge node behind the region's static NAT tells participants its public address (in SDP
            # and ICE), which the firewall maps to its DMZ address.
            public = {"static_nat_address": host.public_address} if host.public_address is not None else {}
            self.registration = ConferencingNodeRegistration(
                f"{name}-registration",
                connection=context.pexip.connection,
                fields={
                    "name": name,
                    "hostname": name,
                    "domain": context.config.domain,
                    "address": host.address,
                    "netmask": host.netmask,
                    "gateway": host.gateway,
                    "system_location": location_uri,
                    "node_type": node_type,
                    "vm_cpu_count": size.vcpu,
                    "vm_system_memory": size.memory_mb,
                    "enable_ssh": "OFF",
                    "deployment_type": "MANUAL-PROVISION-ONLY",
                    **public,
                },
                secrets={"password": context.pexip.node_password},
                bootstrap={
                    # The registration belongs to this VM: a new VM needs a new bootstrap.
                    "vm": vm.identity(name),
                    "node_address": host.address,
                    "upload_port": pexip.node_bootstrap_port,
                    "upload_path": pexip.node_bootstrap_path,
                    "timeout_s": pexip.bootstrap_timeout_s,
                    "poll_interval_s": pexip.bootstrap_poll_interval_s,
                },
                opts=context.pexip.options(self, *([vm.resource] if vm.resource else [])),
            )
        self.register_outputs({"address": self.address, "node_type": node_type})


class ConferencingNode(_PexipNode):
    """A transcoding Conferencing Node on a site's internal (transcoding) network."""

    node_type = "CONFERENCING"
    type_name = "ConferencingNode"


class ProxyingEdgeNode(_PexipNode):
    """A Proxying Edge Node in a site's DMZ: carries internet participants to the transcoding nodes."""

    node_type = "PROXYING"
    type_name = "ProxyingEdgeNode"
