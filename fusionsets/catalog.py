"""The feature catalog: categories, sections and features a Fusion Set can switch on.

The catalog is code, not tables. Each feature names its key, label, description, default and
a validator for its own settings; a revision stores one JSON document shaped by the
catalog. Adding a feature is one ``Feature`` entry here and a validator, with no migration.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from fusionsets.errors import SettingsInvalid

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Reference:
    """A setting that names trust material of the organization by id."""

    kind: str  # "ca", "identity", "keystore" or "fingerprint"
    path: tuple[str, ...]  # where the id sits in the feature's settings (list index omitted)
    many: bool = False


@dataclass(frozen=True)
class Feature:
    """One protection: its settings are validated and normalised by ``validate``."""

    key: str
    label: str
    description: str
    default_enabled: bool
    defaults: Callable[[], dict]
    validate: Callable[[dict, str, bool], dict]
    field_labels: dict[str, str] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Section:
    """A group of features switched on or off together (such as MobileBOT Defense)."""

    key: str
    label: str
    description: str
    default_enabled: bool
    features: tuple[Feature, ...]


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    sections: tuple[Section, ...]


_categories: list[Category] = []


def register_category(category: Category) -> None:
    """Add a category; section and feature keys must be unique across the catalog."""
    known = {section.key for section in sections()}
    for section in category.sections:
        if section.key in known:
            raise ValueError(f"catalog section {section.key!r} is registered twice")
    _categories.append(category)


def categories() -> tuple[Category, ...]:
    return tuple(_categories)


def sections() -> list[Section]:
    return [section for category in _categories for section in category.sections]


def section(key: str) -> Section:
    for candidate in sections():
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def category_of(section_key: str) -> Category:
    for category in _categories:
        if any(s.key == section_key for s in category.sections):
            return category
    raise KeyError(section_key)


def feature(section_key: str, feature_key: str) -> Feature:
    for candidate in section(section_key).features:
        if candidate.key == feature_key:
            return candidate
    raise KeyError(f"{section_key}.{feature_key}")


def default_protections() -> dict:
    """The protections document of a new Fusion Set: every default from the catalog."""
    return {
        s.key: {
            "enabled": s.default_enabled,
            "features": {
                f.key: {"enabled": f.default_enabled, **f.defaults()} for f in s.features
            },
        }
        for s in sections()
    }


def stored_settings(protections: dict, current: Section, item: Feature) -> tuple[bool, dict]:
    """(section enabled, feature settings) of a stored document, defaults where absent.

    Documents saved before a feature joined the catalog lack its keys; they read as the
    feature's defaults with the section off, exactly what validation would fill in.
    """
    section_settings = protections.get(current.key) or {}
    features = section_settings.get("features") or {}
    settings = features.get(item.key) or {"enabled": item.default_enabled, **item.defaults()}
    return bool(section_settings.get("enabled", False)), settings


def validate_protections(document: object) -> dict:
    """Normalise a protections document, refusing unknown keys and invalid settings."""
    path = "protections"
    if not isinstance(document, dict):
        raise SettingsInvalid("protections must be an object keyed by section", field=path)
    _refuse_unknown(document, {s.key for s in sections()}, path, "section")

    normalised = {}
    for current in sections():
        given = document.get(current.key, {})
        normalised[current.key] = _validate_section(current, given, f"{path}.{current.key}")
    return normalised


def _validate_section(current: Section, given: object, path: str) -> dict:
    if not isinstance(given, dict):
        raise SettingsInvalid(f"{current.label} settings must be an object", field=path)
    _refuse_unknown(given, {"enabled", "features"}, path, "setting")
    features = given.get("features", {})
    if not isinstance(features, dict):
        raise SettingsInvalid(f"{current.label} features must be an object", field=path)
    _refuse_unknown(features, {f.key for f in current.features}, f"{path}.features", "feature")

    enabled = _flag(given.get("enabled", current.default_enabled), f"{path}.enabled")
    result = {"enabled": enabled, "features": {}}
    for item in current.features:
        feature_path = f"{path}.features.{item.key}"
        settings = features.get(item.key, {})
        if not isinstance(settings, dict):
            raise SettingsInvalid(f"{item.label} settings must be an object", field=feature_path)
        feature_enabled = _flag(
            settings.get("enabled", item.default_enabled), f"{feature_path}.enabled"
        )
        rest = {key: value for key, value in settings.items() if key != "enabled"}
        active = enabled and feature_enabled
        values = item.validate({**item.defaults(), **rest}, feature_path, active)
        result["features"][item.key] = {"enabled": feature_enabled, **values}
    return result


def enabled_features(protections: dict) -> list[tuple[Section, Feature, dict]]:
    """The features a build applies: section and feature both on."""
    active = []
    for current in sections():
        section_settings = protections.get(current.key) or {}
        if not section_settings.get("enabled"):
            continue
        for item in current.features:
            settings = section_settings.get("features", {}).get(item.key) or {}
            if settings.get("enabled"):
                active.append((current, item, settings))
    return active


def field_label(path: str) -> str:
    """A readable label for a dotted settings path, for diffs and error messages."""
    parts = path.split(".")
    if parts[0] != "protections" or len(parts) < 2:
        return _plain_label(parts)
    try:
        current = section(parts[1])
    except KeyError:
        return path
    trail = [category_of(current.key).label, current.label]
    rest = parts[2:]
    if len(rest) >= 2 and rest[0] == "features":
        item = feature(current.key, rest[1])
        trail.append(item.label)
        rest = rest[2:]
        if rest and rest != ["enabled"]:
            trail.append(item.field_labels.get(".".join(rest), " ".join(rest)))
    if rest == ["enabled"]:
        trail.append("Enabled")
    return " > ".join(trail)


_TOP_LABELS = {
    "name": "Name",
    "description": "Description",
    "platform": "Platform",
    "signing.method": "Signing > Method",
    "signing.keystore": "Signing > Keystore",
    "signing.fingerprints": "Signing > Private signing fingerprints",
}


def _plain_label(parts: list[str]) -> str:
    return _TOP_LABELS.get(".".join(parts), " > ".join(parts))


def _flag(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise SettingsInvalid("must be true or false", field=path)
    return value


def _refuse_unknown(given: dict, allowed: set[str], path: str, what: str) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise SettingsInvalid(
            f"unknown {what} {unknown[0]!r} in {path}; allowed: {', '.join(sorted(allowed))}",
            code="settings_unknown_key",
            field=path,
        )


def _register_builtin() -> None:
    from fusionsets.features import mtls

    register_category(
        Category(
            "anti_bot",
            "Anti-Bot",
            (
                Section(
                    "mobilebot_defense",
                    "MobileBOT Defense",
                    "Keeps bots and scripted clients away from the app's backend: only the "
                    "genuine, unmodified app can authenticate.",
                    default_enabled=False,
                    features=(mtls.FEATURE,),
                ),
            ),
        )
    )


_register_builtin()
