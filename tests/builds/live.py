"""A live Fusebox for end-to-end tests: gunicorn, a real Celery worker and a real database.

Everything runs in subprocesses with its own database (an SQLite file, or a fresh
PostgreSQL database when ``DATABASE_URL`` is PostgreSQL), storage folder, master key and
broker (the filesystem broker by default, Redis when given). Tests talk HTTP to it with a
DEV-API token, exactly as a CI pipeline does.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(folder: Path) -> str:
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres"):
        return f"sqlite:///{folder / 'live.sqlite3'}"

    import psycopg2

    base, _, _name = given.rpartition("/")
    name = f"fusebox_builds_live_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return f"{base}/{name}"


def _drop_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg2

    base, _, name = url.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


class LiveStack:
    """Start with ``start()``; ``stop()`` ends every process it started (by process group)."""

    def __init__(
        self,
        folder: Path,
        master_key_file: Path,
        broker_url: str = "",
        *,
        extra_env: dict | None = None,
        web_workers: int = 2,
    ):
        self.folder = folder
        self.pause_file = folder / "pause"
        self.port = free_port()
        self.database_url = _database_url(folder)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "console.settings",
            "DATABASE_URL": self.database_url,
            "FUSEBOX_VAR_DIR": str(folder / "var"),
            "FUSEBOX_MASTER_KEY_FILE": str(master_key_file),
            "FUSEBOX_BUILD_PAUSE_FILE": str(self.pause_file),
            "FUSEBOX_BUILD_HEARTBEAT_SECONDS": "1",
            "FUSEBOX_BUILD_HEARTBEAT_TIMEOUT": "2",
            "FUSEBOX_API_RATE": "100000/minute",
            "PYTHONPATH": str(ROOT),
            **(extra_env or {}),
        }
        self.web_workers = web_workers
        self.env.pop("FUSEBOX_MASTER_KEY", None)
        if broker_url:
            self.env["CELERY_BROKER_URL"] = broker_url
        else:
            self.env.pop("CELERY_BROKER_URL", None)
            for sub in ("queue", "processed"):
                (folder / "var" / "broker" / sub).mkdir(parents=True, exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.seed: dict = {}

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args}: {done.stderr[-3000:]}")
        return done.stdout

    def start(self, keystore, *, worker: bool = True) -> "LiveStack":
        self.run("manage.py", "migrate", "--verbosity=0")
        out = self.run(
            "-m", "tests.builds.live_seed", "seed", str(keystore.path), keystore.alias,
            keystore.password,
        )  # fmt: skip
        self.seed = json.loads(out.split("LIVE-SEED ", 1)[1])
        self.start_web()
        if worker:
            self.start_worker()
        return self

    def start_web(self) -> None:
        self.processes["web"] = self._spawn(
            "web",
            [PYTHON, "-m", "gunicorn", "console.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.web_workers), "--timeout", "120"],
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/healthz/", timeout=2)  # noqa: S310
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in 30 s")

    def start_worker(self, name: str = "worker", concurrency: int = 1) -> subprocess.Popen:
        process = self._spawn(
            name,
            [PYTHON, "-m", "celery", "-A", "workers.celery", "worker", "--loglevel=INFO",
             f"--concurrency={concurrency}", f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h"],
        )  # fmt: skip
        self.processes[name] = process
        return process

    def kill(self, name: str) -> None:
        """SIGKILL a process and all its children, as a machine losing power would."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("ab")
        return subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
        )

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        _drop_database(self.database_url)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, body: bytes | None = None, headers=None):
        request = urllib.request.Request(  # noqa: S310 - the test's own http server
            f"{self.url}{path}", data=body, method=method,
            headers={"Authorization": f"Token {self.seed['token']}", **(headers or {})},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def json(self, method: str, path: str, data: dict | None = None):
        body = json.dumps(data).encode() if data is not None else None
        status, raw, _headers = self.api(
            method, path, body, {"Content-Type": "application/json"} if body else None
        )
        return status, json.loads(raw) if raw else None

    def upload(self, path: Path) -> tuple[int, dict]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + path.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, raw, _headers = self.api(
            "POST", "/api/v1/upload", body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )  # fmt: skip
        return status, json.loads(raw)

    def fuse(self, app_id: str) -> str:
        status, task = self.json(
            "POST",
            "/api/v1/tasks",
            {"action": "fuse", "app_id": app_id, "fusion_set_id": self.seed["fusion_set_id"]},
        )
        assert status == 201, task
        return task["id"]

    def wait_for(self, task_id: str, predicate, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            _status, last = self.json("GET", f"/api/v1/tasks/{task_id}/status")
            if predicate(last):
                return last
            time.sleep(0.25)
        raise AssertionError(f"build {task_id} did not get there in {timeout} s: {last}")

    def messages(self, task_id: str) -> list[str]:
        _status, body = self.json("GET", f"/api/v1/tasks/{task_id}/status")
        return [line["text"] for line in body["messages"]]

    def reap(self) -> int:
        out = self.run("-m", "tests.builds.live_seed", "reap")
        return json.loads(out.split("LIVE-SEED ", 1)[1])["handled"]

    def stored_build_files(self, task_id: str) -> list[Path]:
        root = self.folder / "var" / "media" / "builds" / "orgs"
        folder = root / str(self.seed["organization_id"]) / "builds" / task_id
        return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
