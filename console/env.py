"""Typed readers for settings that come from the environment.

Each reader names the variable in its error so a misconfigured deployment fails at start-up
with a message that says which variable to fix, instead of at the first request.
"""

import ipaddress
import os
from pathlib import Path


class ImproperEnvironment(ValueError):
    """An environment variable holds a value that Fusebox cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default

    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperEnvironment(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default

    try:
        return int(raw.strip())
    except ValueError:
        raise ImproperEnvironment(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Comma-separated networks in CIDR form (``10.20.0.0/16,fd00::/8``), each checked."""
    networks = env_list(name)
    for item in networks:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperEnvironment(
                f"{name} must list networks such as 10.20.0.0/16, not {item!r}"
            ) from None
    return networks


def env_path(name: str, default: Path) -> Path:
    raw = env_str(name)
    return Path(raw).expanduser().resolve() if raw else default


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (the Docker and Kubernetes secrets habit)."""
    file_name = env_str(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise ImproperEnvironment(f"{name}_FILE points at {file_name}, which is not a file")
        return path.read_text().strip()

    return env_str(name, default)
