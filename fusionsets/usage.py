"""Tells trust material which Fusion Sets use it, so it is not deleted from under them."""

from fusionsets.models import FusionSet
from fusionsets.references import MODELS, named_in

_KIND_OF = {model: kind for kind, model in MODELS.items()}


def fusion_sets_using(material) -> list[str]:
    """Lines such as "Fusion Set 'Retail app'" for every set (archived too) naming material."""
    kind = _KIND_OF.get(type(material))
    if kind is None:
        return []
    identifier = str(material.pk)

    # The organization is the material's own; reading unscoped keeps this usable from
    # system code (a management command deleting material) as well as requests.
    sets = FusionSet.unscoped.filter(organization_id=material.organization_id).only(
        "id", "name", "settings"
    )
    lines = []
    for fusion_set in sets:
        used = any(
            ref.kind == kind and ref.identifier == identifier
            for ref in named_in(fusion_set.settings)
        )
        if used:
            lines.append(f"Fusion Set '{fusion_set.name}'")
    return lines
