"""A real Celery worker process takes the ping task off Redis and answers it in the database."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from console.models import WorkerPing
from workers.tasks import ping

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ANSWER_TIMEOUT_SECONDS = 60


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("CELERY_BROKER_URL is not Redis")
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share an in-memory SQLite test database")

    queue = f"fusebox-test-{uuid.uuid4().hex[:12]}"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "console.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers.celery", "worker", "--pool=solo",
         "--loglevel=WARNING", "-Q", queue, f"--hostname={queue}@%h"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield queue, tmp_path / "worker.log"
    finally:
        log.close()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_worker_process_answers_a_ping_sent_through_redis(worker):
    queue, log = worker
    record = WorkerPing.objects.create()

    ping.apply_async(args=[record.pk], queue=queue)

    deadline = time.monotonic() + ANSWER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        record.refresh_from_db()
        if record.answered_at is not None:
            break
        time.sleep(0.2)
    assert record.answered_at is not None, f"no answer within a minute:\n{log.read_text()}"
    assert record.worker
