"""The one interface every hypervisor back end implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import pulumi

from vardmote.platform.address_plan import HostAddress
from vardmote.platform.config import Site

# Pexip ships the Management Node and the Conferencing Node as two appliances; portal, gateway and
# TURN hosts are the region's own Linux template.
Image = Literal["pexip-management", "pexip-node", "linux"]


@dataclass(frozen=True)
class VmSpec:
    """A virtual machine the platform needs, independent of where it runs."""

    host: HostAddress
    site: Site
    image: Image
    vcpu: int
    memory_mb: int
    disk_gb: int
    domain: str
    # Non-secret facts the guest may read (role, site). Secrets never go here: hypervisor
    # metadata such as vSphere extra_config/guestinfo is readable by anyone with VM read access.
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VirtualMachine:
    """What a back end gives back: the resource (None where nothing is created) and the host's address."""

    resource: pulumi.Resource | None
    address: str

    def identity(self, host_name: str) -> pulumi.Input[str]:
        """What names this VM across runs: the hypervisor's id of it, or the host where nothing is created.
        Resources tied to one VM (a node's bootstrap) carry it, so a new VM renews them."""
        if isinstance(self.resource, pulumi.CustomResource):
            return self.resource.id
        return f"existing:{host_name}"


class HypervisorBackend(Protocol):
    kind: str

    def virtual_machine(self, spec: VmSpec, parent: pulumi.Resource) -> VirtualMachine:
        """Declare one VM as a child of `parent`."""
        ...

    def keep_apart(self, name: str, site: Site, vms: list[VirtualMachine], parent: pulumi.Resource) -> None:
        """Ask the hypervisor to run `vms` on different physical hosts, so one host failure takes one node."""
        ...
