"""The report schema: strict on input, one canonical byte form on output."""

import copy
import json

import pytest

from certified.errors import ReportSchemaError
from certified.report import SCHEMA_VERSION, Report, canonical_json, parse_report_json
from certified.sample import sample_report_dict


def test_it_round_trips_a_report_through_its_dict_form():
    facts = sample_report_dict(audit_events=5)

    report = Report.from_dict(facts)

    assert report.to_dict() == facts
    assert report.schema_version == SCHEMA_VERSION


def test_it_writes_the_same_canonical_json_whatever_the_key_order():
    facts = sample_report_dict(audit_events=3)
    reordered = dict(reversed(list(facts.items())))

    first = canonical_json(Report.from_dict(facts))
    second = canonical_json(Report.from_dict(reordered))

    assert first == second
    assert first.startswith(b'{"app":{"name":"Northwind Field Service","package":')
    assert json.loads(first) == facts


def test_it_reads_back_the_canonical_json_it_writes():
    report = Report.from_dict(sample_report_dict(audit_events=2))

    assert parse_report_json(canonical_json(report)) == report


def test_it_keeps_non_ascii_text_as_utf8():
    facts = sample_report_dict(audit_events=0)
    facts["organization"] = "Nordwind Mobilität GmbH"

    data = canonical_json(Report.from_dict(facts))

    assert "Mobilität".encode() in data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda facts: facts.update(extra=1), "unknown field(s) extra"),
        (lambda facts: facts.pop("build_id"), "missing field(s) build_id"),
        (lambda facts: facts.update(schema_version=2), "schema_version"),
        (lambda facts: facts["app"].update(version_code="4120"), "app.version_code"),
        (lambda facts: facts["app"].update(package="not a package"), "app.package"),
        (lambda facts: facts["input"].update(sha256="ABC"), "input.sha256"),
        (lambda facts: facts["requester"].update(address="example.com"), "requester.address"),
        (lambda facts: facts["requester"].update(kind="robot"), "requester.kind"),
        (lambda facts: facts.update(issued_at="2026-11-30T09:14:05"), "issued_at"),
        (lambda facts: facts["verdict"].update(reasons=["late"]), "verdict.reasons"),
        (lambda facts: facts["protections"][0]["settings"].update(ratio=0.5), "settings.ratio"),
        (lambda facts: facts["protections"][0].update(evidence=[]), "protections[0].evidence"),
        (lambda facts: facts["timeline"][0].update(duration_ms=-1), "timeline[0].duration_ms"),
        (lambda facts: facts.update(verification_url="javascript:alert(1)"), "verification_url"),
        (lambda facts: facts["audit_events"][0].update(scope="tenant"), "audit_events[0].scope"),
    ],
)
def test_it_rejects_facts_that_do_not_fit_the_schema_naming_the_field(change, field):
    facts = copy.deepcopy(sample_report_dict(audit_events=2))
    change(facts)

    with pytest.raises(ReportSchemaError) as raised:
        Report.from_dict(facts)

    assert raised.value.code == "report_schema"
    assert field in raised.value.message


def test_it_rejects_a_failed_verdict_without_reasons():
    facts = sample_report_dict(passed=False)
    facts["verdict"]["reasons"] = []

    with pytest.raises(ReportSchemaError, match="at least one reason"):
        Report.from_dict(facts)


def test_it_accepts_a_failed_report_that_lists_its_reasons():
    report = Report.from_dict(sample_report_dict(passed=False))

    assert not report.verdict.passed
    assert report.protections[2].status == "missing"


def test_it_rejects_json_with_a_repeated_key():
    data = canonical_json(Report.from_dict(sample_report_dict(audit_events=0)))
    doubled = data[:-1] + b',"build_id":"bld-other"}'

    with pytest.raises(ReportSchemaError, match="repeats the key"):
        parse_report_json(doubled)


def test_it_rejects_json_holding_a_float():
    with pytest.raises(ReportSchemaError, match="float"):
        parse_report_json(b'{"schema_version": 1.0}')


def test_it_rejects_bytes_that_are_not_json():
    with pytest.raises(ReportSchemaError, match="not valid JSON"):
        parse_report_json(b"%PDF-1.7")
