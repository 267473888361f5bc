"""invitations/<name>.yaml: the text of a meeting invitation sent through 1177 (routine 4.2.4 step 2)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from vardmote.core.validation import StrictModel


class InvitationTemplate(StrictModel):
    """Title and text stay neutral: no sensitive personal data (routine 4.2.4 a). Placeholders in
    `{{ name }}` form are filled by the portal when a meeting is booked."""

    description: str = Field(min_length=1)
    channel: Literal["1177"] = "1177"
    language: Literal["sv", "en"] = "sv"
    subject: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1)
