"""The portal's meeting readiness page (`/beredskap/`) run in headless Chromium as the technician runs
it: open the link, press start, wait for the verdict, return what the page exposes
(`window.vardmoteReadiness`: done, verdict, checks).

Run inside a home network namespace to see what a patient's home sees:

    ip netns exec HOME .venv/bin/python -m vardmote.verify.readiness_page --ca CA.pem < link.txt

The link comes on stdin (it holds a TURN credential: never a command-line argument); the result is
printed as JSON, and the exit status is 0 for green, 1 for amber, 2 for red, 3 when the page did not run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium.common.exceptions import WebDriverException

from vardmote.verify.chromium import BrowserMissing, chromium

PAGE_DONE_TIMEOUT_S = 90
EXIT_BY_LEVEL = {"green": 0, "amber": 1, "red": 2}
EXIT_NOT_RUN = 3


class ReadinessPageError(RuntimeError):
    """The page did not load, or gave no verdict in time."""


def run_readiness_page(
    link: str,
    ca_file: Path,
    *,
    after_load: Callable[[], None] | None = None,
    timeout_s: float = PAGE_DONE_TIMEOUT_S,
) -> dict[str, Any]:
    """Open `link`, call `after_load` once the page is there (a test blocks the network then), press
    start and return the page's results once it is done."""
    with chromium(ca_file) as browser:
        browser.get(link)
        ready = browser.execute_script(
            "return !!window.vardmoteReadiness && !document.getElementById('start').disabled"
        )
        if not ready:
            raise ReadinessPageError(f"the readiness page did not load (title {browser.title!r})")
        if after_load is not None:
            after_load()
        browser.find_element("id", "start").click()
        deadline = time.monotonic() + timeout_s
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = browser.execute_script("return window.vardmoteReadiness")
            if state["done"]:
                shown = browser.find_element("id", "verdict").get_attribute("data-level")
                if shown != state["verdict"]["level"]:
                    raise ReadinessPageError(f"the page shows {shown} but exposes {state['verdict']['level']}")
                return state
            time.sleep(0.5)
        raise ReadinessPageError(f"the readiness page gave no verdict within {timeout_s:.0f} s")


PAGE_LOADED = "page loaded; press Enter to start the checks"


def _wait_for_go() -> None:
    print(PAGE_LOADED, file=sys.stderr, flush=True)
    sys.stdin.readline()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vardmote.verify.readiness_page",
        description="Run the readiness page of a link read from stdin in headless Chromium; print its results.",
    )
    parser.add_argument("--ca", type=Path, required=True, help="PEM file of the CA the portal and TURN are signed by")
    parser.add_argument("--timeout", type=float, default=PAGE_DONE_TIMEOUT_S, help="seconds to wait for the verdict")
    parser.add_argument(
        "--wait-before-start",
        action="store_true",
        help="once the page has loaded, say so on stderr and press start only when a second line comes on "
        "stdin (the lab cycle cuts the home's connection in between)",
    )
    arguments = parser.parse_args(argv)
    link = sys.stdin.readline().strip()
    if not link.startswith("https://") or "#" not in link:
        print("error: stdin: expected the readiness link (https://…/beredskap/#…)", file=sys.stderr)
        return EXIT_NOT_RUN
    if not arguments.ca.is_file():
        print(f"error: --ca {arguments.ca}: no such file", file=sys.stderr)
        return EXIT_NOT_RUN
    try:
        state = run_readiness_page(
            link,
            arguments.ca,
            after_load=_wait_for_go if arguments.wait_before_start else None,
            timeout_s=arguments.timeout,
        )
    except (ReadinessPageError, BrowserMissing, WebDriverException) as err:
        print(f"error: {str(err).splitlines()[0]}", file=sys.stderr)
        return EXIT_NOT_RUN
    print(json.dumps(state, ensure_ascii=False, indent=2))
    verdict = state["verdict"]
    print(f"{verdict['level']}: {verdict['title']}", file=sys.stderr)
    for reason in verdict["reasons"]:
        print(f"  {reason}", file=sys.stderr)
    return EXIT_BY_LEVEL.get(verdict["level"], EXIT_NOT_RUN)


if __name__ == "__main__":
    sys.exit(main())
