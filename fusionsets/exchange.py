"""Export and import Fusion Sets as JSON, so teams can keep them in version control.

Trust material is exported by name and SHA-256 fingerprint, never by id or with any key, so
a document can be imported into the same organization (ids differ between installs). The
fingerprint decides which material is meant; the name is shown in messages. Import runs the
same validation as the console form.
"""

import copy

from fusionsets import catalog, services
from fusionsets.errors import FusionSetError, ImportRefused
from fusionsets.references import MODELS, NOUNS

FORMAT = "fusebox.fusion-set"
SCHEMA_VERSION = catalog.SCHEMA_VERSION
MAX_IMPORT_BYTES = 256 * 1024

_TOP_KEYS = {"format", "schema_version", "fusion_set", "protections", "signing", "exported_from"}


def _walk_references(document: dict, replace) -> dict:
    """A copy of ``document`` with every trust reference passed through ``replace``."""
    result = copy.deepcopy(document)
    for section in catalog.sections():
        features = result.get("protections", {}).get(section.key, {}).get("features", {})
        for feature in section.features:
            settings = features.get(feature.key)
            if not isinstance(settings, dict):
                continue
            base = f"protections.{section.key}.features.{feature.key}"
            for reference in feature.references:
                *parents, leaf = reference.path
                holder = settings
                for key in parents:
                    holder = holder.get(key, {})
                if leaf not in holder or holder[leaf] in (None, ""):
                    continue
                path = f"{base}.{'.'.join(reference.path)}"
                value = holder[leaf]
                if reference.many:
                    holder[leaf] = [replace(reference.kind, item, path) for item in _seq(value)]
                else:
                    holder[leaf] = replace(reference.kind, value, path)

    signing = result.get("signing")
    if isinstance(signing, dict):
        if signing.get("keystore") not in (None, ""):
            signing["keystore"] = replace("keystore", signing["keystore"], "signing.keystore")
        if signing.get("fingerprints"):
            signing["fingerprints"] = [
                replace("fingerprint", item, "signing.fingerprints")
                for item in _seq(signing["fingerprints"])
            ]
    return result


def _seq(value) -> list:
    if not isinstance(value, list):
        raise ImportRefused("a list of trust material was expected", field="references")
    return value


def export_fusion_set(fusion_set) -> dict:
    """The set's current settings with trust material named by name and fingerprint."""

    def describe(kind, identifier, _path):
        item = (
            MODELS[kind]
            .unscoped.filter(organization_id=fusion_set.organization_id, pk=identifier)
            .first()
        )
        if item is None:
            return {"name": "(deleted)", "sha256": ""}
        return {"name": item.name, "sha256": item.sha256}

    described = _walk_references(fusion_set.settings, describe)
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "fusion_set": {
            "name": fusion_set.name,
            "description": fusion_set.description,
            "platform": fusion_set.platform,
        },
        "exported_from": {
            "id": str(fusion_set.pk),
            "revision": fusion_set.revision_number,
        },
        "protections": described["protections"],
        "signing": described["signing"],
    }


def _resolve(kind: str, value: object, path: str) -> str:
    """The id of the organization's material with the exported fingerprint."""
    if not isinstance(value, dict) or set(value) - {"name", "sha256"} or "sha256" not in value:
        raise ImportRefused(
            f'{path}: name trust material as {{"name": ..., "sha256": ...}}',
            code="import_reference_invalid",
            field=path,
        )
    name = str(value.get("name", ""))[:120]
    fingerprint = str(value["sha256"]).strip().upper()
    item = MODELS[kind].objects.filter(sha256=fingerprint).first() if fingerprint else None
    if item is None:
        raise ImportRefused(
            f"{path}: the {NOUNS[kind]} '{name}' (SHA-256 {fingerprint[:23] or 'missing'}...) "
            "is not in this organization; add it under Trust material, then import again",
            code="trust_material_not_found",
            field=path,
        )
    return str(item.pk)


def parse_import(data: object) -> dict:
    """Check the envelope and resolve references; returns create_fusion_set's arguments."""
    if not isinstance(data, dict):
        raise ImportRefused("the file must hold one JSON object exported by Fusebox")
    if data.get("format") != FORMAT:
        raise ImportRefused(f"this is not a Fusion Set export (format must be {FORMAT!r})")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ImportRefused(
            f"schema_version {data.get('schema_version')!r} is not supported; this Fusebox "
            f"reads version {SCHEMA_VERSION}",
            code="import_schema_unsupported",
        )
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ImportRefused(f"unknown key {unknown[0]!r} in the export", field=unknown[0])
    header = data.get("fusion_set")
    if not isinstance(header, dict) or set(header) - {"name", "description", "platform"}:
        raise ImportRefused("fusion_set must hold name, description and platform")

    settings = {"protections": data.get("protections"), "signing": data.get("signing")}
    if not isinstance(settings["protections"], dict) or not isinstance(settings["signing"], dict):
        raise ImportRefused("the export must hold protections and signing objects")
    resolved = _walk_references(settings, _resolve)
    return {
        "name": header.get("name"),
        "description": header.get("description", ""),
        "platform": header.get("platform", "android"),
        "settings": resolved,
    }


def import_fusion_set(data: object, *, name: str = "", actor=None, request=None):
    """Create a Fusion Set from an export in the current organization."""
    arguments = parse_import(data)
    if name:
        arguments["name"] = name
    try:
        return services.create_fusion_set(
            **arguments,
            comment="Imported",
            actor=actor,
            request=request,
            audit_action="fusionset.imported",
        )
    except FusionSetError as error:
        if isinstance(error, ImportRefused):
            raise
        raise ImportRefused(
            f"{error.field or 'document'}: {error.message}", code=error.code, field=error.field
        ) from None
