"""What a kit is enrolled with: validated against the real AMAPI discovery document and Apple's schemas."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from cryptography.hazmat.primitives.serialization import pkcs7
from googleapiclient.http import HttpMockSequence
from PIL import Image

from tests.conftest import REPO_ROOT
from tests.doubles.tls import make_pki
from vardmote.kits import module_support
from vardmote.kits.artifacts import amapi_schema, android, apple_schema, ipad, label, qr
from vardmote.kits.artifacts.amapi_schema import schema_problems
from vardmote.kits.artifacts.apple_schema import profile_problems
from vardmote.kits.bundle import BundleFile, write_bundle
from vardmote.kits.identifiers import iccid_problem, imei_problem
from vardmote.kits.intake import read_batch
from vardmote.kits.record import KitRecord
from vardmote.kits.steps import ArtifactError, KitContext, enroll, label_content, render_artifacts
from vardmote.region.catalogue import load_catalogue

CATALOGUE = load_catalogue()
ADDITIONAL_DATA = '{"asset_tag":"RVN-2260-00001","serial":"R52W700006","municipality":"2260","alternative":1}'
KIT = KitRecord(
    asset_tag="RVN-2260-00001",
    serial="R52W700006",
    municipality_code="2260",
    alternative=1,
    model="samsung-galaxy-tab-s10-plus-5g",
    status="registered",
    support_party="region",
    contents=[c.id for c in CATALOGUE.kit.model.components],
)


@pytest.mark.parametrize("kiosk", sorted(CATALOGUE.kiosk_profiles))
@pytest.mark.parametrize("broadband", sorted(CATALOGUE.broadband_profiles))
def test_every_kiosk_and_broadband_pair_gives_a_valid_amapi_policy(kiosk: str, broadband: str) -> None:
    policy = android.policy(
        CATALOGUE.kiosk_profiles[kiosk].model, CATALOGUE.broadband_profiles[broadband].model, "pw", "Ring"
    )
    assert schema_problems(policy, "Policy") == []
    assert policy["applications"][0]["roles"] == [{"roleType": "KIOSK"}]
    assert policy["cameraAccess"] == "CAMERA_ACCESS_ENFORCED"
    assert policy["deviceConnectivityManagement"]["usbDataAccess"] == "DISALLOW_USB_DATA_TRANSFER"
    assert policy["deviceConnectivityManagement"]["apnPolicy"]["overrideApns"] == "OVERRIDE_APNS_ENABLED"
    assert (policy["dataRoamingDisabled"], policy["mobileNetworksConfigDisabled"], policy["screenCaptureDisabled"]) == (
        True,
        True,
        True,
    )
    assert policy["systemUpdate"]["type"] == "WINDOWED"
    assert policy["frpAdminEmails"]


def test_the_discovery_document_catches_a_wrong_key_type_or_enum() -> None:
    policy = android.policy(
        CATALOGUE.kiosk_profiles["video-webclient"].model,
        CATALOGUE.broadband_profiles["rvn-private-apn"].model,
        None,
        "x",
    )
    policy["cameraAccess"] = "CAMERA_ON"
    policy["screenCaptureDisabled"] = "yes"
    policy["kioskMode"] = True
    assert schema_problems(policy, "Policy") == [
        "Policy.cameraAccess: 'CAMERA_ON' is not one of CAMERA_ACCESS_UNSPECIFIED, CAMERA_ACCESS_USER_CHOICE, "
        "CAMERA_ACCESS_DISABLED, CAMERA_ACCESS_ENFORCED",
        "Policy.screenCaptureDisabled: must be true or false, got 'yes'",
        "Policy.kioskMode: not a field of Policy",
    ]


def test_the_enrollment_token_request_carries_the_kit_not_the_patient() -> None:
    request = android.enrollment_token_request(KIT, CATALOGUE.municipalities["ange"].model, "enterprises/e/policies/p")
    assert schema_problems(request, "EnrollmentToken") == []
    assert request["additionalData"] == ADDITIONAL_DATA
    assert request["allowPersonalUsage"] == "PERSONAL_USAGE_DISALLOWED_USERLESS"


def test_the_qr_payload_provisions_over_mobile_data() -> None:
    payload = android.provisioning_payload("TOKEN")
    assert payload["android.app.extra.PROVISIONING_USE_MOBILE_DATA"] is True
    assert payload["android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE"] == {
        "com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN": "TOKEN"
    }


def test_the_ipad_profile_validates_against_apples_schemas_and_catches_errors() -> None:
    kiosk, broadband = (
        CATALOGUE.kiosk_profiles["video-webclient"].model,
        CATALOGUE.broadband_profiles["rvn-private-apn"].model,
    )
    profile = ipad.mobileconfig(KIT, kiosk, broadband, "pw")
    assert profile_problems(profile) == []
    profile["PayloadContent"][0]["FullScreen"] = "yes"
    profile["PayloadContent"][2]["APNs"][0]["AuthenticationType"] = "MSCHAP"
    assert profile_problems(profile) == [
        "PayloadContent[0](com.apple.webClip.managed).FullScreen: must be <boolean>, got str",
        "PayloadContent[2](com.apple.cellular).APNs[0].AuthenticationType: 'MSCHAP' is not one of ['CHAP', 'PAP']",
    ]


def test_a_signed_profile_is_cms_signed_data_with_the_profile_inside(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    data = ipad.render(
        ipad.mobileconfig(
            KIT,
            CATALOGUE.kiosk_profiles["video-webclient"].model,
            CATALOGUE.broadband_profiles["kommun-public-apn"].model,
            None,
        )
    )
    signed = ipad.sign(data, pki.cert_file, pki.key_file)
    assert signed[:1] == b"\x30"  # DER
    assert data in signed  # not detached: the profile travels inside the signature
    (certificate,) = pkcs7.load_der_pkcs7_certificates(signed)
    assert certificate.subject.rfc4514_string() == "CN=localhost,O=vardmote lab"


def test_bundles_keep_credentials_private_and_rerendering_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VARDMOTE_APN_PASSWORD_RVN", "example-not-secret")
    context = KitContext(CATALOGUE, tmp_path)
    assert render_artifacts(context, KIT) == [
        "kit.json",
        "label.svg",
        "label.pdf",
        "amapi-policy.json",
        "enrollment-token-request.json",
    ]
    assert render_artifacts(context, KIT) == []
    mode = stat.S_IMODE(os.stat(tmp_path / KIT.asset_tag / "amapi-policy.json").st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / KIT.asset_tag / "label.svg").st_mode) == 0o644


def test_one_context_gives_each_municipalitys_kits_their_own_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch renders a policy once for each municipality's profiles and support line: the kits of
    another municipality, or of another support line, still get theirs."""
    monkeypatch.setenv("VARDMOTE_APN_PASSWORD_RVN", "example-not-secret")
    monkeypatch.setenv("VARDMOTE_APN_PASSWORD_SUNDSVALL", "example-not-secret-either")
    context = KitContext(CATALOGUE, tmp_path)
    sundsvall = KIT.model_copy(update={"asset_tag": "RVN-2281-00001", "serial": "S1", "municipality_code": "2281"})
    municipal = KIT.model_copy(update={"asset_tag": "RVN-2260-00002", "serial": "S2", "support_party": "municipality"})
    for kit in (KIT, sundsvall, municipal, KIT.model_copy(update={"asset_tag": "RVN-2260-00003", "serial": "S3"})):
        render_artifacts(context, kit)
        municipality = context.municipality(kit.municipality_code)
        content = label_content(context, kit)
        expected = android.policy(
            CATALOGUE.kiosk_profiles[municipality.kiosk_profile].model,
            CATALOGUE.broadband_profiles[municipality.broadband_profile].model,
            os.environ["VARDMOTE_APN_PASSWORD_SUNDSVALL" if kit is sundsvall else "VARDMOTE_APN_PASSWORD_RVN"],
            f"{content.support_name} {content.support_phone}",
        )
        assert json.loads((tmp_path / kit.asset_tag / "amapi-policy.json").read_bytes()) == expected
    policies = {(tmp_path / k.asset_tag / "amapi-policy.json").read_bytes() for k in (KIT, sundsvall, municipal)}
    assert len(policies) == 3


