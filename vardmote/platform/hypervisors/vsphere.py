"""VMware vSphere: Pexip's Management and Conferencing Nodes each from Pexip's own OVA, Linux hosts
cloned from a template, one NIC per network.

What vSphere documents for OVF/OVA deploys, and is done here: the VM's hardware is read from the OVA
itself (`get_ovf_vm_template`), because a VM that does not match its OVF may not boot (the SCSI
controller otherwise defaults to pvscsi); OVF deploys take no extra_config, and an OVA's settings can
only be its own predefined vApp properties, so nothing of ours is added to Pexip's appliances.
"""

from __future__ import annotations

from functools import cache

import pulumi
import pulumi_vsphere as vsphere

from vardmote.platform.config import PlatformConfig, Site, VsphereSettings
from vardmote.platform.hypervisors.base import VirtualMachine, VmSpec
from vardmote.platform.node_macs import node_mac

# The guest OS of the region's Linux template; Pexip's appliances say their own in their OVA.
LINUX_GUEST_ID = "debian12_64Guest"


class VsphereBackend:
    kind = "vsphere"

    def __init__(self, settings: VsphereSettings, config: PlatformConfig, root: pulumi.Resource | None = None) -> None:
        self.settings = settings
        self.config = config
        # Shared vSphere objects (folders, tags) belong to the platform, not to any one component.
        self._shared = pulumi.ResourceOptions(parent=root)
        self._folders: dict[str, vsphere.Folder] = {}
        self._tag_category: vsphere.TagCategory | None = None
        self._tags: dict[str, vsphere.Tag] = {}

    def _folder(self, site: Site, datacenter_id: pulumi.Input[str]) -> vsphere.Folder:
        """The site's VM folder (<folder>/<site>) under its parent folder, made once per site."""
        if site.name not in self._folders:
            top = vsphere.Folder(
                f"{site.name}-folder-{self.settings.folder}",
                path=self.settings.folder,
                type="vm",
                datacenter_id=datacenter_id,
                opts=self._shared,
            )
            self._folders[site.name] = vsphere.Folder(
                f"{site.name}-folder",
                path=f"{self.settings.folder}/{site.name}",
                type="vm",
                datacenter_id=datacenter_id,
                opts=pulumi.ResourceOptions.merge(self._shared, pulumi.ResourceOptions(depends_on=[top])),
            )
        return self._folders[site.name]

    def _role_tag(self, role: str) -> vsphere.Tag:
        """A vSphere tag per role, so backup, DRS and monitoring policies can select the platform's VMs."""
        if self._tag_category is None:
            self._tag_category = vsphere.TagCategory(
                "vardmote-role",
                name=f"vardmote-role-{self.config.environment}",
                description="Role of a vardmote video platform VM",
                cardinality="SINGLE",
                associable_types=["VirtualMachine"],
                opts=self._shared,
            )
        if role not in self._tags:
            self._tags[role] = vsphere.Tag(
                f"vardmote-role-{role}",
                name=role,
                category_id=self._tag_category.id,
                description=f"vardmote {role} VMs",
                opts=self._shared,
            )
        return self._tags[role]

    # Look-ups use the *_output forms: they do not block the program while vCenter answers, and each
    # is made once per name and datacenter.
    @cache  # noqa: B019 - one look-up per datacenter for the life of the program run
    def _datacenter_id(self, datacenter: str) -> pulumi.Output[str]:
        return vsphere.get_datacenter_output(name=datacenter).id

    @cache  # noqa: B019
    def _cluster(self, datacenter: str, cluster: str) -> pulumi.Output[vsphere.GetComputeClusterResult]:
        return vsphere.get_compute_cluster_output(name=cluster, datacenter_id=self._datacenter_id(datacenter))

    @cache  # noqa: B019
    def _datastore_id(self, datacenter: str, datastore: str) -> pulumi.Output[str]:
        return vsphere.get_datastore_output(name=datastore, datacenter_id=self._datacenter_id(datacenter)).id

    @cache  # noqa: B019
    def _network_id(self, datacenter: str, port_group: str) -> pulumi.Output[str]:
        return vsphere.get_network_output(name=port_group, datacenter_id=self._datacenter_id(datacenter)).id

    @cache  # noqa: B019
    def _ovf(self, site: Site, url: str, port_group: str) -> pulumi.Output[vsphere.GetOvfVmTemplateResult]:
        """What the OVA says of its VM: SCSI controller, firmware, guest OS, as vCenter reads it."""
        datacenter_id = self._datacenter_id(site.datacenter)
        network_id = self._network_id(site.datacenter, port_group)
        host = vsphere.get_host_output(name=self.settings.ovf_hosts[site.name], datacenter_id=datacenter_id)
        return vsphere.get_ovf_vm_template_output(
            name=url.rsplit("/", 1)[-1],
            remote_ovf_url=url,
            disk_provisioning="thin",
            host_system_id=host.id,
            resource_pool_id=self._cluster(site.datacenter, site.cluster).resource_pool_id,
            datastore_id=self._datastore_id(site.datacenter, site.datastore),
            ovf_network_map=network_id.apply(lambda network: {"VM Network": network}),
        )

    @cache  # noqa: B019
    def _template_id(self, datacenter: str) -> pulumi.Output[str]:
        template = self.settings.linux_template
        return vsphere.get_virtual_machine_output(name=template, datacenter_id=self._datacenter_id(datacenter)).id

    def virtual_machine(self, spec: VmSpec, parent: pulumi.Resource) -> VirtualMachine:
        datacenter_id = self._datacenter_id(spec.site.datacenter)
        host = spec.host
        network_id = self._network_id(spec.site.datacenter, host.port_group)
        ovf_deploy = clone = ovf = None
        guest_id: pulumi.Input[str] = LINUX_GUEST_ID
        extra_config: dict[str, str] | None = {
            f"guestinfo.vardmote.{key}": value for key, value in sorted(spec.labels.items())
        }
        if spec.image != "linux":
            # Pexip nodes are never cloned from each other: each is a fresh VM from Pexip's OVA, a
            # Conferencing Node configured afterwards through the Management API
            # (ConferencingNodeRegistration), the Management Node by its installer.
            url = (
                self.settings.pexip_management_ovf_url
                if spec.image == "pexip-management"
                else self.settings.pexip_ovf_url
            )
            ovf = self._ovf(spec.site, url, host.port_group)
            ovf_deploy = vsphere.VirtualMachineOvfDeployArgs(
                remote_ovf_url=url, disk_provisioning="thin", ovf_network_map={"VM Network": network_id}
            )
            guest_id, extra_config = ovf.guest_id, None
        else:
            clone = vsphere.VirtualMachineCloneArgs(
                template_uuid=self._template_id(spec.site.datacenter),
                customize=vsphere.VirtualMachineCloneCustomizeArgs(
                    linux_options=vsphere.VirtualMachineCloneCustomizeLinuxOptionsArgs(
                        host_name=host.name, domain=spec.domain
                    ),
                    network_interfaces=[
                        vsphere.VirtualMachineCloneCustomizeNetworkInterfaceArgs(
                            ipv4_address=host.address, ipv4_netmask=host.prefix_length
                        )
                    ],
                    ipv4_gateway=host.gateway,
                    dns_server_lists=self.config.dns_servers,
                ),
            )
        resource = vsphere.VirtualMachine(
            host.name,
            vsphere.VirtualMachineArgs(
                name=host.name,
                datacenter_id=datacenter_id if ovf_deploy else None,
                resource_pool_id=self._cluster(spec.site.datacenter, spec.site.cluster).resource_pool_id,
                datastore_id=self._datastore_id(spec.site.datacenter, spec.site.datastore),
                folder=self._folder(spec.site, datacenter_id).path,
                tags=[self._role_tag(host.role).id],
                num_cpus=spec.vcpu,
                memory=spec.memory_mb,
                guest_id=guest_id,
                scsi_type=ovf.scsi_type if ovf is not None else None,
                firmware=ovf.firmware if ovf is not None else None,
                network_interfaces=[
                    vsphere.VirtualMachineNetworkInterfaceArgs(
                        network_id=network_id,
                        # A Conferencing Node's generic VM takes its planned address by DHCP (node_macs.py).
                        use_static_mac=spec.image == "pexip-node" or None,
                        mac_address=node_mac(self.kind, self.config.environment, host.name)
                        if spec.image == "pexip-node"
                        else None,
                    )
                ],
                disks=[vsphere.VirtualMachineDiskArgs(label="disk0", size=spec.disk_gb, thin_provisioned=True)],
                extra_config=extra_config,
                annotation=f"vardmote {host.role} node, site {spec.site.name}; managed by Pulumi",
                wait_for_guest_net_timeout=0,
                ovf_deploy=ovf_deploy,
                clone=clone,
            ),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        return VirtualMachine(resource=resource, address=host.address)

    def keep_apart(self, name: str, site: Site, vms: list[VirtualMachine], parent: pulumi.Resource) -> None:
        resources = [vm.resource for vm in vms if isinstance(vm.resource, vsphere.VirtualMachine)]
        if len(resources) < 2:
            return
        vsphere.ComputeClusterVmAntiAffinityRule(
            name,
            name=name,
            compute_cluster_id=self._cluster(site.datacenter, site.cluster).id,
            virtual_machine_ids=[r.id for r in resources],
            enabled=True,
            mandatory=False,
            opts=pulumi.ResourceOptions(parent=parent),
        )
