"""responsibilities.yaml: who does what under Alt 1 and Alt 2 (routine 5.1, 5.2.1, 5.2.2)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from vardmote.core.validation import FieldError, StrictModel
from vardmote.region.schema.common import Alternative, Party

DutyId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
RoutineSection = Annotated[str, Field(pattern=r"^\d+(\.\d+)*$", description="Section of the routine, e.g. 5.2.1")]


class PartyInfo(StrictModel):
    """How a party is named in reports."""

    name_sv: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class Parties(StrictModel):
    region: PartyInfo
    municipality: PartyInfo


class ResponsibleParty(StrictModel):
    """The party responsible for a duty under each contract alternative."""

    alt1: Party = Field(description="Alt 1 (routine 5.2.1): the municipality rents the service package")
    alt2: Party = Field(description="Alt 2 (routine 5.2.2): the municipality owns its equipment")

    def under(self, alternative: Alternative) -> Party:
        return self.alt1 if alternative == 1 else self.alt2


class Duty(StrictModel):
    """One line of the routine's responsibility lists."""

    id: DutyId
    name_sv: str = Field(min_length=1, description="The routine's own wording")
    name_en: str = Field(min_length=1)
    kind: Literal["service_package", "operations", "central"] = Field(
        description="service_package: a service of the package (5.1); operations: the care organisation's own "
        "duty; central: the Region's central infrastructure (5.2)"
    )
    routine: list[RoutineSection] = Field(min_length=1, description="Routine sections the duty comes from")
    responsible: ResponsibleParty


class ResponsibilitiesFile(StrictModel):
    """The whole responsibility matrix."""

    parties: Parties
    duties: list[Duty] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_duty_ids(self) -> ResponsibilitiesFile:
        first_index: dict[str, int] = {}
        for index, duty in enumerate(self.duties):
            if duty.id in first_index:
                raise FieldError(
                    ("duties", index, "id"), f"{duty.id!r} is already used by duties[{first_index[duty.id]}]"
                )
            first_index[duty.id] = index
        return self
