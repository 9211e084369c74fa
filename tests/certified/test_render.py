"""The rendered report as a reader sees it: first page, QR code, every section, legibility."""

import shutil
import subprocess

import pytest
from PIL import Image, ImageStat

from certified.render import (
    audit_listing,
    audit_window,
    format_duration,
    render_report_html,
)
from certified.report import Report, canonical_json
from certified.sample import sample_report_dict


def _pdftotext(path, *pages: str) -> str:
    completed = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, check=True
    )
    return completed.stdout.decode()


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory, signed_pdf):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils is needed to read the PDF")
    path = tmp_path_factory.mktemp("rendered") / "report.pdf"
    path.write_bytes(signed_pdf)
    return path


@pytest.fixture(scope="module")
def first_page_png(pdf_file):
    prefix = pdf_file.parent / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_file), str(prefix)],
        check=True,
    )
    [png] = pdf_file.parent.glob("page*.png")
    return png


def test_the_first_page_renders_to_a_non_blank_image(first_page_png):
    image = Image.open(first_page_png).convert("L")

    stats = ImageStat.Stat(image)
    dark = sum(count for level, count in enumerate(image.histogram()) if level < 128)

    assert image.size[0] > 400 and image.size[1] > 600
    assert stats.var[0] > 500
    assert dark / (image.size[0] * image.size[1]) > 0.02


def test_the_qr_code_on_the_first_page_decodes_to_the_verification_link(first_page_png, report):
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg (zbar-tools) is not installed")

    completed = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(first_page_png)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == report.verification_url


def test_the_first_page_states_the_verdict_and_the_identifying_facts(pdf_file, report):
    text = _pdftotext(pdf_file, "-f", "1", "-l", "1")

    for fact in (
        "PASSED",
        report.organization,
        report.app.name,
        report.app.package,
        report.app.version_name,
        report.input.sha256,
        report.output.sha256,
        report.output_signer.certificate_sha256,
        report.fusion_set.name,
        report.fusion_set.id,
        f"revision {report.fusion_set.revision}",
        "2026-11-30",
        report.verification_url,
        report.requester.address,
    ):
        assert fact in text, fact
    assert "Page 1 of " in text


def test_every_page_is_numbered_and_names_the_organization(pdf_file, report):
    pages = _pdftotext(pdf_file).split("\f")[:-1]

    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert report.organization in page


def test_it_prints_protections_the_threat_event_check_and_the_timeline(pdf_file, report):
    text = _pdftotext(pdf_file)

    for protection in report.protections:
        assert protection.feature in text
        assert protection.evidence[0][:40] in text
    assert "Certified Secure Threat-Event check" in text
    assert "client_identity" in text and "ci-ops-2026" in text
    for step in report.timeline:
        assert step.step in text
    assert format_duration(report.timeline[-1].duration_ms) in text


def test_it_prints_every_event_of_a_200_event_trail_with_a_summary(pdf_file, report):
    text = _pdftotext(pdf_file)

    assert "200 events by 2 actors" in text
    missing = [
        event.at.strftime("%Y-%m-%d %H:%M:%S")
        for event in report.audit_events
        if event.at.strftime("%Y-%m-%d %H:%M:%S") not in text
    ]
    assert missing == []


def test_it_embeds_the_canonical_json_in_the_pdf(pdf_file, report, tmp_path):
    listing = subprocess.run(
        ["pdfdetach", "-list", str(pdf_file)], capture_output=True, text=True, check=True
    )
    subprocess.run(
        ["pdfdetach", "-save", "1", "-o", str(tmp_path / "out.json"), str(pdf_file)], check=True
    )

    assert "report.json" in listing.stdout
    assert (tmp_path / "out.json").read_bytes() == canonical_json(report)


def test_it_summarises_a_very_long_trail_and_points_to_the_json():
    report = Report.from_dict(sample_report_dict(audit_events=1000))

    html = render_report_html(report)
    window = audit_window(report.audit_events)

    assert window.omitted == 600 and len(window.head) == len(window.tail) == 200
    assert "600 further events are not printed here" in html
    assert "1000 events" in html


def test_it_lists_every_reason_when_the_verdict_failed():
    report = Report.from_dict(sample_report_dict(passed=False))

    html = render_report_html(report)

    assert "FAILED" in html and "PASSED" not in html
    assert "does not carry the RootCheck detector" in html


def test_it_escapes_markup_in_the_facts():
    facts = sample_report_dict(audit_events=1)
    facts["app"]["name"] = "<script>alert(1)</script>"

    html = render_report_html(Report.from_dict(facts))

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("milliseconds", "text"),
    [(850, "850 ms"), (4200, "4.2 s"), (185_000, "3 min 05 s"), (3_720_000, "1 h 02 min")],
)
def test_it_formats_durations_for_people(milliseconds, text):
    assert format_duration(milliseconds) == text


def test_it_lets_a_long_unbroken_token_wrap_inside_an_audit_cell():
    facts = sample_report_dict(audit_events=1)
    facts["audit_events"][0]["summary"] = "uploaded " + "A" * 90

    html = render_report_html(Report.from_dict(facts))

    assert "uploaded " + "\u200b".join(["A" * 30] * 3) in html


def test_it_lists_the_audit_trail_in_aligned_columns_with_the_summary_last():
    report = Report.from_dict(sample_report_dict(audit_events=12))

    header, head, tail, omitted, indent = audit_listing(report.audit_events)

    assert (len(head), tail, omitted) == (12, [], 0)
    assert header[indent:] == "Summary"
    for line, event in zip(head, report.audit_events, strict=True):
        assert line[indent:] == event.summary
        assert line.startswith(" " + event.at.strftime("%Y-%m-%d %H:%M:%S"))
        assert f"  {event.action}" in line[:indent]
