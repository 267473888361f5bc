"""VMware vSphere: Pexip nodes from Pexip's OVA, Linux hosts cloned from a template, one NIC per network."""

from __future__ import annotations

from functools import cache

import pulumi
import pulumi_vsphere as vsphere

from infra.config import PlatformConfig, Site, VsphereSettings
from infra.hypervisors.base import VirtualMachine, VmSpec

# The guest OS identifiers VMware uses for Pexip's appliance (Debian-based) and our Linux hosts.
GUEST_IDS = {"pexip": "debian11_64Guest", "linux": "debian12_64Guest"}


class VsphereBackend:
    kind = "vsphere"

    def __init__(self, settings: VsphereSettings, config: PlatformConfig) -> None:
        self.settings = settings
        self.config = config
        self._folders: dict[str, vsphere.Folder] = {}
        self._tag_category: vsphere.TagCategory | None = None
        self._tags: dict[str, vsphere.Tag] = {}

    def _folder(self, site: Site, datacenter_id: str) -> vsphere.Folder:
        """The site's VM folder (<folder>/<site>) under its parent folder, made once per site."""
        if site.name not in self._folders:
            top = vsphere.Folder(
                f"{site.name}-folder-{self.settings.folder}",
                path=self.settings.folder,
                type="vm",
                datacenter_id=datacenter_id,
            )
            self._folders[site.name] = vsphere.Folder(
                f"{site.name}-folder",
                path=f"{self.settings.folder}/{site.name}",
                type="vm",
                datacenter_id=datacenter_id,
                opts=pulumi.ResourceOptions(depends_on=[top]),
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
            )
        if role not in self._tags:
            self._tags[role] = vsphere.Tag(
                f"vardmote-role-{role}",
                name=role,
                category_id=self._tag_category.id,
                description=f"vardmote {role} VMs",
            )
        return self._tags[role]

    @cache  # noqa: B019 - one lookup per site for the life of the program run
    def _datacenter_id(self, datacenter: str) -> str:
        return vsphere.get_datacenter(name=datacenter).id

    def _lookups(self, site: Site) -> tuple[str, str, str]:
        datacenter_id = self._datacenter_id(site.datacenter)
        cluster = vsphere.get_compute_cluster(name=site.cluster, datacenter_id=datacenter_id)
        datastore = vsphere.get_datastore(name=site.datastore, datacenter_id=datacenter_id)
        return datacenter_id, cluster.resource_pool_id, datastore.id

    def _network_id(self, site: Site, port_group: str) -> str:
        return vsphere.get_network(name=port_group, datacenter_id=self._datacenter_id(site.datacenter)).id

    def virtual_machine(self, spec: VmSpec, parent: pulumi.Resource) -> VirtualMachine:
        datacenter_id, resource_pool_id, datastore_id = self._lookups(spec.site)
        host = spec.host
        network_id = self._network_id(spec.site, host.port_group)
        ovf_deploy = clone = None
        if spec.image == "pexip":
            # Pexip nodes are never cloned from each other: each is a fresh generic VM from the OVA,
            # configured afterwards through the Management API (ConferencingNodeRegistration).
            ovf_deploy = vsphere.VirtualMachineOvfDeployArgs(
                remote_ovf_url=self.settings.pexip_ovf_url,
                disk_provisioning="thin",
                ovf_network_map={"VM Network": network_id},
            )
        else:
            template = vsphere.get_virtual_machine(name=self.settings.linux_template, datacenter_id=datacenter_id)
            clone = vsphere.VirtualMachineCloneArgs(
                template_uuid=template.id,
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
                resource_pool_id=resource_pool_id,
                datastore_id=datastore_id,
                folder=self._folder(spec.site, datacenter_id).path,
                tags=[self._role_tag(host.role).id],
                num_cpus=spec.vcpu,
                memory=spec.memory_mb,
                guest_id=GUEST_IDS[spec.image],
                network_interfaces=[vsphere.VirtualMachineNetworkInterfaceArgs(network_id=network_id)],
                disks=[vsphere.VirtualMachineDiskArgs(label="disk0", size=spec.disk_gb, thin_provisioned=True)],
                extra_config={f"guestinfo.vardmote.{key}": value for key, value in sorted(spec.labels.items())},
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
        datacenter_id = self._datacenter_id(site.datacenter)
        cluster = vsphere.get_compute_cluster(name=site.cluster, datacenter_id=datacenter_id)
        vsphere.ComputeClusterVmAntiAffinityRule(
            name,
            name=name,
            compute_cluster_id=cluster.id,
            virtual_machine_ids=[r.id for r in resources],
            enabled=True,
            mandatory=False,
            opts=pulumi.ResourceOptions(parent=parent),
        )
