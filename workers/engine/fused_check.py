"""Prove, from an app's bytes alone, which protections it carries.

This is the inspection behind ``fusebox check-fused`` and the Certified Secure report: it
never trusts what a build was asked to do. It finds the runtime classes in the DEX files,
the start-up provider in the manifest, the sealed identity and whether it decrypts for the
app's actual signer, the pinned hosts in the network security configuration, and the
Threat-Events settings the runtime will apply.
"""

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from workers.engine import arsc as resource_table
from workers.engine import axml, runtime
from workers.engine.entry_reader import read_entry
from workers.engine.errors import EngineError
from workers.engine.fusion import issuer_among
from workers.engine.gate import GateReport, check_apk
from workers.engine.inspect import file_sha256
from workers.engine.manifest_patch import network_security_config_ref
from workers.engine.runtime.inspection import (
    REQUIRED_CLASSES,
    RuntimeInspection,
    inspect_runtime,
    runtime_classes,
)
from workers.engine.signing import verify_apk

logger = logging.getLogger(__name__)

FEATURE = "mTLS Pre-Authentication"

PRESENT, ABSENT, BROKEN, UNSIGNED = "present", "absent", "broken", "awaiting_signature"


@dataclass
class Finding:
    """One thing the inspection looked for, what it found, and the evidence."""

    check: str
    status: str
    detail: str


@dataclass
class FusedInspection:
    """The protection verdict for one APK and every fact it rests on."""

    path: str
    sha256: str
    size: int
    package: str
    status: str
    findings: list[Finding] = field(default_factory=list)
    runtime_dex: str | None = None
    provider: dict | None = None
    identity: dict | None = None
    ca_sha256: str | None = None
    pinned_hosts: list[dict] = field(default_factory=list)
    threat_events: dict | None = None
    signature_schemes: list[str] = field(default_factory=list)
    signer_sha256: str | None = None
    signer_sha256s: list[str] = field(default_factory=list)
    expected_signer_sha256: str | None = None

    @property
    def protected(self) -> bool:
        return self.status == PRESENT

    def to_dict(self) -> dict:
        data = asdict(self)
        data["feature"] = FEATURE
        data["protected"] = self.protected
        return data


def check_fused(path: Path, ca_pem: bytes | None = None) -> FusedInspection:
    """Inspect ``path``; the status is ``present`` only when every check passes."""
    path = Path(path)
    report = check_apk(path)
    inspection = FusedInspection(
        path=str(path),
        sha256=file_sha256(path),
        size=report.file_size,
        package=report.package,
        status=ABSENT,
    )

    _check_signature(path, inspection)
    result = _check_runtime(report, inspection)
    manifest = axml.parse(report.manifest)
    _check_provider(manifest, inspection)
    if result is not None:
        values = result.build_values
        _check_identity(inspection, result, ca_pem)
        _check_pins(report, manifest, inspection, values)
        inspection.threat_events = {
            "mode": values.get("mode"),
            "message": values.get("message"),
            "fail_safe_delay_ms": _int(values.get("failSafeDelayMs")),
            "threat_score": _int(values.get("threatScore")),
        }
        inspection.expected_signer_sha256 = values.get("signerSha256")

    inspection.status = _verdict(inspection.findings)
    logger.info(
        "check-fused %s: %s (%s)",
        path.name,
        inspection.status,
        ", ".join(f"{f.check}={f.status}" for f in inspection.findings),
    )
    return inspection


def _verdict(findings: list[Finding]) -> str:
    statuses = {finding.status for finding in findings}
    if statuses <= {PRESENT}:
        return PRESENT
    if BROKEN in statuses:
        return BROKEN
    if statuses <= {PRESENT, UNSIGNED}:
        return UNSIGNED
    if PRESENT in statuses:
        return BROKEN
    return ABSENT


def _find_runtime_dex(report: GateReport) -> tuple[str, bytes] | None:
    """The DEX that defines the runtime's classes; read one at a time to keep memory flat."""
    for name, _size in report.dex_files:
        dex = read_entry(report, name)
        if runtime_classes(dex):
            return name, dex
    return None


def _check_runtime(report: GateReport, inspection: FusedInspection) -> RuntimeInspection | None:
    """Find the runtime, check it is complete, and try the identity for the actual signers."""
    found = _find_runtime_dex(report)
    if found is None:
        inspection.findings.append(Finding("runtime", ABSENT, "no DEX file holds the runtime"))
        return None

    name, dex = found
    try:
        asset = read_entry(report, runtime.IDENTITY_ASSET)
    except KeyError:
        asset = None
    signers = [bytes.fromhex(digest) for digest in inspection.signer_sha256s]
    result = inspect_runtime({name: dex}, asset, report.package, signers)
    inspection.runtime_dex = name

    missing = sorted(REQUIRED_CLASSES - result.classes)
    if missing:
        inspection.findings.append(
            Finding("runtime", BROKEN, f"{name} lacks runtime classes: {', '.join(missing)}")
        )
    elif not result.build_values:
        inspection.findings.append(
            Finding("runtime", BROKEN, f"{name} holds the runtime without build values")
        )
    else:
        inspection.findings.append(
            Finding("runtime", PRESENT, f"{name}: {len(result.classes)} runtime classes")
        )
    return result


