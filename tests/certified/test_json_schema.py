"""The published JSON Schema document agrees with the schema the code enforces."""

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import certified
from certified.errors import ReportSchemaError
from certified.report import Report
from certified.sample import sample_report_dict

SCHEMA = json.loads(
    (Path(certified.__file__).parent / "schema" / "report-v1.json").read_text(encoding="utf-8")
)


def _schema_errors(document) -> list[str]:
    return [error.message for error in Draft202012Validator(SCHEMA).iter_errors(document)]


def test_the_schema_document_is_itself_valid():
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("facts", [sample_report_dict(), sample_report_dict(passed=False)])
def test_the_schema_document_accepts_what_the_code_accepts(facts):
    report = Report.from_dict(facts)

    assert _schema_errors(report.to_dict()) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda facts: facts.update(extra=1),
        lambda facts: facts.pop("build_id"),
        lambda facts: facts.update(schema_version=2),
        lambda facts: facts["app"].update(version_code="4120"),
        lambda facts: facts["app"].update(package="not a package"),
        lambda facts: facts["input"].update(sha256="ABC"),
        lambda facts: facts["requester"].update(kind="robot"),
        lambda facts: facts.update(issued_at="2026-11-30T09:14:05"),
        lambda facts: facts["protections"][0]["settings"].update(ratio=0.5),
        lambda facts: facts["timeline"][0].update(duration_ms=-1),
        lambda facts: facts.update(verification_url="javascript:alert(1)"),
        lambda facts: facts["audit_events"][0].update(scope="tenant"),
        lambda facts: facts["output_signer"].update(schemes=["v9"]),
    ],
)
def test_the_schema_document_rejects_what_the_code_rejects(change):
    facts = copy.deepcopy(sample_report_dict(audit_events=2))
    change(facts)

    with pytest.raises(ReportSchemaError):
        Report.from_dict(facts)
    assert _schema_errors(facts) != []
