"""Names the MDM steps and the checks before a run share, in a module light enough for the command to
import before Ansible starts (the steps themselves import every renderer)."""

from __future__ import annotations

from vardmote.region.schema import Municipality

AMAPI_ENTERPRISE_ENV = "VARDMOTE_AMAPI_ENTERPRISE"


def policy_id(municipality: Municipality) -> str:
    """The kit policy's id in the MDM: one per municipality and kiosk profile, shared by its kits."""
    return f"kiosk-{municipality.code}-{municipality.kiosk_profile}"
