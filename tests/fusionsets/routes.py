"""Fusion Sets' entries in the isolation matrix (console pages and DEV-API)."""

import uuid

from console.tenancy import scope
from fusionsets import services
from tests.console.route_sweep import Route, register

SECURITY = "security"


def fusion_set(organization):
    """A set made by the service, so it has its first revision like every real one."""
    with scope(organization):
        return services.create_fusion_set(name=f"fs-{organization.slug}-marker")


def _name(item):
    return item.name


def _uuid_kwargs(item):
    """Fusion Sets have UUID keys; the role matrix's placeholder pk=1 maps to a UUID."""
    pk = item.pk if isinstance(item.pk, uuid.UUID) else uuid.UUID(int=item.pk)
    return {"pk": pk}


def _object(name, methods=("get",), role=SECURITY):
    register(
        Route(name, "object", methods=methods, factory=fusion_set, role=role, kwargs=_uuid_kwargs)
    )


register(Route("fusionset-list", "list", factory=fusion_set, marker=_name, role=SECURITY))
register(Route("fusionset-create", "page", methods=("get", "post"), role=SECURITY))
register(Route("fusionset-import", "page", methods=("get", "post"), role=SECURITY))
register(Route("fusionset-validate-hosts", "page", methods=("get", "post"), role=SECURITY))
_object("fusionset-detail")
_object("fusionset-edit", methods=("get", "post"))
_object("fusionset-history")
_object("fusionset-diff")
_object("fusionset-samples")
_object("fusionset-export")
for action in ("freeze", "unfreeze", "clone", "archive"):
    _object(f"fusionset-{action}", methods=("post",))

register(Route("api-fusionset-list", "list", factory=fusion_set, marker=_name, role=SECURITY))
# A POST without a document answers 422, so the sweep only checks that the route exists;
# tests/fusionsets/test_api.py checks who may import and that imports stay in the organization.
register(Route("api-fusionset-import", "page", methods=(), role=SECURITY))
_object("api-fusionset-detail", methods=("get", "patch", "put"))
for action in ("freeze", "unfreeze", "clone", "archive", "plan"):
    _object(f"api-fusionset-{action}", methods=("post",))
for action in ("revisions", "readiness", "summary", "export"):
    _object(f"api-fusionset-{action}")
