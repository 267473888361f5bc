"""Where the platform's virtual machines come from: vSphere, Proxmox, or hosts that already exist."""

from __future__ import annotations

from infra.config import PlatformConfig
from infra.hypervisors.base import HypervisorBackend, VmSpec
from infra.hypervisors.existing import ExistingHosts
from infra.hypervisors.proxmox import ProxmoxBackend
from infra.hypervisors.vsphere import VsphereBackend

__all__ = ["HypervisorBackend", "VmSpec", "backend_for"]


def backend_for(config: PlatformConfig) -> HypervisorBackend:
    """The back end the stack's `hypervisor.kind` names."""
    hypervisor = config.hypervisor
    if hypervisor.kind == "vsphere":
        assert hypervisor.vsphere is not None  # the config model requires it for this kind
        return VsphereBackend(hypervisor.vsphere, config)
    if hypervisor.kind == "proxmox":
        assert hypervisor.proxmox is not None
        return ProxmoxBackend(hypervisor.proxmox, config)
    assert hypervisor.existing is not None
    return ExistingHosts(hypervisor.existing)
