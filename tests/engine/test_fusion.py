"""Fusing mTLS Pre-Authentication into real apps, checked with Google's tools and check-fused."""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime import pki
from tests.support.android import (
    ACCEPTED_CORPUS,
    AppSpec,
    build_app,
    corpus_file,
    requires_android_tools,
)
from workers.engine import runtime
from workers.engine.errors import EngineError
from workers.engine.fused_check import check_fused
from workers.engine.fusion import FusionRequest, ThreatEventSettings, fuse_apk
from workers.engine.signing import load_signer

pytestmark = [requires_android_tools, pytest.mark.android_tools]

PINNED_HOST = "api.example.com"
EXISTING_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<network-security-config>
    <base-config cleartextTrafficPermitted="false" />
    <domain-config cleartextTrafficPermitted="true">
        <domain includeSubdomains="true">legacy.example.org</domain>
    </domain-config>
</network-security-config>
"""
FIXTURE_APPS = {
    "application-class": AppSpec(package="com.example.withapp"),
    "no-application-class": AppSpec(package="com.example.noapp", application_class=None),
    "final-application-class": AppSpec(
        package="com.example.finalapp",
        application_class="com.example.finalapp.SealedApp",
        final_application=True,
    ),
    "multidex": AppSpec(package="com.example.multidex", extra_dex_count=2),
    "min-sdk-28": AppSpec(package="com.example.modern", min_sdk=28, target_sdk=33),
    "own-network-config": AppSpec(
        package="com.example.ownconfig", network_security_config=EXISTING_CONFIG
    ),
    "native-no-internet": AppSpec(
        package="com.example.nativeapp", native_abis=("arm64-v8a",), internet_permission=False
    ),
}


@pytest.fixture(scope="session")
def fusion_pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fusion-pki")
    ca = pki.make_ca(directory, "client-ca", "Fusion Test Client CA")
    other_ca = pki.make_ca(directory, "other-ca", "Unrelated CA")
    server_ca = pki.make_ca(directory, "server-ca", "Fusion Test Server CA")
    client = pki.issue(directory, "client", ca, "fusion-client")
    stranger = pki.issue(directory, "stranger", other_ca, "stranger-client")
    return {
        "ca_pem": ca.cert_path.read_bytes(),
        "server_ca_pem": server_ca.cert_path.read_bytes(),
        "p12": pki.export_p12(client, ca, directory / "client.p12"),
        "stranger_p12": pki.export_p12(stranger, other_ca, directory / "stranger.p12"),
        "directory": directory,
    }


@pytest.fixture(scope="session")
def signer(rsa_keystore):
    return load_signer(keystore=rsa_keystore.path, password=rsa_keystore.password.encode())


def _request(fusion_pki, signer=None, **overrides) -> FusionRequest:
    values = {
        "ca_pem": fusion_pki["ca_pem"],
        "identity_p12": fusion_pki["p12"],
        "identity_password": pki.P12_PASSWORD,
        "pinned_hosts": (PINNED_HOST,),
        "server_ca_pems": (fusion_pki["server_ca_pem"],),
        "threat_events": ThreatEventSettings(mode="defend", message="Blocked by policy"),
        "signer": signer,
        "build_user": "ci@example.com",
    }
    values.update(overrides)
    return FusionRequest(**values)


def _tool(*args: str) -> str:
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, f"{args[0]} {args[1]} failed: {result.stdout}{result.stderr}"
    return result.stdout + result.stderr


def _signer_digests(apk: Path) -> list[str]:
    output = _tool("apksigner", "verify", "--print-certs", str(apk))
    return re.findall(r"certificate SHA-256 digest: ([0-9a-f]{64})", output)


def _assert_accepted_by_android_tools(apk: Path, signer) -> None:
    assert _signer_digests(apk) == [signer.certificate_sha256]
    _tool("zipalign", "-c", "-p", "4", str(apk))
    _tool("aapt", "dump", "badging", str(apk))
    resources = _tool("aapt", "dump", "--values", "resources", str(apk))
    assert '"res/xml/fusebox_network_security_config.xml"' in resources

    manifest = _tool("aapt", "dump", "xmltree", str(apk), "AndroidManifest.xml")
    assert runtime.PROVIDER_CLASS in manifest
    assert "android.permission.INTERNET" in manifest


@pytest.mark.parametrize("name", sorted(FIXTURE_APPS))
def test_it_fuses_fixture_apps_into_signed_apps_that_carry_the_protection(
    name, android_workdir, rsa_keystore, fusion_pki, signer, tmp_path
):
    app = build_app(android_workdir / f"fusion-{name}", FIXTURE_APPS[name], rsa_keystore)

    result = fuse_apk(app, tmp_path / "fused.apk", _request(fusion_pki, signer))

    _assert_accepted_by_android_tools(result.output, signer)
    listing = _tool("aapt", "list", str(result.output)).split()
    dexdump = _tool("dexdump", "-f", str(result.output))
    assert "Lio/fusebox/runtime/InitProvider;" in dexdump
    assert result.runtime_dex in listing
    inspection = check_fused(result.output, ca_pem=fusion_pki["ca_pem"])
    assert inspection.status == "present", inspection.findings
    assert inspection.threat_events["mode"] == "defend"
    assert "CN=fusion-client" in inspection.identity["subject"]
    assert [entry["host"] for entry in inspection.pinned_hosts if entry["spki_pins"]] == [
        PINNED_HOST
    ]


def test_it_keeps_the_apps_own_network_security_config_when_pinning(
    android_workdir, rsa_keystore, fusion_pki, signer, tmp_path
):
    app = build_app(
        android_workdir / "fusion-own-config-merge",
        FIXTURE_APPS["own-network-config"],
        rsa_keystore,
    )

    result = fuse_apk(app, tmp_path / "fused.apk", _request(fusion_pki, signer))

    hosts = {entry["host"] for entry in check_fused(result.output).pinned_hosts}
    assert hosts == {"legacy.example.org", PINNED_HOST}
    assert any("merged" in message for message in result.messages)


def test_it_puts_the_runtime_in_a_new_dex_after_the_apps_own(
    android_workdir, rsa_keystore, fusion_pki, signer, tmp_path
):
    app = build_app(android_workdir / "fusion-multidex", FIXTURE_APPS["multidex"], rsa_keystore)

    result = fuse_apk(app, tmp_path / "fused.apk", _request(fusion_pki, signer))

    assert result.runtime_dex == "classes4.dex"


def test_a_copy_re_signed_by_someone_else_reports_the_identity_as_broken(
    fixture_app, ec_keystore, fusion_pki, signer, tmp_path
):
    fused = fuse_apk(fixture_app, tmp_path / "fused.apk", _request(fusion_pki, signer)).output
    resigned = tmp_path / "resigned.apk"
    _tool(
        "apksigner", "sign", "--ks", str(ec_keystore.path), "--ks-pass",
        f"pass:{ec_keystore.password}", "--out", str(resigned), str(fused),
    )  # fmt: skip

    inspection = check_fused(resigned)

    assert inspection.status == "broken"
    identity = next(f for f in inspection.findings if f.check == "identity")
    assert identity.status == "broken"
    assert "identity_not_decryptable" in identity.detail


def test_an_app_that_was_never_fused_reports_the_protection_absent(fixture_app):
    inspection = check_fused(fixture_app)

    assert inspection.status == "absent"
    assert not inspection.protected


def test_private_signing_leaves_the_app_unsigned_and_bound_to_the_final_certificate(
    fixture_app, rsa_keystore, fusion_pki, signer, tmp_path
):
    request = _request(fusion_pki, signer_fingerprint=bytes.fromhex(signer.certificate_sha256))
    unsigned = fuse_apk(fixture_app, tmp_path / "unsigned.apk", request).output

    assert check_fused(unsigned).status == "awaiting_signature"
    _tool("zipalign", "-c", "-p", "4", str(unsigned))

    signed = tmp_path / "signed.apk"
    _tool(
        "apksigner", "sign", "--ks", str(rsa_keystore.path), "--ks-pass",
        f"pass:{rsa_keystore.password}", "--out", str(signed), str(unsigned),
    )  # fmt: skip
    assert check_fused(signed).status == "present"


def test_it_refuses_an_identity_that_the_ca_did_not_issue(
    fixture_app, fusion_pki, signer, tmp_path
):
    request = _request(fusion_pki, signer, identity_p12=fusion_pki["stranger_p12"])

    with pytest.raises(EngineError) as caught:
        fuse_apk(fixture_app, tmp_path / "fused.apk", request)

    assert caught.value.code == "p12_not_issued_by_ca"
    assert not (tmp_path / "fused.apk").exists()
    assert list(tmp_path.iterdir()) == []


def test_it_refuses_a_wrong_identity_password_without_echoing_it(
    fixture_app, fusion_pki, signer, tmp_path
):
    request = _request(fusion_pki, signer, identity_password=b"not-the-password")

    with pytest.raises(EngineError) as caught:
        fuse_apk(fixture_app, tmp_path / "fused.apk", request)

    assert caught.value.code == "p12_bad_password"
    assert "not-the-password" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_the_identity_asset_holds_no_key_or_certificate_in_clear(
    fixture_app, fusion_pki, signer, tmp_path
):
    fused = fuse_apk(fixture_app, tmp_path / "fused.apk", _request(fusion_pki, signer)).output
    report_asset = subprocess.run(
        ["unzip", "-p", str(fused), runtime.IDENTITY_ASSET], capture_output=True, check=True
    ).stdout

    assert len(report_asset) > 100
    assert b"-----BEGIN" not in report_asset
    client_cert = (fusion_pki["directory"] / "client.pem").read_bytes()
    der = pki.x509.load_pem_x509_certificate(client_cert).public_bytes(
        pki.serialization.Encoding.DER
    )
    assert der[20:80] not in report_asset


@pytest.mark.slow
@pytest.mark.parametrize("name", ACCEPTED_CORPUS)
def test_it_fuses_every_accepted_corpus_app(name, fusion_pki, signer, tmp_path):
    source = corpus_file(name)

    result = fuse_apk(source, tmp_path / "fused.apk", _request(fusion_pki, signer))

    _assert_accepted_by_android_tools(result.output, signer)
    assert check_fused(result.output).status == "present"


def test_the_fuse_command_writes_a_protected_app_and_check_fused_exits_zero(
    fixture_app, rsa_keystore, fusion_pki, tmp_path
):
    password_file = tmp_path / "identity.pass"
    password_file.write_bytes(pki.P12_PASSWORD + b"\n")
    store_password = tmp_path / "store.pass"
    store_password.write_text(rsa_keystore.password + "\n")
    identity = tmp_path / "client.p12"
    identity.write_bytes(fusion_pki["p12"])
    ca = tmp_path / "ca.pem"
    ca.write_bytes(fusion_pki["ca_pem"])
    output = tmp_path / "out.apk"
    fusebox = [sys.executable, "-m", "workers.engine.cli"]

    fused = subprocess.run(
        [*fusebox, "fuse", str(fixture_app), str(output), "--ca", str(ca), "--identity",
         str(identity), "--identity-password-file", str(password_file), "--pin-host",
         "*.example.com", "--threat-events", "detect", "--keystore", str(rsa_keystore.path),
         "--password-file", str(store_password)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    checked = subprocess.run(
        [*fusebox, "check-fused", str(output), "--ca", str(ca), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    unfused = subprocess.run(
        [*fusebox, "check-fused", str(fixture_app)], capture_output=True, text=True, check=False
    )

    assert fused.returncode == 0, fused.stderr
    assert "Signed with" in fused.stdout
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert '"mode": "detect"' in checked.stdout
    assert unfused.returncode == 2
    assert "absent" in unfused.stdout


def test_the_fuse_command_explains_a_wrong_password_in_one_line(
    fixture_app, rsa_keystore, fusion_pki, tmp_path
):
    password_file = tmp_path / "identity.pass"
    password_file.write_text("wrong\n")
    identity = tmp_path / "client.p12"
    identity.write_bytes(fusion_pki["p12"])
    ca = tmp_path / "ca.pem"
    ca.write_bytes(fusion_pki["ca_pem"])

    result = subprocess.run(
        [sys.executable, "-m", "workers.engine.cli", "fuse", str(fixture_app),
         str(tmp_path / "out.apk"), "--ca", str(ca), "--identity", str(identity),
         "--identity-password-file", str(password_file), "--signer-fingerprint",
         hashlib.sha256(b"x").hexdigest()],
        capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 2
    assert result.stderr.startswith("error: p12_bad_password: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.apk").exists()
