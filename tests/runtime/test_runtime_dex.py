"""The committed runtime DEX: reassembles from its smali, patches per build, parses."""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.android import requires_android_tools
from workers.engine.errors import FusionError
from workers.engine.runtime import (
    PROVIDER_CLASS,
    PROVIDER_INIT_ORDER,
    BuildValues,
    authority_for,
    read_build_values,
    runtime_dex,
)
from workers.engine.runtime.build_values import PLACEHOLDER_SIZE
from workers.engine.runtime.dex_patch import RUNTIME_DEX_PATH, committed_runtime_dex

SMALI_DIR = RUNTIME_DEX_PATH.with_name("smali")
RUNTIME_CLASSES = {
    "BuildValues",
    "Defense",
    "Delivery",
    "IdentityFailure",
    "IdentityLoader",
    "InitProvider",
    "PinningTrustManager",
    "PreAuth",
    "PreAuthProvider",
    "PreAuthService",
    "PreAuthSslContextSpi",
    "ThreatEvent",
}


def values(**overrides) -> BuildValues:
    fields = {"runtime_secret": os.urandom(32), "signer_sha256": os.urandom(32)}
    fields.update(overrides)
    return BuildValues(**fields)


@requires_android_tools
def test_the_committed_dex_reassembles_from_the_smali_source(tmp_path):
    out = tmp_path / "runtime.dex"

    # One job: smali's multi-threaded writer does not lay out the file deterministically.
    subprocess.run(
        ["smali", "assemble", "-j", "1", "--api", "21", "-o", str(out), str(SMALI_DIR)],
        check=True,
        capture_output=True,
    )

    assert out.read_bytes() == committed_runtime_dex()


@requires_android_tools
def test_the_patched_dex_parses_with_dexdump_and_its_checksum_verifies(tmp_path):
    dex = tmp_path / "classes2.dex"
    dex.write_bytes(runtime_dex(values(pinned_hosts=("api.example.com",))))

    checksum = subprocess.run(["dexdump", "-c", str(dex)], capture_output=True, text=True)
    listing = subprocess.run(["dexdump", "-d", str(dex)], capture_output=True, text=True)

    assert checksum.returncode == 0
    assert "Checksum verified" in checksum.stdout
    assert listing.returncode == 0
    found = set(re.findall(r"Class descriptor\s+: 'Lio/fusebox/runtime/(\w+);'", listing.stdout))
    assert found == RUNTIME_CLASSES
    assert "Landroid/content/ContentProvider;" in listing.stdout


def test_the_build_values_read_back_from_the_patched_dex():
    build = values(
        mode="detect",
        message="Ünïcode = fine: #1 ! \\ back\nslash 😀",
        pinned_hosts=("api.example.com", "auth.example.com"),
        external_id=" leading space",
    )

    read = read_build_values(runtime_dex(build))

    assert read["mode"] == "detect"
    assert read["message"] == build.message
    assert read["externalID"] == " leading space"
    assert read["pinnedHosts"] == "api.example.com,auth.example.com"
    assert read["secret"] == build.runtime_secret.hex()
    assert read["signerSha256"] == build.signer_sha256.hex()
    assert read["identityAsset"] == "fusebox/identity.bin"


def test_the_committed_dex_carries_no_build_values():
    assert read_build_values(committed_runtime_dex()) is None


def test_patching_keeps_the_size_and_changes_only_the_values_and_header():
    template = committed_runtime_dex()
    patched = runtime_dex(values())

    changed = [i for i, (a, b) in enumerate(zip(template, patched, strict=True)) if a != b]

    assert len(patched) == len(template)
    assert all(i < 32 or changed[-1] - i < PLACEHOLDER_SIZE for i in changed)


def test_patching_takes_milliseconds():
    build = values()
    runtime_dex(build)

    started = time.perf_counter()
    for _ in range(20):
        runtime_dex(build)

    assert (time.perf_counter() - started) / 20 < 0.02


def test_it_refuses_build_values_that_do_not_fit_the_placeholder():
    with pytest.raises(FusionError) as error:
        runtime_dex(values(message="x" * PLACEHOLDER_SIZE))

    assert error.value.code == "build_values_too_large"


@pytest.mark.parametrize(
    "overrides",
    [
        {"mode": "block"},
        {"pinned_hosts": ("API.example.com",)},
        {"pinned_hosts": ("a.example.com,b.example.com",)},
        {"runtime_secret": b"short"},
        {"fail_safe_delay_ms": -1},
    ],
)
def test_it_refuses_invalid_build_values(overrides):
    with pytest.raises(FusionError) as error:
        runtime_dex(values(**overrides))

    assert error.value.code == "build_values_invalid"


def test_the_manifest_names_match_the_smali():
    provider = (SMALI_DIR / "io/fusebox/runtime/InitProvider.smali").read_text()

    assert PROVIDER_CLASS == "io.fusebox.runtime.InitProvider"
    assert ".class public final Lio/fusebox/runtime/InitProvider;" in provider
    assert PROVIDER_INIT_ORDER == 2**31 - 1
    assert authority_for("com.example.app") == "com.example.app.fusebox-init"


def test_the_smali_source_is_commented():
    for path in Path(SMALI_DIR).rglob("*.smali"):
        assert path.read_text().startswith("#"), f"{path.name} lacks its header comment"


def _parameter_words(signature: str, static: bool) -> int:
    params = re.search(r"\((.*)\)", signature).group(1)
    words = 0 if static else 1
    for match in re.finditer(r"\[*(?:L[^;]+;|[ZBSCIFJD])", params):
        kind = match.group(0)
        words += 2 if kind in ("J", "D") else 1
    return words


def test_no_method_uses_a_local_register_that_aliases_a_parameter():
    """With .registers N the parameters take the last registers; vK beyond the locals is one."""
    problems = []
    for path in SMALI_DIR.rglob("*.smali"):
        for method in re.finditer(r"\.method ([^\n]*)\n(.*?)\.end method", path.read_text(), re.S):
            header, body = method.groups()
            count = int(re.search(r"\.registers (\d+)", body).group(1))
            signature = header.split()[-1]
            locals_count = count - _parameter_words(signature, " static " in f" {header} ")
            code = re.sub(r"#.*", "", body)
            used = {int(n) for n in re.findall(r"\bv(\d+)\b", code)}
            if used and max(used) >= locals_count:
                problems.append(f"{path.name} {signature}: v{max(used)} >= {locals_count} locals")

    assert not problems
