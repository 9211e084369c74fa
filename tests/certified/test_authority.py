"""The report-signing authority: certificate profile, storage at rest, external signers."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certified.errors import ReportAuthorityError
from certified.report import canonical_json
from certified.signing import (
    DOCUMENT_SIGNING,
    ReportAuthority,
    sign_report_json,
    sign_report_pdf,
)
from certified.verify import verify_json, verify_pdf


def test_it_issues_a_signing_certificate_with_the_usages_pdf_readers_need(authority):
    certificate = authority.signing_certificate

    usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value

    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in usages
    assert DOCUMENT_SIGNING in usages
    assert key_usage.digital_signature and key_usage.content_commitment
    assert not constraints.ca
    certificate.verify_directly_issued_by(authority.ca_certificate)


def test_it_makes_a_ca_that_can_only_sign_certificates(authority):
    ca = authority.ca_certificate

    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
    key_usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value

    assert constraints.ca and constraints.path_length == 0
    assert key_usage.key_cert_sign and not key_usage.digital_signature
    assert b"BEGIN CERTIFICATE" in authority.ca_certificate_pem()


def test_it_stores_keys_only_through_the_wrapping_function(authority):
    wrapper = Fernet(Fernet.generate_key())
    clear_key = authority.signing_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    stored = authority.export(wrapper.encrypt)
    loaded = ReportAuthority.load(stored, wrapper.decrypt)

    assert clear_key not in stored.wrapped_signing_key
    assert stored.wrapped_ca_key is not None
    assert loaded.signing_certificate == authority.signing_certificate
    assert loaded.signing_key.private_numbers() == authority.signing_key.private_numbers()


def test_it_refuses_to_load_keys_wrapped_under_another_master_key(authority):
    stored = authority.export(Fernet(Fernet.generate_key()).encrypt)

    with pytest.raises(ReportAuthorityError, match="cannot be unwrapped") as raised:
        ReportAuthority.load(stored, Fernet(Fernet.generate_key()).decrypt)

    assert raised.value.code == "report_authority"
    assert InvalidToken.__name__ not in raised.value.message


def _signer_key_usage(*, non_repudiation=True):
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _external_chain(*, usages):
    """An outside PKI: root, intermediate, and a document-signing certificate."""
    now = datetime.now(UTC)
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(3)]
    names = [
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        for name in ("Corp Root", "Corp Documents CA", "Corp Report Signer")
    ]
    certificates = []
    for index in range(3):
        issuer = max(index - 1, 0)
        builder = (
            x509.CertificateBuilder()
            .subject_name(names[index])
            .issuer_name(names[issuer])
            .public_key(keys[index].public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=index < 2, path_length=None), critical=True)
        )
        if index == 2:
            builder = builder.add_extension(_signer_key_usage(), critical=True)
            builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        certificates.append(builder.sign(keys[issuer], hashes.SHA256()))
    pem = [item.public_bytes(serialization.Encoding.PEM) for item in certificates]
    key_pem = keys[2].private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"correct horse"),
    )
    return pem, key_pem, keys


def test_it_signs_with_an_externally_issued_certificate_through_an_intermediate(
    report, unsigned_pdf
):
    pem, key_pem, _ = _external_chain(
        usages=[ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]
    )

    authority = ReportAuthority.from_external(
        pem[2] + pem[1], key_pem, pem[0], key_password=b"correct horse"
    )
    signed = sign_report_pdf(unsigned_pdf, authority)
    canonical = canonical_json(report)

    assert authority.ca_key is None
    assert verify_pdf(signed, pem[0]).valid
    assert verify_json(canonical, sign_report_json(canonical, authority), pem[0]).valid


def test_it_refuses_an_external_certificate_without_email_protection():
    pem, key_pem, _ = _external_chain(usages=[ExtendedKeyUsageOID.CODE_SIGNING])

    with pytest.raises(ReportAuthorityError, match="emailProtection"):
        ReportAuthority.from_external(
            pem[2] + pem[1], key_pem, pem[0], key_password=b"correct horse"
        )


def test_it_refuses_an_external_key_that_does_not_match_the_certificate():
    pem, _, keys = _external_chain(usages=[ExtendedKeyUsageOID.EMAIL_PROTECTION])
    wrong_key = keys[1].private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    with pytest.raises(ReportAuthorityError, match="does not match"):
        ReportAuthority.from_external(pem[2] + pem[1], wrong_key, pem[0])


def test_it_refuses_an_external_chain_that_does_not_reach_the_given_ca():
    pem, key_pem, _ = _external_chain(usages=[ExtendedKeyUsageOID.EMAIL_PROTECTION])

    with pytest.raises(ReportAuthorityError, match="not issued by"):
        ReportAuthority.from_external(pem[2], key_pem, pem[0], key_password=b"correct horse")


def test_it_refuses_a_wrong_key_password_without_echoing_it():
    pem, key_pem, _ = _external_chain(usages=[ExtendedKeyUsageOID.EMAIL_PROTECTION])

    with pytest.raises(ReportAuthorityError) as raised:
        ReportAuthority.from_external(pem[2] + pem[1], key_pem, pem[0], key_password=b"hunter2")

    assert "hunter2" not in str(raised.value)


def test_it_signs_and_verifies_with_an_rsa_authority(report, unsigned_pdf):
    authority = ReportAuthority.create("Northwind Mobile Ltd", key_type="rsa")
    canonical = canonical_json(report)

    signed = sign_report_pdf(unsigned_pdf, authority)
    signature = sign_report_json(canonical, authority)

    assert verify_pdf(signed, authority.ca_certificate).valid
    assert verify_json(canonical, signature, authority.ca_certificate).valid


def test_it_renews_the_signer_under_the_same_ca(authority, report, signed_pdf):
    renewed = authority.renew_signing_certificate()
    canonical = canonical_json(report)

    assert renewed.ca_certificate == authority.ca_certificate
    assert renewed.signing_certificate_sha256 != authority.signing_certificate_sha256
    assert verify_json(
        canonical, sign_report_json(canonical, renewed), authority.ca_certificate
    ).valid
    assert verify_pdf(signed_pdf, renewed.ca_certificate_pem()).valid


def test_it_refuses_to_renew_an_externally_issued_signer():
    pem, key_pem, _ = _external_chain(usages=[ExtendedKeyUsageOID.EMAIL_PROTECTION])
    authority = ReportAuthority.from_external(
        pem[2] + pem[1], key_pem, pem[0], key_password=b"correct horse"
    )

    with pytest.raises(ReportAuthorityError, match="renewed by its issuer"):
        authority.renew_signing_certificate()


def test_it_refuses_an_empty_organization_name():
    with pytest.raises(ReportAuthorityError, match="organization name"):
        ReportAuthority.create("  ")


def test_it_rejects_an_unknown_key_type():
    with pytest.raises(ReportAuthorityError, match="unknown key type"):
        ReportAuthority.create("Northwind Mobile Ltd", key_type="dsa")
