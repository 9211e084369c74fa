"""The report-signing authority and the two signatures it makes: PAdES on the PDF, JWS on JSON.

Fusebox creates its own small CA on first start and issues one document-signing certificate
from it; auditors download the CA certificate and verify reports offline. The signing
certificate carries emailProtection next to documentSigning because NSS (Firefox, poppler's
pdfsig) refuses a document signer without emailProtection. Keys leave this module only
through a caller-supplied wrapping function (the vault in production), never in clear.

The PDF signature is a certification signature with DocMDP P=1 (no change allowed), PAdES
B-B, or B-T when a timestamp authority is given. The JSON signature is a compact JWS with a
detached payload (RFC 7515 appendix F): ``BASE64URL(header)..BASE64URL(signature)`` over
``BASE64URL(header) + "." + BASE64URL(canonical JSON)``. The ordinary base64url payload
encoding was chosen over RFC 7797's unencoded form because every JOSE library verifies it.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from certified.errors import ReportAuthorityError

logger = logging.getLogger(__name__)

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
SIGNATURE_FIELD = "FuseboxCertifiedReport"
JWS_TYPE = "fusebox-report+jws"

CA_LIFETIME = timedelta(days=20 * 365)
SIGNER_LIFETIME = timedelta(days=10 * 365)

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
KeyWrapper = Callable[[bytes], bytes]


@dataclass(frozen=True)
class StoredAuthority:
    """The authority as it is kept at rest: certificates in PEM, keys only as wrapped bytes."""

    ca_certificate_pem: bytes
    signing_certificate_pem: bytes
    chain_pem: bytes
    wrapped_signing_key: bytes
    wrapped_ca_key: bytes | None


@dataclass(frozen=True)
class ReportAuthority:
    """Who signs reports: a trust anchor auditors hold and the certificate and key that sign.

    ``ca_key`` is present only for an authority Fusebox created itself (it can reissue the
    signing certificate); an externally issued signer has none. ``chain`` holds intermediates
    between the signing certificate and the anchor, empty for a self-created authority.
    """

    ca_certificate: x509.Certificate
    signing_certificate: x509.Certificate
    signing_key: PrivateKey
    ca_key: PrivateKey | None = None
    chain: tuple[x509.Certificate, ...] = ()

    @classmethod
    def create(
        cls, organization: str, *, key_type: str = "ec", now: datetime | None = None
    ) -> ReportAuthority:
        """Create a report-signing CA and a document-signing certificate for ``organization``."""
        if not organization.strip():
            raise ReportAuthorityError("the report-signing CA needs an organization name")
        now = (now or datetime.now(UTC)).replace(microsecond=0)

        ca_key = _new_key(key_type)
        ca_name = _name(organization, f"{organization} Fusebox Report CA")
        ca_certificate = (
            _builder(ca_name, ca_name, ca_key.public_key(), now, now + CA_LIFETIME)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .sign(ca_key, hashes.SHA256())
        )

        signing_key = _new_key(key_type)
        signing_certificate = _issue_signer(ca_certificate, ca_key, signing_key, now)
        logger.info(
            "created report-signing CA %s and signer %s for %s",
            fingerprint(ca_certificate),
            fingerprint(signing_certificate),
            organization,
        )
        return cls(ca_certificate, signing_certificate, signing_key, ca_key=ca_key)

    def renew_signing_certificate(self, now: datetime | None = None) -> ReportAuthority:
        """A new signing key and certificate under the same CA, so auditors' CA file stays
        valid; reports signed earlier keep verifying until their old certificate expires."""
        if self.ca_key is None:
            raise ReportAuthorityError(
                "an externally issued signer is renewed by its issuer: configure the new "
                "certificate and key"
            )
        now = (now or datetime.now(UTC)).replace(microsecond=0)
        signing_key = _new_key(
            "ec" if isinstance(self.ca_key, ec.EllipticCurvePrivateKey) else "rsa"
        )
        signing_certificate = _issue_signer(self.ca_certificate, self.ca_key, signing_key, now)
        logger.info(
            "renewed report signer under CA %s: new signer %s",
            fingerprint(self.ca_certificate),
            fingerprint(signing_certificate),
        )
        return ReportAuthority(
            self.ca_certificate, signing_certificate, signing_key, ca_key=self.ca_key
        )

    @classmethod
    def from_external(
        cls,
        certificate_pem: bytes,
        key_pem: bytes,
        ca_pem: bytes,
        *,
        key_password: bytes | None = None,
    ) -> ReportAuthority:
        """Use an externally issued signing certificate and key.

        ``certificate_pem`` may hold the signing certificate followed by intermediates;
        ``ca_pem`` is the root auditors will trust. The certificate must be signed (through
        the intermediates) by that root, match the key and allow document signing.
        """
        certificates = _load_certificates(certificate_pem, "signing certificate")
        anchors = _load_certificates(ca_pem, "CA certificate")
        try:
            key = serialization.load_pem_private_key(key_pem, password=key_password)
        except (ValueError, TypeError):
            raise ReportAuthorityError(
                "the signing key is not a readable PEM private key or the password is wrong"
            ) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise ReportAuthorityError("the signing key must be an EC or RSA key")

        authority = cls(anchors[0], certificates[0], key, chain=tuple(certificates[1:]))
        authority.check()
        return authority

    def check(self, now: datetime | None = None) -> None:
        """Refuse key material that would produce reports nobody can verify."""
        now = now or datetime.now(UTC)
        certificate = self.signing_certificate
        if _public_bytes(certificate.public_key()) != _public_bytes(self.signing_key.public_key()):
            raise ReportAuthorityError("the signing key does not match the signing certificate")

        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise ReportAuthorityError(
                f"the signing certificate is valid only from {certificate.not_valid_before_utc}"
                f" to {certificate.not_valid_after_utc}"
            )

        if isinstance(self.signing_key, rsa.RSAPrivateKey) and self.signing_key.key_size < 2048:
            raise ReportAuthorityError("RSA signing keys must be at least 2048 bits")

        try:
            key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            key_usage = None
        if key_usage is None or not key_usage.content_commitment:
            raise ReportAuthorityError(
                "the signing certificate's key usage must include nonRepudiation "
                "(contentCommitment), which PDF validators require of certification signatures"
            )

        try:
            usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            usages = None
        if usages is not None and ExtendedKeyUsageOID.EMAIL_PROTECTION not in usages:
            raise ReportAuthorityError(
                "the signing certificate's extended key usage lacks emailProtection, "
                "which NSS-based PDF readers require for document signatures"
            )

        issuer = self.chain[0] if self.chain else self.ca_certificate
        links = [(certificate, issuer)]
        path = [*self.chain, self.ca_certificate]
        links += list(itertools.pairwise(path))
        for child, parent in links:
            try:
                child.verify_directly_issued_by(parent)
            except (ValueError, TypeError, InvalidSignature):
                raise ReportAuthorityError(
                    f"certificate '{child.subject.rfc4514_string()}' is not issued by "
                    f"'{parent.subject.rfc4514_string()}': supply the full chain to the CA"
                ) from None

    def export(self, wrap: KeyWrapper) -> StoredAuthority:
        """Serialise for storage; ``wrap`` encrypts each private key (e.g. with the vault)."""
        return StoredAuthority(
            ca_certificate_pem=self.ca_certificate.public_bytes(serialization.Encoding.PEM),
            signing_certificate_pem=self.signing_certificate.public_bytes(
                serialization.Encoding.PEM
            ),
            chain_pem=b"".join(
                item.public_bytes(serialization.Encoding.PEM) for item in self.chain
            ),
            wrapped_signing_key=wrap(_private_der(self.signing_key)),
            wrapped_ca_key=wrap(_private_der(self.ca_key)) if self.ca_key else None,
        )

    @classmethod
    def load(cls, stored: StoredAuthority, unwrap: KeyWrapper) -> ReportAuthority:
        """Rebuild an authority from storage; ``unwrap`` reverses the wrapping function."""
        signing_key = _unwrap_key(stored.wrapped_signing_key, unwrap, "signing")
        ca_key = None
        if stored.wrapped_ca_key is not None:
            ca_key = _unwrap_key(stored.wrapped_ca_key, unwrap, "CA")
        chain = ()
        if stored.chain_pem.strip():
            chain = tuple(_load_certificates(stored.chain_pem, "chain"))
        authority = cls(
            ca_certificate=_load_certificates(stored.ca_certificate_pem, "CA certificate")[0],
            signing_certificate=_load_certificates(
                stored.signing_certificate_pem, "signing certificate"
            )[0],
            signing_key=signing_key,
            ca_key=ca_key,
            chain=chain,
        )
        authority.check()
        return authority

    @property
    def signing_certificate_sha256(self) -> str:
        return fingerprint(self.signing_certificate)

    def ca_certificate_pem(self) -> bytes:
        """The file auditors download to verify reports."""
        return self.ca_certificate.public_bytes(serialization.Encoding.PEM)


def fingerprint(certificate: x509.Certificate) -> str:
    """Lowercase hex SHA-256 of the certificate's DER, the form reports print."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def sign_report_pdf(
    pdf: bytes,
    authority: ReportAuthority,
    *,
    timestamp_url: str | None = None,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """Certify a rendered report PDF so that any later change shows (DocMDP, no changes).

    PAdES B-B by default; B-T when ``timestamp_url`` (an RFC 3161 TSA) or a ``timestamper``
    is given.
    """
    if timestamper is None and timestamp_url:
        timestamper = HTTPTimeStamper(timestamp_url)

    signer = signers.SimpleSigner(
        signing_cert=_asn1_certificate(authority.signing_certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(_private_der(authority.signing_key)),
        cert_registry=SimpleCertificateStore.from_certs(
            [_asn1_certificate(item) for item in (*authority.chain, authority.ca_certificate)]
        ),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Certified Secure build report",
        name=authority.signing_certificate.subject.rfc4514_string(),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=True)
        output = signers.sign_pdf(writer, metadata, signer, timestamper=timestamper)
    except Exception as error:
        # pyHanko raises many unrelated types (I/O, TSA HTTP errors, PDF syntax).
        logger.warning("report PDF signing failed: %s", type(error).__name__)
        raise ReportAuthorityError(f"could not sign the report PDF: {error}") from error
    return output.getvalue()


def sign_report_json(canonical: bytes, authority: ReportAuthority) -> str:
    """A compact JWS with detached payload over the report's canonical JSON bytes."""
    header = {
        "alg": jws_algorithm(authority.signing_key),
        "typ": JWS_TYPE,
        "kid": authority.signing_certificate_sha256,
        "x5c": [
            base64.b64encode(item.public_bytes(serialization.Encoding.DER)).decode("ascii")
            for item in (authority.signing_certificate, *authority.chain)
        ],
    }
    encoded_header = b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())
    signing_input = f"{encoded_header}.{b64url(canonical)}".encode("ascii")
    signature = _jws_sign(authority.signing_key, signing_input)
    return f"{encoded_header}..{b64url(signature)}"


