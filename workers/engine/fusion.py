"""Fuse mTLS Pre-Authentication into an APK: the one function builds and the CLI call.

The fusion never decompiles the app. It checks the input with the gate, seals the client
identity for the signer that will sign the output, adds the runtime as a new ``classesN.dex``
with the build's values written into it, patches the binary manifest and resource table,
rewrites the archive aligned, and signs it (or leaves it unsigned for private signing, bound
to the fingerprint of the certificate the customer will sign with).
"""

import logging
import os
import secrets
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding

from workers.engine import axml, runtime
from workers.engine.entry_reader import read_entry
from workers.engine.errors import FusionError, RejectedInput
from workers.engine.gate import GateReport, check_apk
from workers.engine.identity_seal import IdentityMaterial, load_p12, seal_material
from workers.engine.manifest_patch import min_sdk, patch_app_resources
from workers.engine.network_config import validate_pin_host
from workers.engine.rewrite import rewrite_apk
from workers.engine.signing import Signer, sign_apk

logger = logging.getLogger(__name__)

RESOURCES_NAME = "resources.arsc"
MANIFEST_NAME = "AndroidManifest.xml"


@dataclass(frozen=True)
class ThreatEventSettings:
    """How the fused app reacts when its identity cannot be used (see threat_events.py)."""

    mode: str = "off"
    message: str = "This app cannot confirm its identity and will close."
    fail_safe_delay_ms: int = 5000
    threat_score: int = 100


@dataclass(frozen=True)
class FusionRequest:
    """Everything one fusion applies. Exactly one of ``signer`` and ``signer_fingerprint``.

    The identity comes either as a PKCS#12 with its password (the CLI) or already decoded as
    ``identity`` (the build worker, which holds it as sealed PKCS#8 and certificates).
    """

    ca_pem: bytes
    identity_p12: bytes = field(default=b"", repr=False)
    identity_password: bytes = field(default=b"", repr=False)
    identity: IdentityMaterial | None = field(default=None, repr=False)
    pinned_hosts: tuple[str, ...] = ()
    server_ca_pems: tuple[bytes, ...] = ()
    threat_events: ThreatEventSettings = ThreatEventSettings()
    signer: Signer | None = field(default=None, repr=False)
    signer_fingerprint: bytes | None = None
    v1: bool | None = None
    build_user: str = ""
    build_host: str = ""
    external_id: str = ""
    fused_app_token: str = ""


@dataclass(frozen=True)
class FusionResult:
    """What the fusion did, in words a build log can show, and the facts a report needs."""

    output: Path
    package: str
    runtime_dex: str
    signer_sha256: str
    signed: bool
    schemes: tuple[str, ...]
    messages: tuple[str, ...]
    identity_subject: str
    identity_not_after: datetime


def fuse_apk(
    source: Path,
    destination: Path,
    request: FusionRequest,
    *,
    on_message: Callable[[str], None] | None = None,
) -> FusionResult:
    """Write the fused app to ``destination``; nothing is left there when a step fails."""
    source, destination = Path(source), Path(destination)
    messages: list[str] = []

    def say(text: str) -> None:
        messages.append(text)
        logger.info("fusion of %s: %s", source.name, text)
        if on_message:
            on_message(text)

    signer_sha256 = _signer_sha256(request)
    report = check_apk(source)
    package = report.package
    say(f"App accepted: {package}, {len(report.entries)} entries, {report.file_size} bytes")

    material = _identity_for(request)
    say(
        f"Client identity loaded: {material.subject}, valid until "
        f"{material.not_valid_after:%Y-%m-%d}"
    )
    sealed = seal_material(material, signer_sha256=signer_sha256, package=package)
    say(f"Identity sealed for signer SHA-256 {_colons(signer_sha256)}")

    pinned_hosts = tuple(validate_pin_host(host) for host in request.pinned_hosts)
    dex_name = next_dex_name(report)
    dex = runtime.runtime_dex(_build_values(request, sealed.runtime_secret, signer_sha256))
    say(
        f"Runtime added as {dex_name} ({len(dex)} bytes), Threat-Events mode "
        f"{request.threat_events.mode}"
    )

    patch = _patch_resources(report, package, pinned_hosts, request.server_ca_pems)
    for line in patch.summary:
        say(line)
    manifest_doc = axml.parse(patch.manifest)

    replace = {MANIFEST_NAME: patch.manifest}
    if report.entry(RESOURCES_NAME) is not None:
        replace[RESOURCES_NAME] = patch.arsc
    add = {dex_name: dex, runtime.IDENTITY_ASSET: sealed.asset}
    for name, data in patch.new_files.items():
        if report.entry(name) is not None:
            replace[name] = data
        else:
            add[name] = data

    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, unsigned = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".unsigned"
    )
    os.close(handle)
    unsigned_path = Path(unsigned)
    try:
        # The rewrite is the final file only for private signing; otherwise signing follows.
        rewrite_apk(
            source,
            unsigned_path,
            replace=replace,
            add=add,
            gate_report=report,
            durable=request.signer is None,
        )
        say("Archive rewritten and aligned (stored entries 4 bytes, native libraries 16 KiB)")
        schemes: tuple[str, ...] = ()
        if request.signer is not None:
            signing = sign_apk(
                unsigned_path,
                destination,
                request.signer,
                v1=request.v1,
                min_sdk=min_sdk(manifest_doc),
                in_place=True,
            )
            schemes = signing.schemes
            say(f"Signed with {'+'.join(schemes)}, signer SHA-256 {_colons(signer_sha256)}")
        else:
            unsigned_path.replace(destination)
            say(
                "Left unsigned for private signing: sign it with the certificate whose SHA-256"
                f" is {_colons(signer_sha256)}, or the identity will not decrypt"
            )
    finally:
        unsigned_path.unlink(missing_ok=True)

    return FusionResult(
        output=destination,
        package=package,
        runtime_dex=dex_name,
        signer_sha256=signer_sha256.hex(),
        signed=request.signer is not None,
        schemes=schemes,
        messages=tuple(messages),
        identity_subject=material.subject,
        identity_not_after=material.not_valid_after,
    )


