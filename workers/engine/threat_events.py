"""The mTLSPreAuthentication Threat-Event contract: the one description of it.

The runtime's smali sends exactly these extras, docs/threat-events.md is generated from this
module (a test keeps them equal), and code samples for app teams are built from it.
"""

from dataclasses import dataclass

EVENT_NAME = "mTLSPreAuthentication"


@dataclass(frozen=True)
class Extra:
    """One intent extra. Every value is a String; ``permission`` gates its presence."""

    name: str
    meaning: str
    permission: str | None = None


@dataclass(frozen=True)
class ReasonCode:
    code: str
    meaning: str
    reason_data: str


@dataclass(frozen=True)
class Mode:
    name: str
    broadcast: bool
    defense: bool
    meaning: str


MODES = {
    mode.name: mode
    for mode in (
        Mode(
            "off",
            broadcast=False,
            defense=True,
            meaning="In-app defense: Fusebox shows the message and ends the app after the "
            "fail-safe delay. No broadcast.",
        ),
        Mode(
            "detect",
            broadcast=True,
            defense=False,
            meaning="Broadcast only: the app decides what to do.",
        ),
        Mode(
            "defend",
            broadcast=True,
            defense=True,
            meaning="Broadcast, then the in-app defense.",
        ),
    )
}

_FINE = "android.permission.ACCESS_FINE_LOCATION or ACCESS_COARSE_LOCATION"
_WIFI = "android.permission.ACCESS_WIFI_STATE"

EXTRAS = (
    Extra("message", "The message configured for the build (shown by the in-app defense)."),
    Extra("reasonCode", "Why the event was raised: one of the reason codes below."),
    Extra("reasonData", "Detail for the reason code (see the table below); never a secret."),
    Extra("currentThreatEventScore", "Score of this event (build setting, default 100)."),
    Extra("threatEventsScore", "Sum of the scores of all events raised in this process."),
    Extra("failSafeEnforce", '"true" when Fusebox will end the app (modes off and defend).'),
    Extra("externalID", "The external ID given to the build."),
    Extra("osVersion", "Build.VERSION.RELEASE."),
    Extra("deviceModel", "Build.MODEL."),
    Extra("deviceManufacturer", "Build.MANUFACTURER."),
    Extra("deviceBrand", "Build.BRAND."),
    Extra("deviceBoard", "Build.BOARD."),
    Extra("deviceID", 'Settings.Secure ANDROID_ID ("" when unreadable).'),
    Extra("devicePlatform", 'Always "Android".'),
    Extra("sdkVersion", "Build.VERSION.SDK_INT."),
    Extra("updatedOSVersion", 'Security patch level, Build.VERSION.SECURITY_PATCH ("" < API 23).'),
    Extra("kernelInfo", 'System property "os.version" (the kernel release).'),
    Extra("carrierName", 'TelephonyManager.getNetworkOperatorName() ("" without telephony).'),
    Extra("carrierPlmn", 'TelephonyManager.getNetworkOperator(), MCC+MNC ("" without telephony).'),
    Extra("fusedAppToken", "Token identifying the fused build."),
    Extra("buildDate", "When the app was fused (ISO 8601, UTC)."),
    Extra("buildUser", "Who fused the app."),
    Extra("buildHost", "The Fusebox instance that fused the app."),
    Extra("timeZone", "TimeZone.getDefault().getID()."),
    Extra("deviceFaceDown", '"unknown": orientation needs a sensor wait start-up cannot afford.'),
    Extra("locationLat", 'Last known latitude ("" when none).', _FINE),
    Extra("locationLong", 'Last known longitude ("" when none).', _FINE),
    Extra("locationState", '"available" or "unavailable".', _FINE),
    Extra("wifiSsid", "SSID of the current Wi-Fi network (WifiInfo.getSSID()).", _WIFI),
    Extra(
        "wifiSsidPermissionStatus",
        '"granted", or "locationPermissionMissing" (Android 8.1+ then hides the SSID).',
        _WIFI,
    ),
)

