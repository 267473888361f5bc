"""broadband/<name>.yaml: the mobile-broadband (APN) settings a kit's SIM uses."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from vardmote.core.validation import FieldError, StrictModel
from vardmote.region.schema.common import Party, SecretRef

AuthType = Literal["NONE", "PAP", "CHAP", "PAP_OR_CHAP"]
IpProtocol = Literal["IPV4", "IPV6", "IPV4V6"]

_INLINE_CREDENTIAL_KEYS = ("password", "secret", "token", "passphrase")


class BroadbandProfile(StrictModel):
    description: str = Field(min_length=1)
    contract_holder: Party = Field(description="Who holds the subscription: must match the matrix")
    operator: str = Field(min_length=1)
    mcc: Annotated[str, Field(pattern=r"^\d{3}$", description='Mobile country code, "240" for Sweden')]
    mnc: Annotated[str, Field(pattern=r"^\d{2,3}$", description="Mobile network code, as a quoted string")]
    apn: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$")]
    display_name: str = Field(min_length=1)
    auth_type: AuthType = "NONE"
    username: str | None = None
    password_secret: SecretRef | None = Field(default=None, description="Where the APN password is resolved")
    protocol: IpProtocol = "IPV4V6"
    roaming_protocol: IpProtocol = "IPV4V6"
    data_roaming: bool = Field(default=False, description="Kits stay in Sweden; roaming stays off")

    @model_validator(mode="before")
    @classmethod
    def _no_inline_credentials(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key in _INLINE_CREDENTIAL_KEYS:
                    raise FieldError(
                        (key,),
                        "credentials are never written in profiles; "
                        "name a secret instead, e.g. password_secret: {env: VARDMOTE_APN_PASSWORD}",
                    )
        return data

    @model_validator(mode="after")
    def _credentials_match_auth(self) -> BroadbandProfile:
        if self.auth_type != "NONE" and (self.username is None or self.password_secret is None):
            missing = "username" if self.username is None else "password_secret"
            raise FieldError((missing,), f"required when auth_type is {self.auth_type}")
        if self.auth_type == "NONE" and self.password_secret is not None:
            raise FieldError(("password_secret",), "set, but auth_type is NONE")
        return self
