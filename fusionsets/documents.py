"""The settings document of a Fusion Set: protections from the catalog plus signing defaults.

``validate_document`` is the one gate every write passes (console form, DEV-API, import), so
all of them accept and refuse the same things. It checks shape and values; references to
trust material are checked against the organization by ``fusionsets.references``.
"""

from fusionsets import catalog
from fusionsets.errors import SettingsInvalid
from fusionsets.ids import id_list, optional_id

PLATFORM_ANDROID = "android"
PLATFORMS = {PLATFORM_ANDROID: "Android"}

SIGN_ON_FUSEBOX = "fusebox"
SIGN_PRIVATELY = "private"
SIGN_AUTO_DEV = "auto_dev"
SIGNING_METHODS = {
    SIGN_ON_FUSEBOX: "Sign on Fusebox with a keystore",
    SIGN_PRIVATELY: "Private signing (you sign with your own certificate)",
    SIGN_AUTO_DEV: "Auto-dev private signing (unsigned app and an apksigner script)",
}
MAX_FINGERPRINTS = 10


def default_document() -> dict:
    return {
        "protections": catalog.default_protections(),
        "signing": {"method": "", "keystore": None, "fingerprints": []},
    }


def validate_document(document: object) -> dict:
    """Normalise ``{"protections": ..., "signing": ...}``; raises ``SettingsInvalid``."""
    if not isinstance(document, dict):
        raise SettingsInvalid("settings must be an object with protections and signing")
    unknown = sorted(set(document) - {"protections", "signing"})
    if unknown:
        raise SettingsInvalid(
            f"unknown setting {unknown[0]!r}; allowed: protections, signing",
            code="settings_unknown_key",
            field="settings",
        )

    protections = catalog.validate_protections(
        document.get("protections", catalog.default_protections())
    )
    signing = validate_signing(document.get("signing", default_document()["signing"]))
    return {"protections": protections, "signing": signing}


def validate_signing(value: object) -> dict:
    """Signing defaults: the method and the keystore or fingerprints it needs."""
    path = "signing"
    if not isinstance(value, dict):
        raise SettingsInvalid("signing must be an object", field=path)
    unknown = sorted(set(value) - {"method", "keystore", "fingerprints"})
    if unknown:
        raise SettingsInvalid(
            f"unknown signing setting {unknown[0]!r}", code="settings_unknown_key", field=path
        )

    method = value.get("method") or ""
    if method and method not in SIGNING_METHODS:
        raise SettingsInvalid(
            f"signing method must be one of {', '.join(SIGNING_METHODS)}",
            code="signing_method_invalid",
            field=f"{path}.method",
        )
    keystore = optional_id(value.get("keystore"), f"{path}.keystore")
    fingerprints = id_list(value.get("fingerprints") or [], f"{path}.fingerprints")

    if method == SIGN_ON_FUSEBOX and keystore is None:
        raise SettingsInvalid(
            "choose the keystore Fusebox signs with",
            code="keystore_required",
            field=f"{path}.keystore",
        )
    if method == SIGN_PRIVATELY and not fingerprints:
        raise SettingsInvalid(
            "choose the fingerprint of the certificate you sign the final app with",
            code="fingerprint_required",
            field=f"{path}.fingerprints",
        )
    if len(fingerprints) > MAX_FINGERPRINTS:
        raise SettingsInvalid(
            f"at most {MAX_FINGERPRINTS} signing fingerprints", field=f"{path}.fingerprints"
        )
    return {
        "method": method,
        "keystore": keystore if method == SIGN_ON_FUSEBOX else None,
        "fingerprints": fingerprints if method == SIGN_PRIVATELY else [],
    }


def validate_identity(name: object, description: object, platform: object) -> dict:
    """Name, description and platform, the fields a revision snapshots beside the settings."""
    if not isinstance(name, str) or not name.strip():
        raise SettingsInvalid("give the Fusion Set a name", code="name_required", field="name")
    if len(name.strip()) > 120:
        raise SettingsInvalid("the name can be at most 120 characters", field="name")
    if not isinstance(description, str) or len(description) > 2000:
        raise SettingsInvalid(
            "the description must be text of at most 2000 characters", field="description"
        )
    if platform not in PLATFORMS:
        raise SettingsInvalid(
            f"platform must be one of {', '.join(PLATFORMS)}",
            code="platform_invalid",
            field="platform",
        )
    return {"name": name.strip(), "description": description.strip(), "platform": platform}


def mtls_settings(document: dict) -> dict:
    """The mTLS Pre-Authentication settings (present whether or not they are enabled)."""
    return document["protections"]["mobilebot_defense"]["features"]["mtls_preauth"]
