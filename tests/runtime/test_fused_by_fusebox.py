"""The runtime in an app fused by ``fuse_apk``, started from the manifest's provider entry.

This is the whole chain: Fusebox fuses a fixture app; aapt reads the provider the fused
manifest declares; the driver starts that class from the fused app's runtime DEX with the
APK's assets and signer, and connects to a server that asks for the client CA.
"""

import hashlib
import re
import subprocess
import zipfile

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from tests.runtime import jvm, pki
from tests.runtime.tls_server import TlsServer
from tests.support.android import AppSpec, build_app
from workers.engine.fusion import FusionRequest, ThreatEventSettings, fuse_apk
from workers.engine.runtime import IDENTITY_ASSET
from workers.engine.signing import load_signer

pytestmark = [
    pytest.mark.jvm,
    pytest.mark.slow,
    pytest.mark.android_tools,
    pytest.mark.xdist_group("runtime-jvm"),
]

PACKAGE = "com.example.fusedbyfusebox"


def manifest_provider(apk) -> dict[str, str]:
    """The provider entry of the fused manifest, as aapt (Google's parser) reads it."""
    tree = subprocess.run(
        ["aapt", "dump", "xmltree", str(apk), "AndroidManifest.xml"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    block = tree.split("E: provider", 1)[1].split("E: ", 1)[0]
    patterns = {
        "name": r'android:name\(0x[0-9a-f]+\)="([^"]+)"',
        "authorities": r'android:authorities\(0x[0-9a-f]+\)="([^"]+)"',
        "initOrder": r"android:initOrder\(0x[0-9a-f]+\)=\(type 0x10\)(0x[0-9a-f]+)",
        "exported": r"android:exported\(0x[0-9a-f]+\)=\(type 0x12\)(0x[0-9a-f]+)",
    }
    return {key: re.search(pattern, block).group(1) for key, pattern in patterns.items()}


@pytest.fixture(scope="module")
def fused(tmp_path_factory, rsa_keystore, p12_files, test_pki):
    directory = tmp_path_factory.mktemp("fused-by-fusebox")
    source = build_app(directory / "src", AppSpec(package=PACKAGE), rsa_keystore)
    request = FusionRequest(
        ca_pem=test_pki.client_ca.cert_path.read_bytes(),
        identity_p12=p12_files["default"],
        identity_password=pki.P12_PASSWORD,
        signer=load_signer(keystore=rsa_keystore.path, password=rsa_keystore.password.encode()),
        threat_events=ThreatEventSettings(mode="detect"),
    )
    result = fuse_apk(source, directory / "fused.apk", request)

    unpacked = directory / "unpacked"
    with zipfile.ZipFile(result.output) as archive:
        dex = archive.read(result.runtime_dex)
        asset = unpacked / IDENTITY_ASSET
        asset.parent.mkdir(parents=True)
        asset.write_bytes(archive.read(IDENTITY_ASSET))
    _, certificate, _ = pkcs12.load_key_and_certificates(
        rsa_keystore.path.read_bytes(), rsa_keystore.password.encode()
    )
    signer = directory / "signer.der"
    signer.write_bytes(certificate.public_bytes(Encoding.DER))
    return result, dex, unpacked / "assets", signer


def test_the_fused_app_signed_by_its_key_presents_the_identity(
    fused, jvm_stubs, test_pki, tmp_path_factory
):
    result, dex, assets, signer = fused
    provider = manifest_provider(result.output)
    printed = subprocess.run(
        ["apksigner", "verify", "--print-certs", str(result.output)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    assert hashlib.sha256(signer.read_bytes()).hexdigest() in printed
    assert provider == {
        "name": "io.fusebox.runtime.InitProvider",
        "authorities": f"{PACKAGE}.fusebox-init",
        "initOrder": "0x7fffffff",
        "exported": "0x0",
    }

    with TlsServer(
        test_pki.server.cert_path, test_pki.server.key_path, test_pki.client_ca.cert_path
    ) as server:
        run = jvm.run_driver(
            jvm_stubs,
            jvm.translate(dex, tmp_path_factory.mktemp("fused-jar")),
            assets,
            signer,
            PACKAGE,
            [f"own:localhost:{server.port}:{test_pki.server_ca.cert_path}"],
            provider_class=provider["name"],
        )
        handshakes = server.completed_since(0)

    assert run.results[0]["ok"], (run.results[0], run.log)
    assert handshakes[0].subject == "fusebox-client-01"
    assert run.broadcasts == []
