"""Proxmox VE (KVM): every VM is a full clone of a template, configured through cloud-init."""

from __future__ import annotations

import pulumi
import pulumi_proxmoxve as proxmox

from vardmote.platform.config import PlatformConfig, ProxmoxSettings, Site
from vardmote.platform.hypervisors.base import VirtualMachine, VmSpec


class ProxmoxBackend:
    kind = "proxmox"

    def __init__(self, settings: ProxmoxSettings, config: PlatformConfig) -> None:
        self.settings = settings
        self.config = config

    def virtual_machine(self, spec: VmSpec, parent: pulumi.Resource) -> VirtualMachine:
        host = spec.host
        template = self.settings.pexip_template_vm_id if spec.image == "pexip" else self.settings.linux_template_vm_id
        resource = proxmox.VmLegacy(
            host.name,
            name=host.name,
            node_name=spec.site.cluster,
            description=f"vardmote {host.role} node, site {spec.site.name}; managed by Pulumi",
            tags=["vardmote", host.role, spec.site.name],
            clone=proxmox.VmLegacyCloneArgs(vm_id=template, full=True, datastore_id=spec.site.datastore),
            cpu=proxmox.VmLegacyCpuArgs(cores=spec.vcpu, type="host"),
            memory=proxmox.VmLegacyMemoryArgs(dedicated=spec.memory_mb),
            disks=[proxmox.VmLegacyDiskArgs(interface="scsi0", size=spec.disk_gb, datastore_id=spec.site.datastore)],
            network_devices=[proxmox.VmLegacyNetworkDeviceArgs(bridge=host.port_group, model="virtio")],
            initialization=proxmox.VmLegacyInitializationArgs(
                datastore_id=spec.site.datastore,
                ip_configs=[
                    proxmox.VmLegacyInitializationIpConfigArgs(
                        ipv4=proxmox.VmLegacyInitializationIpConfigIpv4Args(
                            address=f"{host.address}/{host.prefix_length}", gateway=host.gateway
                        )
                    )
                ],
            ),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        return VirtualMachine(resource=resource, address=host.address)

    def keep_apart(self, name: str, site: Site, vms: list[VirtualMachine], parent: pulumi.Resource) -> None:
        """Proxmox HA groups are managed outside this program; placement follows `site.cluster`."""
