"""municipalities/<name>.yaml: one of the county's municipalities and the choices it has made."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from vardmote.core.validation import StrictModel
from vardmote.region.schema.common import Alternative, Kommunkod, ProfileName, SupportContact

MdmDriver = Literal["bundle", "amapi"]


class Municipality(StrictModel):
    example_data: bool = Field(description="True while the alternative and contacts are examples")
    name: str = Field(min_length=1)
    code: Kommunkod
    alternative: Alternative = Field(description="1: rent the package from the Region (5.2.1); 2: own (5.2.2)")
    support_contact: SupportContact
    kiosk_profile: ProfileName = Field(description="A file in kiosk/")
    broadband_profile: ProfileName = Field(description="A file in broadband/")
    mdm_driver: MdmDriver = Field(
        default="bundle", description="bundle: offline enrolment bundle; amapi: Android Management API"
    )
