"""The firewall, probed from another lab host: intended ports answer, everything else is dropped."""

from __future__ import annotations

from testinfra.host import Host

from vardmote.verify.conftest import connection, in_group
from vardmote.verify.model import VerifyHost
from vardmote.verify.probes import tcp_outcomes, udp_sip_outcome


def test_ports_not_in_the_port_table_are_dropped(target: VerifyHost, prober: tuple[VerifyHost, Host]) -> None:
    source, probe = prober
    outcomes = tcp_outcomes(probe, target.address, target.expect.closed_tcp)
    answered = {port: outcome for port, outcome in outcomes.items() if outcome != "dropped"}
    assert not answered, (
        f"{target.name}: the firewall must drop these TCP ports from {source.name} ({source.address}), but "
        + ", ".join(f"{port} was {outcome}" for port, outcome in sorted(answered.items()))
    )


def test_intended_ports_answer_from_other_hosts(target: VerifyHost, prober: tuple[VerifyHost, Host]) -> None:
    if not target.expect.open_tcp:
        return
    source, probe = prober
    outcomes = tcp_outcomes(probe, target.address, target.expect.open_tcp)
    closed = {port: outcome for port, outcome in outcomes.items() if outcome != "open"}
    assert not closed, f"{target.name}: from {source.name}, " + ", ".join(
        f"TCP {port} was {outcome} (must be open)" for port, outcome in sorted(closed.items())
    )


def test_restricted_ports_answer_only_their_groups(target: VerifyHost, prober: tuple[VerifyHost, Host]) -> None:
    source, probe = prober
    for port_text, groups in target.expect.open_tcp_from.items():
        port = int(port_text)
        outcome = tcp_outcomes(probe, target.address, [port])[port]
        assert outcome == "dropped", (
            f"{target.name}: TCP {port} is for {', '.join(groups)} only, but from {source.name} it was {outcome}"
        )
        for allowed in (host for group in groups for host in in_group(group)):
            outcome = tcp_outcomes(connection(allowed.name), target.address, [port])[port]
            assert outcome == "open", f"{target.name}: TCP {port} from {allowed.name} was {outcome} (must be open)"


def test_sip_over_udp_gets_no_answer(target: VerifyHost, prober: tuple[VerifyHost, Host]) -> None:
    source, probe = prober
    for port in target.expect.closed_udp:
        outcome = udp_sip_outcome(probe, target.address, port)
        assert outcome == "dropped", (
            f"{target.name}: SIP over UDP {port} from {source.name} must get no answer, but it was {outcome}"
        )
