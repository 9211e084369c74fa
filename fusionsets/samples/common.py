"""What every Threat-Event sample shares: its file shape and the words about the mode."""

from dataclasses import dataclass

from workers.engine.threat_events import EVENT_NAME, MODES, REASON_CODES

PACKAGE = "com.example.security"
CHANNEL = "fusebox/threat_events"


@dataclass(frozen=True)
class SampleFile:
    name: str
    language: str  # for highlighting and the checks in tests: java, kotlin, dart, js, csharp
    code: str


@dataclass(frozen=True)
class CodeSample:
    key: str
    title: str
    files: tuple[SampleFile, ...]


def mode_lines(threat_events: dict) -> list[str]:
    mode = MODES[threat_events["mode"]]
    lines = [f'Fusion Set Threat-Events mode "{mode.name}": {mode.meaning}']
    if not mode.broadcast:
        lines.append(
            f"In this mode the app receives no {EVENT_NAME} broadcast; switch the Fusion Set "
            "to detect or defend for this listener to be called."
        )
    if mode.defense:
        lines.append(
            f"Fusebox ends the app {threat_events['fail_safe_delay_ms']} ms after showing: "
            f"{threat_events['message']}"
        )
    lines.append("Reason codes: " + ", ".join(reason.code for reason in REASON_CODES) + ".")
    lines.append(
        "Register early (Application.attachBaseContext): identity failures are sent before "
        "Application.onCreate."
    )
    return lines


def comment(lines: list[str], prefix: str) -> str:
    return "\n".join(f"{prefix} {line}".rstrip() for line in lines)


def extra_note(extra) -> str:
    if extra.permission:
        return f"{extra.meaning} Only with {extra.permission}."
    return extra.meaning
