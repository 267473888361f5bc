"""Who is responsible for what, for whom: derived from responsibilities.yaml, never hard-coded."""

from __future__ import annotations

from dataclasses import dataclass

from vardmote.region.schema import Municipality, Region, ResponsibilitiesFile
from vardmote.region.schema.common import Alternative, Party, SupportContact
from vardmote.region.schema.responsibilities import Duty

# Duties the code acts on by name: the kit's SIM follows the broadband duty, and the support
# label names whoever carries the support-and-replacement duty.
BROADBAND_DUTY = "mobile_broadband"
SUPPORT_DUTY = "support_replacement"
DUTIES_THE_CODE_USES = (BROADBAND_DUTY, SUPPORT_DUTY)


@dataclass(frozen=True)
class Assignment:
    """One duty, the party that carries it for one municipality, and whom to contact about it."""

    duty: Duty
    party: Party
    party_name: str
    contact: SupportContact


class ResponsibilityMatrix:
    """The routine's 5.2 matrix as a lookup: duty × alternative → party."""

    def __init__(self, responsibilities: ResponsibilitiesFile, region: Region) -> None:
        self._file = responsibilities
        self._region = region
        self._duties = {duty.id: duty for duty in responsibilities.duties}

    @property
    def duties(self) -> list[Duty]:
        return list(self._file.duties)

    def duty(self, duty_id: str) -> Duty:
        try:
            return self._duties[duty_id]
        except KeyError:
            raise LookupError(f"unknown duty {duty_id!r}; known: {', '.join(self._duties)}") from None

    def responsible(self, duty_id: str, alternative: Alternative) -> Party:
        """The party carrying `duty_id` for a municipality that chose `alternative`."""
        return self.duty(duty_id).responsible.under(alternative)

    def party_name(self, party: Party, municipality: Municipality | None = None) -> str:
        """The party's name; for the municipality, the municipality's own name when one is given."""
        if party == "municipality" and municipality is not None:
            return municipality.name
        parties = self._file.parties
        return (parties.region if party == "region" else parties.municipality).name_sv

    def contact(self, party: Party, municipality: Municipality) -> SupportContact:
        return self._region.support_desk if party == "region" else municipality.support_contact

    def for_municipality(self, municipality: Municipality) -> list[Assignment]:
        """Every duty with the party that carries it for `municipality`, in the matrix's order."""
        assignments = []
        for duty in self._file.duties:
            party = self.responsible(duty.id, municipality.alternative)
            assignments.append(
                Assignment(duty, party, self.party_name(party, municipality), self.contact(party, municipality))
            )
        return assignments

    def support_contact(self, municipality: Municipality) -> SupportContact:
        """Whom the technician and the care worker call about a broken kit of `municipality`."""
        return self.contact(self.responsible(SUPPORT_DUTY, municipality.alternative), municipality)
