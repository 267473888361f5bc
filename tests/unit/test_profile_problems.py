"""Each kind of mistake in a profile gives one exact `file:line: field: problem` line.

Every case lays one broken file from tests/fixtures/broken_profiles/<case>/ over a copy of the
embedded profiles, so the rest of the tree is valid and the expected lines are the whole output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BROKEN_PROFILES, overlay
from vardmote.core.problems import ProblemsFound
from vardmote.region.catalogue import load_catalogue

EXPECTED = {
    "alternative_out_of_range": ["municipalities/timra.yaml:8: alternative: must be 1 or 2, got 3"],
    "misspelt_key": [
        "municipalities/ange.yaml:5: alternative: required field is missing",
        "municipalities/ange.yaml:8: alternativ: unknown field; did you mean 'alternative'?",
    ],
    "duplicate_key": [
        "models/samsung-galaxy-tab-s10-plus-5g.yaml:11: screen_inches: duplicate key (first defined at line 8)"
    ],
    "screen_too_small": [
        "models/apple-ipad-air-13-m2-cellular.yaml:8: screen_inches: "
        "must be at least 12 (kit.yaml tablet constraint), got 11"
    ],
    "unknown_kiosk_profile": [
        "municipalities/kramfors.yaml:14: kiosk_profile: no profile kiosk/video-webclinet.yaml; "
        "known: video-webclient, video-webclient-status-bar"
    ],
    "duty_without_alt2_party": ["responsibilities.yaml:41: duties[3].responsible.alt2: required field is missing"],
    "inline_apn_password": [
        "broadband/rvn-private-apn.yaml:14: password: credentials are never written in profiles; "
        "name a secret instead, e.g. password_secret: {env: VARDMOTE_APN_PASSWORD}"
    ],
    "secret_in_wrong_shape": [
        "broadband/sundsvall-private-apn.yaml:13: password_secret: "
        "input should be a valid dictionary or instance of SecretRef, got [redacted]"
    ],
    "unquoted_kommunkod": [
        'municipalities/timra.yaml:7: code: must be a quoted 4-digit kommunkod such as "2281", got 2262'
    ],
    "broadband_against_matrix": [
        "municipalities/timra.yaml:15: broadband_profile: 'rvn-private-apn' is held by the region, "
        "but under alternative 2 mobile_broadband is the municipality's duty"
    ],
    "yaml_syntax_error": ["kit.yaml:14: invalid YAML: did not find expected '-' indicator"],
    "kiosk_reaches_other_host": [
        "kiosk/video-webclient.yaml:8: allowed_hosts[1]: 'www.youtube.com' is not the region's video service "
        "(video.rvn.example)"
    ],
    "wrong_extension": ["municipalities/notes.yml:1: profile files end in .yaml"],
    "central_service_not_regions": [
        "region.yaml:23: central_services[2]: 'training' is the municipality's duty under alternative 2 in "
        "responsibilities.yaml, but central services are the Region's under both alternatives"
    ],
}


def problem_lines(root: Path) -> list[str]:
    with pytest.raises(ProblemsFound) as found:
        load_catalogue(root)
    return [str(p).replace(f"{root}/", "") for p in found.value.problems]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_a_broken_profile_gives_its_exact_problem(profiles_copy: Path, case: str) -> None:
    assert problem_lines(overlay(profiles_copy, case)) == EXPECTED[case]


def test_every_fixture_case_has_an_expectation() -> None:
    assert sorted(p.name for p in BROKEN_PROFILES.iterdir()) == sorted(EXPECTED)


def test_a_secret_value_is_never_echoed(profiles_copy: Path) -> None:
    for case in ("inline_apn_password", "secret_in_wrong_shape"):
        assert not any("hunter2" in line for line in problem_lines(overlay(profiles_copy, case)))


def test_a_missing_single_file_is_reported(profiles_copy: Path) -> None:
    (profiles_copy / "kit.yaml").unlink()
    assert problem_lines(profiles_copy) == ["kit.yaml:1: file is missing"]


def test_a_removed_duty_the_code_relies_on_is_reported(profiles_copy: Path) -> None:
    path = profiles_copy / "responsibilities.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: support_replacement", "id: support_and_replacement"), encoding="utf-8")
    assert problem_lines(profiles_copy) == [
        "kit.yaml:31: included_services[4]: no duty 'support_replacement' in responsibilities.yaml",
        "responsibilities.yaml:14: duties: needs the duty 'support_replacement'",
    ]


def test_problems_in_several_files_are_all_reported_in_file_order(profiles_copy: Path) -> None:
    overlay(profiles_copy, "alternative_out_of_range")
    overlay(profiles_copy, "screen_too_small")
    assert problem_lines(profiles_copy) == EXPECTED["screen_too_small"] + EXPECTED["alternative_out_of_range"]
