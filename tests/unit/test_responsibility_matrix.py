"""Who carries each duty is derived from responsibilities.yaml for both alternatives."""

from __future__ import annotations

from pathlib import Path

from vardmote.region.catalogue import load_catalogue
from vardmote.region.location import default_profiles_dir
from vardmote.region.matrix import ResponsibilityMatrix
from vardmote.region.schema import Municipality
from vardmote.region.schema.common import Alternative

PACKAGE_SERVICES = {
    "mobile_broadband",
    "hardware_purchase",
    "installation_logistics",
    "training",
    "support_replacement",
    "home_solution_updates",
}
MUNICIPALITY_ALWAYS = {"hygiene_and_meeting_routines", "equipment_at_patient_home"}
REGION_ALWAYS = {"pc_and_phone_access", "central_infrastructure", "central_coordinated_updates"}


def matrix_for(root: Path | None = None) -> tuple[ResponsibilityMatrix, dict[str, Municipality]]:
    catalogue = load_catalogue(root or default_profiles_dir())
    matrix = ResponsibilityMatrix(catalogue.responsibilities.model, catalogue.region.model)
    return matrix, {key: s.model for key, s in catalogue.municipalities.items()}


def parties_for(matrix: ResponsibilityMatrix, alternative: Alternative) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {"region": set(), "municipality": set()}
    for duty in matrix.duties:
        result[matrix.responsible(duty.id, alternative)].add(duty.id)
    return result


def test_under_alt1_the_region_carries_everything_but_the_municipalitys_own_routines() -> None:
    matrix, _ = matrix_for()
    assert parties_for(matrix, 1) == {"region": PACKAGE_SERVICES | REGION_ALWAYS, "municipality": MUNICIPALITY_ALWAYS}


def test_under_alt2_the_municipality_carries_the_package_and_the_region_the_central_parts() -> None:
    matrix, _ = matrix_for()
    assert parties_for(matrix, 2) == {"region": REGION_ALWAYS, "municipality": PACKAGE_SERVICES | MUNICIPALITY_ALWAYS}


def test_a_municipalitys_assignments_follow_its_alternative_and_name_the_contact() -> None:
    matrix, municipalities = matrix_for()
    timra = municipalities["timra"]  # example data: Alt 2
    ange = municipalities["ange"]  # example data: Alt 1
    support_timra = next(a for a in matrix.for_municipality(timra) if a.duty.id == "support_replacement")
    support_ange = next(a for a in matrix.for_municipality(ange) if a.duty.id == "support_replacement")
    assert (support_timra.party, support_timra.party_name) == ("municipality", "Timrå")
    assert support_timra.contact.email == "vardmote-support@timra.example"
    assert (support_ange.party, support_ange.party_name) == ("region", "Regionen (RVN)")
    assert support_ange.contact.email == "it-servicedesk@rvn.example"


def test_the_derivation_reads_the_file_not_the_code(profiles_copy: Path) -> None:
    path = profiles_copy / "responsibilities.yaml"
    text = path.read_text(encoding="utf-8")
    # Let training stay with the Region under Alt 2 too, as a municipality might negotiate.
    path.write_text(
        text.replace(
            "  - id: training\n    name_sv: Utbildning\n    name_en: Training\n    kind: service_package\n"
            '    routine: ["5.1", "5.2.1", "5.2.2"]\n    responsible: {alt1: region, alt2: municipality}',
            "  - id: training\n    name_sv: Utbildning\n    name_en: Training\n    kind: service_package\n"
            '    routine: ["5.1", "5.2.1", "5.2.2"]\n    responsible: {alt1: region, alt2: region}',
        ),
        encoding="utf-8",
    )
    matrix, _ = matrix_for(profiles_copy)
    assert matrix.responsible("training", 2) == "region"
    assert matrix.responsible("training", 1) == "region"
