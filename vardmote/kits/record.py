"""A kit as the registry exports it: one JSON object per kit (`vardmote kit list --format json`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import Field

from vardmote.core.validation import StrictModel
from vardmote.region.schema.common import Alternative, Kommunkod, Party

KitStatus = Literal["registered", "enrolled", "in_repair", "rma", "retired"]
KIT_STATUSES: tuple[str, ...] = get_args(KitStatus)
AssetTag = Annotated[str, Field(pattern=r"^[A-Z]{2,5}-\d{4}-\d{5}$", description="e.g. RVN-2281-00042")]


class KitRecord(StrictModel):
    asset_tag: AssetTag
    serial: str = Field(min_length=1)
    municipality_code: Kommunkod
    alternative: Alternative = Field(description="The municipality's alternative when the kit was (re)tagged")
    model: str = Field(min_length=1, description="A device model id (models/<id>.yaml)")
    imei: str | None = None
    iccid: str | None = None
    status: KitStatus
    support_party: Party = Field(description="Whom the kit's support label sends people to")
    contents: list[str] = Field(description="Component ids of kit.yaml packed with this kit")
    mdm_driver: str | None = None
    mdm_ref: str | None = Field(default=None, description="The MDM's reference (never the identity of the kit)")
    mdm_device: str | None = Field(default=None, description="The device's own name in its MDM, once enrolled")

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> KitRecord:
        """The record among a kit's fields, leaving what else the mapping carries (a task's `work_left`, a
        registry row's lease)."""
        return cls.model_validate({name: value for name, value in fields.items() if name in cls.model_fields})
