"""The offline driver: no MDM service is called. The policy and a one-time enrollment token go into the
kit's enrollment bundle for the technician, for a site MDM to import; a device to wipe gets a work order
in the bundle, and stays "wipe pending" in the registry until the technician confirms the wipe."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from vardmote.kits.bundle import BundleFile, write_bundle
from vardmote.kits.mdm.base import DeviceOutcome, DeviceTarget, Enrollment

# How a technician erases each platform by hand, keeping what makes a lost tablet useless to others.
ERASE_STEPS = {
    "android": [
        "Back up nothing: the kit holds no patient data and must hold none of its last user.",
        "Settings → General management → Reset → Factory data reset → Reset → Delete all.",
        "Reset from Settings, not from recovery mode: after a recovery-mode reset, factory reset "
        "protection lets only the region's recovery accounts set the tablet up again.",
        "If a site MDM imported this kit's bundle, delete the device there as well.",
    ],
    "ipados": [
        "On a supervised iPad: Apple Configurator → select the iPad → Actions → Advanced → Erase All "
        "Content and Settings; or on the iPad: Settings → General → Transfer or Reset iPad → "
        "Erase All Content and Settings.",
        "Activation Lock stays with the region's Apple Business Manager account: only it can set the iPad up again.",
        "If a site MDM installed this kit's profile, delete the device there as well.",
    ],
}


WIPE_ORDERS = "WIPE-*.txt"  # every wipe work order in a bundle, as a glob


def work_order_name(serial: str) -> str:
    return f"WIPE-{serial}.txt"


def work_order(target: DeviceTarget, note: str = "") -> str:
    """The technician's instruction: what to do, to which device, and how to say it is done."""
    lines = [
        f"WIPE WORK ORDER — kit {target.asset_tag}",
        "",
        f"Device:  {target.model}, serial {target.serial}",
        f"Why:     {target.reason or 'the device left the kit'}",
        *([f"Note:    {note}"] if note else []),
        "",
        "Check the serial on the back of the device (or in Settings → About) before you start: wipe",
        f"only the device with serial {target.serial}.",
        "",
        "Do:",
        *(f"  {number}. {step}" for number, step in enumerate(ERASE_STEPS[target.platform], 1)),
        "",
        "Confirm when the device shows its first set-up screen:",
        f"  vardmote kit wipe-done {target.asset_tag} --serial {target.serial}",
        "",
        "Until then the registry shows the device as 'wipe pending'.",
    ]
    return "\n".join(lines) + "\n"


def policy_order_name(serial: str) -> str:
    return f"POLICY-{serial}.txt"


# How a technician gives a tablet its kit's new policy or profile, by platform.
APPLY_STEPS = {
    "android": [
        "In the site MDM, replace the device's policy with amapi-policy.json from this folder (the APN, the "
        "support message and the kiosk of its new municipality).",
    ],
    "ipados": [
        "Apple Configurator → select the iPad → Add → Profiles → vardmote.mobileconfig from this folder. It "
        "has the same identifier as the profile on the iPad and replaces it (APN, restrictions, App Lock).",
    ],
}


def policy_order(target: DeviceTarget, municipality: str, note: str = "") -> str:
    """The technician's instruction after a move: give the tablet its new settings, relabel the kit."""
    was = f" (was {', '.join(target.old_tags)})" if target.old_tags else ""
    lines = [
        f"NEW SETTINGS WORK ORDER — kit {target.asset_tag}{was}",
        "",
        f"Device:  {target.model}, serial {target.serial}",
        f"Why:     the kit now belongs to {municipality}; the tablet still has its old settings",
        *([f"Note:    {note}"] if note else []),
        "",
        "Do:",
        *(f"  {number}. {step}" for number, step in enumerate(APPLY_STEPS[target.platform], 1)),
        f"  {len(APPLY_STEPS[target.platform]) + 1}. Print label.pdf from this folder and stick it over the old label.",
        "",
        "Confirm when done:",
        f"  vardmote kit policy-done {target.asset_tag}",
        "",
        "Until then the registry shows the kit as 'policy pending'.",
    ]
    return "\n".join(lines) + "\n"


class BundleDriver:
    name = "bundle"

    def __init__(self, bundle_dir: Path) -> None:
        self.bundle_dir = bundle_dir

    def apply_policy(self, policy_id: str, policy: dict[str, Any]) -> str:
        return f"bundle/policies/{policy_id}"

    def create_enrollment(self, policy_name: str, token_request: dict[str, Any], asset_tag: str) -> Enrollment:
        token_file = self.bundle_dir / asset_tag / "enrollment-token.txt"
        # A re-run keeps the token the QR code already carries.
        token = token_file.read_text(encoding="utf-8").strip() if token_file.exists() else secrets.token_urlsafe(24)
        fingerprint = hashlib.sha256(token.encode()).hexdigest()[:16]
        return Enrollment(mdm_ref=f"bundle:{asset_tag}:{fingerprint}", enrollment_token=token)

    def wipe(self, target: DeviceTarget, note: str = "") -> DeviceOutcome:
        """Write the device's wipe work order into its kit's bundle; the technician confirms it."""
        folder = self.bundle_dir / target.asset_tag
        name = work_order_name(target.serial)
        write_bundle(folder, [BundleFile(name, work_order(target, note).encode())])
        return DeviceOutcome("ordered", f"work order {folder / name}", files=[name])

    def order_policy(self, target: DeviceTarget, municipality: str, note: str = "") -> DeviceOutcome:
        """Write the work order that gives the tablet the kit's new policy or profile (after a move)."""
        folder = self.bundle_dir / target.asset_tag
        name = policy_order_name(target.serial)
        write_bundle(folder, [BundleFile(name, policy_order(target, municipality, note).encode())])
        return DeviceOutcome("ordered", f"work order {folder / name}", files=[name])