def test_a_policy_that_breaks_the_api_schema_is_refused_for_every_kit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VARDMOTE_APN_PASSWORD_RVN", "example-not-secret")
    policy = android.policy
    monkeypatch.setattr(android, "policy", lambda *args: {**policy(*args), "kioskMode": True})
    context = KitContext(CATALOGUE, tmp_path)
    for kit in (KIT, KIT.model_copy(update={"asset_tag": "RVN-2260-00002", "serial": "S2"})):
        with pytest.raises(
            ArtifactError, match=f"{kit.asset_tag}: the AMAPI policy does not validate: Policy.kioskMode"
        ):
            render_artifacts(context, kit)
        assert not (tmp_path / kit.asset_tag).exists()


def test_a_missing_apn_secret_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VARDMOTE_APN_PASSWORD_RVN", raising=False)
    with pytest.raises(
        Exception, match="broadband profile rvn-private-apn needs the environment variable VARDMOTE_APN_PASSWORD_RVN"
    ):
        render_artifacts(KitContext(CATALOGUE, tmp_path), KIT)


def _svg_modules(svg: str) -> set[tuple[int, int]]:
    """The (row, column) cells an SVG QR path fills: each command is one run of dark modules in a row."""
    cells = set()
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        cells |= {(int(y), int(x) + step) for step in range(int(width))}
    return cells


