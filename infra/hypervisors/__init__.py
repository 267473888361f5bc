"""Where the platform's virtual machines come from: vSphere, Proxmox, or hosts that already exist."""

from __future__ import annotations

import pulumi

from infra.config import PlatformConfig
from infra.hypervisors.base import HypervisorBackend, VmSpec

__all__ = ["HypervisorBackend", "VmSpec", "backend_for"]


def backend_for(config: PlatformConfig, root: pulumi.Resource | None = None) -> HypervisorBackend:
    """The back end the stack's `hypervisor.kind` names. Each provider SDK is large, so only the one
    in use is imported."""
    hypervisor = config.hypervisor
    if hypervisor.kind == "vsphere":
        from infra.hypervisors.vsphere import VsphereBackend

        assert hypervisor.vsphere is not None  # the config model requires it for this kind
        return VsphereBackend(hypervisor.vsphere, config, root)
    if hypervisor.kind == "proxmox":
        from infra.hypervisors.proxmox import ProxmoxBackend

        assert hypervisor.proxmox is not None
        return ProxmoxBackend(hypervisor.proxmox, config)
    from infra.hypervisors.existing import ExistingHosts

    assert hypervisor.existing is not None
    return ExistingHosts(hypervisor.existing)
