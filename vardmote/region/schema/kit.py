"""kit.yaml: the service package of routine 5.1, its components and included services."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from vardmote.core.validation import FieldError, StrictModel
from vardmote.region.schema.responsibilities import DutyId

TABLET_COMPONENT = "tablet"


class ComponentConstraints(StrictModel):
    min_screen_inches: float | None = Field(default=None, gt=0, description="Smallest screen diagonal allowed")
    rugged_case: bool = Field(default=False, description="Must come in a rugged (robust) case")


class Component(StrictModel):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name_sv: str = Field(min_length=1, description="The routine's own wording")
    name_en: str = Field(min_length=1)
    quantity: int = Field(default=1, ge=1)
    constraints: ComponentConstraints = ComponentConstraints()


class KitSpec(StrictModel):
    name_sv: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    components: list[Component] = Field(min_length=1)
    included_services: list[DutyId] = Field(min_length=1, description="Duties of the matrix the package includes")
    operational_requirements: list[DutyId] = Field(
        default_factory=list, description="Duties the care organisation needs besides the package"
    )

    @model_validator(mode="after")
    def _has_constrained_tablet(self) -> KitSpec:
        first_index: dict[str, int] = {}
        for index, component in enumerate(self.components):
            if component.id in first_index:
                raise FieldError(
                    ("components", index, "id"),
                    f"{component.id!r} is already used by components[{first_index[component.id]}]",
                )
            first_index[component.id] = index
        tablet = self.tablet
        if tablet is None:
            raise FieldError(("components",), f"needs a component with id {TABLET_COMPONENT!r}")
        if tablet.constraints.min_screen_inches is None:
            index = first_index[TABLET_COMPONENT]
            raise FieldError(("components", index, "constraints", "min_screen_inches"), "required for the tablet")
        return self

    @property
    def tablet(self) -> Component | None:
        return next((c for c in self.components if c.id == TABLET_COMPONENT), None)

    @property
    def min_screen_inches(self) -> float:
        tablet = self.tablet
        # Both are checked on validation; the asserts narrow the types.
        assert tablet is not None
        assert tablet.constraints.min_screen_inches is not None
        return tablet.constraints.min_screen_inches
