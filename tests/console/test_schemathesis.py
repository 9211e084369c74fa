"""schemathesis against the live DEV-API schema: zero server errors and responses that match
the schema, for every operation of the API.

Each group of operations runs with the role that may call it: builds with a DevOps token,
webhooks, members, tokens, audit and trust material with an owner token, Fusion Sets with a
security token. The builds and webhook operations are given real ids (an app, a build that
succeeded, a queued build, webhooks) so that they reach their logic instead of answering
404 to random ids, and fail the test when an operation only ever answered 401/403/404.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builds.live import LiveStack
from tests.support.android import requires_android_tools
from tests.vault.keys import use_test_master_key

pytestmark = [requires_android_tools, pytest.mark.slow]

DEVOPS_PATHS = r"^/api/v1/(upload|apps|tasks)"
WEBHOOK_PATHS = r"^/api/v1/webhooks"
OWNER_PATHS = r"^/api/v1/(members|invitations|tokens|organization|audit-events|trust|verify)"
SECURITY_PATHS = r"^/api/v1/fusion-sets"
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
# Never resolves (RFC 6761), so registration accepts it with a warning and nothing is sent.
WEBHOOK_URL = "https://hooks.fusebox.invalid/build-ended"
# Operations are picked by name ("METHOD /path"): schemathesis ORs the separate include-*
# keys of one [[operations]] table, so a table must select with a single key.
APP = r"^[A-Z]+ /api/v1/apps/\{id\}"
TASK = r"^GET /api/v1/tasks/\{id\}/(status|output|certificate|$)"
TASK_CHANGE = r"^POST /api/v1/tasks/\{id\}/(cancel|retry)"
WEBHOOK_READ = r"^GET /api/v1/webhooks/\{id\}/(deliveries/)?$"
WEBHOOK_DELETE = r"^DELETE /api/v1/webhooks/\{id\}/$"
REDELIVER = r"^POST /api/v1/webhooks/\{id\}/deliveries/\{delivery\}/redeliver"


def _operation(name_regex: str, **path_parameters: str) -> list[str]:
    """One ``[[operations]]`` table; JSON strings are valid TOML basic strings."""
    pairs = ", ".join(
        f"{json.dumps('path.' + name)} = {json.dumps(value)}"
        for name, value in path_parameters.items()
    )
    return [
        "[[operations]]",
        f"include-name-regex = {json.dumps(name_regex)}",
        f"parameters = {{ {pairs} }}",
        "",
    ]


def write_config(path: Path, ids: dict[str, str]) -> Path:
    """A schemathesis.toml naming the object each operation aims at.

    Reads go to a build that succeeded (so the app and its report download), cancel and retry
    to a queued one, and the webhook that DELETE removes is not the one the reads look at.
    """
    lines = [
        *_operation(APP, id=ids["app"]),
        *_operation(TASK, id=ids["succeeded"]),
        *_operation(TASK_CHANGE, id=ids["queued"]),
        *_operation(WEBHOOK_READ, id=ids["webhook"]),
        *_operation(WEBHOOK_DELETE, id=ids["spare"]),
        *_operation(REDELIVER, id=ids["webhook"], delivery=ids["delivery"]),
    ]
    path.write_text("\n".join(lines))
    return path


def register_webhook(stack: LiveStack) -> str:
    status, raw, _headers = stack.api(
        "POST",
        "/api/v1/webhooks/",
        json.dumps({"url": WEBHOOK_URL}).encode(),
        {
            "Authorization": f"Token {stack.seed['owner_token']}",
            "Content-Type": "application/json",
        },
    )
    assert status == 201, raw
    return json.loads(raw)["id"]


def first_delivery(stack: LiveStack, webhook_id: str) -> str:
    """The delivery the ended build left for the webhook (sent to a host that never exists)."""
    _status, raw, _headers = stack.api(
        "GET",
        f"/api/v1/webhooks/{webhook_id}/deliveries/",
        headers={"Authorization": f"Token {stack.seed['owner_token']}"},
    )
    return json.loads(raw)["results"][0]["id"]


def prepare(stack: LiveStack, rsa_keystore, fixture_app) -> dict[str, str]:
    """An uploaded app, a build that succeeded, a queued build, two webhooks, a delivery."""
    stack.start(rsa_keystore)
    webhook, spare = register_webhook(stack), register_webhook(stack)
    _status, app = stack.upload(fixture_app)
    succeeded = stack.fuse(app["id"])
    stack.wait_for(succeeded, lambda body: body["status"] == "succeeded")
    stack.kill("worker")
    queued = stack.fuse(app["id"])
    return {
        "delivery": first_delivery(stack, webhook),
        "app": app["id"],
        "succeeded": succeeded,
        "queued": queued,
        "webhook": webhook,
        "spare": spare,
    }


def run_schemathesis(
    st: Path, stack: LiveStack, config: Path, token: str, paths: str, *, ids_given: bool
) -> str:
    """Run schemathesis on the operations under ``paths``; its output when anything is wrong.

    With ``ids_given``, an operation that never got past authentication or the object
    look-up is wrong too: the run was meant to reach its logic.
    """
    # One worker: schemathesis' worker threads parse lambdas with `ast.parse` at the same
    # time, which CPython 3.11 before 3.11.8 can fail with "AST constructor recursion depth
    # mismatch" (CPython gh-106905), an error of the test tool, not of the API.
    run = subprocess.run(
        [str(st), "--config-file", str(config), "run", f"{stack.url}/api/schema/",
         "--header", f"Authorization: Token {token}",
         "--include-path-regex", paths,
         "--checks", CHECKS,
         "--max-examples", "8", "--seed", "7", "--workers", "1",
         "--phases", "examples,coverage,fuzzing",
         "--report-dir", str(config.parent / "report")],
        capture_output=True, text=True, timeout=600, cwd=config.parent,
    )  # fmt: skip
    unreached = ids_given and any(
        warning in run.stdout for warning in ("Authentication failed", "Missing test data")
    )
    return run.stdout[-6000:] if run.returncode != 0 or unreached else ""


def test_schemathesis_finds_no_server_error_in_the_dev_api(
    tmp_path, monkeypatch, rsa_keystore, fixture_app
):
    st = Path(sys.executable).with_name("st")
    if not st.exists() and shutil.which("st") is None:
        pytest.skip("schemathesis is not installed")
    stack = LiveStack(tmp_path, use_test_master_key(monkeypatch, tmp_path))
    try:
        config = write_config(
            tmp_path / "schemathesis.toml", prepare(stack, rsa_keystore, fixture_app)
        )
        seed = stack.seed
        runs = {
            "builds": (seed["token"], DEVOPS_PATHS, True),
            "webhooks": (seed["owner_token"], WEBHOOK_PATHS, True),
            "organization and trust": (seed["owner_token"], OWNER_PATHS, False),
            "fusion sets": (seed["security_token"], SECURITY_PATHS, False),
        }
        problems = {
            name: run_schemathesis(st, stack, config, token, paths, ids_given=ids_given)
            for name, (token, paths, ids_given) in runs.items()
        }
    finally:
        stack.stop()

    assert not any(problems.values()), "\n".join(
        f"--- {name} ---\n{output}" for name, output in problems.items() if output
    )
