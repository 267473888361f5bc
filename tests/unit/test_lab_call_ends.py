"""The far ends of the lab's phone calls (vardmote/lab/call_ends.py): where they run and what they are given."""

from __future__ import annotations

from pathlib import Path

from vardmote.lab import call_ends, internet
from vardmote.lab.hosts import hosts_from_outputs, lab_stack
from vardmote.lab.layout import LabLayout
from vardmote.platform.stack_files import project_dir


def test_the_operator_plays_the_trunk_and_each_conferencing_host_a_room(tmp_path: Path) -> None:
    outputs, platform = lab_stack(project_dir())
    hosts = hosts_from_outputs(outputs)
    layout = LabLayout(lab_dir=tmp_path, image_cache=tmp_path / "cache", mirror="http://deb.debian.org/debian")
    certificates = {
        host.name: {
            "vardmote_tls_certificate_file": f"/c/{host.name}.pem",
            "vardmote_tls_key_file": f"/c/{host.name}.key",
        }
        for host in hosts
    }
    operator, *rooms = call_ends.planned(layout, hosts, platform, certificates, "trunk-secret")
    assert (operator.host, operator.name, operator.port) == (internet.OPERATOR, "trunk-end", 5061)
    argv = list(operator.argv)
    assert argv[:3] == ["vardmote.verify.sip", "serve", "operator"]
    assert argv[argv.index("--gateway") + 1] == "10.231.0.203:5061"
    assert argv[argv.index("--username") + 1] == "lab"
    assert argv[argv.index("--realm") + 1] == "trunk.lab.vardmote.example"
    # The password is in its environment only: never on a command line.
    assert "trunk-secret" not in " ".join(argv)
    assert dict(operator.environment) == {"VARDMOTE_SIP_TRUNK_PASSWORD": "trunk-secret"}
    assert (tmp_path / "ca" / "operator.pem").is_file()  # a certificate for the trunk's name, from the lab's CA
    assert [(room.host.name, room.name) for room in rooms] == [("lab-conf-01", "room-end")]
    room_argv = list(rooms[0].argv)
    assert room_argv[room_argv.index("--certificate") + 1] == "/c/lab-conf-01.pem"
    assert 40000 <= int(room_argv[room_argv.index("--media-port") + 1]) <= 49999  # the node's media range


def test_a_stack_without_a_trunk_has_no_phone_ends(tmp_path: Path) -> None:
    outputs, platform = lab_stack(project_dir())
    assert platform.gateway is not None
    without = platform.model_copy(update={"gateway": platform.gateway.model_copy(update={"sip_trunk": None})})
    layout = LabLayout(lab_dir=tmp_path, image_cache=tmp_path, mirror="")
    assert call_ends.planned(layout, hosts_from_outputs(outputs), without, {}, "x") == []