def _read_qr(cells: set[tuple[int, int]]) -> str:
    """Draw dark cells (with a quiet zone) and read the QR code back with zxing-cpp's reader."""
    side = max(max(cell) for cell in cells) + 1 + qr.QUIET_ZONE
    image = Image.new("L", (side, side), 255)
    for row, column in cells:
        image.putpixel((column, row), 0)
    found = zxingcpp.read_barcode(image.resize((side * 4, side * 4), Image.Resampling.NEAREST))
    assert found is not None, "no QR code found"
    return str(found.text)


def test_the_provisioning_qr_reads_back_as_its_payload_in_png_and_svg() -> None:
    payload = android.provisioning_payload("ENROLLMENT-TOKEN-ÅÄÖ-0123456789" * 4)
    png, svg = qr.images(payload)
    decoded = zxingcpp.read_barcode(Image.open(io.BytesIO(png)))
    assert decoded is not None
    assert decoded.text == qr.payload_text(payload)
    assert json.loads(decoded.text) == payload
    symbol = qr.encode(qr.payload_text(payload))
    border = qr.QUIET_ZONE
    assert _svg_modules(svg.decode()) == {(row + border, column + border) for row, column in symbol.dark()}
    assert _read_qr(_svg_modules(svg.decode())) == qr.payload_text(payload)


def test_the_provisioning_png_is_the_codes_modules_scaled_inside_a_quiet_zone() -> None:
    """Pixel by pixel, as any PNG reader (here Pillow's) decodes the file vardmote writes itself."""
    for token in ("T", "ENROLLMENT-TOKEN-0123456789" * 5):  # two sizes of code
        symbol = qr.encode(qr.payload_text(android.provisioning_payload(token)))
        image = Image.open(io.BytesIO(qr.png(symbol, scale=3, border=2)))
        side = (symbol.size + 4) * 3
        assert (image.format, image.mode, image.size) == ("PNG", "1", (side, side))
        dark = set(symbol.dark())
        pixels = image.load()
        assert pixels is not None
        for y in range(side):
            for x in range(side):
                module = (y // 3 - 2, x // 3 - 2)
                assert (pixels[x, y] == 0) == (module in dark), (token, x, y)


def test_the_labels_qr_code_reads_back_as_the_asset_tag() -> None:
    content = label_content(KitContext(CATALOGUE, Path("/nonexistent")), KIT)
    assert _read_qr({(r + qr.QUIET_ZONE, c + qr.QUIET_ZONE) for r, c in _svg_modules(label.svg(content))}) == (
        KIT.asset_tag
    )


def test_the_label_names_whom_to_call_under_the_kits_alternative() -> None:
    context = KitContext(CATALOGUE, Path("/nonexistent"))
    region_kit = label_content(context, KIT)
    assert (region_kit.support_name, region_kit.support_phone) == (
        "Regionens IT-servicedesk (exempel)",
        "+46 70 174 06 01",
    )
    own = label_content(context, KIT.model_copy(update={"municipality_code": "2262", "support_party": "municipality"}))
    assert own.support_name == "Kommunens IT-support Timrå (exempel)"
    assert own.contents[0] == "Surfplatta med robust skal – minst 12 tums skärm"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("352099001760996", None),
        ("352099001760995", "IMEI 352099001760995 fails its Luhn check digit"),
        ("35209900176099", "IMEI must be 15 digits, got '35209900176099'"),
    ],
)
def test_imei_check_digits(value: str, problem: str | None) -> None:
    assert imei_problem(value) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("8946010000000000012", None),
        ("8946010000000000013", "ICCID 8946010000000000013 fails its Luhn check digit"),
        ("8947010000000000011", "ICCID 8947010000000000011 is not Swedish (must start 8946)"),
    ],
)
def test_iccid_prefix_and_check_digit(value: str, problem: str | None) -> None:
    assert iccid_problem(value) == problem


