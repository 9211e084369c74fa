"""Generates the certificates and PKCS#12 files the trust tests need; nothing is checked in."""

import datetime
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.now(datetime.UTC)
DAY = datetime.timedelta(days=1)


def rsa_key(bits: int = 2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_cert(
    subject_key,
    common_name: str,
    *,
    issuer_cert=None,
    issuer_key=None,
    ca: bool = True,
    key_cert_sign: bool | None = None,
    eku=None,
    not_before=None,
    not_after=None,
    digest=None,
):
    """A certificate; self-signed when no issuer is given."""
    issuer_key = issuer_key or subject_key
    issuer_name = issuer_cert.subject if issuer_cert is not None else name(common_name)
    key_cert_sign = ca if key_cert_sign is None else key_cert_sign
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(common_name))
        .issuer_name(issuer_name)
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - DAY)
        .not_valid_after(not_after or NOW + 365 * DAY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=key_cert_sign,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return builder.sign(issuer_key, digest or hashes.SHA256())


def client_cert(ca_cert, ca_key, common_name="device", key=None, **kwargs):
    key = key or ec_key()
    kwargs.setdefault("eku", [ExtendedKeyUsageOID.CLIENT_AUTH])
    cert = make_cert(key, common_name, issuer_cert=ca_cert, issuer_key=ca_key, ca=False, **kwargs)
    return key, cert


def pem(*certs) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def key_der(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def p12(key, cert, password: str, cas=(), friendly_name=b"identity") -> bytes:
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )
    return pkcs12.serialize_key_and_certificates(
        friendly_name, key, cert, list(cas) or None, encryption
    )


def openssl_p12(directory: Path, key, cert, password: str, *, legacy=False, extra_key=None):
    """A PKCS#12 written by the openssl CLI (legacy RC2/3DES with legacy=True)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "key.pem").write_bytes(key_pem(key))
    (directory / "cert.pem").write_bytes(pem(cert))
    out = directory / "out.p12"
    command = [
        "openssl",
        "pkcs12",
        "-export",
        "-in",
        str(directory / "cert.pem"),
        "-inkey",
        str(directory / "key.pem"),
        "-out",
        str(out),
        "-passout",
        "env:FIXTURE_P12_PASSWORD",
        "-name",
        "identity",
    ]
    if legacy:
        command.append("-legacy")
    subprocess.run(
        command, check=True, capture_output=True, env={"FIXTURE_P12_PASSWORD": password}
    )
    return out.read_bytes()


def keytool_keystore(directory: Path, password: str, aliases=("release",), key_password=None):
    """A PKCS#12 keystore as `keytool -genkeypair` writes it, one RSA key per alias."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "release.p12"
    path.unlink(missing_ok=True)
    for alias in aliases:
        subprocess.run(
            [
                "keytool",
                "-genkeypair",
                "-storetype",
                "PKCS12",
                "-keystore",
                str(path),
                "-storepass:env",
                "FIXTURE_STORE_PASSWORD",
                "-keypass:env",
                "FIXTURE_STORE_PASSWORD",
                "-alias",
                alias,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                f"CN={alias}, O=Fixture",
                "-validity",
                "400",
            ],
            check=True,
            capture_output=True,
            env={"FIXTURE_STORE_PASSWORD": password, "PATH": "/usr/bin:/bin"},
        )
    return path.read_bytes()


def colon(raw: bytes) -> str:
    return ":".join(f"{byte:02X}" for byte in raw)


def openssl_self_signed_ca(directory: Path, digest: str) -> bytes:
    """A CA signed with the given digest by the openssl CLI (cryptography refuses SHA-1)."""
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"ca-{digest}.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            f"-{digest}",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(directory / "ca-key.pem"),
            "-out",
            str(out),
            "-days",
            "30",
            "-subj",
            f"/CN=Old {digest} CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        check=True,
        capture_output=True,
    )
    return out.read_bytes()


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


def _oid(dotted: str) -> bytes:
    parts = [int(part) for part in dotted.split(".")]
    body = bytes([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.insert(0, 0x80 | (part & 0x7F))
            part >>= 7
        body += bytes(chunk)
    return _der(0x06, body)


def unprotected_p12(key, cert) -> bytes:
    """A PKCS#12 without encryption or MAC pairing any key with any certificate.

    cryptography and openssl both refuse to write a key beside a certificate that is not its
    own, so the mismatched file is assembled by hand.
    """
    local_key_id = _der(
        0x31, _der(0x30, _oid("1.2.840.113549.1.9.21") + _der(0x31, _der(0x04, b"\x01")))
    )
    key_bag = _der(
        0x30, _oid("1.2.840.113549.1.12.10.1.1") + _der(0xA0, key_der(key)) + local_key_id
    )
    cert_value = _der(0x30, _oid("1.2.840.113549.1.9.22.1") + _der(0xA0, _der(0x04, der(cert))))
    cert_bag = _der(
        0x30, _oid("1.2.840.113549.1.12.10.1.3") + _der(0xA0, cert_value) + local_key_id
    )
    safe_contents = _der(0x30, key_bag + cert_bag)
    data_oid = _oid("1.2.840.113549.1.7.1")
    authenticated_safe = _der(0x30, _der(0x30, data_oid + _der(0xA0, _der(0x04, safe_contents))))
    auth_safe_info = _der(0x30, data_oid + _der(0xA0, _der(0x04, authenticated_safe)))
    return _der(0x30, _der(0x02, b"\x03") + auth_safe_info)
