"""Fixed MAC addresses for the Conferencing Nodes' VMs, so each has its planned address before the handover.

A Conferencing Node starts as Pexip's generic VM, which takes its address from DHCP and serves its
configuration upload page there; the bootstrap is then handed to the address of the address plan. So
each node VM gets a MAC fixed by its stack and name, and the stack exports `dhcp_reservations` (MAC →
address) for the region's DHCP servers on the transcoding and DMZ networks. A MAC never changes for a
node, so a replaced VM gets its reservation again.

vSphere accepts a static MAC only in VMware's range for manually set addresses, 00:50:56:00:00:00 to
00:50:56:3F:FF:FF; elsewhere (Proxmox) the MAC is a locally administered unicast address (02:…).
"""

from __future__ import annotations

import hashlib

VMWARE_MANUAL_PREFIX = "00:50:56"
VMWARE_MANUAL_FIRST_OCTET_MAX = 0x3F


def node_mac(hypervisor: str, environment: str, host_name: str) -> str:
    digest = hashlib.sha256(f"{environment}/{host_name}".encode()).digest()
    if hypervisor == "vsphere":
        octets = [digest[0] & VMWARE_MANUAL_FIRST_OCTET_MAX, digest[1], digest[2]]
        return VMWARE_MANUAL_PREFIX + ":" + ":".join(f"{octet:02x}" for octet in octets)
    return "02:" + ":".join(f"{octet:02x}" for octet in digest[:5])
