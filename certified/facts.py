"""The facts of a build's report (schema v1), taken from the inspection of its output.

What the output carries comes from ``build.proof`` (the ``check_fused`` inspection of the
stored output), never from the plan; the plan is only what the Threat-Event check compares
the inspected values against. The rest is the build's own record: timings, requester, log
and audit trail.
"""

import json
from datetime import UTC, datetime, timedelta

from django.conf import settings

from certified import conf
from certified.report import SCHEMA_NAME, SCHEMA_VERSION
from console.models import AuditEvent
from console.tenancy import unscoped_access

STEP_LABELS = {"validating": "Validating", "fusing": "Fusing", "signing": "Signing"}
THREAT_EVENT_FIELDS = ("mode", "message", "fail_safe_delay_ms", "threat_score")
MAX_AUDIT_EVENTS = 2000


def verification_url(report_id: str, request=None) -> str:
    """``https://<host>/verify/<report id>``: the configured public URL, else the request's
    host, else the first concrete ALLOWED_HOSTS entry."""
    base = conf.public_base_url()
    if not base and request is not None:
        base = request.build_absolute_uri("/").rstrip("/")
    if not base:
        hosts = [host for host in settings.ALLOWED_HOSTS if host and "*" not in host]
        host = (hosts[0] if hosts else "localhost").lstrip(".")
        base = f"https://{host}"
    return f"{base}/verify/{report_id}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _settings_value(value):
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [item if isinstance(item, bool | int | str) or item is None else str(item)
                for item in value]  # fmt: skip
    return str(value)


def protections(build) -> list[dict]:
    """One entry per protection the inspection proved, with its evidence."""
    proof = build.proof
    findings = {finding["check"]: finding for finding in proof.get("findings", [])}
    present = {name for name, finding in findings.items() if finding["status"] != "absent"}
    identity = proof.get("identity") or {}
    feature = next(iter(build.plan.get("features") or []), {})
    evidence = [
        f"{name}: {findings[name]['detail']}"
        for name in ("runtime", "provider", "identity")
        if name in present
    ]
    mtls = {
        "feature": proof.get("feature") or "mTLS Pre-Authentication",
        "category": feature.get("section", "mobilebot_defense").replace("_", " ").title(),
        "section": "Client identity",
        "status": "verified" if evidence else "missing",
        "settings": {
            "client_identity": _settings_value(identity.get("subject")),
            "identity_issuer": _settings_value(identity.get("issuer")),
            "identity_valid_until": _settings_value(identity.get("not_valid_after")),
            "bound_to_signer_sha256": _settings_value(identity.get("decrypts_for_signer")),
            "ca_sha256": _settings_value(proof.get("ca_sha256")),
            "runtime_dex": _settings_value(proof.get("runtime_dex")),
        },
        "evidence": evidence,
    }
    result = [mtls]
    hosts = proof.get("pinned_hosts") or []
    if hosts or "pins" in findings:
        result.append(
            {
                "feature": "Network pinning",
                "category": "Secure Communication",
                "section": "Network security configuration",
                "status": "verified" if "pins" in present else "missing",
                "settings": {
                    "pinned_hosts": [host["host"] for host in hosts],
                    "cleartext_permitted": any(h.get("cleartext_permitted") for h in hosts),
                },
                "evidence": [f"pins: {findings['pins']['detail']}"] if "pins" in present else [],
            }
        )
    return result


def threat_event_check(build) -> dict:
    """Compare the Threat-Event values found in the output with the Fusion Set's."""
    found = build.proof.get("threat_events")
    wanted = build.plan.get("threat_events") or {}
    if not found:
        return {
            "status": "not_configured" if not wanted else "failed",
            "summary": "The output carries no Threat-Event settings.",
            "events": [],
        }
    events = []
    for name in THREAT_EVENT_FIELDS:
        if name not in wanted and found.get(name) is None:
            continue
        value = found.get(name)
        events.append(
            {
                "name": name,
                "response": "(none)" if value is None or value == "" else str(value)[:200],
                "status": "passed" if name not in wanted or wanted[name] == value else "failed",
            }
        )
    failed = [event["name"] for event in events if event["status"] == "failed"]
    summary = (
        "Every Threat-Event setting in the output matches the Fusion Set."
        if not failed
        else "The output differs from the Fusion Set in: " + ", ".join(failed)
    )
    return {"status": "failed" if failed else "passed", "summary": summary, "events": events}


