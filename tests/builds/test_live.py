"""End to end with real processes: gunicorn, a Celery worker, a database, a broker.

Runs on the embedded defaults (SQLite file, filesystem broker) and on PostgreSQL when
``DATABASE_URL`` names it. Kills the worker with SIGKILL in the middle of every step.
"""

import os
import subprocess
import time

import pytest

from tests.builds.live import LiveStack
from tests.support.android import requires_android_tools
from tests.vault.keys import use_test_master_key

pytestmark = [requires_android_tools, pytest.mark.slow]

ENDED = {"succeeded", "failed", "cancelled"}


@pytest.fixture
def live(tmp_path, monkeypatch, rsa_keystore):
    key_file = use_test_master_key(monkeypatch, tmp_path)
    stack = LiveStack(tmp_path, key_file)
    try:
        yield stack.start(rsa_keystore)
    finally:
        stack.stop()


def verify_download(live, task_id, tmp_path):
    status, raw, _headers = live.api("GET", f"/api/v1/tasks/{task_id}/output")
    assert status == 200
    path = tmp_path / f"{task_id}.apk"
    path.write_bytes(raw)
    verified = subprocess.run(["apksigner", "verify", str(path)], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    checked = subprocess.run(
        [".venv/bin/fusebox", "check-fused", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0 and "present" in checked.stdout, checked.stdout


def redis_broker() -> str:
    """The CI's Redis, on the builds' own database number (13)."""
    given = os.environ.get("CELERY_BROKER_URL", "")
    if not given.startswith("redis://"):
        pytest.skip("CELERY_BROKER_URL is not Redis; the filesystem broker case covers this")
    return given.rsplit("/", 1)[0] + "/13" if given.count("/") > 2 else given + "/13"


@pytest.mark.parametrize("broker", ["filesystem", "redis"])
def test_a_ci_pipeline_uploads_builds_polls_and_downloads_with_a_real_worker(
    broker, tmp_path, monkeypatch, rsa_keystore, fixture_app
):
    broker_url = redis_broker() if broker == "redis" else ""
    stack = LiveStack(tmp_path, use_test_master_key(monkeypatch, tmp_path), broker_url)
    try:
        stack.start(rsa_keystore)
        status, app = stack.upload(fixture_app)
        assert status == 201, app
        task_id = stack.fuse(app["id"])

        final = stack.wait_for(task_id, lambda s: s["status"] in ENDED)

        assert final["status"] == "succeeded", final
        verify_download(stack, task_id, tmp_path)
    finally:
        stack.stop()


def test_killing_the_worker_in_any_step_ends_the_build_once_and_never_stuck(
    live, fixture_app, tmp_path
):
    _status, app = live.upload(fixture_app)
    for step in ("validating", "fusing", "signing", "certifying"):
        live.pause_file.write_text(step)
        task_id = live.fuse(app["id"])
        paused = f"Paused in {step} (test pause file)"
        live.wait_for(task_id, lambda s, text=paused: text in {m["text"] for m in s["messages"]})

        live.kill("worker")
        live.pause_file.unlink()
        live.start_worker()
        time.sleep(3)  # past the heartbeat timeout of the test stack (2 s)
        assert live.reap() >= 1

        final = live.wait_for(task_id, lambda s: s["status"] in ENDED)
        assert final["status"] == "succeeded", (step, final)
        texts = live.messages(task_id)
        assert sum(text.startswith("Build succeeded") for text in texts) == 1, texts
        assert any("stopped answering" in text for text in texts), texts
        files = [path.name for path in live.stored_build_files(task_id)]
        assert files == ["fused.apk"], (step, files)
        verify_download(live, task_id, tmp_path)
