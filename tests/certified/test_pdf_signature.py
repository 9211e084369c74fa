"""The signed report PDF as pyHanko and poppler (NSS) see it."""

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from certified.signing import SIGNATURE_FIELD, fingerprint, sign_report_pdf
from certified.verify import load_ca_certificate, verify_pdf
from tests.certified.support import pdfsig


def _status(data, ca):
    reader = PdfFileReader(io.BytesIO(data))
    [signature] = reader.embedded_signatures
    context = ValidationContext(trust_roots=[load_ca_certificate(ca)])
    return signature, validate_pdf_signature(signature, signer_validation_context=context)


def test_pyhanko_validates_the_certified_report_against_the_authority_ca(signed_pdf, authority):
    signature, status = _status(signed_pdf, authority.ca_certificate)

    assert signature.field_name == SIGNATURE_FIELD
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.docmdp_ok
    assert signature.docmdp_level == MDPPerm.NO_CHANGES
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.sha256.hex() == fingerprint(authority.signing_certificate)


def test_pyhanko_does_not_trust_the_report_under_another_ca(signed_pdf, other_authority):
    _, status = _status(signed_pdf, other_authority.ca_certificate)

    assert status.intact
    assert not status.trusted


def test_pdfsig_reports_a_valid_trusted_whole_document_signature(
    signed_pdf, nss_database, tmp_path
):
    path = tmp_path / "report.pdf"
    path.write_bytes(signed_pdf)

    output = pdfsig(nss_database, path)

    assert "Signature is Valid" in output
    assert "Certificate is Trusted" in output
    assert "Total document signed" in output
    assert "Not total document signed" not in output


def test_verify_pdf_reads_the_report_and_build_from_the_signed_content(
    signed_pdf, authority, report
):
    result = verify_pdf(signed_pdf, authority.ca_certificate_pem())

    assert result.valid, result.reason
    assert result.reason_code is None
    assert (result.intact, result.trusted, result.covers_whole_file) == (True, True, True)
    assert result.report_id == report.report_id
    assert result.build_id == report.build_id
    assert result.signer_sha256 == authority.signing_certificate_sha256
    assert result.report == report
    assert not result.timestamped


def test_it_adds_a_trusted_timestamp_for_pades_b_t(unsigned_pdf, authority, timestamp_authority):
    stamper, tsa_root = timestamp_authority

    signed = sign_report_pdf(unsigned_pdf, authority, timestamper=stamper)
    result = verify_pdf(signed, authority.ca_certificate, timestamp_roots=(tsa_root,))

    assert result.valid, result.reason
    assert result.timestamped and result.timestamp_trusted
    [signature] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    status = validate_pdf_signature(
        signature,
        signer_validation_context=ValidationContext(
            trust_roots=[load_ca_certificate(authority.ca_certificate)]
        ),
        ts_validation_context=ValidationContext(trust_roots=[load_ca_certificate(tsa_root)]),
    )
    assert status.timestamp_validity.valid and status.timestamp_validity.trusted


def test_it_reports_a_timestamp_from_an_untrusted_tsa_as_unproven(
    unsigned_pdf, authority, timestamp_authority
):
    stamper, _ = timestamp_authority

    signed = sign_report_pdf(unsigned_pdf, authority, timestamper=stamper)
    result = verify_pdf(signed, authority.ca_certificate)

    assert result.valid, result.reason
    assert result.timestamped
    assert not result.timestamp_trusted


def test_it_asks_a_timestamp_authority_over_http_when_given_its_url(
    unsigned_pdf, authority, timestamp_authority, timestamp_url
):
    _, tsa_root = timestamp_authority

    signed = sign_report_pdf(unsigned_pdf, authority, timestamp_url=timestamp_url)
    result = verify_pdf(signed, authority.ca_certificate, timestamp_roots=(tsa_root,))

    assert result.valid, result.reason
    assert result.timestamped and result.timestamp_trusted


def test_it_fails_with_a_clear_error_when_the_timestamp_authority_is_unreachable(
    unsigned_pdf, authority
):
    from certified.errors import ReportAuthorityError

    with pytest.raises(ReportAuthorityError, match="could not sign") as raised:
        sign_report_pdf(unsigned_pdf, authority, timestamp_url="http://127.0.0.1:9/tsa")

    assert raised.value.code == "report_authority"


def test_it_refuses_to_sign_bytes_that_are_not_a_pdf(authority):
    from certified.errors import ReportAuthorityError

    with pytest.raises(ReportAuthorityError, match="could not sign"):
        sign_report_pdf(b"not a pdf", authority)
