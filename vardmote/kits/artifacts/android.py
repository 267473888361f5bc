"""Android kits: the Android Management API policy, the enrollment-token request, the provisioning QR.

The kiosk runs Chrome in the KIOSK role, managed so that it opens the region's web client and reaches
no other host (Chrome's URLBlocklist/URLAllowlist managed configuration).
"""

from __future__ import annotations

import json
from typing import Any

from vardmote.kits.record import KitRecord
from vardmote.region.schema import BroadbandProfile, KioskProfile, Municipality

KIOSK_BROWSER = "com.android.chrome"
# The Android Device Policy app that enrolls a fully managed device from the QR code (AMAPI's DPC).
DPC_COMPONENT = "com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver"
DPC_SIGNATURE_CHECKSUM = "I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg"
DPC_DOWNLOAD = "https://play.google.com/managed/downloadManagingApp?identifier=setup"
PROTOCOLS = {"IPV4": "IP", "IPV6": "IPV6", "IPV4V6": "IPV4V6"}
ADDITIONAL_DATA_LIMIT = 1024


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def apn_setting(broadband: BroadbandProfile, apn_password: str | None) -> dict[str, Any]:
    setting: dict[str, Any] = {
        "apn": broadband.apn,
        "displayName": broadband.display_name,
        "apnTypes": ["DEFAULT", "SUPL"],
        "authType": broadband.auth_type,
        "numericOperatorId": f"{broadband.mcc}{broadband.mnc}",
        "protocol": PROTOCOLS[broadband.protocol],
        "roamingProtocol": PROTOCOLS[broadband.roaming_protocol],
        "alwaysOnSetting": "ALWAYS_ON",
    }
    if broadband.username:
        setting["username"] = broadband.username
    if apn_password is not None:
        setting["password"] = apn_password
    return setting


def policy(
    kiosk: KioskProfile, broadband: BroadbandProfile, apn_password: str | None, support_line: str
) -> dict[str, Any]:
    """The AMAPI Policy of a kiosk video tablet."""
    blocklist_everything_but = {
        "URLBlocklist": ["*"],
        "URLAllowlist": list(kiosk.allowed_hosts),
        "HomepageLocation": kiosk.start_url,
        "RestoreOnStartup": 4,
        "RestoreOnStartupURLs": [kiosk.start_url],
        "IncognitoModeAvailability": 1,
        "BrowserSignin": 0,
        "PasswordManagerEnabled": False,
    }
    start, end = kiosk.update_window.minutes()
    return {
        "applications": [
            {
                "packageName": KIOSK_BROWSER,
                "installType": "FORCE_INSTALLED",
                "roles": [{"roleType": "KIOSK"}],
                "defaultPermissionPolicy": "GRANT",
                "managedConfiguration": blocklist_everything_but,
            }
        ],
        "kioskCustomization": {
            "statusBar": "SYSTEM_INFO_ONLY" if kiosk.status_bar_visible else "NOTIFICATIONS_AND_SYSTEM_INFO_DISABLED",
            "systemNavigation": "NAVIGATION_ENABLED" if kiosk.system_navigation else "NAVIGATION_DISABLED",
            "powerButtonActions": "POWER_BUTTON_AVAILABLE",
            "deviceSettings": "SETTINGS_ACCESS_BLOCKED",
            "systemErrorWarnings": "ERROR_AND_WARNINGS_MUTED",
        },
        "cameraAccess": "CAMERA_ACCESS_ENFORCED" if kiosk.camera_enforced_on else "CAMERA_ACCESS_USER_CHOICE",
        "microphoneAccess": "MICROPHONE_ACCESS_ENFORCED"
        if kiosk.microphone_enforced_on
        else "MICROPHONE_ACCESS_USER_CHOICE",
        "screenCaptureDisabled": kiosk.screen_capture_disabled,
        "deviceConnectivityManagement": {
            "usbDataAccess": "DISALLOW_USB_DATA_TRANSFER" if kiosk.usb_data_disabled else "ALLOW_USB_DATA_TRANSFER",
            "apnPolicy": {
                "overrideApns": "OVERRIDE_APNS_ENABLED",
                "apnSettings": [apn_setting(broadband, apn_password)],
            },
        },
        "systemUpdate": {"type": "WINDOWED", "startMinutes": start, "endMinutes": end},
        "dataRoamingDisabled": not broadband.data_roaming,
        "mobileNetworksConfigDisabled": True,
        "stayOnPluggedModes": ["AC", "USB", "WIRELESS"] if kiosk.stay_on_while_plugged_in else [],
        # Factory-reset protection: these accounts can bring back a wiped or locked-out kiosk.
        "frpAdminEmails": list(kiosk.recovery_admin_emails),
        "passwordPolicies": [
            {"passwordMinimumLength": kiosk.min_passcode_length, "passwordQuality": "NUMERIC_COMPLEX"}
        ],
        "encryptionPolicy": "ENABLED_WITHOUT_PASSWORD",
        "factoryResetDisabled": True,
        "shortSupportMessage": {"defaultMessage": support_line[:200]},
    }


def additional_data(kit: KitRecord, municipality: Municipality) -> str:
    """What the MDM keeps with the device: the kit's identity, never the patient's."""
    data = json.dumps(
        # The serial tells a replaced kit's old tablet from its new one, which carry the same tag.
        {
            "asset_tag": kit.asset_tag,
            "serial": kit.serial,
            "municipality": municipality.code,
            "alternative": kit.alternative,
        },
        separators=(",", ":"),
    )
    if len(data) > ADDITIONAL_DATA_LIMIT:
        raise ValueError(f"additionalData is {len(data)} characters; AMAPI allows {ADDITIONAL_DATA_LIMIT}")
    return data


def enrollment_token_request(kit: KitRecord, municipality: Municipality, policy_name: str) -> dict[str, Any]:
    return {
        "policyName": policy_name,
        "duration": "604800s",  # a week: time to unpack and enroll the kit
        "oneTimeOnly": True,
        "additionalData": additional_data(kit, municipality),
        "allowPersonalUsage": "PERSONAL_USAGE_DISALLOWED_USERLESS",
    }


def provisioning_payload(
    enrollment_token: str, locale: str = "sv_SE", time_zone: str = "Europe/Stockholm"
) -> dict[str, Any]:
    """The flat JSON a new device reads from the QR code at first boot; it enrolls over mobile data."""
    prefix = "android.app.extra.PROVISIONING_"
    return {
        f"{prefix}DEVICE_ADMIN_COMPONENT_NAME": DPC_COMPONENT,
        f"{prefix}DEVICE_ADMIN_SIGNATURE_CHECKSUM": DPC_SIGNATURE_CHECKSUM,
        f"{prefix}DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION": DPC_DOWNLOAD,
        f"{prefix}ADMIN_EXTRAS_BUNDLE": {
            "com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN": enrollment_token
        },
        f"{prefix}USE_MOBILE_DATA": True,
        f"{prefix}LOCALE": locale,
        f"{prefix}TIME_ZONE": time_zone,
        f"{prefix}SKIP_ENCRYPTION": False,
    }
