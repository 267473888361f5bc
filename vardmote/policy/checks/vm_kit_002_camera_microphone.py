"""VM-KIT-002: camera and microphone cannot be switched off by a setting on the tablet."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation


class CameraAndMicrophoneEnforced(Check):
    id = "VM-KIT-002"
    title = "Camera and microphone are enforced on for the video client"
    severity = "medium"
    remediation = "Set camera_enforced_on: true and microphone_enforced_on: true in the kiosk profile."
    target_kind = "kiosk_profile"

    def violations(self, target: Target) -> Iterable[Violation]:
        for name in ("camera_enforced_on", "microphone_enforced_on"):
            if target.data.get(name, True) is not True:
                yield Violation(f"{name} is {target.data.get(name)!r}, must be true", (name,))


CHECK = CameraAndMicrophoneEnforced()
