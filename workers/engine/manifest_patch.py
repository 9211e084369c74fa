"""Edit a parsed binary manifest for the fusion: provider, permission, network security config.

Every operation is idempotent (running it twice gives the same manifest) and works on the
``Document`` from ``workers.engine.axml``; the writer keeps attributes in resource id order.
Framework attribute ids come from ``FRAMEWORK_ATTRIBUTES``, which a test checks against the
framework-res.apk that Debian ships.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from workers.engine import arsc as resource_table
from workers.engine import axml
from workers.engine.axml import (
    ANDROID_NS,
    TYPE_INT_DEC,
    TYPE_INT_HEX,
    TYPE_REFERENCE,
    TYPE_STRING,
    Attribute,
    Document,
    Element,
)
from workers.engine.errors import EngineError, FusionError
from workers.engine.network_config import (
    CA_FILE_PATH,
    CA_RESOURCE_NAME,
    CONFIG_FILE_PATH,
    CONFIG_RESOURCE_NAME,
    build_network_security_config,
    configured_domains,
    load_server_cas,
    pinned_domains,
    validate_pin_host,
)

logger = logging.getLogger(__name__)

INTERNET_PERMISSION = "android.permission.INTERNET"
NETWORK_CONFIG_MIN_SDK = 24
JAVA_CLASS_NAME = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+")

# android:attr ids, stable since they were added to the platform (public.xml never reuses).
FRAMEWORK_ATTRIBUTES = {
    "label": 0x01010001,
    "name": 0x01010003,
    "permission": 0x01010006,
    "enabled": 0x0101000E,
    "debuggable": 0x0101000F,
    "exported": 0x01010010,
    "process": 0x01010011,
    "multiprocess": 0x01010013,
    "authorities": 0x01010018,
    "initOrder": 0x0101001A,
    "grantUriPermissions": 0x0101001B,
    "minSdkVersion": 0x0101020C,
    "versionCode": 0x0101021B,
    "versionName": 0x0101021C,
    "targetSdkVersion": 0x01010270,
    "allowBackup": 0x01010280,
    "extractNativeLibs": 0x010104EA,
    "usesCleartextTraffic": 0x010104EC,
    "directBootAware": 0x01010505,
    "networkSecurityConfig": 0x01010527,
    "compileSdkVersion": 0x01010572,
    "appComponentFactory": 0x0101057A,
}


def _android(name: str) -> int:
    return FRAMEWORK_ATTRIBUTES[name]


def _string(name: str, value: str) -> Attribute:
    return Attribute.string(name, value, _android(name))


def _element(name: str, attributes: list[Attribute], line: int) -> Element:
    return Element(name, attributes=attributes, line=line, end_line=line)


def _manifest_root(doc: Document) -> Element:
    if doc.root.name != "manifest":
        raise FusionError(
            f"the manifest's root is <{doc.root.name}>, not <manifest>", code="manifest_malformed"
        )
    return doc.root


def _application(doc: Document, create: bool) -> Element | None:
    root = _manifest_root(doc)
    application = root.find("application")
    if application is None and create:
        application = _element("application", [], root.line)
        root.children.append(application)
    return application


def package_name(doc: Document) -> str:
    """The app's package name (the ``package`` attribute of ``<manifest>``)."""
    value = _manifest_root(doc).get("package", namespace=None)
    if not isinstance(value, str) or not value:
        raise FusionError("the manifest has no package name", code="manifest_malformed")
    return value


def _integer(attribute: Attribute | None) -> int | None:
    if attribute is None:
        return None
    if attribute.value_type in (TYPE_INT_DEC, TYPE_INT_HEX):
        return attribute.value
    if attribute.value_type == TYPE_STRING and str(attribute.raw).isdigit():
        return int(attribute.raw)
    return None


def min_sdk(doc: Document) -> int:
    """``minSdkVersion``; Android treats a missing one as 1 (a preview codename also gives 1)."""
    uses_sdk = _manifest_root(doc).find("uses-sdk")
    value = _integer(uses_sdk.attribute("minSdkVersion") if uses_sdk else None)
    return 1 if value is None else value


def target_sdk(doc: Document) -> int:
    """``targetSdkVersion``; Android falls back to the minimum SDK when it is missing."""
    uses_sdk = _manifest_root(doc).find("uses-sdk")
    value = _integer(uses_sdk.attribute("targetSdkVersion") if uses_sdk else None)
    return min_sdk(doc) if value is None else value


def _qualify(doc: Document, class_name: str) -> str:
    """Android's rule for class names in the manifest: '.X' and 'X' are package-relative."""
    if class_name.startswith("."):
        return package_name(doc) + class_name
    if "." not in class_name:
        return f"{package_name(doc)}.{class_name}"
    return class_name


