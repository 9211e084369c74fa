"""Readers for the report's fields: each checks one value and names the field when it fails.

``Report.from_dict`` is built from these, so every schema rule is written once and a bad fact
is refused with a message such as ``report field app.name: must not be empty``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from certified.errors import ReportSchemaError

SCHEMA_VERSION = 1

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_SETTING_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_MAX_TEXT = 2000


def fail(path: str, problem: str) -> ReportSchemaError:
    return ReportSchemaError(f"report field {path}: {problem}")


def mapping(value: Any, path: str, allowed: set[str]) -> dict:
    if not isinstance(value, dict):
        raise fail(path, f"expected an object, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise fail(path, f"unknown field(s) {', '.join(unknown)} (schema v{SCHEMA_VERSION})")
    missing = sorted(allowed - set(value))
    if missing:
        raise fail(path, f"missing field(s) {', '.join(missing)}")
    return value


def string(value: Any, path: str, *, empty: bool = False, limit: int = _MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise fail(path, f"expected a string, got {type(value).__name__}")
    if not empty and not value.strip():
        raise fail(path, "must not be empty")
    if len(value) > limit:
        raise fail(path, f"longer than {limit} characters")
    if any(ord(character) < 32 and character not in "\n\t" for character in value):
        raise fail(path, "contains control characters")
    return value


def integer(value: Any, path: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(path, f"expected an integer, got {type(value).__name__}")
    if value < minimum:
        raise fail(path, f"must be at least {minimum}")
    return value


def choice(value: Any, path: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise fail(path, f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def identifier(value: Any, path: str) -> str:
    text = string(value, path)
    if not _IDENTIFIER.match(text):
        raise fail(path, "must be 1-128 letters, digits or . _ : - (starting alphanumeric)")
    return text


def sha256(value: Any, path: str) -> str:
    text = string(value, path)
    if not _SHA256.match(text):
        raise fail(path, "must be 64 lowercase hexadecimal digits (a SHA-256)")
    return text


def listing(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise fail(path, f"expected a list, got {type(value).__name__}")
    return value


def parse_time(value: Any, path: str) -> datetime:
    """Read an ISO 8601 UTC time; naive times are refused because reports cross timezones."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = string(value, path, limit=40)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise fail(path, f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise fail(path, "time must carry a timezone (use UTC, e.g. 2026-01-31T12:00:00Z)")
    return moment.astimezone(UTC).replace(microsecond=0)


def format_time(moment: datetime) -> str:
    """The one textual form of a time in the report: UTC, whole seconds, ``Z`` suffix."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def setting_value(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool | str):
        return string(value, path, empty=True) if isinstance(value, str) else value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise fail(path, "floats are not allowed (write the value as a string or integer)")
    if isinstance(value, list):
        return [setting_value(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise fail(path, f"unsupported setting value of type {type(value).__name__}")


def settings(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(path, f"expected an object, got {type(value).__name__}")
    settings = {}
    for key, item in value.items():
        if not isinstance(key, str) or not _SETTING_KEY.match(key):
            raise fail(path, f"setting name {key!r} must be 1-64 of A-Z a-z 0-9 _ . -")
        settings[key] = setting_value(item, f"{path}.{key}")
    return settings
