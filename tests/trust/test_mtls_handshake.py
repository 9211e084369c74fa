"""An identity Fusebox issued and hands to the worker completes a real mTLS handshake."""

import socket
import ssl
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from console.tenancy import scope
from tests.trust import pki
from trust import services
from trust.errors import TRUST_ERROR_CODES
from trust.material import load_identity_for_fusion

pytestmark = pytest.mark.django_db


def server_context(ca, tmp_path) -> ssl.SSLContext:
    """A TLS server that demands a client certificate chaining to the fixture root CA."""
    import ipaddress

    from cryptography import x509

    key = pki.ec_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(pki.name("localhost"))
        .issuer_name(ca.intermediate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(pki.NOW - pki.DAY)
        .not_valid_after(pki.NOW + 30 * pki.DAY)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca.intermediate_key, pki.hashes.SHA256())
    )
    (tmp_path / "server.pem").write_bytes(pki.pem(certificate, ca.intermediate))
    (tmp_path / "server.key").write_bytes(pki.key_pem(key))

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=pki.pem(ca.root).decode())
    return context


def handshake(server: ssl.SSLContext, client: ssl.SSLContext) -> str:
    """Run one handshake over a local socket; return the client subject the server saw."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen = {}

    def serve():
        connection, _address = listener.accept()
        try:
            with server.wrap_socket(connection, server_side=True) as tls:
                seen["subject"] = dict(x[0] for x in tls.getpeercert()["subject"])["commonName"]
                tls.sendall(b"ok")
        except (ssl.SSLError, OSError) as error:
            seen["error"] = error

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with (
            socket.create_connection(listener.getsockname()) as raw,
            client.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            tls.recv(2)
    finally:
        thread.join(5)
        listener.close()
    if "error" in seen:
        raise seen["error"]
    return seen["subject"]


def client_context(material, ca, tmp_path) -> ssl.SSLContext:
    key = serialization.load_der_private_key(material.private_key_der, None)
    (tmp_path / "client.key").write_bytes(pki.key_pem(key))
    (tmp_path / "client.pem").write_bytes(material.certificate_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cadata=pki.pem(ca.root).decode())
    context.load_cert_chain(tmp_path / "client.pem", tmp_path / "client.key")
    return context


@pytest.mark.parametrize("key_choice", ["ec-p256", "rsa-2048"])
def test_an_issued_identity_passes_a_python_ssl_mtls_handshake(cast, ca, tmp_path, key_choice):
    with scope(cast.a.organization):
        device_ca = services.create_ca(
            "Device CA", pki.pem(ca.intermediate), private_key=pki.key_pem(ca.intermediate_key)
        )
        identity = services.issue_identity(device_ca, "Kiosk", "kiosk-7", 30, key_choice)
        material = load_identity_for_fusion(identity.pk)

    seen = handshake(server_context(ca, tmp_path), client_context(material, ca, tmp_path))

    assert seen == "kiosk-7"


def test_a_server_refuses_an_identity_from_another_ca(cast, ca, tmp_path):
    with scope(cast.a.organization):
        other_ca = services.create_ca(
            "Other CA", pki.pem(ca.other_root), private_key=pki.key_pem(ca.other_root_key)
        )
        identity = services.issue_identity(other_ca, "Stray", "stray", 30)
        material = load_identity_for_fusion(identity.pk)

    with pytest.raises((ssl.SSLError, ConnectionError)):
        handshake(server_context(ca, tmp_path), client_context(material, ca, tmp_path))


def test_the_documentation_lists_every_error_code():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "trust.md").read_text()

    assert [code for code in TRUST_ERROR_CODES if f"`{code}`" not in text] == []
