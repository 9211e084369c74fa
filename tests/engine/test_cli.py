"""The fusebox command line: exit codes and one-line messages a CI job can act on."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.android import corpus_file, requires_android_tools
from workers.engine import cli
from workers.engine.rewrite import rewrite_apk

REPO = Path(__file__).resolve().parents[2]
FUSEBOX_SCRIPT = Path(sys.executable).parent / "fusebox"


def _fusebox(*args) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "workers.engine.cli", *map(str, args)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def _assert_one_line_error(result, code: str) -> None:
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {code}: ")
    assert "Traceback" not in result.stderr


@requires_android_tools
def test_inspect_prints_json_facts(engine_apps):
    result = _fusebox("inspect", engine_apps["native"], "--json")

    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["package"] == "com.example.native"
    assert facts["native_abis"] == ["arm64-v8a", "armeabi-v7a"]
    assert facts["min_sdk"] == 28


@requires_android_tools
def test_inspect_prints_readable_facts(engine_apps):
    result = _fusebox("inspect", engine_apps["application"])

    assert result.returncode == 0, result.stderr
    assert "package: com.example.fixture" in result.stdout
    assert "application class: com.example.fixture.FixtureApp" in result.stdout
    assert "signer v2: CN=Fixture RSA Signer" in result.stdout


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("janus.apk", "zip_prefix_bytes"),
        ("modded.apk", "zip_duplicate_entry"),
        ("install-time-permanent-modules.aab", "unsupported_format"),
        ("invalid_manifest.apk", "not_a_zip"),
    ],
)
def test_inspect_rejects_hostile_input_with_exit_2_and_one_line(name, code):
    _assert_one_line_error(_fusebox("inspect", corpus_file(name)), code)


def test_inspect_rejects_a_missing_file_with_exit_2(tmp_path):
    _assert_one_line_error(_fusebox("inspect", tmp_path / "absent.apk"), "unreadable")


def test_verify_accepts_an_app_signed_by_apksigner():
    result = _fusebox("verify", corpus_file("UnCrackable-Level1.apk"))

    assert result.returncode == 0, result.stderr


def test_verify_refuses_native_libraries_aligned_to_4_kib_only():
    result = _fusebox("verify", corpus_file("golden-aligned-v1v2v3-lineage-out.apk"))

    _assert_one_line_error(result, "zip_misaligned")
    assert "16384" in result.stderr


def test_verify_refuses_hostile_input_with_exit_2():
    assert _fusebox("verify", corpus_file("janus.apk")).returncode == 2


@requires_android_tools
def test_verify_refuses_an_unsigned_rewrite_with_exit_2(engine_apps, tmp_path):
    unsigned = tmp_path / "unsigned.apk"
    rewrite_apk(engine_apps["application"], unsigned)

    result = _fusebox("verify", unsigned)

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2():
    assert _fusebox("inspect").returncode == 2
    assert _fusebox("no-such-command").returncode == 2


def test_an_internal_failure_exits_1_with_one_error_line(monkeypatch, capsys, tmp_path):
    def explode(path):
        raise RuntimeError("unexpected state")

    monkeypatch.setattr("workers.engine.inspect.inspect_apk", explode)

    code = cli.main(["inspect", str(tmp_path / "any.apk")])

    assert code == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("error: internal:")


@pytest.mark.skipif(
    not FUSEBOX_SCRIPT.exists(), reason="the fusebox console script is not installed"
)
def test_the_console_script_is_installed_and_runs():
    result = subprocess.run(
        [str(FUSEBOX_SCRIPT), "inspect", str(corpus_file("janus.apk"))],
        capture_output=True,
        text=True,
        timeout=120,
    )

    _assert_one_line_error(result, "zip_prefix_bytes")
