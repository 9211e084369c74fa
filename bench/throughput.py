"""End-to-end throughput: 50 builds of a ~20 MB app with 2 Celery worker processes.

Starts a live Fusebox (gunicorn, a worker with concurrency 2, a fresh PostgreSQL database),
uploads a freshly built ~20 MB app through the DEV-API, starts the builds at once and
polls until every one ends. Reports builds per minute (first request to last success) and
the upload-to-succeeded time of each build. Target: >= 40 builds per minute.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.api_status import DEFAULT_DATABASE, PRODUCTION_ENV, REDIS_BROKER
from tests.builds.live import LiveStack
from tests.support.android import AppSpec, build_app, make_keystore

TARGET_PER_MINUTE = 40


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 builds instead of 50")
    parser.add_argument("--builds", type=int, default=50)
    parser.add_argument("--size-mb", type=int, default=20)
    args = parser.parse_args(argv)
    count = 10 if args.quick else args.builds
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)

    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as folder:
        work = Path(folder)
        keystore = make_keystore(work / "keys", "rsa")
        spec = AppSpec(extra_assets={"assets/payload.bin": os.urandom(args.size_mb << 20)})
        app = build_app(work / "app", spec, keystore)
        app_mb = app.stat().st_size / 1e6
        from vault.providers import new_master_key_line

        key_file = work / "master.keys"
        key_file.write_text(new_master_key_line(1) + "\n")
        stack = LiveStack(work, key_file, REDIS_BROKER, extra_env=PRODUCTION_ENV, web_workers=2)
        try:
            stack.start(keystore, worker=False)
            stack.start_worker(concurrency=2)
            started = time.monotonic()
            status, uploaded = stack.upload(app)
            upload_seconds = time.monotonic() - started
            assert status == 201, uploaded
            tasks = {stack.fuse(uploaded["id"]): time.monotonic() for _ in range(count)}
            ended = {}
            while len(ended) < count:
                for task_id in tasks:
                    if task_id in ended:
                        continue
                    _code, body = stack.json("GET", f"/api/v1/tasks/{task_id}/status")
                    if body["status"] in {"succeeded", "failed", "cancelled"}:
                        ended[task_id] = (time.monotonic(), body["status"])
                time.sleep(0.5)
            total = max(at for at, _status in ended.values()) - started
            steps: dict[str, list[float]] = {}
            for task_id in tasks:
                _code, detail = stack.json("GET", f"/api/v1/tasks/{task_id}")
                for step, seconds in detail["timings"].items():
                    steps.setdefault(step, []).append(seconds)
        finally:
            stack.stop()

    failed = [task for task, (_at, state) in ended.items() if state != "succeeded"]
    per_build = sorted(ended[task][0] - tasks[task] + upload_seconds for task in tasks)
    per_minute = count / total * 60
    print(f"{count} builds of a {app_mb:.1f} MB app, 2 worker processes, "
          f"{os.cpu_count()} cores")  # fmt: skip
    print(f"upload {upload_seconds:.2f} s; all done in {total:.1f} s: {per_minute:.1f} builds/min")
    print(f"upload-to-succeeded: median {statistics.median(per_build):.1f} s, "
          f"max {per_build[-1]:.1f} s; failed {len(failed)}")  # fmt: skip
    print("median seconds per step: " + ", ".join(
        f"{step} {statistics.median(values):.2f}" for step, values in steps.items()))  # fmt: skip
    ok = per_minute >= TARGET_PER_MINUTE and not failed
    print(f"target >= {TARGET_PER_MINUTE} builds/min: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
