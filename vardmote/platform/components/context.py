"""What every component needs to know about the platform it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from vardmote.platform.address_plan import AddressPlan
from vardmote.platform.config import PlatformConfig, Site
from vardmote.platform.hypervisors.base import HypervisorBackend, Image, VirtualMachine, VmSpec
from vardmote.platform.names import resource_name

TYPE_PREFIX = "vardmote:platform"
__all__ = ["TYPE_PREFIX", "PexipAccess", "PlatformContext", "resource_name"]


@dataclass(frozen=True)
class PexipAccess:
    """How the providers reach the Management API (no password: they read it from the stack's config),
    the node secrets, and what every Pexip object waits for: the Management Node up and licensed."""

    connection: dict[str, Any]
    node_password: pulumi.Input[str]
    turn_shared_secret: pulumi.Input[str]
    ready: tuple[pulumi.Resource, ...] = ()

    def options(self, parent: pulumi.Resource, *extra: pulumi.Resource) -> pulumi.ResourceOptions:
        """Options for a Pexip object under `parent`: created once the Management Node is licensed."""
        return pulumi.ResourceOptions(parent=parent, depends_on=[*self.ready, *extra])


@dataclass(frozen=True)
class PlatformContext:
    config: PlatformConfig
    plan: AddressPlan
    backend: HypervisorBackend
    pexip: PexipAccess | None
    root: pulumi.Resource | None = None

    def under_root(self, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        """`opts`, or options that parent a top-level component to the platform's root."""
        return opts or pulumi.ResourceOptions(parent=self.root)

    def host_facts(self, host_name: str) -> dict[str, Any]:
        """Where a host sits, as a component's inputs: what policies check placement against."""
        host = self.plan.host(host_name)
        return {"site": host.site, "network": host.network, "address": host.address, "role": host.role}

    def fqdn(self, host_name: str) -> str:
        return f"{host_name}.{self.config.domain}"

    def vm(
        self,
        host_name: str,
        *,
        image: Image,
        vcpu: int,
        memory_mb: int,
        disk_gb: int,
        parent: pulumi.Resource,
    ) -> VirtualMachine:
        host = self.plan.host(host_name)
        site: Site = self.config.site(host.site)
        spec = VmSpec(
            host=host,
            site=site,
            image=image,
            vcpu=vcpu,
            memory_mb=memory_mb,
            disk_gb=disk_gb,
            domain=self.config.domain,
            labels={"role": host.role, "site": host.site, "environment": self.config.environment},
        )
        return self.backend.virtual_machine(spec, parent)
