"""The DEV-API: upload, checksum dedupe, tasks, incremental status, output, isolation."""

import hashlib
import io
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from builds.models import App, Build
from console.models import AuditEvent
from console.tenancy import scope, unscoped_access
from tests.builds.material import drive
from tests.support.android import corpus_file, requires_android_tools

pytestmark = [requires_android_tools, pytest.mark.django_db]


def upload(api, path: Path, name: str | None = None):
    data = Path(path).read_bytes()
    return api.post(
        "/api/v1/upload",
        {"file": SimpleUploadedFile(name or Path(path).name, data)},
        format="multipart",
    )


def fuse(api, app_id: str, fusion_set):
    return api.post(
        "/api/v1/tasks",
        {"action": "fuse", "app_id": app_id, "fusion_set_id": str(fusion_set.pk)},
        format="json",
    )


def fused_task(api, path: Path, fusion_set) -> tuple[str, str]:
    """Upload, fuse and run the build to its end in-process: (app id, task id)."""
    app_id = upload(api, path).json()["id"]
    task_id = fuse(api, app_id, fusion_set).json()["id"]
    drive(Build.unscoped.get(pk=task_id))
    return app_id, task_id


def test_it_uploads_an_app_and_answers_its_analysis(cast, api_for, fixture_app):
    response = upload(api_for(cast.a), fixture_app)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["package"] == "com.example.fixture"
    assert body["sha256"] == hashlib.sha256(fixture_app.read_bytes()).hexdigest()
    assert body["analysis"]["min_sdk"] == 21
    assert body["duplicate"] is False


def test_a_large_upload_is_stored_from_where_it_streamed_and_a_refused_one_leaves_nothing(
    cast, api_for, settings, tmp_path, rsa_keystore, monkeypatch
):
    import os

    from builds import storage
    from tests.support.android import AppSpec, build_app

    def copied(*args):
        raise AssertionError("a streamed upload was copied again")

    monkeypatch.setattr("builds.uploads._copy_and_hash", copied)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(incoming)
    blob = os.urandom(settings.FILE_UPLOAD_MAX_MEMORY_SIZE + (1 << 20))
    big = build_app(
        tmp_path / "big", AppSpec(extra_assets={"assets/blob.bin": blob}), rsa_keystore
    )
    api = api_for(cast.a)

    accepted = upload(api, big)
    garbage = tmp_path / "garbage.apk"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(len(blob)))
    refused = upload(api, garbage)

    assert accepted.status_code == 201, accepted.json()
    app = App.unscoped.get(pk=accepted.json()["id"])
    assert app.sha256 == hashlib.sha256(big.read_bytes()).hexdigest()
    with storage.local_copy(app.storage_name) as stored:
        assert Path(stored).read_bytes() == big.read_bytes()
    assert refused.status_code == 422
    assert App.unscoped.count() == 1
    assert list(incoming.iterdir()) == []


def test_the_same_file_twice_returns_the_first_app(cast, api_for, fixture_app):
    api = api_for(cast.a)
    first = upload(api, fixture_app).json()
    second = upload(api, fixture_app, name="renamed.apk")

    assert second.status_code == 200
    assert second.json()["id"] == first["id"]
    with unscoped_access():
        assert App.objects.filter(organization=cast.a.organization).count() == 1


def test_check_by_checksum_finds_an_uploaded_app_only_in_its_organization(
    cast, api_for, fixture_app
):
    sha256 = hashlib.sha256(fixture_app.read_bytes()).hexdigest()
    app_id = upload(api_for(cast.a), fixture_app).json()["id"]

    mine = api_for(cast.a).post("/api/v1/apps/check-by-checksum", {"sha256": sha256})
    theirs = api_for(cast.b).post("/api/v1/apps/check-by-checksum", {"sha256": sha256})

    assert mine.json() == {"exists": True, "app_id": app_id}
    assert theirs.json() == {"exists": False, "app_id": None}


def test_a_bundle_is_refused_with_unsupported_format_and_not_kept(cast, api_for, build_settings):
    response = upload(api_for(cast.a), corpus_file("install-time-permanent-modules.aab"))

    assert response.status_code == 422
    assert response.json()["code"] == "unsupported_format"
    stored = Path(build_settings.STORAGES["builds"]["OPTIONS"]["location"])
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_garbage_is_refused_with_a_code_and_a_message(cast, api_for):
    api = api_for(cast.a)
    response = api.post(
        "/api/v1/upload",
        {"file": SimpleUploadedFile("x.apk", b"not a zip at all" * 10)},
        format="multipart",
    )
    assert response.status_code == 422
    assert set(response.json()) == {"code", "detail"}


