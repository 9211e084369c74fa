"""Ids of trust material inside settings documents: UUIDs kept as canonical text."""

import uuid

from fusionsets.errors import SettingsInvalid


def optional_id(value: object, path: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise SettingsInvalid("must be the id (UUID) of trust material", field=path) from None


def id_list(value: object, path: str) -> list[str]:
    if not isinstance(value, list):
        raise SettingsInvalid("must be a list of ids", field=path)
    ids = []
    for item in value:
        identifier = optional_id(item, path)
        if identifier is not None and identifier not in ids:
            ids.append(identifier)
    return ids
