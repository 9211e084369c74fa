"""SHA-256 certificate fingerprints as people paste them: hex, with or without colons.

One reader for the CLI, trust material and Fusion Set overrides, so all three accept exactly
the same spellings (``keytool -list -v`` prints colons, ``apksigner`` prints none).
"""

import re

_SEPARATORS = re.compile(r"[\s:]")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(text: object) -> str | None:
    """The fingerprint as 64 lower-case hex digits, or None when ``text`` is not one."""
    if not isinstance(text, str):
        return None
    compact = _SEPARATORS.sub("", text).lower()
    return compact if _SHA256_HEX.match(compact) else None


def colon_hex(digest_hex: str) -> str:
    """``AB:CD:...``: the upper-case, colon-separated form keytool shows."""
    upper = digest_hex.upper()
    return ":".join(upper[i : i + 2] for i in range(0, len(upper), 2))
