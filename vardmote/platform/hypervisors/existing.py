"""Hosts that already run (the lab's containers): registered in the outputs, nothing created."""

from __future__ import annotations

import pulumi

from vardmote.platform.config import ExistingSettings, Site
from vardmote.platform.hypervisors.base import VirtualMachine, VmSpec


class ExistingHosts:
    kind = "existing"

    def __init__(self, settings: ExistingSettings) -> None:
        self.settings = settings

    def virtual_machine(self, spec: VmSpec, parent: pulumi.Resource) -> VirtualMachine:
        return VirtualMachine(resource=None, address=spec.host.address)

    def keep_apart(self, name: str, site: Site, vms: list[VirtualMachine], parent: pulumi.Resource) -> None:
        """Existing hosts are where they are."""
