"""region.yaml: the Region, its support desk and the central services it provides under both alternatives."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from vardmote.core.validation import StrictModel
from vardmote.region.schema.common import HttpsUrl, SupportContact
from vardmote.region.schema.responsibilities import DutyId


class VideoService(StrictModel):
    """The region's self-hosted video service (routine 4.2.2) as the kits and invitations reach it."""

    web_client_url: HttpsUrl = Field(description="Web client the kits and every participant join by (4.2.4 step 3)")
    portal_url: HttpsUrl = Field(description="Video portal where rooms are booked (4.2.4 step 1)")


class Region(StrictModel):
    example_data: bool = Field(description="True while contact data and URLs are examples, not the real ones")
    name: str = Field(min_length=1)
    short_name: Annotated[str, Field(pattern=r"^[A-Z]{2,5}$", description="Prefix of asset tags, e.g. RVN")]
    county_code: Annotated[str, Field(pattern=r"^\d{2}$", description='Länskod, e.g. "22"')]
    support_desk: SupportContact
    video_service: VideoService
    central_services: list[DutyId] = Field(
        min_length=1,
        description="Duties of the matrix the Region carries under both alternatives (routine 5.2)",
    )
