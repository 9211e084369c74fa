"""Settings of Certified Secure reports, read from Django settings or the environment.

Each value may be set in Django settings under the same name; otherwise it comes from the
environment, so deployments configure reports without an edit of ``console/settings.py``.
"""

from pathlib import Path

from django.conf import settings

from console.env import env_secret, env_str


def _value(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    return str(value) if value is not None else env_str(name, default)


def public_base_url() -> str:
    """``https://fusebox.example.com``: the host printed in verification links (empty: the
    request's host, or the first ALLOWED_HOSTS entry for a worker)."""
    return _value("FUSEBOX_PUBLIC_URL").rstrip("/")


def timestamp_url() -> str | None:
    """An RFC 3161 TSA URL; set it for PAdES B-T signatures."""
    return _value("FUSEBOX_REPORT_TSA_URL") or None


def external_signer() -> tuple[Path, Path, Path] | None:
    """(certificate chain, key, CA) files of an externally issued signer, or None."""
    names = ("FUSEBOX_REPORT_SIGNER_CERT_FILE", "FUSEBOX_REPORT_SIGNER_KEY_FILE")
    certificate, key = (_value(name) for name in names)
    ca = _value("FUSEBOX_REPORT_CA_FILE")
    if not (certificate or key or ca):
        return None
    return Path(certificate), Path(key), Path(ca)


def external_key_password() -> str | None:
    value = getattr(settings, "FUSEBOX_REPORT_SIGNER_KEY_PASSWORD", None)
    if value is None:
        value = env_secret("FUSEBOX_REPORT_SIGNER_KEY_PASSWORD")
    return value or None


def verify_rate() -> str:
    """Requests per address to the public verification page and API."""
    return _value("FUSEBOX_VERIFY_RATE", "30/minute")


def max_verify_bytes() -> int:
    """Largest file the public verification page reads (an app is hashed, not kept)."""
    return int(_value("FUSEBOX_VERIFY_MAX_BYTES", str(300 * 1024 * 1024)))
