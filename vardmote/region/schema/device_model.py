"""models/<id>.yaml: a tablet model the kits may carry."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from vardmote.core.validation import StrictModel

Platform = Literal["android", "ipados"]


class DeviceModel(StrictModel):
    example_data: bool = Field(description="True while the catalogue is an example, not the procured models")
    manufacturer: str = Field(min_length=1)
    model_name: str = Field(min_length=1)
    platform: Platform
    screen_inches: float = Field(gt=0, description="Screen diagonal in inches")
    min_os_version: Annotated[str, Field(pattern=r"^\d+(\.\d+){0,2}$", description="Oldest OS release we support")]
    cellular: bool = Field(description="Has a SIM slot or eSIM for the kit's mobile broadband")
    rugged_case: str = Field(min_length=1, description="The rugged case procured for this model")