def test_the_example_batch_is_valid() -> None:
    requests, problems = read_batch(REPO_ROOT / "device_profiles" / "examples" / "kits.csv", CATALOGUE)
    assert problems == []
    assert sorted(r.municipality_code for r in requests) == sorted(
        m.model.code for m in CATALOGUE.municipalities.values()
    )


def test_every_bad_row_of_a_batch_gets_one_line(tmp_path: Path) -> None:
    batch = tmp_path / "kits.csv"
    batch.write_text(
        "serial,imei,iccid,model,municipality\n"
        "R52A0001,352099001760012,8946010000000000012,samsung-galaxy-tab-s10-plus-5g,Härnösand\n"
        "R52A0002,352099001760013,8946010000000000020,samsung-galaxy-tab-s10-plus-5g,Härnösand\n"
        "R52A0003,352099001760020,8946010000000000012,samsung-galaxy-tab-s10-plus-5g,Härnösand\n"
        "R52A0004,,8946010000000000038,galaxy-tab,Gävle\n",
        encoding="utf-8",
    )
    requests, problems = read_batch(batch, CATALOGUE)
    assert [r.serial for r in requests] == ["R52A0001"]
    assert [str(p).replace(f"{tmp_path}/", "") for p in problems] == [
        "kits.csv:3: imei: IMEI 352099001760013 fails its Luhn check digit",
        "kits.csv:4: iccid: 8946010000000000012 is also on line 2",
        "kits.csv:5: model: unknown model 'galaxy-tab'; known: apple-ipad-air-13-m2-cellular, "
        "samsung-galaxy-tab-s10-plus-5g, samsung-galaxy-tab-s9-fe-plus-5g",
        "kits.csv:5: municipality: unknown municipality 'Gävle'; known: Härnösand, Kramfors, Sollefteå, Sundsvall, "
        "Timrå, Ånge, Örnsköldsvik",
    ]


def test_label_lines_fit_the_label_width() -> None:
    content = label_content(KitContext(CATALOGUE, Path("/nonexistent")), KIT)
    svg = label.svg(content)
    texts = re.findall(r">([^<]+)</text>", svg)
    assert "[ ] Surfplatta med robust skal –" in texts
    too_long = [(t, s) for t, s, _ in label._lines(content) if len(t) > label.wrap_width(s)]
    assert too_long == []


def test_body_text_is_at_least_8_pt_and_the_support_phone_is_the_largest_line() -> None:
    content = label_content(KitContext(CATALOGUE, Path("/nonexistent")), KIT)
    lines = label._lines(content)
    assert min(size for _, size, _ in lines) >= 8
    (largest,) = [text for text, size, _ in lines if size == max(s for _, s, _ in lines)]
    assert largest == content.support_phone