def timeline(build, now: datetime) -> list[dict]:
    """Queued, then each step from its last start message and its recorded duration."""
    starts = {}
    for message in build.messages.filter(text__contains=" started on "):
        for step, label in STEP_LABELS.items():
            if message.step == step and message.text.startswith(label):
                starts[step] = message.at
    steps = []
    first = min(starts.values(), default=build.step_started_at or now)
    steps.append(_step("queued", build.created_at, first))
    for step in STEP_LABELS:
        if step not in starts:
            continue
        seconds = float(build.timings.get(step, 0))
        steps.append(_step(step, starts[step], starts[step] + timedelta(seconds=seconds)))
    steps.append(_step("certifying", build.step_started_at or now, now))
    return steps


def _step(name: str, started: datetime, ended: datetime) -> dict:
    ended = max(ended, started)
    return {
        "step": name,
        "status": "succeeded",
        "started_at": _iso(started),
        "ended_at": _iso(ended),
        "duration_ms": int((ended - started).total_seconds() * 1000),
    }


def _summary(event: AuditEvent) -> str:
    text = event.target_label
    if event.changes:
        text = f"{text} {json.dumps(event.changes, sort_keys=True, default=str)}".strip()
    return text[:500]


def audit_events(build) -> list[dict]:
    """The build's events and those of its Fusion Set up to the build's start, in order."""
    fusion_set_ids = [str(build.fusion_set_id)]
    if build.fusion_set_revision_id:
        fusion_set_ids.append(str(build.fusion_set_revision_id))
    with unscoped_access():
        rows = AuditEvent.unscoped.filter(organization_id=build.organization_id)
        build_rows = rows.filter(target_id=str(build.pk))
        set_rows = rows.filter(target_id__in=fusion_set_ids, created__lte=build.created_at)
        events = sorted(
            [("build", row) for row in build_rows.order_by("sequence")[:MAX_AUDIT_EVENTS]]
            + [("fusion_set", row) for row in set_rows.order_by("-sequence")[:MAX_AUDIT_EVENTS]],
            key=lambda pair: (pair[1].created, pair[1].sequence),
        )
    return [
        {
            "at": _iso(row.created),
            "scope": scope_name,
            "action": row.action,
            "actor": row.actor_label or "system",
            "summary": _summary(row),
        }
        for scope_name, row in events
    ]


def requester(build) -> dict:
    return {
        "kind": "token" if build.requested_by_token_id else "user",
        "name": build.requested_by_label or "system",
        "address": build.source_ip or "",
    }


def report_facts(build, report_id: str, issued_at: datetime, url: str) -> dict:
    """Schema v1 facts for ``build``, whose ``proof`` holds the inspection of its output."""
    app, proof = build.app, build.proof
    revision = build.plan.get("revision_number") or 1
    file_stem = app.file_name.rsplit(".", 1)[0] or "app"
    signer = proof.get("signer_sha256") or proof.get("expected_signer_sha256") or ""
    checks = protections(build)
    threat_events = threat_event_check(build)
    reasons = [f"{item['feature']}: not found in the output" for item in checks
               if item["status"] == "missing"]  # fmt: skip
    if threat_events["status"] == "failed":
        reasons.append(f"Threat-Event check: {threat_events['summary']}")
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "report_id": report_id,
        "build_id": str(build.pk),
        "issued_at": _iso(issued_at),
        "organization": build.organization.name,
        "verdict": {"passed": not reasons, "reasons": reasons},
        "app": {
            "name": app.analysis.get("label") or app.package or app.file_name,
            "package": proof.get("package") or app.package,
            "version_code": app.version_code or 0,
            "version_name": app.version_name or "-",
        },
        "input": {"file_name": app.file_name, "sha256": app.sha256, "size": app.size},
        "output": {
            "file_name": f"{file_stem}-fused.apk",
            "sha256": proof["sha256"],
            "size": proof["size"],
        },
        "output_signer": {
            "schemes": list(proof.get("signature_schemes") or []),
            "certificate_sha256": signer.replace(":", "").lower(),
        },
        "fusion_set": {
            "id": str(build.fusion_set_id),
            "name": build.fusion_set.name,
            "revision": revision,
        },
        "protections": checks,
        "threat_event_check": threat_events,
        "timeline": timeline(build, issued_at),
        "requester": requester(build),
        "audit_events": audit_events(build),
        "verification_url": url,
    }
