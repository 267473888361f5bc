"""The address plan's public side: which addresses count as reachable from a patient's home."""

from __future__ import annotations

import netaddr

from tests.conftest import REPO_ROOT
from vardmote.platform.address_plan import NOT_GLOBAL
from vardmote.platform.stack_files import load_stack_file


def test_every_range_the_plan_refuses_is_one_ianas_registry_calls_not_globally_routable() -> None:
    """netaddr carries IANA's special-purpose registry: the plan's named ranges must agree with it, at
    both ends of each range (multicast has a registry of its own: no host address at all)."""
    for network, what in NOT_GLOBAL:
        for address in (network[0], network[-1]):
            assert not address.is_global() or address.is_multicast(), (str(network), what, str(address))


def test_the_placeholder_public_addresses_of_the_committed_stacks_are_globally_routable() -> None:
    for stack in ("rvn-test", "rvn-prod"):
        plan = load_stack_file(REPO_ROOT, stack).platform().address_plan()
        public = [netaddr.IPAddress(h.public_address) for h in plan.hosts if h.public_address is not None]
        assert public, stack
        assert all(address.is_global() for address in public), stack
        assert {h.role for h in plan.hosts if h.public_address is not None} == {"edge", "turn"}
