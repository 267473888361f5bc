"""Running the checks: pytest in this process, over the stack's inventory, one line per check."""

from __future__ import annotations

import os
from pathlib import Path

from vardmote.verify.model import INVENTORY_ENV

CHECKS_DIR = Path(__file__).resolve().parent


def run_checks(inventory: Path, select: str | None = None) -> int:
    """pytest's exit code: 0 when every check passed, 1 when one failed, other values for usage errors."""
    import pytest  # noqa: PLC0415 - loaded only when checks run

    arguments = [
        str(CHECKS_DIR),
        f"--rootdir={CHECKS_DIR}",
        "--override-ini=testpaths=",
        "--override-ini=python_files=test_*.py",
        "-p",
        "no:cacheprovider",
        # The checks offer TLS 1.0 and 1.1 on purpose, to see them refused.
        "-W",
        "ignore::DeprecationWarning",
        "--tb=line",  # one line per failure: where, and the message that says what is wrong
        # Commands run on the hosts (some carry credentials) are logged by testinfra: never shown.
        "--show-capture=no",
        "-rfEs",
        "-v",  # one line per check: what was verified, not only what failed
    ]
    if select:
        arguments += ["-k", select]
    previous = os.environ.get(INVENTORY_ENV)
    os.environ[INVENTORY_ENV] = str(inventory)
    try:
        return int(pytest.main(arguments))
    finally:
        if previous is None:
            os.environ.pop(INVENTORY_ENV, None)
        else:
            os.environ[INVENTORY_ENV] = previous
