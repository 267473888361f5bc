"""Headless Chromium as a patient's or a technician's browser: Debian's `chromium`, driven by Selenium
through Debian's `chromedriver` (the same build, so the two always agree on the protocol).

The browser trusts exactly the CA it is given, as a tablet trusts the region's: the CA goes into a
throwaway NSS database (Chromium's certificate store on Linux) under a temporary home, so TLS is
verified as it is for a real user, names included, and nothing of it outlives the browser. The camera
and microphone are Chromium's fake devices (a test pattern and a beep), and permission prompts are
answered yes, as the technician does on the tablet. No Google service is contacted.

Run inside a network namespace (`ip netns exec NS python -m …`), the browser, its driver and the
driver's loopback port all live in that namespace: the browser sees the network a patient's home does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CERTUTIL = "certutil"
PAGE_LOAD_TIMEOUT_S = 30
SCRIPT_TIMEOUT_S = 60

# Quiet, repeatable and offline: nothing the browser does on its own reaches any network.
_QUIET_FLAGS = (
    "--headless=new",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-features=MediaRouter,OptimizationHints,Translate",
    "--metrics-recording-only",
    "--password-store=basic",
)
_MEDIA_FLAGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")


class BrowserMissing(RuntimeError):
    """Chromium, its driver or NSS's certutil is not installed."""


def missing_tools() -> list[str]:
    """The Debian packages this module needs and the machine lacks."""
    wanted = {"chromium": CHROMIUM, "chromium-driver": CHROMEDRIVER}
    missing = [package for package, path in wanted.items() if not path.exists()]
    if shutil.which(CERTUTIL) is None:
        missing.append("libnss3-tools")
    return missing


def _trust(home: Path, ca_file: Path) -> None:
    database = home / ".pki" / "nssdb"
    database.mkdir(parents=True)
    subprocess.run([CERTUTIL, "-N", "-d", f"sql:{database}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        [CERTUTIL, "-A", "-d", f"sql:{database}", "-n", "vardmote-trusted-ca", "-t", "C,,", "-i", str(ca_file)],
        check=True,
        capture_output=True,
    )


@contextmanager
def chromium(trusted_ca: Path | None = None, *, extra_flags: tuple[str, ...] = ()) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with fake camera and microphone that trusts `trusted_ca` (and only the roots
    Chromium ships), closed and its temporary home removed on leaving."""
    missing = missing_tools()
    if missing:
        raise BrowserMissing(f"the browser needs the Debian packages {', '.join(missing)} (apt-get install them)")
    with tempfile.TemporaryDirectory(prefix="vardmote-chromium-") as folder:
        home = Path(folder)
        if trusted_ca is not None:
            _trust(home, trusted_ca)
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*_QUIET_FLAGS, *_MEDIA_FLAGS, f"--user-data-dir={home / 'profile'}", *extra_flags):
            options.add_argument(flag)
        if os.geteuid() == 0:
            # Chromium's sandbox refuses to run as root; the lab's probes run as root.
            options.add_argument("--no-sandbox")
        service = Service(executable_path=str(CHROMEDRIVER), env={**os.environ, "HOME": str(home)})
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
            driver.set_script_timeout(SCRIPT_TIMEOUT_S)
            yield driver
        finally:
            driver.quit()