def test_an_upload_over_the_limit_answers_413_with_the_limit(cast, api_for, settings):
    settings.FUSEBOX_UPLOAD_MAX_BYTES = 1000
    response = api_for(cast.a).post(
        "/api/v1/upload",
        {"file": SimpleUploadedFile("big.apk", b"\0" * 5000)},
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert "1000" in response.json()["detail"]


def test_an_auditor_token_cannot_upload(cast, api_for, fixture_app):
    assert upload(api_for(cast.a, "auditor"), fixture_app).status_code == 403


def test_a_ci_pipeline_fuses_polls_and_downloads_through_the_api(
    cast, api_for, fixture_app, fusion_set_a, sent_steps, tmp_path
):
    api = api_for(cast.a)
    app_id = upload(api, fixture_app).json()["id"]
    created = fuse(api, app_id, fusion_set_a)
    assert created.status_code == 201, created.json()
    task_id = created.json()["task_id"]

    first = api.get(f"/api/v1/tasks/{task_id}/status").json()
    assert first["status"] == "queued"
    assert first["messages"][0]["text"].startswith("Build queued")
    drive(Build.unscoped.get(pk=task_id))

    later = api.get(f"/api/v1/tasks/{task_id}/status", {"lastDate": first["lastDate"]}).json()
    assert later["status"] == "succeeded"
    assert later["messages"] and all(m["at"] > first["lastDate"] for m in later["messages"])
    assert not any(m["text"].startswith("Build queued") for m in later["messages"])

    output = api.get(f"/api/v1/tasks/{task_id}/output")
    assert output.status_code == 200
    path = tmp_path / "fused.apk"
    path.write_bytes(b"".join(output.streaming_content))
    verified = subprocess.run(["apksigner", "verify", str(path)], capture_output=True)
    assert verified.returncode == 0, verified.stderr
    checked = subprocess.run(
        [str(Path(".venv/bin/fusebox").resolve()), "check-fused", str(path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "present" in checked.stdout


def test_seal_with_a_parent_task_builds_a_privately_signed_child(
    cast, api_for, fixture_app, fusion_set_a, sent_steps
):
    api = api_for(cast.a)
    app_id = upload(api, fixture_app).json()["id"]
    parent = fuse(api, app_id, fusion_set_a).json()
    fingerprint = ":".join(["AB"] * 32)
    child = api.post(
        "/api/v1/tasks",
        {"action": "seal", "parent_task_id": parent["id"], "signing_fingerprint": fingerprint},
        format="json",
    )

    assert child.status_code == 201, child.json()
    assert child.json()["parent_task_id"] == parent["id"]
    assert child.json()["signing_method"] == "private"
    assert child.json()["signing_fingerprint"] == "ab" * 32


def test_a_child_build_keeps_the_revision_its_parent_was_fused_with(
    cast, api_for, fixture_app, fusion_set_a, trust_a, sent_steps
):
    from fusionsets.services import update_fusion_set
    from tests.builds.material import ready_settings

    api = api_for(cast.a)
    app_id = upload(api, fixture_app).json()["id"]
    parent = fuse(api, app_id, fusion_set_a).json()
    with scope(cast.a.organization):
        update_fusion_set(
            fusion_set_a,
            settings=ready_settings(trust_a, hosts=("api.changed.example",)),
            actor=cast.a.user("security"),
        )

    child = api.post(
        "/api/v1/tasks", {"action": "sign_script", "parent_task_id": parent["id"],
                          "signing_fingerprint": "cd" * 32}, format="json",
    )  # fmt: skip
    fresh = fuse(api, app_id, fusion_set_a)

    assert child.status_code == 201, child.json()
    with unscoped_access():
        planned = Build.objects.get(pk=child.json()["id"])
        newest = Build.objects.get(pk=fresh.json()["id"])
        first = Build.objects.get(pk=parent["id"])
    assert planned.plan["revision_number"] == first.plan["revision_number"] == 1
    assert planned.plan["pinned_hosts"] == ["api.example.com"]
    assert planned.fusion_set_revision_id == first.fusion_set_revision_id
    assert newest.plan["revision_number"] == 2
    assert newest.plan["pinned_hosts"] == ["api.changed.example"]


def test_a_fusion_set_of_another_organization_is_refused(cast, api_for, fixture_app, fusion_set_b):
    api = api_for(cast.a)
    app_id = upload(api, fixture_app).json()["id"]
    response = fuse(api, app_id, fusion_set_b)
    assert response.status_code == 422
    assert response.json()["code"] == "fusionset_not_found"


def test_a_devops_token_of_a_gets_404_for_bs_apps_builds_and_outputs(
    cast, api_for, fixture_app, fusion_set_b, sent_steps
):
    api_b = api_for(cast.b)
    app_id, task_id = fused_task(api_b, fixture_app, fusion_set_b)
    assert api_b.get(f"/api/v1/tasks/{task_id}/output").status_code == 200

    api_a = api_for(cast.a)
    for url in (
        f"/api/v1/apps/{app_id}/",
        f"/api/v1/tasks/{task_id}/",
        f"/api/v1/tasks/{task_id}/status",
        f"/api/v1/tasks/{task_id}/output",
        f"/api/v1/tasks/{task_id}/output?action=sign_script",
    ):
        assert api_a.get(url).status_code == 404, url
    assert api_a.post(f"/api/v1/tasks/{task_id}/cancel").status_code == 404


def test_the_output_downloads_whatever_the_client_accepts_and_refuses_an_unknown_action(
    cast, api_for, fixture_app, fusion_set_a, sent_steps
):
    api = api_for(cast.a)
    _app_id, task_id = fused_task(api, fixture_app, fusion_set_a)
    url = f"/api/v1/tasks/{task_id}/output"

    answers = {
        accept: api.get(url, HTTP_ACCEPT=accept)
        for accept in ("application/octet-stream", "application/vnd.android.package-archive")
    }
    unknown = api.get(f"{url}?action=sign_second_output")
    head = api.head(url)

    for response in answers.values():
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.android.package-archive"
        assert b"".join(response.streaming_content)[:2] == b"PK"
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "invalid_action"
    assert head.status_code == 200 and head["X-Content-SHA256"]
    with unscoped_access():
        downloads = AuditEvent.objects.filter(action="output.downloaded", target_id=task_id)
        assert downloads.count() == len(answers)
    assert "sign_script" in unknown.json()["detail"]


def test_the_task_list_filters_by_app_fusion_set_parent_and_status_and_refuses_nonsense(
    cast, api_for, fixture_app, fusion_set_a, sent_steps
):
    from tests.builds.factories import AppFactory, BuildFactory

    api = api_for(cast.a)
    app_id = upload(api, fixture_app).json()["id"]
    ours = fuse(api, app_id, fusion_set_a).json()["id"]
    other = BuildFactory(
        organization=cast.a.organization, app=AppFactory(organization=cast.a.organization)
    )

    def listed(**params):
        response = api.get("/api/v1/tasks/", params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert listed(app_id=app_id) == [ours]
    assert listed(fusion_set_id=str(fusion_set_a.pk)) == [ours]
    assert set(listed(status="queued")) == {ours, str(other.pk)}
    assert listed(status="failed") == []
    assert listed(parent_task_id=ours) == []
    for params, named in (({"status": "done"}, "status"), ({"app_id": "12"}, "app_id")):
        refused = api.get("/api/v1/tasks/", params)
        assert refused.status_code == 400
        assert refused.json()["code"] == "invalid_filter" and named in refused.json()["detail"]


def test_cancel_answers_409_for_an_ended_build(cast, api_for, fixture_app, fusion_set_a,
                                               sent_steps):  # fmt: skip
    api = api_for(cast.a)
    app_id = upload(api, fixture_app).json()["id"]
    task = fuse(api, app_id, fusion_set_a).json()
    assert api.post(f"/api/v1/tasks/{task['id']}/cancel").json()["status"] == "cancelled"
    again = api.post(f"/api/v1/tasks/{task['id']}/cancel")
    assert again.status_code == 409
    assert again.json()["code"] == "build_state_invalid"
    retried = api.post(f"/api/v1/tasks/{task['id']}/retry").json()
    assert retried["status"] == "queued" and retried["attempt"] == 2


def test_status_polling_is_cheap(cast, api_for, fixture_app, fusion_set_a, sent_steps,
                                 django_assert_max_num_queries):  # fmt: skip
    api = api_for(cast.a)
    app_id = upload(api, fixture_app).json()["id"]
    task = fuse(api, app_id, fusion_set_a).json()
    with django_assert_max_num_queries(8):
        api.get(f"/api/v1/tasks/{task['id']}/status")
    started = time.perf_counter()
    api.get(f"/api/v1/tasks/{task['id']}/status")
    assert time.perf_counter() - started < 1


def test_file_field_is_required(cast, api_for):
    response = api_for(cast.a).post("/api/v1/upload", {"other": io.BytesIO(b"x")})
    assert response.status_code == 400
    assert response.json()["code"] == "file_missing"
