"""``fusebox verify-report``: exit 0 for a valid report, 2 with the reason otherwise."""

import json
import subprocess
import sys

import pytest

from certified.cli import EXIT_NOT_VALID, EXIT_VALID, main
from tests.certified.support import flip_byte, signed_ranges, with_annotation


@pytest.fixture
def files(tmp_path, signed_pdf, signed_json):
    data, signature = signed_json
    (tmp_path / "report.pdf").write_bytes(signed_pdf)
    (tmp_path / "report.json").write_bytes(data)
    (tmp_path / "report.json.jws").write_text(signature)
    return tmp_path


def test_it_exits_0_for_a_valid_pdf(files, ca_file, capsys, report):
    code = main(["verify-report", str(files / "report.pdf"), "--ca", str(ca_file)])

    output = capsys.readouterr().out
    assert code == EXIT_VALID
    assert f"valid: report {report.report_id} for build {report.build_id}" in output


def test_it_exits_0_for_a_valid_json_with_the_signature_beside_it(files, ca_file, capsys):
    code = main(["verify-report", str(files / "report.json"), "--ca", str(ca_file)])

    assert code == EXIT_VALID
    assert capsys.readouterr().out.startswith("valid:")


def test_it_prints_the_result_as_json_on_request(files, ca_file, capsys):
    main(["verify-report", str(files / "report.pdf"), "--ca", str(ca_file), "--json"])

    result = json.loads(capsys.readouterr().out)
    assert result["valid"] is True
    assert result["covers_whole_file"] is True


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda data: flip_byte(data, signed_ranges(data)[0][1] // 2), None),
        (with_annotation, "not_whole_file"),
    ],
    ids=["byte-flipped", "update-appended"],
)
def test_it_exits_2_with_the_reason_for_a_tampered_pdf(
    files, ca_file, capsys, signed_pdf, tamper, code
):
    path = files / "tampered.pdf"
    path.write_bytes(tamper(signed_pdf))

    exit_code = main(["verify-report", str(path), "--ca", str(ca_file)])

    output = capsys.readouterr().out
    assert exit_code == EXIT_NOT_VALID
    assert output.startswith("not valid: ")
    if code:
        assert f"not valid: {code}:" in output


def test_it_exits_2_with_the_reason_for_an_edited_json(files, ca_file, capsys, signed_json):
    data, _ = signed_json
    path = files / "edited.json"
    path.write_bytes(data.replace(b'"passed":true', b'"passed":false'))

    exit_code = main(
        [
            "verify-report",
            str(path),
            "--signature",
            str(files / "report.json.jws"),
            "--ca",
            str(ca_file),
        ]
    )

    assert exit_code == EXIT_NOT_VALID
    assert "not valid: signature_mismatch:" in capsys.readouterr().out


def test_it_exits_2_when_a_json_report_has_no_signature(tmp_path, ca_file, capsys, signed_json):
    path = tmp_path / "alone.json"
    path.write_bytes(signed_json[0])

    exit_code = main(["verify-report", str(path), "--ca", str(ca_file)])

    assert exit_code == EXIT_NOT_VALID
    assert "missing_signature" in capsys.readouterr().err


def test_it_exits_2_for_a_ca_file_that_is_not_a_certificate(files, tmp_path, capsys):
    ca = tmp_path / "ca.pem"
    ca.write_text("not a certificate")

    exit_code = main(["verify-report", str(files / "report.pdf"), "--ca", str(ca)])

    assert exit_code == EXIT_NOT_VALID
    assert "bad_ca_certificate" in capsys.readouterr().err


def test_it_runs_as_a_program_and_exits_2_for_an_appended_update(files, ca_file, signed_pdf):
    path = files / "appended.pdf"
    path.write_bytes(with_annotation(signed_pdf))

    completed = subprocess.run(
        [sys.executable, "-m", "certified.cli", "verify-report", str(path), "--ca", str(ca_file)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == EXIT_NOT_VALID
    assert completed.stdout.startswith("not valid: not_whole_file:")
    assert "Traceback" not in completed.stderr


def test_verification_loads_neither_django_nor_the_pdf_renderer():
    """The engine's ``fusebox`` command must stay free of Django when it verifies reports."""
    probe = (
        "import sys, certified.cli, certified.verify;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'weasyprint'}))"
    )

    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert completed.stdout.strip() == "[]"
