"""Fusion benchmark: ``fusebox fuse`` against ``apksigner sign`` alone and ``sha256sum``.

Uses the container benchmark's ~73 MB input (a real small app grown with a 50 MB stored
and a 30 MB deflated asset) and times, as child processes on the same input in one run, the
whole fusion (gate, identity sealing, runtime DEX, manifest and resource patching, rewrite,
v1+v2+v3 signing) next to apksigner signing the unchanged input, with each child's peak RSS.

Targets: the whole fusion no slower than ``apksigner sign`` alone, peak RSS under 120 MB.
"""

import argparse
import tempfile
from pathlib import Path

from bench.container import PYTHON, RSS_TARGET_MB, build_input, run_child
from tests.runtime import pki
from tests.support.android import (
    AppSpec,
    build_app,
    make_keystore,
    missing_android_tools,
    use_fixture_cache,
)

RUNS = 3


def fusion_commands(source: Path, work: Path, keystore, secrets: dict) -> dict[str, list[str]]:
    return {
        "sha256sum": ["sha256sum", str(source)],
        "apksigner sign": [
            "apksigner", "sign", "--ks", str(keystore.path),
            "--ks-pass", f"file:{secrets['store']}",
            "--out", str(work / "apksigner-signed.apk"), str(source),
        ],
        "fusebox fuse": [
            PYTHON, "-m", "workers.engine.cli", "fuse", str(source), str(work / "fused.apk"),
            "--ca", str(secrets["ca"]), "--identity", str(secrets["identity"]),
            "--identity-password-file", str(secrets["identity_password"]),
            "--pin-host", "api.example.com", "--threat-events", "defend",
            "--keystore", str(keystore.path), "--password-file", str(secrets["store"]),
        ],
        "fusebox check-fused": [
            PYTHON, "-m", "workers.engine.cli", "check-fused", str(work / "fused.apk"),
        ],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench fusion")
    parser.add_argument("--quick", action="store_true", help="one run per tool")
    args = parser.parse_args(argv)
    missing = missing_android_tools()
    if missing:
        print(f"fusion benchmark skipped: missing {', '.join(missing)}")
        return 0

    with tempfile.TemporaryDirectory(prefix="fusebox-bench-fusion-") as directory:
        work = Path(directory)
        use_fixture_cache(work / "fixtures")
        keystore = make_keystore(work / "keys", "rsa")
        ca = pki.make_ca(work, "ca", "Bench Client CA")
        client = pki.issue(work, "client", ca, "bench-client")
        secrets = {
            "store": work / "store.pass",
            "identity_password": work / "identity.pass",
            "identity": work / "client.p12",
            "ca": ca.cert_path,
        }
        secrets["store"].write_text(keystore.password + "\n")
        secrets["identity_password"].write_bytes(pki.P12_PASSWORD + b"\n")
        pki.export_p12(client, ca, secrets["identity"])

        base = build_app(work / "app", AppSpec(package="com.example.bench"), sign=False)
        source = build_input(work, "73MB", 50, 30, base)
        run_child("warm-up", ["sha256sum", str(source)], 1)
        runs = 1 if args.quick else RUNS
        results = {
            tool: run_child(tool, command, runs)
            for tool, command in fusion_commands(source, work, keystore, secrets).items()
        }

        print(f"\nfusion of a {source.stat().st_size / 1e6:.1f} MB APK ({runs} run(s), median)")
        print(f"  {'tool':<20}{'time s':>9}{'peak RSS MB':>13}")
        for measurement in results.values():
            failed = "  (failed)" if measurement.returncode else ""
            print(
                f"  {measurement.tool:<20}{measurement.seconds:>9.2f}"
                f"{measurement.peak_rss_mb:>13.1f}{failed}"
            )

    fuse = results["fusebox fuse"]
    vs_apksigner = fuse.seconds / results["apksigner sign"].seconds
    vs_sha = fuse.seconds / results["sha256sum"].seconds
    checks = [
        (f"fuse/apksigner-sign time {vs_apksigner:.2f} (target <= 1.00)", vs_apksigner <= 1.0),
        (f"fuse/sha256sum time {vs_sha:.2f} (for reference)", True),
        (
            f"fuse peak RSS {fuse.peak_rss_mb:.0f} MB (target < {RSS_TARGET_MB})",
            fuse.peak_rss_mb < RSS_TARGET_MB,
        ),
        ("check-fused accepts the output", results["fusebox check-fused"].returncode == 0),
    ]
    for text, passed in checks:
        print(f"  {'PASS' if passed else 'MISS'}  {text}")
    print("\nall targets met" if all(p for _, p in checks) else "\nsome targets missed")
    return 0
