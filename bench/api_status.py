"""DEV-API status polling under gunicorn + PostgreSQL, measured with wrk.

Starts a live Fusebox (gunicorn, one Celery worker, a fresh PostgreSQL database), runs one
real build so the status carries its whole log, then has wrk poll
``GET /api/v1/tasks/{id}/status`` with a DevOps token. Target: >= 500 requests/s with
p99 <= 50 ms on 2 cores.

The baseline, measured in the same run against the same processes, is ``/healthz/``: the
full middleware stack and one ``SELECT 1``, the most any request costs before Fusebox's own
work. Their ratio says how much of the ceiling the status endpoint keeps.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.builds.live import LiveStack
from tests.support.android import AppSpec, build_app, make_keystore

TARGET_RPS = 500
TARGET_P99_MS = 50.0
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/fusebox_builds"
# Production's broker; database 13 is the builds' own (the filesystem broker polls once a
# second, which would measure its polling instead of Fusebox).
REDIS_BROKER = os.environ.get("FUSEBOX_BENCH_BROKER", "redis://127.0.0.1:6379/13")
# Production shares API throttling and token lookups through Redis (docker-compose.yml).
REDIS_CACHE = os.environ.get("FUSEBOX_BENCH_CACHE", "redis://127.0.0.1:6379/12")
PRODUCTION_ENV = {
    "CACHE_URL": REDIS_CACHE,
    "FUSEBOX_DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "FUSEBOX_LOG_LEVEL": "WARNING",
}


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    """Requests/s and latency percentiles from ``wrk --latency`` output."""
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "90", "99"):
        match = re.search(rf"^\s+{percentile}%\s+(\S+)", output, re.MULTILINE)
        result[f"p{percentile}_ms"] = _milliseconds(match.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(errors.group(1)) if errors else 0
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_status", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 s of load instead of 20 s")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=4)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk)")
        return 2
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)

    with tempfile.TemporaryDirectory(prefix="bench-status-") as folder:
        work = Path(folder)
        keystore = make_keystore(work / "keys", "rsa")
        app = build_app(work / "app", AppSpec(), keystore)
        key_file = work / "master.keys"
        from vault.providers import new_master_key_line

        key_file.write_text(new_master_key_line(1) + "\n")
        stack = LiveStack(
            work, key_file, REDIS_BROKER, extra_env=PRODUCTION_ENV, web_workers=args.web_workers
        )
        try:
            stack.start(keystore)
            _status, uploaded = stack.upload(app)
            task_id = stack.fuse(uploaded["id"])
            final = stack.wait_for(task_id, lambda s: s["status"] in {"succeeded", "failed"})
            lines = len(final["messages"])
            seconds = 5 if args.quick else 20
            token = stack.seed["token"]
            baseline = _wrk(f"{stack.url}/healthz/", token, args.connections, seconds)
            result = _wrk(
                f"{stack.url}/api/v1/tasks/{task_id}/status", token, args.connections, seconds
            )
        finally:
            stack.stop()

    ok = result["rps"] >= TARGET_RPS and result["p99_ms"] <= TARGET_P99_MS
    print(f"status polling, {os.cpu_count()} cores, gunicorn {args.web_workers} sync workers, "
          f"{args.connections} connections, {lines} log lines per answer")  # fmt: skip
    print(f"{'route':<10} {'requests/s':>12} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
          f"{'non-2xx':>8}")  # fmt: skip
    for name, row in (("healthz", baseline), ("status", result)):
        print(f"{name:<10} {row['rps']:>12.0f} {row['p50_ms']:>8.1f} {row['p90_ms']:>8.1f} "
              f"{row['p99_ms']:>8.1f} {row['non_2xx']:>8}")  # fmt: skip
    print(f"status/healthz requests/s {result['rps'] / baseline['rps']:.2f}")
    print(f"target >= {TARGET_RPS} req/s, p99 <= {TARGET_P99_MS} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok and not result["non_2xx"] else 1


def _wrk(url: str, token: str, connections: int, seconds: int) -> dict:
    run = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", f"Authorization: Token {token}", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return parse_wrk(run.stdout)


if __name__ == "__main__":
    sys.exit(main())
