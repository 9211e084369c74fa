"""Queued builds survive a Redis restart when Redis keeps an append-only file.

Uses a private redis-server on a free port (never the machine's shared one), with
``appendonly yes`` and ``appendfsync always``: the persistence production needs.
"""

import shutil
import signal
import subprocess
import time

import pytest

from tests.builds.live import LiveStack, free_port
from tests.support.android import requires_android_tools
from tests.vault.keys import use_test_master_key

pytestmark = [
    requires_android_tools,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("redis-server") is None or shutil.which("redis-cli") is None,
        reason="redis-server and redis-cli are needed",
    ),
]


class PrivateRedis:
    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        for _ in range(100):
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if ping.stdout.strip() == "PONG":
                return self
            time.sleep(0.1)
        raise RuntimeError("private redis-server did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def queued(self) -> int:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), "llen", "celery"], capture_output=True, text=True
        )
        return int(done.stdout.strip() or 0)


def test_builds_queued_before_a_redis_restart_are_all_built_after_it(
    tmp_path, monkeypatch, rsa_keystore, fixture_app
):
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    redis = PrivateRedis(redis_dir).start()
    stack = LiveStack(tmp_path, use_test_master_key(monkeypatch, tmp_path),
                      broker_url=f"redis://127.0.0.1:{redis.port}/0")  # fmt: skip
    try:
        stack.start(rsa_keystore, worker=False)
        _status, app = stack.upload(fixture_app)
        tasks = [stack.fuse(app["id"]) for _ in range(3)]
        assert redis.queued() == 3

        redis.kill()
        redis.start()
        assert redis.queued() == 3
        stack.start_worker()

        for task_id in tasks:
            final = stack.wait_for(task_id, lambda s: s["status"] in {"succeeded", "failed"})
            assert final["status"] == "succeeded", final
    finally:
        stack.stop()
        if redis.process and redis.process.poll() is None:
            redis.kill()
