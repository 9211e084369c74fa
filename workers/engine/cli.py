"""The ``fusebox`` command line: inspect, sign and verify APKs offline, no server needed.

Exit codes are what a CI job branches on: 0 success, 2 rejected input (one line
``error: <code>: <message>`` on stderr, no traceback), 1 internal failure.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

from certified.cli import add_verify_report_command
from workers.engine.cli_fusion import add_check_fused_command, add_fuse_command
from workers.engine.cli_signing import add_sign_command, add_verify_command
from workers.engine.errors import EngineError

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_REJECTED = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fusebox",
        description="Inspect, sign and verify Android APKs with the Fusebox engine.",
    )
    parser.add_argument("--verbose", action="store_true", help="log progress to stderr")
    subparsers = parser.add_subparsers(dest="command_name", required=True, metavar="COMMAND")
    _add_inspect_command(subparsers)
    add_sign_command(subparsers)
    add_verify_command(subparsers)
    add_fuse_command(subparsers)
    add_check_fused_command(subparsers)
    add_verify_report_command(subparsers)
    return parser


def _add_inspect_command(subparsers) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="show what an APK declares and who signed it",
        description="Check APP.apk with the gate, then print its identity, components, "
        "code, native ABIs and signers.",
    )
    parser.add_argument("apk", type=Path, metavar="APP.apk")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run_inspect, command_name="inspect")


def run_inspect(args: argparse.Namespace) -> int:
    from workers.engine.inspect import inspect_apk

    inspection = inspect_apk(args.apk)
    if args.json:
        print(json.dumps(inspection.to_dict(), indent=2, sort_keys=True))
        return EXIT_OK

    facts = inspection.to_dict()
    lines = [
        f"package: {facts['package']}",
        f"version: {facts['version_code']} ({facts['version_name']})",
        f"sdk: min {facts['min_sdk']}, target {facts['target_sdk']}",
        f"application class: {facts['application_class'] or '-'}",
        f"debuggable: {'yes' if facts['debuggable'] else 'no'}",
    ]
    for kind in ("activities", "services", "receivers", "providers", "permissions"):
        lines.append(f"{kind} ({len(facts[kind])}): {', '.join(facts[kind]) or '-'}")
    dex = ", ".join(f"{item['name']} ({item['size']} bytes)" for item in facts["dex_files"])
    lines.append(f"dex: {dex or '-'}")
    lines.append(f"native ABIs: {', '.join(facts['native_abis']) or '-'}")
    for scheme, signers in facts["signers"].items():
        for signer in signers:
            lines.append(
                f"signer {scheme}: {signer['subject']} SHA-256 {signer['certificate_sha256']}"
            )
    if not facts["signers"]:
        lines.append("signers: none")
    for problem in facts["signature_problems"]:
        lines.append(f"signature problem: {problem}")
    lines.append(f"file: {facts['file_size']} bytes, SHA-256 {facts['sha256']}")
    print("\n".join(lines))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fusebox`` console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.handler(args)
    except EngineError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return EXIT_REJECTED
    except FileNotFoundError as error:
        print(f"error: file_not_found: {error.filename} does not exist", file=sys.stderr)
        return EXIT_REJECTED
    except Exception:
        logger.exception("fusebox %s failed unexpectedly", args.command_name)
        print(
            f"error: internal: fusebox {args.command_name} failed unexpectedly; see the log",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
