"""The pipeline run in-process: every step, every signing choice, failures and cancels."""

import subprocess
from pathlib import Path

import pytest

from builds import services, storage
from builds.models import Build
from console.models import AuditEvent
from console.tenancy import scope, unscoped_access
from tests.builds.material import drive
from tests.support.android import requires_android_tools
from workers.engine.fused_check import check_fused

pytestmark = [requires_android_tools, pytest.mark.django_db]


def start(team, app, fusion_set, **kwargs):
    with scope(team.organization):
        return services.start_build(app, fusion_set, actor=team.user("devops"), **kwargs)


def stored(build) -> Path:
    return Path(storage.build_storage().path(build.output_name))


def test_it_fuses_and_signs_an_app_that_apksigner_and_check_fused_accept(
    cast, apps, fusion_set_a, trust_a, sent_steps
):
    app = apps.upload(cast.a)
    build = drive(start(cast.a, app, fusion_set_a))

    assert build.status == Build.SUCCEEDED, build.reason_message
    output = stored(build)
    verified = subprocess.run(
        ["apksigner", "verify", "--print-certs", str(output)], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stderr
    assert f"SHA-256 digest: {build.signing_fingerprint}" in verified.stdout
    proof = check_fused(output, ca_pem=trust_a.ca.certificate_pem.encode())
    assert proof.status == "present"
    assert build.proof["status"] == "present"
    assert set(build.timings) == {"validating", "fusing", "signing", "certifying"}


def test_it_writes_human_messages_for_every_step(cast, apps, fusion_set_a, sent_steps):
    build = drive(start(cast.a, apps.upload(cast.a), fusion_set_a))

    texts = [message.text for message in build.messages.all()]
    assert any(text.startswith("App accepted by the gate") for text in texts)
    assert any("Manifest" in text or "provider" in text for text in texts), texts
    assert any(text.startswith("Signed with v") and "signer SHA-256" in text for text in texts)
    assert any(text.startswith("Protection check: present") for text in texts)
    assert texts[-1].startswith("Build succeeded")


def test_it_keeps_exactly_one_artifact_when_a_step_runs_twice(
    cast, apps, fusion_set_a, sent_steps
):
    build = drive(start(cast.a, apps.upload(cast.a), fusion_set_a))
    with scope(cast.a.organization):
        Build.objects.filter(pk=build.pk).update(status=Build.SIGNING, dispatch=99)
    drive(Build.unscoped.get(pk=build.pk))

    files = storage.stored_files_under(f"orgs/{build.organization_id}/builds/{build.pk}")
    assert files == [build.output_name]
    work = f"orgs/{build.organization_id}/work"
    assert not storage.build_storage().exists(work) or not storage.stored_files_under(work)


def test_it_ignores_a_stale_or_duplicate_step_message(cast, apps, fusion_set_a, sent_steps):
    from workers.pipeline import execute_step

    build = start(cast.a, apps.upload(cast.a), fusion_set_a)
    with scope(cast.a.organization):
        assert execute_step(str(build.pk), Build.VALIDATING, build.dispatch + 5) is None
        assert execute_step(str(build.pk), Build.FUSING, build.dispatch) is None
        assert Build.objects.get(pk=build.pk).status == Build.QUEUED


def test_private_signing_leaves_an_unsigned_output_bound_to_the_fingerprint(
    cast, apps, fusion_set_a, test_pki, sent_steps
):
    fingerprint = "ab" * 32
    overrides = {"signing": {"method": "private", "fingerprints": [fingerprint]}}
    build = drive(start(cast.a, apps.upload(cast.a), fusion_set_a, overrides=overrides))

    assert build.status == Build.SUCCEEDED, build.reason_message
    assert build.signing_fingerprint == fingerprint
    assert build.proof["status"] == "awaiting_signature"
    assert build.proof["expected_signer_sha256"].replace(":", "").lower() == fingerprint
    verified = subprocess.run(["apksigner", "verify", str(stored(build))], capture_output=True)
    assert verified.returncode != 0


def test_auto_dev_signing_script_signs_with_the_customers_keystore_and_verifies(
    cast, apps, fusion_set_a, test_pki, trust_a, tmp_path, sent_steps
):
    keystore = test_pki.keystore
    overrides = {"signing": {"method": "auto_dev"}}
    build = drive(
        start(cast.a, apps.upload(cast.a), fusion_set_a, overrides=overrides,
              signing_fingerprint=trust_a.keystore.sha256)
    )  # fmt: skip
    assert build.status == Build.SUCCEEDED, build.reason_message

    script = Path(storage.build_storage().path(build.script_name))
    signed = tmp_path / "signed.apk"
    run = subprocess.run(
        ["sh", str(script), str(keystore.path), keystore.alias, str(stored(build)), str(signed)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "KS_PASS": keystore.password},
    )
    assert run.returncode == 0, run.stderr
    assert check_fused(signed, ca_pem=trust_a.ca.certificate_pem.encode()).status == "present"


def test_the_signing_script_refuses_a_keystore_the_build_was_not_bound_to(
    cast, apps, fusion_set_a, ec_keystore, tmp_path, sent_steps
):
    overrides = {"signing": {"method": "auto_dev"}}
    build = drive(
        start(cast.a, apps.upload(cast.a), fusion_set_a, overrides=overrides,
              signing_fingerprint="cd" * 32)
    )  # fmt: skip
    script = Path(storage.build_storage().path(build.script_name))
    signed = tmp_path / "signed.apk"
    run = subprocess.run(
        ["sh", str(script), str(ec_keystore.path), ec_keystore.alias, str(stored(build)),
         str(signed)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "KS_PASS": ec_keystore.password},
    )  # fmt: skip
    assert run.returncode == 1
    assert "not the one this build was" in run.stderr
    assert not signed.exists()


def test_auto_dev_without_a_fingerprint_is_refused_with_its_code(
    cast, apps, fusion_set_a, sent_steps
):
    from workers.engine.errors import RejectedInput

    app = apps.upload(cast.a)
    with pytest.raises(RejectedInput) as refused:
        start(cast.a, app, fusion_set_a, overrides={"signing": {"method": "auto_dev"}})
    assert refused.value.code == "fingerprint_required"


def test_an_expired_trust_material_fails_the_build_with_a_reason(
    cast, apps, fusion_set_a, trust_a, sent_steps
):
    import datetime

    from trust.models import ClientIdentity

    build = start(cast.a, apps.upload(cast.a), fusion_set_a)
    with unscoped_access():
        ClientIdentity.objects.filter(pk=trust_a.identity.pk).update(
            not_after=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        )
    build = drive(build)

    assert build.status == Build.FAILED
    assert build.reason_code == "material_expired"
    assert not build.output_name
    with unscoped_access():
        assert AuditEvent.objects.filter(action="build.failed", target_id=str(build.pk)).exists()


def test_a_lost_master_key_fails_the_build_without_telling_the_tenant_where_it_was(
    cast, apps, fusion_set_a, sent_steps, master_key_file, caplog
):
    build = start(cast.a, apps.upload(cast.a), fusion_set_a)
    master_key_file.unlink()

    build = drive(build)

    assert build.status == Build.FAILED
    assert build.reason_code == "master_key_missing"
    assert "restored" in build.reason_message
    shown = build.reason_message + " ".join(message.text for message in build.messages.all())
    assert str(master_key_file) not in shown
    assert str(master_key_file) in caplog.text


def test_cancel_stops_a_queued_build_and_its_steps_do_nothing(
    cast, apps, fusion_set_a, sent_steps
):
    build = start(cast.a, apps.upload(cast.a), fusion_set_a)
    with scope(cast.a.organization):
        services.cancel_build(build, actor=cast.a.user("devops"))
    build = drive(build)
    assert build.status == Build.CANCELLED
    assert not build.output_name


def test_retry_runs_a_failed_build_again_as_a_new_attempt(
    cast, apps, fusion_set_a, trust_a, sent_steps
):
    build = start(cast.a, apps.upload(cast.a), fusion_set_a)
    with scope(cast.a.organization):
        services.cancel_build(build)
        build = services.retry_build(Build.objects.get(pk=build.pk))
    assert build.attempt == 2
    build = drive(build)
    assert build.status == Build.SUCCEEDED
    assert build.attempt == 2


def test_an_unexpected_crash_is_retried_then_fails_after_the_last_attempt(
    cast, apps, fusion_set_a, sent_steps, monkeypatch
):
    def crash(build, produced):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("workers.steps.fuse", crash)
    build = drive(start(cast.a, apps.upload(cast.a), fusion_set_a))

    assert build.status == Build.FAILED
    assert build.reason_code == "internal_error"
    assert build.attempt == build.max_attempts == 3


def test_audit_events_cover_the_build_life(cast, apps, fusion_set_a, sent_steps):
    build = drive(start(cast.a, apps.upload(cast.a), fusion_set_a))
    with unscoped_access():
        actions = set(
            AuditEvent.objects.filter(organization=cast.a.organization).values_list(
                "action", flat=True
            )
        )
    assert {"app.uploaded", "build.started", "build.succeeded"} <= actions
    assert build.status == Build.SUCCEEDED


def test_a_step_over_its_time_limit_fails_with_step_timed_out(
    cast, apps, fusion_set_a, sent_steps, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(build, produced):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("workers.steps.sign", too_slow)
    build = drive(start(cast.a, apps.upload(cast.a), fusion_set_a))

    assert build.status == Build.FAILED
    assert build.reason_code == "step_timed_out"
    work = f"orgs/{build.organization_id}/work/{build.pk}"
    assert not storage.exists(f"{work}/fused-unsigned.apk")
