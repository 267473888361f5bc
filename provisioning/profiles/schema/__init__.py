"""Pydantic schemas, one module per kind of file in device_profiles/."""

from provisioning.profiles.schema.broadband import BroadbandProfile
from provisioning.profiles.schema.device_model import DeviceModel
from provisioning.profiles.schema.invitation import InvitationTemplate
from provisioning.profiles.schema.kiosk import KioskProfile
from provisioning.profiles.schema.kit import KitSpec
from provisioning.profiles.schema.municipality import Municipality
from provisioning.profiles.schema.region import Region
from provisioning.profiles.schema.responsibilities import ResponsibilitiesFile

__all__ = [
    "BroadbandProfile",
    "DeviceModel",
    "InvitationTemplate",
    "KioskProfile",
    "KitSpec",
    "Municipality",
    "Region",
    "ResponsibilitiesFile",
]
