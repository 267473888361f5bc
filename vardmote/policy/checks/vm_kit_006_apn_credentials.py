"""VM-KIT-006: APN credentials are named, never written in a profile."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation

INLINE_KEYS = ("password", "secret", "token", "passphrase")


class ApnCredentialsReferenced(Check):
    id = "VM-KIT-006"
    title = "APN credentials are referenced from vault or the environment, never written inline"
    severity = "critical"
    remediation = (
        "Remove the credential from the profile and name where it lives: password_secret: {env: NAME} or "
        "{vault: name}; rotate the exposed credential."
    )
    target_kind = "broadband_profile"

    def violations(self, target: Target) -> Iterable[Violation]:
        profile = target.data
        for key in profile:
            if any(word in str(key).lower() for word in INLINE_KEYS) and key != "password_secret":
                yield Violation(f"{key} is written inline", (key,))
        auth = profile.get("auth_type", "NONE")
        reference = profile.get("password_secret")
        if auth != "NONE":
            if not isinstance(reference, dict) or set(reference) not in ({"env"}, {"vault"}):
                yield Violation(
                    f"auth_type {auth} needs password_secret naming an env or vault secret", ("password_secret",)
                )
        elif reference is not None and not isinstance(reference, dict):
            yield Violation("password_secret holds a value instead of naming a secret", ("password_secret",))


CHECK = ApnCredentialsReferenced()
