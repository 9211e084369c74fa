"""Key material, fixture apps and independent checks (apksigner, jarsigner, zipalign) for
the signing and verification tests. Keys are generated here, never stored in the repo.
"""

import datetime
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.oid import NameOID

from tests.support.android import (
    ACCEPTED_CORPUS,
    KEYSTORE_PASSWORD,
    UNSIGNED_CORPUS,
    AppSpec,
    Keystore,
    build_app,
)

PEM_PASSWORD = b"pem-fixture-pass"
SIGNED_CORPUS = tuple(name for name in ACCEPTED_CORPUS if name not in UNSIGNED_CORPUS)


@dataclass(frozen=True)
class PemPair:
    key: Path
    cert: Path
    sha256: str


def make_key(kind: str):
    """``rsa2048``, ``rsa4096``, ``rsa1024``, ``ec256``, ``ec384``, ``ec521`` or ``dsa``."""
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    if kind.startswith("ec"):
        curves = {"ec256": ec.SECP256R1(), "ec384": ec.SECP384R1(), "ec521": ec.SECP521R1()}
        return ec.generate_private_key(curves[kind])
    if kind == "dsa":
        return dsa.generate_private_key(key_size=2048)
    raise ValueError(kind)


def self_signed(key, common_name: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )


def write_pem_pair(
    directory: Path, kind: str, *, encrypted: bool = False, traditional: bool = False
) -> PemPair:
    directory.mkdir(parents=True, exist_ok=True)
    key = make_key(kind)
    certificate = self_signed(key, f"PEM {kind} signer")
    encryption = (
        serialization.BestAvailableEncryption(PEM_PASSWORD)
        if encrypted
        else serialization.NoEncryption()
    )
    key_format = (
        serialization.PrivateFormat.TraditionalOpenSSL
        if traditional
        else serialization.PrivateFormat.PKCS8
    )
    suffix = f"{kind}{'-enc' if encrypted else ''}{'-trad' if traditional else ''}"
    key_path = directory / f"key-{suffix}.pem"
    cert_path = directory / f"cert-{suffix}.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, key_format, encryption))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    sha256 = certificate.fingerprint(hashes.SHA256()).hex()
    return PemPair(key_path, cert_path, sha256)


def keytool_keystore(
    directory: Path,
    key_args: list[str],
    alias: str = "release",
    password: str = KEYSTORE_PASSWORD,
    filename: str | None = None,
) -> Keystore:
    """A keytool PKCS#12 store with any key type; an existing ``filename`` gets one more key."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (filename or f"{alias}.p12")
    subprocess.run(
        [
            "keytool",
            "-genkeypair",
            "-keystore",
            str(path),
            "-storetype",
            "PKCS12",
            "-storepass",
            password,
            "-keypass",
            password,
            "-alias",
            alias,
            *key_args,
            "-validity",
            "365",
            "-dname",
            "CN=Refused Signer,O=Fusebox Tests,C=US",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Keystore(path=path, alias=alias, password=password, key_type="other")


def build_unsigned_app(directory: Path, min_sdk: int, **fields) -> Path:
    spec = AppSpec(package=f"com.example.sign{min_sdk}", min_sdk=min_sdk, **fields)
    return build_app(directory, spec, sign=False)


@dataclass(frozen=True)
class ApksignerResult:
    ok: bool
    schemes: dict[str, bool]
    signer_sha256: list[str]
    output: str


def apksigner_verify(path: Path, min_sdk: int | None = None) -> ApksignerResult:
    """Run Debian's apksigner and parse what it says; it is the independent judge here."""
    args = ["apksigner", "verify", "-v", "--print-certs"]
    if min_sdk is not None:
        args += ["--min-sdk-version", str(min_sdk)]
    result = subprocess.run([*args, str(path)], capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    schemes = {
        match.group(1): match.group(2) == "true"
        for match in re.finditer(r"Verified using (v\d) scheme .*?: (true|false)", output)
    }
    digests = re.findall(r"Signer #\d+ certificate SHA-256 digest: ([0-9a-f]{64})", output)
    signers = re.search(r"Number of signers: (\d+)", output)
    ok = result.returncode == 0 and output.startswith("Verifies")
    if signers and int(signers.group(1)) != len(digests):
        ok = False
    return ApksignerResult(ok, schemes, digests, output)


def jarsigner_verifies(path: Path) -> bool:
    result = subprocess.run(
        ["jarsigner", "-verify", str(path)], capture_output=True, text=True, timeout=120
    )
    return result.returncode == 0 and "jar verified." in result.stdout


def zipalign_ok(path: Path) -> bool:
    result = subprocess.run(
        ["zipalign", "-c", "-p", "4", str(path)], capture_output=True, timeout=120
    )
    return result.returncode == 0


def have_jarsigner() -> bool:
    return shutil.which("jarsigner") is not None


def flipped_copy(source: Path, destination: Path, offset: int) -> Path:
    data = bytearray(source.read_bytes())
    data[offset] ^= 0xFF
    destination.write_bytes(bytes(data))
    return destination


def apk_sections(path: Path) -> dict[str, int]:
    """Offsets of the signing block, central directory and end record of a signed APK."""
    data = path.read_bytes()
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", data, eocd + 12)
    (block_size,) = struct.unpack_from("<Q", data, cd_offset - 24)
    return {"block": cd_offset - block_size - 8, "cd": cd_offset, "eocd": eocd, "cd_size": cd_size}


def without_signing_block(source: Path, destination: Path) -> Path:
    """The APK with its signing block cut out and the end record fixed: a stripping attack."""
    data = source.read_bytes()
    sections = apk_sections(source)
    block, cd = sections["block"], sections["cd"]
    stripped = bytearray(data[:block] + data[cd:])
    eocd = sections["eocd"] - (cd - block)
    struct.pack_into("<I", stripped, eocd + 16, block)
    destination.write_bytes(bytes(stripped))
    return destination


def with_custom_block(source: Path, destination: Path, make_pairs) -> Path:
    """Insert a hand-made signing block into an unsigned (or stripped) APK.

    ``make_pairs(content_digest)`` returns the block's (id, value) pairs, so tests can
    build layouts our signer never writes: mixed signers, v3.1, unknown algorithms.
    """
    from workers.engine.signing import block as signing_block
    from workers.engine.signing import layout

    with source.open("rb") as handle:
        apk = layout.read_layout(handle, source.stat().st_size)
        handle.seek(apk.cd_offset)
        central = handle.read(apk.cd_size)
        digest = signing_block.digest_file_sections(
            handle, apk.cd_offset, central, signing_block.eocd_pointing_at(apk.eocd, apk.cd_offset)
        )["sha256"]
        handle.seek(0)
        entries = handle.read(apk.cd_offset)
    block = signing_block.signing_block(make_pairs(digest))
    end_record = signing_block.eocd_pointing_at(apk.eocd, apk.cd_offset + len(block))
    destination.write_bytes(entries + block + central + end_record)
    return destination