def application_class(doc: Document) -> str | None:
    """The fully qualified ``android:name`` of ``<application>``, or None when it has none."""
    application = _application(doc, create=False)
    name = application.get("name") if application is not None else None
    return _qualify(doc, name) if isinstance(name, str) and name else None


def set_application_class(doc: Document, class_name: str) -> str | None:
    """Make ``class_name`` the app's Application; returns the class it replaces, if any.

    For a wrapping Application that delegates to the original, which the caller keeps
    (for example in an asset) so the wrapper can instantiate it at run time.
    """
    if not JAVA_CLASS_NAME.fullmatch(class_name):
        raise FusionError(f"'{class_name}' is not a Java class name", code="application_invalid")

    previous = application_class(doc)
    if previous != class_name:
        application = _application(doc, create=True)
        application.set_attribute(_string("name", class_name))
        logger.info("manifest: application class %s replaces %s", class_name, previous)
    return previous


def network_security_config_ref(doc: Document) -> int | None:
    """The resource id ``android:networkSecurityConfig`` points to, or None when unset."""
    application = _application(doc, create=False)
    attribute = application.attribute("networkSecurityConfig") if application else None
    if attribute is None or attribute.value_type != TYPE_REFERENCE:
        return None
    return attribute.data


def ensure_permission(doc: Document, name: str = INTERNET_PERMISSION) -> bool:
    """Declare ``<uses-permission android:name=name>`` unless present; True when added."""
    root = _manifest_root(doc)
    if any(element.get("name") == name for element in root.find_all("uses-permission")):
        return False

    permission = _element("uses-permission", [_string("name", name)], root.line)
    names = [child.name for child in root.children]
    position = names.index("application") if "application" in names else len(names)
    root.children.insert(position, permission)
    logger.info("manifest: added uses-permission %s", name)
    return True


def set_network_security_config(doc: Document, resource_id: int) -> bool:
    """Point ``android:networkSecurityConfig`` at ``resource_id``; True when it changed."""
    application = _application(doc, create=True)
    current = application.attribute("networkSecurityConfig")
    wanted = Attribute.reference(
        "networkSecurityConfig", resource_id, _android("networkSecurityConfig")
    )
    if current == wanted:
        return False
    application.set_attribute(wanted)
    return True


def _authorities(element: Element) -> set[str]:
    value = element.get("authorities")
    return {part.strip() for part in value.split(";")} if isinstance(value, str) else set()


def add_provider(
    doc: Document, class_name: str, authority: str, init_order: int, exported: bool = False
) -> bool:
    """Declare the initialising ``<provider>``; True when the manifest changed.

    A provider with the same class is updated in place. Another provider that already owns
    the authority is refused: Android would not install two providers with one authority.
    """
    if not JAVA_CLASS_NAME.fullmatch(class_name):
        raise FusionError(f"'{class_name}' is not a Java class name", code="provider_invalid")
    if not authority or any(c in authority for c in "; \t\n/"):
        raise FusionError(f"'{authority}' is not a provider authority", code="provider_invalid")
    if not -(2**31) <= init_order < 2**31:
        raise FusionError("initOrder must fit in a 32-bit integer", code="provider_invalid")

    application = _application(doc, create=True)
    providers = application.find_all("provider")
    for provider in providers:
        if _qualify(doc, str(provider.get("name"))) != class_name and authority in _authorities(
            provider
        ):
            raise FusionError(
                f"the app already has a provider with authority '{authority}'",
                code="provider_authority_conflict",
            )

    wanted = [
        _string("name", class_name),
        Attribute.boolean("exported", exported, _android("exported")),
        _string("authorities", authority),
        Attribute.integer("initOrder", init_order, _android("initOrder")),
    ]
    existing = next(
        (p for p in providers if _qualify(doc, str(p.get("name"))) == class_name), None
    )
    if existing is None:
        application.children.append(_element("provider", wanted, application.line))
        logger.info("manifest: added provider %s (initOrder %d)", class_name, init_order)
        return True

    before = list(existing.attributes)
    for attribute in wanted:
        existing.set_attribute(attribute)
    return before != existing.attributes


@dataclass(frozen=True)
class ResourcePatch:
    """What the fusion writes back: new manifest and table, files to add, and what changed."""

    manifest: bytes
    arsc: bytes
    new_files: dict[str, bytes] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)


