"""iPad kits: a configuration profile (.mobileconfig) with the web client as a full-screen web clip,
restrictions, the cellular APN and a passcode; CMS-signed when a signing certificate is configured."""

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
                "allowSafari": False,
                "allowUIConfigurationProfileInstallation": False,
                "allowEraseContentAndSettings": False,
                "allowAirDrop": False,
                "allowAssistant": False,
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
