"""The steps of a kit's lifecycle that the Ansible modules run: render the kit's artifacts, enroll it in
its MDM, wipe it. Each step is idempotent, so a playbook can be run again to finish an interrupted job."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vardmote.kits.artifacts import android, ipad, label, qr
from vardmote.kits.artifacts.amapi_schema import schema_problems
from vardmote.kits.artifacts.apple_schema import combination_problems, profile_problems
from vardmote.kits.bundle import BundleFile, retire_old_bundles, write_bundle
from vardmote.kits.mdm.base import DeviceOutcome, DeviceTarget, MdmDriver, MdmError
from vardmote.kits.mdm.bundle import WIPE_ORDERS, BundleDriver
from vardmote.kits.mdm.names import AMAPI_ENTERPRISE_ENV, policy_id
from vardmote.kits.record import KitRecord
from vardmote.kits.secrets import resolve
from vardmote.region.catalogue import ProfileCatalogue
from vardmote.region.matrix import ResponsibilityMatrix
from vardmote.region.schema import Municipality

APP_LOCK_FILE = "vardmote-app-lock.mobileconfig"
SIGNING_CERT_ENV, SIGNING_KEY_ENV = "VARDMOTE_PROFILE_SIGNING_CERT", "VARDMOTE_PROFILE_SIGNING_KEY"


__all__ = ["AMAPI_ENTERPRISE_ENV", "policy_id"]  # part of what the steps offer, kept in mdm.names


class ArtifactError(Exception):
    """A generated artifact does not validate against its schema: never hand it to a device."""


@dataclass
class KitContext:
    """What every step needs: the region's data, where bundles go, and how to reach the MDMs."""

    catalogue: ProfileCatalogue
    bundle_dir: Path
    vault_values: Mapping[str, str] = field(default_factory=dict)
    amapi_http: Any = None  # tests hand in an HttpMock; production uses application default credentials
    env_values: Mapping[str, str] = field(default_factory=dict)  # secrets the command handed over

    def __post_init__(self) -> None:
        self.matrix = ResponsibilityMatrix(self.catalogue.responsibilities.model, self.catalogue.region.model)
        self.by_code = {m.model.code: (key, m.model) for key, m in self.catalogue.municipalities.items()}
        self._policies: dict[tuple[str, str, str | None, str], tuple[bytes, list[str]]] = {}

    def android_policy(
        self, municipality: Municipality, password: str | None, support_line: str
    ) -> tuple[bytes, list[str]]:
        """The AMAPI policy of the municipality's tablets as amapi-policy.json holds it, and how it breaks
        the API's schema. It holds nothing of the kit, only its municipality's profiles and support line,
        so a batch renders and checks it once for each, not once a kit."""
        key = (municipality.kiosk_profile, municipality.broadband_profile, password, support_line)
        if key not in self._policies:
            kiosk = self.catalogue.kiosk_profiles[municipality.kiosk_profile].model
            broadband = self.catalogue.broadband_profiles[municipality.broadband_profile].model
            policy = android.policy(kiosk, broadband, password, support_line)
            self._policies[key] = (_json(policy), schema_problems(policy, "Policy"))
        return self._policies[key]

    def municipality(self, code: str) -> Municipality:
        return self.by_code[code][1]

    def driver(self, municipality: Municipality) -> MdmDriver:
        return self.driver_named(municipality.mdm_driver, municipality.name)

    def driver_named(self, name: str, municipality_name: str) -> MdmDriver:
        if name == "amapi":
            # google-api-python-client is large: loaded only for municipalities that use the API.
            from vardmote.kits.mdm.amapi import AmapiDriver  # noqa: PLC0415

            enterprise = os.environ.get(AMAPI_ENTERPRISE_ENV)
            if not enterprise:
                raise MdmError(
                    f"{municipality_name} uses the amapi driver: set {AMAPI_ENTERPRISE_ENV}=enterprises/<id>"
                )
            return AmapiDriver(enterprise, http=self.amapi_http)
        return BundleDriver(self.bundle_dir)


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def label_content(context: KitContext, kit: KitRecord) -> label.LabelContent:
    municipality = context.municipality(kit.municipality_code)
    model = context.catalogue.models[kit.model].model
    contact = context.matrix.contact(kit.support_party, municipality)
    names = {c.id: c.name_sv for c in context.catalogue.kit.model.components}
    return label.LabelContent(
        asset_tag=kit.asset_tag,
        municipality=label.kommun(municipality.name),
        model=f"{model.manufacturer} {model.model_name}",
        serial=kit.serial,
        support_name=contact.name,
        support_phone=contact.phone,
        support_hours=contact.hours,
        contents=[names.get(item, item) for item in kit.contents],
    )


