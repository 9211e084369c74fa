"""Fixtures for the Certified Secure report tests: one authority, one rendered report."""

import fcntl
import shutil
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper

from certified.render import render_report_pdf
from certified.report import Report, canonical_json
from certified.sample import sample_report_dict
from certified.signing import ReportAuthority, sign_report_json, sign_report_pdf


@pytest.fixture(scope="session")
def authority():
    return ReportAuthority.create("Northwind Mobile Ltd")


@pytest.fixture(scope="session")
def other_authority():
    """A second Fusebox installation: its CA must not vouch for the first one's reports."""
    return ReportAuthority.create("Northwind Mobile Ltd")


@pytest.fixture(scope="session")
def report():
    return Report.from_dict(sample_report_dict(audit_events=200))


@pytest.fixture(scope="session")
def unsigned_pdf(report, tmp_path_factory, worker_id):
    """Rendered once per test run: parallel workers share the file instead of each paying
    for a 200-event render (the report facts are deterministic)."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # this run's directory, common to all its workers
    cached = shared / "certified-report-200-events.pdf"
    with (shared / "certified-report.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cached.exists():
            cached.write_bytes(render_report_pdf(report))
    return cached.read_bytes()


@pytest.fixture(scope="session")
def signed_pdf(unsigned_pdf, authority):
    return sign_report_pdf(unsigned_pdf, authority)


@pytest.fixture(scope="session")
def signed_json(report, authority):
    canonical = canonical_json(report)
    return canonical, sign_report_json(canonical, authority)


@pytest.fixture(scope="session")
def ca_file(tmp_path_factory, authority):
    path = tmp_path_factory.mktemp("report-ca") / "report-ca.pem"
    path.write_bytes(authority.ca_certificate_pem())
    return path


@pytest.fixture(scope="session")
def timestamp_authority():
    """A test TSA (pyHanko's DummyTimeStamper) with its own root, as an outside TSA would."""
    now = datetime.now(UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # Dummy TSA: RSA only
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA Root")])
    tsa_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    root = (
        _certificate(root_name, root_name, root_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    tsa = (
        _certificate(tsa_name, root_name, tsa_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    key_der = tsa_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
    )
    return stamper, root


def _certificate(subject, issuer, public_key, now):
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=30))
    )


@pytest.fixture(scope="session")
def nss_database(tmp_path_factory, authority):
    """An NSS database that trusts the report CA, as an auditor's PDF reader would."""
    if not shutil.which("pdfsig") or not shutil.which("certutil"):
        pytest.skip("poppler-utils and libnss3-tools are needed for pdfsig")
    directory = tmp_path_factory.mktemp("nss")
    ca = directory / "ca.pem"
    ca.write_bytes(authority.ca_certificate_pem())
    database = f"sql:{directory}"
    subprocess.run(["certutil", "-N", "--empty-password", "-d", database], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-n",
            "Fusebox report CA",
            "-t",
            "CT,C,C",
            "-i",
            str(ca),
            "-d",
            database,
        ],
        check=True,
    )
    return database


@pytest.fixture(scope="session")
def timestamp_url(timestamp_authority):
    """An RFC 3161 TSA over HTTP on localhost, answering with the test TSA's tokens."""
    stamper, _ = timestamp_authority

    class TimestampHandler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), TimestampHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    server.shutdown()
    server.server_close()
