"""iPad kits: two configuration profiles, CMS-signed when a signing certificate is configured.

- vardmote.mobileconfig: the video client as a full-screen web clip, restrictions, the cellular APN and a
  passcode.
- vardmote-app-lock.mobileconfig: App Lock (single app mode, supervised iPads only) into Safari, where
  the video client runs. It is installed after the technician has opened the video client in Safari:
  App Lock names an app, never a page, and Safari in single app mode reopens the page it had.

Why Safari stays on: Apple's text for Restrictions' allowSafari says that turning it off also prevents
users from opening web clips, and App Lock into Safari needs Safari itself; apple_schema's
combination_problems refuses a profile that breaks either. Roaming: Apple's profile payloads have no
data roaming switch; the profile stops background fetch while roaming and keeps users from changing
the cellular plan, eSIM and apps' cellular data, and the runbook has the technician turn Data Roaming
off at set-up.
"""

from __future__ import annotations

import plistlib
import uuid
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from vardmote.kits.record import KitRecord
from vardmote.region.schema import BroadbandProfile, KioskProfile

IDENTIFIER_ROOT = "se.rvn.vardmote"
# Identifiers follow the iPad (its serial), not the kit's asset tag, which changes when the kit moves:
# a profile with the same PayloadIdentifier replaces the one installed, so the moved kit's new profile
# takes the old one's place instead of sitting beside it. Stable UUIDs: the same iPad and payload always
# get the same PayloadUUID, so re-rendering is a no-op.
NAMESPACE = uuid.UUID("6f1b0c1e-3f3e-4b8e-9c39-1f0b0a7d2e11")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts))).upper()


def _payload(kind: str, kit: KitRecord, name: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "PayloadType": kind,
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{IDENTIFIER_ROOT}.{kit.serial}.{kind}",
        "PayloadUUID": _uuid(kit.serial, kind),
        "PayloadDisplayName": name,
        **body,
    }


def mobileconfig(
    kit: KitRecord, kiosk: KioskProfile, broadband: BroadbandProfile, apn_password: str | None
) -> dict[str, Any]:
    apn: dict[str, Any] = {"Name": broadband.apn}
    if broadband.auth_type in ("PAP", "CHAP"):
        apn["AuthenticationType"] = broadband.auth_type
    elif broadband.auth_type == "PAP_OR_CHAP":
        apn["AuthenticationType"] = "CHAP"
    if broadband.username:
        apn["Username"] = broadband.username
    if apn_password is not None:
        apn["Password"] = apn_password
    payloads = [
        _payload(
            "com.apple.webClip.managed",
            kit,
            "Videomöte",
            {
                "URL": kiosk.start_url,
                "Label": "Videomöte",
                "FullScreen": True,
                "IsRemovable": False,
                "IgnoreManifestScope": False,
            },
        ),
        _payload(
            "com.apple.applicationaccess",
            kit,
            "Begränsningar",
            {
                "allowScreenShot": not kiosk.screen_capture_disabled,
                "allowCamera": True,
                "allowAppInstallation": False,
                "allowAppRemoval": False,
                # On: the web clip opens only with Safari allowed, and App Lock locks the iPad into Safari.
                "allowSafari": True,
                "allowUIConfigurationProfileInstallation": False,
                "allowEraseContentAndSettings": False,
                "allowAirDrop": False,
                "allowAssistant": False,
                # Roaming, as far as a profile reaches: no background traffic abroad, no changing the
                # SIM's plan, the eSIM or which apps may use mobile data.
                "allowGlobalBackgroundFetchWhenRoaming": broadband.data_roaming,
                "allowCellularPlanModification": False,
                "allowESIMModification": False,
                "allowAppCellularDataModification": False,
            },
        ),
        _payload("com.apple.cellular", kit, "Mobilt bredband", {"APNs": [apn]}),
        _payload(
            "com.apple.mobiledevice.passwordpolicy",
            kit,
            "Lösenkod",
            {"forcePIN": True, "minLength": kiosk.min_passcode_length, "allowSimple": False, "maxFailedAttempts": 10},
        ),
    ]
    return {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{IDENTIFIER_ROOT}.{kit.serial}",
        "PayloadUUID": _uuid(kit.serial),
        "PayloadDisplayName": f"Vårdmöte {kit.asset_tag}",
        "PayloadOrganization": "Region Västernorrland",
        "PayloadRemovalDisallowed": True,
        "PayloadContent": payloads,
    }


SAFARI = "com.apple.mobilesafari"


def app_lock(kit: KitRecord, kiosk: KioskProfile) -> dict[str, Any]:
    """The App Lock profile: the iPad stays in Safari, on the video client the technician opened in it.
    Accessibility people may need stays theirs to turn on."""
    payload = _payload(
        "com.apple.app.lock",
        kit,
        "Låst till videomötet",
        {
            "App": {
                "Identifier": SAFARI,
                "Options": {"DisableAutoLock": False, "DisableDeviceRotation": False},
                "UserEnabledOptions": {"VoiceOver": True, "Zoom": True, "InvertColors": True},
            }
        },
    )
    return {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{IDENTIFIER_ROOT}.{kit.serial}.applock",
        "PayloadUUID": _uuid(kit.serial, "applock"),
        "PayloadDisplayName": f"Vårdmöte {kit.asset_tag}: låst till {kiosk.start_url}",
        "PayloadOrganization": "Region Västernorrland",
        "PayloadRemovalDisallowed": True,
        "PayloadContent": [payload],
    }


def render(profile: dict[str, Any]) -> bytes:
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML, sort_keys=True)


def sign(data: bytes, certificate_pem: Path, key_pem: Path) -> bytes:
    """CMS signed-data (DER, content included) as iOS expects a signed profile."""
    certificate = x509.load_pem_x509_certificate(certificate_pem.read_bytes())
    key = serialization.load_pem_private_key(key_pem.read_bytes(), password=None)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(certificate, key, hashes.SHA256())  # type: ignore[arg-type]
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
