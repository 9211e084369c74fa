"""Readable field-level differences between two settings snapshots.

Snapshots are flattened to dotted paths ("protections.mobilebot_defense.enabled"); lists are
compared as whole values with what was added and removed, so "Pinned hosts: +api.example.com"
reads the way a reviewer thinks about it.
"""

from fusionsets.catalog import field_label


def flatten(document: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in document.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(flatten(value, path))
        else:
            flat[path] = value
    return flat


def diff_snapshots(before: dict | None, after: dict) -> list[dict]:
    """Every changed field, in document order: path, label, before, after (lists: +/-)."""
    old = flatten(before or {})
    new = flatten(after)

    changes = []
    for path in list(new) + [p for p in old if p not in new]:
        was, now = old.get(path), new.get(path)
        if was == now:
            continue
        change = {"path": path, "label": field_label(path), "before": was, "after": now}
        if isinstance(was, list) or isinstance(now, list):
            change["added"] = [item for item in (now or []) if item not in (was or [])]
            change["removed"] = [item for item in (was or []) if item not in (now or [])]
        changes.append(change)
    return changes


def with_names(changes: list[dict], names: dict[str, str]) -> list[dict]:
    """The same changes with trust material ids shown by name (for the console)."""

    def show(value):
        if isinstance(value, list):
            return [show(item) for item in value]
        if isinstance(value, str) and value in names:
            return f"{names[value]} ({value[:8]})"
        return value

    readable = []
    for change in changes:
        shown = dict(change)
        for key in ("before", "after", "added", "removed"):
            if key in shown:
                shown[key] = show(shown[key])
        readable.append(shown)
    return readable
