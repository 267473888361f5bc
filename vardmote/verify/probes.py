"""Probes run on one lab host against another: what a packet from inside the platform's networks meets."""

from __future__ import annotations

import json
import shlex

from testinfra.host import Host

PROBE_TIMEOUT_S = 2.0

# Runs on the probing host with its own python3: one TCP connect per port, all at once, answered as
# open, refused (a host or firewall answered with a reset) or dropped (no answer in time).
_TCP_PROBE = """
import json, socket, sys, threading
address, ports, timeout = sys.argv[1], [int(p) for p in sys.argv[2].split(",")], float(sys.argv[3])
outcome = {}
def probe(port):
    sock = socket.socket()
    sock.settimeout(timeout)
    try:
        sock.connect((address, port))
        outcome[port] = "open"
    except socket.timeout:
        outcome[port] = "dropped"
    except ConnectionRefusedError:
        outcome[port] = "refused"
    except OSError as err:
        outcome[port] = "error: %s" % err
    finally:
        sock.close()
threads = [threading.Thread(target=probe, args=(port,)) for port in ports]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(outcome))
"""

# A SIP OPTIONS over UDP: any answer at all means the port is reachable.
_UDP_SIP_PROBE = """
import socket, sys
address, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(timeout)
sock.connect((address, port))
local = sock.getsockname()
sock.send((
    "OPTIONS sip:%s:%d SIP/2.0\\r\\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bKverify;rport\\r\\n"
    "Max-Forwards: 70\\r\\nFrom: <sip:verify@vardmote.invalid>;tag=verify\\r\\nTo: <sip:%s>\\r\\n"
    "Call-ID: verify-udp\\r\\nCSeq: 1 OPTIONS\\r\\nContent-Length: 0\\r\\n\\r\\n"
    % (address, port, local[0], local[1], address)
).encode())
try:
    print("answered: " + sock.recv(2048).decode(errors="replace").splitlines()[0])
except socket.timeout:
    print("dropped")
except ConnectionRefusedError:
    print("refused")
"""


def _run_probe(prober: Host, kind: str, script: str, *arguments: object) -> str:
    """Run a probe `script` with the probing host's python3; its standard output."""
    result = prober.run(" ".join(["python3", "-c", shlex.quote(script), *map(str, arguments)]))
    if result.rc != 0:
        raise RuntimeError(f"the {kind} probe failed on the probing host: {result.stderr.strip()}")
    return str(result.stdout).strip()


def tcp_outcomes(prober: Host, address: str, ports: list[int]) -> dict[int, str]:
    said = _run_probe(prober, "TCP", _TCP_PROBE, address, ",".join(map(str, ports)), PROBE_TIMEOUT_S)
    return {int(port): outcome for port, outcome in json.loads(said).items()}


def udp_sip_outcome(prober: Host, address: str, port: int) -> str:
    return _run_probe(prober, "UDP", _UDP_SIP_PROBE, address, port, PROBE_TIMEOUT_S)