def render_artifacts(context: KitContext, kit: KitRecord, check_mode: bool = False) -> list[str]:
    """The kit's policy or profile, the token request and the support label, validated, in its bundle."""
    municipality = context.municipality(kit.municipality_code)
    model = context.catalogue.models[kit.model].model
    kiosk = context.catalogue.kiosk_profiles[municipality.kiosk_profile].model
    broadband = context.catalogue.broadband_profiles[municipality.broadband_profile].model
    password = resolve(
        broadband.password_secret,
        context.vault_values,
        f"broadband profile {municipality.broadband_profile}",
        context.env_values,
    )
    content = label_content(context, kit)
    label_svg, label_pdf = label.svg_and_pdf(content)
    files = [
        BundleFile("kit.json", _json(kit.model_dump())),
        BundleFile("label.svg", label_svg.encode()),
        BundleFile("label.pdf", label_pdf),
    ]
    if model.platform == "android":
        policy, problems = context.android_policy(
            municipality, password, f"{content.support_name} {content.support_phone}"
        )
        token_request = android.enrollment_token_request(kit, municipality, "(set by the MDM driver)")
        problems = problems + schema_problems(token_request, "EnrollmentToken")
        if problems:
            raise ArtifactError(f"{kit.asset_tag}: the AMAPI policy does not validate: {'; '.join(problems)}")
        files += [
            BundleFile("amapi-policy.json", policy, secret=password is not None),
            BundleFile("enrollment-token-request.json", _json(token_request)),
        ]
    else:
        profile, lock = ipad.mobileconfig(kit, kiosk, broadband, password), ipad.app_lock(kit, kiosk)
        # The two are installed on one supervised iPad: checked each, and together.
        together = {**profile, "PayloadContent": [*profile["PayloadContent"], *lock["PayloadContent"]]}
        problems = profile_problems(profile) + profile_problems(lock)
        problems += combination_problems(together, supervised=True, min_os=model.min_os_version)
        if problems:
            raise ArtifactError(f"{kit.asset_tag}: the configuration profile does not validate: {'; '.join(problems)}")
        cert, key = os.environ.get(SIGNING_CERT_ENV), os.environ.get(SIGNING_KEY_ENV)
        for name, document, secret in (("vardmote.mobileconfig", profile, True), (APP_LOCK_FILE, lock, False)):
            data = ipad.render(document)
            if cert and key:
                data = ipad.sign(data, Path(cert), Path(key))
            files.append(BundleFile(name, data, secret=secret))
    return write_bundle(context.bundle_dir / kit.asset_tag, files, check_mode)


def enroll(context: KitContext, kit: KitRecord, check_mode: bool = False) -> tuple[str, list[str]]:
    """Apply the kit's policy in its MDM and create its enrollment (token and QR code). Returns the MDM
    reference and the bundle files that changed."""
    municipality = context.municipality(kit.municipality_code)
    model = context.catalogue.models[kit.model].model
    if check_mode:
        return kit.mdm_ref or "(would enroll)", []
    if model.platform != "android":
        # iPads enroll by installing the signed profile (Apple Configurator or an ADE-capable MDM).
        return f"bundle:{kit.asset_tag}:mobileconfig", []
    driver = context.driver(municipality)
    policy = json.loads((context.bundle_dir / kit.asset_tag / "amapi-policy.json").read_text(encoding="utf-8"))
    policy_name = driver.apply_policy(policy_id(municipality), policy)
    token_request = android.enrollment_token_request(kit, municipality, policy_name)
    enrollment = driver.create_enrollment(policy_name, token_request, kit.asset_tag)
    payload = android.provisioning_payload(enrollment.enrollment_token)
    png, svg = qr.images(payload)
    files = [
        BundleFile("enrollment-token.txt", (enrollment.enrollment_token + "\n").encode(), secret=True),
        BundleFile("provisioning-qr.json", _json(payload), secret=True),
        BundleFile("provisioning-qr.png", png, secret=True),
        BundleFile("provisioning-qr.svg", svg, secret=True),
    ]
    return enrollment.mdm_ref, write_bundle(context.bundle_dir / kit.asset_tag, files)


