"""``fusebox verify-report FILE --ca CA.pem``: check a report PDF or JSON offline.

Exit codes follow the ``fusebox`` command: 0 the report is valid, 2 it is not (one line
``not valid: <code>: <reason>``) or the input is unusable, 1 an internal failure. A JSON
report needs its detached JWS: ``--signature FILE.jws``, or ``FILE.jws`` beside it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

EXIT_VALID = 0
EXIT_INTERNAL = 1
EXIT_NOT_VALID = 2


def add_verify_report_command(subparsers) -> argparse.ArgumentParser:
    """Register ``verify-report`` on the ``fusebox`` command's subparsers."""
    parser = subparsers.add_parser(
        "verify-report",
        help="verify a Certified Secure report (PDF or JSON) against the report CA",
        description="Check that FILE was issued by the Fusebox whose report-signing CA is "
        "CA.pem, is intact and, for a PDF, that the signature covers the whole file.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="report .pdf or .json")
    parser.add_argument(
        "--signature",
        type=Path,
        metavar="FILE.jws",
        help="detached JWS of a JSON report (default: FILE.jws beside it)",
    )
    parser.add_argument(
        "--ca", type=Path, required=True, metavar="CA.pem", help="report-signing CA certificate"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run_verify_report, command_name="verify-report")
    return parser


def run_verify_report(args: argparse.Namespace) -> int:
    pyhanko_logger = logging.getLogger("pyhanko")
    if pyhanko_logger.level == logging.NOTSET:
        # pyHanko logs each refused signature with a traceback; the verdict line says it all.
        pyhanko_logger.setLevel(logging.CRITICAL)
    try:
        return _verify_report(args)
    except Exception:
        logger.exception("fusebox verify-report %s failed unexpectedly", args.file)
        print("error: internal: verify-report failed unexpectedly; see the log", file=sys.stderr)
        return EXIT_INTERNAL


def _verify_report(args: argparse.Namespace) -> int:
    from certified.verify import CaCertificateError, verify_json, verify_pdf

    try:
        data = args.file.read_bytes()
        ca = args.ca.read_bytes()
    except OSError as error:
        print(f"error: file_not_readable: {error.filename}: {error.strerror}", file=sys.stderr)
        return EXIT_NOT_VALID

    try:
        if data.lstrip()[:5] == b"%PDF-":
            result = verify_pdf(data, ca)
        else:
            signature_path = args.signature or args.file.with_name(args.file.name + ".jws")
            try:
                signature = signature_path.read_bytes()
            except OSError:
                print(
                    f"error: missing_signature: a JSON report needs its JWS; "
                    f"{signature_path} cannot be read (pass --signature FILE.jws)",
                    file=sys.stderr,
                )
                return EXIT_NOT_VALID
            result = verify_json(data, signature, ca)
    except CaCertificateError as error:
        print(f"error: bad_ca_certificate: {args.ca}: {error}", file=sys.stderr)
        return EXIT_NOT_VALID

    if args.json:
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True))
    elif result.valid:
        print(result.reason)
        print(f"signer SHA-256: {result.signer_sha256}")
        if result.signed_at:
            print(f"signed at: {result.signed_at.isoformat()}")
        if result.kind == "pdf":
            print(f"timestamp: {_timestamp_text(result)}")
    else:
        print(f"not valid: {result.reason_code}: {result.reason}")
    return EXIT_VALID if result.valid else EXIT_NOT_VALID


def _timestamp_text(result) -> str:
    if not result.timestamped:
        return "none (PAdES B-B)"
    if result.timestamp_trusted:
        return "present and trusted (PAdES B-T)"
    return "present, but its TSA is not trusted here (time unproven)"


def main(argv: list[str] | None = None) -> int:
    """Run ``verify-report`` alone (``python -m certified.cli verify-report ...``)."""
    parser = argparse.ArgumentParser(prog="fusebox")
    subparsers = parser.add_subparsers(dest="command_name", required=True, metavar="COMMAND")
    add_verify_report_command(subparsers)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
