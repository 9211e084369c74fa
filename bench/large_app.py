"""A large app through the DEV-API and a worker: time and memory against the app's size.

Builds a signed app carrying a ~300 MB stored asset, then on a live Fusebox (gunicorn with
one sync worker, one Celery worker process, PostgreSQL, Redis) uploads it and fuses it.
Prints the upload and build times next to one SHA-256 pass over the same file (the
baseline: every step reads the file at least once), and the peak resident memory of the
web and worker processes next to their idle size: an upload streams to disk and the
pipeline reads entries in chunks, so neither should grow with the file. No figure is set
for this; it backs the console's claim to take apps of hundreds of MB.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.api_status import DEFAULT_DATABASE, PRODUCTION_ENV, REDIS_BROKER
from tests.builds.live import LiveStack
from tests.support.android import AppSpec, build_app, make_keystore
from workers.engine.inspect import file_sha256


class PeakMemory:
    """Samples the largest resident set of a process group every 50 ms."""

    def __init__(self, group: int):
        self.group = group
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def sample(self) -> int:
        out = subprocess.run(
            ["ps", "-o", "rss=", "-g", str(self.group)], capture_output=True, text=True
        ).stdout.split()
        return max((int(value) for value in out), default=0)

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_kib = max(self.peak_kib, self.sample())

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _wait_for_worker(log: Path, timeout: float = 60) -> None:
    """Until the Celery worker says it is ready, so its idle size is its real idle size."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and b" ready." in log.read_bytes():
            return
        time.sleep(0.2)
    raise RuntimeError(f"the worker did not get ready in {timeout} s; see {log}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.large_app", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a 100 MB asset instead of 300")
    parser.add_argument("--size-mb", type=int, default=300)
    args = parser.parse_args(argv)
    size_mb = 100 if args.quick else args.size_mb
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)

    with tempfile.TemporaryDirectory(prefix="bench-large-", dir=os.environ.get("TMPDIR")) as tmp:
        work = Path(tmp)
        keystore = make_keystore(work / "keys", "rsa")
        spec = AppSpec(extra_assets={"assets/blob.bin": os.urandom(size_mb << 20)})
        app = build_app(work / "app", spec, keystore)
        app_mb = app.stat().st_size / 1e6
        started = time.perf_counter()
        file_sha256(app)
        hash_seconds = time.perf_counter() - started

        from vault.providers import new_master_key_line

        key_file = work / "master.keys"
        key_file.write_text(new_master_key_line(1) + "\n")
        stack = LiveStack(work, key_file, REDIS_BROKER, extra_env=PRODUCTION_ENV, web_workers=1)
        try:
            stack.start(keystore)
            _wait_for_worker(work / "worker.log")
            web = PeakMemory(stack.processes["web"].pid)
            worker = PeakMemory(stack.processes["worker"].pid)
            web_idle, worker_idle = web.sample(), worker.sample()
            with web:
                started = time.perf_counter()
                status, uploaded = stack.upload(app)
                upload_seconds = time.perf_counter() - started
            assert status == 201, uploaded
            with worker:
                started = time.perf_counter()
                task = stack.fuse(uploaded["id"])
                final = stack.wait_for(
                    task, lambda body: body["status"] in {"succeeded", "failed"}, timeout=900
                )
                build_seconds = time.perf_counter() - started
        finally:
            stack.stop()

    print(f"one app of {app_mb:.0f} MB, gunicorn 1 sync worker, 1 Celery worker process")
    print(f"{'':<18} {'seconds':>8} {'x hash':>7} {'idle MiB':>9} {'peak MiB':>9}")
    print(f"{'sha256 (baseline)':<18} {hash_seconds:>8.2f} {1:>7.1f}")
    for name, seconds, memory, idle in (
        ("upload", upload_seconds, web, web_idle),
        ("build", build_seconds, worker, worker_idle),
    ):
        ratio = seconds / hash_seconds
        print(f"{name:<18} {seconds:>8.1f} {ratio:>7.1f} {idle / 1024:>9.0f} "
              f"{memory.peak_kib / 1024:>9.0f}")  # fmt: skip
    growth = max(web.peak_kib - web_idle, worker.peak_kib - worker_idle) / 1024
    print(f"build {final['status']}; largest growth over idle {growth:.0f} MiB "
          f"for a {app_mb:.0f} MB app ({growth / app_mb:.2f} MiB per MB)")  # fmt: skip
    return 0 if final["status"] == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
