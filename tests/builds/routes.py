"""Apps, builds and webhooks in the isolation matrix."""

import uuid

from tests.builds.factories import (
    AppFactory,
    BuildFactory,
    WebhookDeliveryFactory,
    WebhookFactory,
    succeeded_build,
)
from tests.console.route_sweep import Route, register


def app(organization):
    return AppFactory(organization=organization, file_name=f"marker-{organization.slug}.apk")


def build(organization):
    return BuildFactory(
        organization=organization, requested_by_label=f"marker-builder-{organization.slug}"
    )


def webhook(organization):
    return WebhookFactory(
        organization=organization, url=f"https://hooks.example.com/marker-{organization.slug}"
    )


def delivery(organization):
    return WebhookDeliveryFactory(organization=organization)


def uuid_kwargs(item):
    """UUID primary keys (the role matrix samples object routes with an integer id)."""
    pk = item.pk if isinstance(item.pk, uuid.UUID) else uuid.UUID(int=item.pk)
    return {"pk": str(pk)}


def delivery_kwargs(item):
    """The webhook's id and the delivery's (the role matrix passes a bare sample id)."""
    ids = uuid_kwargs(item)
    webhook = getattr(item, "webhook_id", None)
    return {"pk": str(webhook) if webhook else ids["pk"], "delivery": ids["pk"]}


NO_IDS = "takes no id in the URL; objects named in the body are looked up in scope"

register(Route("app-list", "list", factory=app, marker=lambda o: o.file_name))
register(Route("app-detail", "object", factory=app, kwargs=uuid_kwargs))
register(Route("app-upload", "page", methods=(), role="devops", reason=NO_IDS))
register(Route("build-list", "list", factory=build, marker=lambda o: o.requested_by_label))
register(Route("build-start", "page", methods=(), role="devops", reason=NO_IDS))
register(Route("build-detail", "object", factory=build, kwargs=uuid_kwargs))
register(Route("build-progress", "object", factory=build, kwargs=uuid_kwargs))
register(
    Route(
        "build-cancel",
        "object",
        methods=("post",),
        factory=build,
        kwargs=uuid_kwargs,
        role="devops",
    )
)
register(
    Route(
        "build-retry",
        "object",
        methods=("post",),
        factory=build,
        kwargs=uuid_kwargs,
        role="devops",
    )
)
register(
    Route("build-download", "object", factory=succeeded_build, kwargs=uuid_kwargs, role="devops")
)
register(
    Route(
        "build-sign-script", "object", factory=succeeded_build, kwargs=uuid_kwargs, role="devops"
    )
)
register(Route("webhook-list", "list", factory=webhook, marker=lambda o: o.url))
register(Route("webhook-delete", "object", methods=("post",), factory=webhook, kwargs=uuid_kwargs))
register(
    Route("webhook-redeliver", "object", methods=("post",), factory=delivery, kwargs=uuid_kwargs)
)

register(Route("api-upload", "page", methods=(), role="devops", reason=NO_IDS))
register(Route("api-app-list", "list", factory=app, marker=lambda o: o.file_name))
register(Route("api-app-detail", "object", factory=app, kwargs=uuid_kwargs))
register(Route("api-app-check-by-checksum", "page", methods=(), role="devops", reason=NO_IDS))
register(Route("api-task-list", "list", factory=build, marker=lambda o: o.requested_by_label))
register(Route("api-task-detail", "object", factory=build, kwargs=uuid_kwargs))
register(Route("api-task-status", "object", factory=build, kwargs=uuid_kwargs))
register(
    Route("api-task-output", "object", factory=succeeded_build, kwargs=uuid_kwargs, role="devops")
)
register(
    Route(
        "api-task-cancel",
        "object",
        methods=("post",),
        factory=build,
        kwargs=uuid_kwargs,
        role="devops",
    )
)
register(
    Route(
        "api-task-retry",
        "object",
        methods=("post",),
        factory=build,
        kwargs=uuid_kwargs,
        role="devops",
    )
)
register(Route("api-webhook-list", "list", factory=webhook, marker=lambda o: o.url))
register(
    Route(
        "api-webhook-detail",
        "object",
        methods=("get", "delete"),
        factory=webhook,
        kwargs=uuid_kwargs,
    )
)
register(Route("api-webhook-deliveries", "object", factory=webhook, kwargs=uuid_kwargs))
register(
    Route(
        "api-webhook-redeliver",
        "object",
        methods=("post",),
        factory=delivery,
        kwargs=delivery_kwargs,
    )
)
