"""Apps, outputs and reports on S3-compatible storage, end to end with real processes.

moto's S3 server stands in for the object store: a real HTTP endpoint speaking the S3 API
(signed requests, listing, ranged reads), so gunicorn and the Celery worker go through
django-storages and boto3 exactly as they would against AWS or MinIO.
"""

import hashlib
import subprocess

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.builds.live import LiveStack
from tests.support.android import requires_android_tools
from tests.vault.keys import use_test_master_key

pytestmark = [requires_android_tools, pytest.mark.slow]

BUCKET = "fusebox-builds"
ACCESS_KEY = "fusebox-test-access"
SECRET_KEY = "fusebox-test-secret-key"  # moto accepts any credentials


@pytest.fixture
def s3():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        yield endpoint, client
    finally:
        server.stop()


def _keys(client) -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_a_build_keeps_its_app_output_and_report_in_the_bucket(
    s3, tmp_path, monkeypatch, rsa_keystore, fixture_app
):
    endpoint, client = s3
    secret_file = tmp_path / "s3-secret"
    secret_file.write_text(SECRET_KEY)
    stack = LiveStack(
        tmp_path,
        use_test_master_key(monkeypatch, tmp_path),
        extra_env={
            "FUSEBOX_BUILD_STORAGE": "s3",
            "FUSEBOX_S3_BUCKET": BUCKET,
            "FUSEBOX_S3_ENDPOINT_URL": endpoint,
            "FUSEBOX_S3_REGION": "us-east-1",
            "FUSEBOX_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "FUSEBOX_S3_SECRET_ACCESS_KEY_FILE": str(secret_file),
        },
    )
    try:
        stack.start(rsa_keystore)
        status, app = stack.upload(fixture_app)
        assert status == 201, app
        task_id = stack.fuse(app["id"])
        final = stack.wait_for(task_id, lambda s: s["status"] in {"succeeded", "failed"})
        assert final["status"] == "succeeded", final

        status, output, headers = stack.api("GET", f"/api/v1/tasks/{task_id}/output")
        report_status, report, _headers = stack.api("GET", f"/api/v1/tasks/{task_id}/certificate")
        organization = stack.seed["organization_id"]
    finally:
        stack.stop()

    keys = _keys(client)
    prefix = f"orgs/{organization}/"
    assert [k for k in keys if k.startswith(f"{prefix}apps/")] != []
    assert [k for k in keys if k.startswith(f"{prefix}builds/")] == [
        f"{prefix}builds/{task_id}/fused.apk"
    ], "exactly one artifact per build; intermediates are deleted"
    assert any(k.startswith(f"{prefix}reports/{task_id}/") for k in keys)
    assert not (tmp_path / "var" / "media" / "builds").exists(), "nothing lands on local disk"

    stored = client.get_object(Bucket=BUCKET, Key=f"{prefix}builds/{task_id}/fused.apk")
    assert status == 200 and output == stored["Body"].read()
    assert headers["X-Content-SHA256"] == hashlib.sha256(output).hexdigest()
    assert report_status == 200 and report.startswith(b"%PDF-")

    path = tmp_path / "fused.apk"
    path.write_bytes(output)
    verified = subprocess.run(["apksigner", "verify", str(path)], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
