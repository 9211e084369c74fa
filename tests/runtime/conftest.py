"""Session fixtures for the runtime suite: PKI, PKCS#12 files, stubs, translated runtimes."""

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.runtime import jvm, pki
from workers.engine.identity_seal import load_p12, seal_material
from workers.engine.runtime import BuildValues, runtime_dex

PACKAGE = "com.example.fused"
PINNED_HOST = "localhost"


@dataclass(frozen=True)
class Pki:
    client_ca: pki.Issued
    other_ca: pki.Issued
    server_ca: pki.Issued
    server: pki.Issued
    untrusted_server: pki.Issued
    client: pki.Issued
    expired_client: pki.Issued
    future_client: pki.Issued
    ec_client: pki.Issued
    signer: pki.Issued
    attacker: pki.Issued


@pytest.fixture(scope="session")
def runtime_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("runtime")


@pytest.fixture(scope="session")
def test_pki(runtime_dir) -> Pki:
    directory = runtime_dir / "pki"
    directory.mkdir()
    client_ca = pki.make_ca(directory, "client-ca", "Fusebox Test Client CA")
    server_ca = pki.make_ca(directory, "server-ca", "Fusebox Test Server CA")
    rogue_ca = pki.make_ca(directory, "rogue-ca", "Rogue CA")
    signing_ca = pki.make_ca(directory, "signing", "App Signing")
    return Pki(
        client_ca=client_ca,
        other_ca=pki.make_ca(directory, "other-ca", "Other Client CA"),
        server_ca=server_ca,
        server=pki.issue(directory, "server", server_ca, "localhost", server=True),
        untrusted_server=pki.issue(directory, "rogue", rogue_ca, "localhost", server=True),
        client=pki.issue(directory, "client", client_ca, "fusebox-client-01"),
        expired_client=pki.issue(
            directory, "expired", client_ca, "fusebox-client-expired", valid_days=(-30, -1)
        ),
        future_client=pki.issue(
            directory, "future", client_ca, "fusebox-client-future", valid_days=(2, 30)
        ),
        ec_client=pki.issue(directory, "ec", client_ca, "fusebox-client-ec", key_type="ec"),
        signer=signing_ca,
        attacker=pki.make_ca(directory, "attacker", "Somebody Else"),
    )


@pytest.fixture(scope="session")
def p12_files(test_pki, runtime_dir) -> dict[str, bytes]:
    """PKCS#12 identities as `openssl pkcs12 -export` writes them, default and -legacy."""
    return {
        "default": pki.export_p12(test_pki.client, test_pki.client_ca, runtime_dir / "d.p12"),
        "legacy": pki.export_p12(
            test_pki.client, test_pki.client_ca, runtime_dir / "l.p12", legacy=True
        ),
        "expired": pki.export_p12(
            test_pki.expired_client, test_pki.client_ca, runtime_dir / "e.p12"
        ),
        "future": pki.export_p12(
            test_pki.future_client, test_pki.client_ca, runtime_dir / "f.p12"
        ),
        "ec": pki.export_p12(test_pki.ec_client, test_pki.client_ca, runtime_dir / "ec.p12"),
    }


@pytest.fixture(scope="session")
def signer_sha256(test_pki) -> bytes:
    return hashlib.sha256(test_pki.signer.cert_der).digest()


@pytest.fixture(scope="session")
def runtime_secret() -> bytes:
    return os.urandom(32)


@pytest.fixture(scope="session")
def sealed_assets(p12_files, signer_sha256, runtime_secret, runtime_dir) -> dict[str, Path]:
    """An assets/ folder per identity, all sealed with the build's one runtime secret."""
    folders = {}
    for name, p12 in p12_files.items():
        material = load_p12(p12, pki.P12_PASSWORD)
        sealed = seal_material(
            material, signer_sha256=signer_sha256, package=PACKAGE, runtime_secret=runtime_secret
        )
        folder = runtime_dir / f"assets-{name}"
        (folder / "fusebox").mkdir(parents=True)
        (folder / "fusebox" / "identity.bin").write_bytes(sealed.asset)
        folders[name] = folder

    tampered = bytearray((folders["default"] / "fusebox" / "identity.bin").read_bytes())
    tampered[-20] ^= 0x01
    folders["tampered"] = runtime_dir / "assets-tampered"
    (folders["tampered"] / "fusebox").mkdir(parents=True)
    (folders["tampered"] / "fusebox" / "identity.bin").write_bytes(bytes(tampered))
    return folders


@pytest.fixture(scope="session")
def signer_files(test_pki, runtime_dir) -> dict[str, Path]:
    """DER signing certificates the stub PackageManager reports: the real one and another."""
    files = {}
    for name, issued in (("app", test_pki.signer), ("attacker", test_pki.attacker)):
        files[name] = runtime_dir / f"signer-{name}.der"
        files[name].write_bytes(issued.cert_der)
    return files


@pytest.fixture(scope="session")
def trust_store(test_pki, runtime_dir) -> Path:
    """The JVM's default trust store for the test: the server CA only."""
    path = runtime_dir / "trust.p12"
    subprocess.run(
        [
            "keytool",
            "-importcert",
            "-noprompt",
            "-alias",
            "server-ca",
            "-file",
            str(test_pki.server_ca.cert_path),
            "-keystore",
            str(path),
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit",
        ],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture(scope="session")
def jvm_stubs(runtime_dir) -> Path:
    if jvm.missing_jvm_tools():
        pytest.skip("enjarify, javac or java is missing")
    return jvm.compile_stubs(runtime_dir / "stubs")


@pytest.fixture(scope="session")
def runtime_jar(jvm_stubs, runtime_dir, runtime_secret, signer_sha256):
    """The patched runtime DEX translated by enjarify, once per Threat-Events mode."""
    jars = {}

    def for_mode(mode: str) -> Path:
        if mode not in jars:
            values = BuildValues(
                runtime_secret=runtime_secret,
                signer_sha256=signer_sha256,
                mode=mode,
                message=f"Protected app ({mode}): identity check failed.",
                fail_safe_delay_ms=7000,
                threat_score=40,
                build_date="2026-12-03T16:00:00Z",
                build_user="ci@example.com",
                build_host="fusebox.example.com",
                fused_app_token="token-123",
                external_id="ext-42",
                pinned_hosts=(PINNED_HOST,),
            )
            jars[mode] = jvm.translate(runtime_dex(values), runtime_dir / f"jar-{mode}")
        return jars[mode]

    return for_mode
