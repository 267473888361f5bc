"""Where the platform's virtual machines come from: vSphere, Proxmox, or hosts that already exist."""

from __future__ import annotations

import pulumi

from vardmote.platform.config import PlatformConfig
from vardmote.platform.hypervisors.base import HypervisorBackend, VmSpec

__all__ = ["HypervisorBackend", "VmSpec", "backend_for"]


def backend_for(config: PlatformConfig, root: pulumi.Resource | None = None) -> HypervisorBackend:
    """The back end the stack's `hypervisor.kind` names. Each provider SDK is large, so only the one
    in use is imported."""
    hypervisor = config.hypervisor
    if hypervisor.kind == "vsphere":
        from vardmote.platform.hypervisors.vsphere import VsphereBackend

        assert hypervisor.vsphere is not None  # the config model requires it for this kind
        return VsphereBackend(hypervisor.vsphere, config, root)
    if hypervisor.kind == "proxmox":
        from vardmote.platform.hypervisors.proxmox import ProxmoxBackend

        assert hypervisor.proxmox is not None
        return ProxmoxBackend(hypervisor.proxmox, config)
    from vardmote.platform.hypervisors.existing import ExistingHosts

    assert hypervisor.existing is not None
    return ExistingHosts(hypervisor.existing)
