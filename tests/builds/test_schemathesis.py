"""schemathesis against the live DEV-API schema with a DevOps token: zero server errors and
responses that match the schema, for every builds operation."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builds.live import LiveStack
from tests.support.android import requires_android_tools
from tests.vault.keys import use_test_master_key

pytestmark = [requires_android_tools, pytest.mark.slow]

BUILDS_PATHS = r"^/api/v1/(upload|apps|tasks|webhooks)"
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


def test_schemathesis_finds_no_server_error_in_the_builds_api(
    tmp_path, monkeypatch, rsa_keystore, fixture_app
):
    st = Path(sys.executable).with_name("st")
    if not st.exists() and shutil.which("st") is None:
        pytest.skip("schemathesis is not installed")
    stack = LiveStack(tmp_path, use_test_master_key(monkeypatch, tmp_path))
    try:
        stack.start(rsa_keystore, worker=False)
        _status, app = stack.upload(fixture_app)
        stack.fuse(app["id"])
        run = subprocess.run(
            [str(st), "run", f"{stack.url}/api/schema/",
             "--header", f"Authorization: Token {stack.seed['token']}",
             "--include-path-regex", BUILDS_PATHS,
             "--checks", CHECKS,
             "--max-examples", "8", "--seed", "7", "--workers", "2",
             "--phases", "examples,coverage,fuzzing",
             "--report-dir", str(tmp_path / "report")],
            capture_output=True, text=True, timeout=600, cwd=tmp_path,
        )  # fmt: skip
    finally:
        stack.stop()

    assert run.returncode == 0, run.stdout[-6000:]
