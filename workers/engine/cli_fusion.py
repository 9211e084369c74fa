"""The ``fusebox fuse`` and ``fusebox check-fused`` commands.

``fuse`` is a thin shell over ``workers.engine.fusion.fuse_apk``, the function a build
worker calls; ``check-fused`` prints the inspection the Certified Secure report is built
from. Secrets (identity and keystore passwords) are read from files only.
"""

import argparse
import json
from pathlib import Path

from workers.engine.cli_signing import read_password_file
from workers.engine.errors import RejectedInput
from workers.engine.fingerprints import sha256_hex
from workers.engine.threat_events import MODES

EXIT_OK = 0
EXIT_REJECTED = 2


def add_fuse_command(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "fuse",
        help="add mTLS Pre-Authentication to an APK",
        description="Fuse the client identity, issued by the CA, into IN.apk and write a "
        "signed OUT.apk (or an unsigned one bound to --signer-fingerprint).",
    )
    parser.add_argument("input", type=Path, metavar="IN.apk")
    parser.add_argument("output", type=Path, metavar="OUT.apk")
    parser.add_argument("--ca", type=Path, required=True, help="CA certificate (PEM)")
    parser.add_argument("--identity", type=Path, required=True, help="client identity (PKCS#12)")
    parser.add_argument(
        "--identity-password-file",
        type=Path,
        required=True,
        help="file whose first line is the PKCS#12 password",
    )
    parser.add_argument(
        "--pin-host",
        action="append",
        default=[],
        metavar="HOST",
        help="backend host to pin (repeat; *.example.com pins the domain and subdomains)",
    )
    parser.add_argument(
        "--server-ca", type=Path, help="CA that issues the backend's server certificates"
    )
    parser.add_argument("--threat-events", choices=sorted(MODES), default="off")
    parser.add_argument("--message", help="message the in-app defense shows")
    parser.add_argument("--keystore", type=Path, help="PKCS#12 keystore to sign with")
    parser.add_argument("--alias", help="key alias in the keystore (default: its only key)")
    parser.add_argument("--password-file", type=Path, help="keystore password file")
    parser.add_argument("--key-password-file", type=Path, help="key password file")
    parser.add_argument(
        "--signer-fingerprint",
        metavar="SHA256",
        help="private signing: SHA-256 of the certificate that will sign the app later",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run_fuse, command_name="fuse")
    return parser


def add_check_fused_command(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "check-fused",
        help="report which protections an APK really carries",
        description="Inspect APP.apk and report, from its bytes alone, whether mTLS "
        "Pre-Authentication is present and working for the app's actual signer.",
    )
    parser.add_argument("apk", type=Path, metavar="APP.apk")
    parser.add_argument("--ca", type=Path, help="CA the client identity must chain to")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run_check_fused, command_name="check-fused")
    return parser


def parse_fingerprint(text: str) -> bytes:
    """A SHA-256 fingerprint as hex, with or without colons or spaces."""
    digest = sha256_hex(text)
    if digest is None:
        raise RejectedInput(
            "the signer fingerprint must be 64 hex digits (colons allowed)",
            code="fingerprint_invalid",
        )
    return bytes.fromhex(digest)


def run_fuse(args: argparse.Namespace) -> int:
    from workers.engine.fusion import FusionRequest, ThreatEventSettings, fuse_apk
    from workers.engine.signing import load_signer

    if (args.keystore is None) == (args.signer_fingerprint is None):
        raise RejectedInput(
            "give --keystore to sign the output, or --signer-fingerprint for private signing",
            code="signing_choice_invalid",
        )
    signer = None
    if args.keystore is not None:
        signer = load_signer(
            keystore=args.keystore,
            alias=args.alias,
            password=read_password_file(args.password_file),
            key_password=read_password_file(args.key_password_file),
        )

    settings = ThreatEventSettings(mode=args.threat_events)
    if args.message:
        settings = ThreatEventSettings(mode=args.threat_events, message=args.message)
    request = FusionRequest(
        ca_pem=args.ca.read_bytes(),
        identity_p12=args.identity.read_bytes(),
        identity_password=read_password_file(args.identity_password_file) or b"",
        pinned_hosts=tuple(args.pin_host),
        server_ca_pems=(args.server_ca.read_bytes(),) if args.server_ca else (),
        threat_events=settings,
        signer=signer,
        signer_fingerprint=(
            parse_fingerprint(args.signer_fingerprint) if args.signer_fingerprint else None
        ),
    )
    result = fuse_apk(args.input, args.output, request)

    if args.json:
        print(
            json.dumps(
                {
                    "output": str(result.output),
                    "package": result.package,
                    "signed": result.signed,
                    "schemes": list(result.schemes),
                    "signer_sha256": result.signer_sha256,
                    "runtime_dex": result.runtime_dex,
                    "messages": list(result.messages),
                },
                indent=2,
            )
        )
    else:
        print("\n".join(result.messages))
    return EXIT_OK


def run_check_fused(args: argparse.Namespace) -> int:
    from workers.engine.fused_check import check_fused

    inspection = check_fused(args.apk, ca_pem=args.ca.read_bytes() if args.ca else None)
    if args.json:
        print(json.dumps(inspection.to_dict(), indent=2, sort_keys=True))
    else:
        print(f"{inspection.package}: mTLS Pre-Authentication {inspection.status}")
        for finding in inspection.findings:
            print(f"  {finding.check}: {finding.status}: {finding.detail}")
        if inspection.signature_schemes:
            print(
                f"  signature: {'+'.join(inspection.signature_schemes)}, signer SHA-256 "
                f"{inspection.signer_sha256}"
            )
    return EXIT_OK if inspection.protected else EXIT_REJECTED
