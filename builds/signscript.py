"""The auto-dev signing script: signs the unsigned output locally, then checks the result.

The customer runs it where their keystore lives, so the key never reaches Fusebox. It refuses
to finish when the signing certificate is not the one the fused identity was bound to,
because such an app would never decrypt its identity.
"""

from builds.models import Build

TEMPLATE = """#!/bin/sh
# Sign {package} fused by Fusebox (build {build_id}) with your own keystore, then verify it.
# Usage: sh sign.sh KEYSTORE KEY_ALIAS [UNSIGNED_APK] [SIGNED_APK]
# apksigner asks for the keystore password (or set KS_PASS to pass it through the
# environment). Needs apksigner from the Android SDK build-tools (or Debian's package).
set -eu

if [ "$#" -lt 2 ]; then
    echo "usage: sh $0 KEYSTORE KEY_ALIAS [UNSIGNED_APK] [SIGNED_APK]" >&2
    exit 2
fi
KEYSTORE=$1
ALIAS=$2
INPUT=${{3:-{input_name}}}
OUTPUT=${{4:-{output_name}}}
EXPECTED_SHA256={fingerprint}

if [ -n "${{KS_PASS:-}}" ]; then
    set -- --ks-pass env:KS_PASS
else
    set --
fi
apksigner sign --ks "$KEYSTORE" --ks-key-alias "$ALIAS" "$@" \\
    --v1-signing-enabled {v1} --v2-signing-enabled true --v3-signing-enabled true \\
    --out "$OUTPUT" "$INPUT"

REPORT=$(apksigner verify --verbose --print-certs "$OUTPUT")
SIGNER=$(printf '%s\\n' "$REPORT" | sed -n 's/^Signer #1 certificate SHA-256 digest: //p')
if [ "$SIGNER" != "$EXPECTED_SHA256" ]; then
    rm -f "$OUTPUT"
    echo "The keystore's certificate (SHA-256 $SIGNER) is not the one this build was" >&2
    echo "fused for ($EXPECTED_SHA256); the app could not open its identity." >&2
    exit 1
fi
echo "Signed and verified: $OUTPUT (signer SHA-256 $SIGNER)"
"""


def sign_script(build: Build) -> str:
    """The shell script for ``build``'s unsigned output (plain POSIX sh, no bashisms)."""
    min_sdk = (build.app.analysis or {}).get("min_sdk") or 1
    return TEMPLATE.format(
        package=build.app.package or "the app",
        build_id=build.pk,
        input_name=download_name(build, signed=False),
        output_name=download_name(build, signed=True),
        fingerprint=build.signing_fingerprint,
        v1="true" if min_sdk < 24 else "false",
    )


def download_name(build: Build, *, signed: bool | None = None) -> str:
    """The file name offered on download: package, version and what was done to it."""
    app = build.app
    base = "-".join(part for part in (app.package or "app", app.version_name) if part)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in base)[:120]
    if signed is None:
        signed = build.signing_method == "fusebox"
    return f"{safe}-fused{'' if signed else '-unsigned'}.apk"
