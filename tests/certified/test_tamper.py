"""Tampered reports: every change after signing is refused with a reason, PDF and JSON."""

import json

import pytest

from certified.signing import b64url, sign_report_json
from certified.verify import verify_json, verify_pdf
from tests.certified.support import (
    flip_byte,
    pdfsig,
    signed_ranges,
    with_annotation,
    with_empty_update,
)


def test_it_refuses_a_pdf_with_one_byte_flipped_inside_a_content_stream(signed_pdf, authority):
    (start, end), _ = signed_ranges(signed_pdf)
    position = signed_pdf.index(b"stream", start + 500) + 40
    assert position < end

    result = verify_pdf(flip_byte(signed_pdf, position), authority.ca_certificate)

    assert not result.valid
    assert result.reason_code == "signature_broken"
    assert "changed after signing" in result.reason


def test_it_refuses_a_pdf_with_a_byte_flipped_anywhere_in_the_signed_ranges(signed_pdf, authority):
    ranges = signed_ranges(signed_pdf)
    positions = [start + (end - start) * step // 7 for start, end in ranges for step in range(7)]

    results = [verify_pdf(flip_byte(signed_pdf, at), authority.ca_certificate) for at in positions]

    assert [result.valid for result in results] == [False] * len(positions)
    assert all(result.reason_code for result in results)


def test_it_refuses_a_pdf_with_an_appended_annotation_update(signed_pdf, authority):
    tampered = with_annotation(signed_pdf)

    result = verify_pdf(tampered, authority.ca_certificate)

    assert tampered.startswith(signed_pdf)
    assert not result.valid
    assert result.intact and result.trusted
    assert result.reason_code == "not_whole_file"
    assert "incremental update" in result.reason


def test_it_refuses_a_pdf_with_a_second_unsigned_revision(signed_pdf, authority):
    result = verify_pdf(with_empty_update(signed_pdf), authority.ca_certificate)

    assert not result.valid
    assert result.reason_code == "not_whole_file"


def test_pdfsig_alone_calls_an_appended_update_valid_but_not_total(
    signed_pdf, nss_database, tmp_path
):
    """The trap verify_pdf exists to close: pdfsig only hints at the appended bytes."""
    path = tmp_path / "appended.pdf"
    path.write_bytes(with_annotation(signed_pdf))

    output = pdfsig(nss_database, path)

    assert "Signature is Valid" in output
    assert "Not total document signed" in output
    assert "Total document signed" not in output.replace("Not total document signed", "")


def test_it_refuses_a_pdf_truncated_before_its_end(signed_pdf, authority):
    result = verify_pdf(signed_pdf[: len(signed_pdf) // 2], authority.ca_certificate)

    assert not result.valid


def test_it_refuses_a_pdf_with_no_signature(unsigned_pdf, authority):
    result = verify_pdf(unsigned_pdf, authority.ca_certificate)

    assert result.reason_code == "no_signature"


def test_it_refuses_a_file_that_is_not_a_pdf(authority):
    assert verify_pdf(b"PK\x03\x04 not a report", authority.ca_certificate).reason_code == (
        "not_a_pdf"
    )


def test_it_refuses_a_report_signed_by_another_fusebox(signed_pdf, other_authority):
    result = verify_pdf(signed_pdf, other_authority.ca_certificate)

    assert not result.valid
    assert result.intact
    assert result.reason_code == "untrusted_signer"


def test_it_accepts_the_json_report_with_its_detached_signature(signed_json, authority, report):
    data, signature = signed_json

    result = verify_json(data, signature, authority.ca_certificate)

    assert result.valid, result.reason
    assert (result.report_id, result.build_id) == (report.report_id, report.build_id)
    assert signature.count(".") == 2 and signature.split(".")[1] == ""


def test_it_refuses_json_with_an_edited_field(signed_json, authority):
    data, signature = signed_json
    edited = data.replace(b'"version_code":4120', b'"version_code":4121')
    assert edited != data

    result = verify_json(edited, signature, authority.ca_certificate)

    assert not result.valid
    assert result.reason_code == "signature_mismatch"
    assert "edited" in result.reason


def test_it_refuses_json_that_was_reformatted(signed_json, authority):
    data, signature = signed_json
    pretty = json.dumps(json.loads(data), indent=2).encode()

    result = verify_json(pretty, signature, authority.ca_certificate)

    assert result.reason_code == "signature_mismatch"


def test_it_refuses_json_signed_by_another_fusebox(signed_json, authority, other_authority):
    data, _ = signed_json
    foreign = sign_report_json(data, other_authority)

    result = verify_json(data, foreign, authority.ca_certificate)

    assert result.intact
    assert result.reason_code == "untrusted_signer"


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda signature: signature.split(".")[0], "malformed_signature"),
        (lambda signature: signature.replace("..", ".e30."), "malformed_signature"),
        (lambda signature: "!!." + signature.split(".", 1)[1], "malformed_signature"),
        (
            lambda signature: (
                b64url(b'{"alg":"none","typ":"fusebox-report+jws","x5c":[]}')
                + ".."
                + signature.split(".")[2]
            ),
            "unsupported_algorithm",
        ),
        (
            lambda signature: b64url(b'{"alg":"HS256"}') + ".." + signature.split(".")[2],
            "unsupported_algorithm",
        ),
    ],
)
def test_it_refuses_a_malformed_or_downgraded_jws(signed_json, authority, mangle, code):
    data, signature = signed_json

    result = verify_json(data, mangle(signature), authority.ca_certificate)

    assert not result.valid
    assert result.reason_code == code
