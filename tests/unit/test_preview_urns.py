"""The offline preview names resources as the Pulumi engine does, and refuses what the engine refuses:
two resources with one URN (tests/integration/test_engine_cycle.py compares it with the real engine)."""

from __future__ import annotations

import pytest

from vardmote.platform.components import gateway
from vardmote.platform.preview import DuplicateUrn, run_offline
from vardmote.platform.stack_files import load_stack_file, project_dir


def _config(stack: str) -> tuple[dict[str, str], list[str]]:
    stack_file = load_stack_file(project_dir(), stack)
    values, secret_keys, _ = stack_file.offline_config(stack_file.platform())
    return values, secret_keys


def test_a_nested_resource_carries_every_ancestors_type_but_the_root_stacks() -> None:
    urns = {resource.urn for resource in run_offline("rvn-test", *_config("rvn-test")).resources}
    prefix = "urn:pulumi:rvn-test::vardmote::"
    assert f"{prefix}pulumi:pulumi:Stack::vardmote-rvn-test" in urns
    assert f"{prefix}vardmote:platform:VideoPlatform::vardmote-test" in urns
    assert (
        f"{prefix}vardmote:platform:VideoPlatform$vardmote:platform:PlatformSettings"
        "$pulumi-python:dynamic/pexip:GlobalSettings::global"
    ) in urns
    assert not any("pulumi:pulumi:Stack$" in urn for urn in urns)


def test_two_resources_with_one_urn_are_refused_as_the_engine_refuses_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stack config refuses what would give two resources one name (two routing rules of one
    name, test_stack_config); should the program ever do it anyway, the preview refuses as the engine."""
    values, secret_keys = _config("rvn-test")
    monkeypatch.setattr(gateway, "resource_name", lambda prefix, _value: f"{prefix}-the-same")
    with pytest.raises(DuplicateUrn) as refused:
        run_offline("rvn-test", values, secret_keys)
    assert str(refused.value) == (
        "Duplicate resource URN 'urn:pulumi:rvn-test::vardmote::vardmote:platform:VideoPlatform"
        "$vardmote:platform:Gateway$pulumi-python:dynamic/pexip:GatewayRoutingRule"
        "::rule-the-same'; try giving it a unique name"
    )
