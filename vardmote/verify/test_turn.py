"""TURN: over UDP with coturn's own client (turnutils_uclient, on the relay host), an allocation succeeds
with REST credentials and fails without them, and relays reach the conferencing networks and no other
internal range; over TLS, on coturn's port and on 443 beside HTTPS, an allocation from this machine
succeeds with the certificate verified and fails without credentials."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from vardmote.verify.conftest import connection, in_group
from vardmote.verify.model import VerifyHost
from vardmote.verify.turn_client import TurnError, allocate_over_tls

UCLIENT_TIMEOUT_S = 30


def _allocate(relay: VerifyHost, secret: str, peer: str) -> tuple[int, str]:
    """Allocate on the relay with REST credentials from `secret`, then send one packet to `peer`."""
    command = (
        f"timeout {UCLIENT_TIMEOUT_S} turnutils_uclient -W {shlex.quote(secret)} -u vardmote-verify "
        f"-e {shlex.quote(peer)} -n 1 -c -X {relay.address}"
    )
    result = connection(relay.name).run(command)
    said = [line for line in (result.stdout + result.stderr).splitlines() if "ERROR" in line or "error" in line]
    return result.rc, (said[-1].strip() if said else "")


def _conferencing_peer() -> str:
    peers = in_group("conferencing_lab")
    if not peers:
        pytest.skip("no conferencing host to relay to")
    return peers[0].address


@pytest.mark.parametrize("relay", in_group("edge"), ids=lambda host: host.name)
def test_allocation_succeeds_with_credentials(relay: VerifyHost) -> None:
    rc, said = _allocate(relay, str(relay.var("edge_turn_shared_secret")), _conferencing_peer())
    assert rc == 0, f"{relay.name}: TURN allocation with valid REST credentials failed (exit {rc}) {said}"


def _turn_over_tls() -> list[tuple[VerifyHost, int]]:
    return [(relay, port) for relay in in_group("edge") for port in relay.expect.turn_tls]


@pytest.mark.parametrize(("relay", "port"), _turn_over_tls(), ids=lambda value: getattr(value, "name", str(value)))
def test_allocation_succeeds_over_tls(relay: VerifyHost, port: int) -> None:
    """443 too, from this machine as from a home network that lets only 443 out, beside HTTPS there."""
    try:
        relayed = allocate_over_tls(
            relay.address,
            port,
            server_name=str(relay.var("vardmote_turn_realm")),
            ca_file=Path(relay.var("vardmote_tls_ca_file")),
            secret=str(relay.var("edge_turn_shared_secret")),
            user="vardmote-verify",
        )
    except TurnError as err:
        pytest.fail(f"{relay.name}:{port}: TURN over TLS: {err}")
    # Behind static NAT the relay announces its public address (coturn's external-ip), else its own.
    announced = relay.variables.get("vardmote_public_address") or relay.address
    assert relayed.split(":")[0] == announced, f"{relay.name}:{port}: relayed at {relayed}, not at {announced}"


@pytest.mark.parametrize(("relay", "port"), _turn_over_tls(), ids=lambda value: getattr(value, "name", str(value)))
def test_allocation_over_tls_fails_without_credentials(relay: VerifyHost, port: int) -> None:
    with pytest.raises(TurnError, match="refused: 401"):
        allocate_over_tls(
            relay.address,
            port,
            server_name=str(relay.var("vardmote_turn_realm")),
            ca_file=Path(relay.var("vardmote_tls_ca_file")),
            secret="not-the-shared-secret-of-this-relay",
            user="vardmote-verify",
        )


@pytest.mark.parametrize("relay", in_group("edge"), ids=lambda host: host.name)
def test_allocation_fails_without_credentials(relay: VerifyHost) -> None:
    rc, said = _allocate(relay, "not-the-shared-secret-of-this-relay", _conferencing_peer())
    assert rc != 0, f"{relay.name}: TURN allocated a relay for credentials made with a wrong secret"
    assert "Cannot complete Allocation" in said, f"{relay.name}: expected a refused allocation, got: {said}"


@pytest.mark.parametrize("relay", in_group("edge"), ids=lambda host: host.name)
def test_relay_to_other_internal_ranges_is_forbidden(relay: VerifyHost) -> None:
    others = in_group("portal") + in_group("gateway")
    if not others:
        pytest.skip("no internal host outside the conferencing networks")
    rc, said = _allocate(relay, str(relay.var("edge_turn_shared_secret")), others[0].address)
    forbidden = (
        f"{relay.name}: a relay to {others[0].name} ({others[0].address}) was allowed; "
        "only the conferencing networks may be reached"
    )
    assert rc != 0, forbidden
    assert "403" in said, f"{forbidden} ({said})"
