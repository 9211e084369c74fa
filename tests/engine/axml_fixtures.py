"""Helpers for the binary XML and resource table tests: APK entries in, checked APKs out."""

import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.support.android import CORPUS_DIR

# Byte-identical re-encoding is not possible for these two, and why.
NOT_BYTE_IDENTICAL = {
    # Godot's exporter pads the UTF-16 string pool with 4 bytes more than aapt would.
    "org.sajeg.fallingblocks_3.apk",
}
NOT_BYTE_IDENTICAL_RESOURCES = {
    # An old aapt left idIndex 0 although the element has android:id; aapt2 and current
    # aapt point it at android:id, which is what the writer does.
    ("org.dyndns.fules.ck_20.apk", "res/layout/filepicker.xml"),
}


def corpus_entry(name: str, entry: str) -> bytes:
    path = CORPUS_DIR / name
    if not path.is_file():
        pytest.skip(f"corpus file {name} is absent (expected under {CORPUS_DIR})")
    with zipfile.ZipFile(path) as archive:
        return archive.read(entry)


def read_entries(apk: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(apk) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_apk(directory: Path, name: str, entries: dict[str, bytes]) -> Path:
    """Write entries as an unsigned, aligned APK with resources.arsc stored, as Android needs."""
    unaligned = directory / f"{name}.unaligned.apk"
    with zipfile.ZipFile(unaligned, "w") as archive:
        for entry, data in entries.items():
            if entry.startswith("META-INF/"):
                continue
            stored = entry == "resources.arsc" or entry.endswith(".png")
            method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(entry, (2020, 1, 1, 0, 0, 0)), data, method)
    aligned = directory / f"{name}.apk"
    subprocess.run(
        ["zipalign", "-f", "-p", "4", str(unaligned), str(aligned)],
        check=True,
        capture_output=True,
    )
    return aligned


def aapt(*args: str) -> str:
    """Run aapt and return stdout; a non-zero exit fails the test with aapt's own message."""
    result = subprocess.run(["aapt", *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr or result.stdout
    return result.stdout


def make_ca_pem(common_name: str, key_type: str = "ec") -> bytes:
    """A fresh self-signed CA certificate in PEM (its key is generated and thrown away)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    if key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def resource_value(dump: str, resource_id: int) -> str:
    """The two lines `aapt dump --values resources` prints for one value: entry, then value."""
    lines = dump.splitlines()
    for index, line in enumerate(lines):
        if f"resource 0x{resource_id:08x} " in line and " t=0x" in line:
            return line + "\n" + lines[index + 1]
    raise AssertionError(f"aapt does not list a value for resource 0x{resource_id:08x}")
