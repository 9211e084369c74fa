"""The ``fusebox sign`` and ``fusebox verify`` commands.

``sign`` runs the gate, rewrites the APK without its old signatures (aligned) and signs it
with the given key; ``verify`` checks every signature and the alignment. ``fusebox``'s
``main`` turns errors into exit codes. Passwords are read from files only, so they never
appear in a process listing or a shell history.
"""

import argparse
import logging
import tempfile
from pathlib import Path

from workers.engine.errors import EngineError, RejectedInput, SigningError
from workers.engine.signing import load_signer, sign_apk
from workers.engine.signing.verify import verify_apk

logger = logging.getLogger(__name__)

EXIT_OK = 0
V1_CHOICES = {"auto": None, "on": True, "off": False}


def add_sign_command(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sign",
        help="re-sign an APK with v1 (when needed), v2 and v3",
        description="Strip old signatures, align and sign IN.apk into OUT.apk.",
    )
    parser.add_argument("input", type=Path, metavar="IN.apk")
    parser.add_argument("output", type=Path, metavar="OUT.apk")
    parser.add_argument("--keystore", type=Path, help="PKCS#12 keystore (keytool's default)")
    parser.add_argument("--alias", help="key alias in the keystore (default: its only key)")
    parser.add_argument(
        "--password-file",
        type=Path,
        help="file whose first line is the keystore (or PEM key) password",
    )
    parser.add_argument(
        "--key-password-file",
        type=Path,
        help="file whose first line is the key password, if different",
    )
    parser.add_argument("--key", type=Path, help="PEM private key (with --cert)")
    parser.add_argument("--cert", type=Path, help="PEM certificate (with --key)")
    parser.add_argument(
        "--v1",
        choices=sorted(V1_CHOICES),
        default="auto",
        help="JAR signature: auto adds it when minSdk < 24",
    )
    parser.set_defaults(handler=run_sign, command_name="sign")
    return parser


def add_verify_command(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "verify",
        help="check an APK's signatures and alignment",
        description="Verify v1/v2/v3/v3.1 signatures and zip alignment of APP.apk.",
    )
    parser.add_argument("apk", type=Path, metavar="APP.apk")
    parser.set_defaults(handler=run_verify, command_name="verify")
    return parser


def read_password_file(path: Path | None) -> bytes | None:
    """The first line of ``path`` without its line ending (how apksigner reads ``file:``)."""
    if path is None:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SigningError(
            f"cannot read password file {path}: {error.strerror}", code="password_file_unreadable"
        ) from None
    return data.splitlines()[0] if data else b""


def run_sign(args: argparse.Namespace) -> int:
    from workers.engine.gate import check_apk
    from workers.engine.rewrite import rewrite_apk

    if (args.key is None) != (args.cert is None):
        raise SigningError("--key and --cert go together", code="signing_key_missing")
    signer = load_signer(
        keystore=args.keystore,
        alias=args.alias,
        password=read_password_file(args.password_file),
        key_password=read_password_file(args.key_password_file),
        key_pem=args.key,
        cert_pem=args.cert,
    )

    gate_report = check_apk(args.input)
    min_sdk = min_sdk_from_manifest(gate_report.manifest)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.output.parent, prefix=".fusebox-sign-") as work:
        unsigned = Path(work) / "unsigned.apk"
        rewrite_apk(args.input, unsigned, gate_report=gate_report)
        report = sign_apk(
            unsigned,
            args.output,
            signer,
            v1=V1_CHOICES[args.v1],
            min_sdk=min_sdk,
            in_place=True,
        )

    print(
        f"signed {report.output} with {'+'.join(report.schemes)}; "
        f"signer SHA-256 {report.signer_sha256}; {report.output_size} bytes"
    )
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    from workers.engine.gate import check_apk

    # The gate first: it bounds the work (zip bombs, entry counts) before anything inflates.
    gate_report = check_apk(args.apk)
    report = verify_apk(args.apk, min_sdk=min_sdk_from_manifest(gate_report.manifest))
    for scheme in report.schemes:
        for signer in report.signers[scheme]:
            print(
                f"{scheme}: {signer.subject} SHA-256 {signer.certificate_sha256} "
                f"({signer.key_algorithm})"
            )
    for note in report.notes:
        print(f"note: {note}")
    report.raise_for_problems()

    alignment_problems = _alignment_problems(args.apk, gate_report)
    if alignment_problems:
        raise RejectedInput("; ".join(alignment_problems[:3]), code="zip_misaligned")
    print(f"verified: {', '.join(report.schemes)}; alignment ok")
    return EXIT_OK


def _alignment_problems(path: Path, gate_report) -> list[str]:
    from workers.engine.rewrite import check_alignment

    return check_alignment(path, gate_report)


def min_sdk_from_manifest(manifest: bytes) -> int | None:
    """``uses-sdk minSdkVersion`` as a number (Android's default 1 when absent); None for a
    preview codename or an unreadable manifest, which makes ``sign_apk`` add v1 anyway."""
    from workers.engine import axml

    try:
        uses_sdk = axml.parse(manifest).find("uses-sdk")
    except EngineError:
        return None
    value = uses_sdk.get("minSdkVersion") if uses_sdk is not None else None
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 < number < 10_000 else None  # not a resource id or garbage
