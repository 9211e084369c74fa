"""Certified Secure report benchmark: render + sign one report with a 200-event audit trail.

Times what the ``certifying`` step does per build in a worker process: render the PDF with
WeasyPrint, certify it with pyHanko (PAdES B-B, and B-T with pyHanko's in-process test TSA
so no network time is counted), sign the JSON twin (JWS), then verify the PDF as an auditor
would. The first report in a process also pays for loading WeasyPrint and the fonts; it is
shown apart because a long-lived worker pays it once.

Target: render + sign (B-B) at most 1.5 s per report, median of the warm runs.
"""

import argparse
import os
import resource
import statistics
import time
from datetime import UTC, datetime, timedelta

TARGET_SECONDS = 1.5
AUDIT_EVENTS = 200


def _timestamper():
    """pyHanko's test TSA with a throwaway RSA key (its dummy TSA signs only with RSA)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Benchmark TSA")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
    )


def _timed(action, *args, **kwargs):
    """Run ``action``; return its value and (wall seconds, CPU seconds of this process)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    value = action(*args, **kwargs)
    return value, (time.perf_counter() - started, time.process_time() - cpu_started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench report")
    parser.add_argument("--quick", action="store_true", help="3 warm runs instead of 7")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else 7

    from certified.render import render_report_pdf
    from certified.report import Report, canonical_json
    from certified.sample import sample_report_dict
    from certified.signing import (
        ReportAuthority,
        sign_report_json,
        sign_report_pdf,
    )
    from certified.verify import verify_pdf

    authority, create_seconds = _timed(ReportAuthority.create, "Benchmark Org")
    report = Report.from_dict(sample_report_dict(audit_events=AUDIT_EVENTS))
    stamper = _timestamper()

    _, cold_seconds = _timed(lambda: sign_report_pdf(render_report_pdf(report), authority))
    rows = []
    for _ in range(runs):
        pdf, render_seconds = _timed(render_report_pdf, report)
        signed, sign_seconds = _timed(sign_report_pdf, pdf, authority)
        _, sign_bt_seconds = _timed(sign_report_pdf, pdf, authority, timestamper=stamper)
        _, jws_seconds = _timed(sign_report_json, canonical_json(report), authority)
        result, verify_seconds = _timed(verify_pdf, signed, authority.ca_certificate)
        if not result.valid:
            print(f"  the signed report did not verify: {result.reason}")
            return 1
        rows.append((render_seconds, sign_seconds, sign_bt_seconds, jws_seconds, verify_seconds))

    columns = list(zip(*rows, strict=True))
    wall = [statistics.median(item[0] for item in column) for column in columns]
    cpu = [statistics.median(item[1] for item in column) for column in columns]
    worst = [max(item[0] for item in column) for column in columns]
    total, total_cpu, total_bt = wall[0] + wall[1], cpu[0] + cpu[1], wall[0] + wall[2]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"report: {AUDIT_EVENTS} audit events, {len(signed) / 1024:.0f} KiB signed PDF")
    print(f"{'step':<30}{'median s':>10}{'max s':>9}{'cpu s':>8}")
    labels = ("render (WeasyPrint)", "sign PAdES B-B", "sign PAdES B-T (local TSA)", "sign JWS")
    labels += ("verify PDF (pyHanko)",)
    for index, label in enumerate(labels):
        print(f"{label:<30}{wall[index]:>10.3f}{worst[index]:>9.3f}{cpu[index]:>8.3f}")
    print(f"{'authority creation (once)':<30}{create_seconds[0]:>10.3f}")
    print(f"{'first report in a process':<30}{cold_seconds[0]:>10.3f}")
    print(f"peak RSS {peak_mb:.0f} MB, {runs} warm runs, load average {os.getloadavg()[0]:.1f}")
    verdict = "ok" if total <= TARGET_SECONDS else "MISS"
    print(
        f"{verdict}: render + sign B-B {total:.2f} s per report, {total_cpu:.2f} s CPU "
        f"(target {TARGET_SECONDS} s)"
    )
    print(f"info: render + sign B-T {total_bt:.2f} s per report (TSA network time excluded)")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
