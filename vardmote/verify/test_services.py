"""Each host runs its role's services and listens on its intended ports only."""

from __future__ import annotations

import ipaddress

from testinfra.host import Host

from vardmote.verify.model import VerifyHost


def test_services_are_running_and_enabled(target: VerifyHost, remote: Host) -> None:
    problems = []
    for name in target.expect.services:
        service = remote.service(name)
        if not service.is_running:
            problems.append(f"{name} is not running")
        elif not service.is_enabled:
            problems.append(f"{name} does not start at boot")
    assert not problems, f"{target.name}: " + "; ".join(problems)


def _reachable_listeners(remote: Host) -> set[str]:
    """`proto/port` of every socket listening on an address other hosts can reach (loopback is not)."""
    found = set()
    for socket_url in remote.socket.get_listening_sockets():
        proto, _, rest = socket_url.partition("://")
        if proto not in ("tcp", "udp"):
            continue
        address, _, port = rest.rpartition(":")
        if ipaddress.ip_address(address).is_loopback:
            continue
        found.add(f"{proto}/{port}")
    return found


def _intended(listener: str, table: list[str]) -> bool:
    proto, port = listener.split("/")
    for entry in table:
        entry_proto, ports = entry.split("/")
        first, _, last = ports.partition("-")
        if proto == entry_proto and int(first) <= int(port) <= int(last or first):
            return True
    return False


def test_listens_only_on_intended_ports(target: VerifyHost, remote: Host) -> None:
    found = _reachable_listeners(remote)
    unexpected = sorted(listener for listener in found if not _intended(listener, target.expect.listening))
    # A range (the TURN relay ports) need not be in use; a single port must be listening.
    missing = sorted(entry for entry in target.expect.listening if "-" not in entry and entry not in found)
    assert not unexpected, f"{target.name}: " + "; ".join(
        f"listens on {port}, which is not in the port table" for port in unexpected
    )
    assert not missing, f"{target.name}: " + "; ".join(f"does not listen on {port}" for port in missing)