@pytest.mark.parametrize(
    ("name", "official"),
    [
        ("Härnösand", "Härnösands kommun"),
        ("Kramfors", "Kramfors kommun"),
        ("Sollefteå", "Sollefteå kommun"),
        ("Sundsvall", "Sundsvalls kommun"),
        ("Timrå", "Timrå kommun"),
        ("Ånge", "Ånge kommun"),
        ("Örnsköldsvik", "Örnsköldsviks kommun"),
    ],
)
def test_the_label_names_the_municipality_in_the_genitive(name: str, official: str) -> None:
    assert label.kommun(name) == official


def test_a_label_whose_text_would_not_fit_is_refused() -> None:
    content = label_content(KitContext(CATALOGUE, Path("/nonexistent")), KIT)
    crowded = dataclasses.replace(content, contents=[f"Tillbehör nummer {n}" for n in range(12)])
    with pytest.raises(label.LabelOverflow, match="the label's text is"):
        label.pdf(crowded)


def test_a_batchs_labels_go_on_a4_sheets_six_a_sheet(tmp_path: Path) -> None:
    context = KitContext(CATALOGUE, Path("/nonexistent"))
    contents = [label_content(context, KIT.model_copy(update={"asset_tag": f"RVN-2260-{n:05d}"})) for n in range(1, 8)]
    document = tmp_path / "sheet.pdf"
    document.write_bytes(label.sheet_pdf(contents))
    subprocess.run([_pdf_tool("qpdf"), "--check", str(document)], check=True, capture_output=True)
    info = subprocess.run([_pdf_tool("pdfinfo"), str(document)], check=True, capture_output=True, text=True).stdout
    assert "Pages:           2" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    text = subprocess.run([_pdf_tool("pdftotext"), str(document), "-"], check=True, capture_output=True, text=True)
    assert [f"RVN-2260-{n:05d}" in text.stdout for n in range(1, 8)] == [True] * 7
    # Every label lies whole on the sheet.
    for x_mm, y_mm in label.sheet_positions():
        assert x_mm > 0
        assert x_mm + label.WIDTH_MM < 210
        assert y_mm > 0
        assert y_mm + label.HEIGHT_MM < 297
    subprocess.run(
        [
            _pdf_tool("pdftoppm"),
            "-r",
            "200",
            "-gray",
            "-png",
            "-f",
            "1",
            "-singlefile",
            str(document),
            str(tmp_path / "s"),
        ],
        check=True,
    )
    codes = sorted(c.text for c in zxingcpp.read_barcodes(Image.open(tmp_path / "s.png")))
    assert codes == [f"RVN-2260-{n:05d}" for n in range(1, 7)]


def _pdf_tool(name: str) -> str:
    tool = shutil.which(name)
    assert tool, f"{name} is missing: install poppler-utils and qpdf (scripts/bootstrap.sh does)"
    return tool


def test_the_label_pdf_is_one_valid_label_sized_page_with_its_text_and_a_readable_qr(tmp_path: Path) -> None:
    """Checked with real PDF tools: qpdf's structure check, poppler's page size, text and rendering."""
    content = label_content(KitContext(CATALOGUE, Path("/nonexistent")), KIT)
    document = tmp_path / "label.pdf"
    document.write_bytes(label.pdf(content))
    assert label.pdf(content) == document.read_bytes()  # the same label is the same bytes
    subprocess.run([_pdf_tool("qpdf"), "--check", str(document)], check=True, capture_output=True)
    info = subprocess.run([_pdf_tool("pdfinfo"), str(document)], check=True, capture_output=True, text=True).stdout
    assert "Pages:           1" in info
    assert "Page size:       175.748 x 283.465 pts" in info  # 62 × 100 mm
    text = subprocess.run(
        [_pdf_tool("pdftotext"), "-layout", str(document), "-"], check=True, capture_output=True, text=True
    ).stdout
    printed = [line.strip() for line in text.splitlines() if line.strip()]
    assert printed == [line.strip() for line, _, _ in label._lines(content)]  # å, ä, ö and – survive
    subprocess.run(
        [_pdf_tool("pdftoppm"), "-r", "300", "-gray", "-png", "-singlefile", str(document), str(tmp_path / "page")],
        check=True,
    )
    code = zxingcpp.read_barcode(Image.open(tmp_path / "page.png"))
    assert code is not None
    assert code.text == KIT.asset_tag


