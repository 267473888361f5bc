"""The CrossGuard policy pack: `pulumi preview --policy-pack policies` runs the platform checks, with
the waivers that sit beside this file (policies/waivers.yaml of the project being previewed)."""

from pathlib import Path

from pulumi_policy import PolicyPack

from vardmote.policy.catalogue import load_waivers
from vardmote.policy.crossguard import policies

WAIVERS = Path(__file__).resolve().with_name("waivers.yaml")

PolicyPack(name="vardmote-platform", policies=policies(waivers=load_waivers(WAIVERS)))  # type: ignore[arg-type]
