"""kiosk/<name>.yaml: how a kit's tablet is locked to the video web client."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from vardmote.core.validation import FieldError, StrictModel
from vardmote.region.schema.common import Email, HttpsUrl

_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
HostName = Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")]


class UpdateWindow(StrictModel):
    """Daily window in local time when the OS may install updates (kits are idle at night)."""

    start: Annotated[str, Field(pattern=_TIME, description="HH:MM")]
    end: Annotated[str, Field(pattern=_TIME, description="HH:MM")]

    def minutes(self) -> tuple[int, int]:
        start_h, start_m = (int(part) for part in self.start.split(":"))
        end_h, end_m = (int(part) for part in self.end.split(":"))
        return start_h * 60 + start_m, end_h * 60 + end_m


class KioskProfile(StrictModel):
    description: str = Field(min_length=1)
    start_url: HttpsUrl = Field(description="The page the kiosk opens and returns to")
    allowed_hosts: list[HostName] = Field(min_length=1, description="The only hosts the kiosk may reach")
    status_bar_visible: bool = Field(default=False, description="Show the status bar (battery, signal)")
    system_navigation: bool = Field(default=False, description="Allow home/overview buttons")
    camera_enforced_on: bool = True
    microphone_enforced_on: bool = True
    screen_capture_disabled: bool = True
    usb_data_disabled: bool = True
    stay_on_while_plugged_in: bool = True
    update_window: UpdateWindow
    recovery_admin_emails: list[Email] = Field(
        min_length=1,
        description="Accounts that may unlock a wiped or locked-out kit (factory reset protection)",
    )
    min_passcode_length: int = Field(default=6, ge=4, le=16)

    @model_validator(mode="after")
    def _start_url_is_allowed(self) -> KioskProfile:
        host = urlsplit(self.start_url).hostname or ""
        if host not in self.allowed_hosts:
            raise FieldError(("start_url",), f"host {host!r} must be one of allowed_hosts")
        return self
