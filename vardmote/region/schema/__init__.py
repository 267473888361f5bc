"""Pydantic schemas, one module per kind of file in device_profiles/."""

from vardmote.region.schema.broadband import BroadbandProfile
from vardmote.region.schema.device_model import DeviceModel
from vardmote.region.schema.invitation import InvitationTemplate
from vardmote.region.schema.kiosk import KioskProfile
from vardmote.region.schema.kit import KitSpec
from vardmote.region.schema.municipality import Municipality
from vardmote.region.schema.region import Region
from vardmote.region.schema.responsibilities import ResponsibilitiesFile

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
