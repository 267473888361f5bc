"""The checks' reference values (settings.yaml), validated once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, model_validator

from vardmote.core.project_files import project_folder
from vardmote.core.sourced_yaml import load_sourced_yaml
from vardmote.core.validation import FieldError, StrictModel, validate_document

SETTINGS_FILE = project_folder("policies") / "settings.yaml"


class Range(StrictModel):
    min: int = Field(ge=0)
    max: int = Field(ge=1)


class SelfHostedState(StrictModel):
    backend_schemes: list[str]
    forbidden_backend_hosts: list[str]
    s3_requires_endpoint: bool
    secrets_providers: list[str]


class GuestIdentity(StrictModel):
    min_level_of_assurance: int
    methods: list[str]


class HealthWords(StrictModel):
    roots: list[str] = Field(min_length=1, description="Found anywhere in a word: inflections and compounds")
    words: list[str] = Field(default_factory=list, description="Short words, matched by their stem")
    abbreviations: list[str] = Field(default_factory=list, description="Matched in capitals only")
    ambiguous: list[str] = Field(default_factory=list, description="Roots not flagged as the bare word")
    neutral_phrases: list[str] = Field(default_factory=list)
    neutral_words: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _lowercase_roots(self) -> HealthWords:
        # Words are matched in lower case; a capital in a root would never match.
        for name in ("roots", "words", "ambiguous", "neutral_phrases", "neutral_words"):
            for item in getattr(self, name):
                if item != item.lower():
                    raise FieldError((name,), f"{item!r} must be written in lower case")
        return self


class InvitationRules(StrictModel):
    allowed_placeholders: list[str]
    neutral_subjects: list[str] = Field(min_length=1)
    health_words: HealthWords


class MinimumDays(StrictModel):
    min: int = Field(ge=1)


class PlatformObjects(StrictModel):
    every_environment: list[str] = Field(min_length=1)
    managed_environments: list[str]
    managed: list[str]

    def required(self, environment: object) -> list[str]:
        managed = self.managed if environment in self.managed_environments else []
        return [*self.every_environment, *managed]


class PolicySettings(StrictModel):
    operational_log_retention_days: Range
    access_log_retention_days: MinimumDays
    required_stacks: list[str] = Field(min_length=1)
    platform_objects: PlatformObjects
    saas_video_domains: list[str]
    self_hosted_state: SelfHostedState
    guest_identity: GuestIdentity
    min_pin_length: int = Field(ge=4)
    invitation: InvitationRules
    secret_variable_pattern: str
    not_secret_names: list[str] = Field(default_factory=list)


@cache
def policy_settings(path: Path = SETTINGS_FILE) -> PolicySettings:
    return validate_document(load_sourced_yaml(path), PolicySettings)