def next_dex_name(report: GateReport) -> str:
    """The first free ``classesN.dex``: the runtime never touches the app's own DEX files."""
    names = {name for name, _size in report.dex_files}
    if "classes.dex" not in names:
        return "classes.dex"
    index = 2
    while f"classes{index}.dex" in names:
        index += 1
    return f"classes{index}.dex"


def _signer_sha256(request: FusionRequest) -> bytes:
    if (request.signer is None) == (request.signer_fingerprint is None):
        raise FusionError(
            "give either a signing key or the fingerprint of the certificate that will sign"
            " the app (private signing), not both or neither",
            code="signing_choice_invalid",
        )
    if request.signer is not None:
        return bytes.fromhex(request.signer.certificate_sha256)
    if len(request.signer_fingerprint) != 32:
        raise RejectedInput(
            "the signer fingerprint must be a SHA-256 digest (64 hex digits)",
            code="fingerprint_invalid",
        )
    return request.signer_fingerprint


def _identity_for(request: FusionRequest) -> IdentityMaterial:
    """Load the identity and check it against the CA, so a fused app never ships a dud."""
    material = request.identity or load_p12(request.identity_p12, request.identity_password)
    try:
        authorities = x509.load_pem_x509_certificates(request.ca_pem)
    except ValueError:
        raise RejectedInput(
            "the CA certificate is not PEM: give the CA as a -----BEGIN CERTIFICATE----- file",
            code="ca_malformed",
        ) from None

    leaf = material.certificate
    issuer = issuer_among(leaf, authorities)
    if issuer is None:
        raise RejectedInput(
            f"the client identity ({material.subject}) is not issued by the CA given",
            code="p12_not_issued_by_ca",
        )

    now = datetime.now(UTC)
    if material.not_valid_after < now:
        raise RejectedInput(
            f"the client identity expired on {material.not_valid_after:%Y-%m-%d}",
            code="cert_expired",
        )
    if material.not_valid_before > now:
        raise RejectedInput(
            f"the client identity is not valid before {material.not_valid_before:%Y-%m-%d}",
            code="cert_not_yet_valid",
        )

    chain = list(material.certificate_chain_der)
    issuer_der = issuer.public_bytes(Encoding.DER)
    if issuer_der not in chain:
        chain.append(issuer_der)
    return IdentityMaterial(material.private_key_der, tuple(chain), material.key_algorithm)


def issuer_among(
    leaf: x509.Certificate, authorities: list[x509.Certificate]
) -> x509.Certificate | None:
    """The certificate among ``authorities`` that directly signed ``leaf``, if any."""
    for authority in authorities:
        try:
            leaf.verify_directly_issued_by(authority)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return authority
    return None


def _build_values(request: FusionRequest, secret: bytes, signer_sha256: bytes):
    settings = request.threat_events
    hosts = tuple(host.removeprefix("*.") for host in request.pinned_hosts)
    return runtime.BuildValues(
        runtime_secret=secret,
        signer_sha256=signer_sha256,
        mode=settings.mode,
        message=settings.message,
        fail_safe_delay_ms=settings.fail_safe_delay_ms,
        threat_score=settings.threat_score,
        build_date=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        build_user=request.build_user,
        build_host=request.build_host or socket.gethostname(),
        fused_app_token=request.fused_app_token or secrets.token_hex(16),
        external_id=request.external_id,
        pinned_hosts=tuple(host.lower() for host in hosts),
    )


def _patch_resources(report, package, pinned_hosts, server_ca_pems):
    arsc = b""
    if report.entry(RESOURCES_NAME) is not None:
        arsc = read_entry(report, RESOURCES_NAME)
    elif pinned_hosts:
        raise FusionError(
            "the app has no resources.arsc, so a network security config cannot be added for"
            " pinned hosts: fuse it without pins",
            code="resources_missing",
        )

    return patch_app_resources(
        report.manifest,
        arsc,
        lambda name: read_entry(report, name),
        package=package,
        provider_class=runtime.PROVIDER_CLASS,
        authority=runtime.authority_for(package),
        init_order=runtime.PROVIDER_INIT_ORDER,
        pinned_hosts=list(pinned_hosts),
        server_ca_pems=list(server_ca_pems),
    )


def _colons(digest: bytes) -> str:
    return ":".join(f"{byte:02X}" for byte in digest)
