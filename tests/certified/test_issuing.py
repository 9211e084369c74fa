"""Issuing a report end to end: facts in, three verifiable files out."""

import hashlib

import pytest

from certified.errors import ReportSchemaError
from certified.issuing import issue_report
from certified.sample import sample_report_dict
from certified.verify import verify_json, verify_pdf


def test_it_issues_a_pdf_and_a_json_twin_that_both_verify(authority):
    facts = sample_report_dict(audit_events=10, report_id="rpt-issued-1")

    issued = issue_report(facts, authority)

    pdf_result = verify_pdf(issued.pdf, authority.ca_certificate)
    json_result = verify_json(issued.json, issued.jws, authority.ca_certificate)
    assert pdf_result.valid and json_result.valid
    assert pdf_result.report_id == json_result.report_id == "rpt-issued-1"
    assert issued.pdf_sha256 == hashlib.sha256(issued.pdf).hexdigest()


def test_it_refuses_facts_that_do_not_fit_before_rendering(authority):
    facts = sample_report_dict(audit_events=0)
    del facts["output"]

    with pytest.raises(ReportSchemaError, match="output"):
        issue_report(facts, authority)