def _existing_network_config(
    doc: Document, arsc: bytes, read_entry: Callable[[str], bytes]
) -> tuple[Document | None, str | None]:
    reference = network_security_config_ref(doc)
    if reference is None:
        return None, None
    try:
        path = resource_table.resolve(arsc, reference)
    except EngineError as error:
        raise FusionError(
            f"the manifest's network security config 0x{reference:08x} cannot be found in "
            f"resources.arsc ({error.message})",
            code="network_config_invalid",
        ) from None
    try:
        data = read_entry(path)
    except (KeyError, FileNotFoundError):
        raise FusionError(
            f"the manifest's network security config points to {path}, which the app lacks",
            code="network_config_invalid",
        ) from None
    try:
        return axml.parse(data), path
    except axml.AxmlError as error:
        raise FusionError(
            f"the app's network security config {path} is malformed: {error.message}",
            code="network_config_invalid",
        ) from None


def patch_app_resources(
    manifest: bytes,
    arsc: bytes,
    read_entry: Callable[[str], bytes],
    *,
    package: str | None,
    provider_class: str,
    authority: str,
    init_order: int,
    pinned_hosts: list[str] | None = None,
    server_ca_pems: list[bytes] | None = None,
) -> ResourcePatch:
    """Apply every manifest and resource change the fusion needs, without touching the zip.

    ``read_entry(path)`` returns an APK entry's bytes (used to merge an existing network
    security config). Running it on an already patched app changes nothing further.
    """
    for host in pinned_hosts or []:
        validate_pin_host(host)
    if server_ca_pems:
        load_server_cas(server_ca_pems)
    doc = axml.parse(manifest)
    actual_package = package_name(doc)
    if package is not None and package != actual_package:
        raise FusionError(
            f"the manifest is for package {actual_package}, not {package}",
            code="package_mismatch",
        )

    summary = []
    if add_provider(doc, provider_class, authority, init_order):
        summary.append(
            f"Manifest patched: provider added ({provider_class}, initOrder {init_order})"
        )
    else:
        summary.append("Manifest unchanged: the provider was already declared")
    if ensure_permission(doc, INTERNET_PERMISSION):
        summary.append("Manifest patched: INTERNET permission added")

    new_files: dict[str, bytes] = {}
    if pinned_hosts:
        arsc = _add_network_config(
            doc, arsc, read_entry, pinned_hosts, server_ca_pems, summary, new_files
        )

    return ResourcePatch(axml.serialize(doc), arsc, new_files, summary)


def _add_network_config(doc, arsc, read_entry, pinned_hosts, server_ca_pems, summary, new_files):
    existing, existing_path = _existing_network_config(doc, arsc, read_entry)
    package = package_name(doc)

    ca_resource_id = None
    if server_ca_pems:
        arsc, ca_resource_id = resource_table.add_file_resource(
            arsc, "raw", CA_RESOURCE_NAME, CA_FILE_PATH, package
        )
    application = _application(doc, create=True)
    cleartext = application.attribute("usesCleartextTraffic")
    config, extra_files = build_network_security_config(
        pinned_hosts,
        server_ca_pems,
        existing,
        ca_resource_id=ca_resource_id,
        app_cleartext_permitted=None if cleartext is None else bool(cleartext.value),
    )
    if existing is None and cleartext is not None:
        summary.append(
            "Network security config: the app's usesCleartextTraffic is kept as its base-config"
        )
    arsc, config_id = resource_table.add_file_resource(
        arsc, "xml", CONFIG_RESOURCE_NAME, CONFIG_FILE_PATH, package
    )
    new_files[CONFIG_FILE_PATH] = axml.serialize(config)
    new_files.update(extra_files)
    set_network_security_config(doc, config_id)

    hosts = ", ".join(pinned_hosts)
    if existing is not None and existing_path != CONFIG_FILE_PATH:
        summary.append(f"Network security config: merged with the app's own {existing_path}")
        overridden = sorted(configured_domains(existing) & set(pinned_domains(pinned_hosts)))
        if overridden:
            summary.append(
                "Network security config: the app's own settings for "
                f"{', '.join(overridden)} were replaced by the pinned configuration"
            )
    summary.append(f"Network security config: cleartext off and pinned for {hosts}")
    if server_ca_pems:
        summary.append("Network security config: server CA added as trust anchor and SPKI pin")
    if min_sdk(doc) < NETWORK_CONFIG_MIN_SDK:
        summary.append(
            f"Note: pins are enforced on Android 7.0 (API 24) and later; this app also "
            f"installs on API {min_sdk(doc)}, where Android ignores the configuration"
        )
    return arsc


__all__ = [
    "ANDROID_NS",
    "FRAMEWORK_ATTRIBUTES",
    "INTERNET_PERMISSION",
    "ResourcePatch",
    "add_provider",
    "application_class",
    "ensure_permission",
    "min_sdk",
    "network_security_config_ref",
    "package_name",
    "patch_app_resources",
    "set_network_security_config",
    "target_sdk",
]