def wipe_target(context: KitContext, pending: Mapping[str, Any]) -> DeviceTarget:
    """The device a pending wipe names (a row of the registry's `wipes_pending`), as the drivers take it."""
    device_model = context.catalogue.models.get(pending["model"])
    if device_model is None:
        raise ArtifactError(f"the device's model {pending['model']!r} is not in the profiles")
    model = device_model.model
    return DeviceTarget(
        asset_tag=pending["asset_tag"],
        serial=pending["serial"],
        model=f"{model.manufacturer} {model.model_name}",
        platform=model.platform,
        mdm_ref=pending.get("mdm_ref"),
        mdm_device=pending.get("mdm_device"),
        old_tags=tuple(pending.get("old_tags") or ()),
        reason=pending.get("reason") or "",
    )


def wipe(context: KitContext, pending: Mapping[str, Any], check_mode: bool = False) -> DeviceOutcome | None:
    """Wipe a device that left its kit: through the MDM that enrolled it, or by a work order in the kit's
    bundle for the technician. An Android device the MDM never saw enroll gets a work order too: whatever
    is on it, only a technician can erase it. Returns None in check mode."""
    target = wipe_target(context, pending)
    if check_mode:
        return None
    bundle = BundleDriver(context.bundle_dir)
    if target.platform != "android" or pending.get("mdm_driver") != "amapi":
        return bundle.wipe(target)  # iPads enroll by their profile, whatever the municipality's driver
    result = context.driver_named("amapi", pending["asset_tag"]).wipe(target)
    if result.state == "ordered":
        return bundle.wipe(target, note=result.note)
    return result


def device_of(context: KitContext, kit: KitRecord, old_tags: tuple[str, ...] = ()) -> DeviceTarget:
    """The kit's current device, as the drivers take it."""
    model = context.catalogue.models[kit.model].model
    return DeviceTarget(
        asset_tag=kit.asset_tag,
        serial=kit.serial,
        model=f"{model.manufacturer} {model.model_name}",
        platform=model.platform,
        mdm_ref=kit.mdm_ref,
        mdm_device=kit.mdm_device,
        old_tags=old_tags,
    )


def push_policy(
    context: KitContext, kit: KitRecord, old_tags: tuple[str, ...] = (), check_mode: bool = False
) -> DeviceOutcome | None:
    """Give the kit's tablet what the registry now says (after a move or a change of alternative): its
    bundle is rendered again under its tag (and the folders under its old tags removed), then an Android
    tablet enrolled through the Android Management API gets its new municipality's policy (policies.patch,
    then devices.patch of the device's policyName); any other tablet gets a work order in the new bundle.
    Returns None in check mode."""
    if check_mode:
        return None
    render_artifacts(context, kit)
    # The old tags' folders hold the old municipality's settings; an open wipe order moves along.
    retire_old_bundles(context.bundle_dir, kit.asset_tag, old_tags, keep=WIPE_ORDERS)
    target = device_of(context, kit, old_tags)
    municipality = context.municipality(kit.municipality_code)
    bundle = BundleDriver(context.bundle_dir)
    if target.platform != "android" or kit.mdm_driver != "amapi" or kit.status != "enrolled":
        return bundle.order_policy(target, f"{municipality.name} kommun")
    from vardmote.kits.mdm.amapi import AmapiDriver  # noqa: PLC0415 - only for kits that use the API

    driver = context.driver_named("amapi", municipality.name)
    assert isinstance(driver, AmapiDriver)
    policy = json.loads((context.bundle_dir / kit.asset_tag / "amapi-policy.json").read_text(encoding="utf-8"))
    policy_name = driver.apply_policy(policy_id(municipality), policy)
    device = driver.find_device(target)
    if device is None:
        note = "the Android Management API has no device enrolled with this kit's token or data"
        return bundle.order_policy(target, f"{municipality.name} kommun", note)
    driver.set_device_policy(device, policy_name)
    return DeviceOutcome("sent", f"devices.patch {device} policyName {policy_name}", mdm_device=device)