def _check_provider(doc: axml.Document, inspection: FusedInspection) -> None:
    providers = doc.root.find_all("application/provider")
    ours = next((p for p in providers if p.get("name") == runtime.PROVIDER_CLASS), None)
    if ours is None:
        inspection.findings.append(
            Finding("provider", ABSENT, "the manifest does not declare the start-up provider")
        )
        return

    inspection.provider = {
        "class": runtime.PROVIDER_CLASS,
        "authority": ours.get("authorities"),
        "init_order": ours.get("initOrder"),
        "exported": ours.get("exported"),
    }
    if ours.get("initOrder") != runtime.PROVIDER_INIT_ORDER or ours.get("exported"):
        inspection.findings.append(
            Finding("provider", BROKEN, "the start-up provider lost its initOrder or is exported")
        )
    else:
        inspection.findings.append(
            Finding("provider", PRESENT, "the start-up provider runs before Application.onCreate")
        )


def _check_signature(path: Path, inspection: FusedInspection) -> None:
    verification = verify_apk(path)
    inspection.signature_schemes = verification.schemes
    digests = [
        signer.certificate_sha256
        for scheme in ("v3.1", "v3", "v2", "v1")
        for signer in verification.signers.get(scheme, [])
    ]
    inspection.signer_sha256s = list(dict.fromkeys(digests))
    inspection.signer_sha256 = inspection.signer_sha256s[0] if digests else None

    problems = [p for p in verification.problems if p.code != "signature_missing"]
    if problems:
        first = problems[0]
        inspection.findings.append(Finding("signature", BROKEN, f"{first.code}: {first.message}"))


def _check_identity(inspection, result: RuntimeInspection, ca_pem: bytes | None) -> None:
    expected = result.build_values.get("signerSha256", "")
    if not result.identity_present:
        inspection.findings.append(Finding("identity", ABSENT, "the identity asset is missing"))
        return
    if inspection.signer_sha256 is None:
        inspection.findings.append(
            Finding(
                "identity",
                UNSIGNED,
                f"the app is unsigned; the identity decrypts only once signed by the"
                f" certificate with SHA-256 {expected}",
            )
        )
        return
    if result.identity is None:
        inspection.findings.append(
            Finding(
                "identity",
                BROKEN,
                f"{result.identity_error}: the identity does not decrypt for signer"
                f" {inspection.signer_sha256} (the build expected {expected})",
            )
        )
        return

    material = result.identity
    certificate = material.certificate
    chain = [x509.load_der_x509_certificate(der) for der in material.certificate_chain_der]
    now = datetime.now(UTC)
    inspection.identity = {
        "subject": material.subject,
        "issuer": material.issuer,
        "not_valid_before": material.not_valid_before.isoformat(),
        "not_valid_after": material.not_valid_after.isoformat(),
        "key_algorithm": material.key_algorithm,
        "serial_number": format(certificate.serial_number, "x"),
        "decrypts_for_signer": result.decrypting_signer_sha256,
    }
    if len(chain) > 1:
        inspection.ca_sha256 = _certificate_sha256(chain[-1])

    if not material.not_valid_before <= now <= material.not_valid_after:
        inspection.findings.append(
            Finding("identity", BROKEN, "the client certificate is outside its validity period")
        )
        return
    authorities = x509.load_pem_x509_certificates(ca_pem) if ca_pem is not None else None
    if authorities is not None and issuer_among(certificate, authorities) is None:
        inspection.findings.append(
            Finding("identity", BROKEN, "the client certificate is not issued by the CA given")
        )
        return
    inspection.findings.append(
        Finding("identity", PRESENT, f"decrypts for the app's signer: {material.subject}")
    )


def _check_pins(
    report: GateReport, doc: axml.Document, inspection: FusedInspection, values: dict
) -> None:
    wanted = [host for host in values.get("pinnedHosts", "").split(",") if host]
    reference = network_security_config_ref(doc)
    configured = []
    if reference is not None and report.entry("resources.arsc") is not None:
        try:
            config_path = resource_table.resolve(read_entry(report, "resources.arsc"), reference)
            config = axml.parse(read_entry(report, config_path))
            configured = _pinned_domains(config)
        except (EngineError, KeyError) as error:
            inspection.findings.append(
                Finding("pins", BROKEN, f"the network security config is unreadable: {error}")
            )
            return
    inspection.pinned_hosts = configured

    if not wanted:
        return
    names = {entry["host"] for entry in configured if not entry["cleartext_permitted"]}
    missing = [host for host in wanted if host not in names]
    if missing:
        inspection.findings.append(
            Finding("pins", BROKEN, f"hosts not pinned in the app: {', '.join(missing)}")
        )
    else:
        inspection.findings.append(
            Finding("pins", PRESENT, f"pinned with cleartext off: {', '.join(wanted)}")
        )


def _pinned_domains(config: axml.Document) -> list[dict]:
    domains = []
    for domain_config in config.root.iter("domain-config"):
        cleartext = domain_config.get("cleartextTrafficPermitted", namespace=None)
        pins = [pin.text.strip() for pin in domain_config.iter("pin") if pin.text]
        anchors = [
            str(cert.attribute("src", namespace=None).raw or "")
            for cert in domain_config.iter("certificates")
            if cert.attribute("src", namespace=None) is not None
        ]
        for domain in domain_config.children:
            if domain.name != "domain" or not domain.text:
                continue
            domains.append(
                {
                    "host": domain.text.strip().lower(),
                    "include_subdomains": bool(domain.get("includeSubdomains", namespace=None)),
                    "cleartext_permitted": cleartext is not False,
                    "spki_pins": pins,
                    "trust_anchors": anchors,
                }
            )
    return domains


def _certificate_sha256(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
