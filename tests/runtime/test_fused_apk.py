"""The runtime started from a real APK: its classes2.dex, its assets, its v1 signer.

A fixture app is built with the sealed identity as an asset, the patched runtime is added
as classes2.dex, and the result is aligned and signed with apksigner. The driver then gets
only what the APK holds: the DEX (through enjarify), the extracted assets, and the signing
certificate read from the APK's signature block; apksigner confirms its fingerprint.
"""

import hashlib
import re
import shutil
import subprocess
import zipfile

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7, pkcs12

from tests.runtime import jvm, pki
from tests.runtime.tls_server import TlsServer
from tests.support.android import AppSpec, build_app
from workers.engine import threat_events
from workers.engine.identity_seal import seal_identity
from workers.engine.runtime import IDENTITY_ASSET, BuildValues, runtime_dex

pytestmark = [
    pytest.mark.jvm,
    pytest.mark.slow,
    pytest.mark.android_tools,
    pytest.mark.xdist_group("runtime-jvm"),
]

PACKAGE = "com.example.fusedapk"


def keystore_certificate_sha256(keystore) -> bytes:
    _, certificate, _ = pkcs12.load_key_and_certificates(
        keystore.path.read_bytes(), keystore.password.encode()
    )
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).digest()


def sign(unsigned, keystore, out):
    aligned = out.with_suffix(".aligned.apk")
    subprocess.run(["zipalign", "-f", "-p", "4", str(unsigned), str(aligned)], check=True)
    subprocess.run(
        [
            "apksigner",
            "sign",
            "--ks",
            str(keystore.path),
            "--ks-pass",
            f"pass:{keystore.password}",
            "--ks-key-alias",
            keystore.alias,
            "--min-sdk-version",
            "21",
            "--out",
            str(out),
            str(aligned),
        ],
        check=True,
        capture_output=True,
    )
    return out


def unpack(apk, directory):
    """What the stub context serves: the APK's assets, runtime DEX and v1 signer."""
    directory.mkdir()
    with zipfile.ZipFile(apk) as archive:
        names = archive.namelist()
        for name in names:
            if name.startswith("assets/"):
                target = directory / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
        dex = archive.read("classes2.dex")
        block = next(n for n in names if re.fullmatch(r"META-INF/[^/]+\.(RSA|EC|DSA)", n))
        signer = pkcs7.load_der_pkcs7_certificates(archive.read(block))[0]
    signer_path = directory / "signer.der"
    signer_path.write_bytes(signer.public_bytes(Encoding.DER))
    return directory / "assets", dex, signer_path


def apksigner_sha256(apk) -> str:
    printed = subprocess.run(
        ["apksigner", "verify", "--print-certs", str(apk)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return re.search(r"Signer #1 certificate SHA-256 digest: ([0-9a-f]+)", printed).group(1)


@pytest.fixture(scope="module")
def fused_apks(tmp_path_factory, rsa_keystore, ec_keystore, p12_files):
    """The app fused for the RSA keystore, and the same bytes re-signed with another key."""
    directory = tmp_path_factory.mktemp("fused-apk")
    fingerprint = keystore_certificate_sha256(rsa_keystore)
    sealed = seal_identity(
        p12_files["default"], pki.P12_PASSWORD, signer_sha256=fingerprint, package=PACKAGE
    )
    asset_name = IDENTITY_ASSET.removeprefix("assets/")
    unsigned = build_app(
        directory,
        AppSpec(package=PACKAGE, application_class=None, extra_assets={asset_name: sealed.asset}),
        sign=False,
    )
    work = directory / "add"
    work.mkdir()
    shutil.copy(unsigned, work / "app.apk")
    values = BuildValues(
        runtime_secret=sealed.runtime_secret, signer_sha256=fingerprint, mode="detect"
    )
    (work / "classes2.dex").write_bytes(runtime_dex(values))
    subprocess.run(["aapt", "add", "app.apk", "classes2.dex"], cwd=work, check=True)

    return {
        "genuine": sign(work / "app.apk", rsa_keystore, directory / "genuine.apk"),
        "resigned": sign(work / "app.apk", ec_keystore, directory / "resigned.apk"),
        "fingerprint": fingerprint,
    }


def start(apk, name, tmp_path_factory, jvm_stubs, server, test_pki):
    assets, dex, signer = unpack(apk, tmp_path_factory.mktemp(name) / "apk")
    jar = jvm.translate(dex, tmp_path_factory.mktemp(name + "-jar"))
    action = f"own:localhost:{server.port}:{test_pki.server_ca.cert_path}"
    return jvm.run_driver(jvm_stubs, jar, assets, signer, PACKAGE, [action]), signer


@pytest.fixture(scope="module")
def client_ca_server(test_pki):
    with TlsServer(
        test_pki.server.cert_path, test_pki.server.key_path, test_pki.client_ca.cert_path
    ) as server:
        yield server


def test_the_app_signed_by_its_key_presents_the_identity(
    fused_apks, tmp_path_factory, jvm_stubs, client_ca_server, test_pki
):
    apk = fused_apks["genuine"]

    run, signer = start(apk, "genuine", tmp_path_factory, jvm_stubs, client_ca_server, test_pki)

    assert apksigner_sha256(apk) == fused_apks["fingerprint"].hex()
    assert hashlib.sha256(signer.read_bytes()).digest() == fused_apks["fingerprint"]
    assert run.results[0]["ok"], (run.results[0], run.log)
    assert run.results[0]["body"].startswith("subject=fusebox-client-01\n")
    assert run.broadcasts == []


def test_the_same_app_resigned_by_another_key_cannot_load_its_identity(
    fused_apks, tmp_path_factory, jvm_stubs, client_ca_server, test_pki
):
    apk = fused_apks["resigned"]

    run, _ = start(apk, "resigned", tmp_path_factory, jvm_stubs, client_ca_server, test_pki)

    actual = apksigner_sha256(apk)
    assert actual != fused_apks["fingerprint"].hex()
    assert not run.results[0]["ok"]
    assert len(run.broadcasts) == 1
    extras = run.broadcasts[0]["extras"]
    assert set(extras) == threat_events.always_present_keys()
    assert extras["reasonCode"] == "IdentitySignerMismatch"
    assert extras["reasonData"] == actual