def test_an_amapi_municipality_enrolls_through_the_api_and_the_qr_carries_its_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VARDMOTE_APN_PASSWORD_RVN", "example-not-secret")
    monkeypatch.setenv("VARDMOTE_AMAPI_ENTERPRISE", "enterprises/LC00abc123")
    municipalities = dict(CATALOGUE.municipalities)  # a copy: the shared catalogue stays as it is
    ange = municipalities["ange"]
    municipalities["ange"] = ange.__class__(ange.model.model_copy(update={"mdm_driver": "amapi"}), ange.document)
    catalogue = dataclasses.replace(CATALOGUE, municipalities=municipalities)
    token = {"name": "enterprises/LC00abc123/enrollmentTokens/t1", "value": "TOKENVALUE"}
    http = HttpMockSequence([({"status": "200"}, json.dumps({"name": "p"})), ({"status": "200"}, json.dumps(token))])
    context = KitContext(catalogue, tmp_path, amapi_http=http)
    render_artifacts(context, KIT)
    mdm_ref, files = enroll(context, KIT)
    assert mdm_ref == token["name"]
    assert "provisioning-qr.png" in files
    payload = json.loads((tmp_path / KIT.asset_tag / "provisioning-qr.json").read_text(encoding="utf-8"))
    assert payload["android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE"] == {
        "com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN": "TOKENVALUE"
    }
    patch, create = http.request_sequence
    assert "/policies/kiosk-2260-video-webclient" in patch[0]
    assert json.loads(create[2])["additionalData"] == ADDITIONAL_DATA


def test_the_schemas_a_batchs_kits_need_are_read_before_its_workers_fork(tmp_path: Path) -> None:
    """Read once in the process that forks the workers (each would read its own), and only those of the
    kits' platforms: after load_schemas, checking an iPad's profiles reads no schema file."""
    amapi_schema.discovery_document.cache_clear()
    apple_schema.payload_schema.cache_clear()
    module_support.load_schemas(CATALOGUE, {"samsung-galaxy-tab-s10-plus-5g"})
    assert amapi_schema.discovery_document.cache_info().currsize == 1
    assert apple_schema.payload_schema.cache_info().currsize == 0
    module_support.load_schemas(CATALOGUE, {"apple-ipad-air-13-m2-cellular"})
    read = apple_schema.payload_schema.cache_info().misses
    ipad_kit = KIT.model_copy(update={"model": "apple-ipad-air-13-m2-cellular"})
    kiosk = CATALOGUE.kiosk_profiles["video-webclient"].model
    broadband = CATALOGUE.broadband_profiles["rvn-private-apn"].model
    assert profile_problems(ipad.mobileconfig(ipad_kit, kiosk, broadband, "pw")) == []
    assert profile_problems(ipad.app_lock(ipad_kit, kiosk)) == []
    assert apple_schema.payload_schema.cache_info().misses == read


def test_a_bundle_rewrites_only_what_differs_in_content_or_mode(tmp_path: Path) -> None:
    folder = tmp_path / "RVN-2260-00001"
    files = [BundleFile("a.txt", b"public\n"), BundleFile("b.txt", b"secret\n", secret=True), BundleFile("c", b"")]
    assert write_bundle(folder, files, check_mode=True) == ["a.txt", "b.txt", "c"]
    assert not folder.exists()  # check mode writes nothing
    assert write_bundle(folder, files) == ["a.txt", "b.txt", "c"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert write_bundle(folder, files) == []
    (folder / "a.txt").write_bytes(b"public?\n")  # another size
    (folder / "c").write_bytes(b"x")
    (folder / "b.txt").chmod(0o644)  # a secret others can read
    assert write_bundle(folder, files, check_mode=True) == ["a.txt", "b.txt", "c"]
    assert write_bundle(folder, files) == ["a.txt", "b.txt", "c"]
    assert [(folder / f.name).read_bytes() for f in files] == [f.content for f in files]
    assert stat.S_IMODE((folder / "b.txt").stat().st_mode) == 0o600
    (folder / "a.txt").write_bytes(b"PUBLIC\n")  # the same size, other bytes
    assert write_bundle(folder, files) == ["a.txt"]