REASON_CODES = (
    ReasonCode(
        "IdentitySignerMismatch",
        "The app is signed by a certificate other than the one the identity was sealed for "
        "(re-signed or repackaged app).",
        "SHA-256 of the app's actual signing certificate (hex).",
    ),
    ReasonCode(
        "IdentityTampered",
        "The identity asset or the runtime's build values were changed: decryption failed.",
        'The failure ("asset header" or the exception class name).',
    ),
    ReasonCode(
        "IdentityMissing",
        "The identity asset is absent from the app.",
        "The asset path.",
    ),
    ReasonCode(
        "IdentityExpired",
        "The client certificate is past its notAfter date.",
        "notAfter, milliseconds since the epoch.",
    ),
    ReasonCode(
        "IdentityNotYetValid",
        "The client certificate is before its notBefore date (or the device clock is wrong).",
        "notBefore, milliseconds since the epoch.",
    ),
    ReasonCode(
        "PinnedHostTrustFailure",
        "A pinned host presented a certificate chain the platform rejected.",
        "The host name.",
    ),
    ReasonCode(
        "RuntimeFailure",
        "The runtime could not install the identity for an unexpected reason.",
        "The exception class name.",
    ),
)


def always_present_keys() -> frozenset[str]:
    return frozenset(extra.name for extra in EXTRAS if extra.permission is None)


def permission_gated_keys() -> frozenset[str]:
    return frozenset(extra.name for extra in EXTRAS if extra.permission is not None)


def render_markdown() -> str:
    """docs/threat-events.md, the contract as app teams read it."""
    lines = [
        "# Threat-Event `mTLSPreAuthentication`",
        "",
        "<!-- Generated from workers/engine/threat_events.py; a test keeps it in sync. -->",
        "",
        "A fused app raises this event when its mTLS Pre-Authentication identity cannot be",
        "loaded (re-signed or tampered app, expired certificate) or a pinned host fails.",
        "It is an Android broadcast to the app's own package only (`Intent.setPackage`), with",
        f"the action `{EVENT_NAME}`. Every extra is a `String`.",
        "",
        "## Modes",
        "",
        "| mode | broadcast | in-app defense | meaning |",
        "|---|---|---|---|",
    ]
    for mode in MODES.values():
        lines.append(
            f"| `{mode.name}` | {_yes(mode.broadcast)} | {_yes(mode.defense)} | {mode.meaning} |"
        )
    lines += ["", "## Extras", "", "| key | meaning | present |", "|---|---|---|"]
    for extra in EXTRAS:
        present = "always" if extra.permission is None else f"only with {extra.permission}"
        lines.append(f"| `{extra.name}` | {extra.meaning} | {present} |")
    lines += [
        "",
        "The runtime never requests a permission: gated extras appear only when the app",
        "already holds the permission.",
        "",
        "## Reason codes",
        "",
        "| reasonCode | meaning | reasonData |",
        "|---|---|---|",
    ]
    for reason in REASON_CODES:
        lines.append(f"| `{reason.code}` | {reason.meaning} | {reason.reason_data} |")
    lines += [
        "",
        "## Listening for it",
        "",
        "```java",
        'IntentFilter filter = new IntentFilter("mTLSPreAuthentication");',
        "BroadcastReceiver receiver = new BroadcastReceiver() {",
        "    @Override public void onReceive(Context context, Intent intent) {",
        '        String reason = intent.getStringExtra("reasonCode");',
        '        String message = intent.getStringExtra("message");',
        "        // decide: log, tell the user, sign out, ...",
        "    }",
        "};",
        "// API 33+: registerReceiver(receiver, filter, Context.RECEIVER_NOT_EXPORTED)",
        "context.registerReceiver(receiver, filter);",
        "```",
        "",
        "Identity failures are detected while the app starts, before",
        "`Application.onCreate`; the broadcast is posted to the main looper, so it is sent",
        "after `Application.onCreate` returns. Register the receiver in",
        "`Application.onCreate` (or as a manifest receiver) to see them; a receiver",
        "registered later, in an Activity, misses start-up events.",
        "",
    ]
    return "\n".join(lines)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


if __name__ == "__main__":
    # python -m workers.engine.threat_events > docs/threat-events.md
    print(render_markdown(), end="")
