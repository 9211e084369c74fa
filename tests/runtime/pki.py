"""Test PKI generated at run time: client CA, client identities, server CA and certificates."""

import datetime
import ipaddress
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

P12_PASSWORD = b"fixture-identity-pass"


@dataclass(frozen=True)
class Issued:
    key_path: Path
    cert_path: Path
    key: object
    cert: x509.Certificate

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fusebox Test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write(directory: Path, stem: str, key, cert) -> Issued:
    key_path = directory / f"{stem}.key.pem"
    cert_path = directory / f"{stem}.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Issued(key_path, cert_path, key, cert)


def make_ca(directory: Path, stem: str, common_name: str) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return _write(directory, stem, key, cert)


def issue(
    directory: Path,
    stem: str,
    ca: Issued,
    common_name: str,
    *,
    server: bool = False,
    key_type: str | None = None,
    valid_days: tuple[int, int] = (-1, 365),
) -> Issued:
    if key_type is None:
        key_type = "ec" if server else "rsa"
    if key_type == "ec":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC)
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    names = [x509.DNSName(common_name)]
    if server:
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=valid_days[0]))
        .not_valid_after(now + datetime.timedelta(days=valid_days[1]))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return _write(directory, stem, key, cert)


def export_p12(identity: Issued, ca: Issued, out: Path, *, legacy: bool = False) -> bytes:
    """A PKCS#12 written by `openssl pkcs12 -export`, as security teams produce them."""
    command = [
        "openssl",
        "pkcs12",
        "-export",
        "-inkey",
        str(identity.key_path),
        "-in",
        str(identity.cert_path),
        "-certfile",
        str(ca.cert_path),
        "-name",
        "client",
        "-passout",
        "pass:" + P12_PASSWORD.decode(),
        "-out",
        str(out),
    ]
    if legacy:
        command.append("-legacy")
    subprocess.run(command, check=True, capture_output=True)
    return out.read_bytes()
