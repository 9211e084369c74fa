"""Example report facts in schema v1: the shape the build pipeline fills in.

Used by the documentation, the benchmark and the tests so they all exercise a realistic
report (several protections, a full timeline, a long audit trail) instead of a toy one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from certified.report import SCHEMA_NAME, SCHEMA_VERSION

_ACTIONS = (
    ("build.step.started", "Build", "step {step} started on worker w-{worker}"),
    ("build.step.finished", "Build", "step {step} finished"),
    ("build.artifact.stored", "Build", "artifact {index} stored ({size} KiB)"),
    ("fusionset.revision.viewed", "Fusion Set", "revision {revision} read by the build"),
    ("build.status.polled", "Build", "status polled by the requester"),
)
_STEPS = ("queued", "gate", "inspecting", "fusing", "signing", "verifying", "certifying")


def sample_report_dict(
    *,
    audit_events: int = 200,
    passed: bool = True,
    report_id: str = "rpt-7f3c2a91",
    build_id: str = "bld-4f2c9e10",
    verification_url: str = "https://fusebox.example.com/verify?report=rpt-7f3c2a91",
) -> dict:
    """A complete report dict; ``audit_events`` sets the length of the audit trail."""
    start = datetime(2026, 11, 30, 9, 14, 5, tzinfo=UTC)
    protections = [
        _protection(
            "mTLS Pre-Authentication",
            "Secure Communication",
            "Client identity",
            {"client_identity": "ci-ops-2026", "pinned_hosts": ["api.example.com"]},
            "runtime class com.fusebox.runtime.MtlsProvider present in classes2.dex",
        ),
        _protection(
            "Certificate pinning",
            "Secure Communication",
            "Trust",
            {"mode": "strict", "backup_pins": 2, "report_only": False},
            "network security config pins 3 SPKI hashes for api.example.com",
        ),
        _protection(
            "Root detection",
            "OS Integrity",
            "Threat-Events",
            {"response": "in-app", "score": 80},
            "detector com.fusebox.runtime.RootCheck registered in Application.onCreate",
        ),
    ]
    if not passed:
        protections[2]["status"] = "missing"
        protections[2]["evidence"] = []
    timeline = []
    moment = start
    for index, step in enumerate(_STEPS):
        duration = 400 + index * 1375
        timeline.append(
            {
                "step": step,
                "status": "succeeded",
                "started_at": _iso(moment),
                "ended_at": _iso(moment + timedelta(milliseconds=duration)),
                "duration_ms": duration,
            }
        )
        moment += timedelta(milliseconds=duration + 50)
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "report_id": report_id,
        "build_id": build_id,
        "issued_at": _iso(moment),
        "organization": "Northwind Mobile Ltd",
        "verdict": {
            "passed": passed,
            "reasons": []
            if passed
            else ["Root detection: the output app does not carry the RootCheck detector"],
        },
        "app": {
            "name": "Northwind Field Service",
            "package": "com.northwind.fieldservice",
            "version_code": 4120,
            "version_name": "4.12.0",
        },
        "input": _file("fieldservice-4.12.0.apk", b"input", 18_734_112),
        "output": _file("fieldservice-4.12.0-fused.apk", b"output", 19_102_448),
        "output_signer": {
            "schemes": ["v1", "v2", "v3"],
            "certificate_sha256": hashlib.sha256(b"release signer").hexdigest(),
        },
        "fusion_set": {"id": "fs-91ab03", "name": "Production mTLS", "revision": 7},
        "protections": protections,
        "threat_event_check": {
            "status": "passed" if passed else "failed",
            "summary": "Every configured Threat-Event is wired to its response in the output.",
            "events": [
                {
                    "name": "RootedDevice",
                    "response": "in-app",
                    "status": "passed" if passed else "failed",
                },
                {"name": "MtlsHandshakeRefused", "response": "broadcast", "status": "passed"},
            ],
        },
        "timeline": timeline,
        "requester": {"kind": "token", "name": "ci-pipeline", "address": "203.0.113.24"},
        "audit_events": [_audit_event(index, start) for index in range(audit_events)],
        "verification_url": verification_url,
    }


def _protection(feature, category, section, settings, evidence) -> dict:
    return {
        "feature": feature,
        "category": category,
        "section": section,
        "status": "verified",
        "settings": settings,
        "evidence": [evidence],
    }


def _file(name: str, seed: bytes, size: int) -> dict:
    return {"file_name": name, "sha256": hashlib.sha256(seed).hexdigest(), "size": size}


def _audit_event(index: int, start: datetime) -> dict:
    action, _, summary = _ACTIONS[index % len(_ACTIONS)]
    return {
        "at": _iso(start + timedelta(seconds=3 * index)),
        "scope": "fusion_set" if action.startswith("fusionset") else "build",
        "action": action,
        "actor": "ci-pipeline" if index % 3 else "worker-2",
        "summary": summary.format(
            step=_STEPS[index % len(_STEPS)],
            worker=index % 4,
            index=index,
            size=index * 7,
            revision=7,
        ),
    }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
