"""Run the runtime DEX on the JVM: enjarify it, compile the android.* stubs, start a driver."""

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

JAVA_SOURCES = Path(__file__).with_name("java")
JVM_TOOLS = ("enjarify", "javac", "java")


def missing_jvm_tools() -> list[str]:
    missing = [tool for tool in JVM_TOOLS if shutil.which(tool) is None]
    if not Path("/usr/bin/python3").is_file():
        missing.append("/usr/bin/python3")
    return missing


requires_jvm = pytest.mark.skipif(
    bool(missing_jvm_tools()), reason="enjarify, javac or java is missing"
)


def compile_stubs(out: Path) -> Path:
    """Compile the android.* stubs and the driver once per session."""
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted(str(p) for p in JAVA_SOURCES.rglob("*.java"))
    subprocess.run(["javac", "-nowarn", "-d", str(out), *sources], check=True, capture_output=True)
    return out


_TRANSLATED: dict[str, Path] = {}


def translate(dex: bytes, workdir: Path) -> Path:
    """DEX to JVM classes with enjarify; identical DEX bytes are translated once."""
    digest = hashlib.sha256(dex).hexdigest()
    if digest in _TRANSLATED:
        return _TRANSLATED[digest]

    workdir.mkdir(parents=True, exist_ok=True)
    dex_path = workdir / "classes.dex"
    jar_path = workdir / "runtime.jar"
    dex_path.write_bytes(dex)
    env = {**os.environ, "PYTHON": "/usr/bin/python3"}
    result = subprocess.run(
        ["enjarify", "-f", "-o", str(jar_path), str(dex_path)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    if "0 classes had errors" not in result.stdout:
        raise AssertionError(f"enjarify could not translate every class:\n{result.stdout}")
    _TRANSLATED[digest] = jar_path
    return jar_path


@dataclass(frozen=True)
class DriverRun:
    results: list[dict]
    broadcasts: list[dict]
    toasts: list[str]
    killed: int
    delays: list[int]
    broadcasts_during_startup: int
    providers: list[str]
    pre_auth_services: list[str]
    default_provider: str
    log: str


def run_driver(
    stubs: Path,
    jar: Path,
    assets: Path,
    signer_der: Path,
    package: str,
    actions: list[str],
    *,
    permissions: tuple[str, ...] = (),
    sdk: int = 33,
    trust_store: Path | None = None,
    provider_class: str = "io.fusebox.runtime.InitProvider",
) -> DriverRun:
    """Start the runtime as Android would, run the actions, return what the stubs saw."""
    # Short-lived JVM: C1 only and the serial collector start faster than the defaults.
    command = [
        "java",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        f"-Dstub.sdk={sdk}",
        f"-Dprovider.class={provider_class}",
    ]
    if trust_store is not None:
        command += [
            f"-Djavax.net.ssl.trustStore={trust_store}",
            "-Djavax.net.ssl.trustStoreType=PKCS12",
            "-Djavax.net.ssl.trustStorePassword=changeit",
        ]
    command += [
        "-cp",
        f"{stubs}{os.pathsep}{jar}",
        "harness.RuntimeDriver",
        str(assets),
        str(signer_der),
        package,
        ",".join(permissions) or "-",
        *actions,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=180)
    if completed.returncode != 0:
        raise AssertionError(f"driver failed ({completed.returncode}):\n{completed.stderr}")
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    return DriverRun(
        results=data["results"],
        broadcasts=data["broadcasts"],
        toasts=data["toasts"],
        killed=data["killed"],
        delays=data["delays"],
        broadcasts_during_startup=data["broadcastsDuringStartup"],
        providers=data["providers"],
        pre_auth_services=data["preAuthServices"],
        default_provider=data["defaultProtocolProvider"],
        log=completed.stderr,
    )
