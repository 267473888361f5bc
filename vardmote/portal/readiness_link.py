"""The link a technician opens on the tablet in the patient's home before a meeting: the portal's
readiness page (`/beredskap/`, provisioning/roles/portal/files/web/beredskap/) with the TURN servers to
try and a time-limited TURN credential in its fragment.

The fragment (`#…`) never leaves the browser: no request, log or Referer carries it, so the credential
goes only to the TURN server the page tests. The credential is coturn's REST kind (`use-auth-secret`):
username `<expiry>:<user>`, password base64(HMAC-SHA1(shared secret, username)); coturn refuses it once
the expiry has passed. The shared secret itself is never in the link.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from vardmote.core.secret_variables import NotAVariableName, checked_variable_name
from vardmote.platform.stack_files import load_stack_file
from vardmote.verify.turn_client import rest_credentials

PAGE_PATH = "/beredskap/"
FRAGMENT_VERSION = "1"
# coturn's plain listening port: the edge's turnserver.conf listens on it for UDP (and TCP).
TURN_UDP_PORT = 3478
# Long enough for a working day of home visits from one link; short enough that a link left on a
# tablet or in a mail box stops opening the region's relay within a week.
DEFAULT_VALID_FOR_S = 12 * 3600
MAX_VALID_FOR_S = 7 * 24 * 3600
MIN_VALID_FOR_S = 5 * 60
DEFAULT_USER = "beredskap"
# coturn's REST username is `<expiry>:<user>`; the user part is free text to coturn, kept to a safe
# alphabet here since it is logged by coturn and shown in the page.
USER_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
DURATION_PATTERN = re.compile(r"^(\d+)\s*([smhd])$")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ReadinessLinkError(ValueError):
    """A value the link cannot be made from; the message names it."""


@dataclass(frozen=True)
class ReadinessTargets:
    """Where the page looks: the portal's public name (through the edge) and the TURN relay's."""

    portal_name: str
    turn_name: str
    turn_udp_port: int = TURN_UDP_PORT
    turn_tls_port: int = 443


def parse_duration(text: str) -> int:
    """`30m`, `12h`, `2d` → seconds, within the allowed window."""
    match = DURATION_PATTERN.match(text.strip())
    if match is None:
        raise ReadinessLinkError(f"--valid-for {text!r}: not a duration such as 30m, 12h or 2d")
    seconds = int(match.group(1)) * DURATION_UNITS[match.group(2)]
    if not MIN_VALID_FOR_S <= seconds <= MAX_VALID_FOR_S:
        raise ReadinessLinkError(f"--valid-for {text!r}: must be between 5m and 7d")
    return seconds


def targets_of_stack(project: Path, stack: str) -> ReadinessTargets:
    """The portal's public name, the TURN realm (the name its certificate carries and the edge's port 443
    tells TURN apart by) and TURN's TLS port, as the stack configures them (ProblemsFound for a broken
    stack file)."""
    platform = load_stack_file(project, stack).platform()
    return ReadinessTargets(
        portal_name=platform.portal.public_name,
        turn_name=platform.turn.realm,
        turn_tls_port=platform.turn.tls_port,
    )


def readiness_link(
    targets: ReadinessTargets,
    secret: str,
    *,
    valid_for_s: int = DEFAULT_VALID_FOR_S,
    user: str = DEFAULT_USER,
    now: float | None = None,
) -> str:
    """The page's address with the TURN servers and a credential valid for `valid_for_s` in its fragment."""
    if not secret:
        raise ReadinessLinkError("the TURN shared secret is empty")
    if not USER_PATTERN.match(user):
        raise ReadinessLinkError(f"--user {user!r}: 1-64 letters, digits, dots, dashes or underscores")
    if not MIN_VALID_FOR_S <= valid_for_s <= MAX_VALID_FOR_S:
        raise ReadinessLinkError(f"validity {valid_for_s} s: must be between {MIN_VALID_FOR_S} and {MAX_VALID_FOR_S}")
    username, credential = rest_credentials(secret, user, now if now is not None else time.time(), valid_for_s)
    fragment = urlencode(
        {
            "v": FRAGMENT_VERSION,
            "turn": targets.turn_name,
            "udp": targets.turn_udp_port,
            "tls": targets.turn_tls_port,
            "username": username,
            "credential": credential,
        }
    )
    return f"https://{targets.portal_name}{PAGE_PATH}#{fragment}"


def read_secret(variable: str, secret_file: Path | None, environ: Mapping[str, str] = os.environ) -> str:
    """The shared secret from a file (first line) if one is given, else from the environment variable
    `variable`; never from the command line."""
    if secret_file is not None:
        try:
            lines = secret_file.read_text(encoding="utf-8").splitlines()
        except OSError as err:
            raise ReadinessLinkError(f"--secret-file {secret_file}: {err.strerror or err}") from None
        secret = lines[0].strip() if lines else ""
        if not secret:
            raise ReadinessLinkError(f"--secret-file {secret_file}: the first line is empty")
        return secret
    try:
        checked_variable_name("--secret-env", variable)
    except NotAVariableName as err:
        raise ReadinessLinkError(str(err)) from None
    secret = environ.get(variable, "")
    if not secret:
        raise ReadinessLinkError(f"{variable} is not set: export the TURN shared secret in it, or give --secret-file")
    return secret
