"""The CrossGuard policy pack: `pulumi preview --policy-pack policies` runs the platform checks."""

from pulumi_policy import PolicyPack

from vardmote.policy.crossguard import policies

PolicyPack(name="vardmote-platform", policies=policies())  # type: ignore[arg-type]
