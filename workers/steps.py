"""What each pipeline step does to a claimed build: the work between claim and record.

Each function reads the build's ids and plan, opens secrets only here in the worker (through
``trust.material``), writes any file under a fixed stored name and fills the build's result
fields; ``workers.pipeline`` saves them when the step is still wanted.
"""

import logging
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings

from builds import certifying, signscript, storage
from builds.models import Build
from builds.services import add_message, colon_fingerprint
from trust.material import load_identity_for_fusion, load_signer_for_fusion, refuse_expired
from trust.models import CACertificate, ClientIdentity, SigningKeystore
from workers.engine.errors import RejectedInput, SigningError
from workers.engine.fusion import FusionRequest, ThreatEventSettings, fuse_apk
from workers.engine.identity_seal import IdentityMaterial
from workers.engine.inspect import file_sha256
from workers.engine.signing import load_signer, sign_apk
from workers.pipeline import check_still_wanted

logger = logging.getLogger(__name__)

UNSIGNED_NOTE = "Left unsigned for private signing"


def intermediate_name(build: Build) -> str:
    """The fused, not yet signed app between the fusing and signing steps."""
    return f"orgs/{build.organization_id}/work/{build.pk}/fused-unsigned.apk"


def _scratch():
    root = Path(settings.FUSEBOX_BUILD_WORK_DIR)
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="build-", dir=root)


def validate(build: Build, produced: list[str]) -> None:
    """Check the stored original is there and whole, and refuse expired trust material.

    The gate itself ran at upload and runs again inside the fusion, so it is not repeated.
    """
    app = build.app
    if not storage.exists(app.storage_name):
        raise RejectedInput(
            "the uploaded original is missing from storage; upload the app again",
            code="original_missing",
        )
    size = storage.build_storage().size(app.storage_name)
    if size != app.size:
        raise RejectedInput(
            f"the stored original is {size} bytes, not the {app.size} uploaded; upload again",
            code="original_changed",
        )
    add_message(build, f"App accepted by the gate at upload: {app.package}, {size} bytes")

    plan = build.plan
    refuse_expired(CACertificate.objects.get(pk=plan["ca_certificate_id"]))
    identity = ClientIdentity.objects.get(pk=plan["client_identity_id"])
    refuse_expired(identity)
    if build.signing_method == "fusebox":
        refuse_expired(SigningKeystore.objects.get(pk=plan["signing"]["keystore_id"]))
    add_message(build, f"Trust material valid: client identity '{identity.name}' until "
                f"{identity.not_after:%Y-%m-%d}")  # fmt: skip


def _identity_material(identity_id) -> IdentityMaterial:
    opened = load_identity_for_fusion(identity_id)
    chain = x509.load_pem_x509_certificates(opened.certificate_pem)
    key = serialization.load_der_private_key(opened.private_key_der, None)
    algorithm = "RSA" if isinstance(key, rsa.RSAPrivateKey) else "EC"
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningError("the client identity's key is neither RSA nor EC",
                           code="identity_key_unsupported")  # fmt: skip
    return IdentityMaterial(
        private_key_der=opened.private_key_der,
        certificate_chain_der=tuple(c.public_bytes(serialization.Encoding.DER) for c in chain),
        key_algorithm=algorithm,
    )


def fuse(build: Build, produced: list[str]) -> None:
    """Fuse the runtime and the identity into the app, bound to the signing certificate."""
    plan = build.plan
    ca = CACertificate.objects.get(pk=plan["ca_certificate_id"])
    server_cas = [CACertificate.objects.get(pk=pk) for pk in plan.get("server_ca_ids") or []]
    request = FusionRequest(
        ca_pem=ca.certificate_pem.encode(),
        identity=_identity_material(plan["client_identity_id"]),
        pinned_hosts=tuple(plan.get("pinned_hosts") or ()),
        server_ca_pems=tuple(item.certificate_pem.encode() for item in server_cas),
        threat_events=ThreatEventSettings(**plan["threat_events"]),
        signer_fingerprint=bytes.fromhex(build.signing_fingerprint),
        build_user=build.requested_by_label,
        external_id=str(build.pk),
    )

    def say(text: str) -> None:
        check_still_wanted(build)
        if not text.startswith(UNSIGNED_NOTE):
            add_message(build, text)

    name = intermediate_name(build)
    with storage.local_copy(build.app.storage_name) as source, _scratch() as folder:
        output = Path(folder) / "fused-unsigned.apk"
        fuse_apk(source, output, request, on_message=say)
        produced.append(name)
        storage.put_file(name, output, move=True)
    add_message(build, "Fused app ready for signing")


def sign(build: Build, produced: list[str]) -> None:
    """Sign on Fusebox, or store the unsigned app (and the auto-dev script) for the customer."""
    method = build.signing_method
    with storage.local_copy(intermediate_name(build)) as unsigned, _scratch() as folder:
        if method == "fusebox":
            final = Path(folder) / "fused.apk"
            _sign_with_keystore(build, unsigned, final)
        else:
            final = unsigned
            add_message(build, f"{UNSIGNED_NOTE}: sign it with the certificate whose SHA-256 "
                        f"is {colon_fingerprint(build.signing_fingerprint)}")  # fmt: skip

        build.output_name = storage.output_name(build)
        produced.append(build.output_name)
        build.output_sha256 = file_sha256(final)
        build.output_size = storage.put_file(build.output_name, final, move=method == "fusebox")

    if method == "auto_dev":
        script = Path(folder).with_suffix(".sh")
        try:
            script.write_text(signscript.sign_script(build))
            build.script_name = storage.script_name(build)
            produced.append(build.script_name)
            storage.put_file(build.script_name, script)
        finally:
            script.unlink(missing_ok=True)
        add_message(build, "Signing script written: run it where your keystore lives")
    add_message(build, f"Output stored: {build.output_size} bytes, SHA-256 "
                f"{build.output_sha256[:16]}...")  # fmt: skip


def _sign_with_keystore(build: Build, unsigned: Path, final: Path) -> None:
    opened = load_signer_for_fusion(build.plan["signing"]["keystore_id"])
    with tempfile.TemporaryDirectory(prefix="fusebox-keystore-") as private:
        keystore = Path(private) / "keystore.p12"
        keystore.touch(mode=0o600)
        keystore.write_bytes(opened.keystore)
        signer = load_signer(
            keystore=keystore,
            alias=opened.alias,
            password=opened.store_password.encode(),
            key_password=opened.key_password.encode(),
        )
    del opened

    if signer.certificate_sha256.lower() != build.signing_fingerprint:
        raise SigningError(
            "the keystore's certificate changed since the build was queued; retry the build",
            code="signer_mismatch",
        )
    min_sdk = (build.app.analysis or {}).get("min_sdk")
    report = sign_apk(unsigned, final, signer, min_sdk=min_sdk)
    build.signer_sha256 = report.signer_sha256.replace(":", "").lower()
    build.signature_schemes = "+".join(report.schemes)
    add_message(build, f"Signed with {build.signature_schemes}, signer SHA-256 "
                f"{colon_fingerprint(build.signer_sha256)}")  # fmt: skip


def certify(build: Build, produced: list[str]) -> None:
    """Prove the protection is present in the stored output, then drop the intermediate."""
    for line in certifying.certify(build):
        add_message(build, line)
    storage.delete(intermediate_name(build))
