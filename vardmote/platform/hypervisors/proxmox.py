"""Proxmox VE (KVM): every VM is a full clone of a template, configured through cloud-init, and the
VMs of one kind at a site are spread over the site's Proxmox nodes in turn, so that one node's
failure takes one of each kind, not all of them."""

from __future__ import annotations

from collections import Counter

import pulumi
import pulumi_proxmoxve as proxmox

from vardmote.platform.config import PlatformConfig, ProxmoxSettings, Site
from vardmote.platform.hypervisors.base import VirtualMachine, VmSpec
from vardmote.platform.node_macs import node_mac


class ProxmoxBackend:
    kind = "proxmox"

    def __init__(self, settings: ProxmoxSettings, config: PlatformConfig) -> None:
        self.settings = settings
        self.config = config
        self._placed: Counter[tuple[str, str]] = Counter()  # (site, role) → VMs placed so far

    def node_for(self, spec: VmSpec) -> str:
        """The Proxmox node a VM goes to: the site's nodes in turn, per kind of VM."""
        nodes = self.settings.nodes[spec.site.name]
        key = (spec.site.name, spec.host.role)
        node = nodes[self._placed[key] % len(nodes)]
        self._placed[key] += 1
        return node

    def virtual_machine(self, spec: VmSpec, parent: pulumi.Resource) -> VirtualMachine:
        host = spec.host
        template = {
            "pexip-node": self.settings.pexip_template_vm_id,
            "pexip-management": self.settings.pexip_management_template_vm_id,
            "linux": self.settings.linux_template_vm_id,
        }[spec.image]
        resource = proxmox.VmLegacy(
            host.name,
            name=host.name,
            node_name=self.node_for(spec),
            description=f"vardmote {host.role} node, site {spec.site.name}; managed by Pulumi",
            tags=["vardmote", host.role, spec.site.name],
            clone=proxmox.VmLegacyCloneArgs(vm_id=template, full=True, datastore_id=spec.site.datastore),
            cpu=proxmox.VmLegacyCpuArgs(cores=spec.vcpu, type="host"),
            memory=proxmox.VmLegacyMemoryArgs(dedicated=spec.memory_mb),
            disks=[proxmox.VmLegacyDiskArgs(interface="scsi0", size=spec.disk_gb, datastore_id=spec.site.datastore)],
            network_devices=[
                proxmox.VmLegacyNetworkDeviceArgs(
                    bridge=host.port_group,
                    model="virtio",
                    # A Conferencing Node's generic VM takes its planned address by DHCP (node_macs.py).
                    mac_address=node_mac(self.kind, self.config.environment, host.name)
                    if spec.image == "pexip-node"
                    else None,
                )
            ],
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
        """Done at placement: `node_for` puts the VMs of one kind on the site's nodes in turn, so no two
        share a node while there are nodes enough. An HA group, if the region wants failover, is kept
        in the Proxmox cluster's own configuration."""