def jws_algorithm(key) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return {256: "ES256", 384: "ES384", 521: "ES512"}[key.curve.key_size]
    return "RS256"


def jws_verify(public_key, algorithm: str, signing_input: bytes, signature: bytes) -> bool:
    """Check a JWS signature made with ``algorithm``; False for a bad or mismatched one."""
    try:
        if algorithm.startswith("ES"):
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                return False
            if jws_algorithm(public_key) != algorithm:
                return False
            half = len(signature) // 2
            if len(signature) != 2 * ((public_key.curve.key_size + 7) // 8):
                return False
            der = encode_dss_signature(
                int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            )
            public_key.verify(der, signing_input, ec.ECDSA(_JWS_HASHES[algorithm]))
            return True
        if algorithm == "RS256" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return True
    except InvalidSignature:
        return False
    return False


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding, as JWS requires."""
    if not isinstance(text, str) or "=" in text:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_JWS_HASHES = {"ES256": hashes.SHA256(), "ES384": hashes.SHA384(), "ES512": hashes.SHA512()}


def _jws_sign(key: PrivateKey, signing_input: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = jws_algorithm(key)
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(_JWS_HASHES[algorithm])))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())


def _issue_signer(ca_certificate, ca_key, signing_key, now: datetime) -> x509.Certificate:
    """The document-signing certificate profile (see the module docstring for the EKUs)."""
    organization = ca_certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    organization_name = organization[0].value if organization else "Fusebox"
    signer_name = _name(organization_name, f"{organization_name} Fusebox Report Signing")
    return (
        _builder(
            signer_name,
            ca_certificate.subject,
            signing_key.public_key(),
            now,
            now + SIGNER_LIFETIME,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _new_key(key_type: str) -> PrivateKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    raise ReportAuthorityError(f"unknown key type {key_type!r}: use 'ec' or 'rsa'")


def _name(organization: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def _builder(subject, issuer, public_key, start: datetime, end: datetime):
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - timedelta(minutes=5))
        .not_valid_after(end)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _load_certificates(pem: bytes, what: str) -> list[x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise ReportAuthorityError(f"the {what} is not a PEM certificate") from None
    return certificates


def _private_der(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_bytes(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _unwrap_key(wrapped: bytes, unwrap: KeyWrapper, which: str) -> PrivateKey:
    try:
        key = serialization.load_der_private_key(unwrap(wrapped), password=None)
    except Exception:
        # The unwrapping function belongs to the caller; its errors may say anything.
        raise ReportAuthorityError(
            f"the stored report {which} key cannot be unwrapped (wrong master key?)"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ReportAuthorityError(f"the stored report {which} key is not an EC or RSA key")
    return key


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
