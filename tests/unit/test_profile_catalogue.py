"""The embedded data are valid, every schema accepts them, and the exported JSON Schemas agree."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from vardmote.core.sourced_yaml import load_sourced_yaml
from vardmote.region import layout
from vardmote.region.catalogue import load_catalogue
from vardmote.region.json_schema import render_schemas, stale_schema_files

EMBEDDED = layout.default_profiles_dir()
PROFILE_FILES = sorted(p for p in EMBEDDED.rglob("*.yaml") if layout.kind_of(p.relative_to(EMBEDDED)))


def test_the_embedded_profiles_are_valid() -> None:
    catalogue = load_catalogue(EMBEDDED)
    assert catalogue.region.model.name == "Region Västernorrland"
    codes = {m.model.name: m.model.code for m in catalogue.municipalities.values()}
    assert codes == {
        "Härnösand": "2280",
        "Sundsvall": "2281",
        "Kramfors": "2282",
        "Sollefteå": "2283",
        "Örnsköldsvik": "2284",
        "Ånge": "2260",
        "Timrå": "2262",
    }
    alternatives = [m.model.alternative for m in catalogue.municipalities.values()]
    assert alternatives.count(1) >= 2
    assert alternatives.count(2) >= 2
    assert all(m.model.example_data for m in catalogue.municipalities.values())


def test_the_model_catalogue_has_two_android_tablets_and_an_ipad_of_twelve_inches_or_more() -> None:
    models = [m.model for m in load_catalogue(EMBEDDED).models.values()]
    assert sum(m.platform == "android" for m in models) >= 2
    assert sum(m.platform == "ipados" for m in models) >= 1
    assert all(m.screen_inches >= 12 for m in models)


def test_the_kit_lists_the_routines_components_and_services() -> None:
    kit = load_catalogue(EMBEDDED).kit.model
    assert [c.id for c in kit.components] == [
        "tablet",
        "stand",
        "speaker_microphone",
        "backpack",
        "charger_extension_cable",
    ]
    assert kit.min_screen_inches == 12
    assert kit.tablet is not None
    assert kit.tablet.constraints.rugged_case
    assert len(kit.included_services) == 6


def test_every_broadband_profile_names_its_secret_and_keeps_roaming_off() -> None:
    for name, sourced in load_catalogue(EMBEDDED).broadband_profiles.items():
        profile = sourced.model
        assert profile.data_roaming is False, name
        if profile.auth_type != "NONE":
            assert profile.password_secret is not None, name


def test_the_committed_json_schemas_are_current() -> None:
    assert stale_schema_files(EMBEDDED) == []


def test_a_changed_schema_file_is_reported_stale(profiles_copy: Path) -> None:
    schema = profiles_copy / layout.SCHEMA_DIR / layout.KIT.schema_file
    schema.write_text("{}\n", encoding="utf-8")
    assert stale_schema_files(profiles_copy) == [schema]


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda p: str(p.relative_to(EMBEDDED)))
def test_each_file_points_its_editor_at_its_schema_and_the_schema_accepts_it(path: Path) -> None:
    relative = path.relative_to(EMBEDDED)
    kind = layout.kind_of(relative)
    assert kind is not None
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema={kind.schema_ref_from(relative)}"
    schema = json.loads(render_schemas()[kind.schema_file])
    jsonschema.validate(load_sourced_yaml(path).data, schema)


def test_the_json_schema_rejects_a_typo_as_the_editor_would() -> None:
    schema = json.loads(render_schemas()[layout.MUNICIPALITY.schema_file])
    data = load_sourced_yaml(EMBEDDED / "municipalities" / "timra.yaml").data
    data["alternativ"] = data.pop("alternative")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
