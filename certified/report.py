"""The Certified Secure report's facts: a versioned schema and its canonical JSON form.

The build pipeline fills a plain dict (from the build row and the ``check-fused`` inspection
of the output app); ``Report.from_dict`` checks it field by field so a malformed fact fails
with a message naming the field, long before anything is rendered or signed. The canonical
JSON is the exact byte string the JWS signs and the PDF embeds, so it must not depend on dict
order, whitespace or float formatting: keys are sorted, there is no whitespace, and floats
are not part of the schema (durations are integer milliseconds).
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from certified import report_fields as fields
from certified.errors import ReportSchemaError

SCHEMA_NAME = "fusebox.certified-report"
SCHEMA_VERSION = fields.SCHEMA_VERSION
# The name of the canonical JSON attached inside the report PDF.
EMBEDDED_JSON_NAME = "report.json"
_PACKAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")

PROTECTION_STATUSES = ("verified", "missing", "not_applicable")
THREAT_EVENT_STATUSES = ("passed", "failed", "not_configured")
STEP_STATUSES = ("succeeded", "failed", "skipped")
REQUESTER_KINDS = ("user", "token")
AUDIT_SCOPES = ("build", "fusion_set")
SIGNING_SCHEMES = ("v1", "v2", "v3", "v3.1", "v4")


@dataclass(frozen=True)
class Verdict:
    """PASSED only when no reason to fail was found; a failed report lists every reason."""

    passed: bool
    reasons: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, value: Any, path: str = "verdict") -> Verdict:
        data = fields.mapping(value, path, {"passed", "reasons"})
        if not isinstance(data["passed"], bool):
            raise fields.fail(f"{path}.passed", "expected true or false")
        reasons = tuple(
            fields.string(reason, f"{path}.reasons[{index}]")
            for index, reason in enumerate(fields.listing(data["reasons"], f"{path}.reasons"))
        )
        if data["passed"] and reasons:
            raise fields.fail(f"{path}.reasons", "a passed verdict cannot carry failure reasons")
        if not data["passed"] and not reasons:
            raise fields.fail(f"{path}.reasons", "a failed verdict needs at least one reason")
        return cls(passed=data["passed"], reasons=reasons)

    def to_dict(self) -> dict:
        return {"passed": self.passed, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class App:
    name: str
    package: str
    version_code: int
    version_name: str

    @classmethod
    def from_dict(cls, value: Any, path: str = "app") -> App:
        data = fields.mapping(value, path, {"name", "package", "version_code", "version_name"})
        package = fields.string(data["package"], f"{path}.package", limit=255)
        if not _PACKAGE.match(package):
            raise fields.fail(f"{path}.package", f"{package!r} is not an Android package name")
        return cls(
            name=fields.string(data["name"], f"{path}.name", limit=200),
            package=package,
            version_code=fields.integer(data["version_code"], f"{path}.version_code"),
            version_name=fields.string(data["version_name"], f"{path}.version_name", empty=True),
        )

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "package": self.package,
            "version_code": self.version_code,
            "version_name": self.version_name,
        }


@dataclass(frozen=True)
class FileFacts:
    """An app file as the build saw it: the SHA-256 is what an auditor compares."""

    file_name: str
    sha256: str
    size: int

    @classmethod
    def from_dict(cls, value: Any, path: str) -> FileFacts:
        data = fields.mapping(value, path, {"file_name", "sha256", "size"})
        return cls(
            file_name=fields.string(data["file_name"], f"{path}.file_name", limit=255),
            sha256=fields.sha256(data["sha256"], f"{path}.sha256"),
            size=fields.integer(data["size"], f"{path}.size", minimum=1),
        )

    def to_dict(self) -> dict:
        return {"file_name": self.file_name, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class OutputSigner:
    """The certificate that signed the output app and the APK signature schemes present."""

    schemes: tuple[str, ...]
    certificate_sha256: str

    @classmethod
    def from_dict(cls, value: Any, path: str = "output_signer") -> OutputSigner:
        data = fields.mapping(value, path, {"schemes", "certificate_sha256"})
        schemes = tuple(
            fields.choice(scheme, f"{path}.schemes[{index}]", SIGNING_SCHEMES)
            for index, scheme in enumerate(fields.listing(data["schemes"], f"{path}.schemes"))
        )
        # No scheme means the output was left unsigned for the customer's own signing key;
        # ``certificate_sha256`` is then the certificate it is bound to.
        return cls(
            schemes=schemes,
            certificate_sha256=fields.sha256(
                data["certificate_sha256"], f"{path}.certificate_sha256"
            ),
        )

    def to_dict(self) -> dict:
        return {"schemes": list(self.schemes), "certificate_sha256": self.certificate_sha256}


@dataclass(frozen=True)
class FusionSetRef:
    id: str
    name: str
    revision: int

    @classmethod
    def from_dict(cls, value: Any, path: str = "fusion_set") -> FusionSetRef:
        data = fields.mapping(value, path, {"id", "name", "revision"})
        return cls(
            id=fields.identifier(data["id"], f"{path}.id"),
            name=fields.string(data["name"], f"{path}.name", limit=200),
            revision=fields.integer(data["revision"], f"{path}.revision", minimum=1),
        )

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "revision": self.revision}


@dataclass(frozen=True)
class Protection:
    """One protection as the inspection of the output found it, with what proves it."""

    feature: str
    category: str
    section: str
    status: str
    settings: dict[str, Any]
    evidence: tuple[str, ...]

    @classmethod
    def from_dict(cls, value: Any, path: str) -> Protection:
        keys = {"feature", "category", "section", "status", "settings", "evidence"}
        data = fields.mapping(value, path, keys)
        evidence = tuple(
            fields.string(item, f"{path}.evidence[{index}]")
            for index, item in enumerate(fields.listing(data["evidence"], f"{path}.evidence"))
        )
        status = fields.choice(data["status"], f"{path}.status", PROTECTION_STATUSES)
        if status == "verified" and not evidence:
            raise fields.fail(f"{path}.evidence", "a verified protection needs its evidence")
        return cls(
            feature=fields.string(data["feature"], f"{path}.feature", limit=200),
            category=fields.string(data["category"], f"{path}.category", limit=200),
            section=fields.string(data["section"], f"{path}.section", limit=200),
            status=status,
            settings=fields.settings(data["settings"], f"{path}.settings"),
            evidence=evidence,
        )

    def to_dict(self) -> dict:
        return {
            "feature": self.feature,
            "category": self.category,
            "section": self.section,
            "status": self.status,
            "settings": self.settings,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class ThreatEventResult:
    name: str
    response: str
    status: str

    @classmethod
    def from_dict(cls, value: Any, path: str) -> ThreatEventResult:
        data = fields.mapping(value, path, {"name", "response", "status"})
        return cls(
            name=fields.string(data["name"], f"{path}.name", limit=200),
            response=fields.string(data["response"], f"{path}.response", limit=200),
            status=fields.choice(data["status"], f"{path}.status", ("passed", "failed")),
        )

    def to_dict(self) -> dict:
        return {"name": self.name, "response": self.response, "status": self.status}


@dataclass(frozen=True)
class ThreatEventCheck:
    """The Certified Secure Threat-Event check: each configured event is wired in the output."""

    status: str
    summary: str
    events: tuple[ThreatEventResult, ...]

    @classmethod
    def from_dict(cls, value: Any, path: str = "threat_event_check") -> ThreatEventCheck:
        data = fields.mapping(value, path, {"status", "summary", "events"})
        events = tuple(
            ThreatEventResult.from_dict(item, f"{path}.events[{index}]")
            for index, item in enumerate(fields.listing(data["events"], f"{path}.events"))
        )
        status = fields.choice(data["status"], f"{path}.status", THREAT_EVENT_STATUSES)
        if status == "passed" and any(event.status != "passed" for event in events):
            raise fields.fail(f"{path}.status", "cannot be passed while an event failed")
        return cls(
            status=status, summary=fields.string(data["summary"], f"{path}.summary"), events=events
        )

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "summary": self.summary,
            "events": [event.to_dict() for event in self.events],
        }


@dataclass(frozen=True)
class TimelineStep:
    step: str
    status: str
    started_at: datetime
    ended_at: datetime
    duration_ms: int

    @classmethod
    def from_dict(cls, value: Any, path: str) -> TimelineStep:
        keys = {"step", "status", "started_at", "ended_at", "duration_ms"}
        data = fields.mapping(value, path, keys)
        started = fields.parse_time(data["started_at"], f"{path}.started_at")
        ended = fields.parse_time(data["ended_at"], f"{path}.ended_at")
        if ended < started:
            raise fields.fail(f"{path}.ended_at", "ends before it started")
        return cls(
            step=fields.string(data["step"], f"{path}.step", limit=100),
            status=fields.choice(data["status"], f"{path}.status", STEP_STATUSES),
            started_at=started,
            ended_at=ended,
            duration_ms=fields.integer(data["duration_ms"], f"{path}.duration_ms"),
        )

    def to_dict(self) -> dict:
        return {
            "step": self.step,
            "status": self.status,
            "started_at": fields.format_time(self.started_at),
            "ended_at": fields.format_time(self.ended_at),
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True)
class Requester:
    """Who asked for the build: a console user or an API token, and from which address."""

    kind: str
    name: str
    address: str

    @classmethod
    def from_dict(cls, value: Any, path: str = "requester") -> Requester:
        data = fields.mapping(value, path, {"kind", "name", "address"})
        # Empty when no address was recorded (a build started by the system, not a request).
        address = fields.string(data["address"], f"{path}.address", empty=True, limit=64)
        try:
            address = str(ipaddress.ip_address(address)) if address else ""
        except ValueError:
            raise fields.fail(f"{path}.address", f"{address!r} is not an IP address") from None
        return cls(
            kind=fields.choice(data["kind"], f"{path}.kind", REQUESTER_KINDS),
            name=fields.string(data["name"], f"{path}.name", limit=200),
            address=address,
        )

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "address": self.address}


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    scope: str
    action: str
    actor: str
    summary: str

    @classmethod
    def from_dict(cls, value: Any, path: str) -> AuditEvent:
        data = fields.mapping(value, path, {"at", "scope", "action", "actor", "summary"})
        return cls(
            at=fields.parse_time(data["at"], f"{path}.at"),
            scope=fields.choice(data["scope"], f"{path}.scope", AUDIT_SCOPES),
            action=fields.string(data["action"], f"{path}.action", limit=100),
            actor=fields.string(data["actor"], f"{path}.actor", limit=200),
            summary=fields.string(data["summary"], f"{path}.summary", empty=True, limit=500),
        )

    def to_dict(self) -> dict:
        return {
            "at": fields.format_time(self.at),
            "scope": self.scope,
            "action": self.action,
            "actor": self.actor,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class Report:
    """Everything one Certified Secure report states, in schema version 1."""

    report_id: str
    build_id: str
    issued_at: datetime
    organization: str
    verdict: Verdict
    app: App
    input: FileFacts
    output: FileFacts
    output_signer: OutputSigner
    fusion_set: FusionSetRef
    protections: tuple[Protection, ...]
    threat_event_check: ThreatEventCheck
    timeline: tuple[TimelineStep, ...]
    requester: Requester
    audit_events: tuple[AuditEvent, ...]
    verification_url: str
    schema_version: int = field(default=SCHEMA_VERSION)

    @classmethod
    def from_dict(cls, value: Any) -> Report:
        """Check a report dict against schema v1 and build the report, or raise
        ``ReportSchemaError`` naming the first field that does not fit."""
        keys = {name for name in cls.__dataclass_fields__} | {"schema"}
        data = fields.mapping(value, "report", keys)
        if data["schema"] != SCHEMA_NAME:
            raise fields.fail("schema", f"must be {SCHEMA_NAME!r}")
        if data["schema_version"] != SCHEMA_VERSION:
            raise fields.fail(
                "schema_version",
                f"version {data['schema_version']!r} is not supported (this is v{SCHEMA_VERSION})",
            )
        url = fields.string(data["verification_url"], "verification_url", limit=500)
        if not url.startswith(("https://", "http://")):
            raise fields.fail("verification_url", "must be an http(s) URL")
        return cls(
            report_id=fields.identifier(data["report_id"], "report_id"),
            build_id=fields.identifier(data["build_id"], "build_id"),
            issued_at=fields.parse_time(data["issued_at"], "issued_at"),
            organization=fields.string(data["organization"], "organization", limit=200),
            verdict=Verdict.from_dict(data["verdict"]),
            app=App.from_dict(data["app"]),
            input=FileFacts.from_dict(data["input"], "input"),
            output=FileFacts.from_dict(data["output"], "output"),
            output_signer=OutputSigner.from_dict(data["output_signer"]),
            fusion_set=FusionSetRef.from_dict(data["fusion_set"]),
            protections=_items(data["protections"], "protections", Protection),
            threat_event_check=ThreatEventCheck.from_dict(data["threat_event_check"]),
            timeline=_items(data["timeline"], "timeline", TimelineStep),
            requester=Requester.from_dict(data["requester"]),
            audit_events=_items(data["audit_events"], "audit_events", AuditEvent),
            verification_url=url,
        )

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA_NAME,
            "schema_version": self.schema_version,
            "report_id": self.report_id,
            "build_id": self.build_id,
            "issued_at": fields.format_time(self.issued_at),
            "organization": self.organization,
            "verdict": self.verdict.to_dict(),
            "app": self.app.to_dict(),
            "input": self.input.to_dict(),
            "output": self.output.to_dict(),
            "output_signer": self.output_signer.to_dict(),
            "fusion_set": self.fusion_set.to_dict(),
            "protections": [protection.to_dict() for protection in self.protections],
            "threat_event_check": self.threat_event_check.to_dict(),
            "timeline": [step.to_dict() for step in self.timeline],
            "requester": self.requester.to_dict(),
            "audit_events": [event.to_dict() for event in self.audit_events],
            "verification_url": self.verification_url,
        }


def _items(value: Any, path: str, kind) -> tuple:
    return tuple(
        kind.from_dict(item, f"{path}[{index}]")
        for index, item in enumerate(fields.listing(value, path))
    )


def canonical_json(report: Report) -> bytes:
    """The signed byte form of a report: UTF-8, sorted keys, no insignificant whitespace.

    With floats excluded and ASCII-only keys this equals RFC 8785 (JCS) output.
    """
    return json.dumps(
        report.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ReportSchemaError(f"report JSON repeats the key(s) {', '.join(duplicates)}")
    return dict(pairs)


def parse_report_json(data: bytes) -> Report:
    """Read a report JSON document strictly: valid UTF-8, no repeated keys, schema v1."""
    try:
        document = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_refuse_duplicate_keys,
            parse_float=_refuse_float,
        )
    except UnicodeDecodeError:
        raise ReportSchemaError("report JSON is not valid UTF-8") from None
    except json.JSONDecodeError as error:
        raise ReportSchemaError(f"report is not valid JSON: {error.msg} at {error.pos}") from None
    return Report.from_dict(document)


def _refuse_float(text: str) -> Any:
    raise ReportSchemaError(f"report JSON holds the float {text}; schema v1 has no floats")
